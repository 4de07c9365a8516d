//! The readable evaluation table (Chinese first, 万元 figures).

use butie_core::engine::{ClauseResult, Evaluation, PackStatus, Status};
use butie_core::explain;
use butie_core::money::{fmt_grouped, fmt_wan};
use butie_core::policy::{Lang, Pack};
use butie_core::profile::Profile;
use std::fmt::Write;

/// Display width in a terminal: CJK and full-width forms take two columns.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Pad with spaces to a display width (CJK counts double).
pub fn pad_to(s: &str, w: usize) -> String {
    pad(s, w)
}

fn pad(s: &str, w: usize) -> String {
    let cur = width(s);
    let mut out = s.to_string();
    for _ in cur..w {
        out.push(' ');
    }
    out
}

fn lpad(s: &str, w: usize) -> String {
    let cur = width(s);
    let mut out = String::new();
    for _ in cur..w {
        out.push(' ');
    }
    out.push_str(s);
    out
}

fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if width(&out) + width(&c.to_string()) + 1 > w {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

pub fn status_text(s: Status, lang: Lang) -> &'static str {
    explain::status_word(s, false, lang)
}

pub fn pack_status_text(s: PackStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (PackStatus::Applies, Lang::Zh) => "适用",
        (PackStatus::CountyReference, Lang::Zh) => "参照执行",
        (PackStatus::NotInForce, Lang::Zh) => "不在有效期",
        (PackStatus::OtherCity, Lang::Zh) => "不适用地区",
        (PackStatus::Applies, Lang::En) => "applies",
        (PackStatus::CountyReference, Lang::En) => "by reference",
        (PackStatus::NotInForce, Lang::En) => "not in force",
        (PackStatus::OtherCity, Lang::En) => "other region",
    }
}

fn money_cell(c: &ClauseResult, max: bool, lang: Lang) -> String {
    let v = if max { c.amount_max } else { c.amount };
    match v {
        Some(d) => fmt_wan(d),
        None if c.status == Status::Eligible && !max && c.amount_max.is_some() => "—".into(),
        None if c.status == Status::Eligible && !c.clause.monetary => if lang == Lang::Zh { "不涉及资金" } else { "no money" }.into(),
        None if c.status == Status::Eligible => if lang == Lang::Zh { "未公布" } else { "no figure" }.into(),
        None => String::new(),
    }
}

/// Render the evaluation for a terminal. `explain` adds each eligible
/// clause's arithmetic and quoted text.
pub fn render(ev: &Evaluation, packs: &[Pack], profile: &Profile, lang: Lang, explain: bool) -> String {
    let mut o = String::new();
    let other = |p: &butie_core::PackResult| p.status == PackStatus::OtherCity;
    pack_lines(&mut o, ev, profile, lang);
    let _ = writeln!(o);
    clause_rows(&mut o, ev, lang, &other);
    total_lines(&mut o, ev, lang);
    open_line(&mut o, ev, packs, lang);
    if explain {
        explanations(&mut o, ev, lang);
    }
    o
}

/// The heading, then each pack's status (other places' on one line).
fn pack_lines(o: &mut String, ev: &Evaluation, profile: &Profile, lang: Lang) {
    let zh = lang == Lang::Zh;
    let c = &profile.company;
    if zh {
        let _ = writeln!(o, "补贴通 · {} 年度测算 · {}{} · {}", ev.year, c.city, c.district, c.name);
    } else {
        let _ = writeln!(o, "Butie · data year {} · {} {} · {}", ev.year, c.city, c.district, c.name);
    }
    // Packs of other places: one line naming them; their clauses are not listed.
    let other = |p: &butie_core::PackResult| p.status == PackStatus::OtherCity;
    let others: Vec<&str> = ev.packs.iter().filter(|p| other(p)).map(|p| p.pack.id.as_str()).collect();
    if !others.is_empty() {
        let _ = match lang {
            Lang::Zh => {
                writeln!(o, "  [{}] {}：企业注册地为{}，不适用", pack_status_text(PackStatus::OtherCity, lang), others.join("、"), c.city)
            }
            Lang::En => writeln!(
                o,
                "  [{}] {}: the company is in {}; not applicable",
                pack_status_text(PackStatus::OtherCity, lang),
                others.join(", "),
                c.city
            ),
        };
    }
    for p in ev.packs.iter().filter(|p| !other(p)) {
        let _ = writeln!(o, "  [{}] {}：{}", pack_status_text(p.status, lang), p.pack.id, explain::pack_note(ev, p, lang));
        if let Some(rule) = explain::principle(p, lang) {
            let _ = writeln!(o, "      {rule}");
        }
    }
}

/// The table of clauses (other places' packs left out).
fn clause_rows(o: &mut String, ev: &Evaluation, lang: Lang, other: &dyn Fn(&butie_core::PackResult) -> bool) {
    let zh = lang == Lang::Zh;
    let head = if zh {
        ["条款", "名称", "状态", "测算(万元)", "上限(万元)", "说明"]
    } else {
        ["clause", "title", "status", "amount (10k)", "max (10k)", "why"]
    };
    let w = [38, 30, 10, 12, 12];
    let _ = writeln!(
        o,
        "{}{}{}{}{}{}",
        pad(head[0], w[0]),
        pad(head[1], w[1]),
        pad(head[2], w[2]),
        lpad(head[3], w[3]),
        lpad(head[4], w[4]),
        format_args!("  {}", head[5])
    );
    let _ = writeln!(o, "{}", "─".repeat(130));
    for cr in ev.clauses.iter().filter(|cr| !ev.pack_result(&cr.pack.id).is_some_and(other)) {
        let title = cr.clause.title.get(lang);
        let mut status = status_text(cr.status, lang).to_string();
        if cr.excluded_by.is_some() {
            status = if zh { "就高排除".into() } else { "excluded".into() };
        }
        // ※ where any reason rests on a reading of the text (an applicant
        // condition taken as "yes" counts, on a waiting clause too).
        let mark = if explain::reason_items(ev, cr).iter().any(|r| r.is_interpretation()) { " ※" } else { "" };
        let why = explain::headline(ev, cr, lang);
        let _ = writeln!(
            o,
            "{}{}{}{}{}  {}{}",
            pad(cr.id(), w[0]),
            pad(&truncate(title, w[1] - 2), w[1]),
            pad(&status, w[2]),
            lpad(&money_cell(cr, false, lang), w[3]),
            lpad(&money_cell(cr, true, lang), w[4]),
            why,
            mark
        );
    }
    let _ = writeln!(o, "{}", "─".repeat(130));
}

/// The total, or why there is none, and the footnote.
fn total_lines(o: &mut String, ev: &Evaluation, lang: Lang) {
    let zh = lang == Lang::Zh;
    let no_figures = ev.total_max.is_zero() && ev.clauses.iter().any(|c| c.status == Status::Eligible && c.amount_max.is_none());
    if no_figures {
        // Only measures that publish no figure (reference packs): no 0 元 total.
        let _ = writeln!(
            o,
            "{}",
            if zh {
                "合计：符合条件的措施均未公布具体标准，金额由主管部门核定（不测算金额）"
            } else {
                "Total: the eligible measures publish no specific standard; the departments decide the amounts (nothing to estimate)"
            }
        );
    } else if zh {
        let _ = writeln!(
            o,
            "合计：测算金额 {} 万元（{} 元）；含上限类条款的最高合计 {} 万元（{} 元）",
            fmt_wan(ev.total),
            fmt_grouped(ev.total),
            fmt_wan(ev.total_max),
            fmt_grouped(ev.total_max)
        );
        let _ = writeln!(o, "※ 含对原文的解释，详见 --explain。被“就高”排除的条款不计入合计。金额为测算值，以主管部门核定为准。");
    } else {
        let _ = writeln!(
            o,
            "Total: {} yuan estimated; up to {} yuan including ceiling-only clauses",
            fmt_grouped(ev.total),
            fmt_grouped(ev.total_max)
        );
        let _ = writeln!(
            o,
            "※ rests on an interpretation (see --explain). Excluded clauses are not counted. Estimates only; the department decides."
        );
    }
}

/// The facts that would settle clauses still waiting.
fn open_line(o: &mut String, ev: &Evaluation, packs: &[Pack], lang: Lang) {
    let zh = lang == Lang::Zh;
    let open = butie_core::engine::open_questions(ev);
    if !open.is_empty() {
        let labels: Vec<String> = open
            .iter()
            .map(|k| {
                packs.iter().find_map(|p| p.facts.get(*k)).map(|d| format!("{}（{k}）", d.label.get(lang))).unwrap_or_else(|| k.to_string())
            })
            .collect();
        let _ = writeln!(o, "{}{}", if zh { "还可补充：" } else { "Still open: " }, labels.join(if zh { "；" } else { "; " }));
    }
}

/// Each eligible clause's reasons, working and source (`--explain`).
fn explanations(o: &mut String, ev: &Evaluation, lang: Lang) {
    let zh = lang == Lang::Zh;
    for cr in ev.clauses.iter().filter(|c| c.status == Status::Eligible) {
        let _ = writeln!(o, "\n■ {}", cr.id());
        for r in explain::reasons(ev, cr, lang) {
            let _ = writeln!(o, "  {r}");
        }
        for t in explain::trace(ev, cr, lang) {
            let _ = writeln!(o, "  · {t}");
        }
        let _ = writeln!(o, "  {}{}", if zh { "依据：" } else { "Source: " }, cr.clause.citation);
    }
}

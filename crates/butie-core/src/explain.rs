//! Words for results: the one place where an evaluation's causes and trace
//! steps become sentences, in Chinese or English. Every output (catalogue
//! JSON, terminal table, PDF, window) renders through these functions; none
//! of them reads the sentences back.

use crate::engine::{Cause, ClauseResult, Comparison, Evaluation, Growth, PackReason, PackResult, Status, Step};
use crate::money::{fmt_percent, fmt_wan, fmt_yuan, Grouped};
use crate::policy::{FactDef, FactKind, Figure, Lang, Op, Pack};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::fmt::{self, Write as _};

fn t<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// A fact value with its unit, for people; formats in place (no allocation).
#[derive(Clone, Copy)]
pub struct Shown<'a> {
    kind: FactKind,
    unit: &'a str,
    value: Grouped,
    lang: Lang,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            FactKind::Money => write!(f, "{} {}", self.value, t(self.lang, "元", "yuan")),
            FactKind::MoneyUsd => write!(f, "{} {}", self.value, t(self.lang, "美元", "USD")),
            _ if self.unit.is_empty() => write!(f, "{}", self.value),
            _ => write!(f, "{} {}", self.value, self.unit),
        }
    }
}

/// Show a fact value with its unit: money with two places, other numbers as they are.
pub fn show_value(def: &FactDef, d: Decimal, lang: Lang) -> Shown<'_> {
    let value = match def.kind {
        FactKind::Money | FactKind::MoneyUsd => Grouped::yuan(d),
        _ => Grouped::number(d),
    };
    Shown { kind: def.kind, unit: &def.unit, value, lang }
}

/// Show a threshold from the policy text: as written, without forced decimals.
pub fn show_threshold(def: &FactDef, d: Decimal, lang: Lang) -> Shown<'_> {
    Shown { kind: def.kind, unit: &def.unit, value: Grouped::number(d), lang }
}

/// An amount in 元 with two places, grouped.
#[derive(Clone, Copy)]
pub struct Yuan(Grouped, Lang);

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, t(self.1, "元", "yuan"))
    }
}

pub fn yuan(d: Decimal, lang: Lang) -> Yuan {
    Yuan(Grouped::yuan(d), lang)
}

/// What the legal word means for the number (《民法典》第1259条).
pub fn term_note(op: Op, term: &str, lang: Lang) -> String {
    let inclusive = matches!(op, Op::Ge | Op::Le);
    match (lang, inclusive) {
        (Lang::Zh, true) => format!("“{term}”含本数"),
        (Lang::Zh, false) => format!("“{term}”不含本数"),
        (Lang::En, true) => format!("“{term}” includes the number"),
        (Lang::En, false) => format!("“{term}” excludes the number"),
    }
}

/// The mark put before an interpretation of unclear text.
pub fn interpretation_mark(lang: Lang) -> &'static str {
    t(lang, "【解释】", "【interpretation】")
}

fn def<'p>(pack: &'p Pack, key: &str) -> &'p FactDef {
    // Compiled packs only reference facts they define.
    &pack.facts[key]
}

/// An item field's definition (`key` of a list fact's field).
fn field_def<'p>(pack: &'p Pack, list: &str, key: &str) -> &'p FactDef {
    &pack.facts[list].fields[key]
}

fn option_label<'p>(def: &'p FactDef, value: &'p str, lang: Lang) -> &'p str {
    def.options.get(value).map(|o| o.get(lang)).unwrap_or(value)
}

fn comparison_failure(def: &FactDef, c: &Comparison, lang: Lang) -> String {
    let (v, th, op, term) = (c.value, c.threshold, c.op, c.term);
    let label = def.label.get(lang);
    let shown = show_value(def, v, lang);
    let ths = show_threshold(def, th, lang);
    let note = term_note(op, term, lang);
    match (op, lang) {
        (Op::Gt | Op::Ge, Lang::Zh) => {
            let gap = show_value(def, th - v, lang);
            if v == th {
                format!("{label} {shown}，恰好等于门槛 {ths}，但须{term}（{note}）")
            } else if op == Op::Gt {
                format!("{label} {shown}，须{term} {ths}（{note}），还差 {gap} 以上")
            } else {
                format!("{label} {shown}，须{term} {ths}（{note}），还差 {gap}")
            }
        }
        (Op::Gt | Op::Ge, Lang::En) => {
            let gap = show_value(def, th - v, lang);
            if v == th {
                format!("{label} is {shown}, exactly the threshold {ths}, but it must be {term} it ({note})")
            } else {
                format!("{label} is {shown}; it must be {term} {ths} ({note}); short by {gap}")
            }
        }
        (Op::Lt | Op::Le, Lang::Zh) => {
            format!("{label} {shown}，须{term} {ths}（{note}），超出 {}", show_value(def, v - th, lang))
        }
        (Op::Lt | Op::Le, Lang::En) => {
            format!("{label} is {shown}; it must be {term} {ths} ({note}); over by {}", show_value(def, v - th, lang))
        }
    }
}

fn growth_line(pack: &Pack, g: &Growth, lang: Lang) -> String {
    let (d, pd) = (def(pack, g.fact), def(pack, g.prev));
    let pct = (g.increase() / g.prev_value * Decimal::from(100)).round_dp(2);
    format!(
        "{} {} − {} {} = {}；{} × {} = {}；{} {}%（{}）",
        d.label.get(lang),
        show_value(d, g.value, lang),
        pd.label.get(lang),
        show_value(pd, g.prev_value, lang),
        show_value(d, g.increase(), lang),
        fmt_percent(g.rate),
        show_value(pd, g.prev_value, lang),
        show_value(d, g.needed(), lang),
        t(lang, "同比增长", "growth"),
        pct.normalize(),
        term_note(g.op, g.term, lang),
    )
}

/// One cause as a sentence. `pr` is the clause's pack result (for `PackNotApplicable`).
pub fn cause(ev: &Evaluation, pack: &Pack, c: &Cause, lang: Lang) -> String {
    match c {
        Cause::PackNotApplicable => ev.pack_result(&pack.id).map(|pr| pack_note(ev, pr, lang)).unwrap_or_default(),
        Cause::Excluded { .. } => pack.exclusion_reason.get(lang).to_string(),
        Cause::NotTrue { fact } => format!("{}: {}", def(pack, fact).label.get(lang), t(lang, "否", "no")),
        Cause::NotAllowed { fact, value, allowed } => {
            let d = def(pack, fact);
            let allowed: Vec<&str> = allowed.iter().map(|x| option_label(d, x, lang)).collect();
            format!(
                "{}: {}{}{}",
                d.label.get(lang),
                option_label(d, value, lang),
                t(lang, "，本条只适用于：", "; this clause covers only: "),
                allowed.join(t(lang, "、", ", "))
            )
        }
        Cause::NotCovered { fact, value } => {
            let d = def(pack, fact);
            format!(
                "{}: {}{}",
                d.label.get(lang),
                option_label(d, value, lang),
                t(lang, "，不在本条适用范围内", " is not covered by this clause")
            )
        }
        Cause::Threshold { cmp, .. } => comparison_failure(def(pack, cmp.fact), cmp, lang),
        Cause::GrowthBelow(g) => format!(
            "{}{}{}{}: {}",
            t(lang, "同比增长未达到", "growth is below "),
            fmt_percent(g.rate),
            g.term,
            t(lang, "", " required"),
            growth_line(pack, g, lang)
        ),
        Cause::ZeroBase { fact } => {
            format!("{} {}", def(pack, fact).label.get(lang), t(lang, "为 0，没有可计算的基数", "is 0: nothing to compute on"))
        }
        Cause::NoAward { fact, value } => {
            let d = def(pack, fact);
            format!("{}: {}{}", d.label.get(lang), option_label(d, value, lang), t(lang, "，本条无对应奖励", ": no award for this"))
        }
        Cause::NoItems { fact, listed } => {
            let why = if *listed == 0 {
                t(lang, "：没有任何一项", ": none listed")
            } else {
                t(lang, "：没有符合条件的一项", ": no item qualifies")
            };
            format!("{}{why}", def(pack, fact).label.get(lang))
        }
        Cause::GrowthUndefined { prev } => format!(
            "{}{}",
            def(pack, prev).label.get(lang),
            t(
                lang,
                "为 0，同比增长率无法计算；请核对上年数据",
                " is 0, so year-on-year growth cannot be computed; check last year's figure"
            )
        ),
    }
}

/// One trace step as a line.
pub fn step(pack: &Pack, s: &Step, lang: Lang) -> String {
    match s {
        Step::Chosen { fact, value } => {
            let d = def(pack, fact);
            format!("✓ {}: {}", d.label.get(lang), option_label(d, value, lang))
        }
        Step::IsTrue { fact } => format!("✓ {}: {}", def(pack, fact).label.get(lang), t(lang, "是", "yes")),
        Step::Met(c) => {
            let d = def(pack, c.fact);
            format!(
                "✓ {} {} {} {}（{}）",
                d.label.get(lang),
                show_value(d, c.value, lang),
                c.op.symbol(),
                show_threshold(d, c.threshold, lang),
                term_note(c.op, c.term, lang)
            )
        }
        Step::GrowthMet(g) => format!("✓ {}", growth_line(pack, g, lang)),
        Step::Fixed { amount, figure } => match figure {
            Figure::Exact => format!("{} {}", t(lang, "定额", "fixed amount"), yuan(*amount, lang)),
            Figure::Ceiling => format!("{} {}", t(lang, "最高", "at most"), yuan(*amount, lang)),
        },
        Step::Rate { fact, base, rate, product } => {
            let d = def(pack, fact);
            format!(
                "{} × {} = {} × {} = {}",
                d.label.get(lang),
                fmt_percent(*rate),
                show_value(d, *base, lang),
                fmt_percent(*rate),
                show_value(d, *product, lang),
            )
        }
        Step::Cap { cap, raw, quote } => {
            let q = if quote.is_empty() { String::new() } else { format!("（“{quote}”）") };
            if raw > cap {
                format!(
                    "{} {} {q}→ min({}, {}) = {}",
                    t(lang, "封顶", "cap"),
                    yuan(*cap, lang),
                    Grouped::yuan(*raw),
                    Grouped::yuan(*cap),
                    yuan(*cap, lang)
                )
            } else {
                format!("{} {} {q}{}", t(lang, "上限", "cap"), yuan(*cap, lang), t(lang, "，未触及上限", ", not reached"))
            }
        }
        Step::Tier { cmp, amount } => {
            let d = def(pack, cmp.fact);
            format!(
                "{} {}：{} {} {}（{}）→ {}",
                d.label.get(lang),
                show_value(d, cmp.value, lang),
                t(lang, "适用档位", "tier"),
                cmp.op.symbol(),
                show_threshold(d, cmp.threshold, lang),
                term_note(cmp.op, cmp.term, lang),
                yuan(*amount, lang)
            )
        }
        Step::TierTable { term, fact, tiers } => {
            let d = def(pack, fact);
            let mut out = format!("{}: ", t(lang, "档位表", "tiers"));
            for (i, tier) in tiers.iter().enumerate() {
                if i > 0 {
                    out.push('；');
                }
                let _ = write!(out, "{}{} → {}", term, show_threshold(d, tier.from, lang), yuan(tier.amount, lang));
            }
            out
        }
        Step::Lookup { fact, value, amount } => {
            let d = def(pack, fact);
            format!("{}: {} → {}", d.label.get(lang), option_label(d, value, lang), yuan(*amount, lang))
        }
        Step::ItemSkipped { n, list, cmp } => {
            format!("#{n}: {}（{}）", t(lang, "不计", "not counted"), comparison_failure(field_def(pack, list, cmp.fact), cmp, lang))
        }
        Step::Item { n, list, field, base, rate, product, capped_at } => {
            let d = field_def(pack, list, field);
            let capnote = match capped_at {
                Some(c) => format!(" → {} {}", t(lang, "单项封顶", "item cap"), yuan(*c, lang)),
                None => String::new(),
            };
            format!(
                "#{n}: {} {} × {} = {}{capnote}",
                d.label.get(lang),
                show_value(d, *base, lang),
                fmt_percent(*rate),
                show_value(d, *product, lang)
            )
        }
        Step::ItemCap { cap, quote } => format!("{} {}（“{quote}”）", t(lang, "单项上限", "per-item cap"), yuan(*cap, lang)),
        Step::ItemsSum { count, sum } => {
            format!("{} {} {} = {}", t(lang, "合计", "sum of"), count, t(lang, "项", "items"), yuan(*sum, lang))
        }
        Step::Rounded { amount, figure } => match (figure, lang) {
            (Figure::Exact, Lang::Zh) => format!("= {}（四舍五入到分）", yuan(*amount, lang)),
            (Figure::Exact, Lang::En) => format!("= {} (rounded half up to the fen)", yuan(*amount, lang)),
            (Figure::Ceiling, Lang::Zh) => format!("最高 {}：政策只规定上限，实际金额由主管部门核定", yuan(*amount, lang)),
            (Figure::Ceiling, Lang::En) => format!("at most {}: the policy sets only a ceiling", yuan(*amount, lang)),
        },
        Step::NoFigure => t(lang, "政策未公布金额", "no figure published").to_string(),
    }
}

/// A clause's working, one line per step.
pub fn trace(c: &ClauseResult, lang: Lang) -> Vec<String> {
    c.trace.iter().map(|s| step(c.pack, s, lang)).collect()
}

/// The pack's status in a sentence (why it applies or not).
pub fn pack_note(ev: &Evaluation, pr: &PackResult, lang: Lang) -> String {
    let pack = pr.pack;
    let c = &ev.profile.company;
    let year = ev.year;
    let interp = pack.validity_interpretation.as_ref().map(|i| format!("{}{}", interpretation_mark(lang), i.get(lang))).unwrap_or_default();
    match pr.reason {
        PackReason::OtherCity => match lang {
            Lang::Zh => format!("本政策只适用于{}，企业注册地为{}", pack.city, c.city),
            Lang::En => format!("this policy covers {} only; the company is in {}", pack.city, c.city),
        },
        PackReason::NotInForce => match lang {
            Lang::Zh => format!("本政策有效期为 {} 至 {}，{year} 年度不在有效期内{interp}", pack.valid_from, pack.valid_to),
            Lang::En => format!("this policy is in force from {} to {}; {year} is outside it{interp}", pack.valid_from, pack.valid_to),
        },
        PackReason::Applies { from_mid_year } => {
            let partial = match (from_mid_year, lang) {
                (false, _) => String::new(),
                (true, Lang::Zh) => format!("；{year} 年度自 {} 起适用", pack.valid_from),
                (true, Lang::En) => format!("; in {year} it applies from {}", pack.valid_from),
            };
            match lang {
                Lang::Zh => format!("适用：{}{}，有效期 {} 至 {}{partial}{interp}", c.city, c.district, pack.valid_from, pack.valid_to),
                Lang::En => {
                    format!("applies: {} {}, in force {} to {}{partial}{interp}", c.city, c.district, pack.valid_from, pack.valid_to)
                }
            }
        }
        PackReason::CountyReference => {
            let extra = pack.county_note.as_ref().map(|n| n.get(lang)).unwrap_or_default();
            match lang {
                Lang::Zh => format!("{}属参照执行地区：以下金额按市区标准估算，实际由当地确定。{extra}", c.district),
                Lang::En => format!(
                    "{} follows the policy by reference: figures use the city-district rates; the county decides. {extra}",
                    c.district
                ),
            }
        }
        PackReason::OutsideRegions => match lang {
            Lang::Zh => format!("{}不在本政策执行范围内（{}）", c.district, pack.regions_quote),
            Lang::En => format!("{} is outside this policy's area ({})", c.district, pack.regions_quote),
        },
    }
}

/// The one-line outcome of an eligible clause.
pub fn summary(c: &ClauseResult, lang: Lang) -> String {
    let s = match (c.clause.figure, c.amount, c.amount_max) {
        (Figure::Exact, Some(a), _) => match lang {
            Lang::Zh => format!("符合条件，测算可得 {}（{} 万元）", yuan(a, lang), fmt_wan(a)),
            Lang::En => format!("eligible: estimated award {}", yuan(a, lang)),
        },
        (_, _, Some(m)) => match lang {
            Lang::Zh => format!("符合条件，最高可得 {}（{} 万元），实际金额由主管部门核定", yuan(m, lang), fmt_wan(m)),
            Lang::En => format!("eligible: at most {}; the department sets the actual amount", yuan(m, lang)),
        },
        _ => t(lang, "符合条件，政策未公布金额，由主管部门核定", "eligible: the policy publishes no figure; the department decides")
            .to_string(),
    };
    if c.county {
        format!("{s}{}", t(lang, "（县市参照执行，以当地为准）", " (county follows by reference; local rules decide)"))
    } else {
        s
    }
}

/// The facts a `needs_input` clause still needs, by label.
pub fn needs(c: &ClauseResult, lang: Lang) -> String {
    let labels: Vec<&str> = c.missing.iter().map(|k| c.pack.facts.get(*k).map(|d| d.label.get(lang)).unwrap_or(k)).collect();
    format!("{}{}", t(lang, "需要补充：", "needs: "), labels.join(t(lang, "、", ", ")))
}

/// Why a clause was dropped by a stacking rule.
pub fn stacked(c: &ClauseResult, lang: Lang) -> Option<String> {
    let s = c.excluded_by?;
    let group = &c.pack.stacking[s.group];
    let winner = &s.winner.id;
    let mut why = match lang {
        Lang::Zh => format!("与 {winner} 不重复享受，按就高原则取金额更高者（{}：“{}”）", group.place, group.quote),
        Lang::En => format!("not combined with {winner}: the higher award is kept ({}: “{}”)", group.place, group.quote),
    };
    if let Some(interp) = &group.interpretation {
        let _ = write!(why, "{}{}", interpretation_mark(lang), interp.get(lang));
    }
    Some(why)
}

/// Every reason for a clause's result, in order: for an eligible clause the
/// outcome, the formula's note, the interpretations it rests on, the county
/// note and the stacking rule that dropped it; otherwise its causes.
pub fn reasons(ev: &Evaluation, c: &ClauseResult, lang: Lang) -> Vec<String> {
    match c.status {
        Status::Ineligible => c.causes.iter().map(|x| cause(ev, c.pack, x, lang)).collect(),
        Status::NeedsInput => {
            let mut out = vec![needs(c, lang)];
            out.extend(c.causes.iter().map(|x| cause(ev, c.pack, x, lang)));
            out
        }
        Status::Eligible => {
            let mut out = vec![summary(c, lang)];
            if let Some(n) = &c.clause.formula_note {
                out.push(n.get(lang).to_string());
            }
            for i in &c.clause.interpretations {
                out.push(format!("{}{}", interpretation_mark(lang), i.get(lang)));
            }
            if c.county {
                if let Some(pr) = ev.pack_result(&c.pack.id) {
                    out.push(pack_note(ev, pr, lang));
                }
            }
            out.extend(stacked(c, lang));
            out
        }
    }
}

/// The one reason to show in a table row: for an eligible clause dropped by
/// stacking, the stacking rule; otherwise the first reason.
pub fn headline(ev: &Evaluation, c: &ClauseResult, lang: Lang) -> String {
    if let Some(s) = stacked(c, lang) {
        return s;
    }
    match c.status {
        Status::Eligible => summary(c, lang),
        Status::NeedsInput => needs(c, lang),
        Status::Ineligible => c.causes.first().map(|x| cause(ev, c.pack, x, lang)).unwrap_or_default(),
    }
}

/// Interpretations an eligible clause's figure rests on.
pub fn interpretations<'p>(c: &ClauseResult<'p>, lang: Lang) -> Vec<&'p str> {
    if c.status != Status::Eligible {
        return Vec::new();
    }
    c.clause.interpretations.iter().map(|i| i.get(lang)).collect()
}

fn money_json(d: Option<Decimal>) -> Value {
    match d {
        Some(d) => Value::String(fmt_yuan(d)),
        None => Value::Null,
    }
}

/// The catalogue's JSON, exactly.
pub fn to_json(ev: &Evaluation, lang: Lang) -> Value {
    json!({
        "year": ev.year,
        "city": ev.profile.company.city,
        "district": ev.profile.company.district,
        "packs": ev.packs.iter().map(|p| json!({"id": p.pack.id, "status": p.status.as_str(), "note": pack_note(ev, p, lang)})).collect::<Vec<_>>(),
        "clauses": ev.clauses.iter().map(|c| json!({
            "id": c.clause.id,
            "status": c.status.as_str(),
            "amount": money_json(c.amount),
            "amount_max": money_json(c.amount_max),
            "missing": c.missing,
            "reasons": reasons(ev, c, lang),
            "citation": c.clause.citation,
            "trace": trace(c, lang),
            "excluded_by": c.excluded_by.map(|s| s.winner.id.as_str()),
        })).collect::<Vec<_>>(),
        "total": fmt_yuan(ev.total),
        "total_max": fmt_yuan(ev.total_max),
    })
}

/// A hint as a sentence.
pub fn hint(h: &crate::engine::Hint, lang: Lang) -> String {
    use crate::engine::Hint;
    match h {
        Hint::NextTier { clause, pack, fact, op, term, gap, threshold, pays } => {
            let d = def(pack, fact);
            let title = clause.title.get(lang);
            let label = d.label.get(lang);
            // "超过" excludes the threshold: the increase must itself be more than the gap.
            let exclusive = *op == Op::Gt;
            let (to, pays) = (show_threshold(d, *threshold, lang), yuan(*pays, lang));
            let gap_shown = show_value(d, *gap, lang);
            match (lang, exclusive, gap.is_zero()) {
                (Lang::Zh, true, true) => format!("{title}：{label}再有任何增加即{term} {to}，可得 {pays}"),
                (Lang::Zh, true, false) => format!("{title}：{label}再增加超过 {gap_shown}即{term} {to}，可得 {pays}"),
                (Lang::Zh, false, _) => format!("{title}：{label}再增加 {gap_shown}即{term} {to}，可得 {pays}"),
                (Lang::En, true, true) => format!("{title}: any increase in {label} goes over {to} and pays {pays}"),
                (Lang::En, true, false) => format!("{title}: {label} more than {gap_shown} higher goes over {to} and pays {pays}"),
                (Lang::En, false, _) => format!("{title}: {label} {gap_shown} higher reaches {to} and pays {pays}"),
            }
        }
        Hint::Threshold { clause, pack, cmp } => {
            let d = def(pack, cmp.fact);
            let title = clause.title.get(lang);
            let (th, now) = (show_threshold(d, cmp.threshold, lang), show_value(d, cmp.value, lang));
            match lang {
                Lang::Zh => format!("{title}：{}须{} {th}，目前 {now}", d.label.get(lang), cmp.term),
                Lang::En => format!("{title}: {} must be {} {th}; now {now}", d.label.get(lang), cmp.term),
            }
        }
    }
}

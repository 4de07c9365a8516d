//! Words for results: the one place where an evaluation's causes and trace
//! steps become sentences, in Chinese or English. Every output (catalogue
//! JSON, terminal table, PDF, window) renders through these functions; none
//! of them reads the sentences back.

use crate::diff::{ClauseField, Edit, PackChange, PackPart, Segment};
use crate::engine::{Cause, ClauseResult, Comparison, Evaluation, Growth, PackReason, PackResult, Status, Step};
use crate::money::{fmt_wan, round_fen, Grouped, Plain};
use crate::policy::{FactDef, FactKind, Figure, Lang, Op, Pack, PerCompany, Text2};
use crate::profile::ClaimStatus;
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt::{self, Write};

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
    Shown { kind: def.kind, unit: def.unit.get(lang), value, lang }
}

/// Show a threshold from the policy text: as written, without forced decimals.
pub fn show_threshold(def: &FactDef, d: Decimal, lang: Lang) -> Shown<'_> {
    Shown { kind: def.kind, unit: def.unit.get(lang), value: Grouped::number(d), lang }
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

/// An intermediate amount in 元, exact (not yet rounded): the working shows
/// these so that its lines add up to the rounded result.
pub fn yuan_exact(d: Decimal, lang: Lang) -> Yuan {
    Yuan(Grouped::exact(d), lang)
}

/// A money fact's intermediate figure exact; other kinds as `show_value`.
fn show_exact(def: &FactDef, d: Decimal, lang: Lang) -> Shown<'_> {
    let value = match def.kind {
        FactKind::Money | FactKind::MoneyUsd => Grouped::exact(d),
        _ => Grouped::number(d),
    };
    Shown { kind: def.kind, unit: def.unit.get(lang), value, lang }
}

/// What the legal word means for the number (《民法典》第1259条).
pub fn write_term_note(w: &mut impl Write, op: Op, term: &str, lang: Lang) -> fmt::Result {
    let inclusive = matches!(op, Op::Ge | Op::Le);
    match (lang, inclusive) {
        (Lang::Zh, true) => write!(w, "“{term}”含本数"),
        (Lang::Zh, false) => write!(w, "“{term}”不含本数"),
        (Lang::En, true) => write!(w, "“{term}” includes the number"),
        (Lang::En, false) => write!(w, "“{term}” excludes the number"),
    }
}

/// The legal word in English: what it does to the number.
fn op_words(op: Op) -> &'static str {
    match op {
        Op::Gt => "over",
        Op::Ge => "at least",
        Op::Lt => "under",
        Op::Le => "at most",
    }
}

/// "须超过 X" / "须在 X 以上": 以上、以下、以内 follow the number in Chinese.
struct MustBe<'a, D: fmt::Display>(&'a str, D);

impl<D: fmt::Display> fmt::Display for MustBe<'_, D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            "以上" | "以下" | "以内" => write!(f, "须在 {}{}", self.1, self.0),
            term => write!(f, "须{term} {}", self.1),
        }
    }
}

/// A tier table's word in English, from the Chinese term it quotes.
fn tiers_op(term: &str) -> &'static str {
    crate::policy::op_for_term(term).map(op_words).unwrap_or("from")
}

/// A term note formatted in place.
#[derive(Clone, Copy)]
pub struct TermNote<'t>(pub Op, pub &'t str, pub Lang);

impl fmt::Display for TermNote<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_term_note(f, self.0, self.1, self.2)
    }
}

/// A clause's status in one word, as every renderer shows it (table, PDF,
/// window); `excluded` for an eligible clause a 就高 rule dropped.
pub fn status_word(s: Status, excluded: bool, lang: Lang) -> &'static str {
    match (s, excluded, lang) {
        (Status::Eligible, true, Lang::Zh) => "就高排除",
        (Status::Eligible, true, Lang::En) => "excluded (higher kept)",
        (Status::Eligible, false, Lang::Zh) => "符合",
        (Status::Ineligible, _, Lang::Zh) => "不符合",
        (Status::NeedsInput, _, Lang::Zh) => "待补充",
        (Status::Eligible, false, Lang::En) => "eligible",
        (Status::Ineligible, _, Lang::En) => "ineligible",
        (Status::NeedsInput, _, Lang::En) => "needs input",
    }
}

/// The mark put before an interpretation of unclear text.
pub fn interpretation_mark(lang: Lang) -> &'static str {
    t(lang, "【解释】", "【interpretation】")
}

/// Stands in for a definition a result names but the pack lacks (the loader
/// refuses such packs; this keeps rendering total anyway).
static UNDEFINED: std::sync::LazyLock<FactDef> = std::sync::LazyLock::new(|| FactDef {
    key: String::new(),
    kind: FactKind::Number,
    unit: Text2 { zh: String::new(), en: String::new() },
    label: crate::policy::Text2 { zh: "（未定义的事实）".into(), en: "(undefined fact)".into() },
    help: crate::policy::Text2::default(),
    topic: String::new(),
    options: Default::default(),
    option_order: Vec::new(),
    fields: Default::default(),
    read_as: None,
    source: None,
    part_of: None,
    previous_year_of: None,
    carries_over: false,
    within: None,
    field_order: Vec::new(),
});

fn def<'p>(pack: &'p Pack, key: &str) -> &'p FactDef {
    pack.facts.get(key).unwrap_or(&UNDEFINED)
}

/// An item field's definition (`key` of a list fact's field).
fn field_def<'p>(pack: &'p Pack, list: &str, key: &str) -> &'p FactDef {
    pack.facts.get(list).and_then(|d| d.fields.get(key)).unwrap_or(&UNDEFINED)
}

fn option_label<'p>(def: &'p FactDef, value: &'p str, lang: Lang) -> &'p str {
    def.options.get(value).map(|o| o.get(lang)).unwrap_or(value)
}

fn comparison_failure(w: &mut impl Write, def: &FactDef, c: &Comparison, lang: Lang) -> fmt::Result {
    let (v, th, op, term) = (c.value, c.threshold, c.op, c.term);
    let label = def.label.get(lang);
    let shown = show_value(def, v, lang);
    let ths = show_threshold(def, th, lang);
    let note = TermNote(op, term, lang);
    match (op, lang) {
        (Op::Gt | Op::Ge, Lang::Zh) => {
            let gap = show_value(def, th - v, lang);
            if v == th {
                match term {
                    "以上" | "以内" | "以下" => write!(w, "{label} {shown}，恰好等于门槛 {ths}（{note}）"),
                    _ => write!(w, "{label} {shown}，恰好等于门槛 {ths}，但须{term}（{note}）"),
                }
            } else if op == Op::Gt {
                write!(w, "{label} {shown}，{}（{note}），还差 {gap} 以上", MustBe(term, ths))
            } else {
                write!(w, "{label} {shown}，{}（{note}），还差 {gap}", MustBe(term, ths))
            }
        }
        (Op::Gt | Op::Ge, Lang::En) => {
            let gap = show_value(def, th - v, lang);
            if v == th {
                write!(w, "{label} is {shown}, exactly the threshold {ths}, but it must be {} it ({note})", op_words(op))
            } else {
                write!(w, "{label} is {shown}; it must be {} {ths} ({note}); short by {gap}", op_words(op))
            }
        }
        (Op::Lt | Op::Le, Lang::Zh) => {
            write!(w, "{label} {shown}，{}（{note}），超出 {}", MustBe(term, ths), show_value(def, v - th, lang))
        }
        (Op::Lt | Op::Le, Lang::En) => {
            write!(w, "{label} is {shown}; it must be {} {ths} ({note}); over by {}", op_words(op), show_value(def, v - th, lang))
        }
    }
}

fn growth_line(w: &mut impl Write, pack: &Pack, g: &Growth, lang: Lang) -> fmt::Result {
    let (d, pd) = (def(pack, g.fact), def(pack, g.prev));
    let pct = growth_percent(g);
    write!(
        w,
        "{} {} − {} {} = {}{sep}{} × {} = {}{sep}{} {}%{open}{}{close}",
        d.label.get(lang),
        show_value(d, g.value, lang),
        pd.label.get(lang),
        show_value(pd, g.prev_value, lang),
        show_value(d, g.increase(), lang),
        Percent(g.rate),
        show_value(pd, g.prev_value, lang),
        show_exact(d, g.needed(), lang),
        t(lang, "同比增长", "growth"),
        pct.normalize(),
        TermNote(g.op, g.term, lang),
        sep = t(lang, "；", "; "),
        open = t(lang, "（", " ("),
        close = t(lang, "）", ")"),
    )
}

/// Growth in percent, with as many places as it takes to show on which
/// side of the threshold it falls (19.99999998% is not "20%").
fn growth_percent(g: &Growth) -> Decimal {
    let hundred = Decimal::from(100);
    let Some(exact) = g.increase().checked_div(g.prev_value).and_then(|r| r.checked_mul(hundred)) else {
        return Decimal::ZERO;
    };
    let threshold = g.rate * hundred;
    let mut dp = 2;
    loop {
        let shown = exact.round_dp(dp);
        if shown.cmp(&threshold) == exact.cmp(&threshold) || dp >= 20 {
            return shown;
        }
        dp += 1;
    }
}

/// One cause as a sentence.
pub fn write_cause(w: &mut impl Write, ev: &Evaluation, pack: &Pack, c: &Cause, lang: Lang) -> fmt::Result {
    // By kind of cause, one group each.
    match c {
        Cause::PackNotApplicable
        | Cause::Excluded { .. }
        | Cause::NotTrue { .. }
        | Cause::NotAllowed { .. }
        | Cause::NotCovered { .. }
        | Cause::NotInCityPlan { .. } => write_standing_cause(w, ev, pack, c, lang),
        Cause::Threshold { .. }
        | Cause::GrowthBelow(_)
        | Cause::ZeroBase { .. }
        | Cause::NoAward { .. }
        | Cause::NoItems { .. }
        | Cause::ExceedsWhole { .. } => write_figure_cause(w, pack, c, lang),
        Cause::AlreadyClaimed { .. } | Cause::CompanyCapUsed { .. } => write_history_cause(w, c, lang),
        Cause::FigureOpen { .. } | Cause::SavedYearDiffers { .. } | Cause::PartOpen { .. } | Cause::GrowthUndefined { .. } => {
            write_note_cause(w, pack, c, lang)
        }
    }
}

/// Who the clause is for: the pack's area, its exclusion list, the company's answers.
fn write_standing_cause(w: &mut impl Write, ev: &Evaluation, pack: &Pack, c: &Cause, lang: Lang) -> fmt::Result {
    match c {
        Cause::PackNotApplicable => match ev.pack_result(&pack.id) {
            Some(pr) => write_pack_note(w, ev, pr, lang),
            None => Ok(()),
        },
        Cause::Excluded { .. } => w.write_str(pack.exclusion_reason.get(lang)),
        Cause::NotTrue { fact } => {
            let d = def(pack, fact);
            write!(w, "{}: {}", d.label.get(lang), t(lang, "否", "no"))?;
            match &d.source {
                Some(src) => write!(w, "{}{}{}", t(lang, "（", " ("), src.get(lang), t(lang, "）", ")")),
                None => Ok(()),
            }
        }
        Cause::NotAllowed { fact, value, allowed } => {
            let d = def(pack, fact);
            write!(
                w,
                "{}: {}{}",
                d.label.get(lang),
                option_label(d, value, lang),
                t(lang, "，本条只适用于：", "; this clause covers only: ")
            )?;
            for (i, x) in allowed.iter().enumerate() {
                if i > 0 {
                    w.write_str(t(lang, "、", ", "))?;
                }
                w.write_str(option_label(d, x, lang))?;
            }
            Ok(())
        }
        Cause::NotCovered { fact, value } => {
            let d = def(pack, fact);
            write!(
                w,
                "{}: {}{}",
                d.label.get(lang),
                option_label(d, value, lang),
                t(lang, "，不在本条适用范围内", " is not covered by this clause")
            )
        }
        Cause::NotInCityPlan { cities } => {
            let city = &ev.profile.company.city;
            match lang {
                Lang::Zh => write!(w, "此项只见于{}的实施方案，{city}的方案没有此项", cities.join("、")),
                Lang::En => write!(w, "only the plan of {} states this measure; the plan of {city} does not", cities.join(", ")),
            }
        }
        // The other kinds: see `write_cause`.
        _ => Ok(()),
    }
}

/// A figure that falls short or cannot be used.
fn write_figure_cause(w: &mut impl Write, pack: &Pack, c: &Cause, lang: Lang) -> fmt::Result {
    match c {
        Cause::ExceedsWhole { fact, value, whole, whole_value } => {
            let (d, wd) = (def(pack, fact), def(pack, whole));
            match lang {
                Lang::Zh => write!(
                    w,
                    "{} {} 超过了 {} {}：前者是后者的一部分，不能更大，请核对",
                    d.label.get(lang),
                    show_value(d, *value, lang),
                    wd.label.get(lang),
                    show_value(wd, *whole_value, lang)
                ),
                Lang::En => write!(
                    w,
                    "{} ({}) is more than {} ({}): it is a part of it and cannot be larger; please check",
                    d.label.get(lang),
                    show_value(d, *value, lang),
                    wd.label.get(lang),
                    show_value(wd, *whole_value, lang)
                ),
            }
        }
        Cause::Threshold { cmp, .. } => comparison_failure(w, def(pack, cmp.fact), cmp, lang),
        Cause::GrowthBelow(g) => {
            match lang {
                Lang::Zh => write!(w, "同比增长未达到{}{}: ", Percent(g.rate), g.term)?,
                Lang::En => write!(w, "growth is below the required {} ({}): ", Percent(g.rate), op_words(g.op))?,
            }
            growth_line(w, pack, g, lang)
        }
        Cause::ZeroBase { fact } => {
            write!(w, "{} {}", def(pack, fact).label.get(lang), t(lang, "为 0，没有可计算的基数", "is 0: nothing to compute on"))
        }
        Cause::NoAward { fact, value } => {
            let d = def(pack, fact);
            write!(w, "{}: {}{}", d.label.get(lang), option_label(d, value, lang), t(lang, "，本条无对应奖励", ": no award for this"))
        }
        Cause::NoItems { fact, listed } => {
            let why = if *listed == 0 {
                t(lang, "：没有任何一项", ": none listed")
            } else {
                t(lang, "：没有符合条件的一项", ": no item qualifies")
            };
            write!(w, "{}{why}", def(pack, fact).label.get(lang))
        }
        // The other kinds: see `write_cause`.
        _ => Ok(()),
    }
}

/// Earlier years' claims that leave nothing.
fn write_history_cause(w: &mut impl Write, c: &Cause, lang: Lang) -> fmt::Result {
    match c {
        Cause::AlreadyClaimed { year, status, amount, rule } => {
            let what = match (status, lang) {
                (ClaimStatus::Approved, Lang::Zh) => "获批",
                (_, Lang::Zh) => "申报",
                (ClaimStatus::Approved, Lang::En) => "approved",
                (_, Lang::En) => "claimed",
            };
            match (lang, amount) {
                (Lang::Zh, Some(a)) => write!(w, "已于{year}年度{what}（{}），一次性奖励不再重复", yuan(*a, lang))?,
                (Lang::Zh, None) => write!(w, "已于{year}年度{what}，一次性奖励不再重复")?,
                (Lang::En, Some(a)) => write!(w, "already {what} for {year} ({}); a one-time award is not paid again", yuan(*a, lang))?,
                (Lang::En, None) => write!(w, "already {what} for {year}; a one-time award is not paid again")?,
            }
            write_rule(w, rule, lang)
        }
        Cause::CompanyCapUsed { cap, used, rule } => {
            match lang {
                Lang::Zh => write!(w, "单家企业累计扶持上限 {} 已用完（此前各年度已获 {}）", yuan(*cap, lang), yuan(*used, lang))?,
                Lang::En => write!(w, "the per-company limit of {} is used up (earlier years: {})", yuan(*cap, lang), yuan(*used, lang))?,
            }
            write_rule(w, rule, lang)
        }
        // The other kinds: see `write_cause`.
        _ => Ok(()),
    }
}

/// Notes on an open or doubtful figure.
fn write_note_cause(w: &mut impl Write, pack: &Pack, c: &Cause, lang: Lang) -> fmt::Result {
    match c {
        Cause::FigureOpen { fact, tiers, term } => {
            let d = def(pack, fact);
            match lang {
                Lang::Zh => write!(w, "{}未填写，先按最低一档计；", d.label.get(lang))?,
                Lang::En => write!(w, "{} not answered: the lowest tier is counted; from ", d.label.get(lang))?,
            }
            for (i, tier) in tiers.iter().enumerate().skip(1) {
                if i > 1 {
                    w.write_str(t(lang, "，", ", "))?;
                }
                match lang {
                    Lang::Zh => write!(w, "{term} {} 可得 {}", show_threshold(d, tier.from, lang), yuan(tier.amount, lang))?,
                    Lang::En => write!(w, "{} pays {}", show_threshold(d, tier.from, lang), yuan(tier.amount, lang))?,
                }
            }
            Ok(())
        }
        Cause::SavedYearDiffers { fact, given, source, saved, year } => {
            let (d, sd) = (def(pack, fact), def(pack, source));
            match lang {
                Lang::Zh => write!(
                    w,
                    "本年度填写的{} {} 与已保存的{year}年度资料中的{} {} 不同，按本年度填写的计算；请核对",
                    d.label.get(lang),
                    show_value(d, *given, lang),
                    sd.label.get(lang),
                    show_value(sd, *saved, lang)
                ),
                Lang::En => write!(
                    w,
                    "{} given for this year ({}) differs from the saved {year} {} ({}); the figure given is used; please check",
                    d.label.get(lang),
                    show_value(d, *given, lang),
                    sd.label.get(lang),
                    show_value(sd, *saved, lang)
                ),
            }
        }
        Cause::PartOpen { fact, whole, whole_value, most } => {
            let (d, wd) = (def(pack, fact), def(pack, whole));
            match lang {
                Lang::Zh => write!(
                    w,
                    "{}未填写；它不超过{} {}，故本项最多 {}（按原文字面以全部{}为基数计算的金额）",
                    d.label.get(lang),
                    wd.label.get(lang),
                    show_value(wd, *whole_value, lang),
                    yuan(*most, lang),
                    wd.label.get(lang)
                ),
                Lang::En => write!(
                    w,
                    "{} not answered; it is at most {} ({}), so this clause pays at most {} (the text's literal base: all of {})",
                    d.label.get(lang),
                    wd.label.get(lang),
                    show_value(wd, *whole_value, lang),
                    yuan(*most, lang),
                    wd.label.get(lang)
                ),
            }
        }
        Cause::GrowthUndefined { prev } => write!(
            w,
            "{}{}",
            def(pack, prev).label.get(lang),
            t(
                lang,
                "为 0，同比增长率无法计算；请核对上年数据",
                " is 0, so year-on-year growth cannot be computed; check last year's figure"
            )
        ),
        // The other kinds: see `write_cause`.
        _ => Ok(()),
    }
}

pub fn cause(ev: &Evaluation, pack: &Pack, c: &Cause, lang: Lang) -> String {
    to_string(|w| write_cause(w, ev, pack, c, lang))
}

fn to_string(f: impl FnOnce(&mut String) -> fmt::Result) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = f(&mut s);
    s
}

/// One trace step as a line.
pub fn write_step(w: &mut impl Write, pack: &Pack, s: &Step, lang: Lang) -> fmt::Result {
    // By kind of step, one group each.
    match s {
        Step::Chosen { .. }
        | Step::IsTrue { .. }
        | Step::FromSavedYear { .. }
        | Step::Assumed { .. }
        | Step::Met(_)
        | Step::GrowthMet(_) => write_condition_step(w, pack, s, lang),
        Step::Fixed { .. }
        | Step::Rate { .. }
        | Step::Part { .. }
        | Step::RateOfSum { .. }
        | Step::Cap { .. }
        | Step::Lookup { .. }
        | Step::Rounded { .. }
        | Step::NoFigure { .. } => write_formula_step(w, pack, s, lang),
        Step::Tier { .. } | Step::TierFloor { .. } | Step::TierTable { .. } => write_tier_step(w, pack, s, lang),
        Step::ItemSkipped { .. } | Step::Item { .. } | Step::ItemCap { .. } | Step::ItemsSum { .. } => write_item_step(w, pack, s, lang),
        Step::EarlierClaim { .. } | Step::CompanyCap { .. } => write_history_step(w, s, lang),
    }
}

/// A condition that holds, or a fact read in its place.
fn write_condition_step(w: &mut impl Write, pack: &Pack, s: &Step, lang: Lang) -> fmt::Result {
    match s {
        Step::Chosen { fact, value } => {
            let d = def(pack, fact);
            write!(w, "✓ {}: {}", d.label.get(lang), option_label(d, value, lang))
        }
        Step::IsTrue { fact } => write!(w, "✓ {}: {}", def(pack, fact).label.get(lang), t(lang, "是", "yes")),
        Step::FromSavedYear { fact, source, year, value } => {
            let (d, sd) = (def(pack, fact), def(pack, source));
            match lang {
                Lang::Zh => {
                    write!(
                        w,
                        "{}未填写，取已保存的{year}年度资料中的{}：{}",
                        d.label.get(lang),
                        sd.label.get(lang),
                        show_value(sd, *value, lang)
                    )
                }
                Lang::En => write!(
                    w,
                    "{} not given: the saved {year} {} is used: {}",
                    d.label.get(lang),
                    sd.label.get(lang),
                    show_value(sd, *value, lang)
                ),
            }
        }
        Step::Assumed { fact } => match lang {
            Lang::Zh => {
                write!(w, "{}假定 {}：是（未回答；如为“否”，本项不符合）", interpretation_mark(lang), def(pack, fact).label.get(lang))
            }
            Lang::En => {
                write!(
                    w,
                    "{}assumed “yes” for “{}” (not answered; “no” makes this clause ineligible)",
                    interpretation_mark(lang),
                    def(pack, fact).label.get(lang)
                )
            }
        },
        Step::Met(c) => {
            let d = def(pack, c.fact);
            write!(
                w,
                "✓ {} {} {} {}{}",
                d.label.get(lang),
                show_value(d, c.value, lang),
                c.op.symbol(),
                show_threshold(d, c.threshold, lang),
                t(lang, "（", " ("),
            )?;
            write_term_note(w, c.op, c.term, lang)?;
            w.write_str(t(lang, "）", ")"))
        }
        Step::GrowthMet(g) => {
            w.write_str("✓ ")?;
            growth_line(w, pack, g, lang)
        }
        // The other kinds: see `write_step`.
        _ => Ok(()),
    }
}

/// A formula's working and the figure it gives.
fn write_formula_step(w: &mut impl Write, pack: &Pack, s: &Step, lang: Lang) -> fmt::Result {
    match s {
        Step::Fixed { amount, figure } => match figure {
            Figure::Exact => write!(w, "{} {}", t(lang, "定额", "fixed amount"), yuan(*amount, lang)),
            Figure::Ceiling => write!(w, "{} {}", t(lang, "最高", "at most"), yuan(*amount, lang)),
        },
        Step::Rate { fact, base, rate, product } => {
            let d = def(pack, fact);
            let pct = Percent(*rate);
            // The whole cost (a ceiling with no rate given): no "× 100%".
            if *rate == Decimal::ONE {
                return write!(w, "{} {}", d.label.get(lang), show_exact(d, *product, lang));
            }
            write!(w, "{} × {pct} = {} × {pct} = {}", d.label.get(lang), show_value(d, *base, lang), show_exact(d, *product, lang))
        }
        Step::Part { fact, amount } => {
            let d = def(pack, fact);
            write!(w, "{} {} {}", t(lang, "计入", "counted:"), d.label.get(lang), show_value(d, *amount, lang))
        }
        Step::RateOfSum { count, sum, rate, product } => {
            let pct = Percent(*rate);
            match lang {
                Lang::Zh => write!(w, "{count} 项合计 {} × {pct} = {}", yuan(*sum, lang), yuan_exact(*product, lang)),
                Lang::En => write!(w, "sum of {count} items: {} × {pct} = {}", yuan(*sum, lang), yuan_exact(*product, lang)),
            }
        }
        Step::Cap { cap, raw, quote } => {
            if raw > cap {
                write!(w, "{} {} ", t(lang, "封顶", "cap"), yuan(*cap, lang))?;
                write_quote(w, quote)?;
                write!(w, "→ min({}, {}) = {}", Grouped::exact(*raw), Grouped::yuan(*cap), yuan(*cap, lang))
            } else {
                write!(w, "{} {} ", t(lang, "上限", "cap"), yuan(*cap, lang))?;
                write_quote(w, quote)?;
                write!(w, "{}{}", t(lang, "：", ": "), Grouped::exact(*raw))?;
                w.write_str(t(lang, " 未超过此上限，不削减", " is within this cap, not reduced"))
            }
        }
        Step::Lookup { fact, value, amount } => {
            let d = def(pack, fact);
            write!(w, "{}: {} → {}", d.label.get(lang), option_label(d, value, lang), yuan(*amount, lang))
        }
        Step::Rounded { amount, figure } => match (figure, lang) {
            (Figure::Exact, Lang::Zh) => write!(w, "= {}（四舍五入到分）", yuan(*amount, lang)),
            (Figure::Exact, Lang::En) => write!(w, "= {} (rounded half up to the fen)", yuan(*amount, lang)),
            (Figure::Ceiling, Lang::Zh) => write!(w, "最高 {}：政策只规定上限，实际金额由主管部门核定", yuan(*amount, lang)),
            (Figure::Ceiling, Lang::En) => write!(w, "at most {}: the policy sets only a ceiling", yuan(*amount, lang)),
        },
        Step::NoFigure { monetary: true } => w.write_str(t(lang, "政策未公布金额", "no figure published")),
        Step::NoFigure { monetary: false } => {
            w.write_str(t(lang, "不涉及资金（便利、资格或规则类措施）", "no money involved (a facilitation, status or rule)"))
        }
        // The other kinds: see `write_step`.
        _ => Ok(()),
    }
}

/// A tier table: the tier reached, or the floor, and the table.
fn write_tier_step(w: &mut impl Write, pack: &Pack, s: &Step, lang: Lang) -> fmt::Result {
    match s {
        Step::Tier { cmp, amount } => {
            let d = def(pack, cmp.fact);
            write!(
                w,
                "{} {}{}{} {} {}{}",
                d.label.get(lang),
                show_value(d, cmp.value, lang),
                t(lang, "：", ": "),
                t(lang, "适用档位", "tier"),
                cmp.op.symbol(),
                show_threshold(d, cmp.threshold, lang),
                t(lang, "（", " ("),
            )?;
            write_term_note(w, cmp.op, cmp.term, lang)?;
            write!(w, "{}→ {}", t(lang, "）", ") "), yuan(*amount, lang))
        }
        Step::TierFloor { fact, amount } => {
            let d = def(pack, fact);
            match lang {
                Lang::Zh => write!(w, "{}未填写：任何数值都达到第一档 → 至少 {}", d.label.get(lang), yuan(*amount, lang)),
                Lang::En => {
                    write!(w, "{} not answered: any value reaches the first tier → at least {}", d.label.get(lang), yuan(*amount, lang))
                }
            }
        }
        Step::TierTable { term, fact, tiers } => {
            let d = def(pack, fact);
            write!(w, "{}: ", t(lang, "档位表", "tiers"))?;
            for (i, tier) in tiers.iter().enumerate() {
                if i > 0 {
                    w.write_char('；')?;
                }
                match lang {
                    Lang::Zh => write!(w, "{}{} → {}", term, show_threshold(d, tier.from, lang), yuan(tier.amount, lang))?,
                    Lang::En => write!(w, "{} {} → {}", tiers_op(term), show_threshold(d, tier.from, lang), yuan(tier.amount, lang))?,
                }
            }
            Ok(())
        }
        // The other kinds: see `write_step`.
        _ => Ok(()),
    }
}

/// A list's items, one by one, and their sum.
fn write_item_step(w: &mut impl Write, pack: &Pack, s: &Step, lang: Lang) -> fmt::Result {
    match s {
        Step::ItemSkipped { n, list, cmp } => {
            write!(w, "#{n}: {}（", t(lang, "不计", "not counted"))?;
            comparison_failure(w, field_def(pack, list, cmp.fact), cmp, lang)?;
            w.write_str("）")
        }
        Step::Item { n, list, field, base, rate, product, capped_at } => {
            let d = field_def(pack, list, field);
            write!(
                w,
                "#{n}: {} {} × {} = {}",
                d.label.get(lang),
                show_value(d, *base, lang),
                Percent(*rate),
                show_exact(d, *product, lang)
            )?;
            match capped_at {
                Some(c) => write!(w, " → {} {}", t(lang, "单项封顶", "item cap"), yuan_exact(*c, lang)),
                None => Ok(()),
            }
        }
        Step::ItemCap { cap, quote } => write!(w, "{} {}（“{quote}”）", t(lang, "单项上限", "per-item cap"), yuan(*cap, lang)),
        Step::ItemsSum { count, sum } => {
            write!(w, "{} {} {} = {}", t(lang, "合计", "sum of"), count, t(lang, "项", "items"), yuan_exact(*sum, lang))
        }
        // The other kinds: see `write_step`.
        _ => Ok(()),
    }
}

/// Earlier years' claims that limit this one.
fn write_history_step(w: &mut impl Write, s: &Step, lang: Lang) -> fmt::Result {
    match s {
        Step::EarlierClaim { year, status, amount } => {
            let what = match (status, lang) {
                (ClaimStatus::Approved, Lang::Zh) => "已获批",
                (ClaimStatus::Submitted, Lang::Zh) => "已申报（待批）",
                (_, Lang::Zh) => "已申报",
                (ClaimStatus::Approved, Lang::En) => "approved",
                (ClaimStatus::Submitted, Lang::En) => "claimed (pending)",
                (_, Lang::En) => "claimed",
            };
            match (lang, amount) {
                (Lang::Zh, Some(a)) => write!(w, "申报记录：{year} 年度{what} {}", yuan(*a, lang)),
                (Lang::Zh, None) => write!(w, "申报记录：{year} 年度{what}"),
                (Lang::En, Some(a)) => write!(w, "filing history: {year} {what}, {}", yuan(*a, lang)),
                (Lang::En, None) => write!(w, "filing history: {year} {what}"),
            }
        }
        Step::CompanyCap { cap, used, raw, rule } => {
            let left = *cap - *used;
            match lang {
                Lang::Zh => write!(
                    w,
                    "单家企业累计上限 {}，此前各年度已获 {}，尚余 {} → min({}, {}) = {}",
                    yuan(*cap, lang),
                    yuan(*used, lang),
                    yuan(left, lang),
                    Grouped::yuan(*raw),
                    Grouped::yuan(left),
                    yuan((*raw).min(left), lang)
                )?,
                Lang::En => write!(
                    w,
                    "per-company limit {}, earlier years {}, {} left → min({}, {}) = {}",
                    yuan(*cap, lang),
                    yuan(*used, lang),
                    yuan(left, lang),
                    Grouped::yuan(*raw),
                    Grouped::yuan(left),
                    yuan((*raw).min(left), lang)
                )?,
            }
            write_rule(w, rule, lang)
        }
        // The other kinds: see `write_step`.
        _ => Ok(()),
    }
}

/// The words a per-company rule rests on, and its interpretation if any.
fn write_rule(w: &mut impl Write, rule: &PerCompany, lang: Lang) -> fmt::Result {
    write!(w, "（“{}”）", rule.quote())?;
    match rule.interpretation() {
        Some(i) => write!(w, "{}{}", interpretation_mark(lang), i.get(lang)),
        None => Ok(()),
    }
}

/// A cap's quote in brackets, when there is one.
fn write_quote(w: &mut impl Write, quote: &str) -> fmt::Result {
    if quote.is_empty() {
        Ok(())
    } else {
        write!(w, "（“{quote}”）")
    }
}

/// A rate as a percentage, formatted in place: 0.015 → "1.5%".
#[derive(Clone, Copy)]
struct Percent(Decimal);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", Plain::new((self.0 * Decimal::from(100)).normalize()))
    }
}

pub fn step(pack: &Pack, s: &Step, lang: Lang) -> String {
    to_string(|w| write_step(w, pack, s, lang))
}

/// A clause's working, one line per step.
pub fn trace(ev: &Evaluation, c: &ClauseResult, lang: Lang) -> Vec<String> {
    ev.trace(c).iter().map(|s| step(c.pack, s, lang)).collect()
}

/// The pack's status in a sentence (why it applies or not).
pub fn write_pack_note(w: &mut impl Write, ev: &Evaluation, pr: &PackResult, lang: Lang) -> fmt::Result {
    let pack = pr.pack;
    let c = &ev.profile.company;
    let year = ev.year;
    // A city in English as the packs name it (台州市 → Taizhou (Zhejiang)).
    let city_en = |city: &str| crate::policy::city_en(ev.packs.iter().map(|p| p.pack), city).to_string();
    let interp = |w: &mut dyn Write| match &pack.validity_interpretation {
        Some(i) => write!(w, "{}{}", interpretation_mark(lang), i.get(lang)),
        None => Ok(()),
    };
    // An imported pack no trusted key signed: said before anything it gives.
    if pack.unverified && !matches!(pr.reason, PackReason::OtherCity) {
        w.write_str(t(
            lang,
            "【未验证】此政策包导入时没有受信任的签名，其测算结果未经验证。",
            "[unverified] this pack was imported without a trusted signature; its figures are unverified. ",
        ))?;
    }
    // A draft for comments is not yet policy: said before anything it gives.
    if let (Some(d), false) = (&pack.draft, matches!(pr.reason, PackReason::OtherCity)) {
        match lang {
            Lang::Zh => write!(w, "【征求意见稿】{}（原文：“{}”）。", d.note.get(lang), d.quote)?,
            Lang::En => write!(w, "[draft for comments] {} (the text: “{}”). ", d.note.get(lang), d.quote)?,
        }
    }
    match pr.reason {
        PackReason::OtherCity => match lang {
            Lang::Zh => write!(w, "本政策只适用于{}，企业注册地为{}", pack.city, c.city),
            Lang::En => write!(w, "this policy covers {} only; the company is in {}", city_en(&pack.city), city_en(&c.city)),
        },
        PackReason::NotInForce => {
            match lang {
                Lang::Zh => write!(w, "本政策有效期为 {} 至 {}，{year} 年度不在有效期内", pack.valid_from, pack.valid_to)?,
                Lang::En => write!(w, "this policy is in force from {} to {}; {year} is outside it", pack.valid_from, pack.valid_to)?,
            }
            interp(w)
        }
        PackReason::Applies { from_mid_year } => {
            match lang {
                Lang::Zh => write!(w, "适用：{}{}，有效期 {} 至 {}", c.city, c.district, pack.valid_from, pack.valid_to)?,
                Lang::En => write!(w, "applies: {} {}, in force {} to {}", city_en(&c.city), c.district, pack.valid_from, pack.valid_to)?,
            }
            if let Some(d) = pr.district_as {
                match lang {
                    Lang::Zh => write!(w, "（{}位于{d}，按{d}计算——{}本工具的理解）", c.district, interpretation_mark(lang))?,
                    Lang::En => write!(w, " ({} lies in {d} and is taken as {d}: {}our reading)", c.district, interpretation_mark(lang))?,
                }
            }
            match (from_mid_year, lang) {
                (false, _) => {}
                (true, Lang::Zh) => write!(w, "；{year} 年度自 {} 起适用", pack.valid_from)?,
                (true, Lang::En) => write!(w, "; in {year} it applies from {}", pack.valid_from)?,
            }
            if pack.reference_only() {
                w.write_str(t(
                    lang,
                    "。本文件未公布具体标准：以下列出其支持企业的措施及所需条件，金额以当地部门的申报通知为准",
                    ". The document publishes no specific standard: below are its measures for companies and what they ask; amounts are set by the local departments' notices",
                ))?;
            }
            interp(w)
        }
        PackReason::CountyReference => {
            let extra = pack.county_note.as_ref().map(|n| n.get(lang)).unwrap_or_default();
            match lang {
                Lang::Zh => write!(w, "{}属参照执行地区：以下金额按市区标准估算，实际由当地确定。{extra}", c.district),
                Lang::En => {
                    write!(
                        w,
                        "{} follows the policy by reference: figures use the city-district rates; the county decides. {extra}",
                        c.district
                    )
                }
            }
        }
        PackReason::OutsideRegions => match lang {
            Lang::Zh => write!(w, "{}不在本政策执行范围内（{}）", c.district, pack.regions_quote),
            Lang::En => write!(w, "{} is outside this policy's area (“{}”)", c.district, pack.regions_quote),
        },
    }
}

/// The pack-wide rule (台州 就高不重复), for a pack that applies: one line,
/// shown once per result.
pub fn write_principle(w: &mut impl Write, pr: &PackResult, lang: Lang) -> fmt::Result {
    let Some(p) = pr.pack.stacking_principle.as_ref().filter(|_| pr.status.applies()) else { return Ok(()) };
    if let Some(s) = &p.summary {
        w.write_str(s.get(lang))?;
        w.write_str(t(lang, "（", " ("))?;
    }
    match lang {
        Lang::Zh => write!(w, "{}：“{}”", p.place, p.quote)?,
        Lang::En => write!(w, "{}: “{}”", crate::policy::place_in(&p.place, &p.place_en, lang), p.quote)?,
    }
    if p.summary.is_some() {
        w.write_str(t(lang, "）", ")"))?;
    }
    Ok(())
}

pub fn principle(pr: &PackResult, lang: Lang) -> Option<String> {
    let s = to_string(|w| write_principle(w, pr, lang));
    (!s.is_empty()).then_some(s)
}

pub fn pack_note(ev: &Evaluation, pr: &PackResult, lang: Lang) -> String {
    to_string(|w| write_pack_note(w, ev, pr, lang))
}

/// The one-line outcome of an eligible clause.
pub fn write_summary(w: &mut impl Write, c: &ClauseResult, lang: Lang) -> fmt::Result {
    match (c.clause.figure, c.amount, c.amount_max) {
        (Figure::Exact, Some(a), Some(m)) if m > a => match lang {
            Lang::Zh => {
                write!(w, "符合条件，至少可得 {}（{} 万元），最高 {}（{} 万元）", yuan(a, lang), fmt_wan(a), yuan(m, lang), fmt_wan(m))?
            }
            Lang::En => write!(w, "eligible: at least {}, at most {}", yuan(a, lang), yuan(m, lang))?,
        },
        (Figure::Exact, Some(a), _) => match lang {
            Lang::Zh => write!(w, "符合条件，测算可得 {}（{} 万元）", yuan(a, lang), fmt_wan(a))?,
            Lang::En => write!(w, "eligible: estimated award {}", yuan(a, lang))?,
        },
        (_, _, Some(m)) => match lang {
            Lang::Zh => write!(w, "符合条件，最高可得 {}（{} 万元），实际金额由主管部门核定", yuan(m, lang), fmt_wan(m))?,
            Lang::En => write!(w, "eligible: at most {}; the department sets the actual amount", yuan(m, lang))?,
        },
        _ if !c.clause.monetary => w.write_str(t(
            lang,
            "符合条件；此项不涉及资金（便利、资格或规则类措施），以主管部门办理为准",
            "eligible; no money is involved (a facilitation, status or rule): the department applies it",
        ))?,
        _ => match &c.clause.formula_note {
            // The note says who sets the amount (e.g. each county).
            Some(n) => write!(w, "{}{}", t(lang, "符合条件。", "eligible. "), n.get(lang))?,
            None => w.write_str(t(
                lang,
                "符合条件；政策未公布具体标准，金额由主管部门核定",
                "eligible; the policy publishes no specific standard (未公布具体标准): the department decides the amount",
            ))?,
        },
    }
    if c.county {
        w.write_str(t(lang, "（县市参照执行，以当地为准）", " (county follows by reference; local rules decide)"))?;
    }
    Ok(())
}

pub fn summary(c: &ClauseResult, lang: Lang) -> String {
    to_string(|w| write_summary(w, c, lang))
}

/// What a `needs_input` clause would pay were its open yes/no questions
/// answered in the company's favour: "若“…”为“否”：测算可得 2,000,000.00 元".
/// `open` is the clause's missing facts with the answers assumed; `then` the
/// clause's result in the evaluation of the favourable profile.
pub fn write_provisional(w: &mut impl Write, pack: &Pack, open: &[(&str, bool)], then: &ClauseResult, lang: Lang) -> fmt::Result {
    if open.is_empty() {
        // Only a part taken as its known whole (the text's literal base).
        return match then.amount_max {
            Some(m) => write!(w, "{}{}", t(lang, "按原文字面计算，最多 ", "on the text's literal reading, at most "), yuan(m, lang)),
            None => w.write_str(t(lang, "按原文字面计算：符合条件", "on the text's literal reading: eligible")),
        };
    }
    w.write_str(t(lang, "若", "if "))?;
    for (i, (k, v)) in open.iter().enumerate() {
        if i > 0 {
            w.write_str(t(lang, "、", ", "))?;
        }
        let yes_no = if *v { t(lang, "是", "yes") } else { t(lang, "否", "no") };
        match lang {
            Lang::Zh => write!(w, "“{}”为“{yes_no}”", def(pack, k).label.get(lang))?,
            Lang::En => write!(w, "“{}” is “{yes_no}”", def(pack, k).label.get(lang))?,
        }
    }
    w.write_str(t(lang, "：", ": "))?;
    match (then.clause.figure, then.amount, then.amount_max) {
        (Figure::Exact, Some(a), _) => write!(w, "{}{}", t(lang, "测算可得 ", "estimated "), yuan(a, lang)),
        (_, _, Some(m)) => write!(w, "{}{}", t(lang, "最高 ", "at most "), yuan(m, lang)),
        _ if !then.clause.monetary => w.write_str(t(lang, "符合条件（不涉及资金）", "eligible (no money involved)")),
        _ => w.write_str(t(lang, "符合条件（未公布具体标准）", "eligible (no specific standard published)")),
    }
}

pub fn provisional(pack: &Pack, open: &[(&str, bool)], then: &ClauseResult, lang: Lang) -> String {
    to_string(|w| write_provisional(w, pack, open, then, lang))
}

/// The facts a `needs_input` clause still needs, by label.
pub fn write_needs(w: &mut impl Write, ev: &Evaluation, c: &ClauseResult, lang: Lang) -> fmt::Result {
    w.write_str(t(lang, "需要补充：", "needs: "))?;
    for (i, k) in ev.missing(c).iter().enumerate() {
        if i > 0 {
            w.write_str(t(lang, "、", ", "))?;
        }
        w.write_str(c.pack.facts.get(*k).map(|d| d.label.get(lang)).unwrap_or(k))?;
    }
    Ok(())
}

/// Why a clause was dropped by a stacking rule.
pub fn write_stacked(w: &mut impl Write, c: &ClauseResult, lang: Lang) -> fmt::Result {
    let Some(s) = c.excluded_by else { return Ok(()) };
    let Some(group) = c.pack.stacking.get(s.group) else { return Ok(()) };
    let winner = &s.winner.id;
    match lang {
        Lang::Zh => write!(w, "与 {winner} 不重复享受，按就高原则取金额更高者（{}：“{}”）", group.place, group.quote)?,
        Lang::En => write!(
            w,
            "not combined with {winner}: the higher award is kept ({}: “{}”)",
            crate::policy::place_in(&group.place, &group.place_en, lang),
            group.quote
        )?,
    }
    if let Some(interp) = &group.interpretation {
        write!(w, "{}{}", interpretation_mark(lang), interp.get(lang))?;
    }
    Ok(())
}

/// One line of a clause's reasons, rendered on demand.
#[derive(Clone, Copy)]
pub enum Reason<'e, 'a> {
    Cause(&'e Cause<'a>),
    Needs,
    Summary,
    FormulaNote(&'a Text2),
    Interpretation(&'a Text2),
    CountyNote(&'e PackResult<'a>),
    Stacked,
    /// An applicant condition not answered and taken as "yes" (an
    /// interpretation: the notice's condition is checked only when answered).
    Assumed(&'a str),
    /// The pack's standing: imported without a trusted signature (未验证)
    /// and/or a draft for comments (征求意见稿), said on each clause it gives.
    Standing,
}

impl Reason<'_, '_> {
    /// A reading of unclear policy text (shown marked as such).
    pub fn is_interpretation(&self) -> bool {
        matches!(self, Reason::Interpretation(_) | Reason::Assumed(_))
    }
}

/// Every reason for a clause's result, in order: for an eligible clause the
/// outcome, the formula's note, the interpretations it rests on, the county
/// note and the stacking rule that dropped it; otherwise its causes.
pub fn reason_items<'e, 'a>(ev: &'e Evaluation<'a>, c: &'e ClauseResult<'a>) -> Vec<Reason<'e, 'a>> {
    let mut out = reason_items_of_result(ev, c);
    if c.status != Status::Ineligible && (c.pack.unverified || c.pack.draft.is_some()) {
        out.push(Reason::Standing);
    }
    out
}

/// The applicant conditions a clause took as "yes" without an answer.
fn assumed<'e, 'a>(ev: &'e Evaluation<'a>, c: &'e ClauseResult<'a>) -> impl Iterator<Item = Reason<'e, 'a>> + 'e {
    ev.trace(c).iter().filter_map(|s| match s {
        Step::Assumed { fact } => Some(Reason::Assumed(fact)),
        _ => None,
    })
}

fn reason_items_of_result<'e, 'a>(ev: &'e Evaluation<'a>, c: &'e ClauseResult<'a>) -> Vec<Reason<'e, 'a>> {
    match c.status {
        // What rules the clause out first; notes (two values of one fact) after.
        Status::Ineligible => {
            let (notes, failures): (Vec<_>, Vec<_>) = ev.causes(c).iter().partition(|x| matches!(x, Cause::SavedYearDiffers { .. }));
            failures.into_iter().chain(notes).map(Reason::Cause).collect()
        }
        Status::NeedsInput => std::iter::once(Reason::Needs).chain(ev.causes(c).iter().map(Reason::Cause)).chain(assumed(ev, c)).collect(),
        Status::Eligible => {
            let mut out = vec![Reason::Summary];
            // Notes only (an eligible clause has no failures): e.g. an open fact that may raise it.
            out.extend(ev.causes(c).iter().map(Reason::Cause));
            out.extend(assumed(ev, c));
            if c.amount_max.is_some() {
                // Without a figure, the summary already carries the note.
                out.extend(c.clause.formula_note.as_ref().map(Reason::FormulaNote));
            }
            // Where to apply, for a measure each county sets.
            out.extend(c.clause.applied_locally.as_ref().map(Reason::FormulaNote));
            out.extend(c.clause.interpretations.iter().map(Reason::Interpretation));
            // How the text's limit across years is read (一次性, 单家企业…累计).
            out.extend(c.clause.per_company.as_ref().and_then(|r| r.interpretation()).map(Reason::Interpretation));
            if c.county {
                out.extend(ev.pack_result(&c.pack.id).map(Reason::CountyNote));
            }
            if c.excluded_by.is_some() {
                out.push(Reason::Stacked);
            }
            out
        }
    }
}

pub fn write_reason(w: &mut impl Write, ev: &Evaluation, c: &ClauseResult, r: &Reason, lang: Lang) -> fmt::Result {
    match r {
        Reason::Cause(x) => write_cause(w, ev, c.pack, x, lang),
        Reason::Needs => write_needs(w, ev, c, lang),
        Reason::Summary => write_summary(w, c, lang),
        Reason::FormulaNote(n) => w.write_str(n.get(lang)),
        Reason::Interpretation(i) => write!(w, "{}{}", interpretation_mark(lang), i.get(lang)),
        Reason::CountyNote(pr) => write_pack_note(w, ev, pr, lang),
        Reason::Stacked => write_stacked(w, c, lang),
        Reason::Assumed(fact) => write_assumed(w, c.pack, fact, lang),
        Reason::Standing => {
            if c.pack.unverified {
                w.write_str(t(
                    lang,
                    "【未验证】所依据的政策包导入时没有受信任的签名",
                    "[unverified] the pack this rests on was imported without a trusted signature",
                ))?;
            }
            if c.pack.draft.is_some() {
                let sep = if c.pack.unverified { t(lang, "；", "; ") } else { "" };
                w.write_str(sep)?;
                w.write_str(t(
                    lang,
                    "【征求意见稿】所依据的文件尚未正式印发，内容可能变化",
                    "[draft for comments] the document this rests on is not yet issued in final form and may change",
                ))?;
            }
            Ok(())
        }
    }
}

fn write_assumed(w: &mut impl Write, pack: &Pack, fact: &str, lang: Lang) -> fmt::Result {
    let d = def(pack, fact);
    match lang {
        Lang::Zh => write!(w, "{}未回答“{}”，按“是”计算；如为“否”，本项不符合", interpretation_mark(lang), d.label.get(lang))?,
        Lang::En => write!(
            w,
            "{}“{}” not answered: taken as “yes”; if it is “no”, this clause does not apply",
            interpretation_mark(lang),
            d.label.get(lang)
        )?,
    }
    match &d.source {
        Some(src) => write!(w, "{}{}{}", t(lang, "（", " ("), src.get(lang), t(lang, "）", ")")),
        None => Ok(()),
    }
}

pub fn reason(ev: &Evaluation, c: &ClauseResult, r: &Reason, lang: Lang) -> String {
    to_string(|w| write_reason(w, ev, c, r, lang))
}

pub fn reasons(ev: &Evaluation, c: &ClauseResult, lang: Lang) -> Vec<String> {
    reason_items(ev, c).iter().map(|r| reason(ev, c, r, lang)).collect()
}

/// The one reason to show in a table row: for a clause dropped by stacking,
/// the stacking rule; otherwise the first reason.
pub fn headline(ev: &Evaluation, c: &ClauseResult, lang: Lang) -> String {
    let items = reason_items(ev, c);
    let pick = if c.excluded_by.is_some() { Some(Reason::Stacked) } else { items.first().copied() };
    pick.map(|r| reason(ev, c, &r, lang)).unwrap_or_default()
}

/// Interpretations an eligible clause's figure rests on: the clause's own
/// readings of the text, then each applicant condition taken as "yes".
pub fn interpretations(ev: &Evaluation, c: &ClauseResult, lang: Lang) -> Vec<String> {
    if c.status != Status::Eligible {
        return Vec::new();
    }
    let mut out: Vec<String> = c.clause.interpretations.iter().map(|i| i.get(lang).to_string()).collect();
    out.extend(c.clause.per_company.as_ref().and_then(|r| r.interpretation()).map(|i| i.get(lang).to_string()));
    for r in assumed(ev, c) {
        let text = reason(ev, c, &r, lang);
        // The mark is the caller's to draw (※ in tables and PDFs).
        out.push(text.strip_prefix(interpretation_mark(lang)).map(str::to_string).unwrap_or(text));
    }
    out
}

// ------------------------------------------------------------------ catalogue JSON

/// Renders with a writer function through `Display`, so serde writes the
/// text straight into its output (no intermediate strings).
struct Text<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result>(F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Text<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// The contract's money string: plain digits, exactly two places.
struct Money(Decimal);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut r = round_fen(self.0);
        r.rescale(2);
        s.collect_str(&Plain::new(r))
    }
}

/// The catalogue's JSON for an evaluation, in one language; serializes
/// exactly as the catalogue specifies (key order, money strings, nulls).
pub struct Catalogue<'e, 'a> {
    pub ev: &'e Evaluation<'a>,
    pub lang: Lang,
}

struct PackJson<'e, 'a>(&'e Evaluation<'a>, &'e PackResult<'a>, Lang);
struct ClauseJson<'e, 'a>(&'e Evaluation<'a>, &'e ClauseResult<'a>, Lang, &'e [PackNote<'e>]);

/// A pack that does not apply and its note, rendered once: each of its
/// clauses gives that note as its one reason.
struct PackNote<'e> {
    id: &'e str,
    note: Option<Box<serde_json::value::RawValue>>,
}
struct ReasonsJson<'e, 'a>(&'e Evaluation<'a>, &'e ClauseResult<'a>, Lang);
struct TraceJson<'e, 'a>(&'e Evaluation<'a>, &'e ClauseResult<'a>, Lang);

impl Serialize for Catalogue<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.ev;
        let lang = self.lang;
        // In the order of `Evaluation::pack_result`, which finds a pack by id.
        let notes: Vec<PackNote> = ev
            .packs
            .iter()
            .map(|p| PackNote {
                id: &p.pack.id,
                note: (!p.status.applies())
                    .then(|| {
                        serde_json::value::to_raw_value(&Collect(Text(|f: &mut fmt::Formatter<'_>| write_pack_note(f, ev, p, lang)))).ok()
                    })
                    .flatten(),
            })
            .collect();
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("year", &ev.year)?;
        m.serialize_entry("city", &ev.profile.company.city)?;
        m.serialize_entry("district", &ev.profile.company.district)?;
        m.serialize_entry("packs", &Seq(ev.packs.iter().map(|p| PackJson(ev, p, lang))))?;
        m.serialize_entry("clauses", &Seq(ev.clauses.iter().map(|c| ClauseJson(ev, c, lang, &notes))))?;
        m.serialize_entry("total", &Money(ev.total))?;
        m.serialize_entry("total_max", &Money(ev.total_max))?;
        m.end()
    }
}

/// A sequence serialized from a cloneable iterator.
struct Seq<I>(I);

impl<I: Iterator<Item = T> + Clone, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

impl Serialize for PackJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ev, p, lang) = (self.0, self.1, self.2);
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("id", &p.pack.id)?;
        m.serialize_entry("status", p.status.as_str())?;
        m.serialize_entry("version", &p.pack.version)?;
        // Bundled, or signed by a trusted key (see the catalogue's packs as files).
        m.serialize_entry("verified", &!p.pack.unverified)?;
        // A draft for comments (征求意见稿) and a pack that publishes no figures.
        m.serialize_entry("draft", &p.pack.draft.is_some())?;
        m.serialize_entry("reference_only", &p.pack.reference_only())?;
        // The catalogue's pack entry has no field of its own for the pack-wide
        // rule; it follows the note, once per result.
        let note = |f: &mut fmt::Formatter<'_>| {
            write_pack_note(f, ev, p, lang)?;
            if p.pack.stacking_principle.is_some() && p.status.applies() {
                f.write_str(t(lang, "。", ". "))?;
                write_principle(f, p, lang)?;
            }
            Ok(())
        };
        m.serialize_entry("note", &Collect(Text(note)))?;
        m.end()
    }
}

/// A `Display` value serialized as a JSON string.
struct Collect<D: fmt::Display>(D);

impl<D: fmt::Display> Serialize for Collect<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl Serialize for ClauseJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ev, c, lang) = (self.0, self.1, self.2);
        let mut m = s.serialize_map(Some(9))?;
        m.serialize_entry("id", &c.clause.id)?;
        m.serialize_entry("status", c.status.as_str())?;
        m.serialize_entry("amount", &c.amount.map(Money))?;
        m.serialize_entry("amount_max", &c.amount_max.map(Money))?;
        m.serialize_entry("missing", ev.missing(c))?;
        // A clause of a pack that does not apply: its pack's note, as rendered once.
        let pack_note = match ev.causes(c) {
            [Cause::PackNotApplicable] if c.status == Status::Ineligible => {
                self.3.iter().find(|n| n.id == c.pack.id).and_then(|n| n.note.as_deref())
            }
            _ => None,
        };
        match pack_note {
            Some(note) => m.serialize_entry("reasons", &[note])?,
            None => m.serialize_entry("reasons", &ReasonsJson(ev, c, lang))?,
        }
        m.serialize_entry("citation", &c.clause.citation_json)?;
        m.serialize_entry("trace", &TraceJson(ev, c, lang))?;
        m.serialize_entry("excluded_by", &c.excluded_by.map(|x| x.winner.id.as_str()))?;
        m.end()
    }
}

impl Serialize for ReasonsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ev, c, lang) = (self.0, self.1, self.2);
        let items = reason_items(ev, c);
        let mut seq = s.serialize_seq(Some(items.len()))?;
        for r in &items {
            seq.serialize_element(&Collect(Text(|f: &mut fmt::Formatter<'_>| write_reason(f, ev, c, r, lang))))?;
        }
        seq.end()
    }
}

impl Serialize for TraceJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ev, c, lang) = (self.0, self.1, self.2);
        let steps = ev.trace(c);
        let mut seq = s.serialize_seq(Some(steps.len()))?;
        for st in steps {
            seq.serialize_element(&Collect(Text(|f: &mut fmt::Formatter<'_>| write_step(f, c.pack, st, lang))))?;
        }
        seq.end()
    }
}

/// The catalogue's JSON as a value (for callers that store or embed it).
pub fn to_json(ev: &Evaluation, lang: Lang) -> Value {
    serde_json::to_value(Catalogue { ev, lang }).unwrap_or(Value::Null)
}

impl Catalogue<'_, '_> {
    /// The catalogue JSON written straight into `out`: the very bytes
    /// `serde_json::to_writer` writes for `self`, without serde's work per
    /// key and per string (most of the time of a batch's JSON went there).
    /// The `Serialize` form stays for pretty output and `to_json`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let (ev, lang) = (self.ev, self.lang);
        out.extend_from_slice(b"{\"year\":");
        // Digits only: nothing to escape, no quotes.
        let _ = write!(JsonText(out), "{}", ev.year);
        out.extend_from_slice(b",\"city\":");
        push_str(out, &ev.profile.company.city);
        out.extend_from_slice(b",\"district\":");
        push_str(out, &ev.profile.company.district);
        out.extend_from_slice(b",\"packs\":[");
        // The note of each pack that does not apply, escaped once: each of
        // its clauses gives it as its one reason.
        let mut notes: Vec<(&str, Option<Vec<u8>>)> = Vec::with_capacity(ev.packs.len());
        for (i, p) in ev.packs.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"id\":");
            push_str(out, &p.pack.id);
            out.extend_from_slice(b",\"status\":");
            push_str(out, p.status.as_str());
            out.extend_from_slice(b",\"version\":");
            push_str(out, &p.pack.version);
            out.extend_from_slice(b",\"verified\":");
            push_bool(out, !p.pack.unverified);
            out.extend_from_slice(b",\"draft\":");
            push_bool(out, p.pack.draft.is_some());
            out.extend_from_slice(b",\"reference_only\":");
            push_bool(out, p.pack.reference_only());
            out.extend_from_slice(b",\"note\":");
            let at = out.len();
            push_fmt(out, |w| {
                write_pack_note(w, ev, p, lang)?;
                if p.pack.stacking_principle.is_some() && p.status.applies() {
                    w.write_str(t(lang, "。", ". "))?;
                    write_principle(w, p, lang)?;
                }
                Ok(())
            });
            // Without the principle (a pack that does not apply has none), the note is the clauses' reason.
            notes.push((&p.pack.id, (!p.status.applies()).then(|| out[at..].to_vec())));
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"clauses\":[");
        for (i, c) in ev.clauses.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_clause_json(out, ev, c, lang, &notes);
        }
        out.extend_from_slice(b"],\"total\":");
        push_money(out, ev.total);
        out.extend_from_slice(b",\"total_max\":");
        push_money(out, ev.total_max);
        out.push(b'}');
    }
}

/// One clause of `Catalogue::write_json`; `notes`: see there.
fn write_clause_json(out: &mut Vec<u8>, ev: &Evaluation, c: &ClauseResult, lang: Lang, notes: &[(&str, Option<Vec<u8>>)]) {
    out.extend_from_slice(b"{\"id\":");
    push_str(out, &c.clause.id);
    out.extend_from_slice(b",\"status\":");
    push_str(out, c.status.as_str());
    out.extend_from_slice(b",\"amount\":");
    match c.amount {
        Some(a) => push_money(out, a),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"amount_max\":");
    match c.amount_max {
        Some(a) => push_money(out, a),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"missing\":[");
    for (i, m) in ev.missing(c).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, m);
    }
    out.extend_from_slice(b"],\"reasons\":[");
    let pack_note = match ev.causes(c) {
        [Cause::PackNotApplicable] if c.status == Status::Ineligible => {
            notes.iter().find(|(id, _)| *id == c.pack.id).and_then(|(_, n)| n.as_deref())
        }
        _ => None,
    };
    match pack_note {
        Some(note) => out.extend_from_slice(note),
        None => {
            for (i, r) in reason_items(ev, c).iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_fmt(out, |w| write_reason(w, ev, c, r, lang));
            }
        }
    }
    out.extend_from_slice(b"],\"citation\":");
    out.extend_from_slice(c.clause.citation_json.get().as_bytes());
    out.extend_from_slice(b",\"trace\":[");
    for (i, st) in ev.trace(c).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_fmt(out, |w| write_step(w, c.pack, st, lang));
    }
    out.extend_from_slice(b"],\"excluded_by\":");
    match c.excluded_by {
        Some(x) => push_str(out, &x.winner.id),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

fn push_bool(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// The contract's money string, as `Money` serializes.
fn push_money(out: &mut Vec<u8>, d: Decimal) {
    let mut r = round_fen(d);
    r.rescale(2);
    push_fmt(out, |w| write!(w, "{}", Plain::new(r)));
}

/// A JSON string of `s`.
fn push_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    escape_into(out, s);
    out.push(b'"');
}

/// A JSON string of what `f` writes.
fn push_fmt(out: &mut Vec<u8>, f: impl FnOnce(&mut JsonText) -> fmt::Result) {
    out.push(b'"');
    // Writing into a Vec cannot fail.
    let _ = f(&mut JsonText(out));
    out.push(b'"');
}

/// Text written into a JSON string, escaped as it goes.
struct JsonText<'o>(&'o mut Vec<u8>);

impl Write for JsonText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

/// `s` escaped exactly as serde_json escapes a string: `"`, `\` and the
/// control characters, nothing else.
fn escape_into(out: &mut Vec<u8>, s: &str) {
    const ONES: u64 = u64::MAX / 255;
    // Whether any of eight bytes needs escaping (no false negatives).
    let any_special = |w: u64| {
        let ctrl = w.wrapping_sub(ONES * 0x20) & !w;
        let q = w ^ (ONES * u64::from(b'"'));
        let bs = w ^ (ONES * u64::from(b'\\'));
        (ctrl | (q.wrapping_sub(ONES) & !q) | (bs.wrapping_sub(ONES) & !bs)) & (ONES << 7) != 0
    };
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // Most text has nothing to escape: eight bytes at a time.
        if let Some(chunk) = bytes.get(i..i + 8) {
            if !any_special(u64::from_le_bytes(chunk.try_into().unwrap_or_default())) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x20 || b == b'"' || b == b'\\' {
            out.extend_from_slice(&bytes[start..i]);
            let hex = b"0123456789abcdef";
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x09 => out.extend_from_slice(b"\\t"),
                0x0A => out.extend_from_slice(b"\\n"),
                0x0C => out.extend_from_slice(b"\\f"),
                0x0D => out.extend_from_slice(b"\\r"),
                _ => out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex[usize::from(b >> 4)], hex[usize::from(b & 0xF)]]),
            }
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
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
                Lang::Zh => format!("{title}：{}{}，目前 {now}", d.label.get(lang), MustBe(cmp.term, th)),
                Lang::En => format!("{title}: {} must be {} {th}; now {now}", d.label.get(lang), op_words(cmp.op)),
            }
        }
    }
}

// ------------------------------------------------------------------ pack changes

/// One change between two versions of a pack as a line: `版本：A → B`,
/// `删除条款 id（title）`, `id title：计算方式 · 封顶 old → new`…
pub fn pack_change_line(c: &PackChange, old: &Pack, new: &Pack, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let title = |p: &Pack, id: &str| p.clause(id).map(|c| c.title.get(lang).to_string()).unwrap_or_default();
    let label = |p: &Pack, key: &str| p.facts.get(key).map(|d| d.label.get(lang).to_string()).unwrap_or_default();
    let pack = t(lang, "政策包：", "pack: ");
    match c {
        PackChange::OtherPack { old, new } if zh => format!("注意：两个文件是不同的政策包（{old} 与 {new}）"),
        PackChange::OtherPack { old, new } => format!("note: two different packs ({old} and {new})"),
        PackChange::Version { old, new } => format!("{}{old} → {new}", t(lang, "版本：", "version: ")),
        PackChange::Term { old: (a, b), new: (c, d) } if zh => format!("有效期：{a} 至 {b} → {c} 至 {d}"),
        PackChange::Term { old: (a, b), new: (c, d) } => format!("in force: {a} to {b} → {c} to {d}"),
        PackChange::Rule { part, edit } => format!("{pack}{}", edit_words(Some(pack_part_word(*part, lang)), edit, lang)),
        PackChange::FactAdded { key } if zh => format!("{pack}新增数据项 {key}（{}）", label(new, key)),
        PackChange::FactAdded { key } => format!("{pack}fact added: {key} ({})", label(new, key)),
        PackChange::FactRemoved { key } if zh => format!("{pack}删除数据项 {key}（{}）", label(old, key)),
        PackChange::FactRemoved { key } => format!("{pack}fact removed: {key} ({})", label(old, key)),
        PackChange::Fact { key, edit } => {
            format!("{pack}{} · {key} · {}", t(lang, "数据项", "fact"), edit_words(None, edit, lang))
        }
        PackChange::ClauseRemoved { id } if zh => format!("删除条款 {id}（{}）", title(old, id)),
        PackChange::ClauseRemoved { id } => format!("clause removed: {id} ({})", title(old, id)),
        PackChange::ClauseAdded { id } if zh => format!("新增条款 {id}（{}）", title(new, id)),
        PackChange::ClauseAdded { id } => format!("clause added: {id} ({})", title(new, id)),
        PackChange::Clause { id, field, edit } => {
            format!("{id} {}{}{}", title(new, id), t(lang, "：", ": "), edit_words(Some(clause_field_word(*field, lang)), edit, lang))
        }
    }
}

/// Every change between two versions of a pack, one line each.
pub fn diff_lines(old: &Pack, new: &Pack, lang: Lang) -> Vec<String> {
    crate::diff::pack_changes(old, new).iter().map(|c| pack_change_line(c, old, new, lang)).collect()
}

/// `field · part · part old → new`; "—" for a value not there.
fn edit_words(field: Option<&str>, e: &Edit, lang: Lang) -> String {
    let words: Vec<Cow<str>> = field.map(Cow::Borrowed).into_iter().chain(e.at.iter().map(|p| segment_word(p, lang))).collect();
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_string());
    format!("{} {} → {}", words.join(" · "), shown(&e.old), shown(&e.new))
}

fn pack_part_word(p: PackPart, lang: Lang) -> &'static str {
    use PackPart as P;
    let (zh, en) = match p {
        P::Title => ("名称", "title"),
        P::Document => ("文件", "document"),
        P::Issuer => ("发文机关", "issuer"),
        P::Issued => ("发文日期", "issued"),
        P::SourceFile => ("原文文件", "source file"),
        P::ValidityQuote => ("有效期原文", "validity quote"),
        P::ValidityInterpretation => ("有效期解释", "validity interpretation"),
        P::City => ("城市", "city"),
        P::Draft => ("征求意见稿", "draft"),
        P::Cities => ("适用城市", "cities"),
        P::CityCodes => ("城市代码", "city codes"),
        P::Regions => ("适用区县", "regions"),
        P::RegionsQuote => ("适用地区原文", "regions quote"),
        P::CountyNote => ("县市说明", "county note"),
        P::NamesEn => ("英文地名", "English place names"),
        P::MaterialsEn => ("材料英文名", "English material names"),
        P::DistrictCodes => ("区县代码", "district codes"),
        P::DistrictAliases => ("区县别名", "district aliases"),
        P::Exclusion => ("排除条件", "exclusion"),
        P::ExclusionQuote => ("排除条件原文", "exclusion quote"),
        P::ExclusionReason => ("排除理由", "exclusion reason"),
        P::StackingPrinciple => ("叠加原则", "stacking principle"),
        P::Application => ("申报说明", "application"),
        P::SharedMaterials => ("通用材料", "shared materials"),
        P::Topics => ("主题", "topics"),
        P::Stacking => ("叠加规则", "stacking"),
    };
    t(lang, zh, en)
}

fn clause_field_word(f: ClauseField, lang: Lang) -> &'static str {
    use ClauseField as F;
    let (zh, en) = match f {
        F::Title => ("名称", "title"),
        F::Place => ("位置", "place"),
        F::PlaceEn => ("英文位置", "place en"),
        F::Quote => ("原文", "quote"),
        F::Frequency => ("频次", "frequency"),
        F::Attachments => ("申报材料", "attachments"),
        F::Interpretations => ("解释", "interpretations"),
        F::Conditions => ("条件", "conditions"),
        F::Formula => ("计算方式", "formula"),
        F::Figure => ("金额性质", "figure"),
        F::FormulaNote => ("计算说明", "formula note"),
        F::AppliedLocally => ("向县市申请", "applied for locally"),
        F::Applicant => ("申报主体", "applicant"),
        F::PerCompany => ("每家企业限额", "per company"),
        F::Cities => ("适用城市", "cities"),
        F::Monetary => ("涉及资金", "monetary"),
    };
    t(lang, zh, en)
}

/// Words for a step of a change's path.
fn segment_word(p: &Segment, lang: Lang) -> Cow<'_, str> {
    use Segment as P;
    let (zh, en) = match p {
        P::Index(n) => return Cow::Owned(format!("[{n}]")),
        P::Key(k) => return Cow::Borrowed(k),
        P::Zh => ("zh", "zh"),
        P::En => ("en", "en"),
        P::All => ("同时满足", "all"),
        P::Any => ("满足其一", "any"),
        P::Cases => ("分情形", "cases"),
        P::Fact => ("数据项", "fact"),
        P::Prev => ("上期数据项", "growth over"),
        P::Op => ("比较", "op"),
        P::Term => ("法律用语", "term"),
        P::Value => ("门槛", "value"),
        P::Values => ("可选值", "values"),
        P::WhenKnown => ("仅在已填写时检查", "when known"),
        P::Amount => ("金额", "amount"),
        P::Base => ("基数", "base"),
        P::Whole => ("总额", "whole"),
        P::Rate => ("比例", "rate"),
        P::Cap => ("封顶", "cap"),
        P::CapQuote => ("封顶原文", "cap quote"),
        P::Tiers => ("档次", "tiers"),
        P::From => ("门槛", "from"),
        P::Table => ("金额表", "table"),
        P::Parts => ("组成部分", "parts"),
        P::When => ("条件", "when"),
        P::List => ("列表", "list"),
        P::ItemConditions => ("单项条件", "item conditions"),
        P::Field => ("字段", "field"),
        P::ItemBase => ("单项基数", "item base"),
        P::ItemCap => ("单项封顶", "item cap"),
        P::ItemCapQuote => ("单项封顶原文", "item cap quote"),
        P::Quote => ("原文", "quote"),
        P::Place => ("位置", "place"),
        P::PlaceEn => ("英文位置", "place en"),
        P::Interpretation => ("解释", "interpretation"),
        P::Summary => ("概述", "summary"),
        P::Note => ("说明", "note"),
        P::Clauses => ("条款", "clauses"),
        P::Kind => ("类型", "type"),
        P::Unit => ("单位", "unit"),
        P::Label => ("名称", "label"),
        P::Help => ("填写说明", "help"),
        P::Topic => ("主题", "topic"),
        P::Options => ("选项", "options"),
        P::OptionOrder => ("选项顺序", "option order"),
        P::Fields => ("字段", "fields"),
        P::ReadAs => ("旧字段换算", "read as"),
        P::By => ("依据选项", "by"),
        P::To => ("对应", "to"),
        P::Source => ("出处", "source"),
        P::PartOf => ("所属总额", "part of"),
        P::PreviousYearOf => ("上年对应", "previous year of"),
        P::CarriesOver => ("跨年沿用", "carries over"),
        P::Within => ("不应超过", "expected within"),
    };
    Cow::Borrowed(t(lang, zh, en))
}

// ------------------------------------------------------------------ batch rows

/// A batch row's compact JSON (`butie batch --out x.jsonl`), for screening
/// many companies: `row` and `uscc`, then the evaluation with each pack a
/// status line (its version and whether it is verified only where it
/// applies), the clauses of the packs that apply with status and figures,
/// and a field only when it holds something (`amount` and `amount_max` when
/// not null, `missing` when not empty, `excluded_by` when set). (With
/// `--explain` a row is the whole catalogue JSON, from [`Catalogue`].)
pub struct BatchRow<'e, 'a> {
    pub row: u32,
    pub uscc: Option<&'e str>,
    pub ev: &'e Evaluation<'a>,
}

struct CompactPack<'e, 'a>(&'e PackResult<'a>);
struct CompactClause<'e, 'a>(&'e Evaluation<'a>, &'e ClauseResult<'a>);

impl Serialize for BatchRow<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.ev;
        let mut m = s.serialize_map(Some(9))?;
        m.serialize_entry("row", &self.row)?;
        m.serialize_entry("uscc", &self.uscc)?;
        m.serialize_entry("year", &ev.year)?;
        m.serialize_entry("city", &ev.profile.company.city)?;
        m.serialize_entry("district", &ev.profile.company.district)?;
        m.serialize_entry("packs", &Seq(ev.packs.iter().map(CompactPack)))?;
        let applies = |c: &&ClauseResult| ev.packs.iter().any(|p| std::ptr::eq(p.pack, c.pack) && p.status.applies());
        m.serialize_entry("clauses", &Seq(ev.clauses.iter().filter(applies).map(|c| CompactClause(ev, c))))?;
        m.serialize_entry("total", &Money(ev.total))?;
        m.serialize_entry("total_max", &Money(ev.total_max))?;
        m.end()
    }
}

impl Serialize for CompactPack<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &p.pack.id)?;
        m.serialize_entry("status", p.status.as_str())?;
        if p.status.applies() {
            m.serialize_entry("version", &p.pack.version)?;
            m.serialize_entry("verified", &!p.pack.unverified)?;
            if p.pack.draft.is_some() {
                m.serialize_entry("draft", &true)?;
            }
            if p.pack.reference_only() {
                m.serialize_entry("reference_only", &true)?;
            }
        }
        m.end()
    }
}

impl Serialize for CompactClause<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ev, c) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &c.clause.id)?;
        m.serialize_entry("status", c.status.as_str())?;
        if let Some(a) = c.amount {
            m.serialize_entry("amount", &Money(a))?;
        }
        if let Some(a) = c.amount_max {
            m.serialize_entry("amount_max", &Money(a))?;
        }
        let missing = ev.missing(c);
        if !missing.is_empty() {
            m.serialize_entry("missing", missing)?;
        }
        if let Some(x) = c.excluded_by {
            m.serialize_entry("excluded_by", &x.winner.id)?;
        }
        m.end()
    }
}

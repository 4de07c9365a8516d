//! Rule evaluation: a profile and a year against the packs, clause by clause.
//!
//! Conditions use three-valued logic: a condition holds, fails, or cannot be
//! decided because a fact is missing. A clause is `ineligible` when any
//! condition definitely fails (even if other facts are missing: the user
//! learns the real obstacle first), `needs_input` when nothing fails but facts
//! are missing, and `eligible` otherwise.

use crate::money::{fmt_percent, fmt_yuan, round_fen, Grouped};
use crate::policy::{Clause, Condition, FactDef, FactKind, Figure, Formula, Lang, Op, Pack, RegionRole};
use crate::profile::{FactValue, Profile};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    Ineligible,
    NeedsInput,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::NeedsInput => "needs_input",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackStatus {
    Applies,
    NotInForce,
    OtherCity,
    CountyReference,
}

impl PackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PackStatus::Applies => "applies",
            PackStatus::NotInForce => "not_in_force",
            PackStatus::OtherCity => "other_city",
            PackStatus::CountyReference => "county_reference",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PackResult {
    pub id: String,
    pub version: String,
    pub content_hash: String,
    pub status: PackStatus,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClauseResult {
    pub id: String,
    pub pack: String,
    pub status: Status,
    pub amount: Option<Decimal>,
    pub amount_max: Option<Decimal>,
    pub missing: Vec<String>,
    pub reasons: Vec<String>,
    pub citation: String,
    pub trace: Vec<String>,
    pub excluded_by: Option<String>,
    /// Interpretations this clause's figure rests on (also in `reasons`).
    pub interpretations: Vec<String>,
}

impl ClauseResult {
    /// Counts towards the totals.
    pub fn counts(&self) -> bool {
        self.status == Status::Eligible && self.excluded_by.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub year: i32,
    pub city: String,
    pub district: String,
    pub packs: Vec<PackResult>,
    pub clauses: Vec<ClauseResult>,
    pub total: Decimal,
    pub total_max: Decimal,
}

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
fn show_threshold(def: &FactDef, d: Decimal, lang: Lang) -> Shown<'_> {
    Shown { kind: def.kind, unit: &def.unit, value: Grouped::number(d), lang }
}

/// An amount in 元 with two places, grouped.
#[derive(Clone, Copy)]
struct Yuan(Grouped, Lang);

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, t(self.1, "元", "yuan"))
    }
}

fn yuan(d: Decimal, lang: Lang) -> Yuan {
    Yuan(Grouped::yuan(d), lang)
}

fn term_note(op: Op, term: &str, lang: Lang) -> String {
    let inclusive = matches!(op, Op::Ge | Op::Le);
    match (lang, inclusive) {
        (Lang::Zh, true) => format!("“{term}”含本数"),
        (Lang::Zh, false) => format!("“{term}”不含本数"),
        (Lang::En, true) => format!("“{term}” includes the number"),
        (Lang::En, false) => format!("“{term}” excludes the number"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tri {
    Holds,
    Fails,
    Unknown,
}

struct Acc {
    trace: Vec<String>,
    fails: Vec<String>,
    missing: Vec<String>,
    notes: Vec<String>,
}

impl Acc {
    fn new() -> Self {
        Acc { trace: Vec::new(), fails: Vec::new(), missing: Vec::new(), notes: Vec::new() }
    }
    fn need(&mut self, key: &str) {
        if !self.missing.iter().any(|m| m == key) {
            self.missing.push(key.to_string());
        }
    }
    fn absorb(&mut self, other: Acc, outcome: Tri) {
        match outcome {
            Tri::Holds => self.trace.extend(other.trace),
            Tri::Fails => self.fails.extend(other.fails),
            Tri::Unknown => {
                self.trace.extend(other.trace);
                for m in other.missing {
                    self.need(&m);
                }
                self.notes.extend(other.notes);
            }
        }
    }
}

struct Ctx<'a> {
    pack: &'a Pack,
    profile: &'a Profile,
    lang: Lang,
}

impl Ctx<'_> {
    fn def(&self, key: &str) -> &FactDef {
        // Compiled packs only reference facts they define.
        &self.pack.facts[key]
    }
    fn label(&self, key: &str) -> &str {
        self.def(key).label.get(self.lang)
    }
    fn num(&self, key: &str, acc: &mut Acc) -> Option<Decimal> {
        match self.profile.facts.get(key) {
            Some(FactValue::Num(d)) => Some(*d),
            _ => {
                acc.need(key);
                None
            }
        }
    }

    fn cond(&self, c: &Condition, acc: &mut Acc) -> Tri {
        let lang = self.lang;
        match c {
            Condition::All { all } => self.all(all, acc),
            Condition::Any { any } => {
                let mut unknown = Vec::new();
                let mut failed = Acc::new();
                for c in any {
                    let mut sub = Acc::new();
                    match self.cond(c, &mut sub) {
                        Tri::Holds => {
                            acc.absorb(sub, Tri::Holds);
                            return Tri::Holds;
                        }
                        Tri::Unknown => unknown.push(sub),
                        Tri::Fails => failed.fails.extend(sub.fails),
                    }
                }
                if unknown.is_empty() {
                    acc.absorb(failed, Tri::Fails);
                    Tri::Fails
                } else {
                    for sub in unknown {
                        acc.absorb(sub, Tri::Unknown);
                    }
                    Tri::Unknown
                }
            }
            Condition::Switch { fact, cases } => {
                let def = self.def(fact);
                match self.profile.facts.get(fact.as_str()) {
                    Some(FactValue::Enum(v)) => {
                        let opt = def.options.get(v).map(|o| o.get(lang)).unwrap_or(v);
                        match cases.get(v) {
                            Some(conds) => {
                                acc.trace.push(format!("✓ {}: {opt}", def.label.get(lang)));
                                self.all(conds, acc)
                            }
                            None => {
                                acc.fails.push(format!(
                                    "{}: {opt}{}",
                                    def.label.get(lang),
                                    t(lang, "，不在本条适用范围内", " is not covered by this clause")
                                ));
                                Tri::Fails
                            }
                        }
                    }
                    _ => {
                        acc.need(fact);
                        Tri::Unknown
                    }
                }
            }
            Condition::IsTrue { fact } => match self.profile.facts.get(fact.as_str()) {
                Some(FactValue::Bool(true)) => {
                    acc.trace.push(format!("✓ {}: {}", self.label(fact), t(lang, "是", "yes")));
                    Tri::Holds
                }
                Some(_) => {
                    acc.fails.push(format!("{}: {}", self.label(fact), t(lang, "否", "no")));
                    Tri::Fails
                }
                None => {
                    acc.need(fact);
                    Tri::Unknown
                }
            },
            Condition::OneOf { fact, values } => match self.profile.facts.get(fact.as_str()) {
                Some(FactValue::Enum(v)) => {
                    let def = self.def(fact);
                    let opt = def.options.get(v).map(|o| o.get(lang)).unwrap_or(v);
                    if values.contains(v) {
                        acc.trace.push(format!("✓ {}: {opt}", def.label.get(lang)));
                        Tri::Holds
                    } else {
                        let allowed: Vec<&str> = values.iter().map(|x| def.options.get(x).map(|o| o.get(lang)).unwrap_or(x)).collect();
                        acc.fails.push(format!(
                            "{}: {opt}{}{}",
                            def.label.get(lang),
                            t(lang, "，本条只适用于：", "; this clause covers only: "),
                            allowed.join(t(lang, "、", ", "))
                        ));
                        Tri::Fails
                    }
                }
                _ => {
                    acc.need(fact);
                    Tri::Unknown
                }
            },
            Condition::Compare { fact, op, term, value } => {
                let Some(v) = self.num(fact, acc) else { return Tri::Unknown };
                let def = self.def(fact);
                let shown = show_value(def, v, lang);
                let th = show_threshold(def, *value, lang);
                if op.holds(v, *value) {
                    acc.trace.push(format!("✓ {} {shown} {} {th}（{}）", def.label.get(lang), op.symbol(), term_note(*op, term, lang)));
                    Tri::Holds
                } else {
                    acc.fails.push(compare_failure(def, v, *op, term, *value, lang));
                    Tri::Fails
                }
            }
            Condition::Growth { fact, prev, op, term, rate } => {
                let v = self.num(fact, acc);
                let p = self.num(prev, acc);
                let (Some(v), Some(p)) = (v, p) else { return Tri::Unknown };
                let def = self.def(fact);
                if p.is_zero() {
                    acc.need(prev);
                    acc.notes.push(format!(
                        "{}{}",
                        self.label(prev),
                        t(
                            lang,
                            "为 0，同比增长率无法计算；请核对上年数据",
                            " is 0, so year-on-year growth cannot be computed; check last year's figure"
                        )
                    ));
                    return Tri::Unknown;
                }
                let growth = v - p;
                let needed = *rate * p;
                let pct = if p.is_zero() { Decimal::ZERO } else { (growth / p * Decimal::from(100)).round_dp(2) };
                let line = format!(
                    "{} {} − {} {} = {}；{} × {} = {}；{} {}%（{}）",
                    def.label.get(lang),
                    show_value(def, v, lang),
                    self.label(prev),
                    show_value(self.def(prev), p, lang),
                    show_value(def, growth, lang),
                    fmt_percent(*rate),
                    show_value(self.def(prev), p, lang),
                    show_value(def, needed, lang),
                    t(lang, "同比增长", "growth"),
                    pct.normalize(),
                    term_note(*op, term, lang),
                );
                if op.holds(growth, needed) {
                    acc.trace.push(format!("✓ {line}"));
                    Tri::Holds
                } else {
                    acc.fails.push(format!(
                        "{}{}{}{}: {line}",
                        t(lang, "同比增长未达到", "growth is below "),
                        fmt_percent(*rate),
                        term,
                        t(lang, "", " required")
                    ));
                    Tri::Fails
                }
            }
        }
    }

    fn all(&self, conds: &[Condition], acc: &mut Acc) -> Tri {
        let mut sub = Acc::new();
        let mut out = Tri::Holds;
        for c in conds {
            match self.cond(c, &mut sub) {
                Tri::Fails => out = Tri::Fails,
                Tri::Unknown if out == Tri::Holds => out = Tri::Unknown,
                _ => {}
            }
        }
        acc.absorb(sub, out);
        out
    }
}

fn compare_failure(def: &FactDef, v: Decimal, op: Op, term: &str, th: Decimal, lang: Lang) -> String {
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

/// What a formula yields before status is decided.
enum Outcome {
    Figure { amount: Option<Decimal>, amount_max: Option<Decimal> },
    NoFigure,
    Fails,
    Missing,
}

fn apply_cap(raw: Decimal, cap: Option<Decimal>) -> Decimal {
    match cap {
        Some(c) if raw > c => c,
        _ => raw,
    }
}

fn eval_formula(cx: &Ctx, clause: &Clause, acc: &mut Acc) -> Outcome {
    let lang = cx.lang;
    let capped = |acc: &mut Acc, raw: Decimal, cap: Option<Decimal>, quote: &str| -> Decimal {
        let v = apply_cap(raw, cap);
        if let Some(c) = cap {
            let q = if quote.is_empty() { String::new() } else { format!("（“{quote}”）") };
            if raw > c {
                acc.trace.push(format!(
                    "{} {} {q}→ min({}, {}) = {}",
                    t(lang, "封顶", "cap"),
                    yuan(c, lang),
                    Grouped::yuan(raw),
                    Grouped::yuan(c),
                    yuan(c, lang)
                ));
            } else {
                acc.trace.push(format!("{} {} {q}{}", t(lang, "上限", "cap"), yuan(c, lang), t(lang, "，未触及上限", ", not reached")));
            }
        }
        v
    };
    match &clause.formula {
        Formula::None => Outcome::NoFigure,
        Formula::Fixed { amount } => {
            let line = match clause.figure {
                Figure::Exact => format!("{} {}", t(lang, "定额", "fixed amount"), yuan(*amount, lang)),
                Figure::Ceiling => format!("{} {}", t(lang, "最高", "at most"), yuan(*amount, lang)),
            };
            acc.trace.push(line);
            Outcome::Figure { amount: Some(*amount), amount_max: Some(*amount) }
        }
        Formula::Rate { base, rate, cap, cap_quote } => {
            let Some(b) = cx.num(base, acc) else { return Outcome::Missing };
            let def = cx.def(base);
            if b.is_zero() {
                acc.fails.push(format!("{} {}", def.label.get(lang), t(lang, "为 0，没有可计算的基数", "is 0: nothing to compute on")));
                return Outcome::Fails;
            }
            let raw = *rate * b;
            acc.trace.push(format!(
                "{} × {} = {} × {} = {}",
                def.label.get(lang),
                fmt_percent(*rate),
                show_value(def, b, lang),
                fmt_percent(*rate),
                show_value(def, raw, lang),
            ));
            let v = capped(acc, raw, *cap, cap_quote);
            Outcome::Figure { amount: Some(v), amount_max: Some(v) }
        }
        Formula::Tiers { fact, op, term, tiers } => {
            let Some(v) = cx.num(fact, acc) else { return Outcome::Missing };
            let def = cx.def(fact);
            let hit = tiers.iter().rev().find(|tier| op.holds(v, tier.from));
            let ladder: Vec<String> = tiers
                .iter()
                .map(|tier| format!("{}{} → {}", term, show_threshold(def, tier.from, lang), yuan(tier.amount, lang)))
                .collect();
            match hit {
                Some(tier) => {
                    acc.trace.push(format!(
                        "{} {}：{} {} {}（{}）→ {}",
                        def.label.get(lang),
                        show_value(def, v, lang),
                        t(lang, "适用档位", "tier"),
                        op.symbol(),
                        show_threshold(def, tier.from, lang),
                        term_note(*op, term, lang),
                        yuan(tier.amount, lang)
                    ));
                    acc.trace.push(format!("{}: {}", t(lang, "档位表", "tiers"), ladder.join("；")));
                    Outcome::Figure { amount: Some(tier.amount), amount_max: Some(tier.amount) }
                }
                None => {
                    acc.fails.push(compare_failure(def, v, *op, term, tiers[0].from, lang));
                    Outcome::Fails
                }
            }
        }
        Formula::Lookup { fact, table } => match cx.profile.facts.get(fact.as_str()) {
            Some(FactValue::Enum(v)) => {
                let def = cx.def(fact);
                let opt = def.options.get(v).map(|o| o.get(lang)).unwrap_or(v);
                match table.get(v) {
                    Some(a) => {
                        acc.trace.push(format!("{}: {opt} → {}", def.label.get(lang), yuan(*a, lang)));
                        Outcome::Figure { amount: Some(*a), amount_max: Some(*a) }
                    }
                    None => {
                        acc.fails.push(format!("{}: {opt}{}", def.label.get(lang), t(lang, "，本条无对应奖励", ": no award for this")));
                        Outcome::Fails
                    }
                }
            }
            _ => {
                acc.need(fact);
                Outcome::Missing
            }
        },
        Formula::Items { list, conditions, base, rate, item_cap, item_cap_quote, cap, cap_quote } => {
            let def = cx.def(list);
            let items = match cx.profile.facts.get(list.as_str()) {
                Some(FactValue::List(items)) => items,
                _ => {
                    acc.need(list);
                    return Outcome::Missing;
                }
            };
            let mut sum = Decimal::ZERO;
            let mut counted = 0usize;
            for (i, item) in items.iter().enumerate() {
                let n = i + 1;
                let mut failed = None;
                for c in conditions {
                    let fdef = &def.fields[&c.field];
                    let v = item.get(&c.field).copied().unwrap_or_default();
                    if !c.op.holds(v, c.value) {
                        failed = Some(compare_failure(fdef, v, c.op, &c.term, c.value, lang));
                        break;
                    }
                }
                let bdef = &def.fields[base];
                let b = item.get(base).copied().unwrap_or_default();
                if let Some(why) = failed {
                    acc.trace.push(format!("#{n}: {}（{why}）", t(lang, "不计", "not counted")));
                    continue;
                }
                let raw = *rate * b;
                let one = apply_cap(raw, *item_cap);
                let capnote = match item_cap {
                    Some(c) if raw > *c => format!(" → {} {}", t(lang, "单项封顶", "item cap"), yuan(*c, lang)),
                    _ => String::new(),
                };
                acc.trace.push(format!(
                    "#{n}: {} {} × {} = {}{capnote}",
                    bdef.label.get(lang),
                    show_value(bdef, b, lang),
                    fmt_percent(*rate),
                    show_value(bdef, raw, lang),
                ));
                sum += one;
                counted += 1;
            }
            if counted == 0 {
                let why = if items.is_empty() {
                    format!("{}{}", def.label.get(lang), t(lang, "：没有任何一项", ": none listed"))
                } else {
                    format!("{}{}", def.label.get(lang), t(lang, "：没有符合条件的一项", ": no item qualifies"))
                };
                acc.fails.push(why);
                return Outcome::Fails;
            }
            if let Some(c) = item_cap {
                if !item_cap_quote.is_empty() {
                    acc.trace.push(format!("{} {}（“{item_cap_quote}”）", t(lang, "单项上限", "per-item cap"), yuan(*c, lang)));
                }
            }
            acc.trace
                .push(format!("{} {} {}", t(lang, "合计", "sum of"), counted, t(lang, "项", "items")) + &format!(" = {}", yuan(sum, lang)));
            let v = capped(acc, sum, *cap, cap_quote);
            Outcome::Figure { amount: Some(v), amount_max: Some(v) }
        }
    }
}

fn pack_status(pack: &Pack, profile: &Profile, year: i32, lang: Lang) -> (PackStatus, String) {
    let c = &profile.company;
    if c.city != pack.city {
        let note = match lang {
            Lang::Zh => format!("本政策只适用于{}，企业注册地为{}", pack.city, c.city),
            Lang::En => format!("this policy covers {} only; the company is in {}", pack.city, c.city),
        };
        return (PackStatus::OtherCity, note);
    }
    let interp = pack
        .validity_interpretation
        .as_ref()
        .map(|i| format!("【{}】{}", t(lang, "解释", "interpretation"), i.get(lang)))
        .unwrap_or_default();
    if year < pack.valid_from.y || year > pack.valid_to.y {
        let note = match lang {
            Lang::Zh => format!("本政策有效期为 {} 至 {}，{year} 年度不在有效期内{interp}", pack.valid_from, pack.valid_to),
            Lang::En => format!("this policy is in force from {} to {}; {year} is outside it{interp}", pack.valid_from, pack.valid_to),
        };
        return (PackStatus::NotInForce, note);
    }
    let partial = if year == pack.valid_from.y && (pack.valid_from.m, pack.valid_from.d) != (1, 1) {
        match lang {
            Lang::Zh => format!("；{year} 年度自 {} 起适用", pack.valid_from),
            Lang::En => format!("; in {year} it applies from {}", pack.valid_from),
        }
    } else {
        String::new()
    };
    match pack.region_role(&c.district) {
        Some(RegionRole::Applies) => {
            let note = match lang {
                Lang::Zh => format!("适用：{}{}，有效期 {} 至 {}{partial}{interp}", c.city, c.district, pack.valid_from, pack.valid_to),
                Lang::En => {
                    format!("applies: {} {}, in force {} to {}{partial}{interp}", c.city, c.district, pack.valid_from, pack.valid_to)
                }
            };
            (PackStatus::Applies, note)
        }
        Some(RegionRole::CountyReference) => {
            let extra = pack.county_note.as_ref().map(|n| n.get(lang).to_string()).unwrap_or_default();
            let note = match lang {
                Lang::Zh => format!("{}属参照执行地区：以下金额按市区标准估算，实际由当地确定。{extra}", c.district),
                Lang::En => format!(
                    "{} follows the policy by reference: figures use the city-district rates; the county decides. {extra}",
                    c.district
                ),
            };
            (PackStatus::CountyReference, note)
        }
        None => {
            let note = match lang {
                Lang::Zh => format!("{}不在本政策执行范围内（{}）", c.district, pack.regions_quote),
                Lang::En => format!("{} is outside this policy's area ({})", c.district, pack.regions_quote),
            };
            (PackStatus::OtherCity, note)
        }
    }
}

fn summary(figure: Figure, amount: Option<Decimal>, amount_max: Option<Decimal>, county: bool, lang: Lang) -> String {
    let s = match (figure, amount, amount_max) {
        (Figure::Exact, Some(a), _) => match lang {
            Lang::Zh => format!("符合条件，测算可得 {}（{} 万元）", yuan(a, lang), crate::money::fmt_wan(a)),
            Lang::En => format!("eligible: estimated award {}", yuan(a, lang)),
        },
        (_, _, Some(m)) => match lang {
            Lang::Zh => format!("符合条件，最高可得 {}（{} 万元），实际金额由主管部门核定", yuan(m, lang), crate::money::fmt_wan(m)),
            Lang::En => format!("eligible: at most {}; the department sets the actual amount", yuan(m, lang)),
        },
        _ => t(lang, "符合条件，政策未公布金额，由主管部门核定", "eligible: the policy publishes no figure; the department decides")
            .to_string(),
    };
    if county {
        format!("{s}{}", t(lang, "（县市参照执行，以当地为准）", " (county follows by reference; local rules decide)"))
    } else {
        s
    }
}

fn evaluate_clause(cx: &Ctx, clause: &Clause, county: bool) -> ClauseResult {
    let lang = cx.lang;
    let pack = cx.pack;
    let mut acc = Acc::new();
    // Exclusion list first: a listed company gets nothing from the pack.
    let mut excluded = false;
    if let Some(flag) = &pack.exclusion_flag {
        match cx.profile.company.serious_dishonesty_listed {
            Some(true) => {
                acc.fails.push(pack.exclusion_reason.get(lang).to_string());
                excluded = true;
            }
            Some(false) => {}
            None => acc.need(flag),
        }
    }
    let mut outcome = Outcome::NoFigure;
    if !excluded {
        let cond = cx.all(&clause.conditions, &mut acc);
        outcome = eval_formula(cx, clause, &mut acc);
        let _ = cond;
    }
    let interpretations: Vec<String> = clause.interpretations.iter().map(|i| i.get(lang).to_string()).collect();
    let mut r = ClauseResult {
        id: clause.id.clone(),
        pack: pack.id.clone(),
        status: Status::Eligible,
        amount: None,
        amount_max: None,
        missing: Vec::new(),
        reasons: Vec::new(),
        citation: clause.citation.clone(),
        trace: Vec::new(),
        excluded_by: None,
        interpretations: Vec::new(),
    };
    if !acc.fails.is_empty() || matches!(outcome, Outcome::Fails) {
        r.status = Status::Ineligible;
        r.reasons = acc.fails;
        r.trace = acc.trace;
        return r;
    }
    if !acc.missing.is_empty() || matches!(outcome, Outcome::Missing) {
        r.status = Status::NeedsInput;
        let labels: Vec<String> = acc
            .missing
            .iter()
            .map(|k| match pack.facts.get(k) {
                Some(d) => d.label.get(lang).to_string(),
                None if Some(k) == pack.exclusion_flag.as_ref() => {
                    t(lang, "是否列入严重失信名单", "whether listed as seriously dishonest").to_string()
                }
                None => k.clone(),
            })
            .collect();
        r.reasons.push(format!("{}{}", t(lang, "需要补充：", "needs: "), labels.join(t(lang, "、", ", "))));
        r.reasons.extend(acc.notes);
        r.missing = acc.missing;
        r.trace = acc.trace;
        return r;
    }
    r.trace = acc.trace;
    match outcome {
        Outcome::Figure { amount, amount_max } => {
            let amount = amount.map(round_fen);
            let amount_max = amount_max.map(round_fen);
            let (a, m) = match clause.figure {
                Figure::Exact => (amount, amount_max),
                Figure::Ceiling => (None, amount_max),
            };
            if let Some(m) = m {
                r.trace.push(match (clause.figure, lang) {
                    (Figure::Exact, Lang::Zh) => format!("= {}（四舍五入到分）", yuan(m, lang)),
                    (Figure::Exact, Lang::En) => format!("= {} (rounded half up to the fen)", yuan(m, lang)),
                    (Figure::Ceiling, Lang::Zh) => format!("最高 {}：政策只规定上限，实际金额由主管部门核定", yuan(m, lang)),
                    (Figure::Ceiling, Lang::En) => format!("at most {}: the policy sets only a ceiling", yuan(m, lang)),
                });
            }
            r.amount = a;
            r.amount_max = m;
        }
        _ => {
            r.trace.push(t(lang, "政策未公布金额", "no figure published").to_string());
        }
    }
    r.reasons.push(summary(clause.figure, r.amount, r.amount_max, county, lang));
    if let Some(n) = &clause.formula_note {
        r.reasons.push(n.get(lang).to_string());
    }
    for i in &interpretations {
        r.reasons.push(format!("【{}】{i}", t(lang, "解释", "interpretation")));
    }
    r.interpretations = interpretations;
    r
}

/// Keep, in each stacking group, the combination that pays most.
fn apply_stacking(pack: &Pack, results: &mut [ClauseResult], lang: Lang) {
    if pack.stacking.is_empty() {
        return;
    }
    // Members: eligible clauses in at least one group.
    let members: Vec<usize> = (0..results.len())
        .filter(|&i| results[i].status == Status::Eligible && pack.stacking.iter().any(|g| g.clauses.contains(&results[i].id)))
        .collect();
    if members.len() < 2 {
        return;
    }
    let n = members.len().min(24);
    let members = &members[..n];
    let weights: Vec<(Decimal, Decimal)> =
        members.iter().map(|&i| (results[i].amount.unwrap_or_default(), results[i].amount_max.unwrap_or_default())).collect();
    let shared_group =
        |a: usize, b: usize| pack.stacking.iter().position(|g| g.clauses.contains(&results[a].id) && g.clauses.contains(&results[b].id));
    let conflict: Vec<Vec<Option<usize>>> =
        members.iter().map(|&a| members.iter().map(|&b| if a == b { None } else { shared_group(a, b) }).collect()).collect();
    // Exhaustive search over compatible subsets; groups are small. Earlier
    // clauses are tried in first, and only a strictly better sum replaces
    // the best, so ties keep the earlier clause.
    fn search(
        k: usize,
        cur: &mut Vec<bool>,
        sum: (Decimal, Decimal),
        best: &mut (Vec<bool>, (Decimal, Decimal)),
        conflict: &[Vec<Option<usize>>],
        weights: &[(Decimal, Decimal)],
    ) {
        if k == weights.len() {
            if sum > best.1 || !best.0.iter().any(|b| *b) {
                *best = (cur.clone(), sum);
            }
            return;
        }
        if (0..k).all(|j| !cur[j] || conflict[j][k].is_none()) {
            cur[k] = true;
            let (a, m) = weights[k];
            search(k + 1, cur, (sum.0 + a, sum.1 + m), best, conflict, weights);
            cur[k] = false;
        }
        search(k + 1, cur, sum, best, conflict, weights);
    }
    let mut best = (vec![false; n], (Decimal::ZERO, Decimal::ZERO));
    search(0, &mut vec![false; n], (Decimal::ZERO, Decimal::ZERO), &mut best, &conflict, &weights);
    for k in 0..n {
        if best.0[k] {
            continue;
        }
        let i = members[k];
        let Some((j, g)) = (0..n).find_map(|j| if best.0[j] { conflict[j][k].map(|g| (j, g)) } else { None }) else {
            continue;
        };
        let winner = results[members[j]].id.clone();
        let group = &pack.stacking[g];
        let mut why = match lang {
            Lang::Zh => format!("与 {winner} 不重复享受，按就高原则取金额更高者（{}：“{}”）", group.place, group.quote),
            Lang::En => format!("not combined with {winner}: the higher award is kept ({}: “{}”)", group.place, group.quote),
        };
        if let Some(interp) = &group.interpretation {
            why.push_str(&format!("【{}】{}", t(lang, "解释", "interpretation"), interp.get(lang)));
        }
        results[i].reasons.push(why);
        results[i].excluded_by = Some(winner);
    }
}

/// Evaluate a profile for a data year against every pack.
pub fn evaluate(packs: &[Pack], profile: &Profile, year: i32, lang: Lang) -> Evaluation {
    let mut pack_results = Vec::with_capacity(packs.len());
    let mut clauses = Vec::new();
    for pack in packs {
        let (status, note) = pack_status(pack, profile, year, lang);
        let start = clauses.len();
        match status {
            PackStatus::Applies | PackStatus::CountyReference => {
                let cx = Ctx { pack, profile, lang };
                let county = status == PackStatus::CountyReference;
                for clause in &pack.clauses {
                    let mut r = evaluate_clause(&cx, clause, county);
                    if county && r.status == Status::Eligible {
                        r.reasons.push(note.clone());
                    }
                    clauses.push(r);
                }
                apply_stacking(pack, &mut clauses[start..], lang);
            }
            PackStatus::NotInForce | PackStatus::OtherCity => {
                for clause in &pack.clauses {
                    clauses.push(ClauseResult {
                        id: clause.id.clone(),
                        pack: pack.id.clone(),
                        status: Status::Ineligible,
                        amount: None,
                        amount_max: None,
                        missing: Vec::new(),
                        reasons: vec![note.clone()],
                        citation: clause.citation.clone(),
                        trace: Vec::new(),
                        excluded_by: None,
                        interpretations: Vec::new(),
                    });
                }
            }
        }
        pack_results.push(PackResult {
            id: pack.id.clone(),
            version: pack.version.clone(),
            content_hash: pack.content_hash.clone(),
            status,
            note,
        });
    }
    let mut total = Decimal::ZERO;
    let mut total_max = Decimal::ZERO;
    for c in clauses.iter().filter(|c| c.counts()) {
        total += c.amount.unwrap_or_default();
        total_max += c.amount_max.unwrap_or_default();
    }
    Evaluation {
        year,
        city: profile.company.city.clone(),
        district: profile.company.district.clone(),
        packs: pack_results,
        clauses,
        total,
        total_max,
    }
}

fn money_json(d: Option<Decimal>) -> Value {
    match d {
        Some(d) => Value::String(fmt_yuan(d)),
        None => Value::Null,
    }
}

/// The catalogue's JSON, exactly.
pub fn to_json(ev: &Evaluation) -> Value {
    json!({
        "year": ev.year,
        "city": ev.city,
        "district": ev.district,
        "packs": ev.packs.iter().map(|p| json!({"id": p.id, "status": p.status.as_str(), "note": p.note})).collect::<Vec<_>>(),
        "clauses": ev.clauses.iter().map(|c| json!({
            "id": c.id,
            "status": c.status.as_str(),
            "amount": money_json(c.amount),
            "amount_max": money_json(c.amount_max),
            "missing": c.missing,
            "reasons": c.reasons,
            "citation": c.citation,
            "trace": c.trace,
            "excluded_by": c.excluded_by,
        })).collect::<Vec<_>>(),
        "total": fmt_yuan(ev.total),
        "total_max": fmt_yuan(ev.total_max),
    })
}

/// Facts still worth asking: the missing facts of clauses that are still
/// open, in pack and clause order, without repeats. The interview asks these.
pub fn open_questions(ev: &Evaluation) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in ev.clauses.iter().filter(|c| c.status == Status::NeedsInput) {
        for m in &c.missing {
            if !out.contains(m) {
                out.push(m.clone());
            }
        }
    }
    out
}

/// Look up a pack and clause by clause id.
pub fn find_clause<'a>(packs: &'a [Pack], id: &str) -> Option<(&'a Pack, &'a Clause)> {
    packs.iter().find_map(|p| p.clause(id).map(|c| (p, c)))
}

/// "What would qualify you for more": thresholds within reach (a quarter of
/// the threshold or less away) — the next tier of a tier table, or a failed
/// numeric condition. Read from the policy data, like everything else.
pub fn hints(packs: &[Pack], profile: &Profile, ev: &Evaluation, lang: Lang) -> Vec<String> {
    let near = |gap: Decimal, th: Decimal| gap >= Decimal::ZERO && gap * Decimal::from(4) <= th;
    let mut out = Vec::new();
    for pack in packs {
        let applies = ev.packs.iter().any(|p| p.id == pack.id && matches!(p.status, PackStatus::Applies | PackStatus::CountyReference));
        if !applies {
            continue;
        }
        for clause in &pack.clauses {
            let Some(r) = ev.clauses.iter().find(|c| c.id == clause.id) else { continue };
            if r.status == Status::NeedsInput {
                continue;
            }
            let title = clause.title.get(lang);
            if let Formula::Tiers { fact, op, term, tiers } = &clause.formula {
                if let Some(FactValue::Num(v)) = profile.facts.get(fact.as_str()) {
                    if let Some(next) = tiers.iter().find(|t| !op.holds(*v, t.from)) {
                        let gap = next.from - *v;
                        let def = &pack.facts[fact.as_str()];
                        // Ineligible only because of this tier table's own minimum.
                        let conditions_ok =
                            r.status == Status::Eligible || (r.reasons.len() == 1 && r.reasons[0].starts_with(def.label.get(lang)));
                        if conditions_ok && near(gap, next.from) {
                            // "超过" excludes the threshold: the increase must itself be more than the gap.
                            let exclusive = *op == Op::Gt;
                            let label = def.label.get(lang);
                            let (to, pays) = (show_threshold(def, next.from, lang), yuan(next.amount, lang));
                            out.push(match (lang, exclusive, gap.is_zero()) {
                                (Lang::Zh, true, true) => format!("{title}：{label}再有任何增加即{term} {to}，可得 {pays}"),
                                (Lang::Zh, true, false) => {
                                    format!("{title}：{label}再增加超过 {}即{term} {to}，可得 {pays}", show_value(def, gap, lang))
                                }
                                (Lang::Zh, false, _) => {
                                    format!("{title}：{label}再增加 {}即{term} {to}，可得 {pays}", show_value(def, gap, lang))
                                }
                                (Lang::En, true, true) => format!("{title}: any increase in {label} goes over {to} and pays {pays}"),
                                (Lang::En, true, false) => {
                                    format!(
                                        "{title}: {label} more than {} higher goes over {to} and pays {pays}",
                                        show_value(def, gap, lang)
                                    )
                                }
                                (Lang::En, false, _) => {
                                    format!("{title}: {label} {} higher reaches {to} and pays {pays}", show_value(def, gap, lang))
                                }
                            });
                        }
                    }
                }
            }
            if r.status == Status::Ineligible {
                for c in &clause.conditions {
                    if let Condition::Compare { fact, op: Op::Gt | Op::Ge, term, value } = c {
                        if let Some(FactValue::Num(v)) = profile.facts.get(fact.as_str()) {
                            let def = &pack.facts[fact.as_str()];
                            let gap = *value - *v;
                            if near(gap, *value) {
                                out.push(match lang {
                                    Lang::Zh => format!(
                                        "{title}：{}须{term} {}，目前 {}",
                                        def.label.zh,
                                        show_threshold(def, *value, lang),
                                        show_value(def, *v, lang)
                                    ),
                                    Lang::En => format!(
                                        "{title}: {} must be {term} {}; now {}",
                                        def.label.get(lang),
                                        show_threshold(def, *value, lang),
                                        show_value(def, *v, lang)
                                    ),
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

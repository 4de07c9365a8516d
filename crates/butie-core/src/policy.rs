//! The policy model: what a policy file in `policies/` says, read with serde
//! and then checked into a compiled form the engine can trust.
//!
//! A pack is one policy document. Its clauses quote the text they implement,
//! name the facts they need, and state conditions and a formula as data. The
//! engine knows the *kinds* of formula and condition; it knows nothing about
//! any particular policy.

use crate::money::parse_non_negative;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use PolicyProblem as P;

// ---------------------------------------------------------------- raw (file) form

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    pack: RawPack,
    #[serde(default)]
    topics: BTreeMap<String, Text2>,
    #[serde(default)]
    facts: BTreeMap<String, RawFact>,
    #[serde(default)]
    clauses: Vec<RawClause>,
    #[serde(default)]
    stacking: Vec<RawStacking>,
    #[serde(default)]
    cases: Vec<RawCase>,
}

/// A text in both languages.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Text2 {
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

impl Text2 {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En if !self.en.is_empty() => &self.en,
            Lang::En => &self.zh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    id: String,
    version: String,
    title: Text2,
    document: Text2,
    issuer: String,
    issued: String,
    source_file: String,
    valid_from: String,
    valid_to: String,
    #[serde(default)]
    validity_quote: String,
    #[serde(default)]
    validity_interpretation: Option<Text2>,
    city: String,
    /// A draft for comments (征求意见稿): what users are told, and the
    /// document's own words that say so.
    #[serde(default)]
    draft: Option<Text2>,
    #[serde(default)]
    draft_quote: Option<String>,
    regions: RawRegions,
    #[serde(default)]
    exclusion: Option<RawExclusion>,
    #[serde(default)]
    stacking_principle: Option<Principle>,
    #[serde(default)]
    application: Option<Text2>,
    /// Conditions on the applicant that every clause of the pack shares
    /// (e.g. an independent legal person paying tax in the city); the loader
    /// puts them in front of each clause's own conditions.
    #[serde(default)]
    requires: Vec<RawCondition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegions {
    /// Districts of `city` (one-city packs).
    #[serde(default)]
    applies: Vec<String>,
    /// Whole cities, any district of them (packs over several cities).
    #[serde(default)]
    cities: Vec<String>,
    #[serde(default)]
    city_codes: BTreeMap<String, String>,
    #[serde(default)]
    county_reference: Vec<String>,
    quote: String,
    #[serde(default)]
    county_note: Option<Text2>,
    /// GB/T 2260 code of the city (e.g. "331000") and of its districts.
    #[serde(default)]
    city_code: Option<String>,
    #[serde(default)]
    codes: BTreeMap<String, String>,
    /// Names a company may type for its district that stand for one of
    /// `applies` (a functional zone inside a district: 东疆 → 滨海新区).
    #[serde(default)]
    district_aliases: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    /// The declared bool fact that excludes when true (e.g. `serious_dishonesty_listed`).
    /// `company_flag` is its old name, still read.
    #[serde(alias = "company_flag")]
    fact: String,
    quote: String,
    reason: Text2,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub quote: String,
    pub place: String,
}

/// A pack-wide rule in the text's words, with a plain summary of it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub quote: String,
    pub place: String,
    #[serde(default)]
    pub place_en: String,
    #[serde(default)]
    pub summary: Option<Text2>,
}

/// A unit: one word (Chinese only) or `{ zh, en }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawUnit {
    One(String),
    Both(Text2),
}

impl Default for RawUnit {
    fn default() -> Self {
        RawUnit::One(String::new())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFact {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    unit: RawUnit,
    label: Text2,
    #[serde(default)]
    help: Text2,
    #[serde(default)]
    topic: String,
    /// In the file's order (the order the window offers them).
    #[serde(default)]
    options: toml::Table,
    #[serde(default)]
    fields: BTreeMap<String, RawFact>,
    /// An old fact kept so that old profiles still work: its value is read
    /// as the fact that `by`'s option names (`to.<option> = fact`).
    #[serde(default)]
    read_as: Option<RawReadAs>,
    /// Where a requirement comes from when the quoted text does not say it
    /// (e.g. the yearly application notice); shown when it is not met.
    #[serde(default)]
    source: Option<Text2>,
    /// A money fact that is a part of another (its total): a part above its
    /// total is refused in the working.
    #[serde(default)]
    part_of: Option<String>,
    /// This fact is the year before's value of another (上年交易额 of
    /// 交易额): for a saved company, a year without it reads that fact of the
    /// saved year before.
    #[serde(default)]
    previous_year_of: Option<String>,
    /// A standing status (a recognition, a business type, a lease) that
    /// stays true from year to year, offered for copying into a new year;
    /// yearly flows (volumes, costs, investments) do not carry over.
    #[serde(default)]
    carries_over: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReadAs {
    by: String,
    to: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    id: String,
    title: Text2,
    place: String,
    /// The place in English ("Annex 1(3)", "Measure 5").
    #[serde(default)]
    place_en: String,
    quote: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    attachments: Vec<String>,
    #[serde(default)]
    interpretations: Vec<Text2>,
    #[serde(default)]
    conditions: Vec<RawCondition>,
    formula: RawFormula,
    #[serde(default)]
    applicant: Option<Text2>,
    #[serde(default)]
    per_company: Option<RawPerCompany>,
    /// In a pack over several cities' plans: the cities whose plan states
    /// this measure (empty: all of the pack's cities).
    #[serde(default)]
    cities: Vec<String>,
    /// `false` for a measure that involves no money (an exemption, a
    /// certification, a netting rule…).
    #[serde(default)]
    monetary: Option<bool>,
}

/// What the text says of a clause across years for one company.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerCompany {
    /// `once`: paid once per company while the pack is in force;
    /// `cap`: `cap` is the most one company gets over the pack's term.
    rule: String,
    #[serde(default)]
    cap: Option<String>,
    quote: String,
    #[serde(default)]
    interpretation: Option<Text2>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default)]
    all: Option<Vec<RawCondition>>,
    #[serde(default)]
    any: Option<Vec<RawCondition>>,
    #[serde(default)]
    fact: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    term: Option<String>,
    #[serde(default)]
    value: Option<toml::Value>,
    #[serde(default)]
    values: Option<Vec<String>>,
    /// Growth: the previous-period fact; `value` is then the growth rate.
    #[serde(default)]
    growth_over: Option<String>,
    /// Switch on an enum fact: each option has its own conditions.
    #[serde(default)]
    switch: Option<String>,
    /// A comparison checked only when its fact is known.
    #[serde(default)]
    when_known: Option<bool>,
    #[serde(default)]
    cases: Option<BTreeMap<String, Vec<RawCondition>>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFormula {
    kind: String,
    #[serde(default)]
    figure: Option<String>,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    rate: Option<String>,
    #[serde(default)]
    cap: Option<String>,
    #[serde(default)]
    cap_quote: Option<String>,
    #[serde(default)]
    fact: Option<String>,
    #[serde(default)]
    op: Option<String>,
    #[serde(default)]
    term: Option<String>,
    #[serde(default)]
    tiers: Vec<RawTier>,
    #[serde(default)]
    table: BTreeMap<String, String>,
    #[serde(default)]
    list: Option<String>,
    #[serde(default)]
    item_conditions: Vec<RawCondition>,
    #[serde(default)]
    item_base: Option<String>,
    #[serde(default)]
    item_cap: Option<String>,
    #[serde(default)]
    item_cap_quote: Option<String>,
    #[serde(default)]
    note: Option<Text2>,
    /// For a rate over several bases: each base counts when its condition holds.
    #[serde(default)]
    parts: Vec<RawPart>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart {
    when: RawCondition,
    base: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    from: String,
    amount: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStacking {
    id: String,
    clauses: Vec<String>,
    quote: String,
    place: String,
    #[serde(default)]
    place_en: String,
    #[serde(default)]
    interpretation: Option<Text2>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    year: i32,
    #[serde(default)]
    district: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    serious_dishonesty_listed: Option<bool>,
    #[serde(default)]
    facts: toml::Table,
    /// The company's saved facts of the year before (`year - 1`), as a
    /// saved company's profile carries them.
    #[serde(default)]
    previous_year_facts: Option<toml::Table>,
    /// Earlier claims, as the profile's `history` list.
    #[serde(default)]
    history: Vec<toml::Value>,
    expect: BTreeMap<String, RawExpect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    status: String,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    amount_max: Option<String>,
    #[serde(default)]
    excluded_by: Option<String>,
    #[serde(default)]
    missing: Option<Vec<String>>,
}

// ---------------------------------------------------------------- compiled form

// Serialize: the window's views name a fact's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    Bool,
    Money,
    MoneyUsd,
    Integer,
    Number,
    Enum,
    List,
}

#[derive(Debug, Clone)]
pub struct FactDef {
    pub key: String,
    pub kind: FactKind,
    /// The unit in both languages (平方米 / m²); empty for none.
    pub unit: Text2,
    pub label: Text2,
    pub help: Text2,
    pub topic: String,
    pub options: BTreeMap<String, Text2>,
    /// The option keys in the policy file's order.
    pub option_order: Vec<String>,
    /// For lists: the fields of each item.
    pub fields: BTreeMap<String, FactDef>,
    /// An old fact, read as another one chosen by an enum fact's option
    /// (`by`, option → fact). It is never asked; old profiles keep working.
    pub read_as: Option<ReadAs>,
    /// Where a requirement comes from when the quoted text does not say it.
    pub source: Option<Text2>,
    /// The total this fact is a part of.
    pub part_of: Option<String>,
    /// The fact whose value in the year before this one is.
    pub previous_year_of: Option<String>,
    /// A standing status, copied into a new year on request.
    pub carries_over: bool,
}

#[derive(Debug, Clone)]
pub struct ReadAs {
    pub by: FactKey,
    pub to: BTreeMap<String, FactKey>,
}

/// What the text says about how often a clause pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// 一次性: the text says once.
    OneTime,
    /// 年度 / 每年 / 全年: the text says per year.
    Annual,
    /// The text says nothing about frequency.
    NotStated,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::OneTime => "one_time",
            Frequency::Annual => "annual",
            Frequency::NotStated => "not_stated",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub fn holds(self, a: Decimal, b: Decimal) -> bool {
        match self {
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Lt => "<",
            Op::Le => "≤",
        }
    }
}

/// The drafting convention of the catalogue (《民法典》第1259条 and the
/// catalogue's list): which legal words include the number. Kept here, in
/// one table, so that a policy file names the word it quotes and the
/// comparison follows from it.
pub fn op_for_term(term: &str) -> Option<Op> {
    Some(match term {
        "以上" | "达到" | "不少于" | "不低于" | "届满" => Op::Ge,
        "以下" | "以内" | "不超过" | "不高于" | "最高不超过" => Op::Le,
        "超过" | "突破" | "高于" => Op::Gt,
        "不满" | "低于" | "以外" => Op::Lt,
        _ => return None,
    })
}

/// The most clauses a pack's stacking rules may involve in all: the engine
/// finds the best combination by exhaustive search, exact up to this size.
pub const STACKING_LIMIT: usize = 20;

/// A fact a condition or formula reads: its key, and its place among the
/// pack's facts (so evaluation looks values up by position, not by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactKey {
    key: String,
    idx: u32,
}

impl FactKey {
    fn new(key: String, facts: &BTreeMap<String, FactDef>) -> FactKey {
        let idx = facts.keys().position(|k| *k == key).unwrap_or(usize::MAX) as u32;
        FactKey { key, idx }
    }
    /// Position in the pack's `facts` (in key order).
    pub fn index(&self) -> usize {
        self.idx as usize
    }
}

impl std::ops::Deref for FactKey {
    type Target = String;
    fn deref(&self) -> &String {
        &self.key
    }
}

impl fmt::Display for FactKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

impl Serialize for FactKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key)
    }
}

#[derive(Debug, Clone)]
pub enum Condition {
    All {
        all: Vec<Condition>,
    },
    Any {
        any: Vec<Condition>,
    },
    /// The conditions depend on an enum fact's value (e.g. 分别达到…).
    Switch {
        fact: FactKey,
        cases: BTreeMap<String, Vec<Condition>>,
    },
    /// A boolean fact must be true. With `when_known`, an unanswered fact
    /// is assumed true and the assumption shown in the working (a reading
    /// the pack marks as an interpretation).
    IsTrue {
        fact: FactKey,
        when_known: bool,
    },
    /// An enum fact must be one of `values`.
    OneOf {
        fact: FactKey,
        values: Vec<String>,
    },
    /// A numeric fact compared with a number, in the words of the text.
    Compare {
        fact: FactKey,
        op: Op,
        term: String,
        value: Decimal,
        /// Checked only when the fact is known; unknown, it neither holds
        /// nor asks (a check that only a given figure can contradict).
        when_known: bool,
    },
    /// Growth over a previous-period fact: `fact − prev ⋛ rate × prev`,
    /// compared exactly (never through a rounded ratio).
    Growth {
        fact: FactKey,
        prev: FactKey,
        op: Op,
        term: String,
        rate: Decimal,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// The formula gives the award.
    Exact,
    /// The formula gives only the most the award can be.
    Ceiling,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub from: Decimal,
    pub amount: Decimal,
}

#[derive(Debug, Clone)]
pub struct ItemCondition {
    pub field: String,
    pub op: Op,
    pub term: String,
    pub value: Decimal,
}

/// One base of a `RateOfParts` formula and when it counts.
#[derive(Debug, Clone)]
pub struct Part {
    pub when: Condition,
    pub base: FactKey,
}

#[derive(Debug, Clone)]
pub enum Formula {
    /// No figure is published.
    None,
    Fixed {
        amount: Decimal,
    },
    /// rate × base, then the cap. `whole`: the total `base` is a part of.
    Rate {
        base: FactKey,
        whole: Option<FactKey>,
        rate: Decimal,
        cap: Option<Decimal>,
        cap_quote: String,
    },
    /// The highest tier whose threshold the fact passes.
    Tiers {
        fact: FactKey,
        op: Op,
        term: String,
        tiers: Vec<Tier>,
    },
    /// An amount per option of an enum fact.
    Lookup {
        fact: FactKey,
        table: BTreeMap<String, Decimal>,
    },
    /// rate × (the sum of the bases whose condition holds), then the cap.
    RateOfParts {
        parts: Vec<Part>,
        rate: Decimal,
        cap: Option<Decimal>,
        cap_quote: String,
    },
    /// Per item of a list: filter, rate × field, item cap; then sum and cap.
    Items {
        list: FactKey,
        conditions: Vec<ItemCondition>,
        base: String,
        rate: Decimal,
        item_cap: Option<Decimal>,
        item_cap_quote: String,
        cap: Option<Decimal>,
        cap_quote: String,
    },
}

#[derive(Debug, Clone)]
pub struct Clause {
    pub id: String,
    pub title: Text2,
    pub place: String,
    pub place_en: String,
    pub quote: String,
    pub frequency: Frequency,
    pub attachments: Vec<String>,
    pub interpretations: Vec<Text2>,
    pub conditions: Vec<Condition>,
    pub formula: Formula,
    pub figure: Figure,
    pub formula_note: Option<Text2>,
    pub applicant: Option<Text2>,
    /// 《document》place：“quote” — made once at load time.
    pub citation: String,
    /// The citation as a JSON string, escaped once at load time: every
    /// catalogue JSON repeats it, and escaping long Chinese text each time
    /// was a fifth of rendering.
    pub citation_json: Box<serde_json::value::RawValue>,
    /// What the text says across years for one company, if anything.
    pub per_company: Option<PerCompany>,
    /// The cities whose plan states this measure; empty: every city of the pack.
    pub cities: Vec<String>,
    /// The measure involves money (an award, a subsidy, funds); `false` for
    /// exemptions, certifications, netting rules and the like (不涉及资金).
    pub monetary: bool,
}

/// A clause's rule across years for one company, with the words it rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum PerCompany {
    /// Paid once per company while the pack is in force.
    Once { quote: String, interpretation: Option<Text2> },
    /// At most `cap` for one company over the pack's term.
    Cap { cap: Decimal, quote: String, interpretation: Option<Text2> },
}

impl PerCompany {
    pub fn quote(&self) -> &str {
        match self {
            PerCompany::Once { quote, .. } | PerCompany::Cap { quote, .. } => quote,
        }
    }
    pub fn interpretation(&self) -> Option<&Text2> {
        match self {
            PerCompany::Once { interpretation, .. } | PerCompany::Cap { interpretation, .. } => interpretation.as_ref(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StackingGroup {
    pub id: String,
    pub clauses: Vec<String>,
    pub quote: String,
    pub place: String,
    pub place_en: String,
    pub interpretation: Option<Text2>,
}

/// A draft for comments: the note users see and the text that says so.
#[derive(Debug, Clone)]
pub struct Draft {
    pub note: Text2,
    pub quote: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionRole {
    Applies,
    CountyReference,
}

#[derive(Debug, Clone)]
pub struct Pack {
    pub id: String,
    pub version: String,
    /// SHA-256 of the policy file's bytes, hex.
    pub content_hash: String,
    /// The file's text, as loaded (its SHA-256 is `content_hash`): what the
    /// workspace keeps so that an evaluation can be recomputed with it.
    pub text: std::sync::Arc<str>,
    /// Imported without a signature from a trusted key: every figure it
    /// gives is shown as 未验证 (set by the loader's caller, not the file).
    pub unverified: bool,
    pub title: Text2,
    pub document: Text2,
    pub issuer: String,
    pub issued: String,
    pub source_file: String,
    pub valid_from: Date,
    pub valid_to: Date,
    pub validity_quote: String,
    pub validity_interpretation: Option<Text2>,
    /// The area as users read it: a city (成都市) or several (江苏省).
    pub city: String,
    /// Set when the document is a draft for comments (征求意见稿).
    pub draft: Option<Draft>,
    /// The cities a company can be registered in to be covered.
    pub cities: Vec<String>,
    /// GB/T 2260 code of each city that has one.
    pub city_codes: BTreeMap<String, String>,
    /// The districts of a one-city pack; empty when whole cities are covered.
    pub regions: Vec<(String, RegionRole)>,
    pub regions_quote: String,
    pub county_note: Option<Text2>,
    /// GB/T 2260 code of each district that has one.
    pub district_codes: BTreeMap<String, String>,
    /// Other names for a district of `regions` (functional zones inside it).
    pub district_aliases: BTreeMap<String, String>,
    /// A declared bool fact; a company for which it is true gets nothing from the pack.
    pub exclusion_fact: Option<FactKey>,
    pub exclusion_quote: String,
    pub exclusion_reason: Text2,
    /// A rule over the whole pack (台州 就高不重复), shown once per result.
    pub stacking_principle: Option<Principle>,
    pub application: Option<Text2>,
    pub topics: BTreeMap<String, Text2>,
    pub facts: BTreeMap<String, FactDef>,
    pub clauses: Vec<Clause>,
    pub stacking: Vec<StackingGroup>,
    /// For each clause (by position), the stacking groups it is in.
    pub stacking_of: Vec<Vec<usize>>,
    pub cases: Vec<Case>,
    /// Other versions of this pack kept beside it (older ones, or newer
    /// ones whose term has not begun), for data years its own term does
    /// not cover. Set by the caller that chose this version.
    pub alternates: Vec<Pack>,
}

/// A place in the text in the reader's language.
pub fn place_in(zh: &str, en: &str, lang: Lang) -> String {
    if lang == Lang::En && !en.is_empty() {
        en.to_string()
    } else {
        zh.to_string()
    }
}

impl Clause {
    /// Paid once per company (一次性).
    pub fn one_time(&self) -> bool {
        self.frequency == Frequency::OneTime
    }
    /// The fact keys this clause reads, in the order it reads them
    /// (conditions first, then the formula), without repeats.
    pub fn fact_keys(&self) -> Vec<&str> {
        fn walk<'a>(c: &'a Condition, out: &mut Vec<&'a str>) {
            let mut push = |k: &'a str| {
                if !out.contains(&k) {
                    out.push(k)
                }
            };
            match c {
                Condition::All { all: v } | Condition::Any { any: v } => v.iter().for_each(|c| walk(c, out)),
                Condition::Switch { fact, cases } => {
                    push(fact);
                    cases.values().flatten().for_each(|c| walk(c, out));
                }
                Condition::IsTrue { fact, .. } | Condition::OneOf { fact, .. } | Condition::Compare { fact, .. } => push(fact),
                Condition::Growth { fact, prev, .. } => {
                    push(fact);
                    push(prev);
                }
            }
        }
        let mut out = Vec::new();
        for c in &self.conditions {
            walk(c, &mut out);
        }
        let f = match &self.formula {
            Formula::None | Formula::Fixed { .. } => None,
            Formula::Rate { base, .. } => Some(base.as_str()),
            Formula::Tiers { fact, .. } | Formula::Lookup { fact, .. } => Some(fact.as_str()),
            Formula::Items { list, .. } => Some(list.as_str()),
            Formula::RateOfParts { parts, .. } => {
                for p in parts {
                    walk(&p.when, &mut out);
                    if !out.contains(&p.base.as_str()) {
                        out.push(&p.base);
                    }
                }
                None
            }
        };
        if let Some(k) = f {
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }
}

impl Pack {
    /// A pack over whole cities applies in any of their districts.
    pub fn region_role(&self, district: &str) -> Option<RegionRole> {
        if self.regions.is_empty() {
            return Some(RegionRole::Applies);
        }
        let district = self.district_alias(district).unwrap_or(district);
        self.regions.iter().find(|(d, _)| d == district).map(|(_, r)| *r)
    }
    /// The district of `regions` that `name` stands for, when it is one of
    /// the pack's other names (a functional zone).
    pub fn district_alias(&self, name: &str) -> Option<&str> {
        self.district_aliases.get(name).map(String::as_str)
    }
    /// The clause applies to a company of `city` (a clause scoped to some
    /// cities of a pack over several cities' plans).
    pub fn clause_covers_city(clause: &Clause, city: &str) -> bool {
        clause.cities.is_empty() || clause.cities.iter().any(|c| c == city)
    }
    /// The version for a data year: this one when its term covers the
    /// year (or nothing else is kept); otherwise the newest kept version
    /// whose term does.
    pub fn for_year(&self, year: i32) -> &Pack {
        let covers = |p: &Pack| p.valid_from.y <= year && year <= p.valid_to.y;
        if self.alternates.is_empty() || covers(self) {
            return self;
        }
        self.alternates.iter().filter(|p| covers(p)).max_by(|a, b| a.version.cmp(&b.version)).unwrap_or(self)
    }
    /// The facts the pack reads, in the order a questionnaire asks them:
    /// the exclusion fact first, then clause by clause as each reads them,
    /// without repeats.
    pub fn facts_in_order(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.exclusion_fact.iter().map(|k| k.as_str()).collect();
        for k in self.clauses.iter().flat_map(|c| c.fact_keys()) {
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out
    }
    pub fn covers_city(&self, city: &str) -> bool {
        self.cities.iter().any(|c| c == city)
    }
    /// No clause publishes a figure: the pack says which measures exist and
    /// what they ask, nothing more.
    pub fn reference_only(&self) -> bool {
        self.clauses.iter().all(|c| matches!(c.formula, Formula::None))
    }
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }
}

/// The steady order of an interview over the packs that apply: each fact
/// where the packs first read it ([`Pack::facts_in_order`]), grouped by its
/// topic (`pack:topic`), each topic where it first comes up, over every
/// clause, answered or not.
#[derive(Debug, Clone, Default)]
pub struct AskOrder<'p> {
    facts: Vec<&'p str>,
    topics: Vec<String>,
}

impl<'p> AskOrder<'p> {
    pub fn new(packs: &[&'p Pack]) -> Self {
        let mut order = AskOrder::default();
        for p in packs {
            for k in p.facts_in_order() {
                if order.facts.contains(&k) {
                    continue;
                }
                order.facts.push(k);
                if let Some(d) = p.facts.get(k) {
                    let topic = format!("{}:{}", p.id, d.topic);
                    if !order.topics.contains(&topic) {
                        order.topics.push(topic);
                    }
                }
            }
        }
        order
    }
    /// The sort key of a question on fact `key` under `topic`.
    pub fn rank(&self, topic: &str, key: &str) -> (usize, usize) {
        let t = self.topics.iter().position(|x| x == topic).unwrap_or(usize::MAX);
        (t, self.facts.iter().position(|k| *k == key).unwrap_or(usize::MAX))
    }
}

/// A calendar date (the policy windows need nothing more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.split('-');
        let y: i32 = it.next()?.parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let d: u32 = it.next()?.parse().ok()?;
        if it.next().is_some() || !(1..=12).contains(&m) || !(1900..=2200).contains(&y) {
            return None;
        }
        // A real calendar date: 2025-02-31 and 2023-02-29 are not.
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=days).contains(&d) {
            return None;
        }
        Some(Date { y, m, d })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

/// An embedded test case: a profile in, expected results out.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub year: i32,
    pub city: Option<String>,
    pub district: Option<String>,
    pub serious_dishonesty_listed: Option<bool>,
    /// Facts as JSON, exactly as a profile would carry them.
    pub facts: serde_json::Map<String, serde_json::Value>,
    /// Earlier claims, as the profile's `history` JSON.
    pub history: serde_json::Value,
    /// Saved facts of the year before, as JSON.
    pub previous_year_facts: Option<serde_json::Map<String, serde_json::Value>>,
    pub expect: BTreeMap<String, Expect>,
}

#[derive(Debug, Clone)]
pub struct Expect {
    pub status: String,
    pub amount: Option<Option<Decimal>>,
    pub amount_max: Option<Option<Decimal>>,
    pub excluded_by: Option<Option<String>>,
    pub missing: Option<Vec<String>>,
}

// ---------------------------------------------------------------- errors

/// A problem in a policy file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: String,
    /// Where in the file: a TOML path such as `pack.regions` or `clause x
    /// formula`; empty when the problem concerns the whole file (a syntax
    /// error carries its line in `problem`).
    pub at: String,
    pub problem: PolicyProblem,
}

impl PolicyError {
    /// One line in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let problem = self.problem.message(lang);
        if self.at.is_empty() {
            format!("{}: {problem}", self.file)
        } else {
            format!("{}: {}: {problem}", self.file, self.at)
        }
    }
}

/// In Chinese, the policies' own language, as the CLI and tests expect.
impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

/// What is wrong in a policy file, with the data its message needs. The
/// place is `PolicyError::at`; `message` words the problem in either
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    // The file as a whole.
    /// TOML the parser refused: the line (0 if unknown) and the parser's
    /// message, made one line.
    TomlSyntax {
        line: usize,
        message: String,
    },
    /// A value that should be a non-negative decimal number (in a string).
    NotNonNegativeDecimal {
        text: String,
    },
    /// Turning a value into JSON failed; serde's message.
    Json {
        detail: String,
    },
    /// A case's `facts` or `previous_year_facts` is not a table.
    NotJsonObject {
        field: &'static str,
    },

    // [pack]
    BadPackId {
        id: String,
    },
    /// `valid_from` or `valid_to` is not a calendar date.
    BadDate,
    ValidityEndsBeforeStart,
    /// `draft` without `draft_quote`, or the other way round.
    DraftWithoutQuote,
    DuplicateRegion {
        region: String,
    },
    EmptyOrDuplicateCity {
        city: String,
    },
    NoRegion,
    /// Both districts of one city and whole cities are listed.
    DistrictsAndCities,
    NotPackCity {
        city: String,
    },
    NotPackRegion {
        region: String,
    },
    /// An administrative division code that is not six digits; `place` is
    /// the city or district it is for, when the file names one.
    BadDivisionCode {
        place: Option<String>,
        code: String,
    },
    AliasNotApplicableDistrict {
        alias: String,
        district: String,
    },
    BadAlias {
        alias: String,
    },
    ExclusionNotBool {
        fact: String,
    },
    ExclusionUndeclared {
        fact: String,
    },

    // [facts]
    BadFactKey,
    UnknownFactType {
        kind: String,
    },
    BadOptionLabel {
        detail: String,
    },
    /// A fact of type `kind` lacks its `key` (`options` of an enum,
    /// `fields` of a list).
    TypeNeeds {
        kind: &'static str,
        key: &'static str,
    },
    /// `key` given on a fact not of type `kind`.
    OnlyTypeHas {
        kind: &'static str,
        key: &'static str,
    },
    MissingChineseLabel,
    UndefinedTopic {
        topic: String,
    },
    BadPreviousYearOf {
        source: String,
    },
    BadReadAsTarget {
        option: String,
        target: String,
    },
    UndefinedFact {
        key: String,
    },
    /// `field` (read_as.by, switch, lookup, items) names a fact not of
    /// type `kind`.
    MustReferTo {
        field: &'static str,
        kind: &'static str,
    },
    NoSuchOption {
        fact: String,
        option: String,
    },

    // Conditions.
    /// `all` or `any` with nothing in it.
    EmptyGroup {
        group: &'static str,
    },
    SwitchWithoutCases,
    ConditionWithoutFact,
    GrowthNotNumeric,
    GrowthValueNotString,
    GrowthTooLarge,
    BoolValueNotTrue,
    EnumConditionWithoutValues,
    ListFactInCondition,
    CompareValueNotString,
    MissingTerm,
    UnknownTerm {
        term: String,
    },
    UnknownOp {
        op: String,
    },
    OpDisagreesWithTerm {
        op: String,
        term: String,
        expected: Op,
    },

    // Clauses.
    BadClauseId,
    DuplicateClause,
    MissingQuote,
    BadFrequency {
        value: String,
    },
    ClauseCityNotInPack {
        city: String,
    },
    NonMonetaryWithFormula,
    CapRuleWithoutCap,
    BadPerCompanyRule {
        value: String,
    },

    // Formulas.
    BadFigure {
        value: String,
    },
    UnknownFormulaType {
        kind: String,
    },
    /// A `formula` of that type without its `key` (`fixed` without
    /// `amount`, `lookup` without `table`, …).
    FormulaNeeds {
        formula: &'static str,
        key: &'static str,
    },
    RateFormulaWithoutRate,
    /// The fact a formula computes on is not given (`base`, `fact`).
    MissingFormulaFact {
        what: &'static str,
    },
    NotNumericFact {
        what: &'static str,
        key: String,
    },
    RateOutOfRange {
        rate: Decimal,
    },
    BaseAndParts,
    PartsBaseNotYuan,
    DollarBase,
    BadPartOf {
        base: String,
        whole: String,
    },
    TiersOutOfOrder,
    NoTiers,
    BadItemBase {
        list: String,
    },
    ItemConditionWithoutField,
    NoNumericField {
        list: String,
        field: String,
    },
    ItemValueNotString,
    CeilingWithoutAmount,

    // Stacking rules.
    StackingTooFewClauses,
    UnknownClause {
        id: String,
    },
    TooManyStackedClauses {
        count: usize,
        limit: usize,
    },

    // Embedded test cases.
    UnknownExpectedClause {
        id: String,
    },
    BadExpectStatus {
        clause: String,
    },

    // Packs loaded together.
    DuplicatePack,
    FactTypeConflict {
        other_pack: String,
    },
    ClauseIdTaken {
        other_pack: String,
    },
}

/// The Chinese or the English, for `lang`.
fn zh_en(lang: Lang, zh: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

impl PolicyProblem {
    /// The problem, one line, in the user's language; without the place.
    pub fn message(&self, lang: Lang) -> String {
        // Worded by where in the file the problem is: each group words its
        // own kinds and passes on the others. (Every kind has words: the
        // tests give an example of each.)
        let groups = [
            Self::file_message,
            Self::pack_message,
            Self::fact_message,
            Self::condition_message,
            Self::clause_message,
            Self::formula_message,
            Self::set_message,
        ];
        groups.iter().find_map(|words| words(self, lang)).unwrap_or_default()
    }

    /// The file as a whole.
    fn file_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::TomlSyntax { line, message } => {
                zh_en(l, format!("第{line}行: TOML 格式错误: {message}"), format!("line {line}: TOML syntax error: {message}"))
            }
            P::NotNonNegativeDecimal { text } => {
                zh_en(l, format!("不是非负的十进制数: {text:?}"), format!("not a non-negative decimal number: {text:?}"))
            }
            P::Json { detail } => detail.clone(),
            P::NotJsonObject { field } => {
                zh_en(l, format!("{field} 无法转为 JSON"), format!("{field} cannot be turned into a JSON object"))
            }
            _ => return None,
        };
        Some(words)
    }

    /// `[pack]`: its id, term, regions and exclusion.
    fn pack_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadPackId { id } => zh_en(
                l,
                format!("id 只能含小写字母、数字、'-'、'.'、'_': {id:?}"),
                format!("an id may contain only lowercase letters, digits, '-', '.' and '_': {id:?}"),
            ),
            P::BadDate => zh_en(l, "日期应为 YYYY-MM-DD", "a date must be written YYYY-MM-DD"),
            P::ValidityEndsBeforeStart => zh_en(l, "有效期结束早于开始", "the period of validity ends before it starts"),
            P::DraftWithoutQuote => zh_en(
                l,
                "draft 与 draft_quote（原文中说明为征求意见稿的文字）须同时给出",
                "draft and draft_quote (the words of the original saying it is a draft for comment) must be given together",
            ),
            P::DuplicateRegion { region } => zh_en(l, format!("地区重复: {region}"), format!("region listed twice: {region}")),
            P::EmptyOrDuplicateCity { city } => {
                zh_en(l, format!("城市为空或重复: {city:?}"), format!("city empty or listed twice: {city:?}"))
            }
            P::NoRegion => zh_en(l, "至少要有一个适用地区", "at least one region must apply"),
            P::DistrictsAndCities => zh_en(
                l,
                "applies/county_reference（一个城市的区县）与 cities（若干整个城市）只能选一种",
                "give either applies/county_reference (districts of one city) or cities (whole cities), not both",
            ),
            P::NotPackCity { city } => zh_en(l, format!("不是本政策的城市: {city}"), format!("not a city of this policy: {city}")),
            P::NotPackRegion { region } => {
                zh_en(l, format!("不是本政策的地区: {region}"), format!("not a region of this policy: {region}"))
            }
            P::BadDivisionCode { place: Some(place), code } => zh_en(
                l,
                format!("{place} 的行政区划代码应为 6 位数字: {code:?}"),
                format!("the administrative division code of {place} must be 6 digits: {code:?}"),
            ),
            P::BadDivisionCode { place: None, code } => zh_en(
                l,
                format!("行政区划代码应为 6 位数字: {code:?}"),
                format!("an administrative division code must be 6 digits: {code:?}"),
            ),
            P::AliasNotApplicableDistrict { alias, district } => zh_en(
                l,
                format!("{alias} 所指的不是本政策适用的区县: {district}"),
                format!("{alias} stands for a district this policy does not apply to: {district}"),
            ),
            P::BadAlias { alias } => {
                zh_en(l, format!("别名为空或与区县同名: {alias:?}"), format!("alias empty or the same as a district's name: {alias:?}"))
            }
            P::ExclusionNotBool { fact } => {
                zh_en(l, format!("排除条件须为是/否类事实: {fact}"), format!("the exclusion must be a yes/no fact: {fact}"))
            }
            P::ExclusionUndeclared { fact } => zh_en(
                l,
                format!("排除条件的事实须在 [facts] 中声明: {fact}"),
                format!("the exclusion's fact must be declared in [facts]: {fact}"),
            ),
            _ => return None,
        };
        Some(words)
    }

    /// `[facts]`, and a reference to a fact.
    fn fact_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadFactKey => zh_en(l, "事实键只能含小写字母、数字、'_'", "a fact key may contain only lowercase letters, digits and '_'"),
            P::UnknownFactType { kind } => zh_en(l, format!("未知的事实类型: {kind:?}"), format!("unknown fact type: {kind:?}")),
            P::BadOptionLabel { detail } => zh_en(
                l,
                format!("选项标签应为 {{ zh = \"…\", en = \"…\" }}: {detail}"),
                format!("an option label must be {{ zh = \"…\", en = \"…\" }}: {detail}"),
            ),
            P::TypeNeeds { kind, key } => zh_en(l, format!("{kind} 类型须列出 {key}"), format!("a fact of type {kind} must list {key}")),
            P::OnlyTypeHas { kind, key } => {
                zh_en(l, format!("只有 {kind} 类型可以有 {key}"), format!("only a fact of type {kind} can have {key}"))
            }
            P::MissingChineseLabel => zh_en(l, "缺少中文标签 label.zh", "the Chinese label label.zh is missing"),
            P::UndefinedTopic { topic } => zh_en(l, format!("未定义的主题 topic: {topic}"), format!("undefined topic: {topic}")),
            P::BadPreviousYearOf { source } => zh_en(
                l,
                format!("previous_year_of 须为同类型的另一个数值事实: {source}"),
                format!("previous_year_of must be another numeric fact of the same type: {source}"),
            ),
            P::BadReadAsTarget { option, target } => zh_en(
                l,
                format!("read_as.to.{option} 须为同类型的另一个事实: {target}"),
                format!("read_as.to.{option} must be another fact of the same type: {target}"),
            ),
            P::UndefinedFact { key } => zh_en(l, format!("引用了未定义的事实: {key}"), format!("refers to an undefined fact: {key}")),
            P::MustReferTo { field, kind } => {
                zh_en(l, format!("{field} 须引用 {kind} 事实"), format!("{field} must refer to a fact of type {kind}"))
            }
            P::NoSuchOption { fact, option } => zh_en(l, format!("{fact} 没有选项 {option:?}"), format!("{fact} has no option {option:?}")),
            _ => return None,
        };
        Some(words)
    }

    /// A condition, and the legal word of a comparison.
    fn condition_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::EmptyGroup { group } => zh_en(l, format!("{group} 不能为空"), format!("{group} must not be empty")),
            P::SwitchWithoutCases => zh_en(l, "switch 须有 cases", "a switch needs cases"),
            P::ConditionWithoutFact => zh_en(l, "条件须有 fact、switch、all 或 any", "a condition needs fact, switch, all or any"),
            P::GrowthNotNumeric => zh_en(l, "增长条件只适用于数值事实", "a growth condition applies to numeric facts only"),
            P::GrowthValueNotString => zh_en(
                l,
                "增长条件的 value 须为字符串形式的增长率，如 \"0.20\"",
                "the value of a growth condition must be the rate of growth as a string, such as \"0.20\"",
            ),
            P::GrowthTooLarge => zh_en(l, "增长率不应超过 100（即 10000%）", "a rate of growth must not exceed 100 (that is, 10000%)"),
            P::BoolValueNotTrue => zh_en(l, "布尔条件只支持 value = true", "a yes/no condition takes only value = true"),
            P::EnumConditionWithoutValues => zh_en(l, "enum 条件须有 values", "an enum condition needs values"),
            P::ListFactInCondition => zh_en(l, "列表事实只能用于 items 公式", "a list fact can be used only in an items formula"),
            P::CompareValueNotString => zh_en(
                l,
                "数值条件的 value 须为字符串形式的十进制数",
                "the value of a numeric condition must be a decimal number in a string",
            ),
            P::MissingTerm => zh_en(
                l,
                "比较须写明原文用语 term（如 超过、以上、达到）",
                "a comparison must give term, the original's own word for it (such as the words for \"more than\", \"or more\", \"reaching\")",
            ),
            P::UnknownTerm { term } => {
                zh_en(l, format!("未知的原文用语 term: {term:?}"), format!("unknown comparison word in term: {term:?}"))
            }
            P::UnknownOp { op } => zh_en(l, format!("未知的比较符 op: {op:?}"), format!("unknown comparison operator op: {op:?}")),
            P::OpDisagreesWithTerm { op, term, expected } => zh_en(
                l,
                format!("op {op} 与原文用语 {term:?} 不一致（按惯例 {term} 应为 {}）", expected.symbol()),
                format!("op {op} disagrees with the original's word {term:?} (by convention {term} means {})", expected.symbol()),
            ),
            _ => return None,
        };
        Some(words)
    }

    /// A clause's own fields.
    fn clause_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadClauseId => zh_en(
                l,
                "条款 id 只能含小写字母、数字、'.'、'_'、'-'",
                "a clause id may contain only lowercase letters, digits, '.', '_' and '-'",
            ),
            P::DuplicateClause => zh_en(l, "条款 id 重复", "clause id used twice"),
            P::MissingQuote => zh_en(l, "缺少政策原文 quote", "quote, the policy's own words, is missing"),
            P::BadFrequency { value } => zh_en(
                l,
                format!("frequency 应为 one_time、annual 或 not_stated，而不是 {value:?}"),
                format!("frequency must be one_time, annual or not_stated, not {value:?}"),
            ),
            P::ClauseCityNotInPack { city } => zh_en(
                l,
                format!("cities 须为本政策 [pack.regions] cities 中的城市，且不重复: {city}"),
                format!("cities must be cities from this policy's [pack.regions] cities, each once: {city}"),
            ),
            P::NonMonetaryWithFormula => zh_en(
                l,
                "monetary = false（不涉及资金）的条款不能有金额公式",
                "a clause with monetary = false (no money involved) cannot have an amount formula",
            ),
            P::CapRuleWithoutCap => zh_en(l, "per_company 的 cap 规则须写明 cap", "the cap rule of per_company must give cap"),
            P::BadPerCompanyRule { value } => zh_en(
                l,
                format!("per_company.rule 应为 once 或 cap（once 不带 cap），而不是 {value:?}"),
                format!("per_company.rule must be once or cap (once without a cap), not {value:?}"),
            ),
            _ => return None,
        };
        Some(words)
    }

    /// A clause's formula.
    fn formula_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadFigure { value } => zh_en(
                l,
                format!("figure 应为 exact 或 ceiling，而不是 {value:?}"),
                format!("figure must be exact or ceiling, not {value:?}"),
            ),
            P::UnknownFormulaType { kind } => zh_en(l, format!("未知的公式类型: {kind:?}"), format!("unknown formula type: {kind:?}")),
            P::FormulaNeeds { formula, key } => zh_en(l, format!("{formula} 须有 {key}"), format!("a {formula} formula needs {key}")),
            P::RateFormulaWithoutRate => zh_en(l, "rate 公式须有 rate", "a rate formula needs rate"),
            P::MissingFormulaFact { what } => zh_en(l, format!("缺少 {what}"), format!("{what} is missing")),
            P::NotNumericFact { what, key } => {
                zh_en(l, format!("{what} 须为数值事实: {key}"), format!("{what} must be a numeric fact: {key}"))
            }
            P::RateOutOfRange { rate } => zh_en(
                l,
                format!("比例 rate 应大于 0 且不超过 1，而不是 {rate}"),
                format!("the proportion rate must be above 0 and at most 1, not {rate}"),
            ),
            P::BaseAndParts => zh_en(l, "rate 公式的 base 与 parts 只能写一个", "a rate formula takes base or parts, not both"),
            P::PartsBaseNotYuan => zh_en(l, "parts.base 须为人民币金额事实", "parts.base must be an amount in yuan"),
            P::DollarBase => {
                zh_en(l, "不能以美元金额为基数计算人民币奖励", "an award in yuan cannot be reckoned on an amount in US dollars")
            }
            P::BadPartOf { base, whole } => zh_en(
                l,
                format!("{base} 的 part_of 须为同类型事实: {whole}"),
                format!("the part_of of {base} must be a fact of the same type: {whole}"),
            ),
            P::TiersOutOfOrder => {
                zh_en(l, "档位须按门槛递增排列，金额不递减", "tiers must go up by threshold, with amounts that never go down")
            }
            P::NoTiers => zh_en(l, "tiers 公式须至少一档", "a tiers formula needs at least one tier"),
            P::BadItemBase { list } => {
                zh_en(l, format!("item_base 须为 {list} 的金额字段"), format!("item_base must be an amount field of {list}"))
            }
            P::ItemConditionWithoutField => zh_en(l, "须有 field", "field is missing"),
            P::NoNumericField { list, field } => {
                zh_en(l, format!("{list} 没有数值字段 {field}"), format!("{list} has no numeric field {field}"))
            }
            P::ItemValueNotString => zh_en(l, "value 须为字符串形式的十进制数", "value must be a decimal number in a string"),
            P::CeilingWithoutAmount => {
                zh_en(l, "none 公式没有数额，不能标为 ceiling", "a none formula has no amount, so it cannot be marked ceiling")
            }
            _ => return None,
        };
        Some(words)
    }

    /// Stacking rules, embedded cases, and packs loaded together.
    fn set_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::StackingTooFewClauses => zh_en(l, "叠加规则至少涉及两个条款", "a stacking rule must involve at least two clauses"),
            P::UnknownClause { id } => zh_en(l, format!("未知条款: {id}"), format!("unknown clause: {id}")),
            P::TooManyStackedClauses { count, limit } => zh_en(
                l,
                format!("叠加规则共涉及 {count} 个条款，超过上限 {limit}（取最优组合须穷举，条款过多无法在可接受时间内算完）"),
                format!(
                    "the stacking rules involve {count} clauses in all, more than the limit of {limit} (the best combination is found by \
                     trying them all, which takes too long with so many clauses)"
                ),
            ),
            P::UnknownExpectedClause { id } => zh_en(l, format!("expect 中的未知条款: {id}"), format!("unknown clause in expect: {id}")),
            P::BadExpectStatus { clause } => zh_en(
                l,
                format!("{clause}: status 应为 eligible/ineligible/needs_input"),
                format!("{clause}: status must be eligible, ineligible or needs_input"),
            ),
            P::DuplicatePack => zh_en(l, "政策包 id 重复", "policy pack id used twice"),
            P::FactTypeConflict { other_pack } => zh_en(
                l,
                format!("与政策包 {other_pack} 中同名事实的类型不一致"),
                format!("type differs from the fact of the same name in policy pack {other_pack}"),
            ),
            P::ClauseIdTaken { other_pack } => {
                zh_en(l, format!("条款 id 与政策包 {other_pack} 重复"), format!("clause id already used in policy pack {other_pack}"))
            }

            _ => return None,
        };
        Some(words)
    }
}

struct Loading<'a> {
    file: &'a str,
}

impl Loading<'_> {
    fn err(&self, at: impl Into<String>, problem: PolicyProblem) -> PolicyError {
        PolicyError { file: self.file.to_string(), at: at.into(), problem }
    }
}

// ---------------------------------------------------------------- loading

/// Read one policy file. `name` is used in error messages only.
pub fn load_pack(name: &str, text: &str) -> Result<Pack, PolicyError> {
    let cx = Loading { file: name };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        // One line: the parser's message may span several.
        let msg = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        let line = e.span().and_then(|s| text.get(..s.start)).map(|p| p.matches('\n').count() + 1).unwrap_or(0);
        cx.err("", P::TomlSyntax { line, message: msg })
    })?;
    let hash = {
        let mut h = Sha256::new();
        h.update(text.as_bytes());
        let out = h.finalize();
        out.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let mut pack = compile(&cx, raw, hash)?;
    pack.text = std::sync::Arc::from(text);
    Ok(pack)
}

fn dec(cx: &Loading, at: &str, s: &str) -> Result<Decimal, PolicyError> {
    parse_non_negative(s, 10).map_err(|_| cx.err(at, P::NotNonNegativeDecimal { text: s.to_string() }))
}

fn compile(cx: &Loading, raw: RawFile, content_hash: String) -> Result<Pack, PolicyError> {
    let p = raw.pack;
    if !is_ident(&p.id) {
        return Err(cx.err("pack.id", P::BadPackId { id: p.id.clone() }));
    }
    let (valid_from, valid_to) = compile_term(cx, &p)?;
    let Regions { regions, cities, city_codes } = compile_regions(cx, &p)?;
    let draft = compile_draft(cx, p.draft, p.draft_quote)?;
    check_region_codes(cx, &p.regions, &regions)?;
    let district_aliases = p.regions.district_aliases.clone();
    let facts = compile_facts(cx, raw.facts, &raw.topics)?;
    let (exclusion_fact, exclusion_quote, exclusion_reason) = compile_exclusion(cx, p.exclusion, &facts)?;
    let mut requires = Vec::new();
    for (i, rc) in p.requires.into_iter().enumerate() {
        requires.push(compile_condition(cx, &format!("pack.requires[{i}]"), rc, &facts)?);
    }
    let scope = PackScope { requires: &requires, facts: &facts, document: &p.document.zh, cities: &p.regions.cities };
    let mut clauses: Vec<Clause> = Vec::new();
    for c in raw.clauses {
        let clause = compile_clause(cx, c, &scope, &clauses)?;
        clauses.push(clause);
    }
    let stacking = compile_stacking(cx, raw.stacking, &clauses)?;
    let mut cases = Vec::new();
    for rc in raw.cases {
        cases.push(compile_case(cx, rc, &clauses)?);
    }
    let stacked: std::collections::BTreeSet<&str> = stacking.iter().flat_map(|g| g.clauses.iter().map(String::as_str)).collect();
    if stacked.len() > STACKING_LIMIT {
        return Err(cx.err("stacking", P::TooManyStackedClauses { count: stacked.len(), limit: STACKING_LIMIT }));
    }
    let stacking_of =
        clauses.iter().map(|c| stacking.iter().enumerate().filter(|(_, g)| g.clauses.contains(&c.id)).map(|(i, _)| i).collect()).collect();
    Ok(Pack {
        id: p.id,
        version: p.version,
        content_hash,
        text: std::sync::Arc::from(""),
        unverified: false,
        title: p.title,
        document: p.document,
        issuer: p.issuer,
        issued: p.issued,
        source_file: p.source_file,
        valid_from,
        valid_to,
        validity_quote: p.validity_quote,
        validity_interpretation: p.validity_interpretation,
        city: p.city,
        draft,
        cities,
        city_codes,
        regions,
        regions_quote: p.regions.quote,
        county_note: p.regions.county_note,
        district_codes: p.regions.codes,
        district_aliases,
        exclusion_fact,
        exclusion_quote,
        exclusion_reason,
        stacking_principle: p.stacking_principle,
        application: p.application,
        topics: raw.topics,
        facts,
        clauses,
        stacking,
        stacking_of,
        cases,
        alternates: Vec::new(),
    })
}

fn compile_term(cx: &Loading, p: &RawPack) -> Result<(Date, Date), PolicyError> {
    let valid_from = Date::parse(&p.valid_from).ok_or_else(|| cx.err("pack.valid_from", P::BadDate))?;
    let valid_to = Date::parse(&p.valid_to).ok_or_else(|| cx.err("pack.valid_to", P::BadDate))?;
    if valid_to < valid_from {
        return Err(cx.err("pack.valid_to", P::ValidityEndsBeforeStart));
    }
    Ok((valid_from, valid_to))
}

/// Where a pack applies: its districts (or none, for whole cities), its
/// cities, and the codes of those cities.
struct Regions {
    regions: Vec<(String, RegionRole)>,
    cities: Vec<String>,
    city_codes: BTreeMap<String, String>,
}

fn compile_regions(cx: &Loading, p: &RawPack) -> Result<Regions, PolicyError> {
    let mut regions = Vec::new();
    for d in &p.regions.applies {
        regions.push((d.clone(), RegionRole::Applies));
    }
    for d in &p.regions.county_reference {
        if regions.iter().any(|(x, _)| x == d) {
            return Err(cx.err("pack.regions", P::DuplicateRegion { region: d.clone() }));
        }
        regions.push((d.clone(), RegionRole::CountyReference));
    }
    for (i, c) in p.regions.cities.iter().enumerate() {
        if c.trim().is_empty() || p.regions.cities[..i].contains(c) {
            return Err(cx.err("pack.regions.cities", P::EmptyOrDuplicateCity { city: c.clone() }));
        }
    }
    match (regions.is_empty(), p.regions.cities.is_empty()) {
        (true, true) => return Err(cx.err("pack.regions", P::NoRegion)),
        (false, false) => return Err(cx.err("pack.regions", P::DistrictsAndCities)),
        _ => {}
    }
    let cities = if p.regions.cities.is_empty() { vec![p.city.clone()] } else { p.regions.cities.clone() };
    for (c, code) in &p.regions.city_codes {
        if !p.regions.cities.contains(c) {
            return Err(cx.err("pack.regions.city_codes", P::NotPackCity { city: c.clone() }));
        }
        if !six_digits(code) {
            return Err(cx.err("pack.regions.city_codes", P::BadDivisionCode { place: Some(c.clone()), code: code.clone() }));
        }
    }
    let mut city_codes = p.regions.city_codes.clone();
    if let Some(code) = &p.regions.city_code {
        city_codes.insert(p.city.clone(), code.clone());
    }
    Ok(Regions { regions, cities, city_codes })
}

/// A GB/T 2260 administrative division code.
fn six_digits(c: &str) -> bool {
    c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())
}

fn compile_draft(cx: &Loading, note: Option<Text2>, quote: Option<String>) -> Result<Option<Draft>, PolicyError> {
    match (note, quote) {
        (Some(note), Some(quote)) if !quote.trim().is_empty() => Ok(Some(Draft { note, quote })),
        (None, None) => Ok(None),
        _ => Err(cx.err("pack.draft", P::DraftWithoutQuote)),
    }
}

/// The district codes and other names refer to the pack's own districts.
fn check_region_codes(cx: &Loading, r: &RawRegions, regions: &[(String, RegionRole)]) -> Result<(), PolicyError> {
    if let Some(c) = r.city_code.as_deref().filter(|c| !six_digits(c)) {
        return Err(cx.err("pack.regions.city_code", P::BadDivisionCode { place: None, code: c.to_string() }));
    }
    for (d, c) in &r.codes {
        if !regions.iter().any(|(x, _)| x == d) {
            return Err(cx.err("pack.regions.codes", P::NotPackRegion { region: d.clone() }));
        }
        if !six_digits(c) {
            return Err(cx.err("pack.regions.codes", P::BadDivisionCode { place: Some(d.clone()), code: c.clone() }));
        }
    }
    for (alias, d) in &r.district_aliases {
        if !regions.iter().any(|(x, r)| x == d && *r == RegionRole::Applies) {
            return Err(
                cx.err("pack.regions.district_aliases", P::AliasNotApplicableDistrict { alias: alias.clone(), district: d.clone() })
            );
        }
        if alias.trim().is_empty() || regions.iter().any(|(x, _)| x == alias) {
            return Err(cx.err("pack.regions.district_aliases", P::BadAlias { alias: alias.clone() }));
        }
    }
    Ok(())
}

fn compile_facts(
    cx: &Loading,
    raw: BTreeMap<String, RawFact>,
    topics: &BTreeMap<String, Text2>,
) -> Result<BTreeMap<String, FactDef>, PolicyError> {
    let mut facts = BTreeMap::new();
    let mut read_as = Vec::new();
    for (key, mut f) in raw {
        let at = format!("facts.{key}");
        if !is_ident(&key) {
            return Err(cx.err(&at, P::BadFactKey));
        }
        if let Some(r) = f.read_as.take() {
            read_as.push((key.clone(), r));
        }
        let def = compile_fact(cx, &at, &key, f, true)?;
        if !def.topic.is_empty() && !topics.contains_key(&def.topic) {
            return Err(cx.err(&at, P::UndefinedTopic { topic: def.topic.clone() }));
        }
        facts.insert(key, def);
    }
    for (key, def) in &facts {
        if let Some(src) = &def.previous_year_of {
            match facts.get(src) {
                Some(d) if d.kind == def.kind && numeric(d.kind) && src != key => {}
                _ => return Err(cx.err(format!("facts.{key}"), P::BadPreviousYearOf { source: src.clone() })),
            }
        }
    }
    // Old facts name their replacements, which are all declared by now.
    for (key, r) in read_as {
        resolve_read_as(cx, &key, r, &mut facts)?;
    }
    Ok(facts)
}

fn resolve_read_as(cx: &Loading, key: &str, r: RawReadAs, facts: &mut BTreeMap<String, FactDef>) -> Result<(), PolicyError> {
    let at = format!("facts.{key}.read_as");
    let by = need_fact(cx, &at, &r.by, facts)?;
    if by.kind != FactKind::Enum {
        return Err(cx.err(&at, P::MustReferTo { field: "read_as.by", kind: "enum" }));
    }
    let kind = facts[key].kind;
    let mut to = BTreeMap::new();
    for (opt, target) in r.to {
        if !by.options.contains_key(&opt) {
            return Err(cx.err(&at, P::NoSuchOption { fact: r.by.clone(), option: opt }));
        }
        match facts.get(&target) {
            Some(t) if t.kind == kind && t.read_as.is_none() && target != key => {}
            _ => return Err(cx.err(&at, P::BadReadAsTarget { option: opt, target })),
        }
        to.insert(opt, FactKey::new(target, facts));
    }
    let by = FactKey::new(r.by, facts);
    if let Some(d) = facts.get_mut(key) {
        d.read_as = Some(ReadAs { by, to });
    }
    Ok(())
}

type Exclusion = (Option<FactKey>, String, Text2);

fn compile_exclusion(cx: &Loading, e: Option<RawExclusion>, facts: &BTreeMap<String, FactDef>) -> Result<Exclusion, PolicyError> {
    let Some(e) = e else { return Ok((None, String::new(), Text2::default())) };
    match facts.get(&e.fact) {
        Some(d) if d.kind == FactKind::Bool => {}
        Some(_) => return Err(cx.err("pack.exclusion.fact", P::ExclusionNotBool { fact: e.fact })),
        None => return Err(cx.err("pack.exclusion.fact", P::ExclusionUndeclared { fact: e.fact })),
    }
    Ok((Some(FactKey::new(e.fact, facts)), e.quote, e.reason))
}

/// What every clause of a pack is compiled against.
struct PackScope<'p> {
    /// The pack's shared conditions, put before each clause's own.
    requires: &'p [Condition],
    facts: &'p BTreeMap<String, FactDef>,
    /// The document's title, for citations.
    document: &'p str,
    /// The pack's whole cities (empty for a one-city pack).
    cities: &'p [String],
}

fn compile_clause(cx: &Loading, c: RawClause, pack: &PackScope, earlier: &[Clause]) -> Result<Clause, PolicyError> {
    let at = format!("clause {}", c.id);
    if !is_ident(&c.id) {
        return Err(cx.err(&at, P::BadClauseId));
    }
    if earlier.iter().any(|x| x.id == c.id) {
        return Err(cx.err(&at, P::DuplicateClause));
    }
    if c.quote.trim().is_empty() {
        return Err(cx.err(&at, P::MissingQuote));
    }
    let frequency = match c.frequency.as_str() {
        "one_time" => Frequency::OneTime,
        "annual" => Frequency::Annual,
        "not_stated" => Frequency::NotStated,
        other => return Err(cx.err(&at, P::BadFrequency { value: other.to_string() })),
    };
    let mut conditions = pack.requires.to_vec();
    for (i, rc) in c.conditions.into_iter().enumerate() {
        conditions.push(compile_condition(cx, &format!("{at} conditions[{i}]"), rc, pack.facts)?);
    }
    let (formula, figure, note) = compile_formula(cx, &format!("{at} formula"), c.formula, pack.facts)?;
    for (i, city) in c.cities.iter().enumerate() {
        if !pack.cities.contains(city) || c.cities[..i].contains(city) {
            return Err(cx.err(&at, P::ClauseCityNotInPack { city: city.clone() }));
        }
    }
    let monetary = c.monetary.unwrap_or(true);
    if !monetary && !matches!(formula, Formula::None) {
        return Err(cx.err(&at, P::NonMonetaryWithFormula));
    }
    let citation = format!("《{}》{}：“{}”", pack.document, c.place, c.quote);
    let citation_json = serde_json::value::to_raw_value(&citation).map_err(|e| cx.err(&at, P::Json { detail: e.to_string() }))?;
    let per_company = compile_per_company(cx, &at, c.per_company)?;
    Ok(Clause {
        id: c.id,
        title: c.title,
        place_en: if c.place_en.is_empty() { c.place.clone() } else { c.place_en },
        place: c.place,
        quote: c.quote,
        frequency,
        attachments: c.attachments,
        interpretations: c.interpretations,
        conditions,
        formula,
        figure,
        formula_note: note,
        applicant: c.applicant,
        citation,
        citation_json,
        per_company,
        cities: c.cities,
        monetary,
    })
}

fn compile_per_company(cx: &Loading, at: &str, r: Option<RawPerCompany>) -> Result<Option<PerCompany>, PolicyError> {
    let Some(r) = r else { return Ok(None) };
    Ok(Some(match r.rule.as_str() {
        "once" if r.cap.is_none() => PerCompany::Once { quote: r.quote, interpretation: r.interpretation },
        "cap" => {
            let cap = r.cap.as_deref().ok_or_else(|| cx.err(at, P::CapRuleWithoutCap))?;
            PerCompany::Cap { cap: dec(cx, at, cap)?, quote: r.quote, interpretation: r.interpretation }
        }
        other => return Err(cx.err(at, P::BadPerCompanyRule { value: other.to_string() })),
    }))
}

fn compile_stacking(cx: &Loading, raw: Vec<RawStacking>, clauses: &[Clause]) -> Result<Vec<StackingGroup>, PolicyError> {
    let mut stacking = Vec::new();
    for s in raw {
        let at = format!("stacking {}", s.id);
        if s.clauses.len() < 2 {
            return Err(cx.err(&at, P::StackingTooFewClauses));
        }
        for id in &s.clauses {
            if !clauses.iter().any(|c| &c.id == id) {
                return Err(cx.err(&at, P::UnknownClause { id: id.clone() }));
            }
        }
        stacking.push(StackingGroup {
            id: s.id,
            clauses: s.clauses,
            quote: s.quote,
            place: s.place,
            place_en: s.place_en,
            interpretation: s.interpretation,
        });
    }
    Ok(stacking)
}

fn compile_case(cx: &Loading, rc: RawCase, clauses: &[Clause]) -> Result<Case, PolicyError> {
    let at = format!("case {:?}", rc.name);
    let facts_json = match serde_json::to_value(&rc.facts) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return Err(cx.err(&at, P::NotJsonObject { field: "facts" })),
    };
    let mut expect = BTreeMap::new();
    for (id, e) in rc.expect {
        if !clauses.iter().any(|c| c.id == id) {
            return Err(cx.err(&at, P::UnknownExpectedClause { id }));
        }
        if !matches!(e.status.as_str(), "eligible" | "ineligible" | "needs_input") {
            return Err(cx.err(&at, P::BadExpectStatus { clause: id }));
        }
        expect.insert(id, compile_expect(cx, &at, e)?);
    }
    Ok(Case {
        name: rc.name,
        year: rc.year,
        city: rc.city,
        district: rc.district,
        serious_dishonesty_listed: rc.serious_dishonesty_listed,
        facts: facts_json,
        history: serde_json::to_value(&rc.history).map_err(|e| cx.err(&at, P::Json { detail: e.to_string() }))?,
        previous_year_facts: match rc.previous_year_facts.map(|t| serde_json::to_value(&t)) {
            None => None,
            Some(Ok(serde_json::Value::Object(m))) => Some(m),
            Some(_) => return Err(cx.err(&at, P::NotJsonObject { field: "previous_year_facts" })),
        },
        expect,
    })
}

/// An expected result; "null" expects no value (not: no expectation).
fn compile_expect(cx: &Loading, at: &str, e: RawExpect) -> Result<Expect, PolicyError> {
    let opt_amount = |v: &Option<String>| -> Result<Option<Option<Decimal>>, PolicyError> {
        match v.as_deref() {
            None => Ok(None),
            Some("null") => Ok(Some(None)),
            Some(s) => Ok(Some(Some(dec(cx, at, s)?))),
        }
    };
    Ok(Expect {
        status: e.status,
        amount: opt_amount(&e.amount)?,
        amount_max: opt_amount(&e.amount_max)?,
        excluded_by: e.excluded_by.map(|s| if s == "null" { None } else { Some(s) }),
        missing: e.missing,
    })
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

fn compile_fact(cx: &Loading, at: &str, key: &str, f: RawFact, top: bool) -> Result<FactDef, PolicyError> {
    let kind = match f.kind.as_str() {
        "bool" => FactKind::Bool,
        "money" => FactKind::Money,
        "money_usd" => FactKind::MoneyUsd,
        "integer" => FactKind::Integer,
        "number" => FactKind::Number,
        "enum" => FactKind::Enum,
        "list" if top => FactKind::List,
        other => return Err(cx.err(at, P::UnknownFactType { kind: other.to_string() })),
    };
    let mut options = BTreeMap::new();
    let mut option_order = Vec::new();
    for (k, v) in f.options {
        let label = Text2::deserialize(v).map_err(|e| cx.err(format!("{at}.options.{k}"), P::BadOptionLabel { detail: e.to_string() }))?;
        option_order.push(k.clone());
        options.insert(k, label);
    }
    if kind == FactKind::Enum && options.is_empty() {
        return Err(cx.err(at, P::TypeNeeds { kind: "enum", key: "options" }));
    }
    if kind != FactKind::Enum && !options.is_empty() {
        return Err(cx.err(at, P::OnlyTypeHas { kind: "enum", key: "options" }));
    }
    let mut fields = BTreeMap::new();
    if kind == FactKind::List {
        if f.fields.is_empty() {
            return Err(cx.err(at, P::TypeNeeds { kind: "list", key: "fields" }));
        }
        for (k, sub) in f.fields {
            let def = compile_fact(cx, &format!("{at}.{k}"), &k, sub, false)?;
            fields.insert(k, def);
        }
    } else if !f.fields.is_empty() {
        return Err(cx.err(at, P::OnlyTypeHas { kind: "list", key: "fields" }));
    }
    if f.label.zh.trim().is_empty() {
        return Err(cx.err(at, P::MissingChineseLabel));
    }
    Ok(FactDef {
        key: key.to_string(),
        kind,
        unit: match f.unit {
            RawUnit::One(zh) => Text2 { zh, en: String::new() },
            RawUnit::Both(t) => t,
        },
        label: f.label,
        help: f.help,
        topic: f.topic,
        options,
        option_order,
        fields,
        read_as: None,
        source: f.source,
        part_of: f.part_of,
        previous_year_of: f.previous_year_of,
        carries_over: f.carries_over,
    })
}

fn numeric(kind: FactKind) -> bool {
    matches!(kind, FactKind::Money | FactKind::MoneyUsd | FactKind::Integer | FactKind::Number)
}

fn need_fact<'a>(cx: &Loading, at: &str, key: &str, facts: &'a BTreeMap<String, FactDef>) -> Result<&'a FactDef, PolicyError> {
    facts.get(key).ok_or_else(|| cx.err(at, P::UndefinedFact { key: key.to_string() }))
}

fn term_op(cx: &Loading, at: &str, op: Option<&str>, term: Option<&str>) -> Result<(Op, String), PolicyError> {
    let term = term.ok_or_else(|| cx.err(at, P::MissingTerm))?;
    let from_term = op_for_term(term).ok_or_else(|| cx.err(at, P::UnknownTerm { term: term.to_string() }))?;
    if let Some(op) = op {
        let given = match op {
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(cx.err(at, P::UnknownOp { op: other.to_string() })),
        };
        if given != from_term {
            return Err(cx.err(at, P::OpDisagreesWithTerm { op: op.to_string(), term: term.to_string(), expected: from_term }));
        }
    }
    Ok((from_term, term.to_string()))
}

fn compile_condition(cx: &Loading, at: &str, rc: RawCondition, facts: &BTreeMap<String, FactDef>) -> Result<Condition, PolicyError> {
    if let Some(all) = rc.all {
        return Ok(Condition::All { all: compile_group(cx, at, "all", all, facts)? });
    }
    if let Some(any) = rc.any {
        return Ok(Condition::Any { any: compile_group(cx, at, "any", any, facts)? });
    }
    if let Some(fact) = rc.switch {
        return compile_switch(cx, at, fact, rc.cases.unwrap_or_default(), facts);
    }
    let key = rc.fact.ok_or_else(|| cx.err(at, P::ConditionWithoutFact))?;
    let def = need_fact(cx, at, &key, facts)?;
    if let Some(prev) = rc.growth_over {
        let pdef = need_fact(cx, at, &prev, facts)?;
        if !numeric(def.kind) || !numeric(pdef.kind) {
            return Err(cx.err(at, P::GrowthNotNumeric));
        }
        let (op, term) = term_op(cx, at, rc.op.as_deref(), rc.term.as_deref())?;
        let rate = match rc.value {
            Some(toml::Value::String(s)) => dec(cx, at, &s)?,
            _ => return Err(cx.err(at, P::GrowthValueNotString)),
        };
        if rate > Decimal::from(100) {
            return Err(cx.err(at, P::GrowthTooLarge));
        }
        return Ok(Condition::Growth { fact: FactKey::new(key, facts), prev: FactKey::new(prev, facts), op, term, rate });
    }
    match def.kind {
        FactKind::Bool => {
            match rc.value {
                Some(toml::Value::Boolean(true)) | None => {}
                _ => return Err(cx.err(at, P::BoolValueNotTrue)),
            }
            Ok(Condition::IsTrue { fact: FactKey::new(key, facts), when_known: rc.when_known.unwrap_or(false) })
        }
        FactKind::Enum => {
            let values = rc.values.ok_or_else(|| cx.err(at, P::EnumConditionWithoutValues))?;
            for v in &values {
                if !def.options.contains_key(v) {
                    return Err(cx.err(at, P::NoSuchOption { fact: key.clone(), option: v.clone() }));
                }
            }
            Ok(Condition::OneOf { fact: FactKey::new(key, facts), values })
        }
        FactKind::List => Err(cx.err(at, P::ListFactInCondition)),
        _ => {
            let (op, term) = term_op(cx, at, rc.op.as_deref(), rc.term.as_deref())?;
            let value = match rc.value {
                Some(toml::Value::String(s)) => dec(cx, at, &s)?,
                _ => return Err(cx.err(at, P::CompareValueNotString)),
            };
            Ok(Condition::Compare { fact: FactKey::new(key, facts), op, term, value, when_known: rc.when_known.unwrap_or(false) })
        }
    }
}

/// The conditions of an `all` or `any` (`group`): at least one.
fn compile_group(
    cx: &Loading,
    at: &str,
    group: &'static str,
    raw: Vec<RawCondition>,
    facts: &BTreeMap<String, FactDef>,
) -> Result<Vec<Condition>, PolicyError> {
    let mut v = Vec::new();
    for (i, c) in raw.into_iter().enumerate() {
        v.push(compile_condition(cx, &format!("{at}.{group}[{i}]"), c, facts)?);
    }
    if v.is_empty() {
        return Err(cx.err(at, P::EmptyGroup { group }));
    }
    Ok(v)
}

/// Conditions by an enum fact's option.
fn compile_switch(
    cx: &Loading,
    at: &str,
    fact: String,
    raw: BTreeMap<String, Vec<RawCondition>>,
    facts: &BTreeMap<String, FactDef>,
) -> Result<Condition, PolicyError> {
    let def = need_fact(cx, at, &fact, facts)?;
    if def.kind != FactKind::Enum {
        return Err(cx.err(at, P::MustReferTo { field: "switch", kind: "enum" }));
    }
    let mut cases = BTreeMap::new();
    for (opt, conds) in raw {
        if !def.options.contains_key(&opt) {
            return Err(cx.err(at, P::NoSuchOption { fact: fact.clone(), option: opt }));
        }
        let mut v = Vec::new();
        for (i, c) in conds.into_iter().enumerate() {
            v.push(compile_condition(cx, &format!("{at}.cases.{opt}[{i}]"), c, facts)?);
        }
        cases.insert(opt, v);
    }
    if cases.is_empty() {
        return Err(cx.err(at, P::SwitchWithoutCases));
    }
    Ok(Condition::Switch { fact: FactKey::new(fact, facts), cases })
}

type Compiled = (Formula, Figure, Option<Text2>);

/// Award rates are proportions of a base: 0 < rate ≤ 1. This also keeps
/// every product inside `Decimal`'s range.
fn proportion(cx: &Loading, at: &str, rate: Decimal) -> Result<Decimal, PolicyError> {
    if rate.is_zero() || rate > Decimal::ONE {
        return Err(cx.err(at, P::RateOutOfRange { rate }));
    }
    Ok(rate)
}

fn compile_formula(cx: &Loading, at: &str, mut f: RawFormula, facts: &BTreeMap<String, FactDef>) -> Result<Compiled, PolicyError> {
    let figure = match f.figure.as_deref() {
        None | Some("exact") => Figure::Exact,
        Some("ceiling") => Figure::Ceiling,
        Some(other) => return Err(cx.err(at, P::BadFigure { value: other.to_string() })),
    };
    let note = f.note.take();
    let kind = std::mem::take(&mut f.kind);
    let fx = FormulaScope { cx, at, facts };
    let formula = match kind.as_str() {
        "none" => Formula::None,
        "fixed" => Formula::Fixed {
            amount: fx.opt_dec(&f.amount, "amount")?.ok_or_else(|| cx.err(at, P::FormulaNeeds { formula: "fixed", key: "amount" }))?,
        },
        "rate" if !f.parts.is_empty() => rate_of_parts_formula(&fx, f)?,
        "rate" => rate_formula(&fx, f)?,
        "tiers" => tiers_formula(&fx, f)?,
        "lookup" => lookup_formula(&fx, f)?,
        "items" => items_formula(&fx, f)?,
        other => return Err(cx.err(at, P::UnknownFormulaType { kind: other.to_string() })),
    };
    if matches!(formula, Formula::None) && figure == Figure::Ceiling {
        return Err(cx.err(at, P::CeilingWithoutAmount));
    }
    Ok((formula, figure, note))
}

/// What one formula is compiled against: its place in the file and the pack's facts.
struct FormulaScope<'c, 'a> {
    cx: &'c Loading<'a>,
    at: &'c str,
    facts: &'c BTreeMap<String, FactDef>,
}

impl FormulaScope<'_, '_> {
    /// An optional number, named by its key when wrong (`formula.cap`).
    fn opt_dec(&self, v: &Option<String>, what: &str) -> Result<Option<Decimal>, PolicyError> {
        v.as_deref().map(|s| dec(self.cx, &format!("{}.{what}", self.at), s)).transpose()
    }
    /// A rate: given, and a proportion.
    fn rate(&self, v: &Option<String>) -> Result<Decimal, PolicyError> {
        let rate = self.opt_dec(v, "rate")?.ok_or_else(|| self.cx.err(self.at, P::RateFormulaWithoutRate))?;
        proportion(self.cx, self.at, rate)
    }
    /// A declared numeric fact the formula computes on.
    fn numeric_fact(&self, key: &Option<String>, what: &'static str) -> Result<String, PolicyError> {
        let key = key.clone().ok_or_else(|| self.cx.err(self.at, P::MissingFormulaFact { what }))?;
        let def = need_fact(self.cx, self.at, &key, self.facts)?;
        if !numeric(def.kind) {
            return Err(self.cx.err(self.at, P::NotNumericFact { what, key }));
        }
        Ok(key)
    }
}

fn rate_of_parts_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
    let (cx, at, facts) = (fx.cx, fx.at, fx.facts);
    if f.base.is_some() {
        return Err(cx.err(at, P::BaseAndParts));
    }
    let mut parts = Vec::new();
    for (i, p) in f.parts.into_iter().enumerate() {
        let pat = format!("{at}.parts[{i}]");
        let base = fx.numeric_fact(&Some(p.base), "parts.base")?;
        if !matches!(facts[&base].kind, FactKind::Money) {
            return Err(cx.err(&pat, P::PartsBaseNotYuan));
        }
        let when = compile_condition(cx, &format!("{pat}.when"), p.when, facts)?;
        parts.push(Part { when, base: FactKey::new(base, facts) });
    }
    Ok(Formula::RateOfParts { parts, rate: fx.rate(&f.rate)?, cap: fx.opt_dec(&f.cap, "cap")?, cap_quote: f.cap_quote.unwrap_or_default() })
}

fn rate_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
    let (cx, at, facts) = (fx.cx, fx.at, fx.facts);
    let base = fx.numeric_fact(&f.base, "base")?;
    if matches!(facts[&base].kind, FactKind::MoneyUsd) {
        return Err(cx.err(at, P::DollarBase));
    }
    // A base that is a part of a total: the formula knows the total too.
    let whole = match facts[&base].part_of.clone() {
        Some(w) => {
            let wd = need_fact(cx, at, &w, facts)?;
            if wd.kind != facts[&base].kind {
                return Err(cx.err(at, P::BadPartOf { base, whole: w }));
            }
            Some(FactKey::new(w, facts))
        }
        None => None,
    };
    Ok(Formula::Rate {
        whole,
        base: FactKey::new(base, facts),
        rate: fx.rate(&f.rate)?,
        cap: fx.opt_dec(&f.cap, "cap")?,
        cap_quote: f.cap_quote.unwrap_or_default(),
    })
}

fn tiers_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
    let (cx, at, facts) = (fx.cx, fx.at, fx.facts);
    let fact = fx.numeric_fact(&f.fact, "fact")?;
    let (op, term) = term_op(cx, at, f.op.as_deref(), f.term.as_deref())?;
    let mut tiers: Vec<Tier> = Vec::new();
    for (i, t) in f.tiers.iter().enumerate() {
        let from = dec(cx, &format!("{at}.tiers[{i}].from"), &t.from)?;
        let amount = dec(cx, &format!("{at}.tiers[{i}].amount"), &t.amount)?;
        if let Some(prev) = tiers.last() {
            if from <= prev.from || amount < prev.amount {
                return Err(cx.err(at, P::TiersOutOfOrder));
            }
        }
        tiers.push(Tier { from, amount });
    }
    if tiers.is_empty() {
        return Err(cx.err(at, P::NoTiers));
    }
    Ok(Formula::Tiers { fact: FactKey::new(fact, facts), op, term, tiers })
}

fn lookup_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
    let (cx, at, facts) = (fx.cx, fx.at, fx.facts);
    let fact = f.fact.clone().ok_or_else(|| cx.err(at, P::FormulaNeeds { formula: "lookup", key: "fact" }))?;
    let def = need_fact(cx, at, &fact, facts)?;
    if def.kind != FactKind::Enum {
        return Err(cx.err(at, P::MustReferTo { field: "lookup", kind: "enum" }));
    }
    let mut table = BTreeMap::new();
    for (k, v) in &f.table {
        if !def.options.contains_key(k) {
            return Err(cx.err(at, P::NoSuchOption { fact: fact.clone(), option: k.clone() }));
        }
        table.insert(k.clone(), dec(cx, &format!("{at}.table.{k}"), v)?);
    }
    if table.is_empty() {
        return Err(cx.err(at, P::FormulaNeeds { formula: "lookup", key: "table" }));
    }
    Ok(Formula::Lookup { fact: FactKey::new(fact, facts), table })
}

fn items_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
    let (cx, at, facts) = (fx.cx, fx.at, fx.facts);
    let list = f.list.clone().ok_or_else(|| cx.err(at, P::FormulaNeeds { formula: "items", key: "list" }))?;
    let def = need_fact(cx, at, &list, facts)?;
    if def.kind != FactKind::List {
        return Err(cx.err(at, P::MustReferTo { field: "items", kind: "list" }));
    }
    let base = f.item_base.clone().ok_or_else(|| cx.err(at, P::FormulaNeeds { formula: "items", key: "item_base" }))?;
    match def.fields.get(&base) {
        Some(fd) if matches!(fd.kind, FactKind::Money) => {}
        _ => return Err(cx.err(at, P::BadItemBase { list })),
    }
    let mut conditions = Vec::new();
    for (i, c) in f.item_conditions.into_iter().enumerate() {
        conditions.push(item_condition(cx, &format!("{at}.item_conditions[{i}]"), c, def, &list)?);
    }
    Ok(Formula::Items {
        list: FactKey::new(list, facts),
        conditions,
        base,
        rate: proportion(cx, at, fx.opt_dec(&f.rate, "rate")?.unwrap_or(Decimal::ONE))?,
        item_cap: fx.opt_dec(&f.item_cap, "item_cap")?,
        item_cap_quote: f.item_cap_quote.unwrap_or_default(),
        cap: fx.opt_dec(&f.cap, "cap")?,
        cap_quote: f.cap_quote.unwrap_or_default(),
    })
}

/// A comparison on a numeric field of each item of `list` (`def`).
fn item_condition(cx: &Loading, at: &str, c: RawCondition, def: &FactDef, list: &str) -> Result<ItemCondition, PolicyError> {
    let field = c.field.ok_or_else(|| cx.err(at, P::ItemConditionWithoutField))?;
    match def.fields.get(&field) {
        Some(fd) if numeric(fd.kind) => {}
        _ => return Err(cx.err(at, P::NoNumericField { list: list.to_string(), field })),
    }
    let (op, term) = term_op(cx, at, c.op.as_deref(), c.term.as_deref())?;
    let value = match c.value {
        Some(toml::Value::String(s)) => dec(cx, at, &s)?,
        _ => return Err(cx.err(at, P::ItemValueNotString)),
    };
    Ok(ItemCondition { field, op, term, value })
}

/// Check that packs loaded together agree on shared fact keys and have
/// distinct ids and clause ids.
pub fn check_set(packs: &[Pack]) -> Result<(), PolicyError> {
    let mut seen_fact: HashMap<&str, (&str, FactKind)> = HashMap::new();
    let mut seen_clause: HashMap<&str, &str> = HashMap::new();
    for (i, p) in packs.iter().enumerate() {
        if packs[..i].iter().any(|q| q.id == p.id) {
            return Err(PolicyError { file: p.id.clone(), at: String::new(), problem: P::DuplicatePack });
        }
        for (k, f) in &p.facts {
            if let Some((other, kind)) = seen_fact.get(k.as_str()) {
                if *kind != f.kind {
                    return Err(PolicyError {
                        file: p.id.clone(),
                        at: format!("facts.{k}"),
                        problem: P::FactTypeConflict { other_pack: other.to_string() },
                    });
                }
            } else {
                seen_fact.insert(k, (&p.id, f.kind));
            }
        }
        for c in &p.clauses {
            if let Some(other) = seen_clause.insert(&c.id, &p.id) {
                return Err(PolicyError {
                    file: p.id.clone(),
                    at: format!("clause {}", c.id),
                    problem: P::ClauseIdTaken { other_pack: other.to_string() },
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_terms_follow_the_drafting_convention() {
        for t in ["以上", "达到", "不少于", "届满"] {
            assert_eq!(op_for_term(t), Some(Op::Ge), "{t}");
        }
        for t in ["以下", "以内", "不超过"] {
            assert_eq!(op_for_term(t), Some(Op::Le), "{t}");
        }
        for t in ["超过", "突破"] {
            assert_eq!(op_for_term(t), Some(Op::Gt), "{t}");
        }
        for t in ["不满", "以外"] {
            assert_eq!(op_for_term(t), Some(Op::Lt), "{t}");
        }
        assert_eq!(op_for_term("大约"), None);
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(Op::Ge.holds(d("150"), d("150")) && !Op::Gt.holds(d("150"), d("150")));
        assert!(Op::Gt.holds(d("3000.01"), d("3000")) && !Op::Lt.holds(d("150"), d("150")));
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2023-02-14"), Some(Date { y: 2023, m: 2, d: 14 }));
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("2023-02"), None);
        assert_eq!(Date::parse("x"), None);
        assert!(Date::parse("2025-01-01") > Date::parse("2024-12-31"));
        // Real calendar dates only.
        assert_eq!(Date::parse("2025-02-31"), None);
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2024-02-29"), Some(Date { y: 2024, m: 2, d: 29 }));
        assert_eq!(Date::parse("1900-02-29"), None);
        assert_eq!(Date::parse("2000-02-29"), Some(Date { y: 2000, m: 2, d: 29 }));
        assert_eq!(Date::parse("2025-04-31"), None);
        assert_eq!(Date::parse("2025-12-31"), Some(Date { y: 2025, m: 12, d: 31 }));
    }

    #[test]
    fn rates_must_be_proportions() {
        let text = crate::BUNDLED_POLICIES[0].1.replace(r#"rate = "0.50", cap = "100000""#, r#"rate = "50", cap = "100000""#);
        let e = load_pack("x.toml", &text).unwrap_err();
        assert!(matches!(e.problem, P::RateOutOfRange { .. }), "{e}");
    }

    #[test]
    fn unknown_fields_in_policy_files_are_errors() {
        let text = crate::BUNDLED_POLICIES[0].1.replace("frequency = \"one_time\"", "frequncy = \"one_time\"");
        let e = load_pack("x.toml", &text).unwrap_err();
        assert!(matches!(&e.problem, P::TomlSyntax { message, .. } if message.contains("frequncy")), "{e}");
    }

    /// One example of every kind of problem, with ASCII data.
    fn every_problem() -> Vec<PolicyProblem> {
        let s = |x: &str| x.to_string();
        vec![
            P::TomlSyntax { line: 3, message: s("expected `=`") },
            P::NotNonNegativeDecimal { text: s("-1") },
            P::Json { detail: s("key must be a string") },
            P::NotJsonObject { field: "facts" },
            P::BadPackId { id: s("Bad Id") },
            P::BadDate,
            P::ValidityEndsBeforeStart,
            P::DraftWithoutQuote,
            P::DuplicateRegion { region: s("north") },
            P::EmptyOrDuplicateCity { city: s("") },
            P::NoRegion,
            P::DistrictsAndCities,
            P::NotPackCity { city: s("elsewhere") },
            P::NotPackRegion { region: s("elsewhere") },
            P::BadDivisionCode { place: Some(s("north")), code: s("12") },
            P::BadDivisionCode { place: None, code: s("12") },
            P::AliasNotApplicableDistrict { alias: s("n"), district: s("north") },
            P::BadAlias { alias: s("north") },
            P::ExclusionNotBool { fact: s("revenue") },
            P::ExclusionUndeclared { fact: s("listed") },
            P::BadFactKey,
            P::UnknownFactType { kind: s("date") },
            P::BadOptionLabel { detail: s("missing field `zh`") },
            P::TypeNeeds { kind: "enum", key: "options" },
            P::OnlyTypeHas { kind: "list", key: "fields" },
            P::MissingChineseLabel,
            P::UndefinedTopic { topic: s("trade") },
            P::BadPreviousYearOf { source: s("revenue") },
            P::BadReadAsTarget { option: s("a"), target: s("revenue") },
            P::UndefinedFact { key: s("revenue") },
            P::MustReferTo { field: "switch", kind: "enum" },
            P::NoSuchOption { fact: s("size"), option: s("huge") },
            P::EmptyGroup { group: "all" },
            P::SwitchWithoutCases,
            P::ConditionWithoutFact,
            P::GrowthNotNumeric,
            P::GrowthValueNotString,
            P::GrowthTooLarge,
            P::BoolValueNotTrue,
            P::EnumConditionWithoutValues,
            P::ListFactInCondition,
            P::CompareValueNotString,
            P::MissingTerm,
            P::UnknownTerm { term: s("about") },
            P::UnknownOp { op: s("eq") },
            P::OpDisagreesWithTerm { op: s("gt"), term: s("over"), expected: Op::Ge },
            P::BadClauseId,
            P::DuplicateClause,
            P::MissingQuote,
            P::BadFrequency { value: s("monthly") },
            P::ClauseCityNotInPack { city: s("elsewhere") },
            P::NonMonetaryWithFormula,
            P::CapRuleWithoutCap,
            P::BadPerCompanyRule { value: s("twice") },
            P::BadFigure { value: s("floor") },
            P::UnknownFormulaType { kind: s("sum") },
            P::FormulaNeeds { formula: "lookup", key: "table" },
            P::RateFormulaWithoutRate,
            P::MissingFormulaFact { what: "base" },
            P::NotNumericFact { what: "base", key: s("listed") },
            P::RateOutOfRange { rate: Decimal::from(50) },
            P::BaseAndParts,
            P::PartsBaseNotYuan,
            P::DollarBase,
            P::BadPartOf { base: s("export"), whole: s("listed") },
            P::TiersOutOfOrder,
            P::NoTiers,
            P::BadItemBase { list: s("fairs") },
            P::ItemConditionWithoutField,
            P::NoNumericField { list: s("fairs"), field: s("name") },
            P::ItemValueNotString,
            P::CeilingWithoutAmount,
            P::StackingTooFewClauses,
            P::UnknownClause { id: s("a.b") },
            P::TooManyStackedClauses { count: 21, limit: 20 },
            P::UnknownExpectedClause { id: s("a.b") },
            P::BadExpectStatus { clause: s("a.b") },
            P::DuplicatePack,
            P::FactTypeConflict { other_pack: s("other-2024") },
            P::ClauseIdTaken { other_pack: s("other-2024") },
        ]
    }

    /// The number of kinds: the arms of `kind`.
    const KINDS: usize = 79;

    /// Each kind's name. Exhaustive on purpose: a new kind fails to compile
    /// here until it is named (and `KINDS` counts it), and then the test
    /// fails until `every_problem` has an example.
    fn kind(p: &PolicyProblem) -> &'static str {
        match p {
            P::TomlSyntax { .. } => "TomlSyntax",
            P::NotNonNegativeDecimal { .. } => "NotNonNegativeDecimal",
            P::Json { .. } => "Json",
            P::NotJsonObject { .. } => "NotJsonObject",
            P::BadPackId { .. } => "BadPackId",
            P::BadDate => "BadDate",
            P::ValidityEndsBeforeStart => "ValidityEndsBeforeStart",
            P::DraftWithoutQuote => "DraftWithoutQuote",
            P::DuplicateRegion { .. } => "DuplicateRegion",
            P::EmptyOrDuplicateCity { .. } => "EmptyOrDuplicateCity",
            P::NoRegion => "NoRegion",
            P::DistrictsAndCities => "DistrictsAndCities",
            P::NotPackCity { .. } => "NotPackCity",
            P::NotPackRegion { .. } => "NotPackRegion",
            P::BadDivisionCode { .. } => "BadDivisionCode",
            P::AliasNotApplicableDistrict { .. } => "AliasNotApplicableDistrict",
            P::BadAlias { .. } => "BadAlias",
            P::ExclusionNotBool { .. } => "ExclusionNotBool",
            P::ExclusionUndeclared { .. } => "ExclusionUndeclared",
            P::BadFactKey => "BadFactKey",
            P::UnknownFactType { .. } => "UnknownFactType",
            P::BadOptionLabel { .. } => "BadOptionLabel",
            P::TypeNeeds { .. } => "TypeNeeds",
            P::OnlyTypeHas { .. } => "OnlyTypeHas",
            P::MissingChineseLabel => "MissingChineseLabel",
            P::UndefinedTopic { .. } => "UndefinedTopic",
            P::BadPreviousYearOf { .. } => "BadPreviousYearOf",
            P::BadReadAsTarget { .. } => "BadReadAsTarget",
            P::UndefinedFact { .. } => "UndefinedFact",
            P::MustReferTo { .. } => "MustReferTo",
            P::NoSuchOption { .. } => "NoSuchOption",
            P::EmptyGroup { .. } => "EmptyGroup",
            P::SwitchWithoutCases => "SwitchWithoutCases",
            P::ConditionWithoutFact => "ConditionWithoutFact",
            P::GrowthNotNumeric => "GrowthNotNumeric",
            P::GrowthValueNotString => "GrowthValueNotString",
            P::GrowthTooLarge => "GrowthTooLarge",
            P::BoolValueNotTrue => "BoolValueNotTrue",
            P::EnumConditionWithoutValues => "EnumConditionWithoutValues",
            P::ListFactInCondition => "ListFactInCondition",
            P::CompareValueNotString => "CompareValueNotString",
            P::MissingTerm => "MissingTerm",
            P::UnknownTerm { .. } => "UnknownTerm",
            P::UnknownOp { .. } => "UnknownOp",
            P::OpDisagreesWithTerm { .. } => "OpDisagreesWithTerm",
            P::BadClauseId => "BadClauseId",
            P::DuplicateClause => "DuplicateClause",
            P::MissingQuote => "MissingQuote",
            P::BadFrequency { .. } => "BadFrequency",
            P::ClauseCityNotInPack { .. } => "ClauseCityNotInPack",
            P::NonMonetaryWithFormula => "NonMonetaryWithFormula",
            P::CapRuleWithoutCap => "CapRuleWithoutCap",
            P::BadPerCompanyRule { .. } => "BadPerCompanyRule",
            P::BadFigure { .. } => "BadFigure",
            P::UnknownFormulaType { .. } => "UnknownFormulaType",
            P::FormulaNeeds { .. } => "FormulaNeeds",
            P::RateFormulaWithoutRate => "RateFormulaWithoutRate",
            P::MissingFormulaFact { .. } => "MissingFormulaFact",
            P::NotNumericFact { .. } => "NotNumericFact",
            P::RateOutOfRange { .. } => "RateOutOfRange",
            P::BaseAndParts => "BaseAndParts",
            P::PartsBaseNotYuan => "PartsBaseNotYuan",
            P::DollarBase => "DollarBase",
            P::BadPartOf { .. } => "BadPartOf",
            P::TiersOutOfOrder => "TiersOutOfOrder",
            P::NoTiers => "NoTiers",
            P::BadItemBase { .. } => "BadItemBase",
            P::ItemConditionWithoutField => "ItemConditionWithoutField",
            P::NoNumericField { .. } => "NoNumericField",
            P::ItemValueNotString => "ItemValueNotString",
            P::CeilingWithoutAmount => "CeilingWithoutAmount",
            P::StackingTooFewClauses => "StackingTooFewClauses",
            P::UnknownClause { .. } => "UnknownClause",
            P::TooManyStackedClauses { .. } => "TooManyStackedClauses",
            P::UnknownExpectedClause { .. } => "UnknownExpectedClause",
            P::BadExpectStatus { .. } => "BadExpectStatus",
            P::DuplicatePack => "DuplicatePack",
            P::FactTypeConflict { .. } => "FactTypeConflict",
            P::ClauseIdTaken { .. } => "ClauseIdTaken",
        }
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| {
            matches!(c, '\u{2E80}'..='\u{303F}' | '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
        })
    }

    #[test]
    fn every_problem_reads_in_both_languages() {
        let all = every_problem();
        let kinds: std::collections::BTreeSet<&str> = all.iter().map(kind).collect();
        assert_eq!(kinds.len(), KINDS, "an example of every kind");
        for p in &all {
            let e = PolicyError { file: "x.toml".into(), at: "clause a formula".into(), problem: p.clone() };
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            assert_eq!(zh, e.to_string(), "Display is the Chinese");
            for m in [&zh, &en] {
                assert!(!m.contains('\n') && !m.contains('\r'), "one line: {m}");
                assert!(m.starts_with("x.toml: clause a formula: ") && m.len() > "x.toml: clause a formula: ".len(), "{m}");
            }
            assert!(!has_cjk(&en), "English with ASCII data has no Chinese: {en}");
            if !matches!(p, P::Json { .. }) {
                assert_ne!(zh, en, "{p:?}");
            }
        }
        // Data in Chinese, such as a clause's own terms, is quoted as it is.
        let term = P::OpDisagreesWithTerm { op: "gt".into(), term: "以上".into(), expected: Op::Ge };
        assert_eq!(term.message(Lang::En), "op gt disagrees with the original's word \"以上\" (by convention 以上 means ≥)");
    }

    #[test]
    fn chinese_wording_is_unchanged() {
        let e = |at: &str, problem| PolicyError { file: "x.toml".into(), at: at.into(), problem };
        let cases = [
            (e("", P::TomlSyntax { line: 3, message: "expected `=`".into() }), "x.toml: 第3行: TOML 格式错误: expected `=`"),
            (e("clause a", P::NotNonNegativeDecimal { text: "-1".into() }), "x.toml: clause a: 不是非负的十进制数: \"-1\""),
            (e("pack.id", P::BadPackId { id: "Bad Id".into() }), "x.toml: pack.id: id 只能含小写字母、数字、'-'、'.'、'_': \"Bad Id\""),
            (e("pack.valid_to", P::BadDate), "x.toml: pack.valid_to: 日期应为 YYYY-MM-DD"),
            (
                e("pack.regions.codes", P::BadDivisionCode { place: Some("北区".into()), code: "12".into() }),
                "x.toml: pack.regions.codes: 北区 的行政区划代码应为 6 位数字: \"12\"",
            ),
            (
                e("pack.regions.city_code", P::BadDivisionCode { place: None, code: "12".into() }),
                "x.toml: pack.regions.city_code: 行政区划代码应为 6 位数字: \"12\"",
            ),
            (
                e("facts.size.options.a", P::BadOptionLabel { detail: "missing field `zh`".into() }),
                "x.toml: facts.size.options.a: 选项标签应为 { zh = \"…\", en = \"…\" }: missing field `zh`",
            ),
            (e("facts.size", P::TypeNeeds { kind: "enum", key: "options" }), "x.toml: facts.size: enum 类型须列出 options"),
            (e("facts.size", P::OnlyTypeHas { kind: "list", key: "fields" }), "x.toml: facts.size: 只有 list 类型可以有 fields"),
            (e("clause a formula", P::MustReferTo { field: "items", kind: "list" }), "x.toml: clause a formula: items 须引用 list 事实"),
            (e("clause a formula", P::FormulaNeeds { formula: "fixed", key: "amount" }), "x.toml: clause a formula: fixed 须有 amount"),
            (e("clause a formula", P::RateFormulaWithoutRate), "x.toml: clause a formula: rate 公式须有 rate"),
            (e("clause a conditions[0]", P::MissingTerm), "x.toml: clause a conditions[0]: 比较须写明原文用语 term（如 超过、以上、达到）"),
            (
                e("clause a conditions[0]", P::OpDisagreesWithTerm { op: "gt".into(), term: "以上".into(), expected: Op::Ge }),
                "x.toml: clause a conditions[0]: op gt 与原文用语 \"以上\" 不一致（按惯例 以上 应为 ≥）",
            ),
            (
                e("clause a", P::BadFrequency { value: "monthly".into() }),
                "x.toml: clause a: frequency 应为 one_time、annual 或 not_stated，而不是 \"monthly\"",
            ),
            (
                e("clause a formula", P::RateOutOfRange { rate: Decimal::from(50) }),
                "x.toml: clause a formula: 比例 rate 应大于 0 且不超过 1，而不是 50",
            ),
            (
                e("stacking", P::TooManyStackedClauses { count: 21, limit: STACKING_LIMIT }),
                "x.toml: stacking: 叠加规则共涉及 21 个条款，超过上限 20（取最优组合须穷举，条款过多无法在可接受时间内算完）",
            ),
            (
                e("case \"a\"", P::BadExpectStatus { clause: "a.b".into() }),
                "x.toml: case \"a\": a.b: status 应为 eligible/ineligible/needs_input",
            ),
            (e("", P::DuplicatePack), "x.toml: 政策包 id 重复"),
            (e("clause a", P::ClauseIdTaken { other_pack: "p2".into() }), "x.toml: clause a: 条款 id 与政策包 p2 重复"),
        ];
        for (err, old) in cases {
            assert_eq!(err.to_string(), old);
        }
        // And as loaded: a syntax error reads as it did, in both languages.
        let e = load_pack("x.toml", "[pack]\nid = \n").unwrap_err();
        assert!(e.to_string().starts_with("x.toml: 第2行: TOML 格式错误: "), "{e}");
        assert!(e.message(Lang::En).starts_with("x.toml: line 2: TOML syntax error: "), "{e}");
    }
}

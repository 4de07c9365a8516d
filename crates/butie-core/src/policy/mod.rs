//! The policy model: what a policy file in `policies/` says, read with serde
//! and then checked into a compiled form the engine can trust.
//!
//! A pack is one policy document. Its clauses quote the text they implement,
//! name the facts they need, and state conditions and a formula as data. The
//! engine knows the *kinds* of formula and condition; it knows nothing about
//! any particular policy.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

mod error;
mod load;

pub use error::*;
pub use load::*;

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
    /// The materials' names in English, by their Chinese name.
    #[serde(default)]
    materials_en: BTreeMap<String, String>,
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
    /// The English names of the pack's cities (台州市 → “Taizhou
    /// (Zhejiang)”), so that two cities read alike in pinyin stay apart.
    #[serde(default)]
    names_en: BTreeMap<String, String>,
    /// Materials that are one document of the applicant whichever clause
    /// asks for it (营业执照复印件): kept once per company and year.
    #[serde(default)]
    shared_materials: Vec<SharedMaterial>,
}

/// A material that is one document of the applicant whichever clause asks
/// for it: attached once per company and year, serving every clause whose
/// `attachments` name it (by `name` or one of `also`, the other names
/// clauses give the same document), listed once in the packet.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SharedMaterial {
    pub name: String,
    #[serde(default)]
    pub also: Vec<String>,
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
    /// In the file's order (the order the window's list columns follow).
    #[serde(deserialize_with = "ordered_fields")]
    fields: Vec<(String, RawFact)>,
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
    /// A cost that cannot sensibly exceed another money fact (a fee above
    /// the company's whole trade): typed that large, the window asks once
    /// whether the unit is right (see `sense`). Never a refusal.
    #[serde(default)]
    within: Option<String>,
}

/// A list fact's fields as the file lists them (a map keeps no order).
fn ordered_fields<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, RawFact)>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, RawFact)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a table of fields")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
            let mut v = Vec::new();
            while let Some(entry) = m.next_entry()? {
                v.push(entry);
            }
            Ok(v)
        }
    }
    d.deserialize_map(Entries)
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
    /// A measure whose terms each county sets: applied for locally, so no
    /// city-level 申报表 is written; the words say where to apply.
    #[serde(default)]
    applied_locally: Option<Text2>,
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
    /// The field keys in the policy file's order.
    pub field_order: Vec<String>,
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
    /// The money fact this cost is expected to stay within (the sense check).
    pub within: Option<String>,
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

/// A city's name in English as the packs give it (台州市 → “Taizhou
/// (Zhejiang)”); the Chinese name where no pack gives one.
pub fn city_en<'a>(packs: impl IntoIterator<Item = &'a Pack>, city: &'a str) -> &'a str {
    packs.into_iter().find_map(|p| p.names_en.get(city)).map_or(city, String::as_str)
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
    /// Set for a measure each county sets the terms of: where to apply (no
    /// city-level application form is written for it).
    pub applied_locally: Option<Text2>,
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
    /// The English names of its cities (see `RawPack::names_en`).
    pub names_en: BTreeMap<String, String>,
    /// The materials' names in English, by their Chinese name (the window
    /// in English shows these; forms and packets stay in Chinese).
    pub materials_en: BTreeMap<String, String>,
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
    /// Materials kept once per company and year for every clause naming them.
    pub shared_materials: Vec<SharedMaterial>,
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
    /// The shared document a material of this pack's clauses stands for
    /// (its `name`), when the pack declares it one of `shared_materials`.
    pub fn shared_material(&self, item: &str) -> Option<&str> {
        self.shared_materials.iter().find(|m| m.name == item || m.also.iter().any(|a| a == item)).map(|m| m.name.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;
    use PolicyProblem as P;

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
            P::BadWithin { whole: s("revenue") },
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
            P::UnlistedSharedMaterial { name: s("licence copy") },
            P::TooManyStackedClauses { count: 21, limit: 20 },
            P::UnknownExpectedClause { id: s("a.b") },
            P::BadExpectStatus { clause: s("a.b") },
            P::DuplicatePack,
            P::FactTypeConflict { other_pack: s("other-2024") },
            P::ClauseIdTaken { other_pack: s("other-2024") },
        ]
    }

    /// The number of kinds: the arms of `kind`.
    const KINDS: usize = 81;

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
            P::BadWithin { .. } => "BadWithin",
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
            P::UnlistedSharedMaterial { .. } => "UnlistedSharedMaterial",
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

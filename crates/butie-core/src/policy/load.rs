//! Loading a policy file: the TOML read into the raw form, then compiled
//! (checked and resolved) into a `Pack`, step by step; `check_set` for packs
//! loaded together.

use super::*;
use crate::money::parse_non_negative;
use rust_decimal::Decimal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use PolicyProblem as P;

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

pub(super) fn dec(cx: &Loading, at: &str, s: &str) -> Result<Decimal, PolicyError> {
    parse_non_negative(s, 10).map_err(|_| cx.err(at, P::NotNonNegativeDecimal { text: s.to_string() }))
}

pub(super) fn compile(cx: &Loading, raw: RawFile, content_hash: String) -> Result<Pack, PolicyError> {
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
    for (i, m) in p.shared_materials.iter().enumerate() {
        for name in std::iter::once(&m.name).chain(&m.also) {
            if !clauses.iter().any(|c| c.attachments.contains(name)) {
                return Err(cx.err(format!("pack.shared_materials[{i}]"), P::UnlistedSharedMaterial { name: name.clone() }));
            }
        }
    }
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
        names_en: p.names_en,
        district_codes: p.regions.codes,
        district_aliases,
        exclusion_fact,
        exclusion_quote,
        exclusion_reason,
        stacking_principle: p.stacking_principle,
        application: p.application,
        shared_materials: p.shared_materials,
        topics: raw.topics,
        materials_en: raw.materials_en,
        facts,
        clauses,
        stacking,
        stacking_of,
        cases,
        alternates: Vec::new(),
    })
}

pub(super) fn compile_term(cx: &Loading, p: &RawPack) -> Result<(Date, Date), PolicyError> {
    // Versions are dates (the newest is the one in use, so they must compare
    // as dates): one rule for a bundled pack, a policy folder and an import.
    if p.version.len() != 10 || Date::parse(&p.version).is_none() {
        return Err(cx.err("pack.version", P::BadDate));
    }
    let valid_from = Date::parse(&p.valid_from).ok_or_else(|| cx.err("pack.valid_from", P::BadDate))?;
    let valid_to = Date::parse(&p.valid_to).ok_or_else(|| cx.err("pack.valid_to", P::BadDate))?;
    if valid_to < valid_from {
        return Err(cx.err("pack.valid_to", P::ValidityEndsBeforeStart));
    }
    Ok((valid_from, valid_to))
}

/// Where a pack applies: its districts (or none, for whole cities), its
/// cities, and the codes of those cities.
pub(super) struct Regions {
    pub(super) regions: Vec<(String, RegionRole)>,
    pub(super) cities: Vec<String>,
    pub(super) city_codes: BTreeMap<String, String>,
}

pub(super) fn compile_regions(cx: &Loading, p: &RawPack) -> Result<Regions, PolicyError> {
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
pub(super) fn six_digits(c: &str) -> bool {
    c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn compile_draft(cx: &Loading, note: Option<Text2>, quote: Option<String>) -> Result<Option<Draft>, PolicyError> {
    match (note, quote) {
        (Some(note), Some(quote)) if !quote.trim().is_empty() => Ok(Some(Draft { note, quote })),
        (None, None) => Ok(None),
        _ => Err(cx.err("pack.draft", P::DraftWithoutQuote)),
    }
}

/// The district codes and other names refer to the pack's own districts.
pub(super) fn check_region_codes(cx: &Loading, r: &RawRegions, regions: &[(String, RegionRole)]) -> Result<(), PolicyError> {
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

pub(super) fn compile_facts(
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
        if let Some(whole) = &def.within {
            match facts.get(whole) {
                Some(d) if d.kind == def.kind && matches!(d.kind, FactKind::Money | FactKind::MoneyUsd) && whole != key => {}
                _ => return Err(cx.err(format!("facts.{key}"), P::BadWithin { whole: whole.clone() })),
            }
        }
    }
    // Old facts name their replacements, which are all declared by now.
    for (key, r) in read_as {
        resolve_read_as(cx, &key, r, &mut facts)?;
    }
    Ok(facts)
}

pub(super) fn resolve_read_as(cx: &Loading, key: &str, r: RawReadAs, facts: &mut BTreeMap<String, FactDef>) -> Result<(), PolicyError> {
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

pub(super) type Exclusion = (Option<FactKey>, String, Text2);

pub(super) fn compile_exclusion(
    cx: &Loading,
    e: Option<RawExclusion>,
    facts: &BTreeMap<String, FactDef>,
) -> Result<Exclusion, PolicyError> {
    let Some(e) = e else { return Ok((None, String::new(), Text2::default())) };
    match facts.get(&e.fact) {
        Some(d) if d.kind == FactKind::Bool => {}
        Some(_) => return Err(cx.err("pack.exclusion.fact", P::ExclusionNotBool { fact: e.fact })),
        None => return Err(cx.err("pack.exclusion.fact", P::ExclusionUndeclared { fact: e.fact })),
    }
    Ok((Some(FactKey::new(e.fact, facts)), e.quote, e.reason))
}

/// What every clause of a pack is compiled against.
pub(super) struct PackScope<'p> {
    /// The pack's shared conditions, put before each clause's own.
    pub(super) requires: &'p [Condition],
    pub(super) facts: &'p BTreeMap<String, FactDef>,
    /// The document's title, for citations.
    pub(super) document: &'p str,
    /// The pack's whole cities (empty for a one-city pack).
    pub(super) cities: &'p [String],
}

pub(super) fn compile_clause(cx: &Loading, c: RawClause, pack: &PackScope, earlier: &[Clause]) -> Result<Clause, PolicyError> {
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
        applied_locally: c.applied_locally,
        applicant: c.applicant,
        citation,
        citation_json,
        per_company,
        cities: c.cities,
        monetary,
    })
}

pub(super) fn compile_per_company(cx: &Loading, at: &str, r: Option<RawPerCompany>) -> Result<Option<PerCompany>, PolicyError> {
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

pub(super) fn compile_stacking(cx: &Loading, raw: Vec<RawStacking>, clauses: &[Clause]) -> Result<Vec<StackingGroup>, PolicyError> {
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

pub(super) fn compile_case(cx: &Loading, rc: RawCase, clauses: &[Clause]) -> Result<Case, PolicyError> {
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
pub(super) fn compile_expect(cx: &Loading, at: &str, e: RawExpect) -> Result<Expect, PolicyError> {
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

pub(super) fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

pub(super) fn compile_fact(cx: &Loading, at: &str, key: &str, f: RawFact, top: bool) -> Result<FactDef, PolicyError> {
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
    let mut field_order = Vec::new();
    if kind == FactKind::List {
        if f.fields.is_empty() {
            return Err(cx.err(at, P::TypeNeeds { kind: "list", key: "fields" }));
        }
        for (k, sub) in f.fields {
            let def = compile_fact(cx, &format!("{at}.{k}"), &k, sub, false)?;
            field_order.push(k.clone());
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
        field_order,
        read_as: None,
        source: f.source,
        part_of: f.part_of,
        previous_year_of: f.previous_year_of,
        carries_over: f.carries_over,
        within: f.within,
    })
}

pub(super) fn numeric(kind: FactKind) -> bool {
    matches!(kind, FactKind::Money | FactKind::MoneyUsd | FactKind::Integer | FactKind::Number)
}

pub(super) fn need_fact<'a>(cx: &Loading, at: &str, key: &str, facts: &'a BTreeMap<String, FactDef>) -> Result<&'a FactDef, PolicyError> {
    facts.get(key).ok_or_else(|| cx.err(at, P::UndefinedFact { key: key.to_string() }))
}

pub(super) fn term_op(cx: &Loading, at: &str, op: Option<&str>, term: Option<&str>) -> Result<(Op, String), PolicyError> {
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

pub(super) fn compile_condition(
    cx: &Loading,
    at: &str,
    rc: RawCondition,
    facts: &BTreeMap<String, FactDef>,
) -> Result<Condition, PolicyError> {
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
pub(super) fn compile_group(
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
pub(super) fn compile_switch(
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

pub(super) type Compiled = (Formula, Figure, Option<Text2>);

/// Award rates are proportions of a base: 0 < rate ≤ 1. This also keeps
/// every product inside `Decimal`'s range.
pub(super) fn proportion(cx: &Loading, at: &str, rate: Decimal) -> Result<Decimal, PolicyError> {
    if rate.is_zero() || rate > Decimal::ONE {
        return Err(cx.err(at, P::RateOutOfRange { rate }));
    }
    Ok(rate)
}

pub(super) fn compile_formula(
    cx: &Loading,
    at: &str,
    mut f: RawFormula,
    facts: &BTreeMap<String, FactDef>,
) -> Result<Compiled, PolicyError> {
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
pub(super) struct FormulaScope<'c, 'a> {
    pub(super) cx: &'c Loading<'a>,
    pub(super) at: &'c str,
    pub(super) facts: &'c BTreeMap<String, FactDef>,
}

impl FormulaScope<'_, '_> {
    /// An optional number, named by its key when wrong (`formula.cap`).
    pub(super) fn opt_dec(&self, v: &Option<String>, what: &str) -> Result<Option<Decimal>, PolicyError> {
        v.as_deref().map(|s| dec(self.cx, &format!("{}.{what}", self.at), s)).transpose()
    }
    /// A rate: given, and a proportion.
    pub(super) fn rate(&self, v: &Option<String>) -> Result<Decimal, PolicyError> {
        let rate = self.opt_dec(v, "rate")?.ok_or_else(|| self.cx.err(self.at, P::RateFormulaWithoutRate))?;
        proportion(self.cx, self.at, rate)
    }
    /// A declared numeric fact the formula computes on.
    pub(super) fn numeric_fact(&self, key: &Option<String>, what: &'static str) -> Result<String, PolicyError> {
        let key = key.clone().ok_or_else(|| self.cx.err(self.at, P::MissingFormulaFact { what }))?;
        let def = need_fact(self.cx, self.at, &key, self.facts)?;
        if !numeric(def.kind) {
            return Err(self.cx.err(self.at, P::NotNumericFact { what, key }));
        }
        Ok(key)
    }
}

pub(super) fn rate_of_parts_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
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

pub(super) fn rate_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
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

pub(super) fn tiers_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
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

pub(super) fn lookup_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
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

pub(super) fn items_formula(fx: &FormulaScope, f: RawFormula) -> Result<Formula, PolicyError> {
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
pub(super) fn item_condition(cx: &Loading, at: &str, c: RawCondition, def: &FactDef, list: &str) -> Result<ItemCondition, PolicyError> {
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

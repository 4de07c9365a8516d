//! What changed between two versions of a pack, as data: the pack's own
//! rules, its facts, and each clause field by field. Every part of a clause
//! that can change a result is compared (conditions, formula parameters,
//! caps, tiers, places, cities, quotes, interpretations…). Values are shown
//! as the policy file writes them (numbers, keys, the text's own words);
//! `explain::pack_change_line` puts them into a sentence.

use crate::policy::{
    Clause, Condition, Date, Draft, FactDef, FactKey, FactKind, Figure, Formula, Frequency, ItemCondition, Op, Pack, Part as FormulaPart,
    PerCompany, Principle, ReadAs, RegionRole, SharedMaterial, StackingGroup, Text2, Tier,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// One change between two versions of a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackChange {
    /// The two files are different packs (their ids differ).
    OtherPack {
        old: String,
        new: String,
    },
    Version {
        old: String,
        new: String,
    },
    /// The term in force: (from, to).
    Term {
        old: (Date, Date),
        new: (Date, Date),
    },
    /// A pack-wide rule: regions, aliases, exclusion, stacking, quotes…
    Rule {
        part: PackPart,
        edit: Edit,
    },
    FactAdded {
        key: String,
    },
    FactRemoved {
        key: String,
    },
    /// A fact definition changed (its type, options, label…).
    Fact {
        key: String,
        edit: Edit,
    },
    ClauseRemoved {
        id: String,
    },
    ClauseAdded {
        id: String,
    },
    /// A clause in both versions, with one of its fields changed.
    Clause {
        id: String,
        field: ClauseField,
        edit: Edit,
    },
}

/// One value changed: where inside the field (empty: the field itself), and
/// the value shown before and after (`None`: not there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub at: Vec<Segment>,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The pack-wide parts a change can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackPart {
    Title,
    Document,
    Issuer,
    Issued,
    SourceFile,
    ValidityQuote,
    ValidityInterpretation,
    City,
    Draft,
    Cities,
    CityCodes,
    Regions,
    RegionsQuote,
    CountyNote,
    NamesEn,
    MaterialsEn,
    DistrictCodes,
    DistrictAliases,
    Exclusion,
    ExclusionQuote,
    ExclusionReason,
    StackingPrinciple,
    Application,
    SharedMaterials,
    Topics,
    Stacking,
}

/// The fields of a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseField {
    Title,
    Place,
    PlaceEn,
    Quote,
    Frequency,
    Attachments,
    Interpretations,
    Conditions,
    Formula,
    Figure,
    FormulaNote,
    AppliedLocally,
    Applicant,
    PerCompany,
    Cities,
    Monetary,
}

/// A step of the path inside a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The n-th item of a list, from 1.
    Index(usize),
    /// A key of a table: an option, a case, a city, a district, a topic, a
    /// stacking rule's id, a list fact's field.
    Key(String),
    Zh,
    En,
    All,
    Any,
    Cases,
    Fact,
    /// The previous-period fact of a growth condition.
    Prev,
    Op,
    /// The legal word a comparison quotes (以上, 超过…).
    Term,
    Value,
    Values,
    WhenKnown,
    Amount,
    Base,
    Whole,
    Rate,
    Cap,
    CapQuote,
    Tiers,
    From,
    Table,
    Parts,
    When,
    List,
    ItemConditions,
    Field,
    ItemBase,
    ItemCap,
    ItemCapQuote,
    Quote,
    Place,
    PlaceEn,
    Interpretation,
    Summary,
    Note,
    Clauses,
    Kind,
    Unit,
    Label,
    Help,
    Topic,
    Options,
    OptionOrder,
    Fields,
    ReadAs,
    By,
    To,
    Source,
    PartOf,
    PreviousYearOf,
    CarriesOver,
    Within,
}

/// Every change from `old` to `new`, in the order the pack reads: its id,
/// version and term, its own rules, its facts, its stacking rules, then the
/// clauses (removed ones first, then the new version's in order).
pub fn pack_changes(old: &Pack, new: &Pack) -> Vec<PackChange> {
    let mut out = Vec::new();
    if old.id != new.id {
        out.push(PackChange::OtherPack { old: old.id.clone(), new: new.id.clone() });
    }
    if old.version != new.version {
        out.push(PackChange::Version { old: old.version.clone(), new: new.version.clone() });
    }
    if (old.valid_from, old.valid_to) != (new.valid_from, new.valid_to) {
        out.push(PackChange::Term { old: (old.valid_from, old.valid_to), new: (new.valid_from, new.valid_to) });
    }
    for (part, edits) in rule_edits(old, new) {
        out.extend(edits.into_iter().map(|edit| PackChange::Rule { part, edit }));
    }
    fact_changes(&old.facts, &new.facts, &mut out);
    let groups = |p: &Pack| p.stacking.iter().map(|g| (g.id.clone(), g.clone())).collect::<BTreeMap<_, _>>();
    let stacking = edits(|e| e.map(&groups(old), &groups(new), stacking_group));
    out.extend(stacking.into_iter().map(|edit| PackChange::Rule { part: PackPart::Stacking, edit }));
    clause_changes(old, new, &mut out);
    out
}

fn rule_edits(o: &Pack, n: &Pack) -> Vec<(PackPart, Vec<Edit>)> {
    use PackPart as P;
    let regions = |p: &Pack| p.regions.iter().cloned().collect::<BTreeMap<String, RegionRole>>();
    vec![
        (P::Title, edits(|e| e.text(&o.title, &n.title))),
        (P::Document, edits(|e| e.text(&o.document, &n.document))),
        (P::Issuer, edits(|e| e.same(&o.issuer, &n.issuer))),
        (P::Issued, edits(|e| e.same(&o.issued, &n.issued))),
        (P::SourceFile, edits(|e| e.same(&o.source_file, &n.source_file))),
        (P::ValidityQuote, edits(|e| e.same(&o.validity_quote, &n.validity_quote))),
        (P::ValidityInterpretation, edits(|e| e.opt(&o.validity_interpretation, &n.validity_interpretation, Edits::text))),
        (P::City, edits(|e| e.same(&o.city, &n.city))),
        (P::Draft, edits(|e| e.opt(&o.draft, &n.draft, draft))),
        (P::Cities, edits(|e| e.same(&o.cities, &n.cities))),
        (P::CityCodes, edits(|e| e.map(&o.city_codes, &n.city_codes, Edits::same))),
        (P::Regions, edits(|e| e.map(&regions(o), &regions(n), Edits::same))),
        (P::RegionsQuote, edits(|e| e.same(&o.regions_quote, &n.regions_quote))),
        (P::CountyNote, edits(|e| e.opt(&o.county_note, &n.county_note, Edits::text))),
        (P::NamesEn, edits(|e| e.map(&o.names_en, &n.names_en, Edits::same))),
        (P::MaterialsEn, edits(|e| e.map(&o.materials_en, &n.materials_en, Edits::same))),
        (P::DistrictCodes, edits(|e| e.map(&o.district_codes, &n.district_codes, Edits::same))),
        (P::DistrictAliases, edits(|e| e.map(&o.district_aliases, &n.district_aliases, Edits::same))),
        (P::Exclusion, edits(|e| e.same(&o.exclusion_fact, &n.exclusion_fact))),
        (P::ExclusionQuote, edits(|e| e.same(&o.exclusion_quote, &n.exclusion_quote))),
        (P::ExclusionReason, edits(|e| e.text(&o.exclusion_reason, &n.exclusion_reason))),
        (P::StackingPrinciple, edits(|e| e.opt(&o.stacking_principle, &n.stacking_principle, principle))),
        (P::Application, edits(|e| e.opt(&o.application, &n.application, Edits::text))),
        (P::SharedMaterials, edits(|e| e.list(&o.shared_materials, &n.shared_materials, Edits::same))),
        (P::Topics, edits(|e| e.map(&o.topics, &n.topics, Edits::text))),
    ]
}

fn fact_changes(o: &BTreeMap<String, FactDef>, n: &BTreeMap<String, FactDef>, out: &mut Vec<PackChange>) {
    for key in o.keys().chain(n.keys()).collect::<BTreeSet<_>>() {
        match (o.get(key), n.get(key)) {
            (Some(a), Some(b)) => {
                out.extend(edits(|e| fact(e, a, b)).into_iter().map(|edit| PackChange::Fact { key: key.clone(), edit }));
            }
            (Some(_), None) => out.push(PackChange::FactRemoved { key: key.clone() }),
            (None, _) => out.push(PackChange::FactAdded { key: key.clone() }),
        }
    }
}

fn clause_changes(old: &Pack, new: &Pack, out: &mut Vec<PackChange>) {
    for c in old.clauses.iter().filter(|c| new.clause(&c.id).is_none()) {
        out.push(PackChange::ClauseRemoved { id: c.id.clone() });
    }
    for c in &new.clauses {
        let Some(o) = old.clause(&c.id) else {
            out.push(PackChange::ClauseAdded { id: c.id.clone() });
            continue;
        };
        for (field, edits) in clause_edits(o, c) {
            out.extend(edits.into_iter().map(|edit| PackChange::Clause { id: c.id.clone(), field, edit }));
        }
    }
}

/// Each field of a clause. The citation is left out: it is made of the
/// document's title (a pack change), the place and the quote.
fn clause_edits(o: &Clause, n: &Clause) -> Vec<(ClauseField, Vec<Edit>)> {
    use ClauseField as F;
    vec![
        (F::Title, edits(|e| e.text(&o.title, &n.title))),
        (F::Place, edits(|e| e.same(&o.place, &n.place))),
        (F::PlaceEn, edits(|e| e.same(&o.place_en, &n.place_en))),
        (F::Quote, edits(|e| e.same(&o.quote, &n.quote))),
        (F::Frequency, edits(|e| e.same(&o.frequency, &n.frequency))),
        (F::Attachments, edits(|e| e.list(&o.attachments, &n.attachments, Edits::same))),
        (F::Interpretations, edits(|e| e.list(&o.interpretations, &n.interpretations, Edits::text))),
        (F::Conditions, edits(|e| conditions(e, &o.conditions, &n.conditions))),
        (F::Formula, edits(|e| formula(e, &o.formula, &n.formula))),
        (F::Figure, edits(|e| e.same(&o.figure, &n.figure))),
        (F::FormulaNote, edits(|e| e.opt(&o.formula_note, &n.formula_note, Edits::text))),
        (F::AppliedLocally, edits(|e| e.opt(&o.applied_locally, &n.applied_locally, Edits::text))),
        (F::Applicant, edits(|e| e.opt(&o.applicant, &n.applicant, Edits::text))),
        (F::PerCompany, edits(|e| e.opt(&o.per_company, &n.per_company, per_company))),
        (F::Cities, edits(|e| e.same(&o.cities, &n.cities))),
        (F::Monetary, edits(|e| e.same(&o.monetary, &n.monetary))),
    ]
}

// ---------------------------------------------------------------- walking

/// The edits a walk finds.
fn edits(walk: impl FnOnce(&mut Edits)) -> Vec<Edit> {
    let mut e = Edits::default();
    walk(&mut e);
    e.out
}

/// A walk over two values of one type: where it is, and what it found.
#[derive(Default)]
struct Edits {
    at: Vec<Segment>,
    out: Vec<Edit>,
}

impl Edits {
    /// The values here, compared as shown.
    fn same<T: Show + ?Sized>(&mut self, old: &T, new: &T) {
        let (old, new) = (old.show(), new.show());
        if old != new {
            self.out.push(Edit { at: self.at.clone(), old, new });
        }
    }
    fn under(&mut self, p: Segment, walk: impl FnOnce(&mut Self)) {
        self.at.push(p);
        walk(self);
        self.at.pop();
    }
    fn value<T: Show + ?Sized>(&mut self, p: Segment, old: &T, new: &T) {
        self.under(p, |e| e.same(old, new));
    }
    fn text(&mut self, o: &Text2, n: &Text2) {
        self.value(Segment::Zh, &o.zh, &n.zh);
        self.value(Segment::En, &o.en, &n.en);
    }
    /// Both there: compared inside; otherwise the whole value comes or goes.
    fn opt<T: Show>(&mut self, o: &Option<T>, n: &Option<T>, inside: impl FnOnce(&mut Self, &T, &T)) {
        match (o, n) {
            (Some(a), Some(b)) => inside(self, a, b),
            _ => self.same(o, n),
        }
    }
    /// Item by item: a list that grows or shrinks shows its added or removed items.
    fn list<T: Show>(&mut self, o: &[T], n: &[T], mut each: impl FnMut(&mut Self, &T, &T)) {
        for i in 0..o.len().max(n.len()) {
            self.under(Segment::Index(i + 1), |e| match (o.get(i), n.get(i)) {
                (Some(a), Some(b)) => each(e, a, b),
                (a, b) => e.same(&a, &b),
            });
        }
    }
    /// Key by key, in key order.
    fn map<T: Show>(&mut self, o: &BTreeMap<String, T>, n: &BTreeMap<String, T>, mut each: impl FnMut(&mut Self, &T, &T)) {
        for k in o.keys().chain(n.keys()).collect::<BTreeSet<_>>() {
            self.under(Segment::Key(k.clone()), |e| match (o.get(k), n.get(k)) {
                (Some(a), Some(b)) => each(e, a, b),
                (a, b) => e.same(&a, &b),
            });
        }
    }
}

fn conditions(e: &mut Edits, o: &[Condition], n: &[Condition]) {
    e.list(o, n, condition);
}

/// Two conditions of one kind field by field; of different kinds, whole.
fn condition(e: &mut Edits, o: &Condition, n: &Condition) {
    use Condition as C;
    match (o, n) {
        (C::All { all: a }, C::All { all: b }) => e.under(Segment::All, |e| conditions(e, a, b)),
        (C::Any { any: a }, C::Any { any: b }) => e.under(Segment::Any, |e| conditions(e, a, b)),
        (C::Switch { fact: f, cases: a }, C::Switch { fact: g, cases: b }) => {
            e.value(Segment::Fact, f, g);
            e.under(Segment::Cases, |e| e.map(a, b, |e, x, y| conditions(e, x, y)));
        }
        (C::IsTrue { fact: f, when_known: k }, C::IsTrue { fact: g, when_known: l }) => {
            e.value(Segment::Fact, f, g);
            e.value(Segment::WhenKnown, k, l);
        }
        (C::OneOf { fact: f, values: a }, C::OneOf { fact: g, values: b }) => {
            e.value(Segment::Fact, f, g);
            e.value(Segment::Values, a, b);
        }
        (C::Compare { fact: f, op, term, value, when_known }, C::Compare { fact: g, op: op2, term: t2, value: v2, when_known: k2 }) => {
            e.value(Segment::Fact, f, g);
            e.value(Segment::Term, term, t2);
            e.value(Segment::Op, op, op2);
            e.value(Segment::Value, value, v2);
            e.value(Segment::WhenKnown, when_known, k2);
        }
        (C::Growth { fact: f, prev, op, term, rate }, C::Growth { fact: g, prev: p2, op: op2, term: t2, rate: r2 }) => {
            e.value(Segment::Fact, f, g);
            e.value(Segment::Prev, prev, p2);
            e.value(Segment::Term, term, t2);
            e.value(Segment::Op, op, op2);
            e.value(Segment::Rate, rate, r2);
        }
        _ => e.same(o, n),
    }
}

/// Two formulas of one kind parameter by parameter; of different kinds, whole.
fn formula(e: &mut Edits, o: &Formula, n: &Formula) {
    use Formula as F;
    match (o, n) {
        (F::None, F::None) => {}
        (F::Fixed { amount: a }, F::Fixed { amount: b }) => e.value(Segment::Amount, a, b),
        (F::Rate { base, whole, rate, cap, cap_quote }, F::Rate { base: b2, whole: w2, rate: r2, cap: c2, cap_quote: q2 }) => {
            e.value(Segment::Base, base, b2);
            e.value(Segment::Whole, whole, w2);
            e.value(Segment::Rate, rate, r2);
            e.value(Segment::Cap, cap, c2);
            e.value(Segment::CapQuote, cap_quote, q2);
        }
        (F::Tiers { fact, op, term, tiers }, F::Tiers { fact: f2, op: op2, term: t2, tiers: tiers2 }) => {
            e.value(Segment::Fact, fact, f2);
            e.value(Segment::Term, term, t2);
            e.value(Segment::Op, op, op2);
            e.under(Segment::Tiers, |e| e.list(tiers, tiers2, tier));
        }
        (F::Lookup { fact, table }, F::Lookup { fact: f2, table: t2 }) => {
            e.value(Segment::Fact, fact, f2);
            e.under(Segment::Table, |e| e.map(table, t2, Edits::same));
        }
        (F::RateOfParts { parts, rate, cap, cap_quote }, F::RateOfParts { parts: p2, rate: r2, cap: c2, cap_quote: q2 }) => {
            e.under(Segment::Parts, |e| e.list(parts, p2, part));
            e.value(Segment::Rate, rate, r2);
            e.value(Segment::Cap, cap, c2);
            e.value(Segment::CapQuote, cap_quote, q2);
        }
        (
            F::Items { list, conditions, base, rate, item_cap, item_cap_quote, cap, cap_quote },
            F::Items { list: l2, conditions: c2, base: b2, rate: r2, item_cap: ic2, item_cap_quote: iq2, cap: cap2, cap_quote: q2 },
        ) => {
            e.value(Segment::List, list, l2);
            e.under(Segment::ItemConditions, |e| e.list(conditions, c2, item_condition));
            e.value(Segment::ItemBase, base, b2);
            e.value(Segment::Rate, rate, r2);
            e.value(Segment::ItemCap, item_cap, ic2);
            e.value(Segment::ItemCapQuote, item_cap_quote, iq2);
            e.value(Segment::Cap, cap, cap2);
            e.value(Segment::CapQuote, cap_quote, q2);
        }
        _ => e.same(o, n),
    }
}

fn tier(e: &mut Edits, o: &Tier, n: &Tier) {
    e.value(Segment::From, &o.from, &n.from);
    e.value(Segment::Amount, &o.amount, &n.amount);
}

fn part(e: &mut Edits, o: &FormulaPart, n: &FormulaPart) {
    e.under(Segment::When, |e| condition(e, &o.when, &n.when));
    e.value(Segment::Base, &o.base, &n.base);
}

fn item_condition(e: &mut Edits, o: &ItemCondition, n: &ItemCondition) {
    e.value(Segment::Field, &o.field, &n.field);
    e.value(Segment::Term, &o.term, &n.term);
    e.value(Segment::Op, &o.op, &n.op);
    e.value(Segment::Value, &o.value, &n.value);
}

/// A rule of one kind inside; `once` and `cap` whole.
fn per_company(e: &mut Edits, o: &PerCompany, n: &PerCompany) {
    match (o, n) {
        (PerCompany::Cap { cap: a, .. }, PerCompany::Cap { cap: b, .. }) => e.value(Segment::Cap, a, b),
        (PerCompany::Once { .. }, PerCompany::Once { .. }) => {}
        // One rule for another: shown whole.
        _ => {
            e.same(o, n);
            return;
        }
    }
    e.value(Segment::Quote, o.quote(), n.quote());
    e.under(Segment::Interpretation, |e| e.opt(&o.interpretation().cloned(), &n.interpretation().cloned(), Edits::text));
}

fn draft(e: &mut Edits, o: &Draft, n: &Draft) {
    e.under(Segment::Note, |e| e.text(&o.note, &n.note));
    e.value(Segment::Quote, &o.quote, &n.quote);
}

fn principle(e: &mut Edits, o: &Principle, n: &Principle) {
    e.value(Segment::Quote, &o.quote, &n.quote);
    e.value(Segment::Place, &o.place, &n.place);
    e.value(Segment::PlaceEn, &o.place_en, &n.place_en);
    e.under(Segment::Summary, |e| e.opt(&o.summary, &n.summary, Edits::text));
}

fn stacking_group(e: &mut Edits, o: &StackingGroup, n: &StackingGroup) {
    e.value(Segment::Clauses, &o.clauses, &n.clauses);
    e.value(Segment::Quote, &o.quote, &n.quote);
    e.value(Segment::Place, &o.place, &n.place);
    e.value(Segment::PlaceEn, &o.place_en, &n.place_en);
    e.under(Segment::Interpretation, |e| e.opt(&o.interpretation, &n.interpretation, Edits::text));
}

fn fact(e: &mut Edits, o: &FactDef, n: &FactDef) {
    e.value(Segment::Kind, &o.kind, &n.kind);
    e.under(Segment::Unit, |e| e.text(&o.unit, &n.unit));
    e.under(Segment::Label, |e| e.text(&o.label, &n.label));
    e.under(Segment::Help, |e| e.text(&o.help, &n.help));
    e.value(Segment::Topic, &o.topic, &n.topic);
    e.under(Segment::Options, |e| e.map(&o.options, &n.options, Edits::text));
    e.value(Segment::OptionOrder, &o.option_order, &n.option_order);
    e.under(Segment::Fields, |e| e.map(&o.fields, &n.fields, fact));
    e.under(Segment::ReadAs, |e| e.opt(&o.read_as, &n.read_as, read_as));
    e.under(Segment::Source, |e| e.opt(&o.source, &n.source, Edits::text));
    e.value(Segment::PartOf, &o.part_of, &n.part_of);
    e.value(Segment::PreviousYearOf, &o.previous_year_of, &n.previous_year_of);
    e.value(Segment::CarriesOver, &o.carries_over, &n.carries_over);
    e.value(Segment::Within, &o.within, &n.within);
}

fn read_as(e: &mut Edits, o: &ReadAs, n: &ReadAs) {
    e.value(Segment::By, &o.by, &n.by);
    e.under(Segment::To, |e| e.map(&o.to, &n.to, Edits::same));
}

// ---------------------------------------------------------------- shown values

/// A value as the policy file writes it, or `None` when there is none.
trait Show {
    fn show(&self) -> Option<String>;
}

impl<T: Show + ?Sized> Show for &T {
    fn show(&self) -> Option<String> {
        (**self).show()
    }
}

impl<T: Show> Show for Option<T> {
    fn show(&self) -> Option<String> {
        self.as_ref().and_then(Show::show)
    }
}

impl Show for str {
    fn show(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.to_string())
    }
}

impl Show for String {
    fn show(&self) -> Option<String> {
        self.as_str().show()
    }
}

/// A list on one line; nothing for an empty one.
impl<T: Show> Show for [T] {
    fn show(&self) -> Option<String> {
        let items: Vec<String> = self.iter().filter_map(Show::show).collect();
        (!items.is_empty()).then(|| items.join(", "))
    }
}

impl<T: Show> Show for Vec<T> {
    fn show(&self) -> Option<String> {
        self.as_slice().show()
    }
}

/// Shown with `Display`, always there.
macro_rules! show_display {
    ($($t:ty),*) => {$(
        impl Show for $t {
            fn show(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}

show_display!(Decimal, bool, FactKey);

/// Shown by a name of its own.
macro_rules! show_with {
    ($($t:ty => $f:expr),* $(,)?) => {$(
        impl Show for $t {
            fn show(&self) -> Option<String> {
                let f: fn(&$t) -> String = $f;
                Some(f(self))
            }
        }
    )*};
}

show_with! {
    Op => |o| o.symbol().to_string(),
    Frequency => |f| f.as_str().to_string(),
    Figure => |f| match f { Figure::Exact => "exact", Figure::Ceiling => "ceiling" }.to_string(),
    RegionRole => |r| match r { RegionRole::Applies => "applies", RegionRole::CountyReference => "county_reference" }.to_string(),
    FactKind => |k| kind_name(*k).to_string(),
    Condition => condition_text,
    Formula => formula_text,
    Tier => |t| format!("{}: {}", t.from, t.amount),
    FormulaPart => |p| format!("{} if {}", p.base, condition_text(&p.when)),
    ItemCondition => |c| format!("{} {} {} ({})", c.field, c.op.symbol(), c.value, c.term),
    PerCompany => |r| match r { PerCompany::Once { .. } => "once".to_string(), PerCompany::Cap { cap, .. } => format!("cap {cap}") },
    StackingGroup => |g| g.clauses.join(" + "),
    Draft => |d| d.note.zh.clone(),
    Principle => |p| p.quote.clone(),
    ReadAs => |r| format!("{}: {}", r.by, r.to.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")),
    FactDef => |d| format!("{} ({})", d.label.zh, kind_name(d.kind)),
    SharedMaterial => |m| if m.also.is_empty() { m.name.clone() } else { format!("{} ({})", m.name, m.also.join(", ")) },
}

/// A text whole (one that comes or goes): its Chinese, the policy's language.
impl Show for Text2 {
    fn show(&self) -> Option<String> {
        self.zh.show()
    }
}

/// The type's name in a policy file.
fn kind_name(k: FactKind) -> &'static str {
    match k {
        FactKind::Bool => "bool",
        FactKind::Money => "money",
        FactKind::MoneyUsd => "money_usd",
        FactKind::Integer => "integer",
        FactKind::Number => "number",
        FactKind::Enum => "enum",
        FactKind::List => "list",
    }
}

fn conditions_text(cs: &[Condition]) -> String {
    cs.iter().map(condition_text).collect::<Vec<_>>().join(", ")
}

/// A condition on one line, in the file's terms.
fn condition_text(c: &Condition) -> String {
    let known = |k: bool| if k { " (when_known)" } else { "" };
    match c {
        Condition::All { all } => format!("all({})", conditions_text(all)),
        Condition::Any { any } => format!("any({})", conditions_text(any)),
        Condition::Switch { fact, cases } => {
            let cases: Vec<String> = cases.iter().map(|(k, v)| format!("{k}: {}", conditions_text(v))).collect();
            format!("switch {fact} ({})", cases.join("; "))
        }
        Condition::IsTrue { fact, when_known } => format!("{fact} = true{}", known(*when_known)),
        Condition::OneOf { fact, values } => format!("{fact} ∈ {{{}}}", values.join(", ")),
        Condition::Compare { fact, op, term, value, when_known } => {
            format!("{fact} {} {value} ({term}){}", op.symbol(), known(*when_known))
        }
        Condition::Growth { fact, prev, op, term, rate } => format!("({fact} − {prev}) / {prev} {} {rate} ({term})", op.symbol()),
    }
}

/// A formula on one line, in the file's terms.
fn formula_text(f: &Formula) -> String {
    let cap = |c: &Option<Decimal>| c.map(|c| format!(", cap {c}")).unwrap_or_default();
    match f {
        Formula::None => "none".to_string(),
        Formula::Fixed { amount } => format!("fixed {amount}"),
        Formula::Rate { base, rate, cap: c, .. } => format!("{rate} × {base}{}", cap(c)),
        Formula::Tiers { fact, term, tiers, .. } => {
            format!(
                "tiers of {fact} ({term}): {}",
                tiers.iter().map(|t| format!("{}: {}", t.from, t.amount)).collect::<Vec<_>>().join(", ")
            )
        }
        Formula::Lookup { fact, table } => {
            format!("lookup {fact}: {}", table.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "))
        }
        Formula::RateOfParts { parts, rate, cap: c, .. } => {
            let parts: Vec<String> = parts.iter().map(|p| format!("{} if {}", p.base, condition_text(&p.when))).collect();
            format!("{rate} × ({}){}", parts.join(" + "), cap(c))
        }
        Formula::Items { list, base, rate, item_cap, cap: c, .. } => {
            let item = item_cap.map(|c| format!(", item cap {c}")).unwrap_or_default();
            format!("items of {list}: {rate} × {base}{item}{}", cap(c))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::explain::diff_lines;
    use crate::policy::{load_pack, Lang, Pack};

    const CD: &str = "chengdu-cbec-2023.toml";
    const TZ: &str = "taizhou-cbec-2025.toml";
    const TJ: &str = "tianjin-cbec-2024.toml";
    const SD: &str = "shandong-cbec-2023.toml";

    fn bundled(file: &str) -> &'static str {
        crate::BUNDLED_POLICIES.iter().find(|(n, _)| *n == file).map(|(_, t)| *t).unwrap()
    }

    /// The bundled pack, and the same with the first `from` replaced by `to`.
    fn versions(file: &str, from: &str, to: &str) -> (Pack, Pack) {
        let text = bundled(file);
        assert!(text.contains(from), "{file} has no {from:?}");
        let load = |t: &str| load_pack(file, t).unwrap_or_else(|e| panic!("{e}"));
        (load(text), load(&text.replacen(from, to, 1)))
    }

    /// The bundled pack edited (old) against the bundled pack (new) when
    /// `back`; otherwise the other way round.
    fn lines(file: &str, from: &str, to: &str, back: bool, lang: Lang) -> Vec<String> {
        let (a, b) = versions(file, from, to);
        if back {
            diff_lines(&b, &a, lang)
        } else {
            diff_lines(&a, &b, lang)
        }
    }

    fn check(file: &str, from: &str, to: &str, want: &[&str]) {
        assert_eq!(lines(file, from, to, false, Lang::Zh), want, "{file}: {from:?} → {to:?}");
    }

    fn check_back(file: &str, from: &str, to: &str, want: &[&str]) {
        assert_eq!(lines(file, from, to, true, Lang::Zh), want, "{file}: {to:?} → {from:?}");
    }

    fn check_en(file: &str, from: &str, to: &str, want: &[&str]) {
        assert_eq!(lines(file, from, to, false, Lang::En), want, "{file}: {from:?} → {to:?}");
    }

    #[test]
    fn a_pack_against_itself_has_no_changes() {
        for (name, text) in crate::BUNDLED_POLICIES {
            let p = load_pack(name, text).unwrap();
            assert_eq!(super::pack_changes(&p, &p), vec![], "{name}");
        }
    }

    #[test]
    fn id_version_and_term() {
        check(
            CD,
            "id = \"chengdu-cbec-2023\"",
            "id = \"chengdu-cbec-2026\"",
            &["注意：两个文件是不同的政策包（chengdu-cbec-2023 与 chengdu-cbec-2026）"],
        );
        check(CD, "version = \"2023-02-14\"", "version = \"2025-06-01\"", &["版本：2023-02-14 → 2025-06-01"]);
        check(
            CD,
            "valid_to = \"2025-12-31\"",
            "valid_to = \"2026-12-31\"",
            &["有效期：2023-02-14 至 2025-12-31 → 2023-02-14 至 2026-12-31"],
        );
        check_en(CD, "version = \"2023-02-14\"", "version = \"2025-06-01\"", &["version: 2023-02-14 → 2025-06-01"]);
        check_en(
            CD,
            "valid_to = \"2025-12-31\"",
            "valid_to = \"2026-12-31\"",
            &["in force: 2023-02-14 to 2025-12-31 → 2023-02-14 to 2026-12-31"],
        );
    }

    #[test]
    fn conditions() {
        let growth = "{ fact = \"cbec_volume\", growth_over = \"cbec_volume_prev_year\", op = \"ge\", term = \"以上\", value = \"0.20\" }";
        check(CD, growth, &growth.replace("0.20", "0.15"), &["cd.trade.growth_tier 跨境电商交易额增长奖励：条件 · [3] · 比例 0.20 → 0.15"]);
        check_en(
            CD,
            growth,
            &growth.replace("0.20", "0.15"),
            &["cd.trade.growth_tier Award for trade volume with 20% growth: conditions · [3] · rate 0.20 → 0.15"],
        );
        check(
            CD,
            growth,
            &growth.replace("cbec_volume_prev_year", "cbec_volume"),
            &["cd.trade.growth_tier 跨境电商交易额增长奖励：条件 · [3] · 上期数据项 cbec_volume_prev_year → cbec_volume"],
        );
        check(
            CD,
            "term = \"突破\", value = \"1000000\"",
            "term = \"突破\", value = \"2000000\"",
            &["cd.transform.first_million 交易额首次突破100万元奖励：条件 · [3] · 门槛 1000000 → 2000000"],
        );
        check(
            CD,
            "op = \"le\", term = \"以内\", value = \"2\"",
            "op = \"lt\", term = \"不满\", value = \"2\"",
            &[
                "cd.chain_leader 链主企业落地一次性奖励：条件 · [3] · 法律用语 以内 → 不满",
                "cd.chain_leader 链主企业落地一次性奖励：条件 · [3] · 比较 ≤ → <",
            ],
        );
        check(
            CD,
            "{ fact = \"parent_revenue\", op = \"gt\", term = \"超过\", value = \"2000000000\" }",
            "{ fact = \"parent_revenue\", op = \"gt\", term = \"超过\", value = \"3000000000\" }",
            &["cd.chain_leader 链主企业落地一次性奖励：条件 · [2] · 分情形 · trader · [1] · 门槛 2000000000 → 3000000000"],
        );
        check(
            CD,
            "{ fact = \"is_cbec_trading_company\", when_known = true }",
            "{ fact = \"is_cbec_trading_company\" }",
            &["cd.trade.growth_tier 跨境电商交易额增长奖励：条件 · [2] · 仅在已填写时检查 true → false"],
        );
        check(
            CD,
            "values = [\"marked\", \"good\", \"initial\"] }]",
            "values = [\"marked\", \"good\"] }]",
            &["cd.park 市级跨境电商产业园一次性奖励：条件 · [2] · 可选值 marked, good, initial → marked, good"],
        );
        check(
            TZ,
            "{ fact = \"attended_cbec_exhibition\" }] }]\nformula = { kind = \"none\"",
            "{ fact = \"attended_cbec_exhibition\", when_known = true }] }]\nformula = { kind = \"none\"",
            &["tz.eco.county_support 省级出口知名品牌、参展等情况的各地扶持：条件 · [1] · 满足其一 · [2] · 仅在已填写时检查 false → true"],
        );
    }

    #[test]
    fn conditions_added_removed_or_of_another_kind() {
        check(
            CD,
            "conditions = [{ fact = \"registered_on_cd_platform\" }]",
            "conditions = [{ fact = \"registered_on_cd_platform\" }, { fact = \"loan_interest_paid\", term = \"达到\", value = \"1000\" }]",
            &["cd.loan_interest 跨境电商企业贷款贴息：条件 · [3] — → loan_interest_paid ≥ 1000 (达到)"],
        );
        check(
            CD,
            "  { fact = \"is_cbec_trading_company\", when_known = true },\n  { fact = \"cbec_volume\", growth",
            "  { fact = \"cbec_volume\", growth",
            &[
                "cd.trade.growth_tier 跨境电商交易额增长奖励：条件 · [2] is_cbec_trading_company = true (when_known) → (cbec_volume − cbec_volume_prev_year) / cbec_volume_prev_year ≥ 0.20 (以上)",
                "cd.trade.growth_tier 跨境电商交易额增长奖励：条件 · [3] (cbec_volume − cbec_volume_prev_year) / cbec_volume_prev_year ≥ 0.20 (以上) → —",
            ],
        );
    }

    #[test]
    fn formulas() {
        let cap = "base = \"sichuan_made_export\", rate = \"0.03\", cap = \"1000000\"";
        check(
            CD,
            cap,
            &cap.replace("1000000", "1500000"),
            &["cd.transform.sichuan_made “四川造”跨境电商出口奖励：计算方式 · 封顶 1000000 → 1500000"],
        );
        check_en(
            CD,
            cap,
            &cap.replace("1000000", "1500000"),
            &["cd.transform.sichuan_made Sichuan-made exports: formula · cap 1000000 → 1500000"],
        );
        check(
            CD,
            "rate = \"0.03\", cap = \"500000\"",
            "rate = \"0.04\", cap = \"500000\"",
            &["cd.trade.service_revenue 跨境电商服务企业奖励：计算方式 · 比例 0.03 → 0.04"],
        );
        check(
            CD,
            ", cap = \"500000\", cap_quote = \"单个企业不超过50万元\"",
            "",
            &[
                "cd.trade.service_revenue 跨境电商服务企业奖励：计算方式 · 封顶 500000 → —",
                "cd.trade.service_revenue 跨境电商服务企业奖励：计算方式 · 封顶原文 单个企业不超过50万元 → —",
            ],
        );
        check(
            CD,
            "formula = { kind = \"rate\", base = \"sichuan_made_export\", rate = \"0.03\", cap = \"1000000\", cap_quote = \"单个企业不超过100万元\" }",
            "formula = { kind = \"fixed\", amount = \"100000\" }",
            &["cd.transform.sichuan_made “四川造”跨境电商出口奖励：计算方式 0.03 × sichuan_made_export, cap 1000000 → fixed 100000"],
        );
        check(
            CD,
            "formula = { kind = \"fixed\", amount = \"3000000\" }",
            "formula = { kind = \"fixed\", amount = \"3500000\" }",
            &["cd.chain_leader 链主企业落地一次性奖励：计算方式 · 金额 3000000 → 3500000"],
        );
        check(
            CD,
            "figure = \"ceiling\", cap_quote = \"单个企业贴息金额不超过100万元\"",
            "cap_quote = \"单个企业贴息金额不超过100万元\"",
            &["cd.loan_interest 跨境电商企业贷款贴息：金额性质 ceiling → exact"],
        );
        check(
            CD,
            "part_of = \"sichuan_made_export\"\n",
            "",
            &[
                "政策包：数据项 · platform_project_sichuan_made_export · 所属总额 sichuan_made_export → —",
                "cd.transform.platform_project 大平台出海项目“四川造”出口奖励：计算方式 · 总额 sichuan_made_export → —",
            ],
        );
    }

    #[test]
    fn tiers_tables_parts_and_items() {
        check(
            CD,
            "{ from = \"200000000\", amount = \"2000000\" }",
            "{ from = \"200000000\", amount = \"2500000\" }",
            &["cd.trade.growth_tier 跨境电商交易额增长奖励：计算方式 · 档次 · [2] · 金额 2000000 → 2500000"],
        );
        check(
            CD,
            "{ from = \"50000\", amount = \"1000000\" }",
            "{ from = \"60000\", amount = \"1000000\" }",
            &["cd.overseas_warehouse 公共海外仓一次性奖励：计算方式 · 档次 · [2] · 门槛 50000 → 60000"],
        );
        check(
            CD,
            "  { from = \"500000000\", amount = \"5000000\" },\n",
            "  { from = \"500000000\", amount = \"5000000\" },\n  { from = \"800000000\", amount = \"8000000\" },\n",
            &["cd.trade.growth_tier 跨境电商交易额增长奖励：计算方式 · 档次 · [4] — → 800000000: 8000000"],
        );
        check(
            CD,
            "op = \"gt\", term = \"超过\", tiers = [\n  { from = \"50000000\"",
            "op = \"ge\", term = \"达到\", tiers = [\n  { from = \"50000000\"",
            &[
                "cd.trade.growth_tier 跨境电商交易额增长奖励：计算方式 · 法律用语 超过 → 达到",
                "cd.trade.growth_tier 跨境电商交易额增长奖励：计算方式 · 比较 > → ≥",
            ],
        );
        check(
            CD,
            "good = \"1500000\"",
            "good = \"1600000\"",
            &["cd.park 市级跨境电商产业园一次性奖励：计算方式 · 金额表 · good 1500000 → 1600000"],
        );
        check(
            CD,
            "{ when = { fact = \"import_pilot\", values = [\"pharma\", \"both\"] }",
            "{ when = { fact = \"import_pilot\", values = [\"pharma\"] }",
            &["cd.import_innovation 跨境电商零售进口创新奖励：计算方式 · 组成部分 · [1] · 条件 · 可选值 pharma, both → pharma"],
        );
        check(
            CD,
            "values = [\"pet_food\", \"both\"] }, base = \"pet_food_import_volume\"",
            "values = [\"pet_food\", \"both\"] }, base = \"pilot_import_volume\"",
            &["cd.import_innovation 跨境电商零售进口创新奖励：计算方式 · 组成部分 · [2] · 基数 pet_food_import_volume → pilot_import_volume"],
        );
        check(
            TZ,
            "value = \"150\" }], item_base",
            "value = \"200\" }], item_base",
            &["tz.eco.training 跨境电商业务技能培训补助：计算方式 · 单项条件 · [1] · 门槛 150 → 200"],
        );
        check(
            TZ,
            "item_cap = \"50000\"",
            "item_cap = \"60000\"",
            &["tz.eco.training 跨境电商业务技能培训补助：计算方式 · 单项封顶 50000 → 60000"],
        );
        check(
            TZ,
            "item_base = \"cost\", rate = \"0.50\"",
            "item_base = \"cost\", rate = \"0.40\"",
            &["tz.eco.training 跨境电商业务技能培训补助：计算方式 · 比例 0.50 → 0.40"],
        );
    }

    #[test]
    fn the_other_fields_of_a_clause() {
        check(
            CD,
            "frequency = \"one_time\"",
            "frequency = \"annual\"",
            &["cd.chain_leader 链主企业落地一次性奖励：频次 one_time → annual"],
        );
        check(CD, "place = \"措施四\"", "place = \"措施四（一）\"", &["cd.park 市级跨境电商产业园一次性奖励：位置 措施四 → 措施四（一）"]);
        check(
            CD,
            "place_en = \"Measure 4\"",
            "place_en = \"Measure 4(1)\"",
            &["cd.park 市级跨境电商产业园一次性奖励：英文位置 Measure 4 → Measure 4(1)"],
        );
        check(
            CD,
            "quote = \"支持企业运用跨境电商赋能产业出海,",
            "quote = \"支持企业运用跨境电商赋能产业走出去,",
            &["cd.transform.sichuan_made “四川造”跨境电商出口奖励：原文 支持企业运用跨境电商赋能产业出海,按照“四川造”跨境电商出口交易额的3%给予奖励,单个企业不超过100万元。 → 支持企业运用跨境电商赋能产业走出去,按照“四川造”跨境电商出口交易额的3%给予奖励,单个企业不超过100万元。"],
        );
        check(
            CD,
            "title = { zh = \"公共海外仓一次性奖励\"",
            "title = { zh = \"公共海外仓奖励\"",
            &["cd.overseas_warehouse 公共海外仓奖励：名称 · zh 公共海外仓一次性奖励 → 公共海外仓奖励"],
        );
        check(
            CD,
            "\"利息支付凭证\"]",
            "\"利息支付凭证\", \"完税证明\"]",
            &["cd.loan_interest 跨境电商企业贷款贴息：申报材料 · [5] — → 完税证明"],
        );
        check(
            CD,
            "{ zh = \"“只能申请上述一项奖励”：三档中取最高一档，不累加。\"",
            "{ zh = \"三档中取最高一档，不累加。\"",
            &["cd.overseas_warehouse 公共海外仓一次性奖励：解释 · [1] · zh “只能申请上述一项奖励”：三档中取最高一档，不累加。 → 三档中取最高一档，不累加。"],
        );
        check(
            CD,
            "applicant = { zh = \"申报主体为仓储服务类企业。\"",
            "applicant = { zh = \"申报主体为仓储企业。\"",
            &["cd.bonded.export 保税仓跨境电商出口年度奖励：申报主体 · zh 申报主体为仓储服务类企业。 → 申报主体为仓储企业。"],
        );
        check(
            TZ,
            "formula = { kind = \"none\", note = { zh = \"扶持标准由各县（市、区）、台州湾新区自定，市级政策未公布金额。\"",
            "formula = { kind = \"none\", note = { zh = \"扶持标准由各地自定。\"",
            &["tz.entity.new_store 新开跨境电商店铺扶持（各地自定）：计算说明 · zh 扶持标准由各县（市、区）、台州湾新区自定，市级政策未公布金额。 → 扶持标准由各地自定。"],
        );
        check(
            SD,
            "cities = [\"泰安市\"]",
            "cities = [\"泰安市\", \"德州市\"]",
            &["sd.entity.transformation 传统出口企业跨境电商转型、专精特新企业提升跨境电商业务：适用城市 泰安市 → 泰安市, 德州市"],
        );
        check(TJ, "monetary = false\n", "", &["tj.entity.key_pool 重点企业培育库：品牌赋能、资源对接：涉及资金 false → true"]);
    }

    #[test]
    fn per_company_rules() {
        check(
            CD,
            "per_company = { rule = \"once\", quote = \"首次突破100万元\" }\n",
            "",
            &["cd.transform.first_million 交易额首次突破100万元奖励：每家企业限额 once → —"],
        );
        check(
            TZ,
            "per_company = { rule = \"cap\", cap = \"100000\"",
            "per_company = { rule = \"cap\", cap = \"150000\"",
            &["tz.brand.trademark 商标国际注册一次性扶持：每家企业限额 · 封顶 100000 → 150000"],
        );
        check(
            TZ,
            "per_company = { rule = \"cap\", cap = \"100000\"",
            "per_company = { rule = \"once\"",
            &["tz.brand.trademark 商标国际注册一次性扶持：每家企业限额 cap 100000 → once"],
        );
        check(
            CD,
            "per_company = { rule = \"once\", quote = \"首次突破100万元\" }",
            "per_company = { rule = \"once\", quote = \"首次突破100万元\", interpretation = { zh = \"按企业计\" } }",
            &["cd.transform.first_million 交易额首次突破100万元奖励：每家企业限额 · 解释 — → 按企业计"],
        );
    }

    #[test]
    fn clauses_added_and_removed() {
        // Renamed everywhere the file names it (its cases' expectations too).
        let old = load_pack(CD, bundled(CD)).unwrap();
        let new = load_pack(CD, &bundled(CD).replace("\"cd.trade.service_revenue\"", "\"cd.trade.service_income\"")).unwrap();
        assert_eq!(
            diff_lines(&old, &new, Lang::Zh),
            ["删除条款 cd.trade.service_revenue（跨境电商服务企业奖励）", "新增条款 cd.trade.service_income（跨境电商服务企业奖励）"]
        );
        assert_eq!(
            diff_lines(&old, &new, Lang::En),
            [
                "clause removed: cd.trade.service_revenue (Award for service companies)",
                "clause added: cd.trade.service_income (Award for service companies)"
            ]
        );
    }

    #[test]
    fn the_packs_own_rules() {
        check(
            TZ,
            "applies = [\"椒江区\", \"黄岩区\", \"路桥区\", \"台州湾新区\"]",
            "applies = [\"椒江区\", \"黄岩区\", \"路桥区\"]",
            &["政策包：适用区县 · 台州湾新区 applies → —"],
        );
        check(TJ, "\"泰达\" = \"滨海新区\", ", "", &["政策包：区县别名 · 泰达 滨海新区 → —"]);
        check(SD, "\"枣庄市\" = \"370400\"", "\"枣庄市\" = \"370401\"", &["政策包：城市代码 · 枣庄市 370400 → 370401"]);
        check(
            CD,
            "reason = { zh = \"企业列入失信被执行人名单、严重违法失信企业名单或重大税收违法信息名单，不得申报\"",
            "reason = { zh = \"企业列入失信名单，不得申报\"",
            &["政策包：排除理由 · zh 企业列入失信被执行人名单、严重违法失信企业名单或重大税收违法信息名单，不得申报 → 企业列入失信名单，不得申报"],
        );
        check(
            CD,
            "quote = \"按照“四川造”跨境电商出口交易额的3%给予奖励……",
            "quote = \"按照“四川造”跨境电商出口交易额的3%给予奖励……（略）",
            &["政策包：叠加规则 · cd.same_sichuan_made_export · 原文 按照“四川造”跨境电商出口交易额的3%给予奖励……按照“四川造”跨境电商出口交易额的5%给予奖励 → 按照“四川造”跨境电商出口交易额的3%给予奖励……（略）按照“四川造”跨境电商出口交易额的5%给予奖励"],
        );
        check(
            TZ,
            "summary = { zh = \"就高不重复：",
            "summary = { zh = \"就高：",
            &["政策包：叠加原则 · 概述 · zh 就高不重复：同一事项可享受本政策和其他政策的多项奖补时，只享受金额最高的一项 → 就高：同一事项可享受本政策和其他政策的多项奖补时，只享受金额最高的一项"],
        );
        check(
            TJ,
            "draft = { zh = \"尚未正式印发，内容可能变化\"",
            "draft = { zh = \"尚未印发\"",
            &["政策包：征求意见稿 · 说明 · zh 尚未正式印发，内容可能变化 → 尚未印发"],
        );
        check(
            CD,
            "trade = { zh = \"跨境电商交易规模\"",
            "trade = { zh = \"交易规模\"",
            &["政策包：主题 · trade · zh 跨境电商交易规模 → 交易规模"],
        );
        check_en(
            CD,
            "trade = { zh = \"跨境电商交易规模\"",
            "trade = { zh = \"交易规模\"",
            &["pack: topics · trade · zh 跨境电商交易规模 → 交易规模"],
        );
    }

    #[test]
    fn facts() {
        check(
            CD,
            "label = { zh = \"年度跨境电商交易额\"",
            "label = { zh = \"年度跨境电商交易额（元）\"",
            &["政策包：数据项 · cbec_volume · 名称 · zh 年度跨境电商交易额 → 年度跨境电商交易额（元）"],
        );
        check(
            CD,
            "[facts.overseas_warehouse_area_sqm]\ncarries_over = true\ntype = \"number\"",
            "[facts.overseas_warehouse_area_sqm]\ncarries_over = true\ntype = \"integer\"",
            &["政策包：数据项 · overseas_warehouse_area_sqm · 类型 number → integer"],
        );
        check(
            CD,
            "options.none = { zh = \"未认定或未获评\", en = \"Not recognised or not rated\" }",
            "options.none = { zh = \"未认定或未获评\", en = \"Not recognised or not rated\" }\noptions.other = { zh = \"其他\" }",
            &[
                "政策包：数据项 · park_rating · 选项 · other — → 其他",
                "政策包：数据项 · park_rating · 选项顺序 marked, good, initial, none → marked, good, initial, none, other",
            ],
        );
        check(
            CD,
            "to = { pharma = \"pharma_import_volume\", pet_food = \"pet_food_import_volume\" }",
            "to = { pharma = \"pharma_import_volume\" }",
            &["政策包：数据项 · pilot_import_volume · 旧字段换算 · 对应 · pet_food pet_food_import_volume → —"],
        );
        let added = "[facts.serious_dishonesty_listed]";
        let with_new =
            "[facts.zz_new]\ntype = \"bool\"\nlabel = { zh = \"新数据项\", en = \"A new fact\" }\n\n[facts.serious_dishonesty_listed]";
        check(CD, added, with_new, &["政策包：新增数据项 zz_new（新数据项）"]);
        check_en(CD, added, with_new, &["pack: fact added: zz_new (A new fact)"]);
        check_back(CD, added, with_new, &["政策包：删除数据项 zz_new（新数据项）"]);
    }
}

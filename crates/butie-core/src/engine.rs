//! Rule evaluation: a profile and a year against the packs, clause by clause.
//!
//! Conditions use three-valued logic: a condition holds, fails, or cannot be
//! decided because a fact is missing. A clause is `ineligible` when any
//! condition definitely fails (even if other facts are missing: the user
//! learns the real obstacle first), `needs_input` when nothing fails but facts
//! are missing, and `eligible` otherwise.
//!
//! Results are data. A clause's causes and trace steps hold `Decimal`s and
//! keys into the pack (fact keys, clause references), never words: the engine
//! never sees a language. `crate::explain` turns them into sentences.

use crate::money::round_fen;
use crate::policy::{
    Clause, Condition, FactKey, Figure, Formula, ItemCondition, Op, Pack, Part, PerCompany, RegionRole, Tier, STACKING_LIMIT,
};
use crate::profile::{Claim, ClaimStatus, FactValue, Profile};
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Eligible,
    Ineligible,
    NeedsInput,
}

impl Status {
    /// The status named by `as_str`.
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Eligible, Status::Ineligible, Status::NeedsInput].into_iter().find(|x| x.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::NeedsInput => "needs_input",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackStatus {
    Applies,
    NotInForce,
    OtherCity,
    CountyReference,
}

impl PackStatus {
    /// Its clauses are evaluated (in force, in the pack's area or a county following it).
    pub fn applies(self) -> bool {
        matches!(self, PackStatus::Applies | PackStatus::CountyReference)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            PackStatus::Applies => "applies",
            PackStatus::NotInForce => "not_in_force",
            PackStatus::OtherCity => "other_city",
            PackStatus::CountyReference => "county_reference",
        }
    }
}

/// Why a pack does or does not apply to the company and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackReason {
    /// Registered in another city than the pack's.
    OtherCity,
    /// In the pack's city, but the district is not among its regions.
    OutsideRegions,
    /// The data year lies outside the pack's term.
    NotInForce,
    /// Applies; `from_mid_year` when the term starts after 1 January of the data year.
    Applies { from_mid_year: bool },
    /// A county that follows the policy by reference.
    CountyReference,
}

#[derive(Debug, Clone)]
pub struct PackResult<'a> {
    pub pack: &'a Pack,
    pub status: PackStatus,
    pub reason: PackReason,
    /// The district the company's typed district was taken as (a functional
    /// zone the pack names as another name of a district).
    pub district_as: Option<&'a str>,
}

/// Growth of a fact over its previous-period value, as compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth<'a> {
    pub fact: &'a str,
    pub prev: &'a str,
    pub value: Decimal,
    pub prev_value: Decimal,
    pub op: Op,
    pub term: &'a str,
    pub rate: Decimal,
}

impl Growth<'_> {
    /// value − prev_value.
    pub fn increase(&self) -> Decimal {
        self.value - self.prev_value
    }
    /// rate × prev_value: the increase the text asks for.
    pub fn needed(&self) -> Decimal {
        self.rate * self.prev_value
    }
}

/// A numeric comparison in the words of the text: `value op threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison<'a> {
    pub fact: &'a str,
    pub value: Decimal,
    pub op: Op,
    pub term: &'a str,
    pub threshold: Decimal,
}

/// Why a clause is not (or not yet) eligible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cause<'a> {
    /// The pack does not apply (see the pack's `PackResult`).
    PackNotApplicable,
    /// The company is on the pack's exclusion list (the fact is true).
    Excluded { fact: &'a str },
    /// A yes/no fact is "no".
    NotTrue { fact: &'a str },
    /// An option outside those the clause allows.
    NotAllowed { fact: &'a str, value: &'a str, allowed: &'a [String] },
    /// An option the clause's cases do not cover.
    NotCovered { fact: &'a str, value: &'a str },
    /// A failed numeric condition; `tier_minimum` when it is the lowest tier of
    /// the clause's own tier table.
    Threshold { cmp: Comparison<'a>, tier_minimum: bool },
    /// Growth below what the text asks for.
    GrowthBelow(Growth<'a>),
    /// The base of a rate is 0.
    ZeroBase { fact: &'a str },
    /// An option the lookup table pays nothing for.
    NoAward { fact: &'a str, value: &'a str },
    /// A list with no qualifying item (`listed` items given).
    NoItems { fact: &'a str, listed: usize },
    /// Growth cannot be computed because the previous value is 0 (a note on a
    /// `needs_input` clause, which asks for `prev` again).
    GrowthUndefined { prev: &'a str },
    /// A once-per-company award the company already claimed in an earlier year.
    AlreadyClaimed { year: i32, status: ClaimStatus, amount: Option<Decimal>, rule: &'a PerCompany },
    /// A per-company cap already used up by earlier years' claims.
    CompanyCapUsed { cap: Decimal, used: Decimal, rule: &'a PerCompany },
    /// A part given as more than its total (a money fact declared `part_of`).
    ExceedsWhole { fact: &'a str, value: Decimal, whole: &'a str, whole_value: Decimal },
    /// A note on an eligible clause: `fact` is unanswered and the award is
    /// the lowest tier's; answering it may raise the award up to `max`.
    FigureOpen { fact: &'a str, tiers: &'a [Tier], term: &'a str },
    /// The clause is in the plans of `cities` only (a pack over several
    /// cities' plans), not in the plan of the company's city.
    NotInCityPlan { cities: &'a [String] },
    /// A note: `fact` was given as `given`, but the company's saved facts of
    /// `year` say `saved` for `source`; the given value is used.
    SavedYearDiffers { fact: &'a str, given: Decimal, source: &'a str, saved: Decimal, year: i32 },
    /// A note on a `needs_input` clause whose rate base is a part
    /// (`fact`) of a known whole (`whole`): the part is at most the whole, so
    /// the award is at most `most` (the whole read as the base).
    PartOpen { fact: &'a str, whole: &'a str, whole_value: Decimal, most: Decimal },
}

/// One step of a clause's working.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    /// An enum fact has an option that the condition accepts.
    Chosen { fact: &'a str, value: &'a str },
    /// A yes/no fact is "yes".
    IsTrue { fact: &'a str },
    /// A yes/no fact is unanswered and taken as "yes" (a condition the pack
    /// checks only when answered; see the clause's interpretations).
    Assumed { fact: &'a str },
    /// A numeric condition holds.
    Met(Comparison<'a>),
    /// A growth condition holds.
    GrowthMet(Growth<'a>),
    /// A fixed amount (or, for a ceiling-only clause, the most it can be).
    Fixed { amount: Decimal, figure: Figure },
    /// rate × base (`product` exact, not rounded).
    Rate { fact: &'a str, base: Decimal, rate: Decimal, product: Decimal },
    /// One base of a rate over several bases that counts.
    Part { fact: &'a str, amount: Decimal },
    /// rate × the sum of the counted bases.
    RateOfSum { count: usize, sum: Decimal, rate: Decimal, product: Decimal },
    /// A cap compared with the raw figure; applied when `raw > cap`.
    Cap { cap: Decimal, raw: Decimal, quote: &'a str },
    /// The tier reached.
    Tier { cmp: Comparison<'a>, amount: Decimal },
    /// The tier fact is unanswered, but every value reaches the first tier:
    /// the award is at least `amount`.
    TierFloor { fact: &'a str, amount: Decimal },
    /// The whole tier table, for checking by hand.
    TierTable { term: &'a str, fact: &'a str, tiers: &'a [Tier] },
    /// An option's amount in a lookup table.
    Lookup { fact: &'a str, value: &'a str, amount: Decimal },
    /// A list item that does not count (the failed comparison is on a field of `list`).
    ItemSkipped { n: usize, list: &'a str, cmp: Comparison<'a> },
    /// A list item: rate × field, with the per-item cap when it bit.
    Item { n: usize, list: &'a str, field: &'a str, base: Decimal, rate: Decimal, product: Decimal, capped_at: Option<Decimal> },
    /// The per-item cap, with its quote.
    ItemCap { cap: Decimal, quote: &'a str },
    /// Sum over the counted items.
    ItemsSum { count: usize, sum: Decimal },
    /// An earlier year's claim that decides the clause (shown in the working
    /// as well as in the reason).
    EarlierClaim { year: i32, status: ClaimStatus, amount: Option<Decimal> },
    /// A per-company cap partly used by earlier years: what is left caps the figure.
    CompanyCap { cap: Decimal, used: Decimal, raw: Decimal, rule: &'a PerCompany },
    /// The final figure, rounded once (`money::round_fen`).
    Rounded { amount: Decimal, figure: Figure },
    /// The policy publishes no figure; `monetary` false: no money is involved.
    NoFigure { monetary: bool },
    /// A fact not given for the year, read from the company's saved facts of
    /// the year before (`source` there: last year's volume is that year's volume).
    FromSavedYear { fact: &'a str, source: &'a str, year: i32, value: Decimal },
}

/// A clause's share of one of the evaluation's lists (see `Evaluation::causes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Debug, Clone)]
pub struct ClauseResult<'a> {
    pub pack: &'a Pack,
    pub clause: &'a Clause,
    pub status: Status,
    pub amount: Option<Decimal>,
    pub amount_max: Option<Decimal>,
    /// Facts still needed (for `needs_input`), in the order the clause reads
    /// them: `Evaluation::missing`.
    missing: Span,
    /// For `ineligible`: why; for `needs_input`: notes on what was given:
    /// `Evaluation::causes`.
    causes: Span,
    /// `Evaluation::trace`.
    trace: Span,
    /// Dropped by a stacking rule in favour of `winner` (group index into `pack.stacking`).
    pub excluded_by: Option<Stacked<'a>>,
    /// The pack applies by county reference (figures at city-district rates).
    pub county: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Stacked<'a> {
    pub winner: &'a Clause,
    pub group: usize,
}

impl ClauseResult<'_> {
    pub fn id(&self) -> &str {
        &self.clause.id
    }
    /// Counts towards the totals.
    pub fn counts(&self) -> bool {
        self.status == Status::Eligible && self.excluded_by.is_none()
    }
}

/// Every clause's causes, trace steps and missing facts live in three lists
/// of the evaluation (one allocation each, not three per clause); a clause
/// holds its spans and `causes`, `trace` and `missing` hand out its slices.
#[derive(Debug, Clone)]
pub struct Evaluation<'a> {
    pub year: i32,
    pub profile: &'a Profile,
    pub packs: Vec<PackResult<'a>>,
    pub clauses: Vec<ClauseResult<'a>>,
    pub total: Decimal,
    pub total_max: Decimal,
    all_causes: Vec<Cause<'a>>,
    all_steps: Vec<Step<'a>>,
    all_missing: Vec<&'a str>,
}

impl<'a> Evaluation<'a> {
    /// Why a clause is not (or not yet) eligible.
    pub fn causes(&self, c: &ClauseResult<'a>) -> &[Cause<'a>] {
        self.all_causes.get(c.causes.range()).unwrap_or_default()
    }
    /// A clause's working, step by step.
    pub fn trace(&self, c: &ClauseResult<'a>) -> &[Step<'a>] {
        self.all_steps.get(c.trace.range()).unwrap_or_default()
    }
    /// The facts a `needs_input` clause still needs.
    pub fn missing(&self, c: &ClauseResult<'a>) -> &[&'a str] {
        self.all_missing.get(c.missing.range()).unwrap_or_default()
    }
    pub fn clause(&self, id: &str) -> Option<&ClauseResult<'a>> {
        self.clauses.iter().find(|c| c.clause.id == id)
    }
    pub fn pack_result(&self, pack_id: &str) -> Option<&PackResult<'a>> {
        self.packs.iter().find(|p| p.pack.id == pack_id)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tri {
    Holds,
    Fails,
    Unknown,
}

/// Where one clause's working is collected: the evaluation's three lists,
/// from `base` on. Sub-conditions write into them; a branch that is dropped
/// truncates back to its mark.
struct Acc<'e, 'a> {
    trace: &'e mut Vec<Step<'a>>,
    causes: &'e mut Vec<Cause<'a>>,
    missing: &'e mut Vec<&'a str>,
    base: Mark,
    /// Trace steps are kept (`evaluate`); `evaluate_own` builds none.
    tracing: bool,
}

#[derive(Clone, Copy)]
struct Mark(usize, usize, usize);

/// Keep, from `from` on, only the causes `keep` accepts (in order).
fn retain_from(v: &mut Vec<Cause<'_>>, from: usize, keep: impl Fn(&Cause) -> bool) {
    let mut w = from;
    for r in from..v.len() {
        if keep(&v[r]) {
            v.swap(w, r);
            w += 1;
        }
    }
    v.truncate(w);
}

fn is_note(c: &Cause) -> bool {
    matches!(c, Cause::GrowthUndefined { .. } | Cause::FigureOpen { .. } | Cause::SavedYearDiffers { .. } | Cause::PartOpen { .. })
}

/// A note that stays whatever the clause's status: the user must know which
/// of two values for one fact was used.
fn always_said(c: &Cause) -> bool {
    matches!(c, Cause::SavedYearDiffers { .. })
}

impl<'a> Acc<'_, 'a> {
    fn mark(&self) -> Mark {
        Mark(self.trace.len(), self.causes.len(), self.missing.len())
    }
    #[inline]
    fn step(&mut self, s: Step<'a>) {
        if self.tracing {
            self.trace.push(s);
        }
    }
    fn need(&mut self, key: &'a str) {
        // Mostly the same key read again: the same string, found without comparing bytes.
        let same = |m: &&str| std::ptr::eq(*m, key) || *m == key;
        if !self.missing[self.base.2..].iter().any(same) {
            self.missing.push(key);
        }
    }
    /// Keep only what a branch with `outcome` contributes since `m`: a
    /// holding branch its trace, a failing one its failures, an undecided one
    /// its trace, missing facts and notes.
    fn settle(&mut self, m: Mark, outcome: Tri) {
        match outcome {
            Tri::Holds => {
                self.causes.truncate(m.1);
                self.missing.truncate(m.2);
            }
            Tri::Fails => {
                self.trace.truncate(m.0);
                self.missing.truncate(m.2);
                retain_from(self.causes, m.1, |c| !is_note(c));
            }
            Tri::Unknown => retain_from(self.causes, m.1, is_note),
        }
    }
}

/// The profile's values for one pack, by the position of each fact in the
/// pack (`FactKey::index`), and what the company filed before.
struct ClauseInputs<'v, 'a> {
    values: &'v [Option<&'a FactValue>],
    history: &'a [Claim],
    year: i32,
    /// The company's city (clauses scoped to some cities' plans).
    city: &'a str,
    /// The first and last data year of the pack version's term: only claims
    /// of these years count against its once-per-company and cumulative rules.
    term: (i32, i32),
    /// Facts read from (or checked against) the saved year before.
    saved: &'v [SavedFact<'a>],
}

/// A fact the pack reads from the company's saved year before
/// (`FactDef::previous_year_of`).
#[derive(Clone, Copy)]
enum SavedFact<'a> {
    /// Not given for the year: the saved value is used.
    Used { fact: &'a str, source: &'a str, year: i32, value: Decimal },
    /// Given, and the saved value differs: the given value is used, and said.
    Differs { fact: &'a str, given: Decimal, source: &'a str, saved: Decimal, year: i32 },
}

impl SavedFact<'_> {
    fn fact(&self) -> &str {
        match self {
            SavedFact::Used { fact, .. } | SavedFact::Differs { fact, .. } => fact,
        }
    }
}

/// Line up the profile's facts with the pack's: both are sorted by key, so
/// one pass finds every value (no lookup by name during evaluation).
fn resolve<'a>(pack: &'a Pack, profile: &'a Profile, year: i32, out: &mut Vec<Option<&'a FactValue>>, saved: &mut Vec<SavedFact<'a>>) {
    out.clear();
    saved.clear();
    // Keys ordered by their first eight bytes, then whole: most differ
    // early, so few comparisons reach the bytes after (`key_head`).
    let mut given = profile.facts.iter().map(|(k, v)| ((key_head(k), k.as_str()), v)).peekable();
    for key in pack.facts.keys() {
        let key = (key_head(key), key.as_str());
        while given.next_if(|(k, _)| *k < key).is_some() {}
        out.push(given.next_if(|(k, _)| *k == key).map(|(_, v)| v));
    }
    // Old facts: a value given under an old name counts as the fact its
    // selector's option names, unless that fact is answered itself.
    for (i, def) in pack.facts.values().enumerate() {
        let (Some(r), Some(v)) = (&def.read_as, out[i]) else { continue };
        let Some(FactValue::Enum(o)) = out.get(r.by.index()).copied().flatten() else { continue };
        if let Some(slot) = r.to.get(o.as_str()).and_then(|t| out.get_mut(t.index())) {
            if slot.is_none() {
                *slot = Some(v);
            }
        }
    }
    // Last year's figures the company saved: a fact that is "the previous
    // year's X" reads the saved X of that year when it is not given.
    let Some(prev) = profile.previous_year.as_ref().filter(|p| p.year == year - 1) else { return };
    for (i, (key, def)) in pack.facts.iter().enumerate() {
        let Some(source) = def.previous_year_of.as_deref() else { continue };
        let Some(FactValue::Num(saved_value)) = prev.facts.get(source) else { continue };
        match out[i] {
            None => {
                out[i] = prev.facts.get(source);
                saved.push(SavedFact::Used { fact: key, source, year: prev.year, value: *saved_value });
            }
            Some(FactValue::Num(given)) if given != saved_value => {
                saved.push(SavedFact::Differs { fact: key, given: *given, source, saved: *saved_value, year: prev.year });
            }
            Some(_) => {}
        }
    }
}

/// The first eight bytes of a key as a number that orders as they do
/// (shorter keys padded with zeros).
fn key_head(key: &str) -> u64 {
    if let Some(Ok(head)) = key.as_bytes().get(..8).map(<[u8; 8]>::try_from) {
        return u64::from_be_bytes(head);
    }
    let mut head = [0u8; 8];
    for (h, b) in head.iter_mut().zip(key.bytes()) {
        *h = b;
    }
    u64::from_be_bytes(head)
}

impl<'a> ClauseInputs<'_, 'a> {
    fn fact(&self, key: &FactKey) -> Option<&'a FactValue> {
        self.values.get(key.index()).copied().flatten()
    }
    fn num(&self, key: &'a FactKey, acc: &mut Acc<'_, 'a>) -> Option<Decimal> {
        match self.fact(key) {
            Some(FactValue::Num(d)) => Some(*d),
            _ => {
                acc.need(key);
                None
            }
        }
    }

    fn cond(&self, c: &'a Condition, acc: &mut Acc<'_, 'a>) -> Tri {
        match c {
            Condition::All { all } => self.all(all, acc),
            Condition::Any { any } => self.any(any, acc),
            Condition::Switch { fact, cases } => match self.fact(fact) {
                Some(FactValue::Enum(v)) => match cases.get_key_value(v) {
                    Some((k, conds)) => {
                        acc.step(Step::Chosen { fact, value: k });
                        self.all(conds, acc)
                    }
                    None => {
                        acc.causes.push(Cause::NotCovered { fact, value: v });
                        Tri::Fails
                    }
                },
                _ => {
                    acc.need(fact);
                    Tri::Unknown
                }
            },
            Condition::IsTrue { fact, when_known } => match self.fact(fact) {
                Some(FactValue::Bool(true)) => {
                    acc.step(Step::IsTrue { fact });
                    Tri::Holds
                }
                Some(_) => {
                    acc.causes.push(Cause::NotTrue { fact });
                    Tri::Fails
                }
                None if *when_known => {
                    acc.step(Step::Assumed { fact });
                    Tri::Holds
                }
                None => {
                    acc.need(fact);
                    Tri::Unknown
                }
            },
            Condition::OneOf { fact, values } => match self.fact(fact) {
                Some(FactValue::Enum(v)) => {
                    if values.contains(v) {
                        acc.step(Step::Chosen { fact, value: v });
                        Tri::Holds
                    } else {
                        acc.causes.push(Cause::NotAllowed { fact, value: v, allowed: values });
                        Tri::Fails
                    }
                }
                _ => {
                    acc.need(fact);
                    Tri::Unknown
                }
            },
            Condition::Compare { fact, op, term, value, when_known } => {
                if *when_known && self.fact(fact).is_none() {
                    return Tri::Holds;
                }
                let Some(v) = self.num(fact, acc) else { return Tri::Unknown };
                let cmp = Comparison { fact, value: v, op: *op, term, threshold: *value };
                if op.holds(v, *value) {
                    acc.step(Step::Met(cmp));
                    Tri::Holds
                } else {
                    acc.causes.push(Cause::Threshold { cmp, tier_minimum: false });
                    Tri::Fails
                }
            }
            Condition::Growth { fact, prev, op, term, rate } => self.growth(fact, prev, *op, term, *rate, acc),
        }
    }

    /// The first branch that holds explains the result; otherwise all are said.
    fn any(&self, any: &'a [Condition], acc: &mut Acc<'_, 'a>) -> Tri {
        let start = acc.mark();
        let mut unknown = false;
        for c in any {
            let m = acc.mark();
            match self.cond(c, acc) {
                Tri::Holds => {
                    // Only the branch that holds explains the result.
                    acc.trace.drain(start.0..m.0);
                    acc.causes.truncate(start.1);
                    acc.missing.truncate(start.2);
                    return Tri::Holds;
                }
                Tri::Unknown => unknown = true,
                Tri::Fails => {
                    acc.trace.truncate(m.0);
                    acc.missing.truncate(m.2);
                }
            }
        }
        let out = if unknown { Tri::Unknown } else { Tri::Fails };
        acc.settle(start, out);
        out
    }

    /// `fact − prev ⋛ rate × prev`, exactly; undefined when `prev` is 0.
    fn growth(&self, fact: &'a FactKey, prev: &'a FactKey, op: Op, term: &'a str, rate: Decimal, acc: &mut Acc<'_, 'a>) -> Tri {
        let v = self.num(fact, acc);
        let p = self.num(prev, acc);
        let (Some(v), Some(p)) = (v, p) else { return Tri::Unknown };
        if p.is_zero() {
            acc.need(prev);
            acc.causes.push(Cause::GrowthUndefined { prev });
            return Tri::Unknown;
        }
        let g = Growth { fact, prev, value: v, prev_value: p, op, term, rate };
        if op.holds(g.increase(), g.needed()) {
            acc.step(Step::GrowthMet(g));
            Tri::Holds
        } else {
            acc.causes.push(Cause::GrowthBelow(g));
            Tri::Fails
        }
    }

    fn all(&self, conds: &'a [Condition], acc: &mut Acc<'_, 'a>) -> Tri {
        let m = acc.mark();
        let mut out = Tri::Holds;
        for c in conds {
            match self.cond(c, acc) {
                Tri::Fails => out = Tri::Fails,
                Tri::Unknown if out == Tri::Holds => out = Tri::Unknown,
                _ => {}
            }
        }
        acc.settle(m, out);
        out
    }
}

/// What a formula yields before status is decided.
enum Outcome {
    Figure {
        amount: Decimal,
    },
    /// The formula's fact is unanswered, yet the award is at least `amount`
    /// and at most `max` (a tier table whose first tier every value reaches).
    Floor {
        amount: Decimal,
        max: Decimal,
    },
    NoFigure,
    Fails,
    Missing,
}

fn capped<'a>(acc: &mut Acc<'_, 'a>, raw: Decimal, cap: Option<Decimal>, quote: &'a str) -> Decimal {
    match cap {
        Some(c) => {
            acc.step(Step::Cap { cap: c, raw, quote });
            raw.min(c)
        }
        None => raw,
    }
}

fn eval_formula<'a>(cx: &ClauseInputs<'_, 'a>, clause: &'a Clause, acc: &mut Acc<'_, 'a>) -> Outcome {
    match &clause.formula {
        Formula::None => Outcome::NoFigure,
        Formula::Fixed { amount } => {
            acc.step(Step::Fixed { amount: *amount, figure: clause.figure });
            Outcome::Figure { amount: *amount }
        }
        Formula::Rate { base, whole, rate, cap, cap_quote } => rate_outcome(cx, acc, base, whole.as_ref(), *rate, *cap, cap_quote),
        Formula::Tiers { fact, op, term, tiers } => tiers_outcome(cx, acc, fact, *op, term, tiers),
        Formula::RateOfParts { parts, rate, cap, cap_quote } => rate_of_parts_outcome(cx, acc, parts, *rate, *cap, cap_quote),
        Formula::Lookup { fact, table } => match cx.fact(fact) {
            Some(FactValue::Enum(v)) => match table.get(v) {
                Some(a) => {
                    acc.step(Step::Lookup { fact, value: v, amount: *a });
                    Outcome::Figure { amount: *a }
                }
                None => {
                    acc.causes.push(Cause::NoAward { fact, value: v });
                    Outcome::Fails
                }
            },
            _ => {
                acc.need(fact);
                Outcome::Missing
            }
        },
        Formula::Items { list, conditions, base, rate, item_cap, item_cap_quote, cap, cap_quote } => {
            let Some(FactValue::List(items)) = cx.fact(list) else {
                acc.need(list);
                return Outcome::Missing;
            };
            let (sum, counted) = sum_items(acc, list, items, conditions, base, *rate, *item_cap);
            if counted == 0 {
                acc.causes.push(Cause::NoItems { fact: list, listed: items.len() });
                return Outcome::Fails;
            }
            if let Some(c) = item_cap {
                if !item_cap_quote.is_empty() {
                    acc.step(Step::ItemCap { cap: *c, quote: item_cap_quote });
                }
            }
            acc.step(Step::ItemsSum { count: counted, sum });
            Outcome::Figure { amount: capped(acc, sum, *cap, cap_quote) }
        }
    }
}

/// rate × base, then the cap; a base that is a part of a known whole is
/// checked against it.
fn rate_outcome<'a>(
    cx: &ClauseInputs<'_, 'a>,
    acc: &mut Acc<'_, 'a>,
    base: &'a FactKey,
    whole: Option<&'a FactKey>,
    rate: Decimal,
    cap: Option<Decimal>,
    cap_quote: &'a str,
) -> Outcome {
    let Some(b) = cx.num(base, acc) else {
        // The part is at most its whole: with the whole known, the
        // award is at most the whole's (the text's literal base).
        if let Some(w) = whole {
            if let Some(FactValue::Num(wv)) = cx.fact(w).filter(|v| !matches!(v, FactValue::Num(d) if d.is_zero())) {
                let raw = rate * *wv;
                let most = cap.map_or(raw, |c| raw.min(c));
                acc.causes.push(Cause::PartOpen { fact: base, whole: w, whole_value: *wv, most: round_fen(most) });
            }
        }
        return Outcome::Missing;
    };
    if let Some(w) = whole {
        if let Some(FactValue::Num(wv)) = cx.fact(w) {
            if b > *wv {
                acc.causes.push(Cause::ExceedsWhole { fact: base, value: b, whole: w, whole_value: *wv });
                return Outcome::Fails;
            }
        }
    }
    if b.is_zero() {
        acc.causes.push(Cause::ZeroBase { fact: base });
        return Outcome::Fails;
    }
    let raw = rate * b;
    acc.step(Step::Rate { fact: base, base: b, rate, product: raw });
    Outcome::Figure { amount: capped(acc, raw, cap, cap_quote) }
}

/// The highest tier the fact reaches.
fn tiers_outcome<'a>(
    cx: &ClauseInputs<'_, 'a>,
    acc: &mut Acc<'_, 'a>,
    fact: &'a FactKey,
    op: Op,
    term: &'a str,
    tiers: &'a [Tier],
) -> Outcome {
    let Some(v) = cx.num(fact, acc) else {
        // Facts are never negative: when 0 reaches the first tier,
        // every answer does, so the award is at least that tier's.
        return match (tiers.first(), tiers.last()) {
            (Some(first), Some(last)) if op.holds(Decimal::ZERO, first.from) => {
                acc.step(Step::TierFloor { fact, amount: first.amount });
                acc.step(Step::TierTable { term, fact, tiers });
                if last.amount > first.amount {
                    acc.causes.push(Cause::FigureOpen { fact, tiers, term });
                }
                Outcome::Floor { amount: first.amount, max: last.amount }
            }
            _ => Outcome::Missing,
        };
    };
    match tiers.iter().rev().find(|tier| op.holds(v, tier.from)) {
        Some(tier) => {
            let cmp = Comparison { fact, value: v, op, term, threshold: tier.from };
            acc.step(Step::Tier { cmp, amount: tier.amount });
            acc.step(Step::TierTable { term, fact, tiers });
            Outcome::Figure { amount: tier.amount }
        }
        None => {
            let from = tiers.first().map(|t| t.from).unwrap_or_default();
            let cmp = Comparison { fact, value: v, op, term, threshold: from };
            acc.causes.push(Cause::Threshold { cmp, tier_minimum: true });
            Outcome::Fails
        }
    }
}

/// rate × the sum of the bases whose condition holds, then the cap.
fn rate_of_parts_outcome<'a>(
    cx: &ClauseInputs<'_, 'a>,
    acc: &mut Acc<'_, 'a>,
    parts: &'a [Part],
    rate: Decimal,
    cap: Option<Decimal>,
    cap_quote: &'a str,
) -> Outcome {
    let (mut sum, mut count, mut open) = (Decimal::ZERO, 0usize, false);
    let mut first_counted: Option<&'a str> = None;
    for p in parts {
        let m = acc.mark();
        let when = cx.cond(&p.when, acc);
        // The clause's own conditions already show the choice.
        acc.trace.truncate(m.0);
        acc.causes.truncate(m.1);
        match when {
            Tri::Holds => match cx.num(&p.base, acc) {
                Some(b) => {
                    acc.step(Step::Part { fact: &p.base, amount: b });
                    sum += b;
                    count += 1;
                    first_counted.get_or_insert(&p.base);
                }
                None => open = true,
            },
            Tri::Unknown => open = true,
            Tri::Fails => acc.missing.truncate(m.2),
        }
    }
    if open {
        return Outcome::Missing;
    }
    // No part counts: the clause's own conditions say why.
    let Some(fact) = first_counted else { return Outcome::Fails };
    if sum.is_zero() {
        acc.causes.push(Cause::ZeroBase { fact });
        return Outcome::Fails;
    }
    let raw = rate * sum;
    acc.step(Step::RateOfSum { count, sum, rate, product: raw });
    Outcome::Figure { amount: capped(acc, raw, cap, cap_quote) }
}

/// Per item: the filter, rate × field and the item cap; the sum of the
/// items counted and how many they are.
fn sum_items<'a>(
    acc: &mut Acc<'_, 'a>,
    list: &'a str,
    items: &'a [std::collections::BTreeMap<String, Decimal>],
    conditions: &'a [ItemCondition],
    base: &'a str,
    rate: Decimal,
    item_cap: Option<Decimal>,
) -> (Decimal, usize) {
    let mut sum = Decimal::ZERO;
    let mut counted = 0usize;
    'items: for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        for c in conditions {
            let v = item.get(&c.field).copied().unwrap_or_default();
            if !c.op.holds(v, c.value) {
                let cmp = Comparison { fact: &c.field, value: v, op: c.op, term: &c.term, threshold: c.value };
                acc.step(Step::ItemSkipped { n, list, cmp });
                continue 'items;
            }
        }
        let b = item.get(base).copied().unwrap_or_default();
        let raw = rate * b;
        let capped_at = item_cap.filter(|c| raw > *c);
        acc.step(Step::Item { n, list, field: base, base: b, rate, product: raw, capped_at });
        sum += capped_at.unwrap_or(raw);
        counted += 1;
    }
    (sum, counted)
}

fn pack_status(pack: &Pack, profile: &Profile, year: i32) -> (PackStatus, PackReason) {
    // Claims and terms are by data year; a pack's place rules come first.
    let c = &profile.company;
    if !pack.covers_city(&c.city) {
        return (PackStatus::OtherCity, PackReason::OtherCity);
    }
    if year < pack.valid_from.y || year > pack.valid_to.y {
        return (PackStatus::NotInForce, PackReason::NotInForce);
    }
    match pack.region_role(&c.district) {
        Some(RegionRole::Applies) => {
            let from_mid_year = year == pack.valid_from.y && (pack.valid_from.m, pack.valid_from.d) != (1, 1);
            (PackStatus::Applies, PackReason::Applies { from_mid_year })
        }
        Some(RegionRole::CountyReference) => (PackStatus::CountyReference, PackReason::CountyReference),
        None => (PackStatus::OtherCity, PackReason::OutsideRegions),
    }
}

/// The evaluation's three lists, filled clause by clause.
struct Lists<'a> {
    causes: Vec<Cause<'a>>,
    steps: Vec<Step<'a>>,
    missing: Vec<&'a str>,
    /// Steps are kept (see `Acc::tracing`).
    tracing: bool,
}

fn evaluate_clause<'a>(
    cx: &ClauseInputs<'_, 'a>,
    pack: &'a Pack,
    clause: &'a Clause,
    county: bool,
    lists: &mut Lists<'a>,
) -> ClauseResult<'a> {
    let base = Mark(lists.steps.len(), lists.causes.len(), lists.missing.len());
    let mut acc = Acc { trace: &mut lists.steps, causes: &mut lists.causes, missing: &mut lists.missing, base, tracing: lists.tracing };
    note_saved_year(cx, clause, &mut acc);
    let mut excluded = excluded_by_place_or_list(cx, pack, clause, &mut acc);
    let mut cap_left = None;
    if let (false, Some(rule)) = (excluded, &clause.per_company) {
        (excluded, cap_left) = earlier_claims(cx, clause, rule, &mut acc);
    }
    let run = if excluded {
        Run { outcome: Outcome::NoFigure, blocking: base.2, formula_mark: base.0 }
    } else {
        run_clause(cx, clause, cap_left, &mut acc)
    };
    let mut r = ClauseResult {
        pack,
        clause,
        status: Status::Eligible,
        amount: None,
        amount_max: None,
        missing: Span::of(base.2, base.2),
        causes: Span::of(base.1, base.1),
        trace: Span::default(),
        excluded_by: None,
        county,
    };
    let failed = acc.causes[base.1..].iter().any(|c| !is_note(c));
    let floor = matches!(run.outcome, Outcome::Floor { .. });
    if failed || matches!(run.outcome, Outcome::Fails) {
        settle_ineligible(&mut acc, run.formula_mark, failed || floor);
        r.status = Status::Ineligible;
    } else if run.blocking > base.2 || matches!(run.outcome, Outcome::Missing) {
        settle_needs_input(&mut acc, run.formula_mark, floor, &mut r);
    } else {
        settle_eligible(&mut acc, clause, run.outcome, &mut r);
    }
    r.causes = Span::of(base.1, acc.causes.len());
    r.trace = Span::of(base.0, acc.trace.len());
    r
}

/// Facts read from the saved year before: said in the working of each
/// clause that reads them.
fn note_saved_year<'a>(cx: &ClauseInputs<'_, 'a>, clause: &'a Clause, acc: &mut Acc<'_, 'a>) {
    if cx.saved.is_empty() {
        return;
    }
    let keys = clause.fact_keys();
    for s in cx.saved.iter().filter(|s| keys.contains(&s.fact())) {
        match *s {
            SavedFact::Used { fact, source, year, value } => acc.step(Step::FromSavedYear { fact, source, year, value }),
            SavedFact::Differs { fact, given, source, saved, year } => {
                acc.causes.push(Cause::SavedYearDiffers { fact, given, source, saved, year })
            }
        }
    }
}

/// A measure of other cities' plans, or a company on the pack's exclusion
/// list, gets nothing from the clause.
fn excluded_by_place_or_list<'a>(cx: &ClauseInputs<'_, 'a>, pack: &'a Pack, clause: &'a Clause, acc: &mut Acc<'_, 'a>) -> bool {
    if !Pack::clause_covers_city(clause, cx.city) {
        acc.causes.push(Cause::NotInCityPlan { cities: &clause.cities });
        return true;
    }
    // Exclusion list first: a listed company gets nothing from the pack.
    if let Some(flag) = &pack.exclusion_fact {
        match cx.fact(flag) {
            Some(FactValue::Bool(true)) => {
                acc.causes.push(Cause::Excluded { fact: flag });
                return true;
            }
            Some(_) => {}
            None => acc.need(flag),
        }
    }
    false
}

/// What is left of a per-company cap that earlier years partly used: (cap, used, rule).
type CapLeft<'a> = Option<(Decimal, Decimal, &'a PerCompany)>;

/// Earlier years: a once-per-company award already claimed, or a
/// per-company cap already (partly) used. The evaluated year's own claim
/// blocks nothing. Returns whether the clause is excluded, and the cap left.
fn earlier_claims<'a>(cx: &ClauseInputs<'_, 'a>, clause: &'a Clause, rule: &'a PerCompany, acc: &mut Acc<'_, 'a>) -> (bool, CapLeft<'a>) {
    // Only claims of years inside the pack's term count: the plan
    // replaced the rules before it (台州: 自2025年1月1日起施行).
    let (from, to) = cx.term;
    let mut earlier = cx
        .history
        .iter()
        .filter(|c| c.clause == clause.id && c.year < cx.year && (from..=to).contains(&c.year) && c.status.counts())
        .peekable();
    match rule {
        PerCompany::Once { .. } => {
            if let Some(c) = earlier.min_by_key(|c| c.year) {
                acc.step(Step::EarlierClaim { year: c.year, status: c.status, amount: c.amount });
                acc.causes.push(Cause::AlreadyClaimed { year: c.year, status: c.status, amount: c.amount, rule });
                return (true, None);
            }
        }
        PerCompany::Cap { cap, .. } => {
            if earlier.peek().is_some() {
                let mut used = Decimal::ZERO;
                for c in earlier {
                    acc.step(Step::EarlierClaim { year: c.year, status: c.status, amount: c.amount });
                    used += c.amount.unwrap_or_default();
                }
                if used >= *cap {
                    acc.causes.push(Cause::CompanyCapUsed { cap: *cap, used, rule });
                    return (true, None);
                }
                return (false, Some((*cap, used, rule)));
            }
        }
    }
    (false, None)
}

/// What a clause's conditions and formula gave.
struct Run {
    outcome: Outcome,
    /// The end of the facts missing for the conditions (a floor's open fact
    /// does not block).
    blocking: usize,
    /// Where the formula's working starts in the trace.
    formula_mark: usize,
}

fn run_clause<'a>(cx: &ClauseInputs<'_, 'a>, clause: &'a Clause, cap_left: CapLeft<'a>, acc: &mut Acc<'_, 'a>) -> Run {
    cx.all(&clause.conditions, acc);
    let mut blocking = acc.missing.len();
    let formula_mark = acc.trace.len();
    let mut outcome = eval_formula(cx, clause, acc);
    if !matches!(outcome, Outcome::Floor { .. }) {
        blocking = acc.missing.len();
    }
    if let Some((cap, used, rule)) = cap_left {
        let left = cap - used;
        match outcome {
            Outcome::Figure { amount } => {
                acc.step(Step::CompanyCap { cap, used, raw: amount, rule });
                outcome = Outcome::Figure { amount: amount.min(left) };
            }
            Outcome::Floor { amount, max } => {
                acc.step(Step::CompanyCap { cap, used, raw: amount, rule });
                outcome = Outcome::Floor { amount: amount.min(left), max: max.min(left) };
            }
            _ => {}
        }
    }
    Run { outcome, blocking, formula_mark }
}

/// Ineligible: failures and the notes always said stay; nothing is missing.
fn settle_ineligible(acc: &mut Acc<'_, '_>, formula_mark: usize, drop_formula: bool) {
    let base = acc.base;
    if drop_formula {
        // No award: the formula's lines (a rate worked out, a floor's
        // "at least") would read as if something were paid.
        acc.trace.truncate(formula_mark);
    }
    retain_from(acc.causes, base.1, |c| !is_note(c) || always_said(c));
    acc.missing.truncate(base.2);
}

fn settle_needs_input<'a>(acc: &mut Acc<'_, 'a>, formula_mark: usize, floor: bool, r: &mut ClauseResult<'a>) {
    let base = acc.base;
    // A floor means nothing until the conditions are answered.
    retain_from(acc.causes, base.1, |c| !matches!(c, Cause::FigureOpen { .. }));
    if floor {
        acc.trace.truncate(formula_mark);
    }
    r.status = Status::NeedsInput;
    r.missing = Span::of(base.2, acc.missing.len());
    // Only the part is open: the most it can pay is known.
    if acc.missing.len() == base.2 + 1 {
        if let Some(Cause::PartOpen { fact, most, .. }) = acc.causes[base.1..].iter().find(|c| matches!(c, Cause::PartOpen { .. })) {
            if acc.missing[base.2] == *fact {
                r.amount_max = Some(*most);
            }
        }
    }
}

/// Eligible: the figure rounded once. The clause may still have an open
/// fact that can raise it.
fn settle_eligible<'a>(acc: &mut Acc<'_, 'a>, clause: &'a Clause, outcome: Outcome, r: &mut ClauseResult<'a>) {
    r.missing = Span::of(acc.base.2, acc.missing.len());
    match outcome {
        Outcome::Floor { amount, max } => {
            let m = round_fen(amount);
            acc.step(Step::Rounded { amount: m, figure: clause.figure });
            r.amount_max = Some(round_fen(max));
            if clause.figure == Figure::Exact {
                r.amount = Some(m);
            }
        }
        Outcome::Figure { amount } => {
            let m = round_fen(amount);
            acc.step(Step::Rounded { amount: m, figure: clause.figure });
            r.amount_max = Some(m);
            if clause.figure == Figure::Exact {
                r.amount = Some(m);
            }
        }
        _ => acc.step(Step::NoFigure { monetary: clause.monetary }),
    }
}

/// Keep, in each stacking group, the combination that pays most.
fn apply_stacking<'a>(pack: &'a Pack, results: &mut [ClauseResult<'a>]) {
    if pack.stacking.is_empty() {
        return;
    }
    // Members: eligible clauses in at least one group.
    // `results` holds the pack's clauses in order, so positions match `stacking_of`.
    let groups = |i: usize| pack.stacking_of.get(i).map(Vec::as_slice).unwrap_or_default();
    // The loader keeps the clauses under stacking rules to
    // `policy::STACKING_LIMIT`, so members fit in fixed arrays and the
    // search below stays small and exact; sets of members are bit masks.
    let mut members = [0usize; STACKING_LIMIT];
    let mut n = 0;
    for i in (0..results.len()).filter(|&i| results[i].status == Status::Eligible && !groups(i).is_empty()) {
        if n == STACKING_LIMIT {
            break;
        }
        members[n] = i;
        n += 1;
    }
    if n < 2 {
        return;
    }
    let members = &members[..n];
    let mut weights = [(Decimal::ZERO, Decimal::ZERO); STACKING_LIMIT];
    for (w, &i) in weights.iter_mut().zip(members) {
        *w = (results[i].amount.unwrap_or_default(), results[i].amount_max.unwrap_or_default());
    }
    let shared_group = |a: usize, b: usize| groups(a).iter().find(|g| groups(b).contains(g)).copied();
    // conflicts[k]: the members that share a group with member k.
    let mut conflicts = [0u32; STACKING_LIMIT];
    for a in 0..n {
        for b in 0..n {
            if a != b && shared_group(members[a], members[b]).is_some() {
                conflicts[a] |= 1 << b;
            }
        }
    }
    // Exhaustive search over compatible subsets; groups are small. Earlier
    // clauses are tried in first, and only a strictly better sum replaces
    // the best, so ties keep the earlier clause.
    struct Search<'s> {
        conflicts: &'s [u32],
        weights: &'s [(Decimal, Decimal)],
        best: (u32, (Decimal, Decimal)),
    }
    impl Search<'_> {
        fn go(&mut self, k: usize, cur: u32, sum: (Decimal, Decimal)) {
            if k == self.weights.len() {
                if sum > self.best.1 || self.best.0 == 0 {
                    self.best = (cur, sum);
                }
                return;
            }
            if cur & self.conflicts[k] == 0 {
                let (a, m) = self.weights[k];
                self.go(k + 1, cur | 1 << k, (sum.0 + a, sum.1 + m));
            }
            self.go(k + 1, cur, sum);
        }
    }
    let mut search = Search { conflicts: &conflicts[..n], weights: &weights[..n], best: (0, (Decimal::ZERO, Decimal::ZERO)) };
    search.go(0, 0, (Decimal::ZERO, Decimal::ZERO));
    let best = search.best.0;
    for k in (0..n).filter(|k| best & 1 << k == 0) {
        // The first kept member it conflicts with wins.
        let Some(j) = (0..n).find(|&j| best & conflicts[k] & 1 << j != 0) else { continue };
        let Some(group) = shared_group(members[j], members[k]) else { continue };
        let winner = results[members[j]].clause;
        results[members[k]].excluded_by = Some(Stacked { winner, group });
    }
}

/// Evaluate a profile for a data year against every pack.
pub fn evaluate<'a>(packs: &'a [Pack], profile: &'a Profile, year: i32) -> Evaluation<'a> {
    run(packs, profile, year, Detail::Full)
}

/// For batch screening: the same statuses, amounts, causes and missing
/// facts as `evaluate`, but `clauses` holds only the clauses of packs that
/// apply (`PackStatus::applies`; the others are only in `packs`, with their
/// status) and no trace steps are built (`trace` is empty, so
/// `open_questions` misses facts taken as "yes"). Explanations are built
/// only when asked, by `evaluate`.
pub fn evaluate_own<'a>(packs: &'a [Pack], profile: &'a Profile, year: i32) -> Evaluation<'a> {
    run(packs, profile, year, Detail::Own)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Every clause of every pack, with trace steps.
    Full,
    /// Only the clauses of packs that apply, without trace steps.
    Own,
}

fn run<'a>(packs: &'a [Pack], profile: &'a Profile, year: i32, detail: Detail) -> Evaluation<'a> {
    let full = detail == Detail::Full;
    let mut pack_results = Vec::with_capacity(packs.len());
    // Status first: the lists are sized once, from the clauses evaluated.
    let mut evaluated = 0;
    let mut listed = 0;
    for pack in packs {
        // Another kept version of the same pack may be the one for this year.
        let pack = pack.for_year(year);
        let (status, reason) = pack_status(pack, profile, year);
        if status.applies() {
            evaluated += pack.clauses.len();
        }
        if full || status.applies() {
            listed += pack.clauses.len();
        }
        let district_as = if status.applies() { pack.district_alias(&profile.company.district) } else { None };
        pack_results.push(PackResult { pack, status, reason, district_as });
    }
    let mut clauses = Vec::with_capacity(listed);
    let mut lists = Lists {
        causes: Vec::with_capacity(2 * evaluated + 1),
        steps: Vec::with_capacity(if full { 4 * evaluated } else { 0 }),
        missing: Vec::with_capacity(evaluated),
        tracing: full,
    };
    // The clauses of a pack that does not apply share one cause.
    let not_applicable = Span::of(0, 1);
    if full && listed > evaluated {
        lists.causes.push(Cause::PackNotApplicable);
    }
    let mut values = Vec::new();
    let mut saved = Vec::new();
    for pr in &pack_results {
        let pack = pr.pack;
        let start = clauses.len();
        if pr.status.applies() {
            resolve(pack, profile, year, &mut values, &mut saved);
            let cx = ClauseInputs {
                values: &values,
                history: &profile.history,
                year,
                city: &profile.company.city,
                term: (pack.valid_from.y, pack.valid_to.y),
                saved: &saved,
            };
            let county = pr.status == PackStatus::CountyReference;
            for clause in &pack.clauses {
                clauses.push(evaluate_clause(&cx, pack, clause, county, &mut lists));
            }
            apply_stacking(pack, &mut clauses[start..]);
        } else if full {
            clauses.extend(pack.clauses.iter().map(|clause| ClauseResult {
                pack,
                clause,
                status: Status::Ineligible,
                amount: None,
                amount_max: None,
                missing: Span::default(),
                causes: not_applicable,
                trace: Span::default(),
                excluded_by: None,
                county: false,
            }));
        }
    }
    let mut total = Decimal::ZERO;
    let mut total_max = Decimal::ZERO;
    for c in clauses.iter().filter(|c| c.counts()) {
        total += c.amount.unwrap_or_default();
        total_max += c.amount_max.unwrap_or_default();
    }
    Evaluation {
        year,
        profile,
        packs: pack_results,
        clauses,
        total,
        total_max,
        all_causes: lists.causes,
        all_steps: lists.steps,
        all_missing: lists.missing,
    }
}

/// Facts still worth asking: the missing and assumed facts of clauses that
/// are not ineligible, in pack and clause order, without repeats. The
/// interview asks these.
pub fn open_questions<'a>(ev: &Evaluation<'a>) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    // Eligible clauses too: an open fact there may raise the award, and a
    // fact taken as "yes" until answered is still a question.
    for c in ev.clauses.iter().filter(|c| c.status != Status::Ineligible) {
        let assumed = ev.trace(c).iter().filter_map(|s| match s {
            Step::Assumed { fact } => Some(*fact),
            _ => None,
        });
        for m in ev.missing(c).iter().copied().chain(assumed) {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// The open yes/no questions answered in the company's favour: "no" for a
/// pack's exclusion fact, "yes" for every other (a yes/no fact is only ever
/// a condition that must be true). Returns the profile with those answers
/// filled in and the answers assumed, or `None` when no open question is a
/// yes/no one. Evaluating that profile gives the provisional figures: what
/// a `needs_input` clause pays once its yes/no questions go the company's way.
/// A money fact left open that is a part of a known whole is set to the
/// whole (the most it can be; not listed among the answers assumed).
pub fn favourable_profile(packs: &[Pack], ev: &Evaluation) -> Option<(Profile, Vec<(String, bool)>)> {
    let mut assumed = Vec::new();
    for key in open_questions(ev) {
        let Some(def) = packs.iter().find_map(|p| p.facts.get(key)) else { continue };
        if def.kind != crate::policy::FactKind::Bool {
            continue;
        }
        let excludes = packs.iter().any(|p| p.exclusion_fact.as_ref().is_some_and(|f| f.as_str() == key));
        assumed.push((key.to_string(), !excludes));
    }
    // A part left open whose whole is known is at most the whole: the
    // literal reading (the whole as the base) is the favourable one.
    let mut parts = Vec::new();
    for key in open_questions(ev) {
        let Some(whole) = packs.iter().find_map(|p| p.facts.get(key)).and_then(|d| d.part_of.as_deref()) else { continue };
        if let Some(v @ FactValue::Num(_)) = ev.profile.facts.get(whole) {
            parts.push((key.to_string(), v.clone()));
        }
    }
    if assumed.is_empty() && parts.is_empty() {
        return None;
    }
    let mut p = ev.profile.clone();
    for (k, v) in &assumed {
        p.facts.insert(k.clone(), FactValue::Bool(*v));
    }
    for (k, v) in parts {
        p.facts.insert(k, v);
    }
    Some((p, assumed))
}

/// Look up a pack and clause by clause id.
pub fn find_clause<'a>(packs: &'a [Pack], id: &str) -> Option<(&'a Pack, &'a Clause)> {
    packs.iter().find_map(|p| p.clause(id).map(|c| (p, c)))
}

/// A threshold within reach: what would qualify the company for more.
#[derive(Debug, Clone, Copy)]
pub enum Hint<'a> {
    /// The next tier of a clause's tier table: `gap` more of `fact` reaches
    /// (or, for an exclusive word, passes) `threshold`, which pays `pays`.
    NextTier { clause: &'a Clause, pack: &'a Pack, fact: &'a str, op: Op, term: &'a str, gap: Decimal, threshold: Decimal, pays: Decimal },
    /// A failed lower bound of an ineligible clause (anywhere in its conditions).
    Threshold { clause: &'a Clause, pack: &'a Pack, cmp: Comparison<'a> },
}

/// Thresholds within reach: a quarter of the threshold or less away. Read
/// from the results' causes and the policy data, never from text.
pub fn hints<'a>(ev: &Evaluation<'a>) -> Vec<Hint<'a>> {
    let near = |gap: Decimal, th: Decimal| gap >= Decimal::ZERO && gap * Decimal::from(4) <= th;
    let mut out = Vec::new();
    for r in &ev.clauses {
        let causes = ev.causes(r);
        if r.status == Status::NeedsInput || causes.contains(&Cause::PackNotApplicable) {
            continue;
        }
        if let Formula::Tiers { fact, op, term, tiers } = &r.clause.formula {
            // Ineligible only because of this tier table's own minimum, or eligible.
            let tiers_decide =
                r.status == Status::Eligible || (causes.len() == 1 && matches!(causes[0], Cause::Threshold { tier_minimum: true, .. }));
            if let (true, Some(FactValue::Num(v))) = (tiers_decide, ev.profile.facts.get(fact.as_str())) {
                if let Some(next) = tiers.iter().find(|t| !op.holds(*v, t.from)) {
                    let gap = next.from - *v;
                    if near(gap, next.from) {
                        out.push(Hint::NextTier {
                            clause: r.clause,
                            pack: r.pack,
                            fact,
                            op: *op,
                            term,
                            gap,
                            threshold: next.from,
                            pays: next.amount,
                        });
                    }
                }
            }
        }
        if r.status == Status::Ineligible {
            for c in causes {
                if let Cause::Threshold { cmp, tier_minimum: false } = c {
                    if matches!(cmp.op, Op::Gt | Op::Ge) && near(cmp.threshold - cmp.value, cmp.threshold) {
                        out.push(Hint::Threshold { clause: r.clause, pack: r.pack, cmp: *cmp });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;

/// Why a claim cannot be entered in the ledger: the claim names a year or
/// a place the clause's pack does not cover, so it could never have been
/// filed (and would feed later years' once-per-company and cap rules).
#[derive(Debug, Clone, Copy)]
pub enum ClaimRefusal<'a> {
    /// No kept version of the clause's pack is in force in the claim's year.
    OutsideTerm { pack: &'a Pack, year: i32 },
    /// The clause's pack does not cover the company's city or district.
    OtherPlace { pack: &'a Pack },
    /// The clause is in the plans of `cities` only (a pack over several
    /// cities' plans), and the company is in another of its cities.
    NotInCityPlan { pack: &'a Pack, cities: &'a [String] },
}

/// Check a claim of `clause_id` for `year` against the packs: the version
/// of the clause's pack in force that year, and that it covers the
/// company's place. Returns that version and the clause. `None` when no
/// pack has the clause (the caller's own error).
pub fn check_claim<'a>(
    packs: &'a [Pack],
    company: &crate::profile::Company,
    clause_id: &str,
    year: i32,
) -> Option<Result<(&'a Pack, &'a Clause), ClaimRefusal<'a>>> {
    let pack = packs.iter().find(|p| std::iter::once(*p).chain(&p.alternates).any(|v| v.clause(clause_id).is_some()))?;
    let in_force = std::iter::once(pack)
        .chain(&pack.alternates)
        .filter(|v| v.valid_from.y <= year && year <= v.valid_to.y)
        .filter_map(|v| v.clause(clause_id).map(|c| (v, c)))
        .max_by(|a, b| a.0.version.cmp(&b.0.version));
    let Some((version, clause)) = in_force else {
        return Some(Err(ClaimRefusal::OutsideTerm { pack, year }));
    };
    if !version.covers_city(&company.city) || version.region_role(&company.district).is_none() {
        return Some(Err(ClaimRefusal::OtherPlace { pack: version }));
    }
    if !Pack::clause_covers_city(clause, &company.city) {
        return Some(Err(ClaimRefusal::NotInCityPlan { pack: version, cities: &clause.cities }));
    }
    Some(Ok((version, clause)))
}

/// The most a clause can pay a company in `year`, whatever its facts: the
/// formula's own ceiling (a fixed amount, a cap, the top tier or option),
/// less what a per-company rule leaves after the counting claims of earlier
/// years of the term. `None` when the text sets no ceiling (a rate without
/// a cap, a measure without a figure).
pub fn clause_most(pack: &Pack, clause: &Clause, year: i32, history: &[Claim]) -> Option<Decimal> {
    let ceiling = match &clause.formula {
        // A measure that is no money pays nothing.
        Formula::None if !clause.monetary => Some(Decimal::ZERO),
        Formula::None => None,
        Formula::Fixed { amount } => Some(*amount),
        Formula::Rate { cap, .. } | Formula::RateOfParts { cap, .. } => *cap,
        Formula::Items { cap, .. } => *cap,
        Formula::Tiers { tiers, .. } => tiers.iter().map(|t| t.amount).max(),
        Formula::Lookup { table, .. } => table.values().copied().max(),
    };
    let (from, to) = (pack.valid_from.y, pack.valid_to.y);
    let mut earlier =
        history.iter().filter(|c| c.clause == clause.id && c.year < year && (from..=to).contains(&c.year) && c.status.counts());
    match &clause.per_company {
        Some(PerCompany::Once { .. }) if earlier.next().is_some() => Some(Decimal::ZERO),
        Some(PerCompany::Cap { cap, .. }) => {
            let used: Decimal = earlier.filter_map(|c| c.amount).sum();
            let left = (*cap - used).max(Decimal::ZERO);
            Some(ceiling.map_or(left, |c| c.min(left)))
        }
        _ => ceiling,
    }
}

//! The claims ledger: per company × year × clause, where a claim stands
//! (计划申报 planned / 已申报 submitted / 已批准 approved / 未获批 rejected /
//! 已撤回 withdrawn), the amount applied for (`estimate`), the approved
//! amount, the submission date (`submitted_on`), the approval date
//! (`approved_on`), the older single `date` and a note.
//!
//! **The single date.** Before schema 10 a claim had one `date`, the date
//! of its latest step. It is still accepted (old exports, `claim set
//! --date`) and read by one rule, [`date_as_filing_dates`]: on a submitted
//! claim it is the submission date, on an approved claim the approval
//! date, on the other statuses neither. Migration 10 filled the new
//! columns of older rows by the same rule.
//!
//! Every change is kept: `claim_events` is append-only (triggers refuse
//! UPDATE and DELETE), one row per change with its time and the claim as it
//! became. The `claims` row is the latest state, and always equals the
//! claim's latest event.
//!
//! The ledger is what `Workspace::profile` turns into the profile's
//! `history`, so evaluating a saved company takes its earlier claims into
//! account; company and workspace exports carry it with its events, and
//! import brings it back (all or nothing, with the rest of the file).

use crate::clock::now_utc;
use crate::{CompanyKey, Result, StoreError, Workspace};
use butie_core::engine::{check_claim, clause_most, ClaimRefusal};
use butie_core::money::{fmt_yuan, max_value, read_amount, NumberProblem};
use butie_core::policy::{Date, FactKind, Pack, PerCompany};
use butie_core::profile::{check_year, is_control_char, parse_year, Claim, ClaimStatus, InputError, Problem};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;

/// The longest note kept with a claim, in characters.
pub const MAX_NOTE: usize = 500;

/// A change to one claim, as the user makes it.
///
/// `amount` means, by `status`: submitted — the amount applied for (it
/// becomes the claim's `estimate`; left out, the estimate already recorded
/// stays); approved — the approved amount (required; the estimate stays as
/// it was); planned, rejected, withdrawn — refused if given. `estimate`
/// sets the amount applied for explicitly, whatever the status (editing the
/// estimate of an approved claim); given with a submitted `amount`, it wins.
/// `date` and `note` describe this step: they replace the claim's date and
/// note, and `None` (or blank text) leaves the claim without one.
///
/// `submitted_on` and `approved_on` (`YYYY-MM-DD`): `None` keeps the date
/// recorded, blank text clears it, a date sets it. `date`, when given, also
/// sets the one of them its status names ([`date_as_filing_dates`]) unless
/// that one is given too. The approval date is kept only on an approved
/// claim (another status drops it, and refuses one given); it may not be
/// before the submission date.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimUpdate {
    pub status: ClaimStatus,
    pub amount: Option<Decimal>,
    /// The amount applied for, set explicitly.
    pub estimate: Option<Decimal>,
    /// `YYYY-MM-DD`, a real calendar date.
    pub date: Option<String>,
    pub submitted_on: Option<String>,
    pub approved_on: Option<String>,
    pub note: Option<String>,
}

impl ClaimUpdate {
    /// A change to `status` and nothing else.
    pub fn new(status: ClaimStatus) -> Self {
        ClaimUpdate { status, amount: None, estimate: None, date: None, submitted_on: None, approved_on: None, note: None }
    }
}

/// The one rule for the single `date` of a claim (schema before 10, old
/// exports, `claim set --date`): on a submitted claim it is the submission
/// date, on an approved claim the approval date, on any other status
/// neither. Returns `(submitted_on, approved_on)`. Migration 10 says the
/// same in SQL (a test checks they agree).
pub fn date_as_filing_dates(status: ClaimStatus, date: Option<&str>) -> (Option<&str>, Option<&str>) {
    match status {
        ClaimStatus::Submitted => (date, None),
        ClaimStatus::Approved => (None, date),
        ClaimStatus::Planned | ClaimStatus::Rejected | ClaimStatus::Withdrawn => (None, None),
    }
}

/// One claim of the ledger with every change made to it, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRecord {
    pub id: i64,
    pub year: i32,
    pub clause: String,
    pub status: ClaimStatus,
    /// The amount applied for.
    pub estimate: Option<Decimal>,
    /// The approved amount; only on an approved claim.
    pub approved: Option<Decimal>,
    pub date: Option<String>,
    /// The submission date and the approval date, `YYYY-MM-DD`.
    pub submitted_on: Option<String>,
    pub approved_on: Option<String>,
    pub note: Option<String>,
    /// Set when the approved amount was above the most the clause can pay
    /// the company that year: that most (a warning kept with the claim).
    pub above_most: Option<Decimal>,
    /// When the claim last changed (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub updated_at: String,
    pub events: Vec<ClaimEvent>,
}

impl ClaimRecord {
    /// The entry of the profile's `history`: the approved amount of an
    /// approved claim, otherwise the amount applied for.
    pub fn to_claim(&self) -> Claim {
        let amount = if self.status == ClaimStatus::Approved { self.approved } else { self.estimate };
        Claim { clause: self.clause.clone(), year: self.year, status: self.status, amount }
    }
}

/// One change to a claim: when, and the claim as it became.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimEvent {
    pub at: String,
    pub status: ClaimStatus,
    pub estimate: Option<Decimal>,
    pub approved: Option<Decimal>,
    pub date: Option<String>,
    pub submitted_on: Option<String>,
    pub approved_on: Option<String>,
    pub note: Option<String>,
    /// The warning of this change: the clause's most, when the approved amount was above it.
    pub above_most: Option<Decimal>,
}

/// What a claim holds, without its identity and times.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct State {
    pub status: ClaimStatus,
    pub estimate: Option<Decimal>,
    pub approved: Option<Decimal>,
    pub date: Option<String>,
    pub submitted_on: Option<String>,
    pub approved_on: Option<String>,
    pub note: Option<String>,
    /// The warning given with this change (kept on its event); the claim's
    /// own `above_most` is worked out again whenever a claim of its clause
    /// changes ([`refresh_warnings`]).
    pub above_most: Option<Decimal>,
}

impl State {
    /// The same claim, whatever warning came with it.
    fn same_claim(&self, o: &State) -> bool {
        (self.status, self.estimate, self.approved, &self.date, &self.submitted_on, &self.approved_on, &self.note)
            == (o.status, o.estimate, o.approved, &o.date, &o.submitted_on, &o.approved_on, &o.note)
    }
}

impl ClaimEvent {
    fn state(&self) -> State {
        State {
            status: self.status,
            estimate: self.estimate,
            approved: self.approved,
            date: self.date.clone(),
            submitted_on: self.submitted_on.clone(),
            approved_on: self.approved_on.clone(),
            note: self.note.clone(),
            above_most: self.above_most,
        }
    }

    fn from_state(at: String, s: State) -> Self {
        ClaimEvent {
            at,
            status: s.status,
            estimate: s.estimate,
            approved: s.approved,
            date: s.date,
            submitted_on: s.submitted_on,
            approved_on: s.approved_on,
            note: s.note,
            above_most: s.above_most,
        }
    }
}

/// A claim read from an import file, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedClaim {
    pub year: i32,
    pub clause: String,
    pub(crate) state: State,
    pub updated_at: Option<String>,
    pub events: Vec<ClaimEvent>,
}

// ------------------------------------------------------------------ checks

/// Whether the clause caps what one company gets over the pack's term: a
/// counting claim of it (submitted, approved) must say its amount.
fn capped(packs: &[Pack], clause: &str) -> bool {
    packs.iter().find_map(|p| p.clause(clause)).is_some_and(|c| matches!(c.per_company, Some(PerCompany::Cap { .. })))
}

fn known_clause(packs: &[Pack], clause: &str) -> bool {
    packs.iter().any(|p| p.clause(clause).is_some())
}

/// A non-negative amount with at most two places, kept with exactly two.
fn check_amount(field: &str, d: Decimal) -> Result<Decimal> {
    let bad = |p| Err(StoreError::Input(InputError::new(field, Problem::Number(p))));
    if d.is_sign_negative() && !d.is_zero() {
        return bad(NumberProblem::Negative);
    }
    if d.normalize().scale() > 2 {
        return bad(NumberProblem::TooManyDecimals { max: 2 });
    }
    if d.abs() > max_value() {
        return bad(NumberProblem::TooLarge);
    }
    let mut d = d.abs();
    d.rescale(2);
    Ok(d)
}

/// An amount as the catalogue writes one or a person types one: a JSON
/// number or a string (`100000`, `"100000.00"`, `"236,500,000"`, `"6.2万元"`;
/// the core's one number reader, `money::read_amount`), non-negative, to the
/// fen — the forms a money fact accepts.
pub fn parse_amount(field: &str, v: &Value) -> std::result::Result<Decimal, InputError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(InputError::new(field, Problem::WrongType { expected: FactKind::Money })),
    };
    let mut d = read_amount(&text, 2).map_err(|p| InputError::new(field, Problem::Number(p)))?;
    d.rescale(2);
    Ok(d)
}

/// `YYYY-MM-DD` and a real calendar date; blank is no date.
pub(crate) fn check_date(field: &str, date: Option<&str>) -> Result<Option<String>> {
    let Some(t) = date.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    // 2026-4-1 is written as people write it: taken as 2026-04-01.
    let parts: Vec<&str> = t.split('-').collect();
    let digits = |p: &str, lo: usize, hi: usize| (lo..=hi).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let padded = match parts[..] {
        [y, m, d] if digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2) => Some(format!("{y}-{m:0>2}-{d:0>2}")),
        _ => None,
    };
    if let Some(t) = padded.filter(|p| Date::parse(p).is_some()) {
        Ok(Some(t))
    } else {
        Err(StoreError::BadClaimDate { field: field.to_string(), date: date.unwrap_or_default().to_string() })
    }
}

/// A time as the store writes one: `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC).
fn check_time(field: &str, t: &str) -> Result<String> {
    let ok = (|| {
        let (date, rest) = t.split_once('T')?;
        // Stored times are in the one form: no padding taken here.
        let shape =
            date.len() == 10 && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !shape {
            return None;
        }
        check_date("", Some(date)).ok()??;
        let rest = rest.strip_suffix('Z')?;
        let (hms, frac) = match rest.split_once('.') {
            Some((a, f)) => (a, Some(f)),
            None => (rest, None),
        };
        if frac.is_some_and(|f| f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let parts: Vec<&str> = hms.split(':').collect();
        let limits = [24, 60, 61];
        if parts.len() != 3 {
            return None;
        }
        for (p, max) in parts.iter().zip(limits) {
            if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u32>().ok()? >= max {
                return None;
            }
        }
        Some(())
    })();
    match ok {
        Some(()) => Ok(t.to_string()),
        None => Err(StoreError::BadClaimTime { field: field.to_string(), time: t.to_string() }),
    }
}

/// Trimmed; blank is no note; at most `MAX_NOTE` characters, no control
/// characters (they would break a table's lines or display deceptively).
fn check_note(field: &str, note: Option<&str>) -> Result<Option<String>> {
    let Some(t) = note.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if t.chars().count() > MAX_NOTE {
        return Err(InputError::new(field, Problem::TooLong { max: MAX_NOTE }).into());
    }
    if let Some(ch) = t.chars().find(|c| is_control_char(*c)) {
        return Err(InputError::new(field, Problem::ControlChar { ch }).into());
    }
    Ok(Some(t.to_string()))
}

// ------------------------------------------------------------------ rows

fn conversion(i: usize, what: &str, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("{what}: {text:?}").into())
}

/// A status column, as `ClaimStatus`.
pub(crate) fn status_at(r: &rusqlite::Row, i: usize) -> rusqlite::Result<ClaimStatus> {
    let s: String = r.get(i)?;
    ClaimStatus::parse(&s).ok_or_else(|| conversion(i, "claim status", &s))
}

/// An amount column (decimal text or NULL).
pub(crate) fn amount_at(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<Decimal>> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(None),
        Some(s) => Decimal::from_str(&s).map(Some).map_err(|_| conversion(i, "amount", &s)),
    }
}

fn money(d: Option<Decimal>) -> Option<String> {
    d.map(fmt_yuan)
}

/// The state columns of a claim or event row, as `state_at` reads them.
const STATE_COLUMNS: &str = "status, estimate, approved, date, note, above_most, submitted_on, approved_on";

/// Columns 0..8 of a claim or event row: [`STATE_COLUMNS`].
fn state_at(r: &rusqlite::Row, from: usize) -> rusqlite::Result<State> {
    Ok(State {
        status: status_at(r, from)?,
        estimate: amount_at(r, from + 1)?,
        approved: amount_at(r, from + 2)?,
        date: r.get(from + 3)?,
        note: r.get(from + 4)?,
        above_most: amount_at(r, from + 5)?,
        submitted_on: r.get(from + 6)?,
        approved_on: r.get(from + 7)?,
    })
}

fn insert_event(tx: &Connection, claim_id: i64, at: &str, s: &State) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO claim_events (claim_id, at, status, estimate, approved, date, note, above_most, submitted_on, approved_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        claim_id,
        at,
        s.status.as_str(),
        money(s.estimate),
        money(s.approved),
        s.date,
        s.note,
        money(s.above_most),
        s.submitted_on,
        s.approved_on
    ])?;
    Ok(())
}

/// The claim of this company, year and clause: its id and state.
fn current(tx: &Connection, company_id: i64, year: i32, clause: &str) -> Result<Option<(i64, State)>> {
    Ok(tx
        .prepare_cached(&format!("SELECT id, {STATE_COLUMNS} FROM claims WHERE company_id = ?1 AND year = ?2 AND clause = ?3"))?
        .query_row(params![company_id, year, clause], |r| Ok((r.get(0)?, state_at(r, 1)?)))
        .optional()?)
}

/// Write the claim's state: a new row, or over the row `existing`.
/// Returns the claim's id.
fn write_row(tx: &Connection, company_id: i64, year: i32, clause: &str, existing: Option<i64>, s: &State, at: &str) -> Result<i64> {
    // The claim's warning is not the change's: `refresh_warnings` sets it.
    Ok(match existing {
        Some(id) => {
            tx.prepare_cached(
                "UPDATE claims SET status=?2, estimate=?3, approved=?4, date=?5, note=?6, updated_at=?7, submitted_on=?8, approved_on=?9
                 WHERE id=?1",
            )?
            .execute(params![
                id,
                s.status.as_str(),
                money(s.estimate),
                money(s.approved),
                s.date,
                s.note,
                at,
                s.submitted_on,
                s.approved_on
            ])?;
            id
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO claims (company_id, year, clause, status, estimate, approved, date, note, updated_at, submitted_on, approved_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                company_id,
                year,
                clause,
                s.status.as_str(),
                money(s.estimate),
                money(s.approved),
                s.date,
                s.note,
                at,
                s.submitted_on,
                s.approved_on
            ])?;
            tx.last_insert_rowid()
        }
    })
}

/// The filing dates of a [`ClaimUpdate`], checked: for each, `None` keeps
/// the date recorded, `Some(None)` clears it, `Some(Some(d))` sets it.
struct DatesGiven {
    status: ClaimStatus,
    submitted_on: Option<Option<String>>,
    approved_on: Option<Option<String>>,
}

impl DatesGiven {
    fn of(u: &ClaimUpdate, date: Option<&str>) -> Result<Self> {
        let given = |field: &str, v: &Option<String>| v.as_deref().map(|t| check_date(field, Some(t))).transpose();
        let mut submitted_on = given("claim.submitted_on", &u.submitted_on)?;
        let mut approved_on = given("claim.approved_on", &u.approved_on)?;
        let (as_submitted, as_approved) = date_as_filing_dates(u.status, date);
        if submitted_on.is_none() && as_submitted.is_some() {
            submitted_on = Some(as_submitted.map(str::to_string));
        }
        if approved_on.is_none() && as_approved.is_some() {
            approved_on = Some(as_approved.map(str::to_string));
        }
        if u.status != ClaimStatus::Approved {
            if let Some(Some(d)) = &approved_on {
                return Err(StoreError::ClaimDateNotAllowed { field: "claim.approved_on".into(), status: u.status, date: d.clone() });
            }
        }
        Ok(DatesGiven { status: u.status, submitted_on, approved_on })
    }

    /// The dates the claim will have, over what `old` recorded.
    fn resolve(&self, old: Option<&State>) -> Result<(Option<String>, Option<String>)> {
        let submitted_on = self.submitted_on.clone().unwrap_or_else(|| old.and_then(|s| s.submitted_on.clone()));
        let approved_on = match self.status {
            ClaimStatus::Approved => self.approved_on.clone().unwrap_or_else(|| old.and_then(|s| s.approved_on.clone())),
            _ => None,
        };
        check_date_order("claim.approved_on", submitted_on.as_deref(), approved_on.as_deref())?;
        Ok((submitted_on, approved_on))
    }
}

/// An approval date not before the submission date (both `YYYY-MM-DD`,
/// so their text orders as the dates do).
fn check_date_order(field: &str, submitted_on: Option<&str>, approved_on: Option<&str>) -> Result<()> {
    match (submitted_on, approved_on) {
        (Some(s), Some(a)) if a < s => {
            Err(StoreError::ApprovedBeforeSubmitted { field: field.to_string(), submitted_on: s.to_string(), approved_on: a.to_string() })
        }
        _ => Ok(()),
    }
}

impl Workspace {
    /// Record a change to the claim of `company_id`, `year` and `clause`
    /// (made if there is none): see [`ClaimUpdate`] for what each field
    /// means. Returns the claim's id. One write transaction, begun
    /// IMMEDIATE; the change is appended to the claim's events. An update
    /// that changes nothing records nothing.
    ///
    /// Refused, each naming its field: a clause no pack in `packs` has
    /// (`UnknownClause`); an amount on a planned, rejected or withdrawn
    /// claim (`ClaimAmountNotAllowed`); approved without an amount, or
    /// submitted without one on a clause capped per company
    /// (`ClaimAmountRequired`); a negative amount or one finer than the fen
    /// (`Input`, `claim.amount`); a date that is not a real `YYYY-MM-DD`
    /// (`BadClaimDate`, also `claim.submitted_on`, `claim.approved_on`); an
    /// approval date on a claim that is not approved (`ClaimDateNotAllowed`)
    /// or before the submission date (`ApprovedBeforeSubmitted`); a year
    /// outside 2000–2100 or a bad note (`Input`);
    /// a company that is not there or archived (`CompanyNotFound`).
    pub fn set_claim(&mut self, company_id: i64, year: i32, clause: &str, u: &ClaimUpdate, packs: &[Pack]) -> Result<i64> {
        let year = check_year("claim.year", i64::from(year))?;
        let clause = clause.trim();
        if !known_clause(packs, clause) {
            return Err(StoreError::UnknownClause { field: "claim.clause".into(), clause: clause.to_string() });
        }
        let amount = u.amount.map(|a| check_amount("claim.amount", a)).transpose()?;
        let status = u.status;
        match (status, amount) {
            (ClaimStatus::Planned | ClaimStatus::Rejected | ClaimStatus::Withdrawn, Some(_)) => {
                return Err(StoreError::ClaimAmountNotAllowed { field: "claim.amount".into(), status });
            }
            (ClaimStatus::Approved, None) => return Err(StoreError::ClaimAmountRequired { field: "claim.amount".into(), status }),
            _ => {}
        }
        let estimate_given = u.estimate.map(|a| check_amount("claim.estimate", a)).transpose()?;
        let date = check_date("claim.date", u.date.as_deref())?;
        let dates = DatesGiven::of(u, date.as_deref())?;
        let note = check_note("claim.note", u.note.as_deref())?;
        let capped = capped(packs, clause);
        // A claim the policy could not have received is refused: it would
        // feed later years' once-per-company and cumulative rules.
        let company = self.get_company(company_id)?.company;
        refusal(packs, &company, clause, year, "claim")?;
        // The year's estimate of the clause (an exact figure only), kept as
        // the amount applied for when none is given or recorded: a claim set
        // straight to approved keeps what it was estimated at.
        let year_estimate = {
            let profile = self.profile(company_id, year, packs)?;
            let ev = butie_core::engine::evaluate(packs, &profile, year);
            ev.clauses.iter().find(|c| c.clause.id == clause).filter(|c| c.status == butie_core::Status::Eligible).and_then(|c| c.amount)
        };
        self.write(|tx| {
            Self::require_company(tx, company_id)?;
            let old = current(tx, company_id, year, clause)?;
            let old_estimate = old.as_ref().and_then(|(_, s)| s.estimate);
            let estimate = match status {
                ClaimStatus::Submitted => estimate_given.or(amount).or(old_estimate),
                _ => estimate_given.or(old_estimate),
            }
            .or(year_estimate);
            if status == ClaimStatus::Submitted && capped && estimate.is_none() {
                return Err(StoreError::ClaimAmountRequired { field: "claim.amount".into(), status });
            }
            let approved = if status == ClaimStatus::Approved { amount } else { None };
            let (submitted_on, approved_on) = dates.resolve(old.as_ref().map(|(_, s)| s))?;
            let mut new = State { status, estimate, approved, date, submitted_on, approved_on, note, above_most: None };
            if let Some((id, s)) = &old {
                if s.same_claim(&new) {
                    return Ok(*id);
                }
            }
            let now = now_utc(tx)?;
            let id = write_row(tx, company_id, year, clause, old.map(|(id, _)| id), &new, &now)?;
            // An approved amount above what the clause can pay that year is
            // kept, with the most it can be as a warning (the department may
            // know better); the change's event keeps the warning given now.
            refresh_warnings(tx, company_id, &company, clause, packs)?;
            new.above_most = tx.query_row("SELECT above_most FROM claims WHERE id = ?1", [id], |r| amount_at(r, 0))?;
            insert_event(tx, id, &now, &new)?;
            Ok(id)
        })
    }

    /// The claims of a company (archived ones too), of every year or of
    /// `year`, ordered by year and clause, each with its events oldest
    /// first. `CompanyNotFound` if there is no such company.
    pub fn claims(&self, company_id: i64, year: Option<i32>) -> Result<Vec<ClaimRecord>> {
        let found: Option<i64> = self.conn.query_row("SELECT id FROM companies WHERE id = ?1", [company_id], |r| r.get(0)).optional()?;
        if found.is_none() {
            return Err(StoreError::CompanyNotFound { key: CompanyKey::Id(company_id) });
        }
        self.claims_of(company_id, year)
    }

    /// `claims`, for a company known to be there.
    fn claims_of(&self, company_id: i64, year: Option<i32>) -> Result<Vec<ClaimRecord>> {
        if !self.ledger {
            // A workspace from before the ledger, opened read-only.
            return Ok(Vec::new());
        }
        // A workspace from before the filing dates (schema 10), opened read-only, has none.
        let cols = if self.filing_dates { STATE_COLUMNS } else { "status, estimate, approved, date, note, above_most, NULL, NULL" };
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT id, year, clause, updated_at, {cols} FROM claims
             WHERE company_id = ?1 AND (?2 IS NULL OR year = ?2) ORDER BY year, clause"
        ))?;
        let mut out = st
            .query_map(params![company_id, year], |r| {
                let s = state_at(r, 4)?;
                Ok(ClaimRecord {
                    id: r.get(0)?,
                    year: r.get(1)?,
                    clause: r.get(2)?,
                    status: s.status,
                    estimate: s.estimate,
                    approved: s.approved,
                    date: s.date,
                    submitted_on: s.submitted_on,
                    approved_on: s.approved_on,
                    note: s.note,
                    above_most: s.above_most,
                    updated_at: r.get(3)?,
                    events: Vec::new(),
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if out.is_empty() {
            return Ok(out);
        }
        let ecols = if self.filing_dates {
            "e.status, e.estimate, e.approved, e.date, e.note, e.above_most, e.submitted_on, e.approved_on"
        } else {
            "e.status, e.estimate, e.approved, e.date, e.note, e.above_most, NULL, NULL"
        };
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT e.claim_id, e.at, {ecols} FROM claim_events e
             JOIN claims c ON c.id = e.claim_id
             WHERE c.company_id = ?1 AND (?2 IS NULL OR c.year = ?2) ORDER BY e.claim_id, e.at, e.id"
        ))?;
        let rows =
            st.query_map(params![company_id, year], |r| Ok((r.get::<_, i64>(0)?, ClaimEvent::from_state(r.get(1)?, state_at(r, 2)?))))?;
        let index: std::collections::HashMap<i64, usize> = out.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        for row in rows {
            let (claim_id, e) = row?;
            if let Some(&i) = index.get(&claim_id) {
                out[i].events.push(e);
            }
        }
        Ok(out)
    }

    /// The profile's `history` of a company known to be there: every year's
    /// claims of clauses the loaded packs know (a clause of another pack
    /// version is kept in the ledger but is not the loaded packs' business).
    pub(crate) fn history_of(&self, company_id: i64, packs: &[Pack]) -> Result<Vec<Claim>> {
        Ok(self.claims_of(company_id, None)?.iter().filter(|c| known_clause(packs, &c.clause)).map(ClaimRecord::to_claim).collect())
    }

    /// Bring an imported claim into the ledger (inside the import's
    /// transaction): a new claim with its events as they were; over an
    /// existing one (import with replace), the file's state wins and the
    /// file's events not already recorded are added. If the latest event
    /// then is not the claim's state, the import itself is recorded as an
    /// event, so the events always end at the claim as it is.
    pub(crate) fn import_claim(tx: &Connection, company_id: i64, c: &ImportedClaim, now: &str) -> Result<Merged> {
        let old = current(tx, company_id, c.year, &c.clause)?;
        // When the file's claim was last changed (its time, else its newest
        // event); a file without times (a profile's history) is as of now.
        let file_at = c.updated_at.clone().or_else(|| c.events.iter().map(|e| e.at.clone()).max());
        let ledger_at: Option<String> = match &old {
            Some((id, _)) => tx.query_row("SELECT max(at) FROM claim_events WHERE claim_id = ?1", [id], |r| r.get(0))?,
            None => None,
        };
        // The ledger changed after the file was made: keep its state.
        let newer_here = matches!((&old, &ledger_at, &file_at), (Some((_, s)), Some(l), Some(f)) if l > f && !s.same_claim(&c.state));
        let id = match &old {
            None => write_row(tx, company_id, c.year, &c.clause, None, &c.state, c.updated_at.as_deref().unwrap_or(now))?,
            Some((id, _)) if newer_here => *id,
            Some((id, s)) if !s.same_claim(&c.state) => write_row(tx, company_id, c.year, &c.clause, Some(*id), &c.state, now)?,
            Some((id, _)) => *id,
        };
        let recorded = |e: &ClaimEvent| -> Result<bool> {
            let n: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM claim_events WHERE claim_id = ?1 AND at = ?2 AND status = ?3 AND estimate IS ?4
                     AND approved IS ?5 AND date IS ?6 AND note IS ?7 AND above_most IS ?8 AND submitted_on IS ?9 AND approved_on IS ?10",
                )?
                .query_row(
                    params![
                        id,
                        e.at,
                        e.status.as_str(),
                        money(e.estimate),
                        money(e.approved),
                        e.date,
                        e.note,
                        money(e.above_most),
                        e.submitted_on,
                        e.approved_on
                    ],
                    |r| r.get(0),
                )?;
            Ok(n > 0)
        };
        for e in &c.events {
            if !recorded(e)? {
                insert_event(tx, id, &e.at, &e.state())?;
            }
        }
        if newer_here {
            return Ok(Merged::KeptNewer);
        }
        let last: Option<State> = tx
            .prepare_cached(&format!("SELECT {STATE_COLUMNS} FROM claim_events WHERE claim_id = ?1 ORDER BY at DESC, id DESC LIMIT 1"))?
            .query_row([id], |r| state_at(r, 0))
            .optional()?;
        if !last.as_ref().is_some_and(|l| l.same_claim(&c.state)) {
            insert_event(tx, id, now, &c.state)?;
        }
        Ok(Merged::Applied)
    }
}

/// How an imported claim met the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merged {
    /// The file's state is the claim's state now.
    Applied,
    /// The ledger's state was newer than the file's and was kept.
    KeptNewer,
}

// ------------------------------------------------------------------ JSON

fn put(m: &mut Map<String, Value>, k: &str, v: Option<String>) {
    if let Some(s) = v {
        m.insert(k.into(), Value::String(s));
    }
}

fn state_fields(m: &mut Map<String, Value>, s: &State) {
    m.insert("status".into(), Value::String(s.status.as_str().into()));
    put(m, "estimate", money(s.estimate));
    put(m, "approved", money(s.approved));
    put(m, "date", s.date.clone());
    put(m, "submitted_on", s.submitted_on.clone());
    put(m, "approved_on", s.approved_on.clone());
    put(m, "note", s.note.clone());
    put(m, "above_most", money(s.above_most));
}

/// A claim as the export writes it: `{year, clause, status, estimate,
/// approved, date, submitted_on, approved_on, note, updated_at, events:
/// [{at, status, …}]}`, fields
/// without a value left out, amounts as strings with two places.
pub fn claim_to_value(c: &ClaimRecord) -> Value {
    let mut m = Map::new();
    m.insert("year".into(), Value::from(c.year));
    m.insert("clause".into(), Value::String(c.clause.clone()));
    let state = State {
        status: c.status,
        estimate: c.estimate,
        approved: c.approved,
        date: c.date.clone(),
        submitted_on: c.submitted_on.clone(),
        approved_on: c.approved_on.clone(),
        note: c.note.clone(),
        above_most: c.above_most,
    };
    state_fields(&mut m, &state);
    m.insert("updated_at".into(), Value::String(c.updated_at.clone()));
    let events = c
        .events
        .iter()
        .map(|e| {
            let mut em = Map::new();
            em.insert("at".into(), Value::String(e.at.clone()));
            state_fields(&mut em, &e.state());
            Value::Object(em)
        })
        .collect();
    m.insert("events".into(), Value::Array(events));
    Value::Object(m)
}

const CLAIM_KEYS: [&str; 12] = [
    "year",
    "clause",
    "status",
    "estimate",
    "approved",
    "date",
    "submitted_on",
    "approved_on",
    "note",
    "above_most",
    "updated_at",
    "events",
];
const EVENT_KEYS: [&str; 9] = ["at", "status", "estimate", "approved", "date", "submitted_on", "approved_on", "note", "above_most"];

fn known_keys(obj: &Map<String, Value>, known: &[&'static str], at: &dyn Fn(&str) -> String) -> Result<()> {
    for k in obj.keys() {
        if !known.contains(&k.as_str()) {
            return Err(InputError::new(at(k), Problem::UnknownField { known: known.to_vec() }).into());
        }
    }
    Ok(())
}

fn opt_text<'a>(obj: &'a Map<String, Value>, k: &str, at: &dyn Fn(&str) -> String) -> Result<Option<&'a str>> {
    match obj.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(InputError::new(at(k), Problem::NotText).into()),
    }
}

fn opt_amount(obj: &Map<String, Value>, k: &str, at: &dyn Fn(&str) -> String) -> Result<Option<Decimal>> {
    match obj.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Ok(Some(parse_amount(&at(k), v)?)),
    }
}

fn status_of(obj: &Map<String, Value>, at: &dyn Fn(&str) -> String) -> Result<ClaimStatus> {
    match obj.get("status") {
        Some(Value::String(s)) => ClaimStatus::parse(s).ok_or_else(|| {
            InputError::new(at("status"), Problem::NotOption { options: ClaimStatus::ALL.iter().map(|c| c.as_str().to_string()).collect() })
                .into()
        }),
        Some(_) => Err(InputError::new(at("status"), Problem::NotText).into()),
        None => Err(InputError::new(at("status"), Problem::Missing).into()),
    }
}

/// Status, amounts, dates and note of a claim or event object. A file
/// from before the filing dates has only `date`: each of them it lacks is
/// read from it by [`date_as_filing_dates`].
fn state_of(obj: &Map<String, Value>, at: &dyn Fn(&str) -> String) -> Result<State> {
    let status = status_of(obj, at)?;
    let estimate = opt_amount(obj, "estimate", at)?;
    let approved = opt_amount(obj, "approved", at)?;
    let date = check_date(&at("date"), opt_text(obj, "date", at)?)?;
    let (as_submitted, as_approved) = date_as_filing_dates(status, date.as_deref());
    let mut submitted_on = check_date(&at("submitted_on"), opt_text(obj, "submitted_on", at)?)?;
    let mut approved_on = check_date(&at("approved_on"), opt_text(obj, "approved_on", at)?)?;
    if !obj.contains_key("submitted_on") {
        submitted_on = as_submitted.map(str::to_string);
    }
    if !obj.contains_key("approved_on") {
        approved_on = as_approved.map(str::to_string);
    }
    if let (Some(d), false) = (&approved_on, status == ClaimStatus::Approved) {
        return Err(StoreError::ClaimDateNotAllowed { field: at("approved_on"), status, date: d.clone() });
    }
    check_date_order(&at("approved_on"), submitted_on.as_deref(), approved_on.as_deref())?;
    let note = check_note(&at("note"), opt_text(obj, "note", at)?)?;
    let above_most = opt_amount(obj, "above_most", at)?;
    Ok(State { status, estimate, approved, date, submitted_on, approved_on, note, above_most })
}

/// An export's `claims` list, checked completely: known keys and clauses,
/// statuses, amounts, real dates, times as the store writes them; an
/// approved amount only on an approved claim; a counting claim of a clause
/// capped per company with its amount; one claim per year and clause.
/// Errors name the entry (`claims[1].status`, `claims[0].events[2].at`).
pub fn parse_claims(v: &Value, packs: &[Pack]) -> Result<Vec<ImportedClaim>> {
    let list = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(a) => a,
        _ => return Err(InputError::new("claims", Problem::WrongType { expected: FactKind::List }).into()),
    };
    let mut out: Vec<ImportedClaim> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let here = format!("claims[{i}]");
        let at = |k: &str| format!("{here}.{k}");
        let obj = item.as_object().ok_or_else(|| InputError::new(&here, Problem::NotAnObject))?;
        known_keys(obj, &CLAIM_KEYS, &at)?;
        let year = match obj.get("year") {
            Some(y) => parse_year(&at("year"), y)?,
            None => return Err(InputError::new(at("year"), Problem::Missing).into()),
        };
        let clause = match obj.get("clause") {
            Some(Value::String(c)) if known_clause(packs, c) => c.clone(),
            Some(Value::String(c)) => return Err(StoreError::UnknownClause { field: at("clause"), clause: c.clone() }),
            Some(_) => return Err(InputError::new(at("clause"), Problem::NotText).into()),
            None => return Err(InputError::new(at("clause"), Problem::Missing).into()),
        };
        let mut state = state_of(obj, &at)?;
        // The claim's warning is worked out again on import, never taken from a file.
        state.above_most = None;
        if state.approved.is_some() && state.status != ClaimStatus::Approved {
            return Err(StoreError::ClaimAmountNotAllowed { field: at("approved"), status: state.status });
        }
        let amount = if state.status == ClaimStatus::Approved { state.approved } else { state.estimate };
        if state.status.counts() && amount.is_none() && capped(packs, &clause) {
            let k = if state.status == ClaimStatus::Approved { "approved" } else { "estimate" };
            return Err(StoreError::ClaimAmountRequired { field: at(k), status: state.status });
        }
        let updated_at = opt_text(obj, "updated_at", &at)?.map(|t| check_time(&at("updated_at"), t)).transpose()?;
        let events = match obj.get("events") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => {
                let mut events = Vec::with_capacity(list.len());
                for (j, e) in list.iter().enumerate() {
                    let ehere = format!("{here}.events[{j}]");
                    let eat = |k: &str| format!("{ehere}.{k}");
                    let eobj = e.as_object().ok_or_else(|| InputError::new(&ehere, Problem::NotAnObject))?;
                    known_keys(eobj, &EVENT_KEYS, &eat)?;
                    let t = match eobj.get("at") {
                        Some(Value::String(t)) => check_time(&eat("at"), t)?,
                        Some(_) => return Err(InputError::new(eat("at"), Problem::NotText).into()),
                        None => return Err(InputError::new(eat("at"), Problem::Missing).into()),
                    };
                    events.push(ClaimEvent::from_state(t, state_of(eobj, &eat)?));
                }
                events
            }
            Some(_) => return Err(InputError::new(at("events"), Problem::WrongType { expected: FactKind::List }).into()),
        };
        if out.iter().any(|c| c.year == year && c.clause == clause) {
            return Err(InputError::new(&here, Problem::DuplicateKey).into());
        }
        out.push(ImportedClaim { year, clause, state, updated_at, events });
    }
    Ok(out)
}

/// A profile's `history` as claims to import: an approved entry's amount is
/// the approved amount, any other's the amount applied for. They come
/// without events; the import records itself as each one's event.
pub fn claims_from_history(history: &[Claim]) -> Result<Vec<ImportedClaim>> {
    let mut out: Vec<ImportedClaim> = Vec::with_capacity(history.len());
    for (i, c) in history.iter().enumerate() {
        let (estimate, approved) = if c.status == ClaimStatus::Approved { (None, c.amount) } else { (c.amount, None) };
        let state =
            State { status: c.status, estimate, approved, date: None, submitted_on: None, approved_on: None, note: None, above_most: None };
        if out.iter().any(|o| o.year == c.year && o.clause == c.clause) {
            return Err(InputError::new(format!("history[{i}]"), Problem::DuplicateKey).into());
        }
        out.push(ImportedClaim { year: c.year, clause: c.clause.clone(), state, updated_at: None, events: Vec::new() });
    }
    Ok(out)
}

/// Work out again the warning of every claim of `clause` of a company: an
/// approved amount above the most the clause can pay that year, given the
/// company's other claims of the clause (a cap used up by earlier years, a
/// one-time award already received). Called inside the transaction that
/// changed one of them, so the warnings never depend on the order claims
/// were entered and never go stale.
pub(crate) fn refresh_warnings(
    tx: &Connection,
    company_id: i64,
    company: &butie_core::profile::Company,
    clause: &str,
    packs: &[Pack],
) -> Result<()> {
    let rows: Vec<(i64, i32, State)> = tx
        .prepare_cached(
            "SELECT id, year, status, estimate, approved, date, note, NULL, submitted_on, approved_on FROM claims
             WHERE company_id = ?1 AND clause = ?2 ORDER BY year",
        )?
        .query_map(params![company_id, clause], |r| Ok((r.get(0)?, r.get(1)?, state_at(r, 2)?)))?
        .collect::<std::result::Result<_, _>>()?;
    let history: Vec<Claim> = rows
        .iter()
        .map(|(_, year, s)| {
            let amount = if s.status == ClaimStatus::Approved { s.approved } else { s.estimate };
            Claim { clause: clause.to_string(), year: *year, status: s.status, amount }
        })
        .collect();
    for (id, year, s) in &rows {
        let most = match check_claim(packs, company, clause, *year) {
            Some(Ok((pack, c))) => clause_most(pack, c, *year, &history),
            _ => None,
        };
        let above = match (s.status, s.approved, most) {
            (ClaimStatus::Approved, Some(a), Some(m)) if a > m => Some(m),
            _ => None,
        };
        tx.prepare_cached("UPDATE claims SET above_most = ?2 WHERE id = ?1 AND above_most IS NOT ?2")?
            .execute(params![id, money(above)])?;
    }
    Ok(())
}

/// Claims of an import file the policy could not have received (a year
/// outside the pack's term, another place's pack) are refused as
/// `claim set` refuses them, the field naming the entry (`claims[1].year`).
pub(crate) fn check_imported(packs: &[Pack], company: &butie_core::profile::Company, claims: &[ImportedClaim], list: &str) -> Result<()> {
    for (i, c) in claims.iter().enumerate() {
        refusal(packs, company, &c.clause, c.year, &format!("{list}[{i}]"))?;
    }
    Ok(())
}

/// `check_claim` as a store error, its fields under `at` (`claim`, `claims[1]`).
fn refusal<'p>(
    packs: &'p [Pack],
    company: &butie_core::profile::Company,
    clause: &str,
    year: i32,
    at: &str,
) -> Result<(&'p Pack, &'p butie_core::policy::Clause)> {
    match check_claim(packs, company, clause, year) {
        None => Err(StoreError::UnknownClause { field: format!("{at}.clause"), clause: clause.to_string() }),
        Some(Err(ClaimRefusal::OutsideTerm { pack, year })) => {
            let (from, to) = std::iter::once(pack)
                .chain(&pack.alternates)
                .filter(|v| v.clause(clause).is_some())
                .fold((pack.valid_from, pack.valid_to), |(f, t), v| (f.min(v.valid_from), t.max(v.valid_to)));
            Err(StoreError::ClaimOutsideTerm {
                field: format!("{at}.year"),
                clause: clause.to_string(),
                year,
                valid_from: from,
                valid_to: to,
            })
        }
        Some(Err(ClaimRefusal::OtherPlace { pack })) => Err(StoreError::ClaimOtherPlace {
            field: format!("{at}.clause"),
            clause: clause.to_string(),
            pack_area: pack.city.clone(),
            city: company.city.clone(),
            district: company.district.clone(),
        }),
        Some(Err(ClaimRefusal::NotInCityPlan { cities, .. })) => Err(StoreError::ClaimNotInCityPlan {
            field: format!("{at}.clause"),
            clause: clause.to_string(),
            cities: cities.to_vec(),
            city: company.city.clone(),
        }),
        Some(Ok(found)) => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_real_and_in_the_one_form() {
        for good in ["2025-06-30", "2024-02-29", " 2025-01-01 "] {
            assert!(check_date("d", Some(good)).unwrap().is_some(), "{good}");
        }
        // As people write them: the month and day padded.
        assert_eq!(check_date("d", Some("2026-4-1")).unwrap().as_deref(), Some("2026-04-01"));
        assert_eq!(check_date("d", Some("2025-6-30")).unwrap().as_deref(), Some("2025-06-30"));
        assert_eq!(check_date("d", Some("  ")).unwrap(), None);
        for bad in
            ["2025-02-29", "2025-13-01", "2025-2-29", "2025/06/30", "20250630", "2025-06-31", "tomorrow", "２０２５-06-30", "2025-006-30"]
        {
            assert!(matches!(check_date("d", Some(bad)), Err(StoreError::BadClaimDate { .. })), "{bad}");
        }
        for good in ["2025-06-30T08:01:02.123Z", "2025-06-30T23:59:59Z"] {
            assert_eq!(check_time("t", good).unwrap(), good);
        }
        for bad in ["2025-06-30", "2025-06-30T24:00:00Z", "2025-06-30T08:01:02", "2025-02-30T08:01:02Z", "2025-06-30T8:1:2Z", "x"] {
            assert!(matches!(check_time("t", bad), Err(StoreError::BadClaimTime { .. })), "{bad}");
        }
    }

    #[test]
    fn amounts_are_non_negative_to_the_fen_and_kept_with_two_places() {
        assert_eq!(check_amount("a", Decimal::new(1000005, 1)).unwrap().to_string(), "100000.50");
        assert_eq!(check_amount("a", Decimal::new(-0, 0)).unwrap().to_string(), "0.00");
        assert_eq!(check_amount("a", Decimal::new(1000000, 4)).unwrap().to_string(), "100.00");
        for (d, p) in [(Decimal::new(-1, 0), NumberProblem::Negative), (Decimal::new(1001, 3), NumberProblem::TooManyDecimals { max: 2 })] {
            match check_amount("claim.amount", d) {
                Err(StoreError::Input(e)) => assert_eq!((e.field.as_str(), e.problem), ("claim.amount", Problem::Number(p))),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(parse_amount("a", &Value::String("100000".into())).unwrap().to_string(), "100000.00");
        assert!(parse_amount("a", &Value::Bool(true)).is_err());
        assert!(parse_amount("a", &Value::String("1,00".into())).is_err());
        assert_eq!(parse_amount("a", &Value::String("1,000".into())).unwrap().to_string(), "1000.00");
        assert_eq!(parse_amount("a", &Value::String("6.2万元".into())).unwrap().to_string(), "62000.00");
    }

    #[test]
    fn notes_are_trimmed_and_refuse_control_characters() {
        assert_eq!(check_note("n", Some("  材料已交  ")).unwrap().as_deref(), Some("材料已交"));
        assert_eq!(check_note("n", Some("")).unwrap(), None);
        assert!(check_note("n", Some("a\nb")).is_err());
        assert!(check_note("n", Some(&"长".repeat(MAX_NOTE + 1))).is_err());
    }
}

//! The desktop app's operations, as plain functions over the same core,
//! store and PDF functions the CLI uses. The Tauri commands in `src-tauri`
//! only forward to these; tests call them directly.
//!
//! This is the window's edge: requests and answers are serde structs. The
//! language lives in the `Session` (the window sets it with
//! [`Session::set_lang`]); the views carry every figure as the window shows
//! it (grouped digits, units, local times, the overview's order). Methods
//! return the typed [`AppError`]; [`Session::word`] turns one into the
//! `ApiError { field, message }` the window gets, its message in the
//! session's language and never carrying the field name, so the page shows
//! it beside the field it names.

mod error;
mod filings;
mod shown;
mod views;

pub use error::{ApiError, AppError, AppResult};
pub use filings::{FilingClause, FilingForm};
pub use views::*;

use crate::files::{parse_import_text, read_import_text, write_atomic, write_pdf_set, Content, Replace};
use crate::packet::size_text;
use crate::store_messages::store_detail;
use butie_core::engine::{evaluate, hints, open_questions, Evaluation, Status};
use butie_core::explain;
use butie_core::money::{fmt_grouped, fmt_yuan, read_amount};
use butie_core::policy::{FactKind, Lang, Pack};
use butie_core::profile::{fact_index, parse_company, parse_fact_value, ClaimStatus, Company, InputError, Problem, Profile};
use butie_store::{ClaimRecord, ClaimUpdate, StoreError, Workspace};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The language the window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UiLang {
    #[default]
    Zh,
    En,
}

impl From<UiLang> for Lang {
    fn from(l: UiLang) -> Lang {
        match l {
            UiLang::Zh => Lang::Zh,
            UiLang::En => Lang::En,
        }
    }
}

/// A result in the window's words (what a Tauri command answers).
pub type ApiResult<T> = Result<T, ApiError>;

// ------------------------------------------------------------------ session

/// Why the app could not open its workspace; shown in the window, in the
/// language the user picks there.
#[derive(Debug)]
pub enum OpenFailure {
    Store(StoreError),
    /// The packs in use do not load (a pack kept in the workspace was changed).
    Packs(crate::ops::Error),
    /// The build itself is broken (the sample does not load).
    Build(String),
}

impl OpenFailure {
    pub fn to_api(&self, lang: UiLang) -> ApiError {
        match self {
            OpenFailure::Store(e) => ApiError { field: "workspace".into(), message: store_detail(e, lang.into()) },
            OpenFailure::Packs(e) => ApiError::general(e.message(lang.into())),
            OpenFailure::Build(m) => ApiError::general(m.clone()),
        }
    }
}

pub struct Session {
    /// The packs in use: the built-in ones with the versions imported into
    /// the workspace; replaced whole when a pack is imported.
    pack_set: std::sync::RwLock<std::sync::Arc<Vec<Pack>>>,
    ws: Mutex<Workspace>,
    pub first_run: bool,
    /// The sample company's credit code (its rows are marked 示例), read once.
    sample_uscc: Option<String>,
    /// A spreadsheet previewed and not yet saved (or discarded).
    pending_sheet: Mutex<Option<crate::batch::SheetImport>>,
    /// The language the window shows, set by the window ([`Session::set_lang`])
    /// when the user picks one and at start-up; every method's words and
    /// every error's (through [`Session::word`]) are in it.
    lang: Mutex<UiLang>,
}

const SAMPLE: &str = include_str!("../../samples/taizhou-sample.json");

impl Session {
    /// Open the workspace; a new one starts with the sample company so a
    /// newcomer sees results at once.
    pub fn open(path: &Path) -> Result<Session, OpenFailure> {
        let first_run = !path.exists();
        // Only a first run creates the file (the store's `open` never does).
        let opened = if first_run { Workspace::open_or_create(path) } else { Workspace::open(path) };
        let mut ws = opened.map_err(OpenFailure::Store)?;
        // With the pack versions imported into this workspace.
        let packs = crate::packs::packs_with(&ws).map_err(OpenFailure::Packs)?;
        let sample: Value = serde_json::from_str(SAMPLE).map_err(|e| OpenFailure::Build(e.to_string()))?;
        if first_run {
            ws.import(&sample, &packs, false).map_err(OpenFailure::Store)?;
        }
        let sample_uscc = sample["company"]["uscc"].as_str().map(str::to_string);
        Ok(Session {
            pack_set: std::sync::RwLock::new(std::sync::Arc::new(packs)),
            ws: Mutex::new(ws),
            first_run,
            sample_uscc,
            pending_sheet: Mutex::new(None),
            lang: Mutex::new(UiLang::default()),
        })
    }

    /// The language the window shows.
    pub fn lang(&self) -> UiLang {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Switch the window's language: what every method says from now on.
    pub fn set_lang(&self, lang: UiLang) {
        *self.lang.lock().unwrap_or_else(|p| p.into_inner()) = lang;
    }

    fn l(&self) -> Lang {
        self.lang().into()
    }

    /// An error in the window's words: the field it belongs to and one line
    /// in the session's language (the one place the window's errors are
    /// worded; the Tauri commands call it).
    pub fn word(&self, e: AppError) -> ApiError {
        e.to_api(self.lang())
    }

    /// The packs in use now (a snapshot: an import meanwhile does not
    /// change the set one operation works with).
    pub fn packs(&self) -> std::sync::Arc<Vec<Pack>> {
        self.pack_set.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn ws(&self) -> std::sync::MutexGuard<'_, Workspace> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (every write is a transaction), so a poisoned lock is still usable.
        self.ws.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn workspace_path(&self) -> PathBuf {
        self.ws().path().to_path_buf()
    }

    pub fn meta(&self) -> Meta {
        let packs = self.packs();
        let l = self.l();
        let mut cities = serde_json::Map::new();
        for c in butie_core::profile::known_cities(&packs) {
            let d = butie_core::profile::known_districts(&packs, &c);
            cities.insert(c, Value::from(d));
        }
        let mut facts = BTreeMap::new();
        let mut topics = BTreeMap::new();
        let mut clauses = Vec::new();
        for p in packs.iter() {
            for (k, t) in &p.topics {
                topics.insert(format!("{}:{k}", p.id), t.get(l).to_string());
            }
            for (k, d) in &p.facts {
                facts.entry(k.clone()).or_insert_with(|| fact_view(d, l));
            }
            for c in &p.clauses {
                clauses.push(ClauseMeta {
                    id: c.id.clone(),
                    pack: p.id.clone(),
                    title: c.title.get(l).to_string(),
                    place: if l == Lang::En { c.place_en.clone() } else { c.place.clone() },
                    quote: c.quote.clone(),
                    document: p.document.get(l).to_string(),
                    one_time: c.one_time(),
                    frequency: c.frequency.as_str(),
                    attachments: c.attachments.clone(),
                    interpretations: c.interpretations.iter().map(|i| i.get(l).to_string()).collect(),
                });
            }
        }
        let city_names = cities
            .keys()
            .map(|c| (c.clone(), if l == Lang::En { butie_core::policy::city_en(packs.iter(), c).to_string() } else { c.clone() }))
            .collect();
        Meta {
            cities,
            city_names,
            facts,
            topics,
            clauses,
            packs: packs
                .iter()
                .map(|p| PackMeta {
                    id: p.id.clone(),
                    version: p.version.clone(),
                    title: p.title.get(l).to_string(),
                    city: p.city.clone(),
                    valid_from: p.valid_from.to_string(),
                    valid_to: p.valid_to.to_string(),
                })
                .collect(),
            claim_statuses: ClaimStatus::ALL.iter().map(|s| status_view(*s, l)).collect(),
            statuses: [Status::Eligible, Status::Ineligible, Status::NeedsInput]
                .into_iter()
                .map(|s| (s.as_str(), explain::status_word(s, false, l)))
                .chain([("excluded", explain::status_word(Status::Eligible, true, l))])
                .collect(),
            workspace: self.workspace_path().display().to_string(),
            first_run: self.first_run,
        }
    }

    /// The companies of the workspace, those matching `search` (name,
    /// credit code or district) when it is not blank.
    pub fn companies(&self, search: &str) -> AppResult<Vec<CompanyRow>> {
        let s = search.trim();
        let list = self.ws().list_companies(if s.is_empty() { None } else { Some(s) })?;
        Ok(list
            .into_iter()
            .map(|c| CompanyRow {
                sample: c.uscc.is_some() && c.uscc == self.sample_uscc,
                id: c.id,
                name: c.name,
                uscc: c.uscc,
                city: c.city,
                district: c.district,
                years: c.years,
                evaluations: c.evaluations,
            })
            .collect())
    }

    pub fn get_company(&self, id: i64) -> AppResult<CompanyView> {
        let c = self.ws().get_company(id)?;
        Ok(CompanyView { id, company: c.company.into(), years: c.years })
    }

    /// Check company fields (the page calls this as the user types).
    pub fn check_company(&self, fields: &Value) -> AppResult<()> {
        let packs = self.packs();
        parse_company(fields, &packs)?;
        Ok(())
    }

    /// What a number field's text is read as, while the user types (nothing
    /// is saved): "= 236,500,000.00 元" for `236,500,000`, `23650万` or
    /// full-width digits; the same refusal `set_fact` would give otherwise.
    ///
    /// With a company-year (`at`), a money answer far outside what the
    /// clauses expect comes with `doubt`, the question the window asks once
    /// before saving it (see `butie_core::sense`); it is never refused.
    pub fn read_number(&self, key: &str, text: &str, at: Option<(i64, i64)>) -> AppResult<Understood> {
        let packs = self.packs();
        let field = format!("facts.{key}");
        let index = fact_index(&packs);
        let def = index.get(key).ok_or_else(|| InputError::new(&field, Problem::UnknownFact { suggestion: None }))?;
        let p = butie_core::profile::preview_number(&field, def.kind, text)?;
        let unit = shown::unit(def.kind, &def.unit, self.l());
        let shown = if unit.is_empty() { format!("= {}", p.grouped) } else { format!("= {} {unit}", p.grouped) };
        let doubt = match at {
            Some((id, year)) if matches!(def.kind, FactKind::Money | FactKind::MoneyUsd) => {
                let (profile, _) = self.profile(id, year)?;
                butie_core::sense::doubt(&packs, key, p.value, &profile.facts)
                    .map(|d| shown::doubt_text(&d, def, p.value, unit, &packs, self.l()))
            }
            _ => None,
        };
        Ok(Understood { value: p.value.to_string(), text: shown, doubt })
    }

    /// A credit code as it is typed: nothing to judge while fewer than 18
    /// characters are typed (spaces and hyphens of a pasted code not
    /// counted; `typing` says how many), else checked, and the place its
    /// division code names.
    pub fn check_uscc(&self, uscc: &str) -> AppResult<UsccOk> {
        let packs = self.packs();
        let plain = butie_core::uscc::normalize(uscc);
        let n = plain.chars().count();
        if n < 18 {
            let typing = (n > 0).then(|| format!("{n}/18"));
            return Ok(UsccOk { uscc: None, city: None, district: None, division: None, typing });
        }
        let u = butie_core::uscc::validate(uscc).map_err(|p| InputError::new("company.uscc", Problem::Uscc(p)))?;
        let region = butie_core::uscc::region_of(&u, &packs);
        Ok(UsccOk {
            city: region.map(|(c, _)| c.to_string()),
            district: region.and_then(|(_, d)| d.map(str::to_string)),
            division: u.get(2..8).map(str::to_string),
            typing: None,
            uscc: Some(u),
        })
    }

    /// Add (id = None) or update a company; returns its id.
    pub fn add_or_update_company(&self, id: Option<i64>, fields: &Value) -> AppResult<Saved> {
        let packs = self.packs();
        let c: Company = parse_company(fields, &packs)?;
        let mut ws = self.ws();
        let id = match id {
            Some(id) => {
                ws.update_company(id, &c, &packs)?;
                id
            }
            None => ws.add_company(&c, &packs)?,
        };
        Ok(Saved { id })
    }

    pub fn delete_company(&self, id: i64) -> AppResult<Deleted> {
        let archived = self.ws().delete_company(id, true)?;
        Ok(Deleted { archived })
    }

    /// Every company of the workspace for one year: totals, eligible
    /// clauses, open questions and the year's filing statuses (the 客户总览),
    /// in the order `sort` asks for (equal rows by id).
    pub fn overview(&self, year: i64, sort: OverviewSort) -> AppResult<Vec<OverviewRow>> {
        let year = butie_core::profile::check_year("year", year)?;
        let mut rows: Vec<OverviewRow> = self.overview_of(None, year)?.into_iter().map(|(r, _)| r).collect();
        sort.apply(&mut rows);
        Ok(rows)
    }

    /// The overview rows of `ids` (in that order; ids no longer in the
    /// workspace are left out) or of every company, with each profile.
    fn overview_of(&self, ids: Option<&[i64]>, year: i32) -> AppResult<Vec<(OverviewRow, Profile)>> {
        let packs = self.packs();
        let ws = self.ws();
        let mut list = ws.list_companies(None)?;
        if let Some(ids) = ids {
            let mut by_id: BTreeMap<i64, _> = list.into_iter().map(|c| (c.id, c)).collect();
            list = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        }
        let deadlines = ws.deadlines(None)?;
        let today = crate::packet::today();
        let mut rows = Vec::with_capacity(list.len());
        for c in list {
            let profile = ws.profile(c.id, year, &packs)?;
            let ev = evaluate(&packs, &profile, year);
            let provisional = butie_core::engine::favourable_profile(&packs, &ev).map(|(p, _)| evaluate(&packs, &p, year).total);
            let mut claims: BTreeMap<&'static str, usize> = BTreeMap::new();
            let records = ws.claims(c.id, Some(year))?;
            for k in &records {
                *claims.entry(k.status.as_str()).or_default() += 1;
            }
            let marks = overview_marks(&ev, &packs, self.l());
            let total_provisional = provisional.unwrap_or(ev.total);
            rows.push((
                OverviewRow {
                    id: c.id,
                    sample: c.uscc.is_some() && c.uscc == self.sample_uscc,
                    place: match self.l() {
                        Lang::Zh => format!("{}{}", c.city, c.district),
                        Lang::En => format!("{} {}", butie_core::policy::city_en(packs.iter(), &c.city), c.district).trim_end().to_string(),
                    },
                    name: c.name,
                    uscc: c.uscc,
                    city: c.city,
                    district: c.district,
                    total: fmt_yuan(ev.total),
                    total_max: fmt_yuan(ev.total_max),
                    total_provisional: fmt_yuan(total_provisional),
                    total_text: fmt_grouped(ev.total),
                    total_max_text: fmt_grouped(ev.total_max),
                    provisional_text: (fmt_yuan(total_provisional) != fmt_yuan(ev.total)).then(|| fmt_grouped(total_provisional)),
                    claims_text: claims_text(&claims, self.l()),
                    eligible: ev.clauses.iter().filter(|r| r.status == Status::Eligible).count(),
                    open: open_questions(&ev).len(),
                    claims,
                    deadline: deadlines
                        .iter()
                        .find(|d| d.company_id == c.id && d.year == year)
                        .map(|d| deadline_view(d, &packs, &today, all_filed(&records, &packs, &d.pack), self.l())),
                    marks,
                },
                profile.clone(),
            ));
        }
        Ok(rows)
    }

    /// Copy the standing answers of `from` into `to` (never replacing one
    /// already given) and re-evaluate `to`; says what was copied.
    pub fn copy_facts(&self, id: i64, from: i64, to: i64) -> AppResult<Copied> {
        let packs = self.packs();
        let check = |y| butie_core::profile::check_year("year", y);
        let (from, to) = (check(from)?, check(to)?);
        let copied = self.ws().copy_standing_facts(id, from, to, &packs)?;
        let l = self.l();
        let labels: Vec<String> =
            copied.iter().filter_map(|k| packs.iter().find_map(|p| p.facts.get(k)).map(|d| d.label.get(l).to_string())).collect();
        Ok(Copied { from, labels_text: labels.join(shown::enumeration(l)), labels, evaluation: self.evaluate(id, to as i64)? })
    }

    /// How many standing answers `from` holds that `to` lacks (for the offer).
    pub fn standing_to_copy(&self, id: i64, from: i64, to: i64) -> AppResult<usize> {
        let packs = self.packs();
        let check = |y| butie_core::profile::check_year("year", y);
        let (from, to) = (check(from)?, check(to)?);
        let ws = self.ws();
        let (a, _) = ws.facts(id, from, &packs)?;
        let (b, _) = ws.facts(id, to, &packs)?;
        let index = fact_index(&packs);
        Ok(a.keys().filter(|k| !b.contains_key(*k) && index.get(k.as_str()).is_some_and(|d| d.carries_over)).count())
    }

    /// The standing answers of the latest earlier year with answers that
    /// `year` lacks, if there are any (what the interview offers to carry
    /// over). Nothing is offered when they cannot be read.
    fn carry_over(&self, id: i64, year: i32) -> Option<CarryOver> {
        let years = self.ws().get_company(id).ok()?.years;
        let from = years.into_iter().filter(|y| *y < year).max()?;
        let count = self.standing_to_copy(id, i64::from(from), i64::from(year)).ok()?;
        (count > 0).then_some(CarryOver { from, count })
    }

    /// Save one answer (validated against its definition) and re-evaluate.
    /// `null` clears the answer.
    pub fn set_fact(&self, id: i64, year: i64, key: &str, value: &Value) -> AppResult<EvaluationView> {
        let packs = self.packs();
        let year = butie_core::profile::check_year("year", year)?;
        let field = format!("facts.{key}");
        {
            let mut ws = self.ws();
            if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
                ws.unset_facts(id, year, &[key.to_string()])?;
            } else {
                let index = fact_index(&packs);
                let def = index.get(key).ok_or_else(|| InputError::new(&field, Problem::UnknownFact { suggestion: None }))?;
                // Numbers typed into a text box arrive as text; trim them.
                let value = match value {
                    Value::String(s) => Value::String(s.trim().to_string()),
                    v => v.clone(),
                };
                let fv = parse_fact_value(&field, def, &value)?;
                let mut facts = butie_core::Facts::new();
                facts.insert(key.to_string(), fv);
                ws.set_facts(id, year, &facts)?;
            }
        }
        self.evaluate(id, year as i64)
    }

    fn profile(&self, id: i64, year: i64) -> AppResult<(Profile, i32)> {
        let packs = self.packs();
        let year = butie_core::profile::check_year("year", year)?;
        let profile = self.ws().profile(id, year, &packs)?;
        Ok((profile, year))
    }

    /// The evaluation of a company-year with everything the results and
    /// interview screens show.
    pub fn evaluate(&self, id: i64, year: i64) -> AppResult<EvaluationView> {
        let packs = self.packs();
        let l = self.l();
        let (profile, year) = self.profile(id, year)?;
        let claims = self.ws().claims(id, Some(year))?;
        let ev = evaluate(&packs, &profile, year);
        let favourable = butie_core::engine::favourable_profile(&packs, &ev);
        let fav = favourable.as_ref().map(|(p, a)| (evaluate(&packs, p, year), a.clone()));
        let open = open_questions(&ev);
        // Answered facts that matter to a pack that applies, so they can be changed.
        let applying: Vec<&Pack> = ev.packs.iter().filter(|r| r.status.applies()).map(|r| r.pack).collect();
        let mut answered: Vec<&str> = Vec::new();
        for k in applying.iter().flat_map(|p| p.facts_in_order()) {
            if profile.facts.contains_key(k) && !answered.contains(&k) {
                answered.push(k);
            }
        }
        let questions = questions(&applying, &profile, &open, &answered, l);
        let clauses = self.clause_views(id, &ev, &claims, fav.as_ref())?;
        let any_pack_applies = ev.packs.iter().any(|p| p.status.applies());
        // A year with no answers of its own yet (the company record gives
        // one fact): the standing answers of the latest earlier year offered.
        let answered_here = questions.iter().any(|q| q.answered && q.key != butie_core::profile::COMPANY_STATUS_FACT);
        let carry_over = if any_pack_applies && !answered_here { self.carry_over(id, year) } else { None };
        let (total_provisional, total_max_provisional) = fav.as_ref().map_or((ev.total, ev.total_max), |(f, _)| (f.total, f.total_max));
        let provisional = fmt_yuan(total_provisional) != fmt_yuan(ev.total);
        // Only measures that publish no figure (reference packs): no "0.00 元".
        let no_figure = ev.total_max.is_zero() && clauses.iter().any(|c| c.applies && c.status == "eligible" && c.amount_max.is_none());
        let (total_text, total_max_text) = if no_figure {
            (shown::no_figure(l).to_string(), "—".to_string())
        } else {
            // The most it can be, on the same footing as the total shown beside it.
            (shown::yuan(ev.total, l), shown::yuan(if provisional { total_max_provisional } else { ev.total_max }, l))
        };
        Ok(EvaluationView {
            year: ev.year,
            city: profile.company.city.clone(),
            district: profile.company.district.clone(),
            company: profile.company.name.clone(),
            packs: ev
                .packs
                .iter()
                .map(|p| PackView {
                    id: p.pack.id.clone(),
                    status: p.status.as_str(),
                    note: explain::pack_note(&ev, p, l),
                    principle: explain::principle(p, l),
                    version: p.pack.version.clone(),
                    unverified: p.pack.unverified,
                    draft: p.pack.draft.is_some(),
                })
                .collect(),
            other_cities: ev
                .packs
                .iter()
                .filter(|p| p.status.as_str() == "other_city")
                .map(|p| packs.iter().find(|x| x.id == p.pack.id).map_or(p.pack.id.clone(), |x| x.title.get(l).to_string()))
                .collect::<Vec<_>>()
                .join(shown::enumeration(l)),
            clauses,
            total: fmt_yuan(ev.total),
            total_max: fmt_yuan(ev.total_max),
            total_provisional: fmt_yuan(total_provisional),
            total_max_provisional: fmt_yuan(total_max_provisional),
            total_text,
            total_max_text,
            provisional_text: provisional.then(|| shown::yuan(total_provisional, l)),
            carry_over,
            provisional_assumes: fav.as_ref().map(|(_, a)| assumed_answers(&packs, a, l)).unwrap_or_default(),
            eligible: ev.clauses.iter().filter(|c| c.status == Status::Eligible).count(),
            assumed_in_total: ev
                .clauses
                .iter()
                .filter(|c| c.counts() && ev.trace(c).iter().any(|s| matches!(s, butie_core::engine::Step::Assumed { .. })))
                .count(),
            any_pack_applies,
            progress: Progress::new(answered.len(), open.len()),
            questions,
            hints: hints(&ev).iter().map(|h| explain::hint(h, l)).collect(),
        })
    }

    /// Each clause's view, with its claim and, when it is filed, its materials' counts.
    fn clause_views(
        &self,
        id: i64,
        ev: &Evaluation,
        claims: &[ClaimRecord],
        fav: Option<&(Evaluation, Vec<(String, bool)>)>,
    ) -> AppResult<Vec<ClauseView>> {
        let (packs, l, year) = (self.packs(), self.l(), ev.year);
        let ws = self.ws();
        let filed = crate::packet::filed_clauses(ev, Some((&ws, id)))?;
        let mut views = Vec::with_capacity(ev.clauses.len());
        for r in &ev.clauses {
            let mut v = clause_view(ev, r, claims.iter().find(|c| c.year == year && c.clause == r.clause.id), fav, l);
            if filed.contains(&r.clause.id) {
                let ms = ws.materials(id, year, &r.clause.id, &packs)?;
                v.materials = Some(material_counts(&ms));
            }
            views.push(v);
        }
        Ok(views)
    }

    /// Record where a clause's claim for a year stands (one more entry in the
    /// ledger's history of it) and re-evaluate that year. `amount` is the
    /// approved amount, or for a submitted claim the amount applied for, as
    /// typed; it is read like a money fact. A claim submitted without an
    /// amount, and without one recorded before, is recorded as applying for
    /// the year's estimate of the clause (when it has an exact figure).
    #[allow(clippy::too_many_arguments)]
    pub fn set_claim(
        &self,
        id: i64,
        year: i64,
        clause: &str,
        status: &str,
        amount: Option<&str>,
        date: Option<&str>,
        note: Option<&str>,
    ) -> AppResult<EvaluationView> {
        let packs = self.packs();
        let year = butie_core::profile::check_year("year", year)?;
        let bad = |field: &str, p: Problem| InputError::new(field, p);
        let clause = clause.trim();
        if !packs.iter().any(|p| p.clause(clause).is_some()) {
            return Err(bad("claim.clause", Problem::UnknownClause).into());
        }
        let status = ClaimStatus::parse(status.trim()).ok_or_else(|| {
            bad("claim.status", Problem::NotOption { options: ClaimStatus::ALL.iter().map(|c| c.as_str().to_string()).collect() })
        })?;
        let text = |v: Option<&str>| v.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        let amount = match text(amount) {
            None => None,
            Some(a) => Some(read_amount(&a, 2).map_err(|p| bad("claim.amount", Problem::Number(p)))?),
        };
        let mut u =
            ClaimUpdate { status, amount, date: text(date), estimate: None, submitted_on: None, approved_on: None, note: text(note) };
        let mut ws = self.ws();
        if status == ClaimStatus::Submitted && u.amount.is_none() {
            let recorded = ws.claims(id, Some(year))?;
            if !recorded.iter().any(|c| c.clause == clause && c.estimate.is_some()) {
                let profile = ws.profile(id, year, &packs)?;
                let ev = evaluate(&packs, &profile, year);
                u.amount = ev.clauses.iter().find(|r| r.clause.id == clause).and_then(|r| r.amount);
            }
        }
        ws.set_claim(id, year, clause, &u, &packs)?;
        drop(ws);
        self.evaluate(id, year as i64)
    }

    /// Every claim of a company, year by year, with totals per year and overall.
    pub fn claims(&self, id: i64) -> AppResult<ClaimsView> {
        let packs = self.packs();
        let l = self.l();
        let (company, records) = {
            let ws = self.ws();
            let company = ws.get_company(id)?.company.name;
            (company, ws.claims(id, None)?)
        };
        let mut by_year: BTreeMap<i32, (Vec<ClaimRow>, Sums)> = BTreeMap::new();
        let mut all = Sums::default();
        for r in &records {
            let title = packs.iter().find_map(|p| p.clause(&r.clause)).map(|c| c.title.get(l).to_string()).unwrap_or_default();
            let (rows, sums) = by_year.entry(r.year).or_default();
            sums.add(r);
            all.add(r);
            let difference = match (r.estimate, r.approved) {
                (Some(e), Some(a)) => Some(a - e),
                _ => None,
            };
            rows.push(ClaimRow {
                id: r.id,
                year: r.year,
                clause: r.clause.clone(),
                title,
                status: status_view(r.status, l),
                estimate: r.estimate.map(fmt_yuan),
                approved: r.approved.map(fmt_yuan),
                difference: difference.map(fmt_yuan),
                estimate_text: r.estimate.map(fmt_grouped).unwrap_or_default(),
                approved_text: r.approved.map(fmt_grouped).unwrap_or_default(),
                difference_text: difference.map(fmt_grouped).unwrap_or_default(),
                date: r.date.clone(),
                submitted_on: r.submitted_on.clone(),
                approved_on: r.approved_on.clone(),
                note: r.note.clone(),
                warning: crate::store_messages::above_most_warning(r, l),
                updated_at: r.updated_at.clone(),
            });
        }
        Ok(ClaimsView {
            company,
            count: records.len(),
            years: by_year.into_iter().map(|(year, (claims, sums))| ClaimYearView { year, claims, totals: sums.view() }).collect(),
            totals: all.view(),
        })
    }

    pub fn save_evaluation(&self, id: i64, year: i64) -> AppResult<Saved> {
        let packs = self.packs();
        let year = butie_core::profile::check_year("year", year)?;
        let mut ws = self.ws();
        let profile = ws.profile(id, year, &packs)?;
        let ev = evaluate(&packs, &profile, year);
        let eid = ws.save_evaluation(id, &profile, &ev, &packs)?;
        Ok(Saved { id: eid })
    }

    pub fn history(&self, id: i64) -> AppResult<Vec<HistoryEntry>> {
        let h = self.ws().history(id)?;
        let (packs, l) = (self.packs(), self.l());
        let index = fact_index(&packs);
        let asked: Vec<&str> = packs.iter().flat_map(|p| p.facts_in_order()).collect();
        // Numbered per company, oldest first (the workspace's ids run across companies).
        let mut ids: Vec<i64> = h.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        Ok(h.into_iter()
            .map(|r| {
                let recorded = |id: &str| -> Vec<String> {
                    let c = r.result["clauses"].as_array().into_iter().flatten().find(|c| c["id"] == id);
                    c.and_then(|c| c["reasons"].as_array()).into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect()
                };
                let clauses = r
                    .clauses
                    .iter()
                    .filter(|c| c.status != Status::Ineligible || c.amount_max.is_some())
                    .map(|c| HistoryClause {
                        id: c.clause.clone(),
                        title: packs.iter().find_map(|p| p.clause(&c.clause)).map_or(c.clause.clone(), |x| x.title.get(l).to_string()),
                        status_label: explain::status_word(c.status, c.excluded_by.is_some(), l),
                        amount: c.amount.map(fmt_yuan),
                        amount_max: c.amount_max.map(fmt_yuan),
                        amount_text: c.amount.map(fmt_grouped).unwrap_or_default(),
                        amount_max_text: c.amount_max.map(fmt_grouped).unwrap_or_default(),
                        recorded_reasons: recorded(&c.clause),
                    })
                    .collect();
                let str_of = |v: &Value| v.as_str().unwrap_or_default().to_string();
                let packs_used: Vec<PackUsed> = r
                    .packs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| PackUsed { id: str_of(&p["id"]), version: str_of(&p["version"]), content_hash: str_of(&p["content_hash"]) })
                    .collect();
                // Each version with its hash, shortened in the list.
                let packs_text = |short: bool| {
                    packs_used
                        .iter()
                        .map(|p| {
                            let hash = if short { p.content_hash.chars().take(12).collect() } else { p.content_hash.clone() };
                            format!("{}@{} sha256:{hash}", p.id, p.version)
                        })
                        .collect::<Vec<_>>()
                        .join(shown::comma(l))
                };
                // In the order the questionnaire asks them, not by key.
                let mut inputs_shown: Vec<InputShown> = r.inputs["facts"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| InputShown {
                        key: k.clone(),
                        label: shown::fact_label(k, index.get(k.as_str()).copied(), l),
                        text: shown::fact_value(v, index.get(k.as_str()).copied(), l),
                    })
                    .collect();
                inputs_shown.sort_by_key(|i| asked.iter().position(|k| *k == i.key).unwrap_or(usize::MAX));
                HistoryEntry {
                    number: ids.iter().position(|x| *x == r.id).map_or(0, |i| i + 1),
                    id: r.id,
                    created_text: shown::local_time(&r.created_at, l),
                    created_at: r.created_at,
                    year: r.year,
                    total_text: shown::grouped_text(&r.total),
                    total: r.total,
                    total_max: r.total_max,
                    packs_text: packs_text(true),
                    packs_full_text: packs_text(false),
                    packs: packs_used,
                    clauses,
                    inputs_shown,
                    inputs: r.inputs,
                    tool_version: r.tool_version,
                }
            })
            .collect())
    }

    /// Write the summary and forms into `dir`; returns the files written.
    pub fn write_pdfs(&self, id: i64, year: i64, dir: &Path) -> AppResult<Written> {
        let packs = self.packs();
        let (profile, year) = self.profile(id, year)?;
        let ev = evaluate(&packs, &profile, year);
        let ws = self.workspace_path();
        let out = write_pdf_set(&packs, &profile, &ev, dir, Some(&ws))?;
        Ok(Written::Files { dir: dir.display().to_string(), files: out.iter().map(|p| p.display().to_string()).collect() })
    }

    /// A company with all its years, as a workspace file (JSON) at `file`.
    pub fn export_company_to(&self, id: i64, file: &Path) -> AppResult<Written> {
        let packs = self.packs();
        let v = self.ws().export_company(id, &packs)?;
        let text = serde_json::to_string_pretty(&v)?;
        crate::files::check_importable(file, text.len())?;
        // The save dialog has asked before replacing; still never a link, a
        // folder, a database or the workspace, and only a JSON file.
        let ws = self.workspace_path();
        write_atomic(file, text.as_bytes(), Replace::Only(Content::Json), Some(&ws))?;
        Ok(Written::File { file: file.display().to_string() })
    }

    /// The packs in use, with their versions and where they came from.
    pub fn packs_in_use(&self) -> AppResult<Vec<PackInUse>> {
        let l = self.l();
        let packs = self.packs();
        let stored = self.ws().stored_packs()?;
        Ok(packs
            .iter()
            .map(|p| {
                let kept = stored.iter().find(|s| s.sha256 == p.content_hash && s.origin == butie_store::PackOrigin::Imported);
                let (trust, trust_text) = match kept {
                    Some(k) if k.verified => (
                        "verified",
                        match l {
                            Lang::Zh => format!("已验证：{}", k.signer.clone().unwrap_or_default()),
                            Lang::En => format!("verified: {}", k.signer.clone().unwrap_or_default()),
                        },
                    ),
                    Some(_) => (
                        "unverified",
                        if l == Lang::Zh {
                            "未验证（导入时没有受信任的签名）".into()
                        } else {
                            "unverified (no trusted signature)".into()
                        },
                    ),
                    None => ("built_in", if l == Lang::Zh { "随程序提供".into() } else { "shipped with the program".into() }),
                };
                PackInUse {
                    id: p.id.clone(),
                    title: p.title.get(l).to_string(),
                    version: p.version.clone(),
                    city: p.city.clone(),
                    valid_from: p.valid_from.to_string(),
                    valid_to: p.valid_to.to_string(),
                    trust,
                    trust_text,
                    sha256: p.content_hash.clone(),
                }
            })
            .collect())
    }

    /// Import a pack file chosen in the window (its signature read from
    /// `FILE.minisig` beside it). Without a trusted signature it is refused
    /// with `field` "pack.unsigned" unless `allow_unsigned` (the window asks
    /// first); the packs in use are reloaded.
    pub fn import_pack(&self, file: &Path, allow_unsigned: bool) -> AppResult<PackImported> {
        let l = self.l();
        let text = crate::packs::read_pack_text(file)?;
        let bytes = text.as_bytes();
        let sig = std::fs::read_to_string(crate::packs::sig_beside(file)).ok();
        let mut ws = self.ws();
        let keys = ws.keys()?;
        let check = crate::packs::check_signature(bytes, sig.as_deref(), &keys);
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let needs_consent = matches!(check, crate::packs::SigCheck::Unsigned | crate::packs::SigCheck::UnknownKey(_));
        let field = if needs_consent && !allow_unsigned { "pack.unsigned" } else { "pack" };
        let imported = crate::packs::accept(&mut ws, &name, &text, &check, allow_unsigned).map_err(AppError::ops(field))?;
        let said = crate::words::ops::imported_line(&imported, l);
        let packs = crate::packs::packs_with(&ws).map_err(AppError::ops(""))?;
        drop(ws);
        *self.pack_set.write().unwrap_or_else(|p| p.into_inner()) = std::sync::Arc::new(packs);
        Ok(PackImported { text: said, packs: self.packs_in_use()? })
    }

    /// A pack file against the version of the same pack in use: the
    /// changes in words, and the workspace's companies whose totals change.
    pub fn diff_pack(&self, file: &Path) -> AppResult<PackDiffView> {
        let l = self.l();
        let text = crate::packs::read_pack_text(file)?;
        let new = butie_core::policy::load_pack(&file.display().to_string(), &text)?;
        let packs = self.packs();
        let old = packs.iter().find(|p| p.id == new.id).ok_or_else(|| AppError::NoPackToCompare { pack: new.id.clone() })?;
        let changes = crate::packs::diff_lines(old, &new, l);
        let set_b: Vec<Pack> = packs.iter().map(|p| if p.id == new.id { new.clone() } else { p.clone() }).collect();
        let (checked, clients) = crate::packs::client_impact(&self.ws(), &packs, &set_b, None, l)?;
        Ok(PackDiffView {
            pack: new.id.clone(),
            old_version: old.version.clone(),
            new_version: new.version.clone(),
            changes,
            clients,
            checked,
        })
    }

    /// The terms of the packs of a company's city, said plainly: which
    /// data years can be estimated, and when a term has ended.
    pub fn coverage(&self, id: i64, year: i64) -> AppResult<Vec<CoverageView>> {
        let l = self.l();
        let c = self.ws().get_company(id)?;
        let today = crate::packet::today();
        let packs = self.packs();
        let mut out = Vec::new();
        for p in packs.iter().filter(|p| p.covers_city(&c.company.city)) {
            let (from, to) = (i64::from(p.valid_from.y), i64::from(p.valid_to.y));
            let title = p.title.get(l);
            let ended = today.as_str() > p.valid_to.to_string().as_str();
            // Another kept version may cover the year (said below).
            let outside = (year < from || year > to) && p.for_year(i32::try_from(year).unwrap_or(i32::MAX)).content_hash == p.content_hash;
            let text = match (l, ended || outside) {
                (Lang::Zh, false) => format!("《{title}》（版本 {}）可测算 {from}—{to} 年度的数据。", p.version),
                (Lang::En, false) => format!("{title} (version {}) covers data years {from}–{to}.", p.version),
                (Lang::Zh, true) => format!(
                    "《{title}》的期限{}：{from}—{to} 年度的数据仍可测算；{} 年度起，本程序没有已知的{}政策——新政策发布后，请用“导入政策包”导入。",
                    if ended { format!("已于 {} 结束", p.valid_to) } else { format!("为 {} 至 {}", p.valid_from, p.valid_to) },
                    if year > to { year } else { to + 1 },
                    p.city
                ),
                (Lang::En, true) => format!(
                    "{title}: its term {} ({from}–{to} can still be estimated); for {} on no {} policy is known to this program — import a pack when one is published.",
                    if ended { format!("ended on {}", p.valid_to) } else { format!("runs {} to {}", p.valid_from, p.valid_to) },
                    if year > to { year } else { to + 1 },
                    p.city
                ),
            };
            out.push(CoverageView { pack: p.id.clone(), text, warn: ended || outside });
            // Other versions kept: the data years each one still estimates.
            for alt in &p.alternates {
                let (f, t) = (alt.valid_from.y, alt.valid_to.y);
                let text = match l {
                    Lang::Zh => format!("同时保存了版本 {}（{f}—{t} 年度），这些年度用它测算。", alt.version),
                    Lang::En => format!("Version {} is also kept ({f}–{t}); those data years use it.", alt.version),
                };
                out.push(CoverageView { pack: p.id.clone(), text, warn: false });
            }
        }
        Ok(out)
    }

    /// The materials of every clause filed this year, with their evidence,
    /// and the year's filing windows (the 申报材料 page).
    pub fn papers(&self, id: i64, year: i64) -> AppResult<PapersView> {
        let packs = self.packs();
        let l = self.l();
        let (profile, year) = self.profile(id, year)?;
        let ev = evaluate(&packs, &profile, year);
        let ws = self.ws();
        let filed = crate::packet::filed_clauses(&ev, Some((&ws, id)))?;
        let papers = crate::packet::filed_papers(&packs, &filed, year, Some((&ws, id)))?;
        let mut clauses = Vec::new();
        for (cid, ms) in &papers.clauses {
            let Some(r) = ev.clause(cid) else { continue };
            let [ready, needed] = material_counts(ms);
            clauses.push(MaterialClauseView {
                clause: cid.clone(),
                title: r.clause.title.get(l).to_string(),
                place: if l == Lang::En { r.clause.place_en.clone() } else { r.clause.place.clone() },
                amount: r.amount.map(fmt_yuan),
                amount_max: r.amount_max.map(fmt_yuan),
                ready,
                needed,
                items: ms.iter().map(|m| material_item_view(m, papers.shared_of(m).map(|(k, _)| k), &packs, l)).collect(),
            });
        }
        let common = papers
            .shared
            .iter()
            .map(|s| CommonDocView {
                clause: s.clauses[0].clone(),
                material: material_item_view(&s.material, None, &packs, l),
                serves: s
                    .clauses
                    .iter()
                    .map(|c| ServedView {
                        clause: c.clone(),
                        title: ev.clause(c).map(|r| r.clause.title.get(l).to_string()).unwrap_or_else(|| c.clone()),
                    })
                    .collect(),
            })
            .collect();
        let today = crate::packet::today();
        let records = ws.claims(id, Some(year))?;
        let deadlines = ws
            .deadlines(Some(id))?
            .iter()
            .filter(|d| d.year == year)
            .map(|d| deadline_view(d, &packs, &today, all_filed(&records, &packs, &d.pack), l))
            .collect();
        let packs = ev
            .packs
            .iter()
            .filter(|p| p.status.applies())
            .map(|p| PackChoice { id: p.pack.id.clone(), title: p.pack.title.get(l).to_string() })
            .collect();
        let listed: Vec<(&str, &str)> = papers
            .clauses
            .iter()
            .flat_map(|(c, ms)| {
                ms.iter().map(move |m| m.shared.as_deref().map_or((c.as_str(), m.item.as_str()), |d| (butie_store::SHARED, d)))
            })
            .collect();
        let others = ws
            .evidence_of(id, year)?
            .into_iter()
            .filter(|(c, i, _)| !listed.contains(&(c.as_str(), i.as_str())))
            .map(|(clause, item, e)| OtherEvidenceView { id: e.id, size_text: size_text(e.size), name: e.name, clause, item })
            .collect();
        Ok(PapersView { year, today, clauses, common, deadlines, packs, others })
    }

    pub fn set_material(&self, id: i64, year: i64, clause: &str, item: usize, status: &str) -> AppResult<PapersView> {
        let packs = self.packs();
        let s = crate::packet::parse_material_status(status).ok_or_else(|| AppError::MaterialStatus { status: status.to_string() })?;
        crate::packet::require_filed(&self.ws(), &packs, id, year, clause)?;
        self.ws().set_material(id, year, clause, &item.to_string(), s, &packs)?;
        self.papers(id, year)
    }

    /// Keep a copy of a file chosen in the open dialog with a material.
    pub fn add_evidence(&self, id: i64, year: i64, clause: &str, item: usize, file: &Path) -> AppResult<PapersView> {
        let packs = self.packs();
        let (name, bytes) = crate::packet::read_evidence_file(file).map_err(AppError::ops("evidence"))?;
        crate::packet::require_filed(&self.ws(), &packs, id, year, clause)?;
        self.ws().add_evidence(id, year, clause, &item.to_string(), &name, &bytes, &packs)?;
        self.papers(id, year)
    }

    pub fn remove_evidence(&self, id: i64, year: i64, evidence: i64) -> AppResult<PapersView> {
        self.ws().remove_evidence(evidence)?;
        self.papers(id, year)
    }

    /// An evidence file written out under `dir` (to be opened), its bytes
    /// checked against their SHA-256 first; returns the file.
    pub fn evidence_copy(&self, evidence: i64, dir: &Path) -> AppResult<PathBuf> {
        let (meta, bytes) = self.ws().evidence_bytes(evidence)?;
        std::fs::create_dir_all(dir)?;
        let name = butie_pdf::safe_file_name(&meta.name);
        let file = dir.join(format!("{}-{}", meta.id, if name.is_empty() { "file".to_string() } else { name }));
        let ws = self.workspace_path();
        write_atomic(&file, &bytes, Replace::Allowed, Some(&ws))?;
        Ok(file)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn set_deadline(&self, id: i64, year: i64, pack: &str, start: Option<&str>, end: &str, notice: &str) -> AppResult<PapersView> {
        let packs = self.packs();
        crate::packet::require_pack_applies(&self.ws(), &packs, id, year, pack)?;
        self.ws().set_deadline(id, year, pack, start, end, notice, &packs)?;
        self.papers(id, year)
    }

    pub fn clear_deadline(&self, id: i64, year: i64, pack: &str) -> AppResult<PapersView> {
        self.ws().clear_deadline(id, year, pack)?;
        self.papers(id, year)
    }

    /// The application packet of a company and year, written to `file`.
    pub fn write_packet(&self, id: i64, year: i64, file: &Path) -> AppResult<Written> {
        let packs = self.packs();
        crate::packet::check_pdf_name(file)?;
        let (profile, year) = self.profile(id, year)?;
        let ev = evaluate(&packs, &profile, year);
        let bytes = {
            let ws = self.ws();
            crate::packet::packet_bytes(&packs, &profile, &ev, Some((&ws, id)))?
        };
        let ws = self.workspace_path();
        crate::packet::write_packet(file, &bytes, &ws)?;
        Ok(Written::File { file: file.display().to_string() })
    }

    /// This workspace for the shared spreadsheet operations `butie batch` uses.
    fn setup(&self) -> crate::ops::Setup {
        crate::ops::Setup { lang: self.l(), policies: None, workspace: Some(self.workspace_path()) }
    }

    /// Read a spreadsheet (the `butie template` layout, or any sheet
    /// `butie batch` reads) and say what saving it would do, row by row;
    /// nothing is saved until [`Session::save_sheet`].
    pub fn preview_sheet(&self, file: &Path, year: i64) -> AppResult<SheetPreview> {
        let packs = self.packs();
        let l = self.l();
        let year = butie_core::profile::check_year("year", year)?;
        let sheet = crate::batch::read_sheet(&packs, file, year, self.l()).map_err(AppError::ops("import"))?;
        let rows = sheet.sheet_rows();
        let actions = if rows.is_empty() { Vec::new() } else { self.ws().preview_rows(&rows, &packs)? };
        let accepted = sheet
            .accepted()
            .zip(&actions)
            .map(|(r, a)| {
                let c = &r.profile.company;
                let (action, action_text) = match (a, l) {
                    (butie_store::RowSaved::Added(_), Lang::Zh) => ("add", "新增".to_string()),
                    (butie_store::RowSaved::Added(_), Lang::En) => ("add", "new".to_string()),
                    (butie_store::RowSaved::Updated(id), Lang::Zh) => ("update", format!("更新 #{id}")),
                    (butie_store::RowSaved::Updated(id), Lang::En) => ("update", format!("updates #{id}")),
                    (butie_store::RowSaved::Unchanged(id), Lang::Zh) => ("same", format!("无变化 #{id}")),
                    (butie_store::RowSaved::Unchanged(id), Lang::En) => ("same", format!("no change #{id}")),
                };
                PreviewRow {
                    row: r.row,
                    name: c.name.clone(),
                    uscc: c.uscc.clone(),
                    city: c.city.clone(),
                    district: c.district.clone(),
                    year: r.year,
                    action,
                    action_text,
                    warning: region_disagrees(c, &packs, l),
                }
            })
            .collect();
        let refused =
            sheet.errors.iter().map(|e| RefusedRow { row: e.row, column: e.column.clone(), message: e.message.clone() }).collect();
        let refused_rows = sheet.errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len();
        let file_name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let preview = SheetPreview { file: file.display().to_string(), file_name, read: sheet.read, accepted, refused, refused_rows };
        *self.pending_sheet.lock().unwrap_or_else(|p| p.into_inner()) = Some(sheet);
        Ok(preview)
    }

    /// Save the accepted rows of the previewed spreadsheet in one transaction.
    pub fn save_sheet(&self) -> AppResult<SheetSaved> {
        let packs = self.packs();
        let l = self.l();
        let sheet = self.pending_sheet.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or(AppError::NoSheetWaiting)?;
        let rows = sheet.sheet_rows();
        if rows.is_empty() {
            return Err(AppError::SheetEmpty);
        }
        let saved = self.ws().save_rows(&rows, &packs)?;
        let (added, updated, unchanged) = crate::batch::count_companies(&saved);
        let text = match l {
            Lang::Zh => format!("已保存：新增 {added} 家，更新 {updated} 家，无变化 {unchanged} 家（一次事务）"),
            Lang::En => format!("Saved: {added} added, {updated} updated, {unchanged} unchanged (one transaction)"),
        };
        Ok(SheetSaved { added, updated, unchanged, text })
    }

    /// The spreadsheet template (`butie template`) written to `file`.
    pub fn save_template(&self, file: &Path, city: Option<&str>) -> AppResult<Written> {
        crate::batch::write_template(&self.setup(), file, city)?;
        Ok(Written::File { file: file.display().to_string() })
    }

    /// Forget a previewed spreadsheet without saving it.
    pub fn discard_sheet(&self) {
        *self.pending_sheet.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// The overview of these companies (in this order) and every clause's
    /// result, as a workbook (汇总 and 明细), written to `file`.
    pub fn export_overview(&self, ids: &[i64], year: i64, file: &Path) -> AppResult<Written> {
        let packs = self.packs();
        let year = butie_core::profile::check_year("year", year)?;
        // A name typed without its extension gets it.
        let file = if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
            file.to_path_buf()
        } else {
            let mut f = file.as_os_str().to_owned();
            f.push(".xlsx");
            PathBuf::from(f)
        };
        // The save dialog has asked before replacing, but only a workbook is
        // replaced: never a document of another kind chosen by a slip.
        if file.exists() && std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) && !crate::batch::is_workbook(&file) {
            return Err(AppError::NotAWorkbook { file });
        }
        let rows = self.overview_of(Some(ids), year)?;
        let dec = |t: &str| t.parse::<Decimal>().unwrap_or_default();
        let lines: Vec<crate::batch::OverviewLine> = rows
            .iter()
            .map(|(r, _)| crate::batch::OverviewLine {
                id: r.id,
                uscc: r.uscc.clone().unwrap_or_default(),
                name: r.name.clone(),
                year,
                city: r.city.clone(),
                district: r.district.clone(),
                total: dec(&r.total),
                provisional: dec(&r.total_provisional),
                total_max: dec(&r.total_max),
                eligible: r.eligible,
                open: r.open,
                filings: r.claims_text.clone(),
            })
            .collect();
        let companies = rows.into_iter().map(|(r, p)| (r.id, p, year)).collect();
        let bytes = crate::batch::portfolio_workbook(&self.setup(), &packs, companies, &lines)?;
        let ws = self.workspace_path();
        write_atomic(&file, &bytes, Replace::Allowed, Some(&ws))?;
        Ok(Written::File { file: file.display().to_string() })
    }

    /// Every listed company's forms and summary for the year, one folder
    /// each under `dir`, counting into `job` and stopping when it is
    /// cancelled. Runs on the caller's thread (the shell gives it its own).
    pub fn portfolio_pdfs(&self, ids: &[i64], year: i64, dir: &Path, job: &PdfJob) -> AppResult<PdfBatchView> {
        let packs = self.packs();
        let l = self.l();
        let year = butie_core::profile::check_year("year", year)?;
        let cx = self.setup();
        crate::batch::check_pdf_dir(dir)?;
        // Companies deleted since the list was shown are left out.
        let companies: Vec<(Profile, i32)> = self.overview_of(Some(ids), year)?.into_iter().map(|(_, p)| (p, year)).collect();
        job.total.store(companies.len(), std::sync::atomic::Ordering::SeqCst);
        // The work runs on threads of its own; the window's process is apart
        // (WebKit), so every core may be used.
        let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let run = crate::batch::write_portfolio_pdfs(&cx, &packs, &companies, dir, jobs, &job.done, &job.cancel)?;
        let shown = dir.display().to_string();
        let mut text = match (run.cancelled, l) {
            (false, Lang::Zh) => format!("已为 {} 家企业写出 {} 个 PDF 文件，保存在 {shown}", run.companies, run.files),
            (false, Lang::En) => format!("{} PDF files written for {} companies in {shown}", run.files, run.companies),
            (true, Lang::Zh) => {
                format!("已取消：{} 家中已完成 {} 家（{} 个文件，保存在 {shown}），其余未生成", companies.len(), run.companies, run.files)
            }
            (true, Lang::En) => format!(
                "Cancelled: {} of {} companies done ({} files in {shown}); the rest were not generated",
                run.companies,
                companies.len(),
                run.files
            ),
        };
        if !run.failed.is_empty() {
            text.push_str(&match l {
                Lang::Zh => format!("；{} 家未写出", run.failed.len()),
                Lang::En => format!("; {} not written", run.failed.len()),
            });
        }
        Ok(PdfBatchView {
            dir: shown,
            companies: run.companies,
            files: run.files,
            cancelled: run.cancelled,
            failed: run.failed.into_iter().map(|(n, e)| format!("{n}: {}", e.message(l))).collect(),
            text,
        })
    }

    /// Import the companies of a workspace file (an export).
    pub fn import_companies(&self, file: &Path) -> AppResult<Written> {
        let packs = self.packs();
        let text = read_import_text(file)?;
        let v = parse_import_text(&text).map_err(AppError::Import)?;
        let ids = self.ws().import(&v, &packs, false)?;
        Ok(Written::Imported { ids })
    }
}

/// Whether every claim of the year under `pack` is past planning, and
/// there is one: its filing window is met.
fn all_filed(records: &[ClaimRecord], packs: &[Pack], pack: &str) -> bool {
    let Some(p) = packs.iter().find(|p| p.id == pack) else { return false };
    let mut of_pack = records.iter().filter(|r| p.clause(&r.clause).is_some()).peekable();
    of_pack.peek().is_some() && of_pack.all(|r| r.status != ClaimStatus::Planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> (tempfile::TempDir, Session, i64) {
        let dir = tempfile::tempdir().unwrap();
        let s = Session::open(&dir.path().join("ws.sqlite")).map_err(|e| e.to_api(UiLang::En)).unwrap();
        let id = s.companies("").unwrap()[0].id;
        (dir, s, id)
    }

    fn clause<'a>(ev: &'a EvaluationView, id: &str) -> &'a ClauseView {
        ev.clauses.iter().find(|c| c.id == id).unwrap()
    }

    const BRAND: &str = "tz.brand.provincial_brand";
    const MARK: &str = "tz.brand.trademark";

    #[test]
    fn the_overview_lists_every_client_with_its_year() {
        let (_d, s, id) = session();
        let c = json_company("成都测试", "91510107MA6DG8HL5P", "成都市", "武侯区");
        let cd = s.add_or_update_company(None, &c).unwrap().id;
        s.set_fact(cd, 2025, "cbec_volume", &Value::String("236,500,000".into())).unwrap();
        s.set_fact(cd, 2025, "cbec_volume_prev_year", &Value::String("18200万".into())).unwrap();
        let rows = s.overview(2025, OverviewSort::default()).unwrap();
        assert_eq!(rows.len(), 2);
        let tz = rows.iter().find(|r| r.id == id).unwrap();
        assert_eq!((tz.total.as_str(), tz.sample), ("470175.25", true));
        let c = rows.iter().find(|r| r.id == cd).unwrap();
        // 严重失信 open: nothing confirmed. Provisional: 2,000,000 (增长 30% ≥ 20%, 超过 2 亿)
        // + 100,000 (海外仓: "recognised?" answered favourably, area open → its floor).
        assert_eq!((c.total.as_str(), c.total_provisional.as_str(), c.sample), ("0.00", "2100000.00", false));
        assert!(c.open > 0);
    }

    #[test]
    fn the_overview_says_why_a_row_is_empty_or_an_estimate_and_flags_another_places_code() {
        let (_d, s, id) = session();
        let cd = s.add_or_update_company(None, &json_company("成都测试", "91510107MA6DG8HL5P", "成都市", "武侯区")).unwrap().id;
        // A 温岭 company whose credit code names 椒江区.
        let wl = s.add_or_update_company(None, &json_company("温岭测试", &code("331002", 7), "台州市", "温岭市")).unwrap().id;
        let marks = |year: i64| -> BTreeMap<i64, Vec<(&'static str, String)>> {
            s.overview(year, OverviewSort::default())
                .unwrap()
                .into_iter()
                .map(|r| (r.id, r.marks.into_iter().map(|m| (m.key, m.text)).collect()))
                .collect()
        };
        let m = marks(2026);
        assert_eq!(m[&cd], [("ended", "政策已于 2025-12-31 到期".to_string())]);
        assert_eq!(m[&wl][0], ("county", "参照执行：按市区标准估算".to_string()));
        assert_eq!(m[&wl][1].0, "region");
        assert!(m[&wl][1].1.contains("331002") && m[&wl][1].1.contains("椒江区"), "{:?}", m[&wl]);
        assert_eq!(m[&id], []);
        assert_eq!(marks(2025)[&cd], [], "in force in 2025");
        s.set_lang(UiLang::En);
        assert_eq!(marks(2026)[&cd], [("ended", "policy ended 2025-12-31".to_string())]);
        let p = s.overview(2026, OverviewSort::default()).unwrap().into_iter().find(|r| r.id == cd).unwrap().place;
        assert_eq!(p, "Chengdu 武侯区");
    }

    /// A valid credit code for a district's division code and a serial.
    fn code(division: &str, n: u32) -> String {
        let first17 = format!("91{division}{n:09}");
        let check = butie_core::uscc::check_char(first17.as_bytes()).unwrap();
        format!("{first17}{check}")
    }

    #[test]
    fn a_spreadsheet_is_previewed_then_saved_once_and_a_repeat_changes_nothing() {
        let (d, s, _) = session();
        let f = d.path().join("clients.csv");
        let (a, b, c) = (code("331002", 1), code("510107", 2), code("510107", 3));
        std::fs::write(
            &f,
            format!(
                "\u{feff}name,uscc,city,district,cbec_volume\n\
                 甲公司,{a},台州市,椒江区,\"1,200,000\"\n\
                 乙公司,{c},成都市,武侯区,-5\n\
                 丙公司,{b},成都市,武侯区,6.2万\n"
            ),
        )
        .unwrap();
        let p = s.preview_sheet(&f, 2025).unwrap();
        assert_eq!((p.read, p.accepted.len(), p.refused.len()), (3, 2, 1));
        assert_eq!(p.refused[0].row, 3);
        assert!(p.refused[0].column.contains("年度跨境电商交易额") && p.refused[0].column.contains("E列"), "{:?}", p.refused);
        assert_eq!(p.accepted.iter().map(|r| (r.row, r.action)).collect::<Vec<_>>(), [(2, "add"), (4, "add")]);
        assert_eq!(s.companies("").unwrap().len(), 1, "a preview saves nothing");
        let saved = s.save_sheet().unwrap();
        assert_eq!((saved.added, saved.updated, saved.unchanged), (2, 0, 0), "{}", saved.text);
        assert_eq!(s.companies("").unwrap().len(), 3);
        assert!(s.save_sheet().is_err(), "saved once; a second save needs a new import");
        s.set_lang(UiLang::En);
        let again = s.preview_sheet(&f, 2025).unwrap();
        assert!(again.accepted.iter().all(|r| r.action == "same"), "{:?}", again.accepted);
        assert_eq!(s.save_sheet().unwrap().unchanged, 2);
        s.set_lang(UiLang::Zh);
        let bad = d.path().join("bad.csv");
        std::fs::write(&bad, "name,uscc,city,district,turnover\n甲,x,台州市,椒江区,1\n").unwrap();
        let e = s.word(s.preview_sheet(&bad, 2025).unwrap_err());
        assert!(e.message.contains("turnover"), "{}", e.message);
    }

    #[test]
    fn the_overview_exports_as_a_workbook_and_pdfs_are_written_or_cancelled() {
        use calamine::Reader;
        let (d, s, id) = session();
        let c = json_company("成都测试", &code("510107", 7), "成都市", "武侯区");
        let cd = s.add_or_update_company(None, &c).unwrap().id;
        let out = d.path().join("总览.xlsx");
        s.export_overview(&[cd, id], 2025, &out).unwrap();
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
        assert_eq!(wb.sheet_names(), ["汇总", "明细"]);
        let sum: Vec<Vec<String>> = wb.worksheet_range("汇总").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(sum[0][0], "企业编号");
        assert_eq!((sum[1][0].clone(), sum[1][2].as_str()), (cd.to_string(), "成都测试"));
        assert_eq!((sum[2][0].clone(), sum[2][6].as_str()), (id.to_string(), "470175.25"));

        let job = PdfJob::default();
        assert!(job.start(2));
        assert!(!job.start(2), "one run at a time");
        let v = s.portfolio_pdfs(&[id, cd], 2025, &d.path().join("pdf"), &job).unwrap();
        job.finish(Ok(v.clone()));
        assert_eq!((v.companies, v.cancelled, job.status().done), (2, false, 2));
        assert!(v.files >= 3, "{v:?}");
        assert!(d.path().join("pdf").read_dir().unwrap().count() == 2);

        let job = PdfJob::default();
        job.start(2);
        job.cancel.store(true, std::sync::atomic::Ordering::SeqCst);
        let v = s.portfolio_pdfs(&[id, cd], 2025, &d.path().join("pdf2"), &job).unwrap();
        assert!(v.cancelled && v.companies == 0, "{v:?}");
        assert!(v.text.starts_with("已取消"), "{}", v.text);
    }

    fn json_company(name: &str, uscc: &str, city: &str, district: &str) -> Value {
        serde_json::json!({ "name": name, "uscc": uscc, "city": city, "district": district })
    }

    #[test]
    fn a_claim_set_in_place_blocks_the_award_later_and_the_ledger_reconciles() {
        let (_d, s, id) = session();
        // Submitted without an amount: applies for the year's estimate.
        let ev = s.set_claim(id, 2025, BRAND, "submitted", None, None, None).unwrap();
        let cell = clause(&ev, BRAND).claim.clone().unwrap();
        assert_eq!((cell.status.key, cell.status.label), ("submitted", "已申报"));
        assert_eq!(cell.estimate.as_deref(), Some("100000.00"));
        assert_eq!(cell.amount.as_deref(), Some("100000.00"));
        let ev = s.set_claim(id, 2025, BRAND, "approved", Some(" 100000 "), None, None).unwrap();
        let c = clause(&ev, BRAND);
        assert_eq!(c.status, "eligible", "the year's own claim blocks nothing");
        let cell = c.claim.clone().unwrap();
        assert_eq!(
            (cell.status.key, cell.approved.as_deref(), cell.estimate.as_deref()),
            ("approved", Some("100000.00"), Some("100000.00"))
        );
        assert_eq!(ev.total, "470175.25");
        s.set_claim(id, 2025, MARK, "submitted", None, None, None).unwrap();
        s.set_claim(id, 2025, MARK, "approved", Some("90000"), Some("2025-09-30"), Some("批复文号 台商务〔2025〕12号")).unwrap();

        // 2026: blocked by the 2025 approval, with the reason in its row and detail.
        // (Attending fairs settles 四(四), the other clause that asks about the brand.)
        s.set_fact(id, 2026, "attended_cbec_exhibition", &Value::Bool(true)).unwrap();
        let ev = s.evaluate(id, 2026).unwrap();
        let c = clause(&ev, BRAND);
        assert_eq!((c.status, c.amount.as_deref(), c.claim.is_none()), ("ineligible", None, true));
        assert!(c.headline.contains("2025") && c.headline.contains("一次性奖励不再重复"), "{}", c.headline);
        assert!(c.reasons.iter().any(|r| r.text.contains("2025")));
        assert!(!ev.questions.iter().any(|q| q.key == "provincial_famous_brand"), "nothing to ask of a blocked award");
        s.set_lang(UiLang::En);
        let en = s.evaluate(id, 2026).unwrap();
        s.set_lang(UiLang::Zh);
        assert!(clause(&en, BRAND).headline.contains("2025"));

        let v = s.claims(id).unwrap();
        assert_eq!((v.count, v.years.len(), v.years[0].year), (2, 1, 2025));
        let b = v.years[0].claims.iter().find(|r| r.clause == BRAND).unwrap();
        assert_eq!(b.title, "省级跨境电商出口知名品牌奖励");
        assert_eq!(
            (b.estimate.as_deref(), b.approved.as_deref(), b.difference.as_deref()),
            (Some("100000.00"), Some("100000.00"), Some("0.00"))
        );
        let m = v.years[0].claims.iter().find(|r| r.clause == MARK).unwrap();
        assert_eq!(
            (m.estimate.as_deref(), m.approved.as_deref(), m.difference.as_deref()),
            (Some("93000.00"), Some("90000.00"), Some("-3000.00"))
        );
        assert_eq!((m.date.as_deref(), m.note.as_deref()), (Some("2025-09-30"), Some("批复文号 台商务〔2025〕12号")));
        let t = &v.years[0].totals;
        assert_eq!((t.estimate.as_str(), t.approved.as_str(), t.difference.as_str()), ("193000.00", "190000.00", "-3000.00"));
        assert_eq!(v.totals.difference, "-3000.00");
        s.set_lang(UiLang::En);
        let en = s.claims(id).unwrap();
        s.set_lang(UiLang::Zh);
        assert_eq!(en.years[0].claims[0].status.label, "approved");
        assert_eq!(
            s.meta().claim_statuses.iter().map(|x| x.label).collect::<Vec<_>>(),
            ["计划申报", "已申报", "已批准", "未获批", "已撤回"]
        );
    }

    #[test]
    fn claim_errors_name_the_control_and_change_nothing() {
        let (_d, s, id) = session();
        let err = |r: AppResult<EvaluationView>| s.word(r.unwrap_err());
        let e = err(s.set_claim(id, 2025, BRAND, "approved", Some("abc"), None, None));
        assert_eq!(e.field, "claim.amount");
        assert!(e.message.contains("不是数字") && !e.message.contains("claim"), "{}", e.message);
        s.set_lang(UiLang::En);
        let e = err(s.set_claim(id, 2025, BRAND, "approved", Some("-5"), None, None));
        s.set_lang(UiLang::Zh);
        assert_eq!((e.field.as_str(), e.message.as_str()), ("claim.amount", "must not be negative"));
        let e = err(s.set_claim(id, 2025, BRAND, "approved", None, None, None));
        assert_eq!((e.field.as_str(), e.message.as_str()), ("claim.amount", "已批准的申报须填写批准金额"));
        let e = err(s.set_claim(id, 2025, BRAND, "planned", Some("5"), None, None));
        assert_eq!(e.field, "claim.amount");
        let e = err(s.set_claim(id, 2025, BRAND, "granted", None, None, None));
        assert_eq!(e.field, "claim.status");
        let e = err(s.set_claim(id, 2025, "tz.nope", "planned", None, None, None));
        assert_eq!(e.field, "claim.clause");
        let e = err(s.set_claim(id, 2025, BRAND, "approved", Some("1"), Some("2025-02-30"), None));
        assert_eq!(e.field, "claim.date");
        assert_eq!(s.claims(id).unwrap().count, 0);
        let v = s.claims(id).unwrap();
        assert_eq!((v.totals.estimate.as_str(), v.totals.difference.as_str(), v.years.len()), ("0.00", "0.00", 0));
    }

    #[test]
    fn the_overview_comes_sorted_with_equal_rows_by_id() {
        let (_d, s, id) = session();
        let a = s.add_or_update_company(None, &json_company("乙公司", &code("510107", 11), "成都市", "武侯区")).unwrap().id;
        let b = s.add_or_update_company(None, &json_company("甲公司", &code("510107", 12), "成都市", "武侯区")).unwrap().id;
        s.set_fact(b, 2025, "cbec_volume", &Value::String("236,500,000".into())).unwrap();
        s.set_fact(b, 2025, "cbec_volume_prev_year", &Value::String("18200万".into())).unwrap();
        let ids = |key, descending| s.overview(2025, OverviewSort { key, descending }).unwrap().iter().map(|r| r.id).collect::<Vec<_>>();
        // The sample (470,175.25) first; the two at 0.00 by id either way.
        assert_eq!(ids(OverviewKey::Total, true), [id, a, b]);
        assert_eq!(ids(OverviewKey::Total, false), [a, b, id]);
        // b's provisional total (2,100,000.00) is the highest.
        assert_eq!(ids(OverviewKey::TotalProvisional, true), [b, id, a]);
        // Text in code point order (乙 U+4E59 < 台 U+53F0 < 甲 U+7532; 台 < 成 U+6210).
        assert_eq!(ids(OverviewKey::Name, false), [a, id, b]);
        assert_eq!(ids(OverviewKey::Name, true), [b, id, a]);
        assert_eq!(ids(OverviewKey::Place, false), [id, a, b]);
        assert_eq!(ids(OverviewKey::Place, true), [a, b, id]);
        // No filing window anywhere: all equal, by id whichever way.
        assert_eq!(ids(OverviewKey::Deadline, true), [id, a, b]);
        assert_eq!(ids(OverviewKey::Deadline, false), [id, a, b]);
        let rows = s.overview(2025, OverviewSort::default()).unwrap();
        let tz = &rows[0];
        assert_eq!((tz.total_text.as_str(), tz.provisional_text.as_deref(), tz.place.as_str()), ("470,175.25", None, "台州市椒江区"));
        let cd = rows.iter().find(|r| r.id == b).unwrap();
        assert_eq!((cd.total_text.as_str(), cd.provisional_text.as_deref()), ("0.00", Some("2,100,000.00")));
        s.set_claim(id, 2025, BRAND, "submitted", None, None, None).unwrap();
        s.set_claim(id, 2025, MARK, "approved", Some("90000"), None, None).unwrap();
        assert_eq!(s.overview(2025, OverviewSort::default()).unwrap()[0].claims_text, "已批准 1，已申报 1");
        assert_eq!(ids(OverviewKey::Filed, true), [id, a, b]);
        s.set_lang(UiLang::En);
        assert_eq!(s.overview(2025, OverviewSort::default()).unwrap()[0].claims_text, "approved 1, submitted 1");
        // The window sends the key and direction as JSON.
        let sort: OverviewSort = serde_json::from_str(r#"{"key":"total_provisional","descending":false}"#).unwrap();
        assert_eq!(sort, OverviewSort { key: OverviewKey::TotalProvisional, descending: false });
    }

    #[test]
    fn figures_come_as_the_window_shows_them_in_the_sessions_language() {
        let (_d, s, id) = session();
        let ev = s.evaluate(id, 2025).unwrap();
        assert_eq!((ev.total_text.as_str(), ev.provisional_text.as_deref()), ("470,175.25 元", None));
        assert!(ev.total_max_text.ends_with(" 元"), "{}", ev.total_max_text);
        let p = &ev.progress;
        assert_eq!(p.percent, (200 * p.answered + p.answered + p.open) / (2 * (p.answered + p.open)));
        let c = clause(&ev, MARK);
        assert_eq!((c.amount.as_deref(), c.amount_text.as_str()), (Some("93000.00"), "93,000.00"));
        s.set_lang(UiLang::En);
        let en = s.evaluate(id, 2025).unwrap();
        assert_eq!(en.total_text, "470,175.25 yuan");
        assert_eq!(s.read_number("cbec_volume", "6.2万", None).unwrap().text, "= 62,000.00 yuan");
        assert_eq!(s.meta().facts["cbec_volume"].unit, "yuan");
        s.set_lang(UiLang::Zh);
        assert_eq!(s.meta().facts["cbec_volume"].unit, "元");

        // A fee typed 万 too large is questioned once by the window, never refused.
        let u = s.read_number("patent_application_fee", "１８２００万", Some((id, 2025))).unwrap();
        assert_eq!(u.value, "182000000");
        let doubt = u.doubt.expect("a question");
        assert!(doubt.contains("182,000,000.00 元") && doubt.contains("200,000.00 元") && doubt.contains("10 倍"), "{doubt}");
        assert_eq!(s.read_number("patent_application_fee", "18200", Some((id, 2025))).unwrap().doubt, None);
        assert_eq!(s.read_number("patent_application_fee", "１８２００万", None).unwrap().doubt, None, "no company-year, no question");

        // A year not yet answered is offered the standing answers of the last one.
        let ev = s.evaluate(id, 2026).unwrap();
        let offer = ev.carry_over.expect("an offer");
        assert_eq!(offer.from, 2025);
        assert!(offer.count > 0);
        let copied = s.copy_facts(id, 2025, 2026).unwrap();
        assert_eq!(copied.labels_text, copied.labels.join("、"));
        assert!(copied.evaluation.carry_over.is_none(), "answered now");
        assert!(s.evaluate(id, 2025).unwrap().carry_over.is_none(), "no earlier year");

        // A saved evaluation: its total, time and inputs in words.
        s.save_evaluation(id, 2025).unwrap();
        let h = &s.history(id).unwrap()[0];
        assert_eq!(h.total_text, "470,175.25");
        assert!(h.created_text.len() == 19 && h.created_text.as_bytes()[4] == b'/', "{}", h.created_text);
        let fee = h.inputs_shown.iter().find(|i| i.key == "intl_trademark_fee").unwrap();
        assert!(fee.text == "186,000.00 元" && !fee.label.is_empty(), "{fee:?}");
        let no = h.inputs_shown.iter().find(|i| i.key == "opened_new_cbec_store").unwrap();
        assert_eq!(no.text, "否");
        assert!(h.packs_text.contains("@") && h.packs_full_text.len() > h.packs_text.len());

        let v = s.claims(id).unwrap();
        assert_eq!(v.totals.estimate_text, "0.00");
        s.set_claim(id, 2025, BRAND, "submitted", None, None, None).unwrap();
        let ev = s.set_claim(id, 2025, BRAND, "approved", Some("100000"), None, None).unwrap();
        let cell = clause(&ev, BRAND).claim.clone().unwrap();
        assert_eq!(
            (cell.estimate_text.as_deref(), cell.approved_with_unit.as_deref(), cell.estimate_with_unit.as_deref()),
            (Some("100,000.00"), Some("100,000.00 元"), Some("100,000.00 元"))
        );
        let row = &s.claims(id).unwrap().years[0].claims[0];
        assert_eq!((row.estimate_text.as_str(), row.difference_text.as_str()), ("100,000.00", "0.00"));
    }

    #[test]
    fn a_credit_code_is_counted_while_typed_then_checked_plain() {
        let (_d, s, _) = session();
        let typing = s.check_uscc("9151 0107-MA").unwrap();
        assert_eq!((typing.typing.as_deref(), typing.uscc), (Some("10/18"), None));
        assert!(s.check_uscc(" - ").unwrap().typing.is_none());
        let ok = s.check_uscc("9151 0107－ma6d g8hl5p").unwrap();
        assert_eq!(
            (ok.uscc.as_deref(), ok.division.as_deref(), ok.city.as_deref(), ok.typing),
            (Some("91510107MA6DG8HL5P"), Some("510107"), Some("成都市"), None)
        );
        let e = s.word(s.check_uscc("91510107MA6DG8HL5X").unwrap_err());
        assert_eq!(e.field, "company.uscc");
        assert!(e.message.contains("校验位"), "{}", e.message);
    }

    #[test]
    fn errors_are_worded_once_in_the_sessions_language() {
        let (d, s, id) = session();
        let word = |e: AppError| (e.to_api(UiLang::Zh), e.to_api(UiLang::En));
        let (zh, en) = word(s.save_sheet().unwrap_err());
        assert_eq!(
            (zh.message.as_str(), en.message.as_str()),
            ("没有待保存的表格，请重新导入", "no spreadsheet waiting to be saved; import it again")
        );
        let e = s.word(s.set_material(id, 2025, BRAND, 1, "done").unwrap_err());
        assert_eq!((e.field.as_str(), e.message.as_str()), ("material.status", "\"done\""));
        // A store error keeps its field; an input error inside it, the input's.
        let e = s.word(s.get_company(999).unwrap_err());
        assert_eq!(e.field, "");
        s.set_lang(UiLang::En);
        let e = s.word(s.add_or_update_company(None, &json_company("x", "91331002MA2A8K5L0Y", "台州市", "椒江区")).unwrap_err());
        assert_eq!(e.field, "company.uscc");
        assert!(e.message.contains("already belongs"), "{}", e.message);
        let junk = d.path().join("junk.xlsx");
        std::fs::write(&junk, "not a workbook").unwrap();
        let e = s.word(s.export_overview(&[id], 2025, &junk).unwrap_err());
        assert_eq!(e.message, format!("{}: exists and is not an Excel workbook; not replaced", junk.display()));
        // The session's language words every error that follows.
        s.set_lang(UiLang::Zh);
        let e = s.word(s.export_company_to(id, &junk).unwrap_err());
        assert!(e.message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{}", e.message);
    }
}

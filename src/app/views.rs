//! The window's views: serde structs that carry every figure and word as
//! shown, and the functions that make them from the core's results.

use super::*;
use crate::store_messages::claim_status_label;
use butie_core::engine::{ClauseResult, Evaluation, Status};
use butie_core::explain;
use butie_core::money::{fmt_grouped, fmt_yuan};
use butie_core::policy::{FactDef, FactKind, Figure, Lang, Pack};
use butie_core::profile::{ClaimStatus, Company, Profile};
use butie_store::ClaimRecord;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub kind: FactKind,
    pub label: String,
    pub unit: String,
    /// The column's heading: the label with its unit ("面积（平方米）").
    pub heading: String,
}

/// A fact's definition as the interview shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FactView {
    pub key: String,
    pub kind: FactKind,
    /// The unit shown after the field: 元 / yuan for money, 美元 / USD,
    /// else the policy file's ("" for none).
    pub unit: String,
    pub label: String,
    pub help: String,
    pub topic: String,
    /// Option key → label, in the order the policy file declares them.
    pub options: serde_json::Map<String, Value>,
    /// Field key → its view, in the policy file's order.
    pub fields: serde_json::Map<String, Value>,
}

pub(super) fn fact_view(d: &FactDef, lang: Lang) -> FactView {
    FactView {
        key: d.key.clone(),
        kind: d.kind,
        unit: shown::unit(d.kind, &d.unit, lang).to_string(),
        label: d.label.get(lang).to_string(),
        help: d.help.get(lang).to_string(),
        topic: d.topic.clone(),
        options: d
            .option_order
            .iter()
            .filter_map(|k| d.options.get(k).map(|v| (k.clone(), Value::String(v.get(lang).to_string()))))
            .collect(),
        fields: d
            .field_order
            .iter()
            .filter_map(|k| d.fields.get(k).map(|f| (k, f)))
            .map(|(k, f)| {
                let (label, unit) = (f.label.get(lang).to_string(), f.unit.get(lang).to_string());
                let view = FieldView { kind: f.kind, heading: shown::heading(&label, &unit, f.kind, lang), label, unit };
                (k.clone(), serde_json::to_value(view).unwrap_or(Value::Null))
            })
            .collect(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseMeta {
    pub id: String,
    pub pack: String,
    pub title: String,
    pub place: String,
    pub quote: String,
    pub document: String,
    pub one_time: bool,
    /// "one_time" | "annual" | "not_stated": what the text says about frequency.
    pub frequency: &'static str,
    pub attachments: Vec<String>,
    pub interpretations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackMeta {
    pub id: String,
    pub version: String,
    pub title: String,
    pub city: String,
    pub valid_from: String,
    pub valid_to: String,
}

/// Everything static the page needs.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// City → its districts, in the policy files' order.
    pub cities: serde_json::Map<String, Value>,
    /// City → its name in the window's language (台州市 → “Taizhou
    /// (Zhejiang)”, 泰州市 → “Taizhou (Jiangsu)”); the Chinese name in Chinese.
    pub city_names: BTreeMap<String, String>,
    pub facts: BTreeMap<String, FactView>,
    /// `pack:topic` → title.
    pub topics: BTreeMap<String, String>,
    pub clauses: Vec<ClauseMeta>,
    pub packs: Vec<PackMeta>,
    /// The filing statuses in ledger order, with their labels.
    pub claim_statuses: Vec<ClaimStatusView>,
    /// A clause's status (`eligible`, `ineligible`, `needs_input`, and
    /// `excluded` for a clause a 就高 rule dropped) → its word, as the
    /// table and the PDFs say it.
    pub statuses: BTreeMap<&'static str, &'static str>,
    pub workspace: String,
    pub first_run: bool,
}

/// The workspace the window opens when none is named: `BUTIE_WORKSPACE`,
/// else the OS's app data folder.
pub fn default_workspace() -> PathBuf {
    std::env::var_os("BUTIE_WORKSPACE").map(PathBuf::from).unwrap_or_else(butie_store::default_path)
}

/// Where the desktop bundle keeps the PDF fonts (Tauri's resource folder),
/// told once at start-up: the shell reaches the PDF writer only through here.
pub fn set_font_dir(dir: PathBuf) {
    butie_pdf::set_resource_dir(dir);
}

#[derive(Debug, Clone, Serialize)]
pub struct CompanyRow {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    pub city: String,
    pub district: String,
    pub years: Vec<i32>,
    pub evaluations: i64,
    /// The sample company a new workspace starts with (its credit code is
    /// the sample's): marked 示例 in the list.
    pub sample: bool,
}

/// A company's fields, as the profile form edits them.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyFieldsView {
    pub name: String,
    pub uscc: Option<String>,
    pub city: String,
    pub district: String,
    pub serious_dishonesty_listed: Option<bool>,
    pub legal_rep: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub bank: Option<String>,
    pub bank_account: Option<String>,
}

impl From<Company> for CompanyFieldsView {
    fn from(c: Company) -> Self {
        CompanyFieldsView {
            name: c.name,
            uscc: c.uscc,
            city: c.city,
            district: c.district,
            serious_dishonesty_listed: c.serious_dishonesty_listed,
            legal_rep: c.legal_rep,
            contact: c.contact,
            phone: c.phone,
            bank: c.bank,
            bank_account: c.bank_account,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CompanyView {
    pub id: i64,
    pub company: CompanyFieldsView,
    pub years: Vec<i32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    pub id: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deleted {
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UsccOk {
    /// The code made plain (spaces and hyphens dropped, upper case), once
    /// all 18 characters are typed and it checks.
    pub uscc: Option<String>,
    /// Where the code's administrative-division code places the company
    /// (GB/T 2260, from the policy packs): offered in the form, and a
    /// warning when the chosen city or district disagrees.
    pub city: Option<String>,
    pub district: Option<String>,
    /// That division code (characters 3–8), said in the warning.
    pub division: Option<String>,
    /// While fewer than 18 characters are typed: how many ("12/18"); the
    /// code is not judged yet.
    pub typing: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackView {
    pub id: String,
    pub status: &'static str,
    pub note: String,
    /// The pack-wide rule (台州 就高不重复) when the pack applies.
    pub principle: Option<String>,
    pub version: String,
    /// Imported without a trusted signature: every figure it gives is 未验证.
    pub unverified: bool,
    /// A draft for comments (征求意见稿).
    pub draft: bool,
}

/// A filing status: its ledger key, its label in the window's language,
/// and what the one amount of a claim means with it (`butie_store::ClaimUpdate`):
/// `"applied"` (submitted: the amount applied for, the claim's estimate),
/// `"approved"` (approved: the approved amount, required), or none.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimStatusView {
    pub key: &'static str,
    pub label: &'static str,
    pub amount: Option<&'static str>,
    pub amount_required: bool,
}

pub(super) fn status_view(s: ClaimStatus, lang: Lang) -> ClaimStatusView {
    let amount = match s {
        ClaimStatus::Submitted => Some("applied"),
        ClaimStatus::Approved => Some("approved"),
        ClaimStatus::Planned | ClaimStatus::Rejected | ClaimStatus::Withdrawn => None,
    };
    ClaimStatusView { key: s.as_str(), label: claim_status_label(s, lang), amount, amount_required: s == ClaimStatus::Approved }
}

/// A clause's claim for the year shown, as its results row edits it.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimCell {
    pub status: ClaimStatusView,
    /// The amount applied for (the estimate at filing).
    pub estimate: Option<String>,
    /// The approved amount, on an approved claim.
    pub approved: Option<String>,
    /// The estimate as shown under the row's controls ("100,000.00").
    pub estimate_text: Option<String>,
    /// The estimate and the approved amount with their unit ("100,000.00 元"),
    /// as the clause's detail says them.
    pub estimate_with_unit: Option<String>,
    pub approved_with_unit: Option<String>,
    /// What the row's amount field holds: the approved amount of an
    /// approved claim, the amount applied for of a submitted one.
    pub amount: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
    /// Kept with an approved amount above the most the clause can pay that year.
    pub warning: Option<String>,
}

pub(super) fn claim_cell(r: &ClaimRecord, lang: Lang) -> ClaimCell {
    let amount = match r.status {
        ClaimStatus::Approved => r.approved,
        ClaimStatus::Submitted => r.estimate,
        _ => None,
    };
    ClaimCell {
        status: status_view(r.status, lang),
        estimate: r.estimate.map(fmt_yuan),
        approved: r.approved.map(fmt_yuan),
        estimate_text: r.estimate.map(fmt_grouped),
        estimate_with_unit: r.estimate.map(|d| shown::yuan(d, lang)),
        approved_with_unit: r.approved.map(|d| shown::yuan(d, lang)),
        amount: amount.map(fmt_yuan),
        date: r.date.clone(),
        note: r.note.clone(),
        warning: crate::store_messages::above_most_warning(r, lang),
    }
}

/// One claim of the filings tab.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRow {
    pub id: i64,
    pub year: i32,
    pub clause: String,
    pub title: String,
    pub status: ClaimStatusView,
    pub estimate: Option<String>,
    pub approved: Option<String>,
    /// approved − estimate, when both are known.
    pub difference: Option<String>,
    /// The three as the table shows them ("100,000.00"; "" when not known).
    pub estimate_text: String,
    pub approved_text: String,
    pub difference_text: String,
    /// The older single date of the claim (before the two dates were kept).
    pub date: Option<String>,
    /// The submission and approval dates, `YYYY-MM-DD` in both languages.
    pub submitted_on: Option<String>,
    pub approved_on: Option<String>,
    pub note: Option<String>,
    /// Kept with an approved amount above the most the clause can pay that year.
    pub warning: Option<String>,
    pub updated_at: String,
}

/// Sums of a set of claims: every estimate, every approved amount, and the
/// differences of the claims that have both (a claim still waiting for its
/// decision has no difference yet).
#[derive(Debug, Clone, Serialize)]
pub struct ClaimTotals {
    pub estimate: String,
    pub approved: String,
    pub difference: String,
    /// The three as the table shows them ("193,000.00").
    pub estimate_text: String,
    pub approved_text: String,
    pub difference_text: String,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Sums {
    pub(super) estimate: Decimal,
    pub(super) approved: Decimal,
    pub(super) difference: Decimal,
}

impl Sums {
    pub(super) fn add(&mut self, r: &ClaimRecord) {
        self.estimate += r.estimate.unwrap_or_default();
        self.approved += r.approved.unwrap_or_default();
        if let (Some(e), Some(a)) = (r.estimate, r.approved) {
            self.difference += a - e;
        }
    }
    pub(super) fn view(&self) -> ClaimTotals {
        ClaimTotals {
            estimate: fmt_yuan(self.estimate),
            approved: fmt_yuan(self.approved),
            difference: fmt_yuan(self.difference),
            estimate_text: fmt_grouped(self.estimate),
            approved_text: fmt_grouped(self.approved),
            difference_text: fmt_grouped(self.difference),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimYearView {
    pub year: i32,
    pub claims: Vec<ClaimRow>,
    pub totals: ClaimTotals,
}

/// A company's claims ledger, year by year, with totals.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimsView {
    pub company: String,
    pub years: Vec<ClaimYearView>,
    pub totals: ClaimTotals,
    pub count: usize,
}

/// One reason line; `interpretation` marks a reading of unclear text.
#[derive(Debug, Clone, Serialize)]
pub struct ReasonView {
    pub text: String,
    pub interpretation: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    pub id: String,
    pub pack: String,
    pub title: String,
    pub place: String,
    pub quote: String,
    pub document: String,
    /// "one_time" | "annual" | "not_stated": what the text says about frequency.
    pub frequency: &'static str,
    /// For a `needs_input` clause: what it pays if its open yes/no questions
    /// go the company's way (see `engine::favourable_profile`).
    pub provisional: Option<ProvisionalView>,
    pub figure: &'static str,
    pub status: &'static str,
    pub amount: Option<String>,
    pub amount_max: Option<String>,
    /// The row's amount and ceiling cells: grouped digits; "≈ …" for the
    /// provisional figure of a clause waiting for answers; "—" for an
    /// eligible clause that gives only a ceiling; "" for none.
    pub amount_text: String,
    pub amount_max_text: String,
    pub missing: Vec<String>,
    /// The one reason a table row shows.
    pub headline: String,
    pub reasons: Vec<ReasonView>,
    pub trace: Vec<String>,
    pub excluded_by: Option<String>,
    /// Interpretations an eligible clause's figure rests on.
    pub interpretations: Vec<String>,
    /// The pack applies (or applies by county reference) to this company and year.
    pub applies: bool,
    /// From a pack imported without a trusted signature (未验证), or from a
    /// draft for comments (征求意见稿): marked on the clause's own row.
    pub unverified: bool,
    pub draft: bool,
    /// The company's claim of this clause for the year shown.
    pub claim: Option<ClaimCell>,
    /// Materials ready and needed (不适用 not counted), for a clause filed.
    pub materials: Option<[usize; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub key: String,
    /// `pack:topic`.
    pub topic: String,
    pub def: FactView,
    pub value: Value,
    pub answered: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub answered: usize,
    pub open: usize,
    /// Answered of all, in whole percent (rounded half up; 100 when none is asked).
    pub percent: usize,
}

impl Progress {
    pub(super) fn new(answered: usize, open: usize) -> Self {
        let all = answered + open;
        let percent = if all == 0 { 100 } else { (200 * answered + all) / (2 * all) };
        Progress { answered, open, percent }
    }
}

/// A year with nothing answered yet, and an earlier year whose standing
/// answers (recognitions, business types, leases) can be carried over.
#[derive(Debug, Clone, Serialize)]
pub struct CarryOver {
    /// The latest earlier year with answers.
    pub from: i32,
    /// How many of its standing answers this year lacks.
    pub count: usize,
}

/// A company-year's evaluation with everything the results and interview show.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationView {
    pub year: i32,
    pub city: String,
    pub district: String,
    pub company: String,
    pub packs: Vec<PackView>,
    pub clauses: Vec<ClauseView>,
    pub total: String,
    pub total_max: String,
    /// The totals were the open yes/no questions answered in the company's
    /// favour (equal to `total`/`total_max` when none is open).
    pub total_provisional: String,
    pub total_max_provisional: String,
    /// The totals as shown: the total with its unit ("470,175.25 元"), or
    /// words when only measures without a published figure apply; the
    /// most it can be (on the provisional footing while a provisional
    /// total is shown; "—" beside a total in words); the provisional
    /// total when it differs from the total.
    pub total_text: String,
    pub total_max_text: String,
    pub provisional_text: Option<String>,
    /// The titles of the packs of other cities ("" for none), named in one line.
    pub other_cities: String,
    /// Standing answers of an earlier year the window offers to carry over.
    pub carry_over: Option<CarryOver>,
    /// The yes/no answers those totals assume, in words.
    pub provisional_assumes: Vec<String>,
    /// Clauses counted in `total` that rest on a yes/no question taken as
    /// "yes" while unanswered (成都's applicant type, shown 【解释】 in their working).
    pub assumed_in_total: usize,
    /// Whether any pack applies to the company in this year.
    pub any_pack_applies: bool,
    pub eligible: usize,
    pub questions: Vec<Question>,
    pub progress: Progress,
    pub hints: Vec<String>,
}

pub(super) fn material_counts(ms: &[butie_store::Material]) -> [usize; 2] {
    use butie_store::MaterialStatus;
    [
        ms.iter().filter(|m| m.status == MaterialStatus::Ready).count(),
        ms.iter().filter(|m| m.status != MaterialStatus::NotApplicable).count(),
    ]
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    pub id: i64,
    pub name: String,
    pub size: u64,
    pub size_text: String,
    pub sha256: String,
    pub added_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaterialItemView {
    pub number: usize,
    pub item: String,
    /// "ready" | "not_ready" | "not_applicable".
    pub status: &'static str,
    pub label: &'static str,
    pub evidence: Vec<EvidenceView>,
    /// In a clause's list: the shared document it is (its place in
    /// [`PapersView::common`]), shown there once with its files.
    pub shared: Option<usize>,
}

/// A material's name as the window shows it: the packs' English name in
/// English (the Chinese when a pack gives none); the forms keep the Chinese.
pub(super) fn material_name(item: &str, packs: &[Pack], l: Lang) -> String {
    match l {
        Lang::Zh => item.to_string(),
        Lang::En => packs.iter().find_map(|p| p.materials_en.get(item)).cloned().unwrap_or_else(|| item.to_string()),
    }
}

pub(super) fn material_item_view(m: &butie_store::Material, shared: Option<usize>, packs: &[Pack], l: Lang) -> MaterialItemView {
    MaterialItemView {
        number: m.number,
        item: material_name(&m.item, packs, l),
        status: m.status.as_str(),
        label: crate::packet::material_label(m.status, l),
        evidence: m
            .evidence
            .iter()
            .map(|e| EvidenceView {
                id: e.id,
                size_text: crate::packet::size_text(e.size),
                name: e.name.clone(),
                size: e.size,
                sha256: e.sha256.clone(),
                added_at: e.added_at.clone(),
            })
            .collect(),
        shared,
    }
}

/// A document several clauses filed share (营业执照复印件): its one status
/// and set of files, and the clauses it serves.
#[derive(Debug, Clone, Serialize)]
pub struct CommonDocView {
    /// The first clause it serves: a change to it names that clause and
    /// `material.number` (the store keeps it once for all of them).
    pub clause: String,
    pub material: MaterialItemView,
    pub serves: Vec<ServedView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServedView {
    pub clause: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaterialClauseView {
    pub clause: String,
    pub title: String,
    pub place: String,
    pub amount: Option<String>,
    pub amount_max: Option<String>,
    pub ready: usize,
    pub needed: usize,
    pub items: Vec<MaterialItemView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    pub pack: String,
    pub pack_title: String,
    pub year: i32,
    pub start: Option<String>,
    pub end: String,
    pub notice: String,
    pub days_left: Option<i64>,
    /// "还剩 12 天" / "今天截止" / "已逾期 3 天".
    pub text: String,
    pub overdue: bool,
    /// Every claim of the year under this pack is submitted or decided.
    pub filed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackChoice {
    pub id: String,
    pub title: String,
}

/// What the 申报材料 page shows for a company and year.
#[derive(Debug, Clone, Serialize)]
pub struct PapersView {
    pub year: i32,
    pub today: String,
    pub clauses: Vec<MaterialClauseView>,
    /// The documents several of `clauses` share, each once.
    pub common: Vec<CommonDocView>,
    pub deadlines: Vec<DeadlineView>,
    /// The packs that apply to the company this year: a window may be set for each.
    pub packs: Vec<PackChoice>,
    /// Evidence kept for a clause not filed this year, or a material the
    /// policy file no longer lists: shown so that it can be removed.
    pub others: Vec<OtherEvidenceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherEvidenceView {
    pub id: i64,
    pub name: String,
    pub size_text: String,
    pub clause: String,
    pub item: String,
}

/// `filed`: every claim of the year under the window's pack is past
/// planning (and there is one): the window is met, never shown overdue.
pub(super) fn deadline_view(d: &butie_store::Deadline, packs: &[Pack], today: &str, filed: bool, lang: Lang) -> DeadlineView {
    let left = crate::packet::days_left(today, &d.end);
    let text = match (filed, lang) {
        (true, Lang::Zh) => "已申报".to_string(),
        (true, Lang::En) => "filed".to_string(),
        (false, _) => left.map(|n| crate::packet::days_text(n, lang)).unwrap_or_default(),
    };
    DeadlineView {
        pack: d.pack.clone(),
        pack_title: packs.iter().find(|p| p.id == d.pack).map(|p| p.title.get(lang).to_string()).unwrap_or_else(|| d.pack.clone()),
        year: d.year,
        start: d.start.clone(),
        end: d.end.clone(),
        notice: d.notice.clone(),
        days_left: left,
        text,
        overdue: !filed && left.is_some_and(|n| n < 0),
        filed,
    }
}

/// A pack in use, as the window lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PackInUse {
    pub id: String,
    pub title: String,
    pub version: String,
    pub city: String,
    pub valid_from: String,
    pub valid_to: String,
    /// "built_in" | "verified" | "unverified".
    pub trust: &'static str,
    /// "随程序提供" / "已验证：园区商务办（C4D6…）" / "未验证".
    pub trust_text: String,
    pub sha256: String,
}

/// What importing a pack file did.
#[derive(Debug, Clone, Serialize)]
pub struct PackImported {
    pub text: String,
    pub packs: Vec<PackInUse>,
}

/// A new version against the one in use, and the clients it changes.
#[derive(Debug, Clone, Serialize)]
pub struct PackDiffView {
    pub pack: String,
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<String>,
    /// "#3 某公司 2025: 100,000.00 → 150,000.00".
    pub clients: Vec<String>,
    pub checked: usize,
}

/// For the company's city: which data years each pack covers, and whether
/// its term has ended or does not reach the year shown.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageView {
    pub pack: String,
    pub text: String,
    /// The year shown is outside the term, or the term has ended.
    pub warn: bool,
}

/// One client in the portfolio overview: a company's year at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewRow {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    pub city: String,
    pub district: String,
    pub total: String,
    pub total_max: String,
    /// Provisional total (open yes/no questions answered favourably).
    pub total_provisional: String,
    /// City and district, as the place column shows and sorts them.
    pub place: String,
    /// The totals as the table shows them ("470,175.25"); the provisional
    /// total only when it differs from the total.
    pub total_text: String,
    pub total_max_text: String,
    pub provisional_text: Option<String>,
    pub eligible: usize,
    /// Facts still open for the year.
    pub open: usize,
    /// Claims of the year in the ledger, by status key.
    pub claims: BTreeMap<&'static str, usize>,
    /// Those claims in words ("已批准 1，已申报 2").
    pub claims_text: String,
    pub sample: bool,
    /// The year's filing window ending soonest, if one is recorded.
    pub deadline: Option<DeadlineView>,
    /// What the figures alone do not say: the place's policy not in force
    /// that year, a county's figures estimated at the city's rates, a
    /// credit code naming another place ([`overview_marks`]).
    pub marks: Vec<Mark>,
}

/// A short note beside a row: `key` for the look ("ended", "county",
/// "region"), `text` in the window's language.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mark {
    pub key: &'static str,
    pub text: String,
}

/// The overview's notes on one company-year: why its figures may be 0 or
/// estimates, and whether its credit code disagrees with its place.
pub(super) fn overview_marks(ev: &butie_core::Evaluation, packs: &[Pack], lang: Lang) -> Vec<Mark> {
    use butie_core::engine::PackReason;
    let mut marks = Vec::new();
    let own = || ev.packs.iter().filter(|p| !matches!(p.reason, PackReason::OtherCity | PackReason::OutsideRegions));
    if !ev.packs.iter().any(|p| p.status.applies()) {
        if let Some(p) = own().find(|p| p.reason == PackReason::NotInForce).map(|p| p.pack) {
            let ended = ev.year > p.valid_to.y;
            let text = match (ended, lang) {
                (true, Lang::Zh) => format!("政策已于 {} 到期", p.valid_to),
                (true, Lang::En) => format!("policy ended {}", p.valid_to),
                (false, Lang::Zh) => format!("政策自 {} 起施行", p.valid_from),
                (false, Lang::En) => format!("policy starts {}", p.valid_from),
            };
            marks.push(Mark { key: "ended", text });
        }
    }
    if own().any(|p| p.reason == PackReason::CountyReference) {
        let text = match lang {
            Lang::Zh => "参照执行：按市区标准估算".to_string(),
            Lang::En => "county: estimated at city rates".to_string(),
        };
        marks.push(Mark { key: "county", text });
    }
    if let Some(text) = region_disagrees(&ev.profile.company, packs, lang) {
        marks.push(Mark { key: "region", text });
    }
    marks
}

/// When the credit code's division code names another city or district
/// than the one recorded: the words saying so (never a refusal: a company
/// may have moved).
pub(crate) fn region_disagrees(c: &butie_core::Company, packs: &[Pack], lang: Lang) -> Option<String> {
    let (city, district) = butie_core::uscc::other_place(c, packs)?;
    let place = match lang {
        Lang::Zh => format!("{city}{}", district.unwrap_or("")),
        Lang::En => format!("{} {}", butie_core::policy::city_en(packs, city), district.unwrap_or("")).trim_end().to_string(),
    };
    let code = c.uscc.as_deref().and_then(|u| u.get(2..8)).unwrap_or("");
    Some(match lang {
        Lang::Zh => format!("信用代码的行政区划码 {code} 对应{place}，与所填地区不一致"),
        Lang::En => format!("credit code's division {code} is {place}, not the place recorded"),
    })
}

/// A column the overview is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverviewKey {
    Name,
    Place,
    #[default]
    Total,
    TotalProvisional,
    TotalMax,
    Eligible,
    Open,
    /// Claims submitted or approved.
    Filed,
    /// Days left to the filing window's end (none recorded: after every date).
    Deadline,
}

/// The overview's order: a column, either way; equal rows by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewSort {
    pub key: OverviewKey,
    pub descending: bool,
}

impl Default for OverviewSort {
    /// The highest total first.
    fn default() -> Self {
        OverviewSort { key: OverviewKey::Total, descending: true }
    }
}

impl OverviewSort {
    pub(super) fn apply(self, rows: &mut [OverviewRow]) {
        use std::cmp::Ordering;
        let figure = |t: &str| t.parse::<Decimal>().unwrap_or_default();
        let filed = |r: &OverviewRow| r.claims.get("submitted").copied().unwrap_or(0) + r.claims.get("approved").copied().unwrap_or(0);
        let days = |r: &OverviewRow| r.deadline.as_ref().and_then(|d| d.days_left).unwrap_or(i64::MAX);
        let order = |a: &OverviewRow, b: &OverviewRow| -> Ordering {
            match self.key {
                OverviewKey::Name => a.name.cmp(&b.name),
                OverviewKey::Place => a.place.cmp(&b.place),
                OverviewKey::Total => figure(&a.total).cmp(&figure(&b.total)),
                OverviewKey::TotalProvisional => figure(&a.total_provisional).cmp(&figure(&b.total_provisional)),
                OverviewKey::TotalMax => figure(&a.total_max).cmp(&figure(&b.total_max)),
                OverviewKey::Eligible => a.eligible.cmp(&b.eligible),
                OverviewKey::Open => a.open.cmp(&b.open),
                OverviewKey::Filed => filed(a).cmp(&filed(b)),
                OverviewKey::Deadline => days(a).cmp(&days(b)),
            }
        };
        rows.sort_by(|a, b| {
            let o = order(a, b);
            if self.descending { o.reverse() } else { o }.then(a.id.cmp(&b.id))
        });
    }
}

/// A year's claims by status, in words: "已批准 1，已申报 2" (statuses in
/// key order, as the ledger counts them).
pub(super) fn claims_text(claims: &BTreeMap<&'static str, usize>, lang: Lang) -> String {
    claims
        .iter()
        .map(|(k, n)| {
            let label = ClaimStatus::ALL.iter().find(|s| s.as_str() == *k).map(|s| claim_status_label(*s, lang)).unwrap_or(k);
            format!("{label} {n}")
        })
        .collect::<Vec<_>>()
        .join(shown::comma(lang))
}

/// A spreadsheet as the import would save it, shown before anything is saved.
#[derive(Debug, Clone, Serialize)]
pub struct SheetPreview {
    pub file: String,
    /// The file's name without its folder.
    pub file_name: String,
    /// Rows read (blank rows and the template's label row not counted).
    pub read: usize,
    pub accepted: Vec<PreviewRow>,
    /// One entry per problem; a row may have several.
    pub refused: Vec<RefusedRow>,
    /// Rows refused (each counted once).
    pub refused_rows: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreviewRow {
    pub row: u32,
    pub name: String,
    pub uscc: Option<String>,
    pub city: String,
    pub district: String,
    pub year: i32,
    /// "add", "update" or "same".
    pub action: &'static str,
    /// "新增" / "更新 #12" / "无变化 #12".
    pub action_text: String,
    /// The credit code names another place than the row's (a warning; the row is saved as given).
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RefusedRow {
    pub row: u32,
    pub column: String,
    pub message: String,
}

/// What saving an import did (one transaction).
#[derive(Debug, Clone, Serialize)]
pub struct SheetSaved {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub text: String,
}

/// Every company's PDFs written by one run.
#[derive(Debug, Clone, Serialize)]
pub struct PdfBatchView {
    pub dir: String,
    pub companies: usize,
    pub files: usize,
    pub cancelled: bool,
    /// "企业名称: 原因" for each company not written.
    pub failed: Vec<String>,
    pub text: String,
}

/// A PDF run in progress, shared by the worker thread and the window's
/// polling: counts, the cancel flag and, once finished, the outcome.
#[derive(Debug, Default)]
pub struct PdfJob {
    pub running: std::sync::atomic::AtomicBool,
    pub total: std::sync::atomic::AtomicUsize,
    pub done: std::sync::atomic::AtomicUsize,
    pub cancel: std::sync::atomic::AtomicBool,
    pub outcome: Mutex<Option<ApiResult<PdfBatchView>>>,
}

/// What the window polls while PDFs are written.
#[derive(Debug, Clone, Serialize)]
pub struct PdfJobStatus {
    pub running: bool,
    pub done: usize,
    pub total: usize,
    pub cancelling: bool,
    pub outcome: Option<ApiResult<PdfBatchView>>,
}

impl PdfJob {
    /// Claim the job for a new run; false while one is running.
    pub fn start(&self, total: usize) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        if self.running.compare_exchange(false, true, SeqCst, SeqCst).is_err() {
            return false;
        }
        self.total.store(total, SeqCst);
        self.done.store(0, SeqCst);
        self.cancel.store(false, SeqCst);
        *self.outcome.lock().unwrap_or_else(|p| p.into_inner()) = None;
        true
    }
    pub fn finish(&self, outcome: ApiResult<PdfBatchView>) {
        *self.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        self.running.store(false, std::sync::atomic::Ordering::SeqCst);
    }
    pub fn status(&self) -> PdfJobStatus {
        use std::sync::atomic::Ordering::SeqCst;
        PdfJobStatus {
            running: self.running.load(SeqCst),
            done: self.done.load(SeqCst),
            total: self.total.load(SeqCst),
            cancelling: self.cancel.load(SeqCst),
            outcome: self.outcome.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

/// Standing answers carried over from an earlier year.
#[derive(Debug, Clone, Serialize)]
pub struct Copied {
    pub from: i32,
    /// The labels of the facts copied.
    pub labels: Vec<String>,
    /// Those labels in one line ("跨境电商企业类型、…").
    pub labels_text: String,
    pub evaluation: EvaluationView,
}

/// A number as understood while it is typed.
#[derive(Debug, Clone, Serialize)]
pub struct Understood {
    /// The exact decimal that would be saved.
    pub value: String,
    /// "= 236,500,000.00 元".
    pub text: String,
    /// The question to ask once before saving an answer far outside what
    /// the clauses expect (a unit slip, most often); `None` when it looks right.
    pub doubt: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProvisionalView {
    pub amount: Option<String>,
    pub amount_max: Option<String>,
    /// "若“是否列入严重失信名单”为“否”：测算可得 2,000,000.00 元".
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// 1 for the company's first saved evaluation, and so on.
    pub number: usize,
    pub id: i64,
    pub created_at: String,
    /// When it was saved, in the machine's local time ("2025/06/01 16:00:00").
    pub created_text: String,
    pub year: i32,
    pub total: String,
    /// The total as shown ("470,175.25").
    pub total_text: String,
    pub total_max: String,
    pub packs: Vec<PackUsed>,
    /// The versions in one line, with their SHA-256 shortened (the list)
    /// and whole (the detail).
    pub packs_text: String,
    pub packs_full_text: String,
    /// The clauses that were eligible, waiting or given a figure, as saved.
    pub clauses: Vec<HistoryClause>,
    pub inputs: Value,
    /// The facts of `inputs` as the detail shows them: label and value in words.
    pub inputs_shown: Vec<InputShown>,
    pub tool_version: String,
}

/// One fact a saved evaluation used, in words.
#[derive(Debug, Clone, Serialize)]
pub struct InputShown {
    pub key: String,
    pub label: String,
    pub text: String,
}

/// A pack version a saved evaluation was computed with.
#[derive(Debug, Clone, Serialize)]
pub struct PackUsed {
    pub id: String,
    pub version: String,
    pub content_hash: String,
}

/// One clause of a saved evaluation: its typed outcome, and its reasons as
/// recorded (in Chinese, the filing language).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryClause {
    pub id: String,
    pub title: String,
    pub status_label: &'static str,
    pub amount: Option<String>,
    pub amount_max: Option<String>,
    /// The two as shown ("1,000,000.00"; "" for none).
    pub amount_text: String,
    pub amount_max_text: String,
    pub recorded_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Written {
    Files { dir: String, files: Vec<String> },
    File { file: String },
    Imported { ids: Vec<i64> },
}

/// A `needs_input` clause's figure in the favourable evaluation, if that
/// makes it eligible.
pub(super) fn provisional_view(
    ev: &Evaluation,
    r: &ClauseResult,
    fav: Option<&(Evaluation, Vec<(String, bool)>)>,
    lang: Lang,
) -> Option<ProvisionalView> {
    let (fev, assumed) = fav?;
    if r.status != Status::NeedsInput {
        return None;
    }
    let then = fev.clause(&r.clause.id).filter(|x| x.status == Status::Eligible)?;
    let open: Vec<(&str, bool)> =
        ev.missing(r).iter().filter_map(|m| assumed.iter().find(|(k, _)| k == m).map(|(_, v)| (*m, *v))).collect();
    // Only a part taken as its whole: the figure is a most, not an estimate.
    let part_only = open.len() < ev.missing(r).len();
    Some(ProvisionalView {
        amount: if part_only { None } else { then.amount.map(fmt_yuan) },
        amount_max: then.amount_max.map(fmt_yuan),
        text: explain::provisional(r.pack, &open, then, lang),
    })
}

pub(super) fn clause_view(
    ev: &Evaluation,
    r: &ClauseResult,
    claim: Option<&ClaimRecord>,
    fav: Option<&(Evaluation, Vec<(String, bool)>)>,
    lang: Lang,
) -> ClauseView {
    let c = r.clause;
    let reasons = explain::reason_items(ev, r)
        .iter()
        .map(|x| ReasonView { text: explain::reason(ev, r, x, lang), interpretation: x.is_interpretation() })
        .collect();
    let provisional = provisional_view(ev, r, fav, lang);
    let (amount_text, amount_max_text) = match &provisional {
        // Waiting for answers: the figure they would give, marked as such.
        Some(p) => {
            let about = |x: &Option<String>| x.as_deref().map(|a| format!("≈ {}", shown::grouped_text(a))).unwrap_or_default();
            (about(&p.amount), about(&p.amount_max))
        }
        None => (
            match r.amount {
                Some(a) => fmt_grouped(a),
                // Only a ceiling is given.
                None if r.status == Status::Eligible && r.amount_max.is_some() => "—".to_string(),
                None => String::new(),
            },
            r.amount_max.map(fmt_grouped).unwrap_or_default(),
        ),
    };
    ClauseView {
        id: c.id.clone(),
        pack: r.pack.id.clone(),
        title: c.title.get(lang).to_string(),
        place: if lang == Lang::En { c.place_en.clone() } else { c.place.clone() },
        quote: c.quote.clone(),
        document: r.pack.document.get(lang).to_string(),
        frequency: c.frequency.as_str(),
        provisional,
        figure: match c.figure {
            Figure::Exact => "exact",
            Figure::Ceiling => "ceiling",
        },
        status: r.status.as_str(),
        amount: r.amount.map(fmt_yuan),
        amount_max: r.amount_max.map(fmt_yuan),
        amount_text,
        amount_max_text,
        missing: ev.missing(r).iter().map(|m| m.to_string()).collect(),
        headline: explain::headline(ev, r, lang),
        reasons,
        trace: explain::trace(ev, r, lang),
        excluded_by: r.excluded_by.map(|s| s.winner.id.clone()),
        interpretations: explain::interpretations(ev, r, lang),
        applies: ev.pack_result(&r.pack.id).is_some_and(|p| p.status.applies()),
        unverified: r.pack.unverified,
        draft: r.pack.draft.is_some(),
        claim: claim.map(|c| claim_cell(c, lang)),
        materials: None,
    }
}

/// The interview's questions: the open ones and those answered that matter
/// to a pack that applies, in the core's steady order.
pub(super) fn questions(applying: &[&Pack], profile: &Profile, open: &[&str], answered: &[&str], l: Lang) -> Vec<Question> {
    let mut questions = Vec::new();
    let mut push_q = |key: &str, done: bool| {
        let Some((p, d)) = applying.iter().find_map(|p| p.facts.get(key).map(|d| (p, d))) else { return };
        questions.push(Question {
            key: key.to_string(),
            topic: format!("{}:{}", p.id, d.topic),
            def: fact_view(d, l),
            value: profile.facts.get(key).map(butie_core::profile::fact_value_to_json).unwrap_or(Value::Null),
            answered: done,
        });
    };
    for k in open {
        push_q(k, false);
    }
    for k in answered {
        if !open.contains(k) {
            push_q(k, true);
        }
    }
    let order = butie_core::policy::AskOrder::new(applying);
    questions.sort_by_key(|q| order.rank(&q.topic, &q.key));
    questions
}

/// What a provisional total takes as answered: "label：是".
pub(super) fn assumed_answers(packs: &[Pack], assumed: &[(String, bool)], l: Lang) -> Vec<String> {
    assumed
        .iter()
        .filter_map(|(k, v)| {
            let d = packs.iter().find_map(|p| p.facts.get(k))?;
            let yes_no = match (l, v) {
                (Lang::Zh, true) => "是",
                (Lang::Zh, false) => "否",
                (Lang::En, true) => "yes",
                (Lang::En, false) => "no",
            };
            Some(format!("{}{}{yes_no}", d.label.get(l), if l == Lang::Zh { "：" } else { ": " }))
        })
        .collect()
}

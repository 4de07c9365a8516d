//! The application packet, materials with their evidence, and filing
//! windows: the CLI's `butie packet`, `butie materials`, `butie evidence`,
//! `butie deadline(s)` and the functions the window's commands share.

use crate::files::{check_target, read_limited, write_atomic, Content, FileError, Replace};
use crate::ops::{Error, FileRole};
use butie_core::engine::{evaluate, Evaluation, Status};
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{ClaimStatus, Profile};
use butie_store::{Material, MaterialStatus, Workspace, MAX_EVIDENCE};
use std::path::Path;

/// The time a document is made: `SOURCE_DATE_EPOCH` when set (so that two
/// runs give the same bytes), else now. Unix seconds.
pub fn creation_time() -> i64 {
    if let Some(t) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok()) {
        // Not before 1970 nor after 9999: a PDF date has four digits.
        return t.clamp(0, 253_402_300_799);
    }
    now()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Today as `YYYY-MM-DD` in the machine's time zone (for days left): the
/// real today, whatever SOURCE_DATE_EPOCH says of a document's date.
pub fn today() -> String {
    butie_store::local_date(now())
}

/// Days from `today` to `end` (both `YYYY-MM-DD`); negative once past.
pub fn days_left(today: &str, end: &str) -> Option<i64> {
    Some(day_number(end)? - day_number(today)?)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
fn day_number(d: &str) -> Option<i64> {
    let date = butie_core::policy::Date::parse(d)?;
    let (y, m, dd) = (i64::from(date.y), i64::from(date.m), i64::from(date.d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

pub fn material_label(s: MaterialStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (MaterialStatus::Ready, Lang::Zh) => "已准备",
        (MaterialStatus::NotReady, Lang::Zh) => "未准备",
        (MaterialStatus::NotApplicable, Lang::Zh) => "不适用",
        (MaterialStatus::Ready, Lang::En) => "ready",
        (MaterialStatus::NotReady, Lang::En) => "not ready",
        (MaterialStatus::NotApplicable, Lang::En) => "not applicable",
    }
}

/// A status as typed: `ready` / `not_ready` / `not_applicable` or 已准备 / 未准备 / 不适用.
pub fn parse_material_status(t: &str) -> Option<MaterialStatus> {
    let t = t.trim();
    MaterialStatus::parse(&t.to_ascii_lowercase().replace(['-', ' '], "_")).or(match t {
        "已准备" => Some(MaterialStatus::Ready),
        "未准备" => Some(MaterialStatus::NotReady),
        "不适用" => Some(MaterialStatus::NotApplicable),
        _ => None,
    })
}

/// The clauses a packet files: eligible ones, less those whose claim for
/// the year the ledger marks rejected or withdrawn.
pub fn filed_clauses(ev: &Evaluation, ws: Option<(&Workspace, i64)>) -> Result<Vec<String>, butie_store::StoreError> {
    let mut dropped = Vec::new();
    if let Some((w, id)) = ws {
        for c in w.claims(id, Some(ev.year))? {
            if matches!(c.status, ClaimStatus::Rejected | ClaimStatus::Withdrawn) {
                dropped.push(c.clause);
            }
        }
    }
    Ok(ev
        .clauses
        .iter()
        // Eligible, not set aside by 就高不重复 (the higher award is filed), in a pack that applies.
        .filter(|r| {
            r.status == Status::Eligible && r.excluded_by.is_none() && ev.pack_result(&r.pack.id).is_some_and(|p| p.status.applies())
        })
        .filter(|r| !dropped.contains(&r.clause.id))
        .map(|r| r.clause.id.clone())
        .collect())
}

/// Materials and evidence belong to a clause the company files this year;
/// anything else would be kept where no list shows it.
pub fn require_filed(w: &Workspace, packs: &[Pack], id: i64, year: i64, clause: &str) -> Result<(), Error> {
    let y = butie_core::profile::check_year("year", year)?;
    let profile = w.profile(id, y, packs)?;
    let ev = evaluate(packs, &profile, y);
    if filed_clauses(&ev, Some((w, id)))?.iter().any(|c| c == clause) {
        return Ok(());
    }
    Err(Error::NotFiled { clause: clause.to_string(), year: y })
}

/// A filing window belongs to a pack that applies to the company that year.
pub fn require_pack_applies(w: &Workspace, packs: &[Pack], id: i64, year: i64, pack: &str) -> Result<(), Error> {
    if !packs.iter().any(|p| p.id == pack) {
        return Ok(()); // the store names the packs known
    }
    let y = butie_core::profile::check_year("year", year)?;
    let profile = w.profile(id, y, packs)?;
    let ev = evaluate(packs, &profile, y);
    if ev.pack_result(pack).is_some_and(|p| p.status.applies()) {
        return Ok(());
    }
    let applying = ev.packs.iter().filter(|p| p.status.applies()).map(|p| p.pack.id.clone()).collect();
    Err(Error::PackNotApplies { pack: pack.to_string(), year: y, applying })
}

/// A shared document of the clauses filed: kept once, serving each of
/// `clauses` (ids, in filing order).
#[derive(Debug, Clone)]
pub struct SharedPaper {
    /// Its status and evidence (`number` is its place in the first
    /// clause's list: what a change through that clause names).
    pub material: Material,
    pub clauses: Vec<String>,
}

/// The materials of the clauses filed: each clause's list (shared
/// documents in it too, in the policy file's order) and the shared
/// documents once, in the order they first come up.
#[derive(Debug, Clone, Default)]
pub struct FiledPapers {
    pub clauses: Vec<(String, Vec<Material>)>,
    pub shared: Vec<SharedPaper>,
}

impl FiledPapers {
    /// The shared document a material is, and its place (from 0) among them.
    pub fn shared_of(&self, m: &Material) -> Option<(usize, &SharedPaper)> {
        let doc = m.shared.as_deref()?;
        self.shared.iter().enumerate().find(|(_, s)| s.material.shared.as_deref() == Some(doc))
    }
}

/// The materials of `filed` for a company and year; without a workspace
/// (a profile file), every item 未准备.
pub fn filed_papers(
    packs: &[Pack],
    filed: &[String],
    year: i32,
    ws: Option<(&Workspace, i64)>,
) -> Result<FiledPapers, butie_store::StoreError> {
    let mut out = FiledPapers::default();
    for id in filed {
        let list: Vec<Material> = match ws {
            Some((w, cid)) => w.materials(cid, year, id, packs)?,
            None => butie_core::engine::find_clause(packs, id)
                .map(|(p, c)| {
                    c.attachments
                        .iter()
                        .enumerate()
                        .map(|(i, a)| Material {
                            number: i + 1,
                            item: a.clone(),
                            status: MaterialStatus::NotReady,
                            evidence: Vec::new(),
                            shared: p.shared_material(a).map(str::to_string),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        for m in list.iter().filter(|m| m.shared.is_some()) {
            match out.shared_of(m).map(|(k, _)| k) {
                Some(k) => out.shared[k].clauses.push(id.clone()),
                None => out.shared.push(SharedPaper { material: m.clone(), clauses: vec![id.clone()] }),
            }
        }
        out.clauses.push((id.clone(), list));
    }
    Ok(out)
}

fn material_line(m: &Material) -> butie_pdf::MaterialLine {
    butie_pdf::MaterialLine {
        item: m.item.clone(),
        status: material_label(m.status, Lang::Zh).to_string(),
        files: m.evidence.iter().map(|e| (e.name.clone(), e.size, e.sha256.clone())).collect(),
        shared: None,
    }
}

/// The packet's bytes for an evaluation; materials from the workspace
/// when the company is one of it (a profile file has none: all 未准备).
pub fn packet_bytes(packs: &[Pack], profile: &Profile, ev: &Evaluation, ws: Option<(&Workspace, i64)>) -> Result<Vec<u8>, Error> {
    let filed = filed_clauses(ev, ws)?;
    if filed.is_empty() {
        return Err(Error::NothingToFile { year: ev.year });
    }
    let papers = filed_papers(packs, &filed, ev.year, ws)?;
    // The hashes printed are those of the bytes kept now: a file damaged
    // in the workspace stops the packet instead of being vouched for.
    if let Some((w, _)) = ws {
        let own = papers.clauses.iter().flat_map(|(_, l)| l.iter().filter(|m| m.shared.is_none()));
        for e in own.chain(papers.shared.iter().map(|s| &s.material)).flat_map(|m| &m.evidence) {
            w.evidence_bytes(e.id)?;
        }
    }
    let materials = papers
        .clauses
        .iter()
        .map(|(id, list)| {
            let lines = list.iter().map(|m| butie_pdf::MaterialLine { shared: papers.shared_of(m).map(|(k, _)| k), ..material_line(m) });
            (id.clone(), lines.collect())
        })
        .collect();
    let shared = papers.shared.iter().map(|s| (material_line(&s.material), s.clauses.clone())).collect();
    let created = creation_time();
    let d = butie_store::local_date(created);
    let date_text = match (d.get(0..4), d.get(5..7), d.get(8..10)) {
        (Some(y), Some(m), Some(dd)) => format!("{y} 年 {} 月 {} 日", m.trim_start_matches('0'), dd.trim_start_matches('0')),
        _ => d.clone(),
    };
    let input = butie_pdf::PacketInput {
        filed,
        materials,
        shared,
        created_unix: created,
        date_text,
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let fonts = butie_pdf::Fonts::load_default().map_err(Error::Pdf)?;
    let cx = butie_pdf::Evaluated { packs, profile, evaluation: ev };
    butie_pdf::packet(&fonts, &cx, &input).map_err(Error::Pdf)
}

/// `--out` must name a `.pdf` file.
pub fn check_pdf_name(out: &Path) -> Result<(), Error> {
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        return Ok(());
    }
    Err(Error::NotPdfName { path: out.to_path_buf() })
}

/// Write the packet to `out`: a new file, or one that is a PDF already.
pub fn write_packet(out: &Path, bytes: &[u8], workspace: &Path) -> Result<(), FileError> {
    check_target(out, Replace::Only(Content::Pdf), Some(workspace))?;
    write_atomic(out, bytes, Replace::Only(Content::Pdf), Some(workspace))
}

/// A file size as people read it: "4.9 KB", "10.0 MB".
pub fn size_text(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1_048_576.0)
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

/// "还剩 12 天" / "今天截止" / "已逾期 3 天".
pub fn days_text(days: i64, lang: Lang) -> String {
    match (days.cmp(&0), lang) {
        (std::cmp::Ordering::Greater, Lang::Zh) => format!("还剩 {days} 天"),
        (std::cmp::Ordering::Equal, Lang::Zh) => "今天截止".into(),
        (std::cmp::Ordering::Less, Lang::Zh) => format!("已逾期 {} 天", -days),
        (std::cmp::Ordering::Greater, Lang::En) => format!("{days} day{} left", if days == 1 { "" } else { "s" }),
        (std::cmp::Ordering::Equal, Lang::En) => "ends today".into(),
        (std::cmp::Ordering::Less, Lang::En) => format!("{} day{} overdue", -days, if days == -1 { "" } else { "s" }),
    }
}

/// The bytes of an evidence file chosen in the window, within the limit.
pub fn read_evidence_file(file: &Path) -> Result<(String, Vec<u8>), Error> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    // One byte over the limit is enough to refuse with the limit named.
    match read_limited(file, MAX_EVIDENCE + 1) {
        Ok(b) => Ok((name, b)),
        Err(FileError::TooLarge { .. }) => Err(Error::Store(butie_store::StoreError::EvidenceTooLarge {
            name,
            size: std::fs::metadata(file).map(|m| m.len()).unwrap_or(MAX_EVIDENCE + 1),
            limit: MAX_EVIDENCE,
        })),
        Err(e) => Err(Error::File { role: FileRole::Evidence, error: e }),
    }
}

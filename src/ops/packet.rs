//! The application packet, materials with their evidence, and filing
//! windows: the CLI's `butie packet`, `butie materials`, `butie evidence`,
//! `butie deadline(s)` and the functions the window's commands share.

use crate::cli::{CliError, Context};
use crate::files::{check_target, read_limited, shown, write_atomic, Content, FileError, Replace};
use crate::store_cli::OpenMode;
use butie_core::engine::{evaluate, Evaluation, Status};
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{ClaimStatus, Profile};
use butie_store::{Deadline, Material, MaterialStatus, Workspace, MAX_EVIDENCE};
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
pub fn require_filed(w: &Workspace, packs: &[Pack], id: i64, year: i64, clause: &str, lang: Lang) -> Result<(), String> {
    let y = butie_core::profile::check_year("year", year).map_err(|e| e.message(lang))?;
    let profile = w.profile(id, y, packs).map_err(|e| crate::store_messages::store_message(&e, lang))?;
    let ev = evaluate(packs, &profile, y);
    let filed = filed_clauses(&ev, Some((w, id))).map_err(|e| crate::store_messages::store_message(&e, lang))?;
    if filed.iter().any(|c| c == clause) {
        return Ok(());
    }
    Err(match lang {
        Lang::Zh => format!(
            "{clause}：{y} 年度不在本企业的申报之列（不符合条件、不适用、被就高排除，或已被驳回/撤回），无需为它准备材料；butie materials show 列出要准备的条款"
        ),
        Lang::En => format!(
            "{clause} is not among this company's filings for {y} (not eligible, not applicable, set aside as the lower award, or rejected/withdrawn); butie materials show lists the clauses to prepare"
        ),
    })
}

/// A filing window belongs to a pack that applies to the company that year.
pub fn require_pack_applies(w: &Workspace, packs: &[Pack], id: i64, year: i64, pack: &str, lang: Lang) -> Result<(), String> {
    if !packs.iter().any(|p| p.id == pack) {
        return Ok(()); // the store names the packs known
    }
    let y = butie_core::profile::check_year("year", year).map_err(|e| e.message(lang))?;
    let profile = w.profile(id, y, packs).map_err(|e| crate::store_messages::store_message(&e, lang))?;
    let ev = evaluate(packs, &profile, y);
    if ev.pack_result(pack).is_some_and(|p| p.status.applies()) {
        return Ok(());
    }
    let applying: Vec<&str> = ev.packs.iter().filter(|p| p.status.applies()).map(|p| p.pack.id.as_str()).collect();
    Err(match lang {
        Lang::Zh => format!(
            "{pack} 不适用于本企业的 {y} 年度（地区或有效期不符）；适用的政策包：{}",
            if applying.is_empty() { "无".to_string() } else { applying.join("、") }
        ),
        Lang::En => format!(
            "{pack} does not apply to this company in {y} (place or term); packs that apply: {}",
            if applying.is_empty() { "none".to_string() } else { applying.join(", ") }
        ),
    })
}

/// The packet's bytes for an evaluation; materials from the workspace
/// when the company is one of it (a profile file has none: all 未准备).
pub fn packet_bytes(packs: &[Pack], profile: &Profile, ev: &Evaluation, ws: Option<(&Workspace, i64)>) -> Result<Vec<u8>, PacketError> {
    let filed = filed_clauses(ev, ws).map_err(PacketError::Store)?;
    if filed.is_empty() {
        return Err(PacketError::NothingToFile { year: ev.year });
    }
    let mut materials = Vec::new();
    for id in &filed {
        let list: Vec<Material> = match ws {
            Some((w, cid)) => w.materials(cid, ev.year, id, packs).map_err(PacketError::Store)?,
            None => butie_core::engine::find_clause(packs, id)
                .map(|(_, c)| {
                    c.attachments
                        .iter()
                        .enumerate()
                        .map(|(i, a)| Material { number: i + 1, item: a.clone(), status: MaterialStatus::NotReady, evidence: Vec::new() })
                        .collect()
                })
                .unwrap_or_default(),
        };
        // The hashes printed are those of the bytes kept now: a file damaged
        // in the workspace stops the packet instead of being vouched for.
        if let Some((w, _)) = ws {
            for e in list.iter().flat_map(|m| &m.evidence) {
                w.evidence_bytes(e.id).map_err(PacketError::Store)?;
            }
        }
        let lines = list
            .into_iter()
            .map(|m| butie_pdf::MaterialLine {
                item: m.item,
                status: material_label(m.status, Lang::Zh).to_string(),
                files: m.evidence.into_iter().map(|e| (e.name, e.size, e.sha256)).collect(),
            })
            .collect();
        materials.push((id.clone(), lines));
    }
    let created = creation_time();
    let d = butie_store::local_date(created);
    let date_text = match (d.get(0..4), d.get(5..7), d.get(8..10)) {
        (Some(y), Some(m), Some(dd)) => format!("{y} 年 {} 月 {} 日", m.trim_start_matches('0'), dd.trim_start_matches('0')),
        _ => d.clone(),
    };
    let input =
        butie_pdf::PacketInput { filed, materials, created_unix: created, date_text, version: env!("CARGO_PKG_VERSION").to_string() };
    let fonts = butie_pdf::Fonts::load_default().map_err(PacketError::Pdf)?;
    let cx = butie_pdf::Evaluated { packs, profile, evaluation: ev };
    butie_pdf::packet(&fonts, &cx, &input).map_err(PacketError::Pdf)
}

#[derive(Debug)]
pub enum PacketError {
    Store(butie_store::StoreError),
    Pdf(butie_pdf::PdfError),
    /// No clause is eligible and still to be filed: nothing to put in it.
    NothingToFile {
        year: i32,
    },
}

impl PacketError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            PacketError::Store(e) => crate::store_messages::store_message(e, lang),
            PacketError::Pdf(e) => e.message(lang),
            PacketError::NothingToFile { year } => match lang {
                Lang::Zh => format!("{year} 年度没有可申报的条款：申报材料至少要有一项符合条件且未被驳回或撤回的条款"),
                Lang::En => {
                    format!("nothing to file for {year}: a packet needs at least one eligible clause that was not rejected or withdrawn")
                }
            },
        }
    }
}

/// `--out` must name a `.pdf` file.
pub fn check_pdf_name(out: &Path, lang: Lang) -> Result<(), String> {
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        return Ok(());
    }
    Err(match lang {
        Lang::Zh => format!("{}：申报材料应保存为 .pdf 文件", shown(out)),
        Lang::En => format!("{}: the packet is saved as a .pdf file", shown(out)),
    })
}

/// Write the packet to `out`: a new file, or one that is a PDF already.
pub fn write_packet(out: &Path, bytes: &[u8], workspace: &Path) -> Result<(), FileError> {
    check_target(out, Replace::Only(Content::Pdf), Some(workspace))?;
    write_atomic(out, bytes, Replace::Only(Content::Pdf), Some(workspace))
}

fn packet_report(cx: &Context, out: &Path, profile: &Profile, ev: &Evaluation, filed: usize) -> String {
    match cx.lang {
        Lang::Zh => format!("已生成申报材料 {}：{} {} 年度，{filed} 项申报\n", shown(out), profile.company.name, ev.year),
        Lang::En => format!("packet written to {}: {} {}, {filed} clauses filed\n", shown(out), profile.company.name, ev.year),
    }
}

/// `butie packet --company ID --year Y --out FILE.pdf`.
pub fn packet_company(cx: &Context, key: &str, year: i64, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    check_pdf_name(out, cx.lang).map_err(CliError::usage)?;
    let (w, id) = cx.company(key)?;
    let profile = w.profile(id, year, &packs).map_err(|e| cx.store_err(e))?;
    let ev = evaluate(&packs, &profile, year);
    let bytes = packet_bytes(&packs, &profile, &ev, Some((&w, id))).map_err(|e| CliError::usage(e.message(cx.lang)))?;
    write_packet(out, &bytes, &cx.workspace_path()).map_err(|e| CliError::file("", &e, cx.lang))?;
    let filed = filed_clauses(&ev, Some((&w, id))).map(|f| f.len()).unwrap_or(0);
    Ok(packet_report(cx, out, &profile, &ev, filed))
}

/// `butie packet --profile FILE --out FILE.pdf`.
pub fn packet_profile(cx: &Context, path: &Path, year: Option<i64>, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    check_pdf_name(out, cx.lang).map_err(CliError::usage)?;
    let (profile, year) = crate::cli::read_profile(cx, path, year, &packs)?;
    let ev = evaluate(&packs, &profile, year);
    let bytes = packet_bytes(&packs, &profile, &ev, None).map_err(|e| CliError::usage(e.message(cx.lang)))?;
    write_packet(out, &bytes, &cx.workspace_path()).map_err(|e| CliError::file("", &e, cx.lang))?;
    let filed = filed_clauses(&ev, None).map(|f| f.len()).unwrap_or(0);
    Ok(packet_report(cx, out, &profile, &ev, filed))
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

/// `butie materials --company ID --year Y [--json]`: every eligible
/// clause's materials with status and evidence.
pub fn materials_show(cx: &Context, key: &str, year: i64, json: bool) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let (w, id) = cx.company(key)?;
    let profile = w.profile(id, year, &packs).map_err(|e| cx.store_err(e))?;
    let ev = evaluate(&packs, &profile, year);
    let filed = filed_clauses(&ev, Some((&w, id))).map_err(|e| cx.store_err(e))?;
    let mut out = String::new();
    let mut list = Vec::new();
    for c in &filed {
        let ms = w.materials(id, year, c, &packs).map_err(|e| cx.store_err(e))?;
        let title = butie_core::engine::find_clause(&packs, c).map(|(_, k)| k.title.get(cx.lang).to_string()).unwrap_or_default();
        if json {
            list.push(serde_json::json!({
                "clause": c, "title": title,
                "materials": ms.iter().map(|m| serde_json::json!({
                    "number": m.number, "item": m.item, "status": m.status.as_str(),
                    "evidence": m.evidence.iter().map(|e| serde_json::json!({"id": e.id, "name": e.name, "size": e.size, "sha256": e.sha256, "added_at": e.added_at})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }));
            continue;
        }
        let ready = ms.iter().filter(|m| m.status == MaterialStatus::Ready).count();
        let needed = ms.iter().filter(|m| m.status != MaterialStatus::NotApplicable).count();
        out.push_str(&format!("{c} {title}（{ready}/{needed}）\n"));
        for m in &ms {
            out.push_str(&format!("  {}. [{}] {}\n", m.number, material_label(m.status, cx.lang), m.item));
            for e in &m.evidence {
                out.push_str(&format!("       #{} {} {} sha256:{}\n", e.id, e.name, size_text(e.size), e.sha256));
            }
        }
    }
    // Evidence kept where no list above shows it (a clause no longer filed,
    // a material the policy file no longer lists): shown so it can be removed.
    let mut shown_items: Vec<(String, String)> = Vec::new();
    for c in &filed {
        for m in w.materials(id, year, c, &packs).map_err(|e| cx.store_err(e))? {
            shown_items.push((c.clone(), m.item));
        }
    }
    let others: Vec<_> = w
        .evidence_of(id, year)
        .map_err(|e| cx.store_err(e))?
        .into_iter()
        .filter(|(c, i, _)| !shown_items.iter().any(|(sc, si)| sc == c && si == i))
        .collect();
    if json {
        let mut v = serde_json::Value::Array(list);
        if !others.is_empty() {
            v = serde_json::json!({"clauses": v, "other_evidence": others.iter().map(|(c, i, e)| serde_json::json!({"clause": c, "item": i, "id": e.id, "name": e.name, "size": e.size, "sha256": e.sha256})).collect::<Vec<_>>()});
        }
        return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
    }
    if !others.is_empty() {
        out.push_str(cx.say(
            "其他已保存的证明文件（其条款本年度不在申报之列，或材料已不在政策清单中；可用 butie evidence remove --id N 删除）：\n",
            "Other evidence kept (its clause is not filed this year, or the material is no longer listed; remove with butie evidence remove --id N):\n",
        ));
        for (c, i, e) in &others {
            out.push_str(&format!("  #{} {} {} · {c} · {i}\n", e.id, e.name, size_text(e.size)));
        }
    }
    if filed.is_empty() {
        out.push_str(cx.say("本年度没有符合条件的条款，无需准备材料\n", "no eligible clause this year: no materials to prepare\n"));
    }
    Ok(out)
}

pub fn materials_set(cx: &Context, key: &str, year: i64, clause: &str, item: &str, status: &str) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let s = parse_material_status(status).ok_or_else(|| {
        CliError::usage(
            cx.say(
                "--status: 应为 ready/not_ready/not_applicable（或 已准备/未准备/不适用）",
                "--status: ready, not_ready or not_applicable (or 已准备/未准备/不适用)",
            )
            .into(),
        )
    })?;
    let (mut w, id) = cx.company(key)?;
    require_filed(&w, &packs, id, year, clause, cx.lang).map_err(CliError::usage)?;
    w.set_material(id, year, clause, item, s, &packs).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已记录：{clause} 材料 {item}：{}\n", material_label(s, cx.lang)),
        Lang::En => format!("recorded: {clause} material {item}: {}\n", material_label(s, cx.lang)),
    })
}

/// `butie evidence add`: the file's bytes copied into the workspace.
pub fn evidence_add(cx: &Context, key: &str, year: i64, clause: &str, item: &str, file: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    // One byte over the limit is enough to refuse with the limit named.
    let bytes = read_limited(file, MAX_EVIDENCE + 1).map_err(|e| match e {
        FileError::TooLarge { .. } => cx.store_err(butie_store::StoreError::EvidenceTooLarge {
            name: file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            size: std::fs::metadata(file).map(|m| m.len()).unwrap_or(MAX_EVIDENCE + 1),
            limit: MAX_EVIDENCE,
        }),
        e => CliError::file(cx.say("证明文件", "evidence file"), &e, cx.lang),
    })?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    let (mut w, id) = cx.company(key)?;
    require_filed(&w, &packs, id, year, clause, cx.lang).map_err(CliError::usage)?;
    let m = w.add_evidence(id, year, clause, item, &name, &bytes, &packs).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已保存证明文件 #{} {}（{}，sha256:{}）\n", m.id, m.name, size_text(m.size), m.sha256),
        Lang::En => format!("kept evidence file #{} {} ({}, sha256:{})\n", m.id, m.name, size_text(m.size), m.sha256),
    })
}

pub fn evidence_remove(cx: &Context, id: i64) -> Result<String, CliError> {
    let mut w = cx.open(OpenMode::Existing)?;
    let m = w.remove_evidence(id).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已删除证明文件 #{} {}\n", m.id, m.name),
        Lang::En => format!("removed evidence file #{} {}\n", m.id, m.name),
    })
}

/// `butie evidence save --id N --out FILE`: the bytes as kept, checked
/// against their SHA-256; never over an existing file.
pub fn evidence_save(cx: &Context, id: i64, out: &Path) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    let (m, bytes) = w.evidence_bytes(id).map_err(|e| cx.store_err(e))?;
    cx.write(out, &bytes, Replace::Never)?;
    Ok(match cx.lang {
        Lang::Zh => format!("已取出证明文件 #{} {} 到 {}（sha256:{}）\n", m.id, m.name, shown(out), m.sha256),
        Lang::En => format!("evidence file #{} {} written to {} (sha256:{})\n", m.id, m.name, shown(out), m.sha256),
    })
}

#[allow(clippy::too_many_arguments)]
pub fn deadline_set(
    cx: &Context,
    key: &str,
    year: i64,
    pack: &str,
    start: Option<&str>,
    end: &str,
    notice: &str,
) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let (mut w, id) = cx.company(key)?;
    require_pack_applies(&w, &packs, id, year, pack, cx.lang).map_err(CliError::usage)?;
    w.set_deadline(id, year, pack, start, end, notice, &packs).map_err(|e| cx.store_err(e))?;
    let left = days_left(&today(), end.trim()).map(|d| days_text(d, cx.lang)).unwrap_or_default();
    Ok(match cx.lang {
        Lang::Zh => format!("已记录申报期限：{pack} {year} 年度，截止 {}（{left}）\n", end.trim()),
        Lang::En => format!("filing window recorded: {pack} {year}, ends {} ({left})\n", end.trim()),
    })
}

pub fn deadline_clear(cx: &Context, key: &str, year: i64, pack: &str) -> Result<String, CliError> {
    let (mut w, id) = cx.company(key)?;
    let had = w.clear_deadline(id, year, pack).map_err(|e| cx.store_err(e))?;
    Ok(match (had, cx.lang) {
        (true, Lang::Zh) => "已删除申报期限\n".into(),
        (true, Lang::En) => "filing window removed\n".into(),
        (false, Lang::Zh) => "没有记录该申报期限，未改动\n".into(),
        (false, Lang::En) => "no such filing window; nothing changed\n".into(),
    })
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

/// `butie deadlines [--within N]`: every filing window across companies,
/// soonest first; with `--within`, those ending within N days (and the
/// overdue ones, which are still worth seeing).
pub fn deadlines_list(cx: &Context, within: Option<i64>, json: bool) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    let today = today();
    let list: Vec<(Deadline, Option<i64>)> = w
        .deadlines(None)
        .map_err(|e| cx.store_err(e))?
        .into_iter()
        .map(|d| {
            let left = days_left(&today, &d.end);
            (d, left)
        })
        .filter(|(_, left)| within.is_none_or(|n| left.is_some_and(|l| l <= n)))
        .collect();
    if json {
        let v: Vec<serde_json::Value> = list
            .iter()
            .map(|(d, left)| {
                serde_json::json!({"company_id": d.company_id, "company": d.company, "year": d.year, "pack": d.pack,
                    "start": d.start, "end": d.end, "notice": d.notice, "days_left": left})
            })
            .collect();
        return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
    }
    let mut out = String::new();
    for (d, left) in &list {
        let left = left.map(|l| days_text(l, cx.lang)).unwrap_or_default();
        let start = d.start.as_deref().map(|s| format!("{s} – ")).unwrap_or_default();
        out.push_str(&format!("#{} {} · {} · {} · {start}{} · {left} · {}\n", d.company_id, d.company, d.year, d.pack, d.end, d.notice));
    }
    if list.is_empty() {
        out.push_str(cx.say("没有记录的申报期限\n", "no filing windows recorded\n"));
    }
    Ok(out)
}

/// The bytes of an evidence file chosen in the window, within the limit.
pub fn read_evidence_file(file: &Path, lang: Lang) -> Result<(String, Vec<u8>), String> {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
    match read_limited(file, MAX_EVIDENCE + 1) {
        Ok(b) => Ok((name, b)),
        Err(FileError::TooLarge { .. }) => Err(crate::store_messages::store_detail(
            &butie_store::StoreError::EvidenceTooLarge {
                name,
                size: std::fs::metadata(file).map(|m| m.len()).unwrap_or(MAX_EVIDENCE + 1),
                limit: MAX_EVIDENCE,
            },
            lang,
        )),
        Err(e) => Err(e.message(lang)),
    }
}

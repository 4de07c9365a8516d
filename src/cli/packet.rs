//! The command line on the packet, materials and filing windows: `butie packet`,
//! `butie materials`, `butie evidence`, `butie deadline(s)`.

use crate::cli::store::OpenMode;
use crate::cli::{CliError, Context};
use crate::ops::files::{shown, Replace};
use crate::ops::packet::*;
use crate::ops::FileRole;
use butie_core::engine::{evaluate, Evaluation};
use butie_core::policy::Lang;
use butie_core::profile::Profile;
use butie_store::{Deadline, MaterialStatus};
use std::path::Path;

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
    check_pdf_name(out).map_err(|e| cx.err(e))?;
    let (w, id) = cx.company(key)?;
    let profile = w.profile(id, year, &packs).map_err(|e| cx.store_err(e))?;
    let ev = evaluate(&packs, &profile, year);
    let bytes = packet_bytes(&packs, &profile, &ev, Some((&w, id))).map_err(|e| cx.err(e))?;
    write_packet(out, &bytes, &cx.workspace_path()).map_err(|e| CliError::file(FileRole::Plain, e, cx.lang))?;
    let filed = filed_clauses(&ev, Some((&w, id))).map(|f| f.len()).unwrap_or(0);
    Ok(packet_report(cx, out, &profile, &ev, filed))
}

/// `butie packet --profile FILE --out FILE.pdf`.
pub fn packet_profile(cx: &Context, path: &Path, year: Option<i64>, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    check_pdf_name(out).map_err(|e| cx.err(e))?;
    let (profile, year) = crate::cli::read_profile(cx, path, year, &packs)?;
    let ev = evaluate(&packs, &profile, year);
    let bytes = packet_bytes(&packs, &profile, &ev, None).map_err(|e| cx.err(e))?;
    write_packet(out, &bytes, &cx.workspace_path()).map_err(|e| CliError::file(FileRole::Plain, e, cx.lang))?;
    let filed = filed_clauses(&ev, None).map(|f| f.len()).unwrap_or(0);
    Ok(packet_report(cx, out, &profile, &ev, filed))
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
                    "number": m.number, "item": m.item, "status": m.status.as_str(), "shared": m.shared,
                    "evidence": m.evidence.iter().map(|e| serde_json::json!({"id": e.id, "name": e.name, "size": e.size, "sha256": e.sha256, "added_at": e.added_at})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }));
            continue;
        }
        let ready = ms.iter().filter(|m| m.status == MaterialStatus::Ready).count();
        let needed = ms.iter().filter(|m| m.status != MaterialStatus::NotApplicable).count();
        out.push_str(&format!("{c} {title}（{ready}/{needed}）\n"));
        for m in &ms {
            let shared = if m.shared.is_some() {
                cx.say("（通用材料，各条款共用一份）", " (shared: one copy for every clause)")
            } else {
                ""
            };
            out.push_str(&format!("  {}. [{}] {}{shared}\n", m.number, material_label(m.status, cx.lang), m.item));
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
            match m.shared {
                Some(doc) => shown_items.push((butie_store::SHARED.to_string(), doc)),
                None => shown_items.push((c.clone(), m.item)),
            }
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
    require_filed(&w, &packs, id, year, clause).map_err(|e| cx.err(e))?;
    w.set_material(id, year, clause, item, s, &packs).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已记录：{clause} 材料 {item}：{}\n", material_label(s, cx.lang)),
        Lang::En => format!("recorded: {clause} material {item}: {}\n", material_label(s, cx.lang)),
    })
}

/// `butie evidence add`: the file's bytes copied into the workspace.
pub fn evidence_add(cx: &Context, key: &str, year: i64, clause: &str, item: &str, file: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let (name, bytes) = read_evidence_file(file).map_err(|e| cx.err(e))?;
    let (mut w, id) = cx.company(key)?;
    require_filed(&w, &packs, id, year, clause).map_err(|e| cx.err(e))?;
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
    require_pack_applies(&w, &packs, id, year, pack).map_err(|e| cx.err(e))?;
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

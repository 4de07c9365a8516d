//! CLI operations on the workspace: companies, facts, saved evaluations,
//! export/import, backup/restore. Each returns the text to print or a
//! `CliError` worded for the user; the desktop shell calls the same
//! `butie_store` functions.

use crate::cli::{load_policies, read_text, CliError};
use butie_core::engine::{evaluate, to_json};
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{fact_index, parse_fact_value, Company, Facts, InputError, Problem};
use butie_store::{StoreError, Workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn store_err(e: StoreError, lang: Lang) -> CliError {
    CliError::usage(e.message(lang))
}

pub fn open(workspace: Option<&Path>, lang: Lang) -> Result<Workspace, CliError> {
    let path = workspace.map(Path::to_path_buf).unwrap_or_else(butie_store::default_path);
    Workspace::open(&path).map_err(|e| store_err(e, lang))
}

/// Company fields given on the command line; `None` leaves a field as is.
#[derive(Default, Debug, Clone)]
pub struct CompanyFields {
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub legal_rep: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub bank: Option<String>,
    pub bank_account: Option<String>,
    pub dishonest: Option<bool>,
    pub from_json: Option<PathBuf>,
}

fn apply(mut c: Company, f: &CompanyFields, packs: &[Pack], lang: Lang) -> Result<Company, CliError> {
    if let Some(p) = &f.from_json {
        let text = read_text(p, "company JSON", lang)?;
        let v: Value = serde_json::from_str(&text).map_err(|e| CliError::input(&butie_core::profile::json_error("company", &e), lang))?;
        let v = v.get("company").cloned().unwrap_or(v);
        c = butie_core::profile::parse_company(&v, packs).map_err(|e| CliError::input(&e, lang))?;
    }
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if let Some(s) = v {
            *slot = if s.trim().is_empty() { None } else { Some(s.clone()) };
        }
    };
    if let Some(n) = &f.name {
        c.name = n.clone();
    }
    set(&mut c.uscc, &f.uscc);
    if let Some(x) = &f.city {
        c.city = x.clone();
    }
    if let Some(x) = &f.district {
        c.district = x.clone();
    }
    set(&mut c.legal_rep, &f.legal_rep);
    set(&mut c.contact, &f.contact);
    set(&mut c.phone, &f.phone);
    set(&mut c.bank, &f.bank);
    set(&mut c.bank_account, &f.bank_account);
    if f.dishonest.is_some() {
        c.serious_dishonesty_listed = f.dishonest;
    }
    Ok(c)
}

pub fn company_add(ws: Option<&Path>, f: &CompanyFields, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let c = apply(Company::default(), f, &packs, lang)?;
    let mut w = open(ws, lang)?;
    let id = w.add_company(&c, &packs).map_err(|e| store_err(e, lang))?;
    Ok(format!("{id}\n"))
}

pub fn company_edit(ws: Option<&Path>, key: &str, f: &CompanyFields, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let mut w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let current = w.get_company(id).map_err(|e| store_err(e, lang))?.company;
    let c = apply(current, f, &packs, lang)?;
    w.update_company(id, &c, &packs).map_err(|e| store_err(e, lang))?;
    Ok(format!("{id}\n"))
}

pub fn company_list(ws: Option<&Path>, search: Option<&str>, json: bool, lang: Lang) -> Result<String, CliError> {
    let w = open(ws, lang)?;
    let list = w.list_companies(search).map_err(|e| store_err(e, lang))?;
    if json {
        let v: Vec<Value> = list
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "name": c.name, "uscc": c.uscc, "city": c.city, "district": c.district, "years": c.years, "evaluations": c.evaluations}))
            .collect();
        return Ok(serde_json::to_string_pretty(&v).expect("JSON") + "\n");
    }
    let mut o = String::new();
    for c in &list {
        let years: Vec<String> = c.years.iter().map(|y| y.to_string()).collect();
        o.push_str(&format!(
            "{:>5}  {}  {}  {}{}  {}{}  {}\n",
            c.id,
            crate::table::pad_to(&c.name, 36),
            c.uscc.as_deref().unwrap_or("—                 "),
            c.city,
            c.district,
            if lang == Lang::Zh { "年度: " } else { "years: " },
            if years.is_empty() { "—".into() } else { years.join(",") },
            if lang == Lang::Zh { format!("测算记录 {}", c.evaluations) } else { format!("{} saved", c.evaluations) }
        ));
    }
    if list.is_empty() {
        o.push_str(if lang == Lang::Zh { "（没有企业）\n" } else { "(no companies)\n" });
    }
    Ok(o)
}

pub fn company_show(ws: Option<&Path>, key: &str, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let mut v = w.export_company(id, &packs).map_err(|e| store_err(e, lang))?;
    v["id"] = Value::from(id);
    Ok(serde_json::to_string_pretty(&v).expect("JSON") + "\n")
}

pub fn company_delete(ws: Option<&Path>, key: &str, archive: bool, lang: Lang) -> Result<String, CliError> {
    let mut w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let archived = w.delete_company(id, archive).map_err(|e| store_err(e, lang))?;
    Ok(match (archived, lang) {
        (true, Lang::Zh) => format!("已归档企业 #{id}（测算记录保留）\n"),
        (true, Lang::En) => format!("archived company #{id} (saved evaluations kept)\n"),
        (false, Lang::Zh) => format!("已删除企业 #{id}\n"),
        (false, Lang::En) => format!("deleted company #{id}\n"),
    })
}

/// `KEY=VALUE`: VALUE is read as JSON when it is JSON (numbers, true/false,
/// lists), otherwise as text (e.g. an option name).
pub fn parse_assignments(pairs: &[String], packs: &[Pack]) -> Result<Facts, InputError> {
    let index = fact_index(packs);
    let mut facts = Facts::new();
    for pair in pairs {
        let (k, v) =
            pair.split_once('=').ok_or_else(|| InputError::new(pair.clone(), Problem::UnknownField { known: vec!["KEY=VALUE"] }))?;
        let k = k.trim();
        let field = format!("facts.{k}");
        let def = index.get(k).ok_or_else(|| {
            let mut m = serde_json::Map::new();
            m.insert(k.to_string(), Value::Null);
            butie_core::profile::parse_facts(&m, packs)
                .err()
                .unwrap_or_else(|| InputError::new(&field, Problem::UnknownFact { suggestion: None }))
        })?;
        let value: Value = serde_json::from_str(v.trim()).unwrap_or_else(|_| Value::String(v.trim().to_string()));
        facts.insert(k.to_string(), parse_fact_value(&field, def, &value)?);
    }
    Ok(facts)
}

pub fn facts_set(
    ws: Option<&Path>,
    key: &str,
    year: i64,
    pairs: &[String],
    from_json: Option<&Path>,
    policies: Option<&Path>,
    lang: Lang,
) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let year = butie_core::profile::check_year("--year", year).map_err(|e| CliError::input(&e, lang))?;
    let mut facts = parse_assignments(pairs, &packs).map_err(|e| CliError::input(&e, lang))?;
    if let Some(p) = from_json {
        let text = read_text(p, "facts JSON", lang)?;
        let v: Value = serde_json::from_str(&text).map_err(|e| CliError::input(&butie_core::profile::json_error("facts", &e), lang))?;
        let obj = v
            .get("facts")
            .unwrap_or(&v)
            .as_object()
            .ok_or_else(|| CliError::input(&InputError::new("facts", Problem::NotAnObject), lang))?;
        facts.extend(butie_core::profile::parse_facts(obj, &packs).map_err(|e| CliError::input(&e, lang))?);
    }
    let mut w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    w.set_facts(id, year, &facts).map_err(|e| store_err(e, lang))?;
    Ok(match lang {
        Lang::Zh => format!("已保存 {} 项（企业 #{id}，{year} 年度）\n", facts.len()),
        Lang::En => format!("saved {} facts (company #{id}, {year})\n", facts.len()),
    })
}

pub fn facts_unset(ws: Option<&Path>, key: &str, year: i64, keys: &[String], lang: Lang) -> Result<String, CliError> {
    let year = butie_core::profile::check_year("--year", year).map_err(|e| CliError::input(&e, lang))?;
    let mut w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let n = w.unset_facts(id, year, keys).map_err(|e| store_err(e, lang))?;
    Ok(format!("{n}\n"))
}

pub fn facts_show(ws: Option<&Path>, key: &str, year: i64, json: bool, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let year = butie_core::profile::check_year("--year", year).map_err(|e| CliError::input(&e, lang))?;
    let w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let (facts, unknown) = w.facts(id, year, &packs).map_err(|e| store_err(e, lang))?;
    if json {
        return Ok(serde_json::to_string_pretty(&butie_core::profile::facts_to_value(&facts)).expect("JSON") + "\n");
    }
    let index = fact_index(&packs);
    let mut o = String::new();
    for (k, v) in &facts {
        let label = index.get(k.as_str()).map(|d| d.label.get(lang).to_string()).unwrap_or_default();
        o.push_str(&format!("{:<40} {:<24} {}\n", k, butie_core::profile::fact_value_to_json(v), label));
    }
    for k in unknown {
        o.push_str(&format!(
            "{k:<40} ({})\n",
            if lang == Lang::Zh { "当前政策包未定义，已忽略" } else { "not defined by the loaded packs; ignored" }
        ));
    }
    Ok(o)
}

// One parameter per flag of `butie evaluate --company`; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_company(
    ws: Option<&Path>,
    key: &str,
    year: i64,
    save: bool,
    json: bool,
    explain: bool,
    policies: Option<&Path>,
    lang: Lang,
) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let year = butie_core::profile::check_year("--year", year).map_err(|e| CliError::input(&e, lang))?;
    let mut w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let profile = w.profile(id, year, &packs).map_err(|e| store_err(e, lang))?;
    let ev = evaluate(&packs, &profile, year, lang);
    let mut out = if json {
        serde_json::to_string_pretty(&to_json(&ev)).expect("JSON") + "\n"
    } else {
        crate::table::render(&ev, &packs, &profile, lang, explain)
    };
    if save {
        let eid = w.save_evaluation(id, &profile, &ev, &packs, lang).map_err(|e| store_err(e, lang))?;
        let line = match lang {
            Lang::Zh => format!("已保存测算记录 #{eid}\n"),
            Lang::En => format!("saved evaluation #{eid}\n"),
        };
        if json {
            eprint!("{line}");
        } else {
            out.push_str(&line);
        }
    }
    Ok(out)
}

pub fn history(ws: Option<&Path>, key: &str, json: bool, lang: Lang) -> Result<String, CliError> {
    let w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let h = w.history(id).map_err(|e| store_err(e, lang))?;
    if json {
        let v: Vec<Value> = h
            .iter()
            .map(|r| serde_json::json!({"id": r.id, "created_at": r.created_at, "year": r.year, "packs": r.packs, "total": r.total, "total_max": r.total_max, "tool_version": r.tool_version}))
            .collect();
        return Ok(serde_json::to_string_pretty(&v).expect("JSON") + "\n");
    }
    let mut o = String::new();
    for r in &h {
        let packs: Vec<String> = r
            .packs
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        format!(
                            "{}@{} sha256:{}",
                            p["id"].as_str().unwrap_or(""),
                            p["version"].as_str().unwrap_or(""),
                            &p["content_hash"].as_str().unwrap_or("")[..12.min(p["content_hash"].as_str().unwrap_or("").len())]
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        o.push_str(&format!(
            "#{:<5} {}  {}  {} {}  {}\n",
            r.id,
            r.created_at,
            r.year,
            if lang == Lang::Zh { "合计" } else { "total" },
            r.total,
            packs.join(", ")
        ));
    }
    if h.is_empty() {
        o.push_str(if lang == Lang::Zh { "（没有保存的测算记录）\n" } else { "(no saved evaluations)\n" });
    }
    Ok(o)
}

pub fn history_show(ws: Option<&Path>, eval_id: i64, lang: Lang) -> Result<String, CliError> {
    let w = open(ws, lang)?;
    let r = w.evaluation(eval_id).map_err(|e| store_err(e, lang))?;
    let v = serde_json::json!({"id": r.id, "company_id": r.company_id, "created_at": r.created_at, "year": r.year, "lang": r.lang,
        "tool_version": r.tool_version, "packs": r.packs, "inputs": r.inputs, "result": r.result});
    Ok(serde_json::to_string_pretty(&v).expect("JSON") + "\n")
}

fn write_new(path: &Path, text: &str, lang: Lang) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| {
        CliError::usage(match lang {
            Lang::Zh => format!("无法写入 {}: {e}", path.display()),
            Lang::En => format!("cannot write {}: {e}", path.display()),
        })
    })
}

pub fn export(
    ws: Option<&Path>,
    key: Option<&str>,
    year: Option<i64>,
    out: &Path,
    policies: Option<&Path>,
    lang: Lang,
) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let w = open(ws, lang)?;
    let v = match key {
        None => w.export_all(&packs),
        Some(k) => {
            let id = w.find_company(k).map_err(|e| store_err(e, lang))?;
            match year {
                Some(y) => {
                    let y = butie_core::profile::check_year("--year", y).map_err(|e| CliError::input(&e, lang))?;
                    w.export_profile(id, y, &packs)
                }
                None => w.export_company(id, &packs),
            }
        }
    }
    .map_err(|e| store_err(e, lang))?;
    write_new(out, &(serde_json::to_string_pretty(&v).expect("JSON") + "\n"), lang)?;
    Ok(format!("{}\n", out.display()))
}

pub fn import(ws: Option<&Path>, file: &Path, replace: bool, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let text = read_text(file, if lang == Lang::Zh { "导入文件" } else { "import file" }, lang)?;
    let v: Value = serde_json::from_str(&text).map_err(|e| CliError::input(&butie_core::profile::json_error("import", &e), lang))?;
    let mut w = open(ws, lang)?;
    let ids = w.import(&v, &packs, replace).map_err(|e| store_err(e, lang))?;
    Ok(match lang {
        Lang::Zh => format!("已导入 {} 家企业: {}\n", ids.len(), ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")),
        Lang::En => format!("imported {} companies: {}\n", ids.len(), ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")),
    })
}

pub fn backup(ws: Option<&Path>, out: &Path, lang: Lang) -> Result<String, CliError> {
    let w = open(ws, lang)?;
    w.backup(out).map_err(|e| store_err(e, lang))?;
    Ok(format!("{}\n", out.display()))
}

pub fn restore(ws: Option<&Path>, file: &Path, lang: Lang) -> Result<String, CliError> {
    let target = ws.map(Path::to_path_buf).unwrap_or_else(butie_store::default_path);
    Workspace::restore(&target, file).map_err(|e| store_err(e, lang))?;
    Ok(match lang {
        Lang::Zh => format!("已从 {} 恢复到 {}（原文件保留为 .bak）\n", file.display(), target.display()),
        Lang::En => format!("restored {} into {} (previous file kept as .bak)\n", file.display(), target.display()),
    })
}

pub fn pdf_company(ws: Option<&Path>, key: &str, year: i64, out: &Path, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let year = butie_core::profile::check_year("--year", year).map_err(|e| CliError::input(&e, lang))?;
    let w = open(ws, lang)?;
    let id = w.find_company(key).map_err(|e| store_err(e, lang))?;
    let profile = w.profile(id, year, &packs).map_err(|e| store_err(e, lang))?;
    let ev = evaluate(&packs, &profile, year, Lang::Zh);
    crate::cli::write_pdfs(&packs, &profile, &ev, out)
}

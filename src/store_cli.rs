//! CLI operations on the workspace: companies, facts, saved evaluations,
//! export/import, backup/restore. Each returns the text to print or a
//! `CliError` worded for the user; the desktop shell calls the same
//! `butie_store` functions.

use crate::cli::{CliError, Context};
use crate::store_messages::store_message;
use butie_core::engine::evaluate;
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{fact_index, parse_fact_value, Company, Facts, InputError, Problem};
use butie_store::{StoreError, Workspace};
use serde_json::Value;
use std::path::{Path, PathBuf};

impl Context {
    pub fn store_err(&self, e: StoreError) -> CliError {
        CliError::usage(store_message(&e, self.lang))
    }
    /// The workspace file: `--workspace`, or the default one.
    pub fn workspace_path(&self) -> PathBuf {
        self.workspace.clone().unwrap_or_else(butie_store::default_path)
    }
    pub fn open(&self) -> Result<Workspace, CliError> {
        Workspace::open(&self.workspace_path()).map_err(|e| self.store_err(e))
    }
    /// Open the workspace and find a company by number or USCC.
    fn company(&self, key: &str) -> Result<(Workspace, i64), CliError> {
        let w = self.open()?;
        let id = w.find_company(key).map_err(|e| self.store_err(e))?;
        Ok((w, id))
    }
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

fn apply(cx: &Context, mut c: Company, f: &CompanyFields, packs: &[Pack]) -> Result<Company, CliError> {
    if let Some(p) = &f.from_json {
        let text = cx.read(p, "企业资料文件", "company JSON")?;
        let v: Value = serde_json::from_str(&text).map_err(|e| cx.input(&butie_core::profile::json_error("company", &e)))?;
        let v = v.get("company").cloned().unwrap_or(v);
        c = butie_core::profile::parse_company(&v, packs).map_err(|e| cx.input(&e))?;
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

pub fn company_add(cx: &Context, f: &CompanyFields) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let c = apply(cx, Company::default(), f, &packs)?;
    let mut w = cx.open()?;
    let id = w.add_company(&c, &packs).map_err(|e| cx.store_err(e))?;
    Ok(format!("{id}\n"))
}

pub fn company_edit(cx: &Context, key: &str, f: &CompanyFields) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let (mut w, id) = cx.company(key)?;
    let current = w.get_company(id).map_err(|e| cx.store_err(e))?.company;
    let c = apply(cx, current, f, &packs)?;
    w.update_company(id, &c, &packs).map_err(|e| cx.store_err(e))?;
    Ok(format!("{id}\n"))
}

pub fn company_list(cx: &Context, search: Option<&str>, json: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let w = cx.open()?;
    let list = w.list_companies(search).map_err(|e| cx.store_err(e))?;
    if json {
        let v: Vec<Value> = list
            .iter()
            .map(|c| serde_json::json!({"id": c.id, "name": c.name, "uscc": c.uscc, "city": c.city, "district": c.district, "years": c.years, "evaluations": c.evaluations}))
            .collect();
        return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
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

pub fn company_show(cx: &Context, key: &str) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let (w, id) = cx.company(key)?;
    let mut v = w.export_company(id, &packs).map_err(|e| cx.store_err(e))?;
    v["id"] = Value::from(id);
    Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
}

pub fn company_delete(cx: &Context, key: &str, archive: bool) -> Result<String, CliError> {
    let (mut w, id) = cx.company(key)?;
    let archived = w.delete_company(id, archive).map_err(|e| cx.store_err(e))?;
    Ok(match (archived, cx.lang) {
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

pub fn facts_set(cx: &Context, key: &str, year: i64, pairs: &[String], from_json: Option<&Path>) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let mut facts = parse_assignments(pairs, &packs).map_err(|e| cx.input(&e))?;
    if let Some(p) = from_json {
        let text = cx.read(p, "事实文件", "facts JSON")?;
        let v: Value = serde_json::from_str(&text).map_err(|e| cx.input(&butie_core::profile::json_error("facts", &e)))?;
        let obj = v.get("facts").unwrap_or(&v).as_object().ok_or_else(|| cx.input(&InputError::new("facts", Problem::NotAnObject)))?;
        facts.extend(butie_core::profile::parse_facts(obj, &packs).map_err(|e| cx.input(&e))?);
    }
    let (mut w, id) = cx.company(key)?;
    w.set_facts(id, year, &facts).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已保存 {} 项（企业 #{id}，{year} 年度）\n", facts.len()),
        Lang::En => format!("saved {} facts (company #{id}, {year})\n", facts.len()),
    })
}

pub fn facts_unset(cx: &Context, key: &str, year: i64, keys: &[String]) -> Result<String, CliError> {
    let year = cx.year("--year", year)?;
    let (mut w, id) = cx.company(key)?;
    let n = w.unset_facts(id, year, keys).map_err(|e| cx.store_err(e))?;
    Ok(format!("{n}\n"))
}

pub fn facts_show(cx: &Context, key: &str, year: i64, json: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let (w, id) = cx.company(key)?;
    let (facts, unknown) = w.facts(id, year, &packs).map_err(|e| cx.store_err(e))?;
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

/// How `butie evaluate --company` shows its result.
#[derive(Debug, Clone, Copy, Default)]
pub struct Show {
    pub json: bool,
    pub explain: bool,
}

pub fn evaluate_company(cx: &Context, key: &str, year: i64, save: bool, show: Show) -> Result<String, CliError> {
    let (lang, json) = (cx.lang, show.json);
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let (mut w, id) = cx.company(key)?;
    let profile = w.profile(id, year, &packs).map_err(|e| cx.store_err(e))?;
    let ev = evaluate(&packs, &profile, year);
    let mut out =
        if json { crate::cli::catalogue_text(&ev, lang) } else { crate::table::render(&ev, &packs, &profile, lang, show.explain) };
    if save {
        let eid = w.save_evaluation(id, &profile, &ev, &packs).map_err(|e| cx.store_err(e))?;
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

pub fn history(cx: &Context, key: &str, json: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let (w, id) = cx.company(key)?;
    let h = w.history(id).map_err(|e| cx.store_err(e))?;
    if json {
        let v: Vec<Value> = h
            .iter()
            .map(|r| serde_json::json!({"id": r.id, "created_at": r.created_at, "year": r.year, "packs": r.packs, "total": r.total, "total_max": r.total_max, "tool_version": r.tool_version}))
            .collect();
        return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
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

pub fn history_show(cx: &Context, eval_id: i64) -> Result<String, CliError> {
    let w = cx.open()?;
    let r = w.evaluation(eval_id).map_err(|e| cx.store_err(e))?;
    let v = serde_json::json!({"id": r.id, "company_id": r.company_id, "created_at": r.created_at, "year": r.year, "lang": r.lang,
        "tool_version": r.tool_version, "packs": r.packs, "inputs": r.inputs, "result": r.result});
    Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
}

fn write_new(path: &Path, text: &str, lang: Lang) -> Result<(), CliError> {
    std::fs::write(path, text).map_err(|e| {
        CliError::usage(match lang {
            Lang::Zh => format!("无法写入 {}: {e}", path.display()),
            Lang::En => format!("cannot write {}: {e}", path.display()),
        })
    })
}

pub fn export(cx: &Context, key: Option<&str>, year: Option<i64>, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let w = cx.open()?;
    let v = match key {
        None => w.export_all(&packs),
        Some(k) => {
            let id = w.find_company(k).map_err(|e| cx.store_err(e))?;
            match year {
                Some(y) => w.export_profile(id, cx.year("--year", y)?, &packs),
                None => w.export_company(id, &packs),
            }
        }
    }
    .map_err(|e| cx.store_err(e))?;
    write_new(out, &(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"), cx.lang)?;
    Ok(format!("{}\n", out.display()))
}

pub fn import(cx: &Context, file: &Path, replace: bool) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let text = cx.read(file, "导入文件", "import file")?;
    let v: Value = serde_json::from_str(&text).map_err(|e| cx.input(&butie_core::profile::json_error("import", &e)))?;
    let mut w = cx.open()?;
    let ids = w.import(&v, &packs, replace).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已导入 {} 家企业: {}\n", ids.len(), ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")),
        Lang::En => format!("imported {} companies: {}\n", ids.len(), ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")),
    })
}

pub fn backup(cx: &Context, out: &Path) -> Result<String, CliError> {
    let w = cx.open()?;
    w.backup(out).map_err(|e| cx.store_err(e))?;
    Ok(format!("{}\n", out.display()))
}

pub fn restore(cx: &Context, file: &Path) -> Result<String, CliError> {
    let target = cx.workspace_path();
    Workspace::restore(&target, file).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已从 {} 恢复到 {}（原文件保留为 .bak）\n", file.display(), target.display()),
        Lang::En => format!("restored {} into {} (previous file kept as .bak)\n", file.display(), target.display()),
    })
}

pub fn pdf_company(cx: &Context, key: &str, year: i64, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let (w, id) = cx.company(key)?;
    let profile = w.profile(id, year, &packs).map_err(|e| cx.store_err(e))?;
    let ev = evaluate(&packs, &profile, year);
    crate::cli::pdfs(cx, &packs, &profile, &ev, out)
}

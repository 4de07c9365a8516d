//! CLI operations on the workspace: companies, facts, saved evaluations,
//! the claims ledger, export/import, backup/restore. Each returns the text to print or a
//! `CliError` worded for the user; the desktop shell calls the same
//! `butie_store` functions.

use crate::cli::{CliError, Context};
use crate::files::{Content, Replace};
use crate::ops::FileRole;
use crate::store_messages::{claim_status_label, store_detail, store_message};
use butie_core::engine::evaluate;
use butie_core::money::fmt_grouped;
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{fact_index, parse_fact_value, ClaimStatus, Company, Facts, InputError, Problem};
use butie_store::{ClaimRecord, ClaimUpdate, StoreError, Workspace};
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub use crate::ops::OpenMode;

impl Context {
    pub fn store_err(&self, e: StoreError) -> CliError {
        CliError::usage(store_message(&e, self.lang))
    }
    /// The workspace file (see [`crate::ops::Setup::workspace_path`]).
    pub fn workspace_path(&self) -> PathBuf {
        self.setup().workspace_path()
    }
    pub fn open(&self, mode: OpenMode) -> Result<Workspace, CliError> {
        self.setup().open(mode).map_err(|e| self.err(e))
    }
    /// Run `f` on the workspace, made if there is none; when `f` fails, a
    /// workspace this call made is taken away again, so that a refused
    /// command leaves no empty workspace behind.
    pub(crate) fn with_new_workspace<T>(&self, f: impl FnOnce(&mut Workspace) -> Result<T, CliError>) -> Result<T, CliError> {
        let path = self.workspace_path();
        let existed = path.exists();
        let mut w = self.open(OpenMode::CreateIfMissing)?;
        let out = f(&mut w);
        drop(w);
        if out.is_err() && !existed {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
        out
    }
    /// Open the (existing) workspace and find a company by number or USCC.
    pub(crate) fn company(&self, key: &str) -> Result<(Workspace, i64), CliError> {
        self.setup().company(key).map_err(|e| self.err(e))
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
        let v = read_json_under(cx, p, FileRole::CompanyJson, "company")?;
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

/// Read a JSON file that holds `{"<field>": {…}}` or the bare `{…}`,
/// strictly; a duplicate key in a bare object is named under `field` too
/// (`facts.cbec_volume`), as its other errors are.
fn read_json_under(cx: &Context, path: &Path, role: FileRole, field: &str) -> Result<Value, CliError> {
    let text = cx.read(path, role)?;
    butie_core::profile::parse_json(field, &text).map_err(|mut e| {
        if e.problem == Problem::DuplicateKey {
            let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let wrapped = serde_json::from_str::<Value>(body).ok().is_some_and(|v| v.get(field).is_some());
            if !wrapped {
                e.field = format!("{field}.{}", e.field);
            }
        }
        cx.input(&e)
    })
}

pub fn company_add(cx: &Context, f: &CompanyFields) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let c = apply(cx, Company::default(), f, &packs)?;
    let id = cx.with_new_workspace(|w| w.add_company(&c, &packs).map_err(|e| cx.store_err(e)))?;
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
    let w = cx.open(OpenMode::Existing)?;
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
        // `K=1 K=2` is a slip: refused as a JSON object with a key twice is.
        if facts.contains_key(k) {
            return Err(InputError::new(&field, Problem::DuplicateKey));
        }
        let def = index.get(k).ok_or_else(|| {
            let mut m = serde_json::Map::new();
            m.insert(k.to_string(), Value::Null);
            butie_core::profile::parse_facts(&m, packs)
                .err()
                .unwrap_or_else(|| InputError::new(&field, Problem::UnknownFact { suggestion: None }))
        })?;
        let value: Value = match (def.kind, v.trim()) {
            // As a spreadsheet's yes/no cell and the window read it.
            (butie_core::policy::FactKind::Bool, "是" | "yes") => Value::Bool(true),
            (butie_core::policy::FactKind::Bool, "否" | "no") => Value::Bool(false),
            (_, t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())),
        };
        facts.insert(k.to_string(), parse_fact_value(&field, def, &value)?);
    }
    Ok(facts)
}

pub fn facts_set(cx: &Context, key: &str, year: i64, pairs: &[String], from_json: Option<&Path>) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let mut facts = parse_assignments(pairs, &packs).map_err(|e| cx.input(&e))?;
    if let Some(p) = from_json {
        let v = read_json_under(cx, p, FileRole::FactsJson, "facts")?;
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
    // A key no pack knows is refused as `facts set` refuses it, not counted as 0 removed.
    let packs = cx.packs()?;
    let index = fact_index(&packs);
    if let Some(k) = keys.iter().find(|k| !index.contains_key(k.as_str()) && k.as_str() != butie_core::profile::COMPANY_STATUS_FACT) {
        let mut m = serde_json::Map::new();
        m.insert(k.to_string(), Value::Null);
        let e = butie_core::profile::parse_facts(&m, &packs)
            .err()
            .unwrap_or_else(|| InputError::new(format!("facts.{k}"), Problem::UnknownFact { suggestion: None }));
        return Err(cx.input(&e));
    }
    let (mut w, id) = cx.company(key)?;
    let n = w.unset_facts(id, year, keys).map_err(|e| cx.store_err(e))?;
    Ok(format!("{n}\n"))
}

pub fn facts_copy(cx: &Context, key: &str, from: i64, to: i64) -> Result<String, CliError> {
    let lang = cx.lang;
    let packs = cx.packs()?;
    let from = cx.year("--from", from)?;
    let to = cx.year("--to", to)?;
    // Standing answers carry forward, from an earlier year into a later one.
    if from >= to {
        return Err(CliError::usage(match lang {
            Lang::Zh => format!("--from {from} 应早于 --to {to}：长期情况只从较早的年度沿用到较晚的年度"),
            Lang::En => format!("--from {from} must be before --to {to}: standing answers carry forward from an earlier year"),
        }));
    }
    let (mut w, id) = cx.company(key)?;
    let copied = w.copy_standing_facts(id, from, to, &packs).map_err(|e| cx.store_err(e))?;
    let index = fact_index(&packs);
    let named: Vec<String> =
        copied.iter().map(|k| format!("{}（{k}）", index.get(k.as_str()).map(|d| d.label.get(lang)).unwrap_or(k))).collect();
    Ok(match (lang, copied.is_empty()) {
        (Lang::Zh, true) => format!("没有可沿用的长期情况：{from} 年度没有，或 {to} 年度已经填写\n"),
        (Lang::En, true) => format!("nothing to carry over: {from} has no standing answers, or {to} already has them\n"),
        (Lang::Zh, false) => format!("已从 {from} 年度沿用 {} 项长期情况到 {to} 年度：{}\n", copied.len(), named.join("；")),
        (Lang::En, false) => format!("carried {} standing answers over from {from} to {to}: {}\n", copied.len(), named.join("; ")),
    })
}

pub fn facts_show(cx: &Context, key: &str, year: i64, json: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let (w, id) = cx.company(key)?;
    let (facts, unknown) = w.facts(id, year, &packs).map_err(|e| cx.store_err(e))?;
    if json {
        return Ok(serde_json::to_string_pretty(&butie_core::profile::facts_to_value(&facts)).unwrap_or_default() + "\n");
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
                            "{}@{} sha256:{}{}",
                            p["id"].as_str().unwrap_or(""),
                            p["version"].as_str().unwrap_or(""),
                            butie_core::short_hash(p["content_hash"].as_str().unwrap_or("")),
                            if p["unverified"].as_bool() == Some(true) { cx.say(" 未验证", " unverified") } else { "" }
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
    let w = cx.open(OpenMode::Existing)?;
    let r = w.evaluation(eval_id).map_err(|e| cx.store_err(e))?;
    let v = serde_json::json!({"id": r.id, "company_id": r.company_id, "created_at": r.created_at, "year": r.year, "lang": r.lang,
        "tool_version": r.tool_version, "packs": r.packs, "inputs": r.inputs, "result": r.result});
    Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
}

/// Write an export: atomically (the target is the previous file or the
/// complete new one), replacing only an existing JSON file — never a link,
/// a folder, a database or the workspace.
fn write_new(cx: &Context, path: &Path, text: &str) -> Result<(), CliError> {
    cx.write(path, text.as_bytes(), Replace::Only(Content::Json))
}

pub fn export(cx: &Context, key: Option<&str>, year: Option<i64>, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let w = cx.open(OpenMode::Existing)?;
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
    let text = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    crate::files::check_importable(out, text.len()).map_err(|e| CliError::file(FileRole::Plain, e, cx.lang))?;
    write_new(cx, out, &text)?;
    Ok(format!("{}\n", out.display()))
}

pub fn import(cx: &Context, file: &Path, replace: bool) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let text = crate::files::read_import_text(file).map_err(|e| CliError::file(FileRole::Import, e, cx.lang))?;
    let v = crate::files::parse_import_text(&text).map_err(|e| cx.input(&e))?;
    let mut w = cx.open(OpenMode::CreateIfMissing)?;
    let done = w.import_reported(&v, &packs, replace).map_err(|e| cx.store_err(e))?;
    let ids = &done.ids;
    let mut out = match cx.lang {
        Lang::Zh => format!("已导入 {} 家企业: {}\n", ids.len(), ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")),
        Lang::En => format!("imported {} companies: {}\n", ids.len(), ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(" ")),
    };
    out.push_str(&crate::words::store::kept_newer_line(&done.kept_newer, cx.lang));
    Ok(out)
}

pub fn backup(cx: &Context, out: &Path) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    w.backup(out).map_err(|e| cx.store_err(e))?;
    Ok(format!("{}\n", out.display()))
}

/// Restore the backup `file` into the workspace (creating it if there is
/// none), and say where the workspace as it was has been kept.
pub fn restore(cx: &Context, file: &Path) -> Result<String, CliError> {
    let target = cx.workspace_path();
    let packs = cx.packs()?;
    let done = Workspace::restore_reported(&target, file, &packs).map_err(|e| cx.store_err(e))?;
    let (f, t) = (file.display(), target.display());
    let mut out = match (done.safety, cx.lang) {
        (Some(k), Lang::Zh) => format!("已恢复 {t}（来自 {f}）；恢复前的工作区已另存为 {}\n", k.display()),
        (Some(k), Lang::En) => format!("restored {t} from {f}; the workspace as it was is kept as {}\n", k.display()),
        (None, Lang::Zh) => format!("已恢复 {t}（来自 {f}）；此前没有工作区\n"),
        (None, Lang::En) => format!("restored {t} from {f}; there was no workspace before\n"),
    };
    if !done.unverified.is_empty() {
        let list = done.unverified.join(", ");
        out.push_str(&match cx.lang {
            Lang::Zh => format!("备份中标为已验证、但本工作区未曾验证的政策包文本改为未验证（{list}）：如需验证，请重新导入其签名文件\n"),
            Lang::En => format!("pack texts the backup marked verified that this workspace had not verified are kept as unverified ({list}); import their signature files again to verify them\n"),
        });
    }
    Ok(out)
}

pub fn pdf_company(cx: &Context, key: &str, year: i64, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let (w, id) = cx.company(key)?;
    let profile = w.profile(id, year, &packs).map_err(|e| cx.store_err(e))?;
    let ev = evaluate(&packs, &profile, year);
    crate::cli::pdfs(cx, &packs, &profile, &ev, out)
}

// ------------------------------------------------------------------ claims

/// `butie claim set`'s arguments, as typed.
#[derive(Debug, Clone, Default)]
pub struct ClaimArgs {
    pub clause: String,
    pub status: String,
    pub amount: Option<String>,
    /// `--estimate`: the amount applied for, set on any status.
    pub estimate: Option<String>,
    pub date: Option<String>,
    pub submitted_on: Option<String>,
    pub approved_on: Option<String>,
    pub note: Option<String>,
}

/// A status as the user may type it: `planned`, `submitted`, `approved`,
/// `rejected`, `withdrawn` (any case), or its Chinese label (计划申报,
/// 已申报, 已批准, 未获批, 已撤回).
pub fn parse_claim_status(text: &str) -> Option<ClaimStatus> {
    let t = text.trim();
    ClaimStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(t) || claim_status_label(*s, Lang::Zh) == t)
}

/// `--amount`: the forms a money fact takes on `facts set` (`100000`,
/// `100000.00`, `"100000"`, `236,500,000`, `6.2万元`), non-negative, to the fen.
fn parse_claim_amount(flag: &str, text: &str) -> Result<Decimal, InputError> {
    let value: Value = serde_json::from_str(text.trim()).unwrap_or_else(|_| Value::String(text.trim().to_string()));
    butie_store::parse_amount(flag, &value)
}

/// A ledger error on the command line: a claim field (`claim.amount`) is
/// named by its flag (`--amount`, `claim.approved_on` by `--approved-on`).
fn claim_err(cx: &Context, e: StoreError) -> CliError {
    match e.field().strip_prefix("claim.") {
        Some(flag) => CliError::usage(format!("--{}: {}", flag.replace('_', "-"), store_detail(&e, cx.lang))),
        None => cx.store_err(e),
    }
}

pub fn claim_set(cx: &Context, key: &str, year: i64, a: &ClaimArgs) -> Result<String, CliError> {
    let lang = cx.lang;
    let packs = cx.packs()?;
    let year = cx.year("--year", year)?;
    let status = parse_claim_status(&a.status).ok_or_else(|| {
        let options = ClaimStatus::ALL
            .iter()
            .map(|s| match lang {
                Lang::Zh => format!("{} ({})", s.as_str(), claim_status_label(*s, Lang::Zh)),
                Lang::En => s.as_str().to_string(),
            })
            .collect();
        cx.input(&InputError::new("--status", Problem::NotOption { options }))
    })?;
    let amount = a.amount.as_deref().map(|t| parse_claim_amount("--amount", t)).transpose().map_err(|e| cx.input(&e))?;
    let estimate = a.estimate.as_deref().map(|t| parse_claim_amount("--estimate", t)).transpose().map_err(|e| cx.input(&e))?;
    let u = ClaimUpdate {
        status,
        amount,
        estimate,
        date: a.date.clone(),
        submitted_on: a.submitted_on.clone(),
        approved_on: a.approved_on.clone(),
        note: a.note.clone(),
    };
    let (mut w, id) = cx.company(key)?;
    let cid = w.set_claim(id, year, &a.clause, &u, &packs).map_err(|e| claim_err(cx, e))?;
    let clause = a.clause.trim();
    let label = claim_status_label(status, lang);
    let mut out = match lang {
        Lang::Zh => format!("已保存申报记录 #{cid}（企业 #{id}，{year} 年度，{clause}：{label}）\n"),
        Lang::En => format!("saved claim #{cid} (company #{id}, {year}, {clause}: {label})\n"),
    };
    let saved = w.claims(id, Some(year)).map_err(|e| cx.store_err(e))?;
    if let Some(c) = saved.iter().find(|c| c.id == cid) {
        if let Some(line) = crate::store_messages::above_most_warning(c, lang) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// Approved minus estimate, when the claim has both.
fn difference(c: &ClaimRecord) -> Option<Decimal> {
    Some(c.approved? - c.estimate?)
}

/// A difference with its sign: `+1,000.00`, `-7,000.00`, `0.00`.
fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", fmt_grouped(d))
    } else {
        fmt_grouped(d)
    }
}

fn clause_title(packs: &[Pack], clause: &str, lang: Lang) -> String {
    packs.iter().find_map(|p| p.clause(clause)).map(|c| c.title.get(lang).to_string()).unwrap_or_default()
}

/// Cut to a display width, with "…" when cut.
fn cut(s: &str, w: usize) -> String {
    if crate::table::width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = crate::table::width(c.encode_utf8(&mut [0; 4]));
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// Sums of some claims: every estimate, every approved amount, and the
/// differences of the claims that have both (one still waiting for its
/// decision adds to the estimates only).
#[derive(Default, Clone, Copy)]
struct Totals {
    estimate: Decimal,
    approved: Decimal,
    difference: Decimal,
}

impl Totals {
    fn add(&mut self, c: &ClaimRecord) {
        self.estimate += c.estimate.unwrap_or_default();
        self.approved += c.approved.unwrap_or_default();
        self.difference += difference(c).unwrap_or_default();
    }
}

pub fn claims(cx: &Context, key: &str, year: Option<i64>, json: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let packs = cx.packs()?;
    let year = year.map(|y| cx.year("--year", y)).transpose()?;
    let (w, id) = cx.company(key)?;
    let list = w.claims(id, year).map_err(|e| cx.store_err(e))?;
    if json {
        return Ok(claims_json(&list, &packs, lang));
    }
    if list.is_empty() {
        return Ok(match lang {
            Lang::Zh => "（没有申报记录）\n".to_string(),
            Lang::En => "(no claims)\n".to_string(),
        });
    }
    let head: [&str; 9] = match lang {
        Lang::Zh => ["年度", "条款", "名称", "状态", "申报金额", "批准金额", "差额", "申报/批准日期", "备注"],
        Lang::En => ["year", "clause", "title", "status", "estimate", "approved", "difference", "submitted / approved", "note"],
    };
    let rows = claim_rows(&list, &packs, lang);
    Ok(aligned(&head, &rows))
}

/// `butie claims --json`: each claim with its events.
fn claims_json(list: &[ClaimRecord], packs: &[Pack], lang: Lang) -> String {
    let money = |d: Option<Decimal>| d.map(butie_core::money::fmt_yuan);
    let v: Vec<Value> = list
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id, "year": c.year, "clause": c.clause, "title": clause_title(packs, &c.clause, lang),
                "status": c.status.as_str(), "estimate": money(c.estimate), "approved": money(c.approved),
                "difference": money(difference(c)), "date": c.date, "submitted_on": c.submitted_on,
                "approved_on": c.approved_on, "note": c.note, "above_most": money(c.above_most),
                "warning": crate::store_messages::above_most_warning(c, lang), "updated_at": c.updated_at,
                "events": c.events.iter().map(|e| serde_json::json!({
                    "at": e.at, "status": e.status.as_str(), "estimate": money(e.estimate), "approved": money(e.approved),
                    "date": e.date, "submitted_on": e.submitted_on, "approved_on": e.approved_on, "note": e.note,
                    "above_most": money(e.above_most),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// The ledger's rows, a total after each year, and one for all years when there are several.
fn claim_rows(list: &[ClaimRecord], packs: &[Pack], lang: Lang) -> Vec<([String; 9], bool)> {
    let total_word = if lang == Lang::Zh { "合计" } else { "total" };
    let none = "—";
    let amount = |d: Option<Decimal>| d.map(fmt_grouped).unwrap_or_else(|| none.to_string());
    let row = |c: &ClaimRecord| -> [String; 9] {
        [
            c.year.to_string(),
            c.clause.clone(),
            cut(&clause_title(packs, &c.clause, lang), 30),
            claim_status_label(c.status, lang).to_string(),
            amount(c.estimate),
            amount(c.approved),
            difference(c).map(signed).unwrap_or_else(|| none.to_string()),
            // The submission and approval dates the window records (an old
            // claim's single date where neither is known).
            match (&c.submitted_on, &c.approved_on) {
                (None, None) => c.date.clone().unwrap_or_else(|| none.to_string()),
                (s, a) => format!("{} / {}", s.as_deref().unwrap_or(none), a.as_deref().unwrap_or(none)),
            },
            match (c.above_most, &c.note) {
                (Some(m), note) => {
                    let w = if lang == Lang::Zh {
                        format!("⚠ 超过最多可得 {}", fmt_grouped(m))
                    } else {
                        format!("⚠ above the most it can pay ({})", fmt_grouped(m))
                    };
                    note.as_ref().map_or(w.clone(), |n| format!("{w}；{n}"))
                }
                (None, note) => note.clone().unwrap_or_default(),
            },
        ]
    };
    let total_row = |label: String, t: Totals| -> [String; 9] {
        [
            label,
            String::new(),
            String::new(),
            String::new(),
            fmt_grouped(t.estimate),
            fmt_grouped(t.approved),
            signed(t.difference),
            String::new(),
            String::new(),
        ]
    };
    let mut rows: Vec<([String; 9], bool)> = Vec::new();
    let (mut all, mut this, mut years) = (Totals::default(), Totals::default(), 0);
    for (i, c) in list.iter().enumerate() {
        rows.push((row(c), false));
        this.add(c);
        all.add(c);
        if list.get(i + 1).is_none_or(|n| n.year != c.year) {
            rows.push((total_row(format!("{} {total_word}", c.year), this), true));
            this = Totals::default();
            years += 1;
        }
    }
    if years > 1 {
        let label = if lang == Lang::Zh { "各年度合计".to_string() } else { "all years".to_string() };
        rows.push((total_row(label, all), true));
    }
    rows
}

/// The rows in aligned columns; a total's label spans the year and clause columns.
fn aligned(head: &[&str; 9], rows: &[([String; 9], bool)]) -> String {
    let width = crate::table::width;
    let mut widths: [usize; 9] = head.map(width);
    for (r, total) in rows {
        for (i, cell) in r.iter().enumerate() {
            // A total's label spans the year and clause columns.
            if *total && i == 0 {
                continue;
            }
            widths[i] = widths[i].max(width(cell));
        }
    }
    let right = [false, false, false, false, true, true, true, false, false];
    let line = |cells: &[String; 9], total: bool| -> String {
        let mut o = String::new();
        let mut i = 0;
        while i < 9 {
            if i > 0 {
                o.push_str("  ");
            }
            let (text, w) = if total && i == 0 { (&cells[0], widths[0] + 2 + widths[1]) } else { (&cells[i], widths[i]) };
            if i == 8 {
                o.push_str(text);
            } else if right[i] {
                o.push_str(&" ".repeat(w.saturating_sub(width(text))));
                o.push_str(text);
            } else {
                o.push_str(&crate::table::pad_to(text, w));
            }
            i += if total && i == 0 { 2 } else { 1 };
        }
        o.truncate(o.trim_end().len());
        o.push('\n');
        o
    };
    let mut o = line(&head.map(String::from), false);
    for (r, total) in rows {
        o.push_str(&line(r, *total));
    }
    o
}

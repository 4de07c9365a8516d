//! The desktop app's operations, as plain functions over the same core,
//! store and PDF functions the CLI uses. The Tauri commands in `src-tauri`
//! only forward to these; tests call them directly.
//!
//! Errors come back as JSON text `{"field": "...", "message": "..."}` so the
//! page can show the message next to the field it concerns.

use butie_core::engine::{evaluate, hints, open_questions, to_json, Status};
use butie_core::policy::{FactKind, Lang, Pack};
use butie_core::profile::{fact_index, parse_company, parse_fact_value, Company, InputError};
use butie_store::{StoreError, Workspace};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub struct Session {
    pub packs: Vec<Pack>,
    ws: Mutex<Workspace>,
    pub first_run: bool,
}

pub type ApiResult = Result<Value, String>;

fn err(field: &str, message: String) -> String {
    json!({"field": field, "message": message}).to_string()
}

fn input_err(e: &InputError, lang: Lang) -> String {
    err(&e.field, e.message(lang))
}

fn store_err(e: StoreError, lang: Lang) -> String {
    match &e {
        StoreError::Input(ie) => input_err(ie, lang),
        _ => err("", e.message(lang)),
    }
}

fn lang_of(s: &str) -> Lang {
    if s == "en" {
        Lang::En
    } else {
        Lang::Zh
    }
}

const SAMPLE: &str = include_str!("../samples/taizhou-sample.json");

impl Session {
    /// Open the workspace; a new one starts with the sample company so a
    /// newcomer sees results at once.
    pub fn open(path: &Path) -> Result<Session, String> {
        let packs = butie_core::bundled_packs().map_err(|e| e.to_string())?;
        let first_run = !path.exists();
        let mut ws = Workspace::open(path).map_err(|e| e.message(Lang::Zh))?;
        if first_run {
            let v: Value = serde_json::from_str(SAMPLE).map_err(|e| e.to_string())?;
            ws.import(&v, &packs, false).map_err(|e| e.message(Lang::Zh))?;
        }
        Ok(Session { packs, ws: Mutex::new(ws), first_run })
    }

    fn ws(&self) -> std::sync::MutexGuard<'_, Workspace> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (every write is a transaction), so a poisoned lock is still usable.
        self.ws.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn workspace_path(&self) -> PathBuf {
        self.ws().path().to_path_buf()
    }

    /// Everything static the page needs: fact definitions, clauses, regions.
    pub fn meta(&self, lang: &str) -> ApiResult {
        let lang = lang_of(lang);
        let mut cities = serde_json::Map::new();
        for c in butie_core::profile::known_cities(&self.packs) {
            let d = butie_core::profile::known_districts(&self.packs, &c);
            cities.insert(c, json!(d));
        }
        let mut facts = serde_json::Map::new();
        let mut topics = serde_json::Map::new();
        let mut clauses = Vec::new();
        for p in &self.packs {
            for (k, t) in &p.topics {
                topics.insert(format!("{}:{k}", p.id), json!(t.get(lang)));
            }
            for (k, d) in &p.facts {
                facts.insert(k.clone(), fact_json(p, d, lang));
            }
            for c in &p.clauses {
                clauses.push(json!({
                    "id": c.id, "pack": p.id, "title": c.title.get(lang), "place": c.place, "quote": c.quote,
                    "document": p.document.get(lang), "one_time": c.one_time, "attachments": c.attachments,
                    "interpretations": c.interpretations.iter().map(|i| i.get(lang)).collect::<Vec<_>>(),
                }));
            }
        }
        Ok(json!({
            "cities": cities, "facts": facts, "topics": topics, "clauses": clauses,
            "packs": self.packs.iter().map(|p| json!({"id": p.id, "version": p.version, "title": p.title.get(lang), "city": p.city,
                "valid_from": p.valid_from.to_string(), "valid_to": p.valid_to.to_string()})).collect::<Vec<_>>(),
            "workspace": self.workspace_path().display().to_string(),
            "first_run": self.first_run,
        }))
    }

    pub fn list_companies(&self, search: &str, lang: &str) -> ApiResult {
        let s = search.trim();
        let list = self.ws().list_companies(if s.is_empty() { None } else { Some(s) }).map_err(|e| store_err(e, lang_of(lang)))?;
        Ok(json!(list
            .iter()
            .map(|c| json!({"id": c.id, "name": c.name, "uscc": c.uscc, "city": c.city, "district": c.district, "years": c.years, "evaluations": c.evaluations}))
            .collect::<Vec<_>>()))
    }

    pub fn get_company(&self, id: i64, lang: &str) -> ApiResult {
        let c = self.ws().get_company(id).map_err(|e| store_err(e, lang_of(lang)))?;
        let mut v =
            butie_core::profile::profile_to_value(&butie_core::Profile { company: c.company, year: None, facts: Default::default() });
        v["id"] = json!(id);
        v["years"] = json!(c.years);
        Ok(v)
    }

    /// Check company fields (the page calls this as the user types).
    pub fn check_company(&self, fields: &Value, lang: &str) -> ApiResult {
        parse_company(fields, &self.packs).map_err(|e| input_err(&e, lang_of(lang)))?;
        Ok(json!({"ok": true}))
    }

    pub fn check_uscc(&self, uscc: &str, lang: &str) -> ApiResult {
        if uscc.trim().is_empty() {
            return Ok(json!({"ok": true}));
        }
        butie_core::uscc::validate(uscc)
            .map(|u| json!({"ok": true, "uscc": u}))
            .map_err(|p| input_err(&InputError::new("company.uscc", butie_core::profile::Problem::Uscc(p)), lang_of(lang)))
    }

    /// Add (id = None) or update a company; returns its id.
    pub fn save_company(&self, id: Option<i64>, fields: &Value, lang: &str) -> ApiResult {
        let l = lang_of(lang);
        let c: Company = parse_company(fields, &self.packs).map_err(|e| input_err(&e, l))?;
        let mut ws = self.ws();
        let id = match id {
            Some(id) => {
                ws.update_company(id, &c, &self.packs).map_err(|e| store_err(e, l))?;
                id
            }
            None => ws.add_company(&c, &self.packs).map_err(|e| store_err(e, l))?,
        };
        Ok(json!({"id": id}))
    }

    pub fn delete_company(&self, id: i64, lang: &str) -> ApiResult {
        let archived = self.ws().delete_company(id, true).map_err(|e| store_err(e, lang_of(lang)))?;
        Ok(json!({"archived": archived}))
    }

    /// Save one answer (validated against its definition) and re-evaluate.
    /// `null` clears the answer. `serious_dishonesty_listed` is a company field.
    pub fn set_fact(&self, id: i64, year: i64, key: &str, value: &Value, lang: &str) -> ApiResult {
        let l = lang_of(lang);
        let year = butie_core::profile::check_year("year", year).map_err(|e| input_err(&e, l))?;
        {
            let mut ws = self.ws();
            if key == "serious_dishonesty_listed" {
                let mut c = ws.get_company(id).map_err(|e| store_err(e, l))?.company;
                c.serious_dishonesty_listed = match value {
                    Value::Bool(b) => Some(*b),
                    Value::Null => None,
                    _ => {
                        return Err(input_err(
                            &InputError::new(key, butie_core::profile::Problem::WrongType { expected: FactKind::Bool }),
                            l,
                        ))
                    }
                };
                ws.update_company(id, &c, &self.packs).map_err(|e| store_err(e, l))?;
            } else if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
                ws.unset_facts(id, year, &[key.to_string()]).map_err(|e| store_err(e, l))?;
            } else {
                let index = fact_index(&self.packs);
                let def = index.get(key).ok_or_else(|| {
                    input_err(&InputError::new(format!("facts.{key}"), butie_core::profile::Problem::UnknownFact { suggestion: None }), l)
                })?;
                // Numbers typed into a text box arrive as text; trim them.
                let value = match value {
                    Value::String(s) => Value::String(s.trim().to_string()),
                    v => v.clone(),
                };
                let fv = parse_fact_value(&format!("facts.{key}"), def, &value).map_err(|e| input_err(&e, l))?;
                let mut facts = butie_core::Facts::new();
                facts.insert(key.to_string(), fv);
                ws.set_facts(id, year, &facts).map_err(|e| store_err(e, l))?;
            }
        }
        self.evaluate(id, year as i64, lang)
    }

    /// The evaluation of a company-year with everything the results and
    /// interview screens show.
    pub fn evaluate(&self, id: i64, year: i64, lang: &str) -> ApiResult {
        let l = lang_of(lang);
        let year = butie_core::profile::check_year("year", year).map_err(|e| input_err(&e, l))?;
        let profile = self.ws().profile(id, year, &self.packs).map_err(|e| store_err(e, l))?;
        let ev = evaluate(&self.packs, &profile, year, l);
        let open = open_questions(&ev);
        // Answered facts that matter to a pack that applies, so they can be changed.
        let applying: Vec<&Pack> = self
            .packs
            .iter()
            .filter(|p| {
                ev.packs
                    .iter()
                    .any(|r| r.id == p.id && matches!(r.status, butie_core::PackStatus::Applies | butie_core::PackStatus::CountyReference))
            })
            .collect();
        let mut answered = Vec::new();
        for p in &applying {
            for c in &p.clauses {
                for k in c.fact_keys() {
                    if profile.facts.contains_key(k) && !answered.contains(&k.to_string()) {
                        answered.push(k.to_string());
                    }
                }
            }
        }
        let mut questions = Vec::new();
        let index = fact_index(&self.packs);
        let mut push_q = |key: &str, done: bool| {
            let (def, topic) = match applying.iter().find_map(|p| p.facts.get(key).map(|d| (p, d))) {
                Some((p, d)) => (fact_json(p, d, l), format!("{}:{}", p.id, d.topic)),
                None if key == "serious_dishonesty_listed" => (
                    json!({"key": key, "kind": "bool", "label": if l == Lang::Zh { "是否列入严重失信名单、联合惩戒目录或失信被执行人名单" } else { "Listed as seriously dishonest" },
                        "help": if l == Lang::Zh { "可在“信用中国”网站查询。列入名单的企业不能享受这些奖补。" } else { "Listed companies cannot receive these awards." }, "unit": "", "options": {}, "fields": {}}),
                    "company".to_string(),
                ),
                None => match index.get(key) {
                    Some(d) => (json!({"key": key, "label": d.label.get(l)}), String::new()),
                    None => return,
                },
            };
            let value = if key == "serious_dishonesty_listed" {
                json!(profile.company.serious_dishonesty_listed)
            } else {
                profile.facts.get(key).map(butie_core::profile::fact_value_to_json).unwrap_or(Value::Null)
            };
            questions.push(json!({"key": key, "topic": topic, "def": def, "value": value, "answered": done}));
        };
        for k in &open {
            push_q(k, false);
        }
        for k in &answered {
            if !open.contains(k) {
                push_q(k, true);
            }
        }
        let clause_info: Vec<Value> = ev
            .clauses
            .iter()
            .map(|r| {
                let (p, c) = butie_core::engine::find_clause(&self.packs, &r.id).expect("results come from these packs");
                json!({"id": r.id, "title": c.title.get(l), "place": c.place, "quote": c.quote, "document": p.document.get(l),
                       "interpretations": r.interpretations, "pack": p.id,
                       "figure": match c.figure { butie_core::policy::Figure::Exact => "exact", butie_core::policy::Figure::Ceiling => "ceiling" }})
            })
            .collect();
        let eligible = ev.clauses.iter().filter(|c| c.status == Status::Eligible).count();
        Ok(json!({
            "evaluation": to_json(&ev),
            "clauses": clause_info,
            "questions": questions,
            "progress": {"answered": answered.len(), "open": open.len()},
            "hints": hints(&self.packs, &profile, &ev, l),
            "eligible": eligible,
            "company": profile.company.name,
        }))
    }

    pub fn save_evaluation(&self, id: i64, year: i64, lang: &str) -> ApiResult {
        let l = lang_of(lang);
        let year = butie_core::profile::check_year("year", year).map_err(|e| input_err(&e, l))?;
        let mut ws = self.ws();
        let profile = ws.profile(id, year, &self.packs).map_err(|e| store_err(e, l))?;
        let ev = evaluate(&self.packs, &profile, year, l);
        let eid = ws.save_evaluation(id, &profile, &ev, &self.packs, l).map_err(|e| store_err(e, l))?;
        Ok(json!({"id": eid}))
    }

    pub fn history(&self, id: i64, lang: &str) -> ApiResult {
        let h = self.ws().history(id).map_err(|e| store_err(e, lang_of(lang)))?;
        Ok(json!(h
            .iter()
            .map(|r| json!({"id": r.id, "created_at": r.created_at, "year": r.year, "total": r.total, "total_max": r.total_max,
                            "packs": r.packs, "result": r.result, "inputs": r.inputs, "tool_version": r.tool_version}))
            .collect::<Vec<_>>()))
    }

    /// Write the summary and forms into `dir`; returns the files written.
    pub fn generate_pdfs(&self, id: i64, year: i64, dir: &Path, lang: &str) -> ApiResult {
        let l = lang_of(lang);
        let year = butie_core::profile::check_year("year", year).map_err(|e| input_err(&e, l))?;
        let profile = self.ws().profile(id, year, &self.packs).map_err(|e| store_err(e, l))?;
        let ev = evaluate(&self.packs, &profile, year, Lang::Zh);
        let out = crate::cli::write_pdfs(&self.packs, &profile, &ev, dir).map_err(|e| err("", e.message))?;
        Ok(json!({"dir": dir.display().to_string(), "files": out.lines().collect::<Vec<_>>()}))
    }

    pub fn export_company(&self, id: i64, file: &Path, lang: &str) -> ApiResult {
        let v = self.ws().export_company(id, &self.packs).map_err(|e| store_err(e, lang_of(lang)))?;
        std::fs::write(file, serde_json::to_string_pretty(&v).expect("JSON")).map_err(|e| err("", e.to_string()))?;
        Ok(json!({"file": file.display().to_string()}))
    }

    pub fn import_file(&self, file: &Path, lang: &str) -> ApiResult {
        let l = lang_of(lang);
        let text = crate::cli::read_text(file, "import", l).map_err(|e| err("", e.message))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| err("import", butie_core::profile::json_error("import", &e).message(l)))?;
        let ids = self.ws().import(&v, &self.packs, false).map_err(|e| store_err(e, l))?;
        Ok(json!({"ids": ids}))
    }
}

fn fact_json(_p: &Pack, d: &butie_core::policy::FactDef, lang: Lang) -> Value {
    json!({
        "key": d.key, "kind": d.kind, "unit": d.unit, "label": d.label.get(lang), "help": d.help.get(lang), "topic": d.topic,
        "options": d.options.iter().map(|(k, v)| (k.clone(), json!(v.get(lang)))).collect::<serde_json::Map<_, _>>(),
        "fields": d.fields.iter().map(|(k, f)| (k.clone(), json!({"kind": f.kind, "label": f.label.get(lang), "unit": f.unit}))).collect::<serde_json::Map<_, _>>(),
    })
}

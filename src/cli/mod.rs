//! The CLI's operations as plain functions returning text or an error, so
//! tests call them without spawning a process.

pub mod packet;
pub mod packs;
pub mod store;
pub mod table;

use crate::files::{policy_files, read_policy_text, read_text, write_atomic, write_pdf_set, FileError, Replace};
use crate::ops::{self, FileRole};
use butie_core::cases::run_cases;
use butie_core::engine::evaluate;
use butie_core::explain::Catalogue;
use butie_core::policy::{load_pack, Lang, Pack};
use butie_core::profile::{check_year, parse_profile, InputError, Problem, Profile};
use std::path::{Path, PathBuf};

/// What went wrong, already worded for the user; `code` is the exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: String,
}

impl CliError {
    pub fn input(e: &InputError, lang: Lang) -> Self {
        CliError { code: 2, message: e.message(lang) }
    }
    pub fn usage(message: String) -> Self {
        CliError { code: 2, message }
    }
    /// A shared operation's error in the user's words.
    pub fn ops(e: &ops::Error, lang: Lang) -> Self {
        CliError { code: e.code(), message: e.message(lang) }
    }
    /// A file problem; `role` names the file's role ("profile", "import file").
    pub fn file(role: FileRole, e: FileError, lang: Lang) -> Self {
        CliError::ops(&ops::Error::File { role, error: e }, lang)
    }
}

/// What every command needs: the language, where the policies and the
/// workspace are.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub lang: Lang,
    pub policies: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
}

impl Context {
    /// The same places for the shared operations.
    pub fn setup(&self) -> ops::Setup {
        ops::Setup { lang: self.lang, policies: self.policies.clone(), workspace: self.workspace.clone() }
    }
    /// An operation's error in this command's language.
    pub fn err(&self, e: ops::Error) -> CliError {
        CliError::ops(&e, self.lang)
    }
    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    /// Chinese or English, as the user chose.
    pub fn say<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.zh() {
            zh
        } else {
            en
        }
    }
    /// The packs in use (see [`ops::Setup::packs`]).
    pub fn packs(&self) -> Result<Vec<Pack>, CliError> {
        self.setup().packs().map_err(|e| self.err(e))
    }
    /// Read a JSON (or other text) file the user named in its role.
    pub fn read(&self, path: &Path, role: FileRole) -> Result<String, CliError> {
        read_text(path).map_err(|e| CliError::file(role, e, self.lang))
    }
    /// Write a file the user asked for with the one atomic writer, never
    /// onto the workspace.
    pub fn write(&self, path: &Path, bytes: &[u8], replace: Replace) -> Result<(), CliError> {
        let ws = self.workspace_path();
        write_atomic(path, bytes, replace, Some(&ws)).map_err(|e| CliError::file(FileRole::Plain, e, self.lang))
    }
    pub fn input(&self, e: &InputError) -> CliError {
        CliError::input(e, self.lang)
    }
    pub fn year(&self, flag: &str, year: i64) -> Result<i32, CliError> {
        check_year(flag, year).map_err(|e| self.input(&e))
    }
}

/// Read a profile file and settle the year (`--year` wins over the file's).
pub fn read_profile(cx: &Context, path: &Path, year: Option<i64>, packs: &[Pack]) -> Result<(Profile, i32), CliError> {
    let text = cx.read(path, FileRole::Profile)?;
    let profile = parse_profile(&text, packs).map_err(|e| cx.input(&e))?;
    let year = match (year, profile.year) {
        (Some(y), _) => cx.year("--year", y)?,
        (None, Some(y)) => y,
        (None, None) => return Err(cx.input(&InputError::new("year", Problem::Missing))),
    };
    Ok((profile, year))
}

/// The catalogue JSON, pretty, as the CLI prints it.
pub fn catalogue_text(ev: &butie_core::Evaluation, lang: Lang) -> String {
    serde_json::to_string_pretty(&Catalogue { ev, lang }).unwrap_or_default() + "\n"
}

pub fn evaluate_cmd(cx: &Context, profile_path: &Path, year: Option<i64>, json: bool, explain: bool) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let (profile, year) = read_profile(cx, profile_path, year, &packs)?;
    let ev = evaluate(&packs, &profile, year);
    if json {
        Ok(catalogue_text(&ev, cx.lang))
    } else {
        Ok(crate::table::render(&ev, &packs, &profile, cx.lang, explain))
    }
}

pub fn policies_cmd(cx: &Context, json: bool) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let lang = cx.lang;
    if json {
        let v: Vec<_> = packs
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id, "version": p.version, "content_hash": p.content_hash,
                    "title": p.title.get(lang), "valid_from": p.valid_from.to_string(), "valid_to": p.valid_to.to_string(),
                    "city": p.city,
                    "clauses": p.clauses.iter().map(|c| serde_json::json!({"id": c.id, "title": c.title.get(lang), "place": c.place})).collect::<Vec<_>>(),
                    "facts": p.facts.keys().collect::<Vec<_>>(),
                })
            })
            .collect();
        return Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n");
    }
    let mut o = String::new();
    for p in &packs {
        o.push_str(&format!(
            "{}  {}  {} — {}  {}  sha256:{}\n",
            p.id,
            p.title.get(lang),
            p.valid_from,
            p.valid_to,
            p.city,
            butie_core::short_hash(&p.content_hash)
        ));
        for c in &p.clauses {
            o.push_str(&format!("  {:<40} {}  {}\n", c.id, c.place, c.title.get(lang)));
        }
        o.push_str(if lang == Lang::Zh { "  事实键：\n" } else { "  fact keys:\n" });
        for (k, f) in &p.facts {
            o.push_str(&format!("    {:<40} {:<10} {}\n", k, format!("{:?}", f.kind).to_lowercase(), f.label.get(lang)));
        }
    }
    Ok(o)
}

/// Validate every policy file in `dir` and run its cases. Ok(report) when
/// all pass; Err with code 1 listing every failure otherwise.
pub fn check_policies_cmd(cx: &Context, dir: &Path) -> Result<String, CliError> {
    let lang = cx.lang;
    let files = policy_files(dir).map_err(|e| CliError::file(FileRole::Plain, e, lang))?;
    let mut report = String::new();
    let mut failures = Vec::new();
    let mut packs = Vec::new();
    for f in &files {
        let text = read_policy_text(f).map_err(|e| CliError::file(FileRole::Policy, e, lang))?;
        match load_pack(&f.display().to_string(), &text) {
            Ok(p) => packs.push(p),
            Err(e) => failures.push(e.message(lang)),
        }
    }
    if let Err(e) = butie_core::policy::check_set(&packs) {
        failures.push(e.message(lang));
    }
    let mut total_cases = 0;
    for p in &packs {
        let (n, fails) = run_cases(p);
        total_cases += n;
        report.push_str(&format!(
            "{}  {} {}，{} {}，{} {}\n",
            p.id,
            p.clauses.len(),
            if lang == Lang::Zh { "条" } else { "clauses" },
            n,
            if lang == Lang::Zh { "个用例" } else { "cases" },
            fails.len(),
            if lang == Lang::Zh { "个失败" } else { "failed" }
        ));
        failures.extend(fails.iter().map(|f| f.to_string()));
    }
    if failures.is_empty() {
        report.push_str(&format!("{} passed, 0 failed\n", total_cases));
        Ok(report)
    } else {
        report.push_str(&failures.join("\n"));
        report.push('\n');
        Err(CliError { code: 1, message: report })
    }
}

/// Write the summary report and one application form per eligible clause.
pub fn pdf_cmd(cx: &Context, profile_path: &Path, year: Option<i64>, out: &Path) -> Result<String, CliError> {
    let packs = cx.packs()?;
    let (profile, year) = read_profile(cx, profile_path, year, &packs)?;
    let ev = evaluate(&packs, &profile, year);
    pdfs(cx, &packs, &profile, &ev, out)
}

/// Write the PDFs and list the files written, one per line.
pub fn pdfs(cx: &Context, packs: &[Pack], profile: &Profile, ev: &butie_core::Evaluation, out: &Path) -> Result<String, CliError> {
    let ws = cx.workspace_path();
    let written = write_pdf_set(packs, profile, ev, out, Some(&ws)).map_err(|e| CliError::file(FileRole::Plain, e, cx.lang))?;
    Ok(written.iter().map(|p| format!("{}\n", p.display())).collect())
}

/// `butie template --out FILE.xlsx [--city 台州市]`.
pub fn template_cmd(cx: &Context, out: &Path, city: Option<&str>) -> Result<String, CliError> {
    let columns = crate::ops::batch::write_template(&cx.setup(), out, city).map_err(|e| cx.err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已写出模板 {}（{columns} 列）\n", crate::ops::files::shown(out)),
        Lang::En => format!("wrote the template {} ({columns} columns)\n", crate::ops::files::shown(out)),
    })
}

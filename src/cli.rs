//! The CLI's operations as plain functions returning text or an error, so
//! tests call them without spawning a process.

use butie_core::cases::run_cases;
use butie_core::engine::{evaluate, to_json};
use butie_core::policy::{load_pack, Lang, Pack, PolicyError};
use butie_core::profile::{check_year, parse_profile, InputError, Problem, Profile};
use std::path::Path;

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
}

fn policy_err(e: PolicyError) -> CliError {
    CliError { code: 2, message: e.to_string() }
}

/// Read a text file, with errors worded for people.
pub fn read_text(path: &Path, what: &str, lang: Lang) -> Result<String, CliError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let why = match (e.kind(), lang) {
            (std::io::ErrorKind::NotFound, Lang::Zh) => "文件不存在".to_string(),
            (std::io::ErrorKind::NotFound, Lang::En) => "no such file".to_string(),
            (std::io::ErrorKind::PermissionDenied, Lang::Zh) => "没有读取权限".to_string(),
            (std::io::ErrorKind::PermissionDenied, Lang::En) => "permission denied".to_string(),
            (_, Lang::Zh) => format!("无法读取（{e}）"),
            (_, Lang::En) => format!("cannot read ({e})"),
        };
        CliError::usage(format!("{what} {}: {why}", path.display()))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        CliError::usage(match lang {
            Lang::Zh => format!("{what} {}: 不是 UTF-8 编码的文本", path.display()),
            Lang::En => format!("{what} {}: not UTF-8 text", path.display()),
        })
    })
}

/// The bundled packs, or every `*.toml` in `dir` (sorted by name).
pub fn load_policies(dir: Option<&Path>, lang: Lang) -> Result<Vec<Pack>, CliError> {
    match dir {
        None => butie_core::bundled_packs().map_err(policy_err),
        Some(d) => {
            let files = policy_files(d, lang)?;
            let mut texts = Vec::new();
            for f in &files {
                texts.push((f.display().to_string(), read_text(f, "policy", lang)?));
            }
            butie_core::load_packs(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(policy_err)
        }
    }
}

fn policy_files(d: &Path, lang: Lang) -> Result<Vec<std::path::PathBuf>, CliError> {
    let rd = std::fs::read_dir(d).map_err(|e| {
        CliError::usage(match lang {
            Lang::Zh => format!("政策目录 {}: 无法打开（{e}）", d.display()),
            Lang::En => format!("policy directory {}: cannot open ({e})", d.display()),
        })
    })?;
    let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    if files.is_empty() {
        return Err(CliError::usage(match lang {
            Lang::Zh => format!("政策目录 {}: 没有 .toml 政策文件", d.display()),
            Lang::En => format!("policy directory {}: no .toml policy files", d.display()),
        }));
    }
    Ok(files)
}

/// Read a profile file and settle the year (`--year` wins over the file's).
pub fn read_profile(path: &Path, year: Option<i64>, packs: &[Pack], lang: Lang) -> Result<(Profile, i32), CliError> {
    let text = read_text(path, if lang == Lang::Zh { "企业资料文件" } else { "profile" }, lang)?;
    let profile = parse_profile(&text, packs).map_err(|e| CliError::input(&e, lang))?;
    let year = match (year, profile.year) {
        (Some(y), _) => check_year("--year", y).map_err(|e| CliError::input(&e, lang))?,
        (None, Some(y)) => y,
        (None, None) => return Err(CliError::input(&InputError::new("year", Problem::Missing), lang)),
    };
    Ok((profile, year))
}

pub fn evaluate_cmd(
    profile_path: &Path,
    year: Option<i64>,
    json: bool,
    explain: bool,
    policies: Option<&Path>,
    lang: Lang,
) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let (profile, year) = read_profile(profile_path, year, &packs, lang)?;
    let ev = evaluate(&packs, &profile, year, lang);
    if json {
        Ok(serde_json::to_string_pretty(&to_json(&ev)).expect("JSON values always serialize") + "\n")
    } else {
        Ok(crate::table::render(&ev, &packs, &profile, lang, explain))
    }
}

pub fn policies_cmd(policies: Option<&Path>, json: bool, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
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
        return Ok(serde_json::to_string_pretty(&v).expect("JSON values always serialize") + "\n");
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
            &p.content_hash[..12]
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
pub fn check_policies_cmd(dir: &Path, lang: Lang) -> Result<String, CliError> {
    let files = policy_files(dir, lang)?;
    let mut report = String::new();
    let mut failures = Vec::new();
    let mut packs = Vec::new();
    for f in &files {
        let text = read_text(f, "policy", lang)?;
        match load_pack(&f.display().to_string(), &text) {
            Ok(p) => packs.push(p),
            Err(e) => failures.push(e.to_string()),
        }
    }
    if let Err(e) = butie_core::policy::check_set(&packs) {
        failures.push(e.to_string());
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
pub fn pdf_cmd(profile_path: &Path, year: Option<i64>, out: &Path, policies: Option<&Path>, lang: Lang) -> Result<String, CliError> {
    let packs = load_policies(policies, lang)?;
    let (profile, year) = read_profile(profile_path, year, &packs, lang)?;
    // The forms are Chinese documents whatever the interface language.
    let ev = evaluate(&packs, &profile, year, Lang::Zh);
    write_pdfs(&packs, &profile, &ev, out)
}

/// Shared by every front end that has an evaluation in hand.
pub fn write_pdfs(packs: &[Pack], profile: &Profile, ev: &butie_core::Evaluation, out: &Path) -> Result<String, CliError> {
    let fonts = butie_pdf::Fonts::load_default().map_err(|e| CliError::usage(e.0))?;
    let cx = butie_pdf::Context { packs, profile, evaluation: ev };
    let written = butie_pdf::write_all(&fonts, &cx, out).map_err(|e| CliError::usage(e.0))?;
    let mut o = String::new();
    for p in &written {
        o.push_str(&format!("{}\n", p.display()));
    }
    Ok(o)
}

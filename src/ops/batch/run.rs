//! `butie batch`: one run from a sheet to its outputs.

use super::*;

/// `butie batch`'s options.
#[derive(Debug, Clone, Default)]
pub struct BatchArgs {
    pub input: PathBuf,
    pub year: i64,
    pub out: PathBuf,
    pub pdf: Option<PathBuf>,
    pub save: bool,
    /// Worker threads; `None`: one per core.
    pub jobs: Option<usize>,
}

/// What a batch run produced: the report for stdout, one line per rejected
/// row for stderr, and the exit code (0: every row evaluated; 3: some
/// rejected, the rest written).
#[derive(Debug, Clone)]
pub struct BatchOutcome {
    pub stdout: String,
    pub stderr: Vec<String>,
    pub code: u8,
    pub errors: Vec<RowError>,
}

pub(super) fn error_line(e: &RowError, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第{}行 {}: {}", e.row, e.column, e.message),
        Lang::En => format!("row {}, {}: {}", e.row, e.column, e.message),
    }
}

/// One `butie batch` run: the sheet read, every row evaluated, the
/// results written (and saved with `--save`); the outcome's lines are in
/// the run's language, like its output file.
pub fn run(cx: &Setup, a: &BatchArgs) -> Result<BatchOutcome, Error> {
    let lang = cx.lang;
    let year = butie_core::profile::check_year("--year", a.year)?;
    if a.jobs == Some(0) {
        return Err(Error::NoJobs);
    }
    let in_kind = in_kind(&a.input)?;
    let out_kind = match extension(&a.out).as_str() {
        "jsonl" => OutKind::Jsonl,
        "csv" => OutKind::Csv,
        "xlsx" => OutKind::Xlsx,
        _ => return Err(Error::OutKind { flag: "--out", expected: &[".jsonl", ".csv", ".xlsx"] }),
    };
    if let (Ok(i), Ok(o)) = (a.input.canonicalize(), a.out.canonicalize()) {
        if i == o {
            return Err(Error::OutIsInput);
        }
    }
    check_out(cx, &a.out, Some(out_kind))?;
    let packs = cx.packs()?;
    if a.save && cx.workspace_path().exists() {
        cx.open(OpenMode::Existing)?;
    }
    let fonts = match &a.pdf {
        Some(_) => Some(butie_pdf::Fonts::load_default()?),
        None => None,
    };

    let columns = Columns::new(&packs);
    let grid = read_grid(&a.input, in_kind)?;
    let header = read_header(&a.input, &grid, &columns)?;
    if a.save {
        require_uscc_column(&a.input, &header)?;
    }
    let (mut rows, errors, read) = read_rows(cx.lang, &packs, &grid, &header, year, a.save);
    let notes = region_notes(cx, &packs, &rows, &header);
    if a.save && cx.workspace_path().exists() {
        merge_saved(&cx.open(OpenMode::Existing)?, &packs, &mut rows);
    }
    if out_kind == OutKind::Xlsx {
        let per_row: usize = packs.iter().map(|p| p.clauses.len()).sum();
        if rows.len().saturating_mul(per_row) >= XLSX_MAX_ROWS {
            return Err(Error::TooManyForXlsx { rows: rows.len(), per_row, max_rows: XLSX_MAX_ROWS });
        }
    }
    if let Some(dir) = &a.pdf {
        check_pdf_dir(dir)?;
    }

    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let folders = a.pdf.as_deref().map(|d| pdf_folders(d, &rows));
    let pdf = fonts.as_ref().zip(folders.as_deref());
    let done = run_all(cx, &packs, &rows, jobs, out_kind == OutKind::Jsonl, pdf);

    let mut stdout = String::new();
    let mut stderr: Vec<String> = errors.iter().map(|e| error_line(e, lang)).collect();
    stderr.extend(notes);
    // The results are written first: a result file that cannot be written
    // then stops the run before anything is saved.
    let bytes = write_outputs(cx, out_kind, &rows, &done, &errors)?;
    write_out(cx, &a.out, &bytes)?;
    if a.save && !rows.is_empty() {
        let sheet = sheet_rows(&rows);
        let ws_path = cx.workspace_path();
        let created = !ws_path.exists();
        let mut w = cx.open(OpenMode::CreateIfMissing)?;
        if created {
            stdout.push_str(&match lang {
                Lang::Zh => format!("已新建工作区 {}\n", shown(&ws_path)),
                Lang::En => format!("created the workspace {}\n", shown(&ws_path)),
            });
        }
        let saved = w.save_rows(&sheet, &packs).map_err(|e| Error::NotSaved {
            out: a.out.clone(),
            notes: stderr.clone(),
            source: Box::new(Error::Store(e)),
        })?;
        for (r, s) in rows.iter().zip(&saved) {
            let c = &r.profile.company;
            let who = format!("{} {}", c.uscc.as_deref().unwrap_or(""), c.name);
            let what = match (s, lang) {
                (RowSaved::Added(id), Lang::Zh) => format!("新增企业 #{id}"),
                (RowSaved::Added(id), Lang::En) => format!("added company #{id}"),
                (RowSaved::Updated(id), Lang::Zh) => format!("已更新企业 #{id}"),
                (RowSaved::Updated(id), Lang::En) => format!("updated company #{id}"),
                (RowSaved::Unchanged(id), Lang::Zh) => format!("企业 #{id} 已是这些内容，未改动"),
                (RowSaved::Unchanged(id), Lang::En) => format!("company #{id} unchanged (already holds this)"),
            };
            stdout.push_str(&match lang {
                Lang::Zh => format!("第{}行 {who}（{} 年度）：{what}\n", r.row, r.year),
                Lang::En => format!("row {} {who} ({}): {what}\n", r.row, r.year),
            });
        }
        let (added, updated, same) = count_companies(&saved);
        let ws = shown(&cx.workspace_path());
        stdout.push_str(&match lang {
            Lang::Zh => format!("已保存到工作区 {ws}：新增 {added} 家，更新 {updated} 家，未改动 {same} 家（一次事务）\n"),
            Lang::En => format!("saved in the workspace {ws}: {added} added, {updated} updated, {same} unchanged (one transaction)\n"),
        });
    }

    let mut code = if errors.is_empty() { 0 } else { 3 };
    if let Some(dir) = &a.pdf {
        let mut files = 0;
        let mut companies = std::collections::BTreeSet::new();
        for ((r, d), f) in rows.iter().zip(&done).zip(folders.iter().flatten()) {
            match &d.pdf {
                Some(Ok(n)) => {
                    files += n;
                    companies.insert(f.clone());
                }
                Some(Err(m)) => {
                    code = 2;
                    stderr.push(match lang {
                        Lang::Zh => format!("第{}行 PDF 未写出: {m}", r.row),
                        Lang::En => format!("row {}: PDFs not written: {m}", r.row),
                    });
                }
                None => {}
            }
        }
        stdout.push_str(&match lang {
            Lang::Zh => format!("PDF：{} 家企业，{files} 个文件，写入 {}\n", companies.len(), shown(dir)),
            Lang::En => format!("PDFs: {} companies, {files} files, in {}\n", companies.len(), shown(dir)),
        });
    }
    stdout.push_str(&match lang {
        Lang::Zh => format!("已测算 {} 行，拒绝 {} 行（共 {read} 行）；结果写入 {}\n", rows.len(), read - rows.len(), shown(&a.out)),
        Lang::En => format!("evaluated {} rows, rejected {} (of {read}); results in {}\n", rows.len(), read - rows.len(), shown(&a.out)),
    });
    Ok(BatchOutcome { stdout, stderr, code, errors })
}

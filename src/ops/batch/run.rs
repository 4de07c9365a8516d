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

/// A row whose credit code names another place than the city and
/// district given (evaluated as given).
#[derive(Debug, Clone)]
pub struct RegionNote {
    pub row: u32,
    /// The district column as the sheet names it.
    pub column: String,
    /// The place the code's division names.
    pub code_place: String,
    pub city: String,
    pub district: String,
}

/// A row saved with `--save`.
#[derive(Debug, Clone)]
pub struct SavedRow {
    pub row: u32,
    /// Credit code and name.
    pub who: String,
    pub year: i32,
    pub saved: RowSaved,
}

/// The PDFs of `--pdf`.
#[derive(Debug)]
pub struct PdfReport {
    pub dir: PathBuf,
    pub companies: usize,
    pub files: usize,
    /// Rows whose PDFs could not be written.
    pub failed: Vec<(u32, FileError)>,
}

/// What a batch run did, as data; the front end words it.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Rows refused, each with its column and message.
    pub errors: Vec<RowError>,
    pub notes: Vec<RegionNote>,
    /// Rows read and rows evaluated.
    pub read: usize,
    pub evaluated: usize,
    pub out: PathBuf,
    /// The workspace made by this run's `--save`.
    pub created_workspace: Option<PathBuf>,
    /// With `--save`: the workspace and each row's fate.
    pub saved: Option<(PathBuf, Vec<SavedRow>)>,
    pub pdf: Option<PdfReport>,
}

impl BatchOutcome {
    /// 0: every row evaluated; 3: some refused, the rest written; 2: PDFs
    /// of some rows not written.
    pub fn code(&self) -> u8 {
        if self.pdf.as_ref().is_some_and(|p| !p.failed.is_empty()) {
            2
        } else if self.errors.is_empty() {
            0
        } else {
            3
        }
    }
}

/// One `butie batch` run: the sheet read, every row evaluated, the
/// results written in the run's language (and saved with `--save`).
pub fn run(cx: &Setup, a: &BatchArgs) -> Result<BatchOutcome, Error> {
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
    let notes = region_notes(cx.lang, &packs, &rows, &header);
    if a.save && cx.workspace_path().exists() {
        merge_saved(&cx.open(OpenMode::Existing)?, &packs, &mut rows);
    }
    if out_kind == OutKind::Xlsx {
        // 明细 lists each row's clauses of the packs of its own city (other
        // places' are left out), so a sheet of one region fits many more rows.
        let clauses_of =
            |r: &Accepted| -> usize { packs.iter().filter(|p| p.covers_city(&r.profile.company.city)).map(|p| p.clauses.len()).sum() };
        let detail: usize = rows.iter().map(clauses_of).sum();
        if detail >= XLSX_MAX_ROWS {
            let per_row = rows.iter().map(clauses_of).max().unwrap_or(0);
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

    let mut outcome =
        BatchOutcome { errors, notes, read, evaluated: rows.len(), out: a.out.clone(), created_workspace: None, saved: None, pdf: None };
    // The results are written first: a result file that cannot be written
    // then stops the run before anything is saved.
    let bytes = write_outputs(cx, out_kind, &rows, &done, &outcome.errors)?;
    write_out(cx, &a.out, &bytes)?;
    if a.save && !rows.is_empty() {
        let sheet = sheet_rows(&rows);
        let ws_path = cx.workspace_path();
        let created = !ws_path.exists();
        let mut w = cx.open(OpenMode::CreateIfMissing)?;
        if created {
            outcome.created_workspace = Some(ws_path.clone());
        }
        let saved = match w.save_rows(&sheet, &packs) {
            Ok(s) => s,
            Err(e) => {
                let (rejected, notes) = (outcome.errors, outcome.notes);
                return Err(Error::NotSaved { out: a.out.clone(), rejected, notes, source: Box::new(Error::Store(e)) });
            }
        };
        let each = rows.iter().zip(saved).map(|(r, s)| {
            let c = &r.profile.company;
            SavedRow { row: r.row, who: format!("{} {}", c.uscc.as_deref().unwrap_or(""), c.name), year: r.year, saved: s }
        });
        outcome.saved = Some((ws_path, each.collect()));
    }
    if let Some(dir) = &a.pdf {
        let mut report = PdfReport { dir: dir.clone(), companies: 0, files: 0, failed: Vec::new() };
        let mut companies = std::collections::BTreeSet::new();
        for ((r, d), f) in rows.iter().zip(done).zip(folders.iter().flatten()) {
            match d.pdf {
                Some(Ok(n)) => {
                    report.files += n;
                    companies.insert(f.clone());
                }
                Some(Err(e)) => report.failed.push((r.row, e)),
                None => {}
            }
        }
        report.companies = companies.len();
        outcome.pdf = Some(report);
    }
    Ok(outcome)
}

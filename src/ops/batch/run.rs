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
    /// Rows with every clause of every pack, their citations and working
    /// (the whole evaluation JSON); otherwise the clauses of the company's
    /// own place, without citation and working.
    pub explain: bool,
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
    /// Problems and notes past [`LISTED`], counted but not kept (a file of
    /// millions of bad rows must not fill the memory with their messages).
    pub unlisted: usize,
}

/// The most problems (and, apart, notes) a run lists on stderr and in the
/// 错误 sheet; the rest are counted.
pub const LISTED: usize = 100_000;

/// Keep `more` in `kept` up to [`LISTED`]; the number left out.
fn keep_listed<T>(kept: &mut Vec<T>, more: Vec<T>) -> usize {
    let room = LISTED.saturating_sub(kept.len());
    let left_out = more.len().saturating_sub(room);
    kept.extend(more.into_iter().take(room));
    left_out
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
    let (in_kind, out_kind) = kinds(cx, a)?;
    let packs = cx.packs()?;
    if a.save && cx.workspace_path().exists() {
        cx.open(OpenMode::Existing)?;
    }
    let fonts = match &a.pdf {
        Some(_) => Some(butie_pdf::Fonts::load_default()?),
        None => None,
    };

    let columns = Columns::new(&packs);
    let sheet = Sheet::open(&a.input, in_kind)?;
    // At most four threads a core: more only wait, each holding its chunks.
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let jobs = a.jobs.unwrap_or(cores).min(4 * cores);
    let mut outcome = BatchOutcome {
        errors: Vec::new(),
        notes: Vec::new(),
        read: 0,
        evaluated: 0,
        out: a.out.clone(),
        created_workspace: None,
        saved: None,
        pdf: None,
        unlisted: 0,
    };
    // `--save` and `--pdf` keep the rows (saving is one transaction; a
    // company's PDF folder is named against the companies before it); any
    // other run streams them.
    let (header, mut input) = if a.save || a.pdf.is_some() {
        let (header, rows, errors, read) = read_kept(cx, a, &sheet, &columns, &packs, year, out_kind)?;
        (outcome.errors, outcome.read) = (errors, read);
        (header, Input::Kept(rows))
    } else {
        let s = scan(&a.input, &sheet, &columns, cx.lang, &packs, year)?;
        if out_kind == OutKind::Xlsx && s.detail_lines >= XLSX_MAX_ROWS {
            return Err(Error::TooManyForXlsx { rows: s.read, per_row: s.most_lines, max_rows: XLSX_MAX_ROWS });
        }
        outcome.read = s.read;
        (s.header.clone(), Input::Streamed(s))
    };
    if let Some(dir) = &a.pdf {
        check_pdf_dir(dir)?;
    }
    let (to_do, saving) = match &input {
        Input::Kept(rows) => (rows.len(), a.save.then(|| (sheet_rows(rows), saved_who(rows)))),
        Input::Streamed(s) => (s.read, None),
    };
    let index = fact_index(&packs);
    let duplicates = match &mut input {
        Input::Streamed(s) => std::mem::take(&mut s.duplicates),
        Input::Kept(_) => HashMap::new(),
    };
    let worker = Worker {
        cx,
        packs: &packs,
        reader: RowReader { lang: cx.lang, packs: &packs, index: &index, header: &header, year, need_uscc: a.save },
        duplicates: &duplicates,
        out: out_kind,
        explain: a.explain,
        fonts: fonts.as_ref(),
        spare: std::sync::Mutex::new(Vec::new()),
    };

    // The results are written first: a result file that cannot be written
    // then stops the run before anything is saved.
    let bar = progress(cx.lang, to_do);
    let mut sink = Sink::open(cx, out_kind, &a.out, to_do)?;
    let mut errors = std::mem::take(&mut outcome.errors);
    let mut report = a.pdf.as_ref().map(|dir| PdfReport { dir: dir.clone(), companies: 0, files: 0, failed: Vec::new() });
    let mut companies = std::collections::BTreeSet::new();
    let feed = |give: &mut dyn FnMut(Vec<Job>) -> bool| match input {
        Input::Kept(rows) => {
            let folders = a.pdf.as_deref().map(|d| pdf_folders(d, &rows));
            feed_rows(rows, folders, give)
        }
        Input::Streamed(s) => feed_sheet(&a.input, &sheet, &s, give),
    };
    ordered_pipeline(
        jobs,
        feed,
        |chunk| worker.chunk(chunk),
        |mut done: ChunkOut| {
            sink.write(&done)?;
            worker.give_back(std::mem::take(&mut done.bytes));
            let refused: std::collections::BTreeSet<u32> = done.errors.iter().map(|e| e.row).collect();
            bar.inc((done.evaluated + refused.len()) as u64);
            outcome.evaluated += done.evaluated;
            outcome.unlisted += keep_listed(&mut errors, done.errors);
            outcome.unlisted += keep_listed(&mut outcome.notes, done.notes);
            if let Some(report) = report.as_mut() {
                report.tally(done.pdf, &mut companies);
            }
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    // Kept rows were refused before the stream (duplicates, conflicts),
    // streamed ones during it: listed in row order either way.
    errors.sort_by_key(|e| e.row);
    // A file put at the output's name during the run is not replaced
    // unless this command wrote it.
    check_out(cx, &a.out, Some(out_kind))?;
    sink.finish(&errors, outcome.unlisted)?;
    outcome.errors = errors;

    if let Some((sheet_rows, who)) = saving.filter(|(r, _)| !r.is_empty()) {
        save_kept(cx, a, &packs, &sheet_rows, who, &mut outcome)?;
    }
    if let Some(mut report) = report {
        report.companies = companies.len();
        outcome.pdf = Some(report);
    }
    Ok(outcome)
}

/// The kinds of the input and the output, and the output checked: one
/// this command may write.
fn kinds(cx: &Setup, a: &BatchArgs) -> Result<(InKind, OutKind), Error> {
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
    Ok((in_kind, out_kind))
}

impl PdfReport {
    /// A chunk's PDFs counted: files, companies (by folder) and failures.
    fn tally(&mut self, pdf: Vec<(u32, PathBuf, Result<usize, FileError>)>, companies: &mut std::collections::BTreeSet<PathBuf>) {
        for (row, folder, r) in pdf {
            match r {
                Ok(n) => {
                    self.files += n;
                    companies.insert(folder);
                }
                Err(e) => self.failed.push((row, e)),
            }
        }
    }
}

/// With `--save` or `--pdf`: every row read first (and, saving, merged with
/// what the workspace holds); the header, the rows accepted, the rows
/// refused and how many were read.
#[allow(clippy::type_complexity)]
fn read_kept<'p>(
    cx: &Setup,
    a: &BatchArgs,
    sheet: &Sheet,
    columns: &Columns<'p>,
    packs: &'p [Pack],
    year: i32,
    out_kind: OutKind,
) -> Result<(Header<'p>, Vec<Accepted>, Vec<RowError>, usize), Error> {
    let grid = read_grid_of(&a.input, sheet)?;
    let header = read_header(&a.input, &grid, columns)?;
    if a.save {
        require_uscc_column(&a.input, &header)?;
    }
    let (mut rows, errors, read) = read_rows(cx.lang, packs, &grid, &header, year, a.save);
    if a.save && cx.workspace_path().exists() {
        merge_saved(&cx.open(OpenMode::Existing)?, packs, &mut rows);
    }
    if out_kind == OutKind::Xlsx {
        // 明细 lists each row's clauses of the packs of its own city (other
        // places' are left out), so a sheet of one region fits many more rows.
        let clauses_of = |r: &Accepted| detail_lines(packs, &r.profile.company.city);
        let detail: usize = rows.iter().map(clauses_of).sum();
        if detail >= XLSX_MAX_ROWS {
            let per_row = rows.iter().map(clauses_of).max().unwrap_or(0);
            return Err(Error::TooManyForXlsx { rows: rows.len(), per_row, max_rows: XLSX_MAX_ROWS });
        }
    }
    Ok((header, rows, errors, read))
}

/// `--save`: the rows saved in one transaction, each row's fate kept.
fn save_kept(
    cx: &Setup,
    a: &BatchArgs,
    packs: &[Pack],
    sheet_rows: &[SheetRow],
    who: Vec<(u32, String, i32)>,
    outcome: &mut BatchOutcome,
) -> Result<(), Error> {
    let ws_path = cx.workspace_path();
    let created = !ws_path.exists();
    let mut w = cx.open(OpenMode::CreateIfMissing)?;
    if created {
        outcome.created_workspace = Some(ws_path.clone());
    }
    let saved = match w.save_rows(sheet_rows, packs) {
        Ok(s) => s,
        Err(e) => {
            let (rejected, notes) = (std::mem::take(&mut outcome.errors), std::mem::take(&mut outcome.notes));
            return Err(Error::NotSaved { out: a.out.clone(), rejected, notes, source: Box::new(Error::Store(e)) });
        }
    };
    let each = who.into_iter().zip(saved).map(|((row, who, year), saved)| SavedRow { row, who, year, saved });
    outcome.saved = Some((ws_path, each.collect()));
    Ok(())
}

/// The rows of a run: kept (read whole first) or streamed (scanned first).
enum Input<'p> {
    Kept(Vec<Accepted>),
    Streamed(Scan<'p>),
}

/// Row, "USCC name" and year of each row saved.
fn saved_who(rows: &[Accepted]) -> Vec<(u32, String, i32)> {
    rows.iter()
        .map(|r| {
            let c = &r.profile.company;
            (r.row, format!("{} {}", c.uscc.as_deref().unwrap_or(""), c.name), r.year)
        })
        .collect()
}

/// A progress bar on a terminal, nothing otherwise.
fn progress(lang: Lang, n: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || n == 0 {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(n as u64);
    let template =
        if lang == Lang::Zh { "{bar:40} {pos}/{len} 行  {elapsed_precise}" } else { "{bar:40} {pos}/{len} rows  {elapsed_precise}" };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        b.set_style(style);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_past_the_listed_are_counted_not_kept() {
        let mut kept: Vec<u32> = (0..LISTED as u32 - 2).collect();
        assert_eq!(keep_listed(&mut kept, vec![1, 2, 3, 4, 5]), 3);
        assert_eq!(kept.len(), LISTED);
        assert_eq!(keep_listed(&mut kept, vec![6]), 1);
        assert_eq!(kept.len(), LISTED);
        let mut few = Vec::new();
        assert_eq!(keep_listed(&mut few, vec![1, 2]), 0);
        assert_eq!(few, [1, 2]);
    }
}

//! A spreadsheet read row by row, as many times as a run needs (a scan,
//! then the rows): a `.csv` straight from the file, an `.xlsx` from its
//! bytes through the reader's streaming cell reader. Nothing here holds
//! more than one row, so a file of any number of rows reads in constant
//! memory.

use super::*;
use crate::ops::FileRole;

/// The most one `.csv` record may hold: a row is a company-year, a few
/// kilobytes at most; a single huge field is refused before it is kept.
pub const CSV_ROW_LIMIT: u64 = 4 * 1024 * 1024;

/// An opened spreadsheet.
pub(super) enum Sheet {
    Csv {
        path: PathBuf,
        /// Size and modification time when opened: a file that changes
        /// between two readings is refused rather than read half old.
        stamp: (u64, Option<std::time::SystemTime>),
    },
    Xlsx {
        bytes: Vec<u8>,
        layout: Layout,
    },
}

/// Where an `.xlsx` sheet's cells are: the header's row, the first and last
/// column read (nothing right of the header's last cell can be read).
#[derive(Clone, Copy)]
pub(super) struct Layout {
    first_row: u32,
    first_col: u32,
    last_col: u32,
    empty: bool,
}

/// What [`Sheet::each_row`] calls back with: the 1-based row number and
/// the cells from the sheet's first column; `Ok(false)` stops the reading.
pub(super) type RowFn<'f> = dyn FnMut(u32, Vec<Cell>) -> Result<bool, Error> + 'f;

fn stamp(path: &Path) -> Result<(u64, Option<std::time::SystemTime>), Error> {
    let (_, meta) = crate::files::open_regular(path).map_err(Error::file(FileRole::Spreadsheet))?;
    Ok((meta.len(), meta.modified().ok()))
}

/// The reader's own words ("Zip error: … EOCD", "File is larger than its
/// declared uncompressed size") mean nothing to a clerk; what to do does.
fn not_sheet(path: &Path, e: &dyn std::fmt::Display) -> Error {
    let words = e.to_string();
    if words.contains("Zip") || words.contains("uncompressed size") {
        Error::sheet(path, SheetProblem::XlsxDamaged)
    } else {
        Error::sheet(path, SheetProblem::Xlsx { detail: e.to_string() })
    }
}

fn first_sheet<R: std::io::Read + std::io::Seek>(path: &Path, wb: &calamine::Xlsx<R>) -> Result<String, Error> {
    use calamine::Reader;
    wb.sheet_names().first().cloned().ok_or_else(|| Error::sheet(path, SheetProblem::NoSheet))
}

impl Sheet {
    pub(super) fn open(path: &Path, kind: InKind) -> Result<Sheet, Error> {
        match kind {
            InKind::Csv => Ok(Sheet::Csv { path: path.to_path_buf(), stamp: stamp(path)? }),
            InKind::Xlsx => {
                let bytes = read_limited(path, IMPORT_LIMIT).map_err(Error::file(FileRole::Spreadsheet))?;
                if unpacked_too_large(&bytes) {
                    return Err(Error::sheet(path, SheetProblem::XlsxTooLargeUnpacked { limit: XLSX_UNPACKED_LIMIT }));
                }
                let layout = xlsx_layout(path, &bytes)?;
                Ok(Sheet::Xlsx { bytes, layout })
            }
        }
    }

    /// The sheet's first column (`A` is 0): column letters in messages count from it.
    pub(super) fn first_col(&self) -> u32 {
        match self {
            Sheet::Csv { .. } => 0,
            Sheet::Xlsx { layout, .. } => layout.first_col,
        }
    }

    /// Every row in order, the header first; rows without any cell may be
    /// left out (their numbers are skipped).
    pub(super) fn each_row(&self, path: &Path, f: &mut RowFn<'_>) -> Result<(), Error> {
        match self {
            Sheet::Csv { path: p, stamp: at_open } => {
                csv_rows(p, f)?;
                // Read again later (or changed while read): the same file, or nothing.
                if stamp(p)? != *at_open {
                    return Err(Error::sheet(path, SheetProblem::ChangedWhileRead));
                }
                Ok(())
            }
            Sheet::Xlsx { bytes, layout } => xlsx_rows(path, bytes, *layout, f),
        }
    }
}

/// Counts what the CSV reader takes from the file, and refuses a record
/// that runs past [`CSV_ROW_LIMIT`] (the reader would keep it whole).
struct RecordGuard<R> {
    inner: R,
    read: u64,
    record_start: std::rc::Rc<std::cell::Cell<u64>>,
}

/// The error a [`RecordGuard`] stops the reader with.
#[derive(Debug)]
struct RecordTooLarge;

impl std::fmt::Display for RecordTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too large")
    }
}

impl std::error::Error for RecordTooLarge {}

impl<R: std::io::Read> std::io::Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read.saturating_sub(self.record_start.get()) > CSV_ROW_LIMIT {
            return Err(std::io::Error::other(RecordTooLarge));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

fn csv_rows(path: &Path, f: &mut RowFn<'_>) -> Result<(), Error> {
    let (file, _) = crate::files::open_regular(path).map_err(Error::file(FileRole::Spreadsheet))?;
    let record_start = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let guard = RecordGuard { inner: std::io::BufReader::with_capacity(64 * 1024, file), read: 0, record_start: record_start.clone() };
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(guard);
    let mut rec = csv::ByteRecord::new();
    let mut row = 0u32;
    // The last record read, when a field of it holds a line break.
    let mut broken: Option<u32> = None;
    loop {
        let more = match r.read_byte_record(&mut rec) {
            Ok(more) => more,
            Err(e) => {
                let too_large = match e.kind() {
                    csv::ErrorKind::Io(io) => io.get_ref().is_some_and(|x| x.is::<RecordTooLarge>()),
                    _ => false,
                };
                if too_large {
                    return Err(Error::sheet(path, SheetProblem::RowTooLarge { row: row + 1, limit: CSV_ROW_LIMIT }));
                }
                if let csv::ErrorKind::Io(io) = e.kind() {
                    let source = std::io::Error::new(io.kind(), io.to_string());
                    return Err(Error::file(FileRole::Spreadsheet)(FileError::Unreadable { path: path.to_path_buf(), source }));
                }
                return Err(Error::sheet(path, SheetProblem::Csv { detail: e.to_string() }));
            }
        };
        if !more {
            // A quote opened and never closed takes every line after it into
            // one field, to the end of the file: said, not read as one row.
            if let Some(row) = broken {
                return Err(Error::sheet(path, SheetProblem::UnclosedQuote { row }));
            }
            return Ok(());
        }
        record_start.set(r.position().byte());
        row += 1;
        broken = rec.iter().any(|f| f.contains(&b'\n') || f.contains(&b'\r')).then_some(row);
        let mut cells = Vec::with_capacity(rec.len());
        for (i, field) in rec.iter().enumerate() {
            let field = if row == 1 && i == 0 { field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field) } else { field };
            let text = std::str::from_utf8(field).map_err(|_| Error::sheet(path, SheetProblem::CsvNotUtf8))?;
            cells.push(if text.trim().is_empty() { Cell::Empty } else { Cell::Text(text.to_string()) });
        }
        if !f(row, cells)? {
            return Ok(());
        }
    }
}

/// The value of a streamed cell; `None` for a formula cell saved without
/// its calculated value (written by a program that does not calculate),
/// which would read as empty: said, not guessed.
fn streamed(c: &calamine::XlsxCellFormulaMetadataRecord<'_>) -> Option<Cell> {
    let cell = cell_of(&calamine::Data::from(c.value.clone()));
    if c.formula.is_some() && cell == Cell::Empty {
        return None;
    }
    Some(cell)
}

/// One pass over the cells: where the header is, which columns are read,
/// and no formula without its value.
fn xlsx_layout(path: &Path, bytes: &[u8]) -> Result<Layout, Error> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| not_sheet(path, &e))?;
    let first = first_sheet(path, &wb)?;
    let mut reader = wb.worksheet_cells_reader(&first).map_err(|e| not_sheet(path, &e))?;
    let (mut first_row, mut last_col, mut first_col) = (u32::MAX, 0u32, u32::MAX);
    while let Some(c) = reader.next_cell_with_formula_metadata().map_err(|e| not_sheet(path, &e))? {
        let (r, col) = c.pos;
        let Some(cell) = streamed(&c) else {
            return Err(Error::sheet(path, SheetProblem::FormulaWithoutValue { cell: format!("{}{}", col_letter(col), r + 1) }));
        };
        if cell == Cell::Empty {
            continue;
        }
        first_col = first_col.min(col);
        match r.cmp(&first_row) {
            std::cmp::Ordering::Less => (first_row, last_col) = (r, col),
            std::cmp::Ordering::Equal => last_col = last_col.max(col),
            std::cmp::Ordering::Greater => {}
        }
    }
    let empty = first_row == u32::MAX;
    Ok(Layout { first_row, first_col: if empty { 0 } else { first_col }, last_col, empty })
}

fn xlsx_rows(path: &Path, bytes: &[u8], layout: Layout, f: &mut RowFn<'_>) -> Result<(), Error> {
    use calamine::Reader;
    if layout.empty {
        return Ok(());
    }
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| not_sheet(path, &e))?;
    let first = first_sheet(path, &wb)?;
    let mut reader = wb.worksheet_cells_reader(&first).map_err(|e| not_sheet(path, &e))?;
    // Cells arrive row by row; a row is handed on when the next one starts.
    let mut current: Option<(u32, Vec<Cell>)> = None;
    let mut last_row = 0;
    while let Some(c) = reader.next_cell_with_formula_metadata().map_err(|e| not_sheet(path, &e))? {
        let (r, col) = c.pos;
        let cell = streamed(&c).unwrap_or(Cell::Empty);
        if cell == Cell::Empty || r < layout.first_row || col > layout.last_col {
            continue;
        }
        // Every program writes a sheet's rows in order; a file that does not
        // is refused rather than read as two rows of one number.
        if r < last_row {
            return Err(Error::sheet(path, SheetProblem::Xlsx { detail: format!("row {} after row {}", r + 1, last_row + 1) }));
        }
        last_row = r;
        if current.as_ref().is_some_and(|(cr, _)| *cr != r) {
            if let Some((cr, cells)) = current.take() {
                if !f(cr + 1, cells)? {
                    return Ok(());
                }
            }
        }
        let (_, cells) = current.get_or_insert_with(|| (r, Vec::new()));
        let at = (col - layout.first_col) as usize;
        if cells.len() <= at {
            cells.resize(at + 1, Cell::Empty);
        }
        cells[at] = cell;
    }
    if let Some((cr, cells)) = current {
        f(cr + 1, cells)?;
    }
    Ok(())
}

/// The whole sheet as a grid (the window's import and `--save`, which keep
/// every row anyway).
pub(super) fn read_grid(path: &Path, kind: InKind) -> Result<Grid, Error> {
    read_grid_of(path, &Sheet::open(path, kind)?)
}

pub(super) fn read_grid_of(path: &Path, sheet: &Sheet) -> Result<Grid, Error> {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut first_row = None;
    sheet.each_row(path, &mut |row, cells| {
        let r0 = *first_row.get_or_insert(row);
        let at = (row - r0) as usize;
        if rows.len() < at {
            rows.resize(at, Vec::new());
        }
        rows.push(cells);
        Ok(true)
    })?;
    Ok(Grid { first_row: first_row.unwrap_or(1), first_col: sheet.first_col(), rows })
}

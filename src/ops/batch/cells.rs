//! Reading a spreadsheet file (.xlsx or .csv) into a grid of cells.

use super::*;
use crate::ops::FileRole;

/// A cell as read, before it is given a meaning by its column.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Text(String),
    /// A number cell, as the decimal text it is read as.
    Num(String),
    Bool(bool),
    /// A formula error (`#DIV/0!`).
    Error(String),
}

/// A number cell's `f64` as decimal text: the shortest digits that read
/// back as the same `f64`, never in exponent form (Rust's `Display`).
pub(super) fn float_text(f: f64) -> String {
    if f.is_finite() {
        format!("{f}")
    } else {
        f.to_string()
    }
}

pub(super) fn cell_of(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Num(float_text(*f)),
        Data::Int(i) => Cell::Num(i.to_string()),
        Data::Bool(b) => Cell::Bool(*b),
        // A date where a number or a name belongs: shown as the date it is,
        // which no number field reads.
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Cell::Text(format!("{y:04}-{m:02}-{d:02}"))
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// The rows of the sheet read: cells from `first_col` on; `first_row` is the
/// 1-based number of `rows[0]` (the header).
pub(super) struct Grid {
    pub(super) first_row: u32,
    pub(super) first_col: u32,
    pub(super) rows: Vec<Vec<Cell>>,
}

pub(super) fn read_grid(path: &Path, kind: InKind) -> Result<Grid, Error> {
    let bytes = read_limited(path, IMPORT_LIMIT).map_err(Error::file(FileRole::Spreadsheet))?;
    match kind {
        InKind::Csv => {
            let text = std::str::from_utf8(&bytes).map_err(|_| Error::sheet(path, SheetProblem::CsvNotUtf8))?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| Error::sheet(path, SheetProblem::Csv { detail: e.to_string() }))?;
                rows.push(rec.iter().map(|s| if s.trim().is_empty() { Cell::Empty } else { Cell::Text(s.to_string()) }).collect());
            }
            Ok(Grid { first_row: 1, first_col: 0, rows })
        }
        InKind::Xlsx => {
            use calamine::Reader;
            let not_sheet = |e: &dyn std::fmt::Display| {
                // The reader's own words ("Zip error: … EOCD") mean nothing to
                // a clerk; what to do does.
                let zip = e.to_string().contains("Zip");
                if zip {
                    Error::sheet(path, SheetProblem::XlsxDamaged)
                } else {
                    Error::sheet(path, SheetProblem::Xlsx { detail: e.to_string() })
                }
            };
            let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| not_sheet(&e))?;
            let Some(first) = wb.sheet_names().first().cloned() else {
                return Err(Error::sheet(path, SheetProblem::NoSheet));
            };
            // Cells are streamed and only those with a value kept: a sheet's
            // declared size (one stray cell at XFD1048576) is never allocated.
            let mut cells: Vec<(u32, u32, Cell)> = Vec::new();
            {
                let mut reader = wb.worksheet_cells_reader(&first).map_err(|e| not_sheet(&e))?;
                while let Some(c) = reader.next_cell().map_err(|e| not_sheet(&e))? {
                    let (r, col) = c.get_position();
                    let cell = cell_of(&calamine::Data::from(c.get_value().clone()));
                    if cell != Cell::Empty {
                        cells.push((r, col, cell));
                    }
                }
            }
            let Some(r0) = cells.iter().map(|c| c.0).min() else {
                return Ok(Grid { first_row: 1, first_col: 0, rows: Vec::new() });
            };
            // Nothing right of the header's last cell can be read: dropped.
            let last_col = cells.iter().filter(|c| c.0 == r0).map(|c| c.1).max().unwrap_or(0);
            cells.retain(|c| c.1 <= last_col);
            let c0 = cells.iter().map(|c| c.1).min().unwrap_or(0);
            let r1 = cells.iter().map(|c| c.0).max().unwrap_or(r0);
            let mut rows: Vec<Vec<Cell>> = (r0..=r1).map(|_| Vec::new()).collect();
            for (r, col, cell) in cells {
                let row = &mut rows[(r - r0) as usize];
                let at = (col - c0) as usize;
                if row.len() <= at {
                    row.resize(at + 1, Cell::Empty);
                }
                row[at] = cell;
            }
            Ok(Grid { first_row: r0 + 1, first_col: c0, rows })
        }
    }
}

/// The kind of spreadsheet a file is, by its extension.
pub(super) fn in_kind(path: &Path) -> Result<InKind, Error> {
    match extension(path).as_str() {
        "xlsx" => Ok(InKind::Xlsx),
        "csv" => Ok(InKind::Csv),
        _ => Err(Error::sheet(path, SheetProblem::NotSpreadsheet)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum InKind {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum OutKind {
    Jsonl,
    Csv,
    Xlsx,
}

pub(super) fn extension(p: &Path) -> String {
    p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

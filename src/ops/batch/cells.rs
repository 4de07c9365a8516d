//! Reading a spreadsheet file (.xlsx or .csv) into a grid of cells.

use super::*;

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

/// The most an `.xlsx` may unpack to, all its parts together.
pub const XLSX_UNPACKED_LIMIT: u64 = 512 * 1024 * 1024;
/// The most one part of it (a sheet, its shared strings) may unpack to.
pub const XLSX_PART_LIMIT: u64 = 256 * 1024 * 1024;

/// Whether the zip directory of an `.xlsx` declares more unpacked bytes
/// than the reader takes ([`XLSX_UNPACKED_LIMIT`], [`XLSX_PART_LIMIT`]). A
/// file whose directory cannot be read is left to the reader to refuse.
pub(super) fn unpacked_too_large(zip: &[u8]) -> bool {
    zip_unpacked_sizes(zip).is_some_and(|sizes| {
        sizes.iter().any(|&n| n > XLSX_PART_LIMIT) || sizes.iter().fold(0u64, |a, &n| a.saturating_add(n)) > XLSX_UNPACKED_LIMIT
    })
}

fn le16(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 2).map(|s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}
fn le32(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4).map(|s| u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}
fn le64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8).and_then(|s| s.try_into().ok()).map(u64::from_le_bytes)
}

/// The unpacked size of every entry, read from the zip's central directory
/// (with ZIP64 sizes); `None` when it cannot be read.
fn zip_unpacked_sizes(b: &[u8]) -> Option<Vec<u64>> {
    // The end-of-central-directory record, within its comment's reach of the end.
    let from = b.len().saturating_sub(22 + 65_535);
    let eocd = (from..b.len().saturating_sub(21)).rev().find(|&i| b.get(i..i + 4) == Some(&[0x50, 0x4b, 0x05, 0x06][..]))?;
    let (mut count, mut offset) = (le16(b, eocd + 10)?, le32(b, eocd + 16)?);
    if count == 0xFFFF || offset == 0xFFFF_FFFF {
        // ZIP64: the locator just before points at the ZIP64 record.
        let loc = eocd.checked_sub(20)?;
        if b.get(loc..loc + 4) != Some(&[0x50, 0x4b, 0x06, 0x07][..]) {
            return None;
        }
        let rec = usize::try_from(le64(b, loc + 8)?).ok()?;
        count = le64(b, rec + 32)?;
        offset = le64(b, rec + 48)?;
    }
    let mut at = usize::try_from(offset).ok()?;
    let mut sizes = Vec::new();
    for _ in 0..count.min(1_000_000) {
        if b.get(at..at + 4) != Some(&[0x50, 0x4b, 0x01, 0x02][..]) {
            return None;
        }
        let mut size = le32(b, at + 24)?;
        let (name, extra, comment) = (le16(b, at + 28)? as usize, le16(b, at + 30)? as usize, le16(b, at + 32)? as usize);
        if size == 0xFFFF_FFFF {
            // The ZIP64 extra field (id 1) holds the real size first.
            let mut e = at + 46 + name;
            let end = e + extra;
            while e + 4 <= end {
                let (id, len) = (le16(b, e)?, le16(b, e + 2)? as usize);
                if id == 1 {
                    size = le64(b, e + 4)?;
                    break;
                }
                e += 4 + len;
            }
        }
        sizes.push(size);
        at += 46 + name + extra + comment;
    }
    Some(sizes)
}

//! Writing the results: JSON lines, CSV or a workbook; what an existing output may be.

use super::*;
use crate::files::AtomicFile;
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use std::io::Write;

pub(super) fn money(d: Option<Decimal>) -> String {
    d.map(fmt_yuan).unwrap_or_default()
}

pub(super) fn money_f64(d: Decimal) -> f64 {
    fmt_yuan(d).parse().unwrap_or(0.0)
}

pub(super) fn reasons_joined(r: &[String], lang: Lang) -> String {
    r.join(if lang == Lang::Zh { "；" } else { "; " })
}

pub(super) fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Writer { what: "xlsx", detail: e.to_string() }
}

/// Where a batch run's results go as they come: a `.jsonl` or `.csv`
/// through a buffer into the output's temporary file, or the workbook's
/// sheets (written in constant-memory mode, their rows on disk as they
/// come). Nothing is at the output's name until [`Sink::finish`].
pub(super) enum Sink {
    Text(std::io::BufWriter<AtomicFile>),
    Xlsx(Box<XlsxOut>),
}

impl Sink {
    pub(super) fn open(cx: &Setup, kind: OutKind, out: &Path, rows: usize) -> Result<Sink, Error> {
        let ws = cx.workspace_path();
        let file = AtomicFile::create(out, Replace::Allowed, Some(&ws)).map_err(Error::from)?;
        match kind {
            OutKind::Jsonl | OutKind::Csv => {
                let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
                if kind == OutKind::Csv {
                    // A byte-order mark, so that spreadsheet programs read the Chinese as UTF-8.
                    let mut head = b"\xEF\xBB\xBF".to_vec();
                    head.extend_from_slice(CSV_HEADER.join(",").as_bytes());
                    head.push(b'\n');
                    w.write_all(&head).map_err(|e| text_err(&w, e))?;
                }
                Ok(Sink::Text(w))
            }
            OutKind::Xlsx => Ok(Sink::Xlsx(Box::new(quietly(|| XlsxOut::new(cx.lang, file, rows))?))),
        }
    }

    pub(super) fn write(&mut self, chunk: &ChunkOut) -> Result<(), Error> {
        match self {
            Sink::Text(w) => w.write_all(&chunk.bytes).map_err(|e| text_err(w, e)),
            Sink::Xlsx(x) => quietly(|| chunk.sheet.iter().try_for_each(|l| x.push(l))),
        }
    }

    /// Put the output in place, with the 错误 sheet of a workbook.
    pub(super) fn finish(self, errors: &[RowError], unlisted: usize) -> Result<(), Error> {
        let file = match self {
            Sink::Text(mut w) => {
                w.flush().map_err(|e| text_err(&w, e))?;
                w.into_inner().map_err(|e| {
                    let (e, w) = e.into_parts();
                    text_err(&w, e)
                })?
            }
            Sink::Xlsx(x) => quietly(move || x.finish(errors, unlisted))?,
        };
        file.commit().map_err(Error::from)
    }
}

fn text_err(w: &std::io::BufWriter<AtomicFile>, e: std::io::Error) -> Error {
    Error::from(w.get_ref().error(e))
}

thread_local! {
    /// Set while the workbook writer runs on this thread: its panics are
    /// caught and said as errors, so their own message is kept quiet.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run the workbook writer, which streams rows through temporary files and
/// panics when that write fails (a full temporary folder, a file-size
/// limit): caught here and said as an error.
pub(super) fn quietly<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                before(info)
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    r.unwrap_or_else(|_| Err(Error::ScratchFull { dir: std::env::temp_dir() }))
}

/// The results workbook being written: 汇总 and 明细 row by row, 错误 at the end.
pub(super) struct XlsxOut {
    wb: Workbook,
    file: AtomicFile,
    lang: Lang,
    yuan: Format,
    summary_rows: u32,
    detail_rows: u32,
    /// Rows of the sheet read, and the most clauses one of them has: said
    /// if 明细 outgrows a worksheet.
    rows: usize,
    per_row: usize,
}

impl XlsxOut {
    fn new(lang: Lang, file: AtomicFile, rows: usize) -> Result<XlsxOut, Error> {
        let mut wb = Workbook::new();
        let summary = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        summary_head(summary, None, lang)?;
        let details = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        details_head(details, None, lang)?;
        let yuan = Format::new().set_num_format("#,##0.00");
        Ok(XlsxOut { wb, file, lang, yuan, summary_rows: 0, detail_rows: 0, rows, per_row: 0 })
    }

    fn push(&mut self, line: &SheetLine) -> Result<(), Error> {
        self.per_row = self.per_row.max(line.lines.len());
        if self.detail_rows as usize + line.lines.len() >= XLSX_MAX_ROWS {
            return Err(Error::TooManyForXlsx { rows: self.rows, per_row: self.per_row, max_rows: XLSX_MAX_ROWS });
        }
        self.summary_rows += 1;
        summary_line(self.wb.worksheet_from_index(0).map_err(xlsx_err)?, self.summary_rows, line, &self.yuan)?;
        let details = self.wb.worksheet_from_index(1).map_err(xlsx_err)?;
        for l in &line.lines {
            self.detail_rows += 1;
            detail_line(details, self.detail_rows, &line.who, l, &self.yuan, self.lang)?;
        }
        Ok(())
    }

    fn finish(mut self, errors: &[RowError], unlisted: usize) -> Result<AtomicFile, Error> {
        errors_sheet(&mut self.wb, errors, unlisted, self.lang)?;
        match self.wb.save_to_writer(self.file.file()) {
            Ok(()) => Ok(self.file),
            // A full disk is said as for any file written.
            Err(rust_xlsxwriter::XlsxError::IoError(e)) => Err(Error::from(self.file.error(e))),
            Err(e) => Err(xlsx_err(e)),
        }
    }
}

/// A text cell of a `.csv` a spreadsheet program will open: one that
/// begins like a formula (=, +, -, @, or a tab/CR before one) is written
/// behind a ' so it is shown, never run (the `.xlsx` writer stores text as
/// text already).
pub(super) fn spreadsheet_safe(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// The window's results workbook (`first` renames the first column: the
/// company's number in the workspace): 汇总, or the overview's own sheet
/// with `summary`, and 明细 with every clause of the companies' own places.
pub(super) fn results_workbook(
    cx: &Setup,
    rows: &[Accepted],
    done: &[Done],
    first: Option<(&str, &str)>,
    summary: Option<&[OverviewLine]>,
) -> Result<Vec<u8>, Error> {
    let lang = cx.lang;
    let lines: Vec<SheetLine> = rows
        .iter()
        .zip(done)
        .map(|(a, d)| SheetLine {
            who: Who::of(a),
            city: a.profile.company.city.clone(),
            district: a.profile.company.district.clone(),
            total: d.total,
            total_max: d.total_max,
            lines: d.clauses.iter().filter(|l| !l.elsewhere).cloned().collect(),
        })
        .collect();
    quietly(|| {
        let mut wb = Workbook::new();
        let yuan = Format::new().set_num_format("#,##0.00");
        match summary {
            Some(overview) => overview_sheet(&mut wb, overview, lang)?,
            None => {
                let sheet = wb.add_worksheet();
                summary_head(sheet, first, lang)?;
                for (i, l) in lines.iter().enumerate() {
                    summary_line(sheet, i as u32 + 1, l, &yuan)?;
                }
            }
        }
        let sheet = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        details_head(sheet, first, lang)?;
        let mut r = 0;
        for l in &lines {
            for c in &l.lines {
                r += 1;
                detail_line(sheet, r, &l.who, c, &yuan, lang)?;
            }
        }
        wb.save_to_buffer().map_err(xlsx_err)
    })
}

/// A header row whose first column `first` may rename, in `lang`.
pub(super) fn head_in<'a, const N: usize>(
    lang: Lang,
    zh: [&'a str; N],
    en: [&'a str; N],
    first: Option<(&'a str, &'a str)>,
) -> [&'a str; N] {
    let zh_wanted = lang == Lang::Zh;
    let mut head = if zh_wanted { zh } else { en };
    if let Some((z, e)) = first {
        head[0] = if zh_wanted { z } else { e };
    }
    head
}

/// The 汇总 sheet's name, header and widths: one line per company-year,
/// with its totals and how many clauses it meets or needs more for.
pub(super) fn summary_head(sheet: &mut Worksheet, first: Option<(&str, &str)>, lang: Lang) -> Result<(), Error> {
    let bold = Format::new().set_bold();
    sheet.set_name(RESULT_SHEETS[0]).map_err(xlsx_err)?;
    let head = head_in(
        lang,
        [
            "行号",
            "统一社会信用代码",
            "企业名称",
            "年度",
            "城市",
            "区县",
            "测算合计（元）",
            "最高合计（元）",
            "符合条件条款数",
            "待补充条款数",
        ],
        [
            "row",
            "credit code",
            "company",
            "year",
            "city",
            "district",
            "total (yuan)",
            "total max (yuan)",
            "eligible clauses",
            "clauses needing input",
        ],
        first,
    );
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (col, w) in [(1u16, 22.0), (2, 36.0), (6, 16.0), (7, 16.0)] {
        sheet.set_column_width(col, w).map_err(xlsx_err)?;
    }
    sheet.write_row_with_format(0, 0, head, &bold).map_err(xlsx_err)?;
    Ok(())
}

/// The 明细 sheet's name, header and widths: one row per clause (320,000
/// for 10,000 companies), written in constant-memory mode with inline
/// strings rather than kept whole with a shared string table.
pub(super) fn details_head(sheet: &mut Worksheet, first: Option<(&str, &str)>, lang: Lang) -> Result<(), Error> {
    let bold = Format::new().set_bold();
    sheet.set_name(RESULT_SHEETS[1]).map_err(xlsx_err)?;
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (col, w) in [(1u16, 22.0), (2, 30.0), (4, 32.0), (5, 30.0), (7, 16.0), (8, 16.0), (11, 80.0)] {
        sheet.set_column_width(col, w).map_err(xlsx_err)?;
    }
    let head = head_in(
        lang,
        [
            "行号",
            "统一社会信用代码",
            "企业名称",
            "年度",
            "条款",
            "条款名称",
            "状态",
            "金额（元）",
            "最高金额（元）",
            "因就高被排除",
            "待补充事实",
            "理由",
        ],
        [
            "row",
            "credit code",
            "company",
            "year",
            "clause",
            "title",
            "status",
            "amount (yuan)",
            "amount max (yuan)",
            "excluded by",
            "missing facts",
            "reasons",
        ],
        first,
    );
    sheet.write_row_with_format(0, 0, head, &bold).map_err(xlsx_err)?;
    Ok(())
}

/// The company-year a line of 汇总 or 明细 is about.
pub(super) struct Who {
    pub(super) row: u32,
    pub(super) uscc: String,
    pub(super) name: String,
    pub(super) year: i32,
}

impl Who {
    pub(super) fn of(a: &Accepted) -> Who {
        let c = &a.profile.company;
        Who { row: a.row, uscc: c.uscc.clone().unwrap_or_default(), name: c.name.clone(), year: a.year }
    }
}

/// One clause of one company-year on the 明细 sheet (an amount cell only
/// when there is an amount).
pub(super) fn detail_line(sheet: &mut Worksheet, r: u32, who: &Who, l: &ClauseLine, yuan: &Format, lang: Lang) -> Result<(), Error> {
    sheet.write_number(r, 0, who.row).map_err(xlsx_err)?;
    sheet.write_string(r, 1, &who.uscc).map_err(xlsx_err)?;
    sheet.write_string(r, 2, &who.name).map_err(xlsx_err)?;
    sheet.write_number(r, 3, who.year).map_err(xlsx_err)?;
    sheet.write_string(r, 4, &l.id).map_err(xlsx_err)?;
    sheet.write_string(r, 5, &l.title).map_err(xlsx_err)?;
    sheet.write_string(r, 6, explain::status_word(l.status, false, lang)).map_err(xlsx_err)?;
    if let Some(x) = l.amount {
        sheet.write_number_with_format(r, 7, money_f64(x), yuan).map_err(xlsx_err)?;
    }
    if let Some(x) = l.amount_max {
        sheet.write_number_with_format(r, 8, money_f64(x), yuan).map_err(xlsx_err)?;
    }
    sheet.write_string(r, 9, l.excluded_by.as_deref().unwrap_or("")).map_err(xlsx_err)?;
    sheet.write_string(r, 10, l.missing.join(", ")).map_err(xlsx_err)?;
    sheet.write_string(r, 11, reasons_joined(&l.reasons, lang)).map_err(xlsx_err)?;
    Ok(())
}

/// One company-year on the 汇总 sheet.
pub(super) fn summary_line(sheet: &mut Worksheet, r: u32, line: &SheetLine, yuan: &Format) -> Result<(), Error> {
    let who = &line.who;
    sheet.write_number(r, 0, who.row).map_err(xlsx_err)?;
    sheet.write_string(r, 1, &who.uscc).map_err(xlsx_err)?;
    sheet.write_string(r, 2, &who.name).map_err(xlsx_err)?;
    sheet.write_number(r, 3, who.year).map_err(xlsx_err)?;
    sheet.write_string(r, 4, &line.city).map_err(xlsx_err)?;
    sheet.write_string(r, 5, &line.district).map_err(xlsx_err)?;
    sheet.write_number_with_format(r, 6, money_f64(line.total), yuan).map_err(xlsx_err)?;
    sheet.write_number_with_format(r, 7, money_f64(line.total_max), yuan).map_err(xlsx_err)?;
    let count = |s: Status| line.lines.iter().filter(|l| l.status == s && l.excluded_by.is_none()).count() as u32;
    sheet.write_number(r, 8, count(Status::Eligible)).map_err(xlsx_err)?;
    sheet.write_number(r, 9, count(Status::NeedsInput)).map_err(xlsx_err)?;
    Ok(())
}

/// The 错误 sheet: the rows refused, with column and message.
pub(super) fn errors_sheet(wb: &mut Workbook, errors: &[RowError], unlisted: usize, lang: Lang) -> Result<(), Error> {
    let bold = Format::new().set_bold();
    let sheet = wb.add_worksheet();
    sheet.set_name(RESULT_SHEETS[2]).map_err(xlsx_err)?;
    let head: [&str; 3] = if lang == Lang::Zh { ["行号", "列", "问题"] } else { ["row", "column", "message"] };
    sheet.write_row_with_format(0, 0, head, &bold).map_err(xlsx_err)?;
    for (i, e) in errors.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, e.row).map_err(xlsx_err)?;
        sheet.write_string(r, 1, &e.column).map_err(xlsx_err)?;
        sheet.write_string(r, 2, &e.message).map_err(xlsx_err)?;
    }
    if unlisted > 0 {
        let r = errors.len() as u32 + 1;
        sheet.write_string(r, 2, unlisted_line(unlisted, lang)).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    sheet.set_column_width(1, 30.0).map_err(xlsx_err)?;
    sheet.set_column_width(2, 90.0).map_err(xlsx_err)?;
    Ok(())
}

/// Problems and notes a run counted but did not list (the 错误 sheet's
/// last line, and stderr's).
pub fn unlisted_line(n: usize, lang: Lang) -> String {
    let max = LISTED;
    match lang {
        Lang::Zh => format!("另有 {n} 条问题或提示未列出（每次最多列出 {max} 条）"),
        Lang::En => format!("{n} more problems or notes not listed (at most {max} are listed)"),
    }
}

/// Whether a template's 企业 sheet holds anything under its two header rows.
pub(super) fn has_rows_below_labels(path: &Path) -> bool {
    use calamine::Reader;
    let Ok(mut wb) = calamine::open_workbook::<calamine::Xlsx<_>, _>(path) else { return true };
    let Ok(range) = wb.worksheet_range(TEMPLATE_SHEETS[0]) else { return true };
    let start = range.start().map(|(r, _)| r).unwrap_or(0);
    range.rows().enumerate().any(|(i, r)| start as usize + i >= 2 && r.iter().any(|c| !matches!(c, calamine::Data::Empty)))
}

/// Whether a file is an `.xlsx` workbook that reads.
pub fn is_workbook(path: &Path) -> bool {
    sheet_names(path).is_some()
}

/// The sheet names of an existing workbook, if it is one.
pub(super) fn sheet_names(path: &Path) -> Option<Vec<String>> {
    use calamine::Reader;
    let file = std::fs::File::open(path).ok()?;
    let wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::BufReader::new(file)).ok()?;
    Some(wb.sheet_names())
}

/// Whether an existing file at `path` is one this command wrote before (and
/// may replace): an earlier batch result of the same kind, or a template.
/// An empty file holds nothing to lose. (`check_target` has made sure it is
/// a regular file, not a link.)
pub(super) fn ours(path: &Path, kind: Option<OutKind>) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(64);
    let read = std::fs::File::open(path).and_then(|f| f.take(64).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    if head.is_empty() {
        return true;
    }
    match kind {
        Some(OutKind::Jsonl) => head.starts_with(b"{\"row\":"),
        Some(OutKind::Csv) => head.starts_with(format!("\u{feff}{}", CSV_HEADER.join(",")).as_bytes()),
        Some(OutKind::Xlsx) => sheet_names(path).is_some_and(|n| n == RESULT_SHEETS),
        // A template, and still empty: one filled with clients is theirs now.
        None => sheet_names(path).is_some_and(|n| n == TEMPLATE_SHEETS) && !has_rows_below_labels(path),
    }
}

/// Check that `out` may be written: what `write_atomic` allows, and an
/// existing file only if this command wrote it.
pub(super) fn check_out(cx: &Setup, out: &Path, kind: Option<OutKind>) -> Result<(), Error> {
    let ws = cx.workspace_path();
    let existing = check_target(out, Replace::Allowed, Some(&ws))?;
    if existing.is_some() && !ours(out, kind) {
        let kind = if kind.is_some() { Output::BatchResult } else { Output::Template };
        return Err(Error::NotOurs { path: out.to_path_buf(), kind });
    }
    Ok(())
}

pub(super) fn write_out(cx: &Setup, out: &Path, bytes: &[u8]) -> Result<(), Error> {
    let ws = cx.workspace_path();
    Ok(write_atomic(out, bytes, Replace::Allowed, Some(&ws))?)
}

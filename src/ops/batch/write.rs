//! Writing the results: JSON lines, CSV or a workbook; what an existing output may be.

use super::*;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

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

pub(super) fn write_outputs(cx: &Setup, kind: OutKind, rows: &[Accepted], done: &[Done], errors: &[RowError]) -> Result<Vec<u8>, Error> {
    let lang = cx.lang;
    match kind {
        OutKind::Jsonl => {
            let mut o = String::new();
            for d in done {
                o.push_str(d.json.as_deref().unwrap_or_default());
                o.push('\n');
            }
            Ok(o.into_bytes())
        }
        OutKind::Csv => {
            // A byte-order mark, so that spreadsheet programs read the Chinese as UTF-8.
            let mut buf = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::Writer::from_writer(&mut buf);
                let io = |e: csv::Error| Error::Writer { what: "csv", detail: e.to_string() };
                w.write_record(CSV_HEADER).map_err(io)?;
                for (a, d) in rows.iter().zip(done) {
                    let c = &a.profile.company;
                    for l in &d.clauses {
                        w.write_record([
                            a.row.to_string().as_str(),
                            c.uscc.as_deref().unwrap_or(""),
                            &spreadsheet_safe(&c.name),
                            &a.year.to_string(),
                            &l.id,
                            l.status.as_str(),
                            &money(l.amount),
                            &money(l.amount_max),
                            &reasons_joined(&l.reasons, lang),
                        ])
                        .map_err(io)?;
                    }
                }
                w.flush().map_err(|e| Error::Writer { what: "csv", detail: e.to_string() })?;
            }
            Ok(buf)
        }
        OutKind::Xlsx => results_workbook(cx, rows, done, Some(errors), None, None),
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

/// The results workbook: 汇总 (one line per company-year), 明细 (one per
/// clause) and, for a spreadsheet read, 错误 (the rows refused). The first
/// column is the sheet's row number, or for an export from the workspace
/// (`first` set) the company's number there.
pub(super) fn results_workbook(
    cx: &Setup,
    rows: &[Accepted],
    done: &[Done],
    errors: Option<&[RowError]>,
    first: Option<(&str, &str)>,
    summary: Option<&[OverviewLine]>,
) -> Result<Vec<u8>, Error> {
    let lang = cx.lang;
    // The writer library streams 明细 through a temporary file and panics
    // when that write fails (a full temporary folder, a file-size limit):
    // caught here and said as an error, with its own panic message kept quiet.
    let build = || -> Result<Vec<u8>, Error> {
        let mut wb = Workbook::new();
        match summary {
            Some(lines) => overview_sheet(&mut wb, lines, lang)?,
            None => summary_sheet(&mut wb, rows, done, first, lang)?,
        }
        details_sheet(&mut wb, rows, done, first, lang)?;
        if let Some(errors) = errors {
            errors_sheet(&mut wb, errors, lang)?;
        }
        wb.save_to_buffer().map_err(xlsx_err)
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(build));
    std::panic::set_hook(hook);
    built.unwrap_or_else(|_| Err(Error::ScratchFull { dir: std::env::temp_dir() }))
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

/// The 汇总 sheet: one line per company-year, with its totals and how many
/// clauses it meets or needs more for.
pub(super) fn summary_sheet(
    wb: &mut Workbook,
    rows: &[Accepted],
    done: &[Done],
    first: Option<(&str, &str)>,
    lang: Lang,
) -> Result<(), Error> {
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format("#,##0.00");
    let sheet = wb.add_worksheet();
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
    sheet.write_row_with_format(0, 0, head, &bold).map_err(xlsx_err)?;
    for (i, (a, d)) in rows.iter().zip(done).enumerate() {
        let r = i as u32 + 1;
        let c = &a.profile.company;
        sheet.write_number(r, 0, a.row).map_err(xlsx_err)?;
        sheet.write_string(r, 1, c.uscc.as_deref().unwrap_or("")).map_err(xlsx_err)?;
        sheet.write_string(r, 2, &c.name).map_err(xlsx_err)?;
        sheet.write_number(r, 3, a.year).map_err(xlsx_err)?;
        sheet.write_string(r, 4, &c.city).map_err(xlsx_err)?;
        sheet.write_string(r, 5, &c.district).map_err(xlsx_err)?;
        sheet.write_number_with_format(r, 6, money_f64(d.total), &yuan).map_err(xlsx_err)?;
        sheet.write_number_with_format(r, 7, money_f64(d.total_max), &yuan).map_err(xlsx_err)?;
        let count = |s: Status| d.clauses.iter().filter(|l| l.status == s && l.excluded_by.is_none()).count() as u32;
        sheet.write_number(r, 8, count(Status::Eligible)).map_err(xlsx_err)?;
        sheet.write_number(r, 9, count(Status::NeedsInput)).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (col, w) in [(1u16, 22.0), (2, 36.0), (6, 16.0), (7, 16.0)] {
        sheet.set_column_width(col, w).map_err(xlsx_err)?;
    }
    Ok(())
}

/// The 明细 sheet, one row per clause (320,000 for 10,000 companies):
/// streamed with inline strings rather than kept whole with a shared
/// string table, which roughly halves the time to write it.
pub(super) fn details_sheet(
    wb: &mut Workbook,
    rows: &[Accepted],
    done: &[Done],
    first: Option<(&str, &str)>,
    lang: Lang,
) -> Result<(), Error> {
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format("#,##0.00");
    let sheet = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
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
    let mut r = 1u32;
    for (a, d) in rows.iter().zip(done) {
        for l in d.clauses.iter().filter(|l| !l.elsewhere) {
            detail_line(sheet, r, a, l, &yuan, lang)?;
            r += 1;
        }
    }
    Ok(())
}

/// One clause of one company-year on the 明细 sheet (an amount cell only
/// when there is an amount).
pub(super) fn detail_line(sheet: &mut Worksheet, r: u32, a: &Accepted, l: &ClauseLine, yuan: &Format, lang: Lang) -> Result<(), Error> {
    let c = &a.profile.company;
    sheet.write_number(r, 0, a.row).map_err(xlsx_err)?;
    sheet.write_string(r, 1, c.uscc.as_deref().unwrap_or("")).map_err(xlsx_err)?;
    sheet.write_string(r, 2, &c.name).map_err(xlsx_err)?;
    sheet.write_number(r, 3, a.year).map_err(xlsx_err)?;
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

/// The 错误 sheet: the rows refused, with column and message.
pub(super) fn errors_sheet(wb: &mut Workbook, errors: &[RowError], lang: Lang) -> Result<(), Error> {
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
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    sheet.set_column_width(1, 30.0).map_err(xlsx_err)?;
    sheet.set_column_width(2, 90.0).map_err(xlsx_err)?;
    Ok(())
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

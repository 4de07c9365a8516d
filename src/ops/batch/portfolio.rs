//! The window's portfolio: a sheet imported for review, the overview workbook, PDFs for many companies.

use super::*;

/// A spreadsheet read for the app's import: the rows accepted and the rows
/// refused with their reasons; nothing is saved until the user says so.
pub struct SheetImport {
    pub(super) rows: Vec<Accepted>,
    pub errors: Vec<RowError>,
    /// Rows read (blank rows and the template's label row not counted).
    pub read: usize,
}

/// One accepted row of a [`SheetImport`].
pub struct ImportedRow<'a> {
    pub row: u32,
    pub year: i32,
    pub profile: &'a Profile,
}

impl SheetImport {
    pub fn accepted(&self) -> impl Iterator<Item = ImportedRow<'_>> {
        self.rows.iter().map(|a| ImportedRow { row: a.row, year: a.year, profile: &a.profile })
    }
    /// The rows as the store saves them (matched by credit code).
    pub fn sheet_rows(&self) -> Vec<SheetRow> {
        sheet_rows(&self.rows)
    }
}

/// Read a spreadsheet with the very rules of `butie batch --save`: every
/// row needs a credit code; a row without a year column cell is `year`.
pub fn read_sheet(packs: &[Pack], path: &Path, year: i32, lang: Lang) -> Result<SheetImport, Error> {
    let kind = in_kind(path)?;
    let columns = Columns::new(packs);
    let grid = read_grid(path, kind)?;
    let header = read_header(path, &grid, &columns)?;
    require_uscc_column(path, &header)?;
    let (rows, errors, read) = read_rows(lang, packs, &grid, &header, year, true);
    Ok(SheetImport { rows, errors, read })
}

/// One company of the window's 客户总览, with the figures it shows.
pub struct OverviewLine {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub year: i32,
    pub city: String,
    pub district: String,
    pub total: Decimal,
    pub provisional: Decimal,
    pub total_max: Decimal,
    pub eligible: usize,
    pub open: usize,
    /// "已申报 2，已批准 1".
    pub filings: String,
}

pub(super) fn overview_sheet(wb: &mut rust_xlsxwriter::Workbook, lines: &[OverviewLine], lang: Lang) -> Result<(), Error> {
    use rust_xlsxwriter::Format;
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format("#,##0.00");
    let sheet = wb.add_worksheet();
    sheet.set_name(RESULT_SHEETS[0]).map_err(xlsx_err)?;
    let head: [&str; 12] = match lang {
        Lang::Zh => [
            "企业编号",
            "统一社会信用代码",
            "企业名称",
            "年度",
            "城市",
            "区县",
            "测算合计（元）",
            "暂估合计（元）",
            "最高合计（元）",
            "符合条件条款数",
            "待答问题数",
            "申报记录",
        ],
        Lang::En => [
            "company #",
            "credit code",
            "company",
            "year",
            "city",
            "district",
            "total (yuan)",
            "provisional total (yuan)",
            "total max (yuan)",
            "eligible clauses",
            "open questions",
            "filings",
        ],
    };
    sheet.write_row_with_format(0, 0, head, &bold).map_err(xlsx_err)?;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, l.id as f64).map_err(xlsx_err)?;
        sheet.write_string(r, 1, &l.uscc).map_err(xlsx_err)?;
        sheet.write_string(r, 2, &l.name).map_err(xlsx_err)?;
        sheet.write_number(r, 3, l.year).map_err(xlsx_err)?;
        sheet.write_string(r, 4, &l.city).map_err(xlsx_err)?;
        sheet.write_string(r, 5, &l.district).map_err(xlsx_err)?;
        for (c, v) in [(6u16, l.total), (7, l.provisional), (8, l.total_max)] {
            sheet.write_number_with_format(r, c, money_f64(v), &yuan).map_err(xlsx_err)?;
        }
        sheet.write_number(r, 9, l.eligible as f64).map_err(xlsx_err)?;
        sheet.write_number(r, 10, l.open as f64).map_err(xlsx_err)?;
        sheet.write_string(r, 11, &l.filings).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (col, w) in [(1u16, 22.0), (2, 36.0), (6, 16.0), (7, 16.0), (8, 16.0), (11, 24.0)] {
        sheet.set_column_width(col, w).map_err(xlsx_err)?;
    }
    Ok(())
}

/// The 客户总览 as a workbook: 汇总 (the window's columns, the same
/// figures) and 明细 (every clause of every company), numbered by company id.
pub fn portfolio_workbook(
    cx: &Setup,
    packs: &[Pack],
    companies: Vec<(i64, Profile, i32)>,
    lines: &[OverviewLine],
) -> Result<Vec<u8>, Error> {
    let rows: Vec<Accepted> =
        companies.into_iter().map(|(id, profile, year)| Accepted { row: id.max(0) as u32, profile, year, keep: Vec::new() }).collect();
    let done: Vec<Done> = rows.iter().map(|a| work(cx, packs, a, None)).collect();
    results_workbook(cx, &rows, &done, Some(("企业编号", "company #")), Some(lines))
}

/// What a run of [`write_portfolio_pdfs`] did.
#[derive(Debug, Default)]
pub struct PdfRun {
    /// Companies whose PDFs were all written.
    pub companies: usize,
    pub files: usize,
    /// Stopped by the user before every company was done.
    pub cancelled: bool,
    /// (company name, why) for each company whose PDFs were not written.
    pub failed: Vec<(String, FileError)>,
}

/// Every company's forms and summary, one folder each under `dir` (the
/// same folders as `butie batch --pdf`), on `jobs` threads. `done` counts
/// the companies finished so a window can show progress; once `cancel` is
/// set no further company is started, and the folders already written stay.
pub fn write_portfolio_pdfs(
    cx: &Setup,
    packs: &[Pack],
    companies: &[(Profile, i32)],
    dir: &Path,
    jobs: usize,
    done: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<PdfRun, Error> {
    let fonts = butie_pdf::Fonts::load_default()?;
    let rows: Vec<Accepted> = companies
        .iter()
        .enumerate()
        .map(|(i, (p, y))| Accepted { row: i as u32, profile: p.clone(), year: *y, keep: Vec::new() })
        .collect();
    let folders = pdf_folders(dir, &rows);
    let next = AtomicUsize::new(0);
    let n = rows.len();
    let results: Vec<(usize, Result<usize, FileError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs.clamp(1, n.max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while !cancel.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let d = work(cx, packs, &rows[i], Some((&fonts, folders[i].clone())));
                        mine.push((i, d.pdf.unwrap_or(Ok(0))));
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    let mut run = PdfRun { cancelled: results.len() < n, ..PdfRun::default() };
    let mut results = results;
    results.sort_by_key(|(i, _)| *i);
    for (i, r) in results {
        match r {
            Ok(files) => {
                run.companies += 1;
                run.files += files;
            }
            Err(m) => run.failed.push((rows[i].profile.company.name.clone(), m)),
        }
    }
    Ok(run)
}

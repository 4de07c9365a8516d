//! `butie batch` and `butie template`: a consultant's spreadsheet in, every
//! row evaluated, results out as JSON lines, CSV or a workbook; and the
//! workbook template those spreadsheets start from. The contract is the
//! catalogue's "Spreadsheets (batch)" section.
//!
//! Reading. The first sheet of an `.xlsx` (calamine) or a `.csv` (UTF-8, a
//! byte-order mark allowed): a header row, then one row per company-year.
//! A header is a company field (`name`, `uscc`, …), `year`, a fact key, or
//! the Chinese (or English) label of any of them, as the template's second
//! row shows them; keys also match in any letter case. A header nothing
//! matches makes the file unusable (exit 2) and the nearest known key is
//! suggested. The row right under the header is skipped when every cell in
//! it is its column's label (the template's label row).
//!
//! Cells become the profile JSON of one company-year, which is read by
//! `profile::profile_from_value` (and each fact cell by
//! `profile::parse_fact_value` first, so that every bad cell of a row is
//! named): the same checks and the same words as a profile file. Numbers go
//! through the one number reader: a text cell as typed (`236,500,000`,
//! `18200万`); a number cell (which calamine hands over as an `f64`, the
//! text of the file being gone) as the shortest decimal that reads back as
//! the same `f64` (Rust's `Display`: `42350.5`, `236500000`, never an
//! exponent), so a figure typed into Excel comes back as typed, and a
//! computed `12.299999999999999` is refused (too many decimals) rather than
//! rounded in silence. Booleans: true/false/是/否 (or a boolean cell); enums:
//! the option key or its label; lists: the profile format's JSON in one cell;
//! an empty cell is unknown.
//!
//! A bad row is reported with its row number (the sheet's own, the header
//! being row 1), its column and the message, and the other rows go on.
//! Two rows with the same USCC and year are both refused.

use crate::cli::{CliError, Context};
use crate::files::{check_target, read_limited, shown, write_atomic, write_pdf_set_with, FileError, Replace, IMPORT_LIMIT};
use crate::store_cli::OpenMode;
use butie_core::engine::{evaluate, Status};
use butie_core::explain::{self, Catalogue};
use butie_core::money::fmt_yuan;
use butie_core::policy::{FactDef, FactKind, Lang, Pack};
use butie_core::profile::{
    fact_index, parse_company, parse_fact_value, parse_json, parse_year, profile_from_value, suggest, InputError, Problem, Profile,
    COMPANY_STATUS_FACT,
};
use butie_store::{RowSaved, SheetRow};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The company's columns: key, Chinese label, English label (the window's words).
const COMPANY_COLUMNS: [(&str, &str, &str); 10] = [
    ("name", "企业名称", "Company name"),
    ("uscc", "统一社会信用代码", "Unified social credit code"),
    ("city", "注册城市", "City"),
    ("district", "区（县、市）", "District"),
    ("serious_dishonesty_listed", "是否列入严重失信名单", "On the serious dishonesty list"),
    ("legal_rep", "法定代表人", "Legal representative"),
    ("contact", "联系人", "Contact"),
    ("phone", "联系电话", "Phone"),
    ("bank", "开户银行", "Bank"),
    ("bank_account", "银行账号", "Bank account"),
];
const YEAR_COLUMN: (&str, &str, &str) = ("year", "年度", "Year");
/// Columns without which no row can be read: the file is unusable.
const REQUIRED: [&str; 3] = ["name", "city", "district"];
/// Optional company fields: a matched company keeps its stored value when a
/// row leaves one empty (`--save`).
const OPTIONAL_COMPANY: [&str; 6] = ["serious_dishonesty_listed", "legal_rep", "contact", "phone", "bank", "bank_account"];
/// The template's sheets, and the batch workbook's.
const TEMPLATE_SHEETS: [&str; 2] = ["企业", "说明"];
const RESULT_SHEETS: [&str; 3] = ["汇总", "明细", "错误"];
/// The CSV output's header (the catalogue's columns).
const CSV_HEADER: [&str; 9] = ["row", "uscc", "name", "year", "clause", "status", "amount", "amount_max", "reasons"];
/// Rows of the template that carry drop-downs and formats.
const TEMPLATE_ROWS: u32 = 10_000;
/// Rows of one Excel worksheet.
const XLSX_MAX_ROWS: usize = 1_048_576;

// ------------------------------------------------------------------ columns

/// What a column holds.
#[derive(Clone, Copy)]
enum Field<'p> {
    Company(&'static str, &'static str, &'static str),
    Year,
    Fact(&'p FactDef),
}

impl<'p> Field<'p> {
    fn key(&self) -> &'p str {
        match *self {
            Field::Company(k, _, _) => k,
            Field::Year => YEAR_COLUMN.0,
            Field::Fact(d) => d.key.as_str(),
        }
    }
    fn label(&self, lang: Lang) -> &'p str {
        match (*self, lang) {
            (Field::Company(_, zh, _), Lang::Zh) => zh,
            (Field::Company(_, _, en), Lang::En) => en,
            (Field::Year, Lang::Zh) => YEAR_COLUMN.1,
            (Field::Year, Lang::En) => YEAR_COLUMN.2,
            (Field::Fact(d), _) => d.label.get(lang),
        }
    }
    /// The unit: the policy file's, or for amounts 元 / 美元.
    fn unit(&self, lang: Lang) -> &'p str {
        match (*self, lang) {
            (Field::Fact(d), _) if !d.unit.zh.is_empty() => d.unit.get(lang),
            (Field::Fact(d), Lang::Zh) if d.kind == FactKind::Money => "元",
            (Field::Fact(d), Lang::En) if d.kind == FactKind::Money => "yuan",
            (Field::Fact(d), Lang::Zh) if d.kind == FactKind::MoneyUsd => "美元",
            (Field::Fact(d), Lang::En) if d.kind == FactKind::MoneyUsd => "US dollars",
            _ => "",
        }
    }
    /// The template's label row text: the Chinese label, with its unit.
    fn label_row_text(&self) -> String {
        with_unit(self.label(Lang::Zh), self.unit(Lang::Zh), Lang::Zh)
    }
}

fn with_unit(label: &str, unit: &str, lang: Lang) -> String {
    match (unit.is_empty(), lang) {
        (true, _) => label.to_string(),
        (false, Lang::Zh) => format!("{label}（{unit}）"),
        (false, Lang::En) => format!("{label} ({unit})"),
    }
}

/// Every column a sheet may have, in the template's order: the company,
/// the year, then each pack's facts in the order its clauses read them.
struct Columns<'p> {
    fields: Vec<Field<'p>>,
    by_name: HashMap<String, usize>,
}

impl<'p> Columns<'p> {
    fn new(packs: &'p [Pack]) -> Self {
        let mut fields: Vec<Field<'p>> = COMPANY_COLUMNS.iter().map(|&(k, zh, en)| Field::Company(k, zh, en)).collect();
        fields.push(Field::Year);
        let index = fact_index(packs);
        let mut seen: Vec<&str> = vec![COMPANY_STATUS_FACT];
        let mut push = |k: &'p str, fields: &mut Vec<Field<'p>>| {
            if !seen.contains(&k) {
                if let Some(d) = index.get(k) {
                    seen.push(k);
                    fields.push(Field::Fact(d));
                }
            }
        };
        for p in packs {
            for k in p.facts_in_order() {
                push(k, &mut fields);
            }
            for k in p.facts.keys() {
                push(k.as_str(), &mut fields);
            }
        }
        let mut by_name = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            let names = [
                f.key().to_string(),
                f.label(Lang::Zh).to_string(),
                f.label(Lang::En).to_string(),
                f.label_row_text(),
                with_unit(f.label(Lang::En), f.unit(Lang::En), Lang::En),
            ];
            for n in names {
                if !n.is_empty() {
                    by_name.entry(n).or_insert(i);
                }
            }
        }
        Columns { fields, by_name }
    }

    fn find(&self, header: &str) -> Option<usize> {
        let h = header.trim();
        self.by_name.get(h).or_else(|| self.by_name.get(&h.to_ascii_lowercase())).copied()
    }

    /// The nearest known column to a header nothing matches, as `key（label）`.
    /// A key by the profile reader's typo rule; a Chinese header by a
    /// stricter one (one character in four may differ), since any two short
    /// Chinese names are a few edits apart.
    fn suggestion(&self, header: &str) -> Option<String> {
        let h = header.trim();
        let near = if h.is_ascii() {
            let names = self.by_name.keys().map(|s| s.as_str()).filter(|n| n.is_ascii());
            suggest(&h.to_ascii_lowercase(), names)?
        } else {
            let n = h.chars().count();
            let names = self.by_name.keys().filter(|k| !k.is_ascii());
            let (d, name) = names.map(|k| (char_distance(h, k), k)).min()?;
            if d > (n / 4).max(1) {
                return None;
            }
            name.clone()
        };
        let f = self.fields[*self.by_name.get(&near)?];
        Some(format!("{}（{}）", f.key(), f.label(Lang::Zh)))
    }
}

/// Edit distance counted in characters.
fn char_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().take(100).collect(), b.chars().take(100).collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
fn col_letter(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

// ------------------------------------------------------------------ cells

/// A cell as read, before it is given a meaning by its column.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
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
fn float_text(f: f64) -> String {
    if f.is_finite() {
        format!("{f}")
    } else {
        f.to_string()
    }
}

fn cell_of(d: &calamine::Data) -> Cell {
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
struct Grid {
    first_row: u32,
    first_col: u32,
    rows: Vec<Vec<Cell>>,
}

/// Why the file cannot be used at all (exit 2).
fn unusable(cx: &Context, path: &Path, zh: String, en: String) -> CliError {
    CliError::usage(format!("{}: {}", shown(path), if cx.zh() { zh } else { en }))
}

fn read_grid(cx: &Context, path: &Path, kind: InKind) -> Result<Grid, CliError> {
    let bytes = read_limited(path, IMPORT_LIMIT).map_err(|e| CliError::file(cx.say("表格文件", "spreadsheet"), &e, cx.lang))?;
    match kind {
        InKind::Csv => {
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                unusable(
                    cx,
                    path,
                    "不是 UTF-8 编码的 CSV（请在表格软件中另存为“CSV UTF-8（逗号分隔）”）".into(),
                    "not a UTF-8 CSV file (save it as \"CSV UTF-8\" in your spreadsheet program)".into(),
                )
            })?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| unusable(cx, path, format!("无法按 CSV 读取（{e}）"), format!("cannot be read as CSV ({e})")))?;
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
                    unusable(
                        cx,
                        path,
                        "不是可读取的 .xlsx 表格文件（文件已损坏，或是其他格式改成了 .xlsx 扩展名；请在表格软件中另存为 Excel 工作簿）"
                            .into(),
                        "not a readable .xlsx workbook (damaged, or another format renamed to .xlsx; save it as an Excel workbook)".into(),
                    )
                } else {
                    unusable(cx, path, format!("不是可读取的 .xlsx 表格文件（{e}）"), format!("not a readable .xlsx workbook ({e})"))
                }
            };
            let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| not_sheet(&e))?;
            let Some(first) = wb.sheet_names().first().cloned() else {
                return Err(unusable(cx, path, "工作簿中没有工作表".into(), "the workbook has no sheet".into()));
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
fn in_kind(cx: &Context, path: &Path) -> Result<InKind, CliError> {
    match extension(path).as_str() {
        "xlsx" => Ok(InKind::Xlsx),
        "csv" => Ok(InKind::Csv),
        _ => Err(unusable(cx, path, "不是表格文件（应为 .xlsx 或 .csv）".into(), "not a spreadsheet (.xlsx or .csv expected)".into())),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum InKind {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum OutKind {
    Jsonl,
    Csv,
    Xlsx,
}

fn extension(p: &Path) -> String {
    p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

// ------------------------------------------------------------------ rows

/// A rejected row's problem: row number, column (as the sheet names it) and message.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: u32,
    pub column: String,
    pub message: String,
}

/// A row read into a profile.
struct Accepted {
    row: u32,
    profile: Profile,
    year: i32,
    /// Optional company fields this row leaves empty: on saving, a matched
    /// company keeps what it holds (an empty cell is "not given", never
    /// "erase"; the same holds for facts, which are only added or replaced).
    keep: Vec<String>,
}

/// The header read: for each column of the grid, the field it holds.
struct Header<'p> {
    cols: Vec<Option<Field<'p>>>,
    /// The header text of each column, as written.
    names: Vec<String>,
    first_col: u32,
}

impl Header<'_> {
    /// Where a field's problem is, as the user sees it: `uscc（B列）`.
    fn column_of(&self, key: &str, lang: Lang) -> String {
        match self.cols.iter().position(|c| c.is_some_and(|f| f.key() == key)) {
            Some(i) => {
                let letter = col_letter(self.first_col + i as u32);
                match lang {
                    Lang::Zh => format!("{}（{letter}列）", self.names[i]),
                    Lang::En => format!("{} (column {letter})", self.names[i]),
                }
            }
            None => key.to_string(),
        }
    }

    /// A reader's error as a row error: the field names the column (the
    /// rest of its path, e.g. `[0].cost`, goes before the message).
    fn error(&self, row: u32, e: &InputError, lang: Lang) -> RowError {
        let field = e.field.as_str();
        let (key, rest) = if let Some(k) = field.strip_prefix("company.") {
            (k, "")
        } else if let Some(f) = field.strip_prefix("facts.") {
            let cut = f.find(['[', '.']).unwrap_or(f.len());
            (&f[..cut], &f[cut..])
        } else {
            (field, "")
        };
        let detail = e.detail(lang);
        let message = if rest.is_empty() { detail } else { format!("{key}{rest}: {detail}") };
        RowError { row, column: self.column_of(key, lang), message }
    }
}

fn read_header<'p>(cx: &Context, path: &Path, grid: &Grid, columns: &Columns<'p>) -> Result<Header<'p>, CliError> {
    let head = grid.rows.first().filter(|r| r.iter().any(|c| *c != Cell::Empty));
    let Some(head) = head else {
        return Err(unusable(cx, path, "没有表头行（第一行应为列名）".into(), "no header row (the first row names the columns)".into()));
    };
    let width = grid.rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut cols = Vec::with_capacity(width);
    let mut names = Vec::with_capacity(width);
    for i in 0..width {
        let letter = col_letter(grid.first_col + i as u32);
        let text = match head.get(i) {
            Some(Cell::Text(s)) => s.trim().to_string(),
            Some(Cell::Num(s)) | Some(Cell::Error(s)) => s.clone(),
            Some(Cell::Bool(b)) => b.to_string(),
            Some(Cell::Empty) | None => String::new(),
        };
        if text.is_empty() {
            // A column without a header is ignored only if it holds nothing.
            if let Some(r) = grid.rows.iter().skip(1).position(|r| r.get(i).is_some_and(|c| *c != Cell::Empty)) {
                let row = grid.first_row + 1 + r as u32;
                return Err(unusable(
                    cx,
                    path,
                    format!("{letter}列没有表头，但第{row}行在该列有内容"),
                    format!("column {letter} has no header but row {row} has something in it"),
                ));
            }
            cols.push(None);
            names.push(String::new());
            continue;
        }
        let Some(fi) = columns.find(&text) else {
            let (zh, en) = match columns.suggestion(&text) {
                Some(s) => (format!("；是否想写 {s}？"), format!("; did you mean {s}?")),
                None => (
                    "（butie template 可生成带全部列的模板）".to_string(),
                    " (butie template writes a template with every column)".to_string(),
                ),
            };
            return Err(unusable(
                cx,
                path,
                format!("未知的列“{text}”（{letter}列）{zh}"),
                format!("unknown column \"{text}\" (column {letter}){en}"),
            ));
        };
        let f = columns.fields[fi];
        if let Some(j) = cols.iter().position(|c: &Option<Field>| c.is_some_and(|g| g.key() == f.key())) {
            let other = col_letter(grid.first_col + j as u32);
            return Err(unusable(
                cx,
                path,
                format!("{other}列和{letter}列都是 {}，只能有一列", f.key()),
                format!("columns {other} and {letter} are both {}; keep one", f.key()),
            ));
        }
        cols.push(Some(f));
        names.push(text);
    }
    for k in REQUIRED {
        if !cols.iter().any(|c| c.is_some_and(|f| f.key() == k)) {
            let label = COMPANY_COLUMNS.iter().find(|c| c.0 == k).map(|c| c.1).unwrap_or(k);
            return Err(unusable(cx, path, format!("缺少必需的列 {k}（{label}）"), format!("the column {k} is missing (it is required)")));
        }
    }
    Ok(Header { cols, names, first_col: grid.first_col })
}

/// Saving matches companies by credit code: a sheet without that column
/// cannot be saved at all (one message, not one per row).
fn require_uscc_column(cx: &Context, path: &Path, header: &Header) -> Result<(), CliError> {
    if header.cols.iter().any(|c| c.is_some_and(|f| f.key() == "uscc")) {
        return Ok(());
    }
    Err(unusable(
        cx,
        path,
        "缺少 uscc（统一社会信用代码）列；保存时按信用代码匹配企业".into(),
        "the uscc (credit code) column is missing; saving matches companies by it".into(),
    ))
}

/// Whether a row is the template's label row: every cell filled is its
/// column's label (with or without the unit), and there are some.
fn is_label_row(header: &Header, row: &[Cell]) -> bool {
    let mut any = false;
    for (i, c) in row.iter().enumerate() {
        let text = match c {
            Cell::Empty => continue,
            Cell::Text(t) => t.trim(),
            _ => return false,
        };
        let Some(Some(f)) = header.cols.get(i) else { return false };
        let ok = [f.label(Lang::Zh).to_string(), f.label_row_text(), f.label(Lang::En).to_string()].iter().any(|l| l == text);
        if !ok {
            return false;
        }
        any = true;
    }
    any
}

/// A yes/no cell: 是/否 (the template's drop-down), a boolean cell, and
/// what people type instead: true/false, yes/no, Y/N, 1/0, √/×.
fn bool_json(c: &Cell) -> Value {
    let word = |s: &str| -> Option<bool> {
        let s = s.trim();
        match s {
            "是" | "√" | "✓" | "1" => Some(true),
            "否" | "×" | "✗" | "0" => Some(false),
            _ if ["true", "yes", "y"].iter().any(|w| s.eq_ignore_ascii_case(w)) => Some(true),
            _ if ["false", "no", "n"].iter().any(|w| s.eq_ignore_ascii_case(w)) => Some(false),
            _ => None,
        }
    };
    match c {
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Text(t) | Cell::Num(t) => word(t).map(Value::Bool).unwrap_or_else(|| Value::String(t.trim().to_string())),
        Cell::Empty | Cell::Error(_) => Value::Null,
    }
}

/// What a yes/no or option cell should hold, in the template's words.
fn cell_expects(d: &FactDef, lang: Lang) -> Option<String> {
    match d.kind {
        FactKind::Bool => Some(match lang {
            Lang::Zh => "应填“是”或“否”".into(),
            Lang::En => "enter 是 (yes) or 否 (no)".into(),
        }),
        FactKind::Enum => {
            let labels: Vec<&str> = options(d).into_iter().map(|(_, l)| l).collect();
            Some(match lang {
                Lang::Zh => format!("应为以下之一：{}", labels.join("、")),
                Lang::En => format!("must be one of: {}", labels.join(", ")),
            })
        }
        _ => None,
    }
}

/// Above this a number cell's `f64` no longer holds every digit: a long
/// account number typed into a number cell has already lost its tail.
const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;

fn text_json(c: &Cell) -> Value {
    match c {
        Cell::Text(t) | Cell::Num(t) => Value::String(t.clone()),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Empty | Cell::Error(_) => Value::Null,
    }
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(t) | Cell::Num(t) | Cell::Error(t) => t.trim().to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A fact cell as the profile's JSON value (a list cell parsed as JSON).
fn fact_json(d: &FactDef, field: &str, c: &Cell) -> Result<Value, InputError> {
    Ok(match d.kind {
        FactKind::Bool => bool_json(c),
        FactKind::Enum => match c {
            Cell::Text(t) => {
                let t = t.trim();
                let key = d.options.iter().find(|(k, l)| k.as_str() == t || l.zh == t || (!l.en.is_empty() && l.en == t)).map(|(k, _)| k);
                Value::String(key.map(|k| k.as_str()).unwrap_or(t).to_string())
            }
            other => text_json(other),
        },
        FactKind::List => match c {
            Cell::Text(t) => parse_json(field, t)?,
            other => text_json(other),
        },
        FactKind::Money | FactKind::MoneyUsd | FactKind::Integer | FactKind::Number => text_json(c),
    })
}

/// Read every data row: accepted rows become profiles, the others errors
/// (in row order, every bad cell of a row named).
fn read_rows(
    cx: &Context,
    packs: &[Pack],
    grid: &Grid,
    header: &Header,
    year: i32,
    need_uscc: bool,
) -> (Vec<Accepted>, Vec<RowError>, usize) {
    let lang = cx.lang;
    let mut accepted = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    // (row, USCC, year) of each row whose code and year read, for duplicates.
    let mut keys: Vec<(u32, String, i32)> = Vec::new();
    let mut read = 0;
    for (i, cells) in grid.rows.iter().enumerate().skip(1) {
        let row = grid.first_row + i as u32;
        if cells.iter().all(|c| *c == Cell::Empty) || (i == 1 && is_label_row(header, cells)) {
            continue;
        }
        read += 1;
        let mut errs = Vec::new();
        let mut company = Map::new();
        let mut facts = Map::new();
        let mut year_cell: Option<Value> = None;
        for (ci, f) in header.cols.iter().enumerate() {
            let Some(f) = f else { continue };
            let cell = cells.get(ci).unwrap_or(&Cell::Empty);
            if let Cell::Error(e) = cell {
                let message = match lang {
                    Lang::Zh => format!("单元格是公式错误 {e}，请填写数值或留空"),
                    Lang::En => format!("the cell holds the formula error {e}; enter a value or leave it empty"),
                };
                errs.push(RowError { row, column: header.column_of(f.key(), lang), message });
                continue;
            }
            match *f {
                Field::Company(k, ..) => {
                    if let Cell::Num(n) = cell {
                        if n.parse::<f64>().is_ok_and(|x| x.abs() >= EXACT_LIMIT) {
                            let message = match lang {
                                Lang::Zh => "数字太长，表格软件已丢失末尾几位；请把该列设为“文本”格式后重新填写".to_string(),
                                Lang::En => "too many digits for a number cell (the last ones are already lost); format the column as text and enter it again".to_string(),
                            };
                            errs.push(RowError { row, column: header.column_of(k, lang), message });
                            continue;
                        }
                    }
                    let v = if k == COMPANY_STATUS_FACT { bool_json(cell) } else { text_json(cell) };
                    if !v.is_null() {
                        company.insert(k.to_string(), v);
                    }
                }
                Field::Year => year_cell = Some(text_json(cell)).filter(|v| !v.is_null()),
                Field::Fact(d) => {
                    if *cell == Cell::Empty {
                        continue;
                    }
                    let field = format!("facts.{}", d.key);
                    match fact_json(d, &field, cell).and_then(|v| parse_fact_value(&field, d, &v).map(|_| v)) {
                        Ok(v) => {
                            facts.insert(d.key.clone(), v);
                        }
                        Err(e) => {
                            let mut re = header.error(row, &e, lang);
                            if let Some(expects) = cell_expects(d, lang) {
                                re.message = match lang {
                                    Lang::Zh => format!("“{}”无法识别，{expects}", cell_text(cell)),
                                    Lang::En => format!("“{}” is not understood; {expects}", cell_text(cell)),
                                };
                            }
                            errs.push(re)
                        }
                    }
                }
            }
        }
        let company = Value::Object(company);
        if let Err(e) = parse_company(&company, packs) {
            errs.insert(0, header.error(row, &e, lang));
        } else if need_uscc && company.get("uscc").is_none() {
            let e = InputError::new("company.uscc", Problem::Missing);
            let mut re = header.error(row, &e, lang);
            re.message.push_str(cx.say("（保存时按统一社会信用代码匹配企业）", " (saving matches companies by their credit code)"));
            errs.insert(0, re);
        }
        let row_year = match &year_cell {
            None => Ok(year),
            Some(v) => parse_year("year", v),
        };
        if let Err(e) = &row_year {
            errs.push(header.error(row, e, lang));
        }
        if let (Some(u), Ok(y)) = (company.get("uscc").and_then(|u| u.as_str()), &row_year) {
            if let Ok(u) = butie_core::uscc::validate(u) {
                keys.push((row, u, *y));
            }
        }
        if !errs.is_empty() {
            errors.extend(errs);
            continue;
        }
        let y = row_year.unwrap_or(year);
        let mut root = Map::new();
        root.insert("company".into(), company);
        root.insert("year".into(), Value::from(y));
        root.insert("facts".into(), Value::Object(facts));
        match profile_from_value(&Value::Object(root), packs) {
            Ok(profile) => {
                let keep = OPTIONAL_COMPANY.iter().filter(|k| profile_lacks(&profile, k)).map(|k| k.to_string()).collect();
                accepted.push(Accepted { row, profile, year: y, keep })
            }
            Err(e) => errors.push(header.error(row, &e, lang)),
        }
    }
    // The same company and year twice: neither row is evaluated.
    let mut dup_rows: BTreeMap<u32, RowError> = BTreeMap::new();
    let mut by_key: HashMap<(&str, i32), Vec<u32>> = HashMap::new();
    for (row, u, y) in &keys {
        by_key.entry((u.as_str(), *y)).or_default().push(*row);
    }
    for ((u, y), rows) in &by_key {
        if rows.len() < 2 {
            continue;
        }
        for &a in rows {
            let b = rows.iter().copied().find(|&b| b != a).unwrap_or(a);
            dup_rows.insert(
                a,
                RowError {
                    row: a,
                    column: header.column_of("uscc", cx.lang),
                    message: match cx.lang {
                        Lang::Zh => format!("与第{b}行是同一企业、同一年度（{u}，{y} 年度），两行都不测算，请只保留一行"),
                        Lang::En => format!("the same company and year as row {b} ({u}, {y}); neither row is evaluated, keep one"),
                    },
                },
            );
        }
    }
    // When saving, one credit code is one company: rows of several years
    // must agree on its name and place, or saving would flip between them.
    if need_uscc {
        let mut first: HashMap<String, &Accepted> = HashMap::new();
        let mut conflicts: Vec<RowError> = Vec::new();
        for a in accepted.iter().filter(|a| !dup_rows.contains_key(&a.row)) {
            let Some(u) = a.profile.company.uscc.clone() else { continue };
            let Some(f) = first.get(&u) else {
                first.insert(u, a);
                continue;
            };
            let (c, d) = (&f.profile.company, &a.profile.company);
            let differs = [("name", &c.name, &d.name), ("city", &c.city, &d.city), ("district", &c.district, &d.district)]
                .into_iter()
                .find(|(_, x, y)| x != y);
            if let Some((field, x, y)) = differs {
                for (row, other, mine, theirs) in [(f.row, a.row, x, y), (a.row, f.row, y, x)] {
                    conflicts.push(RowError {
                        row,
                        column: header.column_of(field, cx.lang),
                        message: match cx.lang {
                            Lang::Zh => format!("与第{other}行信用代码相同（{u}），但填的是“{mine}”而那一行是“{theirs}”；同一企业请填写一致，两行都不保存"),
                            Lang::En => format!("the same credit code as row {other} ({u}) but “{mine}” here and “{theirs}” there; one company must read the same, neither row is saved"),
                        },
                    });
                }
            }
        }
        for e in conflicts {
            dup_rows.entry(e.row).or_insert(e);
        }
    }
    if !dup_rows.is_empty() {
        accepted.retain(|a| !dup_rows.contains_key(&a.row));
        errors.extend(dup_rows.into_values());
        errors.sort_by_key(|e| e.row);
    }
    (accepted, errors, read)
}

// ------------------------------------------------------------------ evaluating

struct ClauseLine {
    id: String,
    title: String,
    status: Status,
    amount: Option<Decimal>,
    amount_max: Option<Decimal>,
    excluded_by: Option<String>,
    missing: Vec<String>,
    reasons: Vec<String>,
    /// Of a pack for another place than the company's (kept in the `.csv`,
    /// one row per clause as the catalogue says; left out of 明细).
    elsewhere: bool,
}

/// One row's results, made by a worker.
struct Done {
    json: Option<String>,
    total: Decimal,
    total_max: Decimal,
    clauses: Vec<ClauseLine>,
    /// PDFs written (how many), or why not.
    pdf: Option<Result<usize, String>>,
}

fn work(cx: &Context, packs: &[Pack], a: &Accepted, json: bool, pdf: Option<(&butie_pdf::Fonts, PathBuf)>) -> Done {
    let ev = evaluate(packs, &a.profile, a.year);
    let json = json.then(|| {
        let body = serde_json::to_string(&Catalogue { ev: &ev, lang: cx.lang }).unwrap_or_default();
        let uscc = serde_json::to_string(&a.profile.company.uscc).unwrap_or_default();
        format!("{{\"row\":{},\"uscc\":{uscc},{}", a.row, body.strip_prefix('{').unwrap_or(&body))
    });
    let clauses = ev
        .clauses
        .iter()
        .map(|c| ClauseLine {
            id: c.clause.id.clone(),
            title: c.clause.title.get(cx.lang).to_string(),
            status: c.status,
            amount: c.amount,
            amount_max: c.amount_max,
            excluded_by: c.excluded_by.map(|x| x.winner.id.clone()),
            missing: ev.missing(c).iter().map(|s| s.to_string()).collect(),
            reasons: explain::reasons(&ev, c, cx.lang),
            elsewhere: ev.pack_result(&c.pack.id).is_some_and(|p| p.status == butie_core::PackStatus::OtherCity),
        })
        .collect();
    let pdf = pdf.map(|(fonts, dir)| {
        let ws = cx.workspace_path();
        write_pdf_set_with(fonts, packs, &a.profile, &ev, &dir, Some(&ws)).map(|v| v.len()).map_err(|e| e.message(cx.lang))
    });
    Done { json, total: ev.total, total_max: ev.total_max, clauses, pdf }
}

/// Evaluate every accepted row on `jobs` threads; results in row order.
fn run_all(
    cx: &Context,
    packs: &[Pack],
    rows: &[Accepted],
    jobs: usize,
    json: bool,
    pdf: Option<(&butie_pdf::Fonts, &[PathBuf])>,
) -> Vec<Done> {
    use std::io::IsTerminal;
    let n = rows.len();
    let bar = if std::io::stderr().is_terminal() && n > 0 {
        let b = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(if cx.zh() {
            "{bar:40} {pos}/{len} 行  {elapsed_precise}"
        } else {
            "{bar:40} {pos}/{len} rows  {elapsed_precise}"
        }) {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let jobs = jobs.clamp(1, n.max(1));
    let mut out: Vec<Option<Done>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let p = pdf.map(|(f, dirs)| (f, dirs[i].clone()));
                        mine.push((i, work(cx, packs, &rows[i], json, p)));
                        bar.inc(1);
                    }
                    mine
                })
            })
            .collect();
        for h in handles {
            for (i, d) in h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                out[i] = Some(d);
            }
        }
    });
    bar.finish_and_clear();
    out.into_iter().flatten().collect()
}

/// One folder per company under `dir`: its name made safe, and told apart
/// from another company's of the same name by the credit code.
fn pdf_folders(dir: &Path, rows: &[Accepted]) -> Vec<PathBuf> {
    let mut by_company: HashMap<String, String> = HashMap::new();
    let mut taken: HashMap<String, String> = HashMap::new();
    rows.iter()
        .map(|a| {
            let c = &a.profile.company;
            let id = c.uscc.clone().unwrap_or_else(|| format!("name:{}", c.name));
            let name = by_company.entry(id.clone()).or_insert_with(|| {
                let mut base = butie_pdf::safe_file_name(&c.name);
                if base.is_empty() {
                    base = "企业".into();
                }
                let mut name = base.clone();
                let mut n = 1;
                while taken.get(&name.to_lowercase()).is_some_and(|owner| *owner != id) {
                    n += 1;
                    name = match &c.uscc {
                        Some(u) if n == 2 => butie_pdf::safe_file_name(&format!("{base}-{u}")),
                        _ => format!("{base}-{n}"),
                    };
                }
                taken.insert(name.to_lowercase(), id.clone());
                name
            });
            dir.join(name.as_str())
        })
        .collect()
}

// ------------------------------------------------------------------ writing

fn money(d: Option<Decimal>) -> String {
    d.map(fmt_yuan).unwrap_or_default()
}

fn money_f64(d: Decimal) -> f64 {
    fmt_yuan(d).parse().unwrap_or(0.0)
}

fn reasons_joined(r: &[String], lang: Lang) -> String {
    r.join(if lang == Lang::Zh { "；" } else { "; " })
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> CliError {
    CliError::usage(format!("xlsx: {e}"))
}

fn write_outputs(cx: &Context, kind: OutKind, rows: &[Accepted], done: &[Done], errors: &[RowError]) -> Result<Vec<u8>, CliError> {
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
                let io = |e: csv::Error| CliError::usage(format!("csv: {e}"));
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
                w.flush().map_err(|e| CliError::usage(format!("csv: {e}")))?;
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
fn spreadsheet_safe(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// The results workbook: 汇总 (one line per company-year), 明细 (one per
/// clause) and, for a spreadsheet read, 错误 (the rows refused). The first
/// column is the sheet's row number, or for an export from the workspace
/// (`first` set) the company's number there.
fn results_workbook(
    cx: &Context,
    rows: &[Accepted],
    done: &[Done],
    errors: Option<&[RowError]>,
    first: Option<(&str, &str)>,
    summary: Option<&[OverviewLine]>,
) -> Result<Vec<u8>, CliError> {
    use rust_xlsxwriter::{Format, Workbook};
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format("#,##0.00");
    let status = |s: Status| crate::table::status_text(s, lang);

    if let Some(lines) = summary {
        overview_sheet(&mut wb, lines, lang)?;
    } else {
        let sheet = wb.add_worksheet();
        sheet.set_name(RESULT_SHEETS[0]).map_err(xlsx_err)?;
        let mut head: [&str; 10] = if zh {
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
            ]
        } else {
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
            ]
        };
        if let Some((z, e)) = first {
            head[0] = if zh { z } else { e };
        }
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
    }

    // The 明细 sheet is one row per clause (320,000 for 10,000 companies):
    // streamed with inline strings rather than kept whole with a shared
    // string table, which roughly halves the time to write it.
    let sheet = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
    sheet.set_name(RESULT_SHEETS[1]).map_err(xlsx_err)?;
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (col, w) in [(1u16, 22.0), (2, 30.0), (4, 32.0), (5, 30.0), (7, 16.0), (8, 16.0), (11, 80.0)] {
        sheet.set_column_width(col, w).map_err(xlsx_err)?;
    }
    let mut head: [&str; 12] = if zh {
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
        ]
    } else {
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
        ]
    };
    if let Some((z, e)) = first {
        head[0] = if zh { z } else { e };
    }
    sheet.write_row_with_format(0, 0, head, &bold).map_err(xlsx_err)?;
    let mut r = 1u32;
    for (a, d) in rows.iter().zip(done) {
        let c = &a.profile.company;
        for l in d.clauses.iter().filter(|l| !l.elsewhere) {
            sheet.write_number(r, 0, a.row).map_err(xlsx_err)?;
            sheet.write_string(r, 1, c.uscc.as_deref().unwrap_or("")).map_err(xlsx_err)?;
            sheet.write_string(r, 2, &c.name).map_err(xlsx_err)?;
            sheet.write_number(r, 3, a.year).map_err(xlsx_err)?;
            sheet.write_string(r, 4, &l.id).map_err(xlsx_err)?;
            sheet.write_string(r, 5, &l.title).map_err(xlsx_err)?;
            sheet.write_string(r, 6, status(l.status)).map_err(xlsx_err)?;
            if let Some(x) = l.amount {
                sheet.write_number_with_format(r, 7, money_f64(x), &yuan).map_err(xlsx_err)?;
            }
            if let Some(x) = l.amount_max {
                sheet.write_number_with_format(r, 8, money_f64(x), &yuan).map_err(xlsx_err)?;
            }
            sheet.write_string(r, 9, l.excluded_by.as_deref().unwrap_or("")).map_err(xlsx_err)?;
            sheet.write_string(r, 10, l.missing.join(", ")).map_err(xlsx_err)?;
            sheet.write_string(r, 11, reasons_joined(&l.reasons, lang)).map_err(xlsx_err)?;
            r += 1;
        }
    }

    let Some(errors) = errors else {
        return wb.save_to_buffer().map_err(xlsx_err);
    };
    let sheet = wb.add_worksheet();
    sheet.set_name(RESULT_SHEETS[2]).map_err(xlsx_err)?;
    let head: [&str; 3] = if zh { ["行号", "列", "问题"] } else { ["row", "column", "message"] };
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
    wb.save_to_buffer().map_err(xlsx_err)
}

/// Whether a template's 企业 sheet holds anything under its two header rows.
fn has_rows_below_labels(path: &Path) -> bool {
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
fn sheet_names(path: &Path) -> Option<Vec<String>> {
    use calamine::Reader;
    let file = std::fs::File::open(path).ok()?;
    let wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::BufReader::new(file)).ok()?;
    Some(wb.sheet_names())
}

/// Whether an existing file at `path` is one this command wrote before (and
/// may replace): an earlier batch result of the same kind, or a template.
/// An empty file holds nothing to lose. (`check_target` has made sure it is
/// a regular file, not a link.)
fn ours(path: &Path, kind: Option<OutKind>) -> bool {
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
fn check_out(cx: &Context, out: &Path, kind: Option<OutKind>) -> Result<(), CliError> {
    let ws = cx.workspace_path();
    let existing = check_target(out, Replace::Allowed, Some(&ws)).map_err(|e| CliError::file("", &e, cx.lang))?;
    if existing.is_some() && !ours(out, kind) {
        let (zh, en) = match kind {
            Some(_) => ("补贴通批量测算结果", "a Butie batch result"),
            None => ("空白的补贴通模板（可能已填有企业数据）", "an empty Butie template (it may hold clients' data)"),
        };
        return Err(CliError::usage(match cx.lang {
            Lang::Zh => format!("{}: 已存在且不是{zh}文件，未覆盖", shown(out)),
            Lang::En => format!("{}: exists and is not {en}; not replaced", shown(out)),
        }));
    }
    Ok(())
}

fn write_out(cx: &Context, out: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let ws = cx.workspace_path();
    write_atomic(out, bytes, Replace::Allowed, Some(&ws)).map_err(|e: FileError| CliError::file("", &e, cx.lang))
}

// ------------------------------------------------------------------ saving

/// With `--save`, each row of a company already in the workspace is
/// evaluated as it will be saved: what the row gives over what is saved
/// (an empty cell keeps the saved answer), with the company's filing
/// history — the same figures the app then shows for it.
fn merge_saved(w: &butie_store::Workspace, packs: &[Pack], rows: &mut [Accepted]) {
    for r in rows.iter_mut() {
        let Some(u) = r.profile.company.uscc.clone() else { continue };
        let Ok(id) = w.find_company(&u) else { continue };
        let Ok(stored) = w.profile(id, r.year, packs) else { continue };
        let mut company = r.profile.company.clone();
        butie_store::keep_fields(&mut company, &stored.company, &r.keep);
        let mut facts = stored.facts.clone();
        facts.remove(COMPANY_STATUS_FACT);
        for (k, v) in &r.profile.facts {
            if k != COMPANY_STATUS_FACT {
                facts.insert(k.clone(), v.clone());
            }
        }
        let mut p = Profile::new(company, Some(r.year), facts);
        p.history = stored.history;
        p.previous_year = stored.previous_year;
        r.profile = p;
    }
    // A row of the year before in the same file is saved with it: its
    // figures are that year's, whatever the workspace held.
    let by_year: HashMap<(String, i32), usize> =
        rows.iter().enumerate().filter_map(|(i, r)| r.profile.company.uscc.clone().map(|u| ((u, r.year), i))).collect();
    for i in 0..rows.len() {
        let Some(u) = rows[i].profile.company.uscc.clone() else { continue };
        let Some(&j) = by_year.get(&(u, rows[i].year - 1)) else { continue };
        if let Some(prev) = butie_core::profile::previous_year_from(packs, rows[j].year, &rows[j].profile.facts) {
            rows[i].profile.previous_year = Some(prev);
        }
    }
}

/// A row whose credit code's division code names another place than the
/// city and district given: evaluated as given, with a note (the app warns
/// the same way as a code is typed).
fn region_notes(cx: &Context, packs: &[Pack], rows: &[Accepted], header: &Header) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        let c = &r.profile.company;
        let Some(u) = &c.uscc else { continue };
        let Some((city, district)) = butie_core::uscc::region_of(u, packs) else { continue };
        let typed = butie_core::profile::district_as(packs, &c.city, &c.district);
        let differs = city != c.city || district.is_some_and(|d| d != typed);
        if differs {
            let place = format!("{city}{}", district.unwrap_or(""));
            let column = header.column_of("district", cx.lang);
            out.push(match cx.lang {
                Lang::Zh => format!(
                    "第{}行 {column}: 提示：信用代码的行政区划码对应{place}，与所填{}{}不一致，请核对（仍按所填测算）",
                    r.row, c.city, c.district
                ),
                Lang::En => format!(
                    "row {}, {column}: note: the credit code's division is {place}, not {} {} as given; please check (evaluated as given)",
                    r.row, c.city, c.district
                ),
            });
        }
    }
    out
}

/// Whether a row leaves an optional company field empty.
fn profile_lacks(p: &Profile, key: &str) -> bool {
    let c = &p.company;
    match key {
        "serious_dishonesty_listed" => c.serious_dishonesty_listed.is_none(),
        "legal_rep" => c.legal_rep.is_none(),
        "contact" => c.contact.is_none(),
        "phone" => c.phone.is_none(),
        "bank" => c.bank.is_none(),
        "bank_account" => c.bank_account.is_none(),
        _ => false,
    }
}

fn sheet_rows(rows: &[Accepted]) -> Vec<SheetRow> {
    rows.iter()
        .map(|r| {
            let mut facts = r.profile.facts.clone();
            facts.remove(COMPANY_STATUS_FACT);
            SheetRow { company: r.profile.company.clone(), keep: r.keep.clone(), year: r.year, facts, clear: Vec::new() }
        })
        .collect()
}

/// Companies (not rows: one company may have a row per year) added,
/// updated and left unchanged by a save.
pub fn count_companies(saved: &[RowSaved]) -> (usize, usize, usize) {
    let mut by_id: BTreeMap<i64, u8> = BTreeMap::new();
    for s in saved {
        let (id, rank) = match s {
            RowSaved::Added(id) => (*id, 2),
            RowSaved::Updated(id) => (*id, 1),
            RowSaved::Unchanged(id) => (*id, 0),
        };
        let e = by_id.entry(id).or_insert(rank);
        *e = (*e).max(rank);
    }
    let n = |r: u8| by_id.values().filter(|&&x| x == r).count();
    (n(2), n(1), n(0))
}

/// The `--pdf` folder (or the window's chosen one) made and proved
/// writable before any work: an unusable folder is said at once.
pub fn check_pdf_dir(cx: &Context, dir: &Path) -> Result<(), CliError> {
    let err = |e: FileError| CliError::file("", &e, cx.lang);
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(m) if m.file_type().is_symlink() && std::fs::metadata(dir).is_ok_and(|t| t.is_dir()) => {}
        Ok(_) => return Err(err(FileError::NotAFolder { dir: dir.to_path_buf() })),
        Err(_) => std::fs::create_dir_all(dir).map_err(|e| err(FileError::CannotCreateFolder { dir: dir.to_path_buf(), source: e }))?,
    }
    let probe = dir.join(format!(".butie-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(err(FileError::PermissionDenied { path: dir.to_path_buf() })),
        Err(e) => Err(err(FileError::CannotCreateFolder { dir: dir.to_path_buf(), source: e })),
    }
}

// ------------------------------------------------------------------ the app

/// A spreadsheet read for the app's import: the rows accepted and the rows
/// refused with their reasons; nothing is saved until the user says so.
pub struct SheetImport {
    rows: Vec<Accepted>,
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
pub fn read_sheet(cx: &Context, packs: &[Pack], path: &Path, year: i32) -> Result<SheetImport, CliError> {
    let kind = in_kind(cx, path)?;
    let columns = Columns::new(packs);
    let grid = read_grid(cx, path, kind)?;
    let header = read_header(cx, path, &grid, &columns)?;
    require_uscc_column(cx, path, &header)?;
    let (rows, errors, read) = read_rows(cx, packs, &grid, &header, year, true);
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

fn overview_sheet(wb: &mut rust_xlsxwriter::Workbook, lines: &[OverviewLine], lang: Lang) -> Result<(), CliError> {
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
    cx: &Context,
    packs: &[Pack],
    companies: Vec<(i64, Profile, i32)>,
    lines: &[OverviewLine],
) -> Result<Vec<u8>, CliError> {
    let rows: Vec<Accepted> =
        companies.into_iter().map(|(id, profile, year)| Accepted { row: id.max(0) as u32, profile, year, keep: Vec::new() }).collect();
    let done: Vec<Done> = rows.iter().map(|a| work(cx, packs, a, false, None)).collect();
    results_workbook(cx, &rows, &done, None, Some(("企业编号", "company #")), Some(lines))
}

/// What a run of [`write_portfolio_pdfs`] did.
#[derive(Debug, Clone, Default)]
pub struct PdfRun {
    /// Companies whose PDFs were all written.
    pub companies: usize,
    pub files: usize,
    /// Stopped by the user before every company was done.
    pub cancelled: bool,
    /// (company name, why) for each company whose PDFs were not written.
    pub failed: Vec<(String, String)>,
}

/// Every company's forms and summary, one folder each under `dir` (the
/// same folders as `butie batch --pdf`), on `jobs` threads. `done` counts
/// the companies finished so a window can show progress; once `cancel` is
/// set no further company is started, and the folders already written stay.
pub fn write_portfolio_pdfs(
    cx: &Context,
    packs: &[Pack],
    companies: &[(Profile, i32)],
    dir: &Path,
    jobs: usize,
    done: &AtomicUsize,
    cancel: &AtomicBool,
) -> Result<PdfRun, CliError> {
    let fonts = butie_pdf::Fonts::load_default().map_err(|e| CliError::file("", &FileError::Pdf(e), cx.lang))?;
    let rows: Vec<Accepted> = companies
        .iter()
        .enumerate()
        .map(|(i, (p, y))| Accepted { row: i as u32, profile: p.clone(), year: *y, keep: Vec::new() })
        .collect();
    let folders = pdf_folders(dir, &rows);
    let next = AtomicUsize::new(0);
    let n = rows.len();
    let results: Vec<(usize, Result<usize, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs.clamp(1, n.max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while !cancel.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let d = work(cx, packs, &rows[i], false, Some((&fonts, folders[i].clone())));
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

// ------------------------------------------------------------------ batch

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

fn error_line(e: &RowError, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第{}行 {}: {}", e.row, e.column, e.message),
        Lang::En => format!("row {}, {}: {}", e.row, e.column, e.message),
    }
}

pub fn batch_cmd(cx: &Context, a: &BatchArgs) -> Result<BatchOutcome, CliError> {
    let lang = cx.lang;
    let year = cx.year("--year", a.year)?;
    if a.jobs == Some(0) {
        return Err(CliError::usage(cx.say("--jobs: 至少为 1", "--jobs: at least 1").into()));
    }
    let in_kind = in_kind(cx, &a.input)?;
    let out_kind = match extension(&a.out).as_str() {
        "jsonl" => OutKind::Jsonl,
        "csv" => OutKind::Csv,
        "xlsx" => OutKind::Xlsx,
        _ => {
            return Err(CliError::usage(
                cx.say("--out: 应以 .jsonl、.csv 或 .xlsx 结尾", "--out: must end in .jsonl, .csv or .xlsx").into(),
            ))
        }
    };
    if let (Ok(i), Ok(o)) = (a.input.canonicalize(), a.out.canonicalize()) {
        if i == o {
            return Err(CliError::usage(
                cx.say("--out 与 --in 是同一个文件，不会覆盖输入", "--out is the input file; it is not overwritten").into(),
            ));
        }
    }
    check_out(cx, &a.out, Some(out_kind))?;
    let packs = cx.packs()?;
    if a.save && cx.workspace_path().exists() {
        cx.open(OpenMode::Existing)?;
    }
    let fonts = match &a.pdf {
        Some(_) => Some(butie_pdf::Fonts::load_default().map_err(|e| CliError::file("", &FileError::Pdf(e), lang))?),
        None => None,
    };

    let columns = Columns::new(&packs);
    let grid = read_grid(cx, &a.input, in_kind)?;
    let header = read_header(cx, &a.input, &grid, &columns)?;
    if a.save {
        require_uscc_column(cx, &a.input, &header)?;
    }
    let (mut rows, errors, read) = read_rows(cx, &packs, &grid, &header, year, a.save);
    let notes = region_notes(cx, &packs, &rows, &header);
    if a.save && cx.workspace_path().exists() {
        merge_saved(&cx.open(OpenMode::Existing)?, &packs, &mut rows);
    }
    if out_kind == OutKind::Xlsx {
        let per_row: usize = packs.iter().map(|p| p.clauses.len()).sum();
        if rows.len().saturating_mul(per_row) >= XLSX_MAX_ROWS {
            return Err(CliError::usage(match lang {
                Lang::Zh => format!(
                    "--out: {} 行 × {per_row} 条款的明细超过 Excel 一个工作表的 {XLSX_MAX_ROWS} 行上限；请改用 .jsonl 或 .csv，或把表格分成几份（每份不超过 {} 行）",
                    rows.len(),
                    (XLSX_MAX_ROWS - 1) / per_row.max(1)
                ),
                Lang::En => format!(
                    "--out: {} rows × {per_row} clauses exceed the {XLSX_MAX_ROWS} rows of one Excel sheet; use .jsonl or .csv, or split the sheet (at most {} rows each)",
                    rows.len(),
                    (XLSX_MAX_ROWS - 1) / per_row.max(1)
                ),
            }));
        }
    }
    if let Some(dir) = &a.pdf {
        check_pdf_dir(cx, dir)?;
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
        let saved = w.save_rows(&sheet, &packs).map_err(|e| {
            let mut e = cx.store_err(e);
            e.message.push_str(&match lang {
                Lang::Zh => format!("（结果已写入 {}，但没有保存到工作区）", shown(&a.out)),
                Lang::En => format!(" (the results are in {}, but nothing was saved in the workspace)", shown(&a.out)),
            });
            for l in stderr.iter().rev() {
                e.message = format!("{l}\n{}", e.message);
            }
            e
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

// ------------------------------------------------------------------ template

fn kind_text(k: FactKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (FactKind::Bool, Lang::Zh) => "是/否",
        (FactKind::Bool, Lang::En) => "yes/no (是/否, true/false)",
        (FactKind::Money, Lang::Zh) => "金额（元）",
        (FactKind::Money, Lang::En) => "amount (yuan)",
        (FactKind::MoneyUsd, Lang::Zh) => "金额（美元）",
        (FactKind::MoneyUsd, Lang::En) => "amount (US dollars)",
        (FactKind::Integer, Lang::Zh) => "整数",
        (FactKind::Integer, Lang::En) => "whole number",
        (FactKind::Number, Lang::Zh) => "数值",
        (FactKind::Number, Lang::En) => "number",
        (FactKind::Enum, Lang::Zh) => "选项",
        (FactKind::Enum, Lang::En) => "one of the options",
        (FactKind::List, Lang::Zh) => "列表（一格内填 JSON）",
        (FactKind::List, Lang::En) => "list (JSON in one cell)",
    }
}

/// The options of an enum fact in the policy file's order: (key, label).
fn options(d: &FactDef) -> Vec<(&str, &str)> {
    let order: Vec<&String> = if d.option_order.is_empty() { d.options.keys().collect() } else { d.option_order.iter().collect() };
    order.into_iter().filter_map(|k| d.options.get(k).map(|l| (k.as_str(), l.zh.as_str()))).collect()
}

/// The clauses that read a fact, as `id 标题`; the pack's exclusion fact is
/// read by all of them.
fn used_by(packs: &[Pack], key: &str, lang: Lang) -> Vec<String> {
    let mut v = Vec::new();
    for p in packs {
        if p.exclusion_fact.as_ref().is_some_and(|f| f.as_str() == key) {
            v.push(match lang {
                Lang::Zh => format!("{} 全部条款（排除条件）", p.id),
                Lang::En => format!("every clause of {} (exclusion)", p.id),
            });
            continue;
        }
        for c in &p.clauses {
            if c.fact_keys().contains(&key) {
                v.push(format!("{} {}", c.id, c.title.get(lang)));
            }
        }
    }
    v
}

pub fn template_cmd(cx: &Context, out: &Path) -> Result<String, CliError> {
    use rust_xlsxwriter::{Color, DataValidation, Format, Note, Workbook};
    if extension(out) != "xlsx" {
        return Err(CliError::usage(cx.say("--out: 应以 .xlsx 结尾", "--out: must end in .xlsx").into()));
    }
    check_out(cx, out, None)?;
    let packs = cx.packs()?;
    let columns = Columns::new(&packs);
    // The template's columns: the company, the year and every scalar fact
    // that is asked (not an old one kept for old profiles).
    let fields: Vec<Field> = columns
        .fields
        .iter()
        .copied()
        .filter(|f| match f {
            Field::Fact(d) => d.kind != FactKind::List && d.read_as.is_none(),
            _ => true,
        })
        .collect();

    let mut wb = Workbook::new();
    let key_fmt = Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7));
    let label_fmt = Format::new().set_italic().set_font_color(Color::RGB(0x595959)).set_background_color(Color::RGB(0xF2F2F2));
    let yuan = Format::new().set_num_format("#,##0.00");
    let whole = Format::new().set_num_format("#,##0");
    let text = Format::new().set_num_format("@");
    let year_fmt = Format::new().set_num_format("0");

    let sheet = wb.add_worksheet();
    sheet.set_name(TEMPLATE_SHEETS[0]).map_err(xlsx_err)?;
    let last = TEMPLATE_ROWS + 1;
    for (i, f) in fields.iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(0, col, f.key(), &key_fmt).map_err(xlsx_err)?;
        sheet.write_string_with_format(1, col, f.label_row_text(), &label_fmt).map_err(xlsx_err)?;
        let width = (f.label_row_text().chars().count().max(f.key().len()) as f64 * 1.6).clamp(12.0, 48.0);
        sheet.set_column_width(col, width).map_err(xlsx_err)?;
        let mut note = String::new();
        let mut validation: Option<DataValidation> = None;
        match f {
            Field::Company(k, zh, _) => {
                note.push_str(zh);
                if *k == COMPANY_STATUS_FACT {
                    validation = DataValidation::new().allow_list_strings(&["是", "否"]).ok();
                } else {
                    sheet.set_column_format(col, &text).map_err(xlsx_err)?;
                }
                if REQUIRED.contains(k) {
                    note.push_str("（必填）");
                }
                if *k == "city" {
                    note.push_str(&format!("\n可选：{}", butie_core::profile::known_cities(&packs).join("、")));
                }
            }
            Field::Year => {
                note.push_str("年度（数据年度）；留空则用 --year");
                sheet.set_column_format(col, &year_fmt).map_err(xlsx_err)?;
            }
            Field::Fact(d) => {
                note.push_str(&f.label_row_text());
                note.push_str(&format!("\n类型：{}", kind_text(d.kind, Lang::Zh)));
                if !d.help.zh.is_empty() {
                    note.push('\n');
                    note.push_str(&d.help.zh);
                }
                match d.kind {
                    FactKind::Bool => validation = DataValidation::new().allow_list_strings(&["是", "否"]).ok(),
                    FactKind::Enum => {
                        let labels: Vec<&str> = options(d).into_iter().map(|(_, l)| l).collect();
                        validation = DataValidation::new().allow_list_strings(&labels).ok();
                        note.push_str(&format!("\n可选：{}", labels.join("、")));
                    }
                    FactKind::Money | FactKind::MoneyUsd => {
                        sheet.set_column_format(col, &yuan).map_err(xlsx_err)?;
                    }
                    FactKind::Integer => {
                        sheet.set_column_format(col, &whole).map_err(xlsx_err)?;
                    }
                    FactKind::Number | FactKind::List => {}
                }
                note.push_str("\n留空 = 未知（不按 0 计）");
            }
        }
        if let Some(v) = validation {
            let v = v.set_error_title("补贴通").and_then(|v| v.set_error_message("请从下拉列表中选择"));
            if let Ok(v) = v {
                sheet.add_data_validation(2, col, last, col, &v).map_err(xlsx_err)?;
            }
        }
        sheet.insert_note(0, col, &Note::new(note).set_author("补贴通").set_width(320)).map_err(xlsx_err)?;
    }
    sheet
        .insert_note(
            1,
            0,
            &Note::new("第2行是说明行（各列的中文名称与单位），butie batch 导入时自动跳过。请从第3行起，每行填写一家企业的一个年度。")
                .set_author("补贴通")
                .set_width(320),
        )
        .map_err(xlsx_err)?;
    sheet.set_freeze_panes(2, 1).map_err(xlsx_err)?;

    let sheet = wb.add_worksheet();
    sheet.set_name(TEMPLATE_SHEETS[1]).map_err(xlsx_err)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    sheet
        .write_string(
            0,
            0,
            "用法：在“企业”表第3行起每行填写一家企业的一个年度（表头为列名，第2行为中文说明行，导入时跳过）；留空 = 未知；是/否 列填“是”或“否”；金额可写 236500000、236,500,000 或 18200万；列表事实在一格内填 JSON。然后运行：butie batch --in 本文件.xlsx --year 2025 --out 结果.xlsx",
        )
        .map_err(xlsx_err)?;
    let head = ["列名（key）", "中文名称", "English", "单位", "类型", "选项", "说明", "适用条款"];
    sheet.write_row_with_format(2, 0, head, &bold).map_err(xlsx_err)?;
    for (r, f) in (3u32..).zip(&columns.fields) {
        let (kind, opts, help, used) = match f {
            Field::Company(k, ..) if *k == COMPANY_STATUS_FACT => {
                ("是/否".to_string(), String::new(), "企业是否列入严重失信名单".to_string(), used_by(&packs, k, Lang::Zh).join("\n"))
            }
            Field::Company(k, ..) => {
                let help = if REQUIRED.contains(k) {
                    "必填"
                } else if *k == "uscc" {
                    "18位统一社会信用代码（--save 按此匹配企业）"
                } else {
                    ""
                };
                ("文字".to_string(), String::new(), help.to_string(), String::new())
            }
            Field::Year => ("整数".to_string(), String::new(), "数据年度；留空则用 --year".to_string(), String::new()),
            Field::Fact(d) => {
                let opts = options(d).into_iter().map(|(k, l)| format!("{l}（{k}）")).collect::<Vec<_>>().join("\n");
                let mut help = d.help.zh.clone();
                if d.read_as.is_some() {
                    help.push_str("（旧字段，模板中不列出）");
                }
                if d.kind == FactKind::List {
                    let fields: Vec<String> = d.fields.keys().map(|k| format!("\"{k}\": …")).collect();
                    help.push_str(&format!("（模板中不列出；可加一列，一格内填 JSON，如 [{{{}}}]）", fields.join(", ")));
                }
                (kind_text(d.kind, Lang::Zh).to_string(), opts, help, used_by(&packs, &d.key, Lang::Zh).join("\n"))
            }
        };
        let cells = [
            f.key().to_string(),
            f.label(Lang::Zh).to_string(),
            f.label(Lang::En).to_string(),
            f.unit(Lang::Zh).to_string(),
            kind,
            opts,
            help,
            used,
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, v, &wrap).map_err(xlsx_err)?;
        }
    }
    for (c, w) in [30.0, 36.0, 36.0, 10.0, 16.0, 30.0, 60.0, 50.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, w).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(3, 1).map_err(xlsx_err)?;

    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    write_out(cx, out, &bytes)?;
    Ok(match cx.lang {
        Lang::Zh => format!("已写出模板 {}（{} 列）\n", shown(out), fields.len()),
        Lang::En => format!("wrote the template {} ({} columns)\n", shown(out), fields.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_cells_read_back_as_typed() {
        assert_eq!(float_text(236500000.0), "236500000");
        assert_eq!(float_text(42350.5), "42350.5");
        assert_eq!(float_text(0.1), "0.1");
        assert_eq!(float_text(1e21), "1000000000000000000000");
        // A computed value keeps every digit it has: refused, never rounded.
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn headers_match_keys_labels_and_suggest_the_nearest() {
        let packs = butie_core::bundled_packs().unwrap();
        let c = Columns::new(&packs);
        let key = |h: &str| c.find(h).map(|i| c.fields[i].key());
        assert_eq!(key("cbec_volume"), Some("cbec_volume"));
        assert_eq!(key(" USCC "), Some("uscc"));
        assert_eq!(key("年度跨境电商交易额"), Some("cbec_volume"));
        assert_eq!(key("年度跨境电商交易额（元）"), Some("cbec_volume"));
        assert_eq!(key("建设或经营的海外仓总面积（平方米）"), Some("overseas_warehouse_area_sqm"));
        assert_eq!(key("统一社会信用代码"), Some("uscc"));
        assert_eq!(key("年度"), Some("year"));
        assert_eq!(key("no_such"), None);
        assert_eq!(c.suggestion("cbec_volum").as_deref(), Some("cbec_volume（年度跨境电商交易额）"));
        assert_eq!(c.suggestion("年度跨境电商交易额度").as_deref(), Some("cbec_volume（年度跨境电商交易额）"));
        assert_eq!(c.suggestion("行号"), None);
    }

    #[test]
    fn column_letters() {
        assert_eq!(col_letter(0), "A");
        assert_eq!(col_letter(25), "Z");
        assert_eq!(col_letter(26), "AA");
        assert_eq!(col_letter(701), "ZZ");
        assert_eq!(col_letter(702), "AAA");
    }
}

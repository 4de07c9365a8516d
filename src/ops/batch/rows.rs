//! The header and the data rows read into profiles, or errors naming row and column.

use super::*;

/// A rejected row's problem: row number, column (as the sheet names it) and message.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: u32,
    pub column: String,
    pub message: String,
}

/// A row read into a profile.
pub(super) struct Accepted {
    pub(super) row: u32,
    pub(super) profile: Profile,
    pub(super) year: i32,
    /// Optional company fields this row leaves empty: on saving, a matched
    /// company keeps what it holds (an empty cell is "not given", never
    /// "erase"; the same holds for facts, which are only added or replaced).
    pub(super) keep: Vec<String>,
}

/// The header read: for each column of the grid, the field it holds.
#[derive(Clone)]
pub(super) struct Header<'p> {
    pub(super) cols: Vec<Option<Field<'p>>>,
    /// The header text of each column, as written.
    pub(super) names: Vec<String>,
    pub(super) first_col: u32,
}

impl Header<'_> {
    /// Where a field's problem is, as the user sees it: the column's label
    /// (the header as written when it is not the bare key): `统一社会信用代码（B列）`.
    pub(super) fn column_of(&self, key: &str, lang: Lang) -> String {
        match self.cols.iter().position(|c| c.is_some_and(|f| f.key() == key)) {
            Some(i) => {
                let letter = col_letter(self.first_col + i as u32);
                let name = match self.cols[i] {
                    Some(f) if self.names[i].eq_ignore_ascii_case(f.key()) => f.label(lang),
                    _ => self.names[i].as_str(),
                };
                match lang {
                    Lang::Zh => format!("{name}（{letter}列）"),
                    Lang::En => format!("{name} (column {letter})"),
                }
            }
            None => key.to_string(),
        }
    }

    /// A reader's error as a row error: the field names the column (the
    /// rest of its path, e.g. `[0].cost`, goes before the message).
    pub(super) fn error(&self, row: u32, e: &InputError, lang: Lang) -> RowError {
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

pub(super) fn read_header<'p>(path: &Path, grid: &Grid, columns: &Columns<'p>) -> Result<Header<'p>, Error> {
    let head = grid.rows.first().map(Vec::as_slice).unwrap_or_default();
    let width = grid.rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let data_in = |i: usize| {
        let r = grid.rows.iter().skip(1).position(|r| r.get(i).is_some_and(|c| *c != Cell::Empty))?;
        Some(grid.first_row + 1 + r as u32)
    };
    header_of(path, head, width, grid.first_col, data_in, columns)
}

/// The header row read: `width` columns (the widest row's), `data_in(i)`
/// the first row below the header with something in column `i`.
pub(super) fn header_of<'p>(
    path: &Path,
    head: &[Cell],
    width: usize,
    first_col: u32,
    data_in: impl Fn(usize) -> Option<u32>,
    columns: &Columns<'p>,
) -> Result<Header<'p>, Error> {
    if !head.iter().any(|c| *c != Cell::Empty) {
        return Err(Error::sheet(path, SheetProblem::NoHeader));
    }
    let mut cols = Vec::with_capacity(width);
    let mut names = Vec::with_capacity(width);
    for i in 0..width {
        let letter = col_letter(first_col + i as u32);
        let text = header_text(head.get(i));
        if text.is_empty() {
            // A column without a header is ignored only if it holds nothing.
            if let Some(row) = data_in(i) {
                return Err(Error::sheet(path, SheetProblem::HeaderlessColumn { column: letter, row }));
            }
            cols.push(None);
            names.push(String::new());
            continue;
        }
        let Some(fi) = columns.find(&text) else {
            let suggestion = columns.suggestion(&text);
            return Err(Error::sheet(path, SheetProblem::UnknownColumn { text, column: letter, suggestion }));
        };
        let f = columns.fields[fi];
        if let Some(j) = cols.iter().position(|c: &Option<Field>| c.is_some_and(|g| g.key() == f.key())) {
            let other = col_letter(first_col + j as u32);
            return Err(Error::sheet(path, SheetProblem::DuplicateColumn { first: other, second: letter, key: f.key().to_string() }));
        }
        cols.push(Some(f));
        names.push(text);
    }
    for k in REQUIRED {
        if !cols.iter().any(|c| c.is_some_and(|f| f.key() == k)) {
            let label = COMPANY_FIELDS.iter().find(|c| c.key == k).map(|c| c.zh).unwrap_or(k);
            return Err(Error::sheet(path, SheetProblem::MissingColumn { key: k.to_string(), label: label.to_string() }));
        }
    }
    Ok(Header { cols, names, first_col })
}

/// A header cell's text.
pub(super) fn header_text(c: Option<&Cell>) -> String {
    match c {
        Some(Cell::Text(s)) => s.trim().to_string(),
        Some(Cell::Num(s)) | Some(Cell::Error(s)) => s.clone(),
        Some(Cell::Bool(b)) => b.to_string(),
        Some(Cell::Empty) | None => String::new(),
    }
}

/// Saving matches companies by credit code: a sheet without that column
/// cannot be saved at all (one message, not one per row).
pub(super) fn require_uscc_column(path: &Path, header: &Header) -> Result<(), Error> {
    if header.cols.iter().any(|c| c.is_some_and(|f| f.key() == "uscc")) {
        return Ok(());
    }
    Err(Error::sheet(path, SheetProblem::NoUsccColumn))
}

/// Whether a row is the template's label row: every cell filled is its
/// column's label (with or without the unit), and there are some.
pub(super) fn is_label_row(header: &Header, row: &[Cell]) -> bool {
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
/// what people type instead: true/false, yes/no, 1/0, √/×.
pub(super) fn bool_json(c: &Cell) -> Value {
    let word = |s: &str| -> Option<bool> {
        let s = s.trim();
        match s {
            "是" | "√" | "✓" | "1" => Some(true),
            "否" | "×" | "✗" | "0" => Some(false),
            // Whole words only: a lone Y or N may be a stray letter, and is
            // refused with what the cell should hold rather than guessed.
            _ if ["true", "yes"].iter().any(|w| s.eq_ignore_ascii_case(w)) => Some(true),
            _ if ["false", "no"].iter().any(|w| s.eq_ignore_ascii_case(w)) => Some(false),
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
pub(super) fn cell_expects(d: &FactDef, lang: Lang) -> Option<String> {
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
pub(super) const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;

pub(super) fn text_json(c: &Cell) -> Value {
    match c {
        Cell::Text(t) | Cell::Num(t) => Value::String(t.clone()),
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Empty | Cell::Error(_) => Value::Null,
    }
}

pub(super) fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(t) | Cell::Num(t) | Cell::Error(t) => t.trim().to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Empty => String::new(),
    }
}

/// A fact cell as the profile's JSON value (a list cell parsed as JSON).
pub(super) fn fact_json(d: &FactDef, field: &str, c: &Cell) -> Result<Value, InputError> {
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
pub(super) fn read_rows(
    lang: Lang,
    packs: &[Pack],
    grid: &Grid,
    header: &Header,
    year: i32,
    need_uscc: bool,
) -> (Vec<Accepted>, Vec<RowError>, usize) {
    let index = fact_index(packs);
    let cx = RowReader { lang, packs, index: &index, header, year, need_uscc };
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
        if let Some((u, y)) = cx.row_key(row, cells) {
            keys.push((row, u, y));
        }
        match cx.read_row(row, cells) {
            Ok(a) => accepted.push(a),
            Err(errs) => errors.extend(errs),
        }
    }
    let mut refused = cx.duplicate_rows(&keys);
    if need_uscc {
        for e in cx.credit_code_conflicts(&accepted, &refused) {
            refused.entry(e.row).or_insert(e);
        }
    }
    if !refused.is_empty() {
        accepted.retain(|a| !refused.contains_key(&a.row));
        errors.extend(refused.into_values());
        errors.sort_by_key(|e| e.row);
    }
    (accepted, errors, read)
}

/// A row's (USCC, year): two rows with the same one are both refused.
pub(super) type RowKey = (String, i32);

/// What reading a data row needs besides its cells.
pub(super) struct RowReader<'a> {
    pub(super) lang: Lang,
    pub(super) packs: &'a [Pack],
    /// The packs' facts by key (made once for every row).
    pub(super) index: &'a BTreeMap<&'a str, &'a FactDef>,
    pub(super) header: &'a Header<'a>,
    /// The year of a row whose year cell is empty (`--year`).
    pub(super) year: i32,
    /// Saving: every row must carry a credit code.
    pub(super) need_uscc: bool,
}

/// A row's cells sorted into the parts of a profile, and every bad cell.
#[derive(Default)]
pub(super) struct RowParts {
    pub(super) company: Map<String, Value>,
    pub(super) facts: butie_core::Facts,
    pub(super) year_cell: Option<Value>,
    pub(super) errs: Vec<RowError>,
}

impl RowReader<'_> {
    /// One data row: its profile, or every error in it; and its (USCC,
    /// year) whenever both read, a refused row included, so that its
    /// duplicate is refused too.
    pub(super) fn read_row(&self, row: u32, cells: &[Cell]) -> Result<Accepted, Vec<RowError>> {
        let RowParts { company, facts, year_cell, mut errs } = self.row_parts(row, cells);
        let company = self.company(row, &Value::Object(company));
        if let Err(e) = &company {
            errs.insert(0, e.clone());
        }
        let row_year = match &year_cell {
            None => Ok(self.year),
            Some(v) => parse_year("year", v),
        };
        if let Err(e) = &row_year {
            errs.push(self.header.error(row, e, self.lang));
        }
        match (company, row_year) {
            (Ok(company), Ok(year)) if errs.is_empty() => self.accept(row, company, year, facts).map_err(|e| vec![e]),
            _ => Err(errs),
        }
    }

    /// A row's (USCC, year) when both read, from those two cells alone (a
    /// run's first pass finds duplicates with it, before any row is read whole).
    pub(super) fn row_key(&self, row: u32, cells: &[Cell]) -> Option<RowKey> {
        let cell_of = |key: &str| {
            let i = self.header.cols.iter().position(|c| c.is_some_and(|f| f.key() == key))?;
            Some(cells.get(i).unwrap_or(&Cell::Empty))
        };
        let uscc = match cell_of("uscc")? {
            Cell::Error(_) => return None,
            c => self.company_cell(row, "uscc", c).ok()??,
        };
        let year = match cell_of("year") {
            Some(c @ (Cell::Text(_) | Cell::Num(_) | Cell::Bool(_))) => parse_year("year", &text_json(c)).ok()?,
            _ => self.year,
        };
        Some((butie_core::uscc::validate(uscc.as_str()?).ok()?, year))
    }

    /// Each cell of a row into its part, in column order.
    pub(super) fn row_parts(&self, row: u32, cells: &[Cell]) -> RowParts {
        let mut parts = RowParts::default();
        for (ci, f) in self.header.cols.iter().enumerate() {
            let Some(f) = f else { continue };
            let cell = cells.get(ci).unwrap_or(&Cell::Empty);
            if let Cell::Error(e) = cell {
                parts.errs.push(self.formula_error(row, f.key(), e));
                continue;
            }
            match *f {
                Field::Company(k, ..) => match self.company_cell(row, k, cell) {
                    Ok(Some(v)) => {
                        parts.company.insert(k.to_string(), v);
                    }
                    Ok(None) => {}
                    Err(e) => parts.errs.push(e),
                },
                Field::Year => parts.year_cell = Some(text_json(cell)).filter(|v| !v.is_null()),
                Field::Fact(d) => match self.fact_cell(row, d, cell) {
                    Ok(Some(v)) => {
                        parts.facts.insert(d.key.clone(), v);
                    }
                    Ok(None) => {}
                    Err(e) => parts.errs.push(e),
                },
            }
        }
        parts
    }

    /// A cell holding a formula's error (`#DIV/0!`): the value was never there.
    pub(super) fn formula_error(&self, row: u32, key: &str, e: &str) -> RowError {
        let message = match self.lang {
            Lang::Zh => format!("单元格是公式错误 {e}，请填写数值或留空"),
            Lang::En => format!("the cell holds the formula error {e}; enter a value or leave it empty"),
        };
        RowError { row, column: self.header.column_of(key, self.lang), message }
    }

    /// A company cell's value (`None` when empty). A number cell past
    /// [`EXACT_LIMIT`] is refused: its last digits are already lost.
    pub(super) fn company_cell(&self, row: u32, k: &str, cell: &Cell) -> Result<Option<Value>, RowError> {
        if let Cell::Num(n) = cell {
            if n.parse::<f64>().is_ok_and(|x| x.abs() >= EXACT_LIMIT) {
                let message = match self.lang {
                    Lang::Zh => "数字太长，表格软件已丢失末尾几位；请把该列设为“文本”格式后重新填写".to_string(),
                    Lang::En => {
                        "too many digits for a number cell (the last ones are already lost); format the column as text and enter it again"
                            .to_string()
                    }
                };
                return Err(RowError { row, column: self.header.column_of(k, self.lang), message });
            }
        }
        let v = if k == COMPANY_STATUS_FACT { bool_json(cell) } else { text_json(cell) };
        Ok(Some(v).filter(|v| !v.is_null()))
    }

    /// A fact cell's value (`None` when empty), checked by the profile's
    /// own fact reader so that every bad cell of the row is named.
    pub(super) fn fact_cell(&self, row: u32, d: &FactDef, cell: &Cell) -> Result<Option<butie_core::FactValue>, RowError> {
        if *cell == Cell::Empty {
            return Ok(None);
        }
        // The field's name is only for a message: made when there is one.
        if let Ok(v) = fact_json(d, "", cell).and_then(|v| parse_fact_value("", d, &v)) {
            return Ok(Some(v));
        }
        let field = format!("facts.{}", d.key);
        match fact_json(d, &field, cell).and_then(|v| parse_fact_value(&field, d, &v)) {
            Ok(v) => Ok(Some(v)),
            Err(e) => {
                let mut re = self.header.error(row, &e, self.lang);
                if let Some(expects) = cell_expects(d, self.lang) {
                    re.message = match self.lang {
                        Lang::Zh => format!("“{}”无法识别，{expects}", cell_text(cell)),
                        Lang::En => format!("“{}” is not understood; {expects}", cell_text(cell)),
                    };
                }
                Err(re)
            }
        }
    }

    /// The row's company; its problem is named first among the row's: what
    /// the profile reader refuses, or, when saving, a missing credit code.
    pub(super) fn company(&self, row: u32, company: &Value) -> Result<butie_core::Company, RowError> {
        let c = parse_company(company, self.packs).map_err(|e| self.header.error(row, &e, self.lang))?;
        if !self.need_uscc || c.uscc.is_some() {
            return Ok(c);
        }
        let e = InputError::new("company.uscc", Problem::Missing);
        let mut re = self.header.error(row, &e, self.lang);
        re.message.push_str(if self.lang == Lang::Zh {
            "（保存时按统一社会信用代码匹配企业）"
        } else {
            " (saving matches companies by their credit code)"
        });
        Err(re)
    }

    /// A row whose every cell read, as a profile: each cell has been
    /// through the profile file's readers; what a profile file checks across
    /// its facts is checked here too.
    pub(super) fn accept(&self, row: u32, company: butie_core::Company, year: i32, facts: butie_core::Facts) -> Result<Accepted, RowError> {
        let old_fact_column = self.header.cols.iter().any(|c| matches!(c, Some(Field::Fact(d)) if d.read_as.is_some()));
        if old_fact_column {
            butie_core::profile::check_old_facts(&facts, self.index).map_err(|e| self.header.error(row, &e, self.lang))?;
        }
        let profile = Profile::new(company, Some(year), facts);
        let keep = COMPANY_FIELDS.iter().filter(|f| f.optional && profile.company.lacks(f.key)).map(|f| f.key.to_string()).collect();
        Ok(Accepted { row, profile, year, keep })
    }

    /// The same company and year twice: neither row is evaluated. Each row
    /// names the first other row with its (USCC, year).
    pub(super) fn duplicate_rows(&self, keys: &[(u32, String, i32)]) -> BTreeMap<u32, RowError> {
        let mut dup_rows: BTreeMap<u32, RowError> = BTreeMap::new();
        let mut by_key: HashMap<(&str, i32), Vec<u32>> = HashMap::new();
        for (row, u, y) in keys {
            by_key.entry((u.as_str(), *y)).or_default().push(*row);
        }
        for ((u, y), rows) in &by_key {
            if rows.len() < 2 {
                continue;
            }
            for &a in rows {
                let b = rows.iter().copied().find(|&b| b != a).unwrap_or(a);
                dup_rows.insert(a, self.duplicate_error(a, b, u, *y));
            }
        }
        dup_rows
    }

    /// Row `a` has the same company and year (`u`, `y`) as row `b`.
    pub(super) fn duplicate_error(&self, a: u32, b: u32, u: &str, y: i32) -> RowError {
        let message = match self.lang {
            Lang::Zh => format!("与第{b}行是同一企业、同一年度（{u}，{y} 年度），两行都不测算，请只保留一行"),
            Lang::En => format!("the same company and year as row {b} ({u}, {y}); neither row is evaluated, keep one"),
        };
        RowError { row: a, column: self.header.column_of("uscc", self.lang), message }
    }

    /// When saving, one credit code is one company: rows of several years
    /// must agree on its name and place, or saving would flip between them.
    /// Each accepted row (duplicates aside) is compared with the first of
    /// its code; both rows of a difference are named.
    pub(super) fn credit_code_conflicts(&self, accepted: &[Accepted], dup_rows: &BTreeMap<u32, RowError>) -> Vec<RowError> {
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
            let Some((field, x, y)) = differs else { continue };
            for (row, other, mine, theirs) in [(f.row, a.row, x, y), (a.row, f.row, y, x)] {
                conflicts.push(RowError {
                    row,
                    column: self.header.column_of(field, self.lang),
                    message: match self.lang {
                        Lang::Zh => format!("与第{other}行信用代码相同（{u}），但填的是“{mine}”而那一行是“{theirs}”；同一企业请填写一致，两行都不保存"),
                        Lang::En => format!("the same credit code as row {other} ({u}) but “{mine}” here and “{theirs}” there; one company must read the same, neither row is saved"),
                    },
                });
            }
        }
        conflicts
    }
}

//! The workbook template consultants fill in.

use super::*;
use rust_xlsxwriter::{Color, DataValidation, Format, Note, Workbook, Worksheet};

pub(super) fn kind_text(k: FactKind, lang: Lang) -> &'static str {
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
pub(super) fn options(d: &FactDef) -> Vec<(&str, &str)> {
    let order: Vec<&String> = if d.option_order.is_empty() { d.options.keys().collect() } else { d.option_order.iter().collect() };
    order.into_iter().filter_map(|k| d.options.get(k).map(|l| (k.as_str(), l.zh.as_str()))).collect()
}

/// The clauses that read a fact, as `id 标题`; the pack's exclusion fact is
/// read by all of them.
pub(super) fn used_by(packs: &[Pack], key: &str, lang: Lang) -> Vec<String> {
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

/// Write the template to `out` (a new `.xlsx`, or an empty template of
/// ours); returns the number of columns. With `city`, only the columns of
/// the policies covering that city (a Taizhou consultant sees Taizhou's
/// questions, not every region's); without, every region's.
pub fn write_template(cx: &Setup, out: &Path, city: Option<&str>) -> Result<usize, Error> {
    if extension(out) != "xlsx" {
        return Err(Error::OutKind { flag: "--out", expected: &[".xlsx"] });
    }
    let all = cx.packs()?;
    let packs: Vec<Pack> = match city.map(str::trim).filter(|c| !c.is_empty()) {
        None => all.to_vec(),
        Some(c) => {
            let chosen: Vec<Pack> = all.iter().filter(|p| p.covers_city(c)).cloned().collect();
            if chosen.is_empty() {
                let known = butie_core::profile::known_cities(&all);
                return Err(Error::Input(InputError::new("city", Problem::UnknownCity { known })));
            }
            chosen
        }
    };
    check_out(cx, out, None)?;
    let columns = Columns::new(&packs);
    let fields = template_fields(&columns);
    let mut wb = Workbook::new();
    companies_sheet(&mut wb, &fields, &packs)?;
    notes_sheet(&mut wb, &columns, &packs)?;
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    write_out(cx, out, &bytes)?;
    Ok(fields.len())
}

/// The template's columns: the company, the year and every scalar fact
/// that is asked (not an old one kept for old profiles).
pub(super) fn template_fields<'p>(columns: &Columns<'p>) -> Vec<Field<'p>> {
    columns
        .fields
        .iter()
        .copied()
        .filter(|f| match f {
            Field::Fact(d) => d.kind != FactKind::List && d.read_as.is_none(),
            _ => true,
        })
        .collect()
}

/// The 企业 sheet: keys in row 1, labels in row 2 (skipped on reading),
/// and for each column its width, note, cell format and drop-down.
pub(super) fn companies_sheet(wb: &mut Workbook, fields: &[Field], packs: &[Pack]) -> Result<(), Error> {
    let key_fmt = Format::new().set_bold().set_background_color(Color::RGB(0xDDEBF7));
    let label_fmt = Format::new().set_italic().set_font_color(Color::RGB(0x595959)).set_background_color(Color::RGB(0xF2F2F2));
    let sheet = wb.add_worksheet();
    sheet.set_name(TEMPLATE_SHEETS[0]).map_err(xlsx_err)?;
    for (i, f) in fields.iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(0, col, f.key(), &key_fmt).map_err(xlsx_err)?;
        sheet.write_string_with_format(1, col, f.label_row_text(), &label_fmt).map_err(xlsx_err)?;
        let width = (f.label_row_text().chars().count().max(f.key().len()) as f64 * 1.6).clamp(12.0, 48.0);
        sheet.set_column_width(col, width).map_err(xlsx_err)?;
        let (note, validation) = match f {
            Field::Company(k, zh, _) => company_column(sheet, col, k, zh, packs)?,
            Field::Year => {
                sheet.set_column_format(col, &Format::new().set_num_format("0")).map_err(xlsx_err)?;
                ("年度（数据年度）；留空则用导入时选择的测算年度".to_string(), None)
            }
            Field::Fact(d) => fact_column(sheet, col, f, d)?,
        };
        if let Some(v) = validation {
            drop_down(sheet, col, v)?;
        }
        sheet.insert_note(0, col, &Note::new(note).set_author("补贴通").set_width(320)).map_err(xlsx_err)?;
    }
    sheet
        .insert_note(
            1,
            0,
            &Note::new("第2行是说明行（各列的中文名称与单位），导入时自动跳过。请从第3行起，每行填写一家企业的一个年度。")
                .set_author("补贴通")
                .set_width(320),
        )
        .map_err(xlsx_err)?;
    sheet.set_freeze_panes(2, 1).map_err(xlsx_err)?;
    Ok(())
}

/// A company column of the 企业 sheet: its note and its drop-down (the
/// yes/no one); other company columns are text, so a credit code or an
/// account number keeps every digit.
pub(super) fn company_column(
    sheet: &mut Worksheet,
    col: u16,
    k: &str,
    zh: &str,
    packs: &[Pack],
) -> Result<(String, Option<DataValidation>), Error> {
    let mut note = zh.to_string();
    let mut validation = None;
    if k == COMPANY_STATUS_FACT {
        validation = DataValidation::new().allow_list_strings(&["是", "否"]).ok();
    } else {
        sheet.set_column_format(col, &Format::new().set_num_format("@")).map_err(xlsx_err)?;
    }
    if REQUIRED.contains(&k) {
        note.push_str("（必填）");
    }
    if k == "city" {
        note.push_str(&format!("\n可选：{}", butie_core::profile::known_cities(packs).join("、")));
    }
    Ok((note, validation))
}

/// A fact column of the 企业 sheet: its note (label, type, help, options)
/// and its drop-down or number format by the fact's kind.
pub(super) fn fact_column(sheet: &mut Worksheet, col: u16, f: &Field, d: &FactDef) -> Result<(String, Option<DataValidation>), Error> {
    let mut note = f.label_row_text();
    let mut validation = None;
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
            sheet.set_column_format(col, &Format::new().set_num_format("#,##0.00")).map_err(xlsx_err)?;
        }
        FactKind::Integer => {
            sheet.set_column_format(col, &Format::new().set_num_format("#,##0")).map_err(xlsx_err)?;
        }
        FactKind::Number | FactKind::List => {}
    }
    note.push_str("\n留空 = 未知（不按 0 计）");
    Ok((note, validation))
}

/// A column's drop-down, from the first data row to the template's last.
pub(super) fn drop_down(sheet: &mut Worksheet, col: u16, v: DataValidation) -> Result<(), Error> {
    let v = v.set_error_title("补贴通").and_then(|v| v.set_error_message("请从下拉列表中选择"));
    if let Ok(v) = v {
        sheet.add_data_validation(2, col, TEMPLATE_ROWS + 1, col, &v).map_err(xlsx_err)?;
    }
    Ok(())
}

/// The 说明 sheet: how to fill the template in, then one line for every
/// column a sheet may have (list facts and old ones too).
pub(super) fn notes_sheet(wb: &mut Workbook, columns: &Columns, packs: &[Pack]) -> Result<(), Error> {
    let sheet = wb.add_worksheet();
    sheet.set_name(TEMPLATE_SHEETS[1]).map_err(xlsx_err)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    sheet
        .write_string(
            0,
            0,
            "用法：在“企业”表第3行起每行填写一家企业的一个年度（表头为列名，第2行为中文说明行，导入时跳过）；留空 = 未知；是/否 列填“是”或“否”；金额可写 236500000、236,500,000 或 18200万；列表事实在一格内填 JSON。填好后在补贴通窗口的“客户总览”点“导入表格…”选择本文件：先预览每一行（可保存的行、拒绝的行及原因），确认后一次保存。（命令行：butie batch --in 本文件.xlsx --year 2025 --save）",
        )
        .map_err(xlsx_err)?;
    let head = ["列名（key）", "中文名称", "English", "单位", "类型", "选项", "说明", "适用条款"];
    sheet.write_row_with_format(2, 0, head, &bold).map_err(xlsx_err)?;
    for (r, f) in (3u32..).zip(&columns.fields) {
        for (c, v) in notes_line(f, packs).iter().enumerate() {
            sheet.write_string_with_format(r, c as u16, v, &wrap).map_err(xlsx_err)?;
        }
    }
    for (c, w) in [30.0, 36.0, 36.0, 10.0, 16.0, 30.0, 60.0, 50.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, w).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(3, 1).map_err(xlsx_err)?;
    Ok(())
}

/// One column's line of the 说明 sheet: key, names, unit, type, options,
/// help and the clauses that read it.
pub(super) fn notes_line(f: &Field, packs: &[Pack]) -> [String; 8] {
    let (kind, opts, help, used) = match f {
        Field::Company(k, ..) if *k == COMPANY_STATUS_FACT => {
            ("是/否".to_string(), String::new(), "企业是否列入严重失信名单".to_string(), used_by(packs, k, Lang::Zh).join("\n"))
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
        Field::Year => ("整数".to_string(), String::new(), "数据年度；留空则用导入时选择的测算年度".to_string(), String::new()),
        Field::Fact(d) => {
            let opts = options(d).into_iter().map(|(k, l)| format!("{l}（{k}）")).collect::<Vec<_>>().join("\n");
            (kind_text(d.kind, Lang::Zh).to_string(), opts, fact_help(d), used_by(packs, &d.key, Lang::Zh).join("\n"))
        }
    };
    [
        f.key().to_string(),
        f.label(Lang::Zh).to_string(),
        f.label(Lang::En).to_string(),
        f.unit(Lang::Zh).to_string(),
        kind,
        opts,
        help,
        used,
    ]
}

/// A fact's help on the 说明 sheet, with why the 企业 sheet leaves it out
/// (an old field, or a list, which a column of JSON may still give).
pub(super) fn fact_help(d: &FactDef) -> String {
    let mut help = d.help.zh.clone();
    if d.read_as.is_some() {
        help.push_str("（旧字段，模板中不列出）");
    }
    if d.kind == FactKind::List {
        let fields: Vec<String> = d.fields.keys().map(|k| format!("\"{k}\": …")).collect();
        help.push_str(&format!("（模板中不列出；可加一列，一格内填 JSON，如 [{{{}}}]）", fields.join(", ")));
    }
    help
}

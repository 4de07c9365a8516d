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

mod cells;
mod columns;
mod portfolio;
mod rows;

mod run;
mod save;
mod source;
mod stream;
mod template;
mod workers;
mod write;

use cells::*;
pub use cells::{XLSX_PART_LIMIT, XLSX_UNPACKED_LIMIT};
use columns::*;
pub use portfolio::*;
pub use rows::*;

pub use run::*;
pub use save::*;
use source::*;
use stream::*;
pub use template::*;
use workers::*;
pub use write::*;

use crate::files::{check_target, read_limited, write_atomic, write_pdf_set_with, FileError, Replace, IMPORT_LIMIT};
use crate::ops::{Error, OpenMode, Output, Setup, SheetProblem};
use butie_core::engine::{evaluate, Status};
use butie_core::explain;
use butie_core::money::fmt_yuan;
use butie_core::policy::{FactDef, FactKind, Lang, Pack};
use butie_core::profile::{
    fact_index, parse_company, parse_fact_value, parse_json, parse_year, suggest, InputError, Problem, Profile, COMPANY_FIELDS,
    COMPANY_STATUS_FACT,
};
use butie_store::{RowSaved, SheetRow};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub(super) const YEAR_COLUMN: (&str, &str, &str) = ("year", "年度", "Year");
/// Columns without which no row can be read: the file is unusable.
pub(super) const REQUIRED: [&str; 3] = ["name", "city", "district"];
/// The template's sheets, and the batch workbook's.
pub(super) const TEMPLATE_SHEETS: [&str; 2] = ["企业", "说明"];
pub(super) const RESULT_SHEETS: [&str; 3] = ["汇总", "明细", "错误"];
/// The CSV output's header (the catalogue's columns).
pub(super) const CSV_HEADER: [&str; 9] = ["row", "uscc", "name", "year", "clause", "status", "amount", "amount_max", "reasons"];
/// Rows of the template that carry drop-downs and formats.
pub(super) const TEMPLATE_ROWS: u32 = 10_000;
/// Rows of one Excel worksheet.
pub(super) const XLSX_MAX_ROWS: usize = 1_048_576;

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

//! The profile: a company, a year and its facts, read from the catalogue's
//! JSON and checked against the fact definitions of the loaded packs.
//! Reading never panics; every problem names the field.

use crate::money::{read_number, Grouped, NumberProblem};
use crate::policy::{FactDef, FactKind, Lang, Pack};
use crate::uscc::{validate as validate_uscc, UsccProblem};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Company {
    pub name: String,
    pub uscc: Option<String>,
    pub city: String,
    pub district: String,
    /// `None` is unknown: the packs that exclude listed companies then ask.
    pub serious_dishonesty_listed: Option<bool>,
    pub legal_rep: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub bank: Option<String>,
    pub bank_account: Option<String>,
}

/// One of the company's fields: its key (in profiles, spreadsheets and the
/// workspace), its labels, and whether a company may leave it empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanyField {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Optional: a spreadsheet row that leaves it empty keeps the stored value.
    pub optional: bool,
}

/// The company's fields, the one list every layer reads (in the template's order).
pub const COMPANY_FIELDS: [CompanyField; 10] = [
    CompanyField { key: "name", zh: "企业名称", en: "Company name", optional: false },
    CompanyField { key: "uscc", zh: "统一社会信用代码", en: "Unified social credit code", optional: false },
    CompanyField { key: "city", zh: "注册城市", en: "City", optional: false },
    CompanyField { key: "district", zh: "区（县、市）", en: "District", optional: false },
    CompanyField {
        key: "serious_dishonesty_listed", zh: "是否列入严重失信名单", en: "On the serious dishonesty list", optional: true
    },
    CompanyField { key: "legal_rep", zh: "法定代表人", en: "Legal representative", optional: true },
    CompanyField { key: "contact", zh: "联系人", en: "Contact", optional: true },
    CompanyField { key: "phone", zh: "联系电话", en: "Phone", optional: true },
    CompanyField { key: "bank", zh: "开户银行", en: "Bank", optional: true },
    CompanyField { key: "bank_account", zh: "银行账号", en: "Bank account", optional: true },
];

impl Company {
    /// The optional text field `key` (`legal_rep` … `bank_account`), to read or set.
    pub fn text_field_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "uscc" => &mut self.uscc,
            "legal_rep" => &mut self.legal_rep,
            "contact" => &mut self.contact,
            "phone" => &mut self.phone,
            "bank" => &mut self.bank,
            "bank_account" => &mut self.bank_account,
            _ => return None,
        })
    }
    /// The optional text field `key`.
    pub fn text_field(&self, key: &str) -> Option<&Option<String>> {
        Some(match key {
            "uscc" => &self.uscc,
            "legal_rep" => &self.legal_rep,
            "contact" => &self.contact,
            "phone" => &self.phone,
            "bank" => &self.bank,
            "bank_account" => &self.bank_account,
            _ => return None,
        })
    }
    /// Whether the optional field `key` is empty.
    pub fn lacks(&self, key: &str) -> bool {
        match key {
            "serious_dishonesty_listed" => self.serious_dishonesty_listed.is_none(),
            k => self.text_field(k).is_some_and(Option::is_none),
        }
    }
    /// Take the optional field `key` from `from`.
    pub fn keep_field(&mut self, from: &Company, key: &str) {
        if key == "serious_dishonesty_listed" {
            self.serious_dishonesty_listed = from.serious_dishonesty_listed;
        } else if let (Some(to), Some(v)) = (self.text_field_mut(key), from.text_field(key)) {
            *to = v.clone();
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FactValue {
    Bool(bool),
    Num(Decimal),
    Enum(String),
    List(Vec<BTreeMap<String, Decimal>>),
}

pub type Facts = BTreeMap<String, FactValue>;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    pub company: Company,
    pub year: Option<i32>,
    pub facts: Facts,
    /// Claims filed in any year (the catalogue's `history`): what the
    /// company has already applied for or received.
    pub history: Vec<Claim>,
    /// The company's saved facts of the year before (the facts some pack
    /// reads as last year's: `FactDef::previous_year_of`).
    pub previous_year: Option<PreviousYear>,
}

/// The facts of `year` that some pack reads as last year's (their
/// `previous_year_of` sources), as the year before of the year after it;
/// `None` when none of them is there.
pub fn previous_year_from(packs: &[Pack], year: i32, facts: &Facts) -> Option<PreviousYear> {
    let sources: Vec<&str> = packs.iter().flat_map(|p| p.facts.values()).filter_map(|d| d.previous_year_of.as_deref()).collect();
    let kept: Facts = facts.iter().filter(|(k, _)| sources.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    (!kept.is_empty()).then_some(PreviousYear { year, facts: kept })
}

/// Facts saved for the year before the one evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousYear {
    pub year: i32,
    pub facts: Facts,
}

/// Where a claim stands (计划申报 / 已申报 / 已批准 / 未获批 / 已撤回).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStatus {
    Planned,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 5] =
        [ClaimStatus::Planned, ClaimStatus::Submitted, ClaimStatus::Approved, ClaimStatus::Rejected, ClaimStatus::Withdrawn];
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Planned => "planned",
            ClaimStatus::Submitted => "submitted",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// Only submitted and approved claims count against later years.
    pub fn counts(self) -> bool {
        matches!(self, ClaimStatus::Submitted | ClaimStatus::Approved)
    }
}

/// One entry of a company's filing history.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub clause: String,
    pub year: i32,
    pub status: ClaimStatus,
    /// Approved amount; for a submitted claim, the amount applied for.
    pub amount: Option<Decimal>,
}

/// The company status that the packs declare as a fact (their exclusion
/// list). The catalogue's profile keeps it on the company; the engine reads
/// facts only.
pub const COMPANY_STATUS_FACT: &str = "serious_dishonesty_listed";

impl Profile {
    /// A profile whose facts carry the company's status answer. Listed in
    /// either place is listed: a year's "no" never clears the company's
    /// "yes" (that would pay a listed company).
    pub fn new(company: Company, year: Option<i32>, mut facts: Facts) -> Profile {
        match company.serious_dishonesty_listed {
            Some(true) => {
                facts.insert(COMPANY_STATUS_FACT.to_string(), FactValue::Bool(true));
            }
            Some(false) => {
                facts.entry(COMPANY_STATUS_FACT.to_string()).or_insert(FactValue::Bool(false));
            }
            None => {}
        }
        Profile { company, year, facts, history: Vec::new(), previous_year: None }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A clause id no loaded pack has.
    UnknownClause,
    /// A counting claim of a per-company capped clause says nothing of its amount.
    ClaimWithoutAmount,
    Json {
        detail: String,
        line: usize,
        column: usize,
    },
    /// The text stops in the middle: a file cut short while copying.
    JsonTruncated {
        line: usize,
        column: usize,
    },
    NotAnObject,
    UnknownField {
        known: Vec<&'static str>,
    },
    UnknownFact {
        suggestion: Option<String>,
    },
    Missing,
    WrongType {
        expected: FactKind,
    },
    NotText,
    Number(NumberProblem),
    Uscc(UsccProblem),
    UnknownCity {
        known: Vec<String>,
    },
    UnknownDistrict {
        city: String,
        known: Vec<String>,
    },
    /// A district a pack lists under another city (椒江区 is 台州's, not 泰州's).
    DistrictOfOtherCity {
        city: String,
        other: String,
    },
    /// Not the name of a county-level division (those end in 区, 县, 市 or 旗).
    NotADistrict,
    NotOption {
        options: Vec<String>,
    },
    TooLong {
        max: usize,
    },
    BadYear,
    /// The same key twice in one JSON object (serde_json would keep the
    /// last one without a word); the field is the key's path.
    DuplicateKey,
    /// A control character or a bidirectional-text control (which can make
    /// a name display differently from what is stored).
    ControlChar {
        ch: char,
    },
    /// Nothing but white space.
    Empty,
    /// An old fact (`read_as`) given beside the fact it stands for.
    OldFact {
        by: String,
        replacements: Vec<String>,
    },
    /// A workspace export without its format version.
    VersionMissing {
        supported: u64,
    },
    /// A format version this build does not know.
    VersionUnknown {
        found: String,
        supported: u64,
    },
    /// A file written by a newer Butie.
    VersionNewer {
        found: u64,
        supported: u64,
    },
}

/// One clear problem with one named field.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub field: String,
    pub problem: Problem,
}

impl InputError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        InputError { field: field.into(), problem }
    }

    /// The same error on a field inside `outer` (`previous_year.facts.x`).
    pub fn within(mut self, outer: &str) -> Self {
        self.field = format!("{outer}.{}", self.field);
        self
    }

    /// One line: the field, then the problem in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        if self.field.is_empty() {
            self.detail(lang)
        } else {
            format!("{}: {}", self.field, self.detail(lang))
        }
    }

    /// The problem in the user's language, without the field name.
    pub fn detail(&self, lang: Lang) -> String {
        // Worded by group: each words its own kinds and passes on the
        // others. (Every kind has words: the tests give an example of each.)
        let zh = lang == Lang::Zh;
        let groups = [format_words, value_words, place_words, record_words];
        groups.iter().find_map(|words| words(&self.problem, zh)).unwrap_or_default()
    }
}

/// What a fact of type `k` must be.
fn kind_name(k: FactKind, zh: bool) -> &'static str {
    match (k, zh) {
        (FactKind::Bool, true) => "true 或 false",
        (FactKind::Bool, false) => "true or false",
        (FactKind::Money | FactKind::MoneyUsd, true) => "非负金额（数字或字符串，最多两位小数）",
        (FactKind::Money | FactKind::MoneyUsd, false) => "a non-negative amount (number or string, at most 2 decimals)",
        (FactKind::Integer, true) => "非负整数",
        (FactKind::Integer, false) => "a non-negative whole number",
        (FactKind::Number, true) => "非负数",
        (FactKind::Number, false) => "a non-negative number",
        (FactKind::Enum, true) => "选项之一（字符串）",
        (FactKind::Enum, false) => "one of the options (a string)",
        (FactKind::List, true) => "列表",
        (FactKind::List, false) => "a list",
    }
}

/// The text as a whole: JSON, keys, characters, a file's format version.
fn format_words(p: &Problem, zh: bool) -> Option<String> {
    let words = match p {
        Problem::Json { detail, line, column } => {
            if zh {
                format!("JSON 格式错误（第{line}行第{column}列）: {detail}")
            } else {
                format!("invalid JSON at line {line}, column {column}: {detail}")
            }
        }
        Problem::JsonTruncated { line, column } => {
            if zh {
                format!("文件不完整，在第{line}行第{column}列中途结束（可能没有复制完整，请重新导出）")
            } else {
                format!("the file stops short at line {line}, column {column} (perhaps cut off while copying; export it again)")
            }
        }
        Problem::NotAnObject => {
            if zh {
                "应为 JSON 对象 {…}".to_string()
            } else {
                "must be a JSON object {…}".to_string()
            }
        }
        Problem::UnknownField { known } => {
            if zh {
                format!("未知字段；可用字段: {}", known.join(", "))
            } else {
                format!("unknown field; known fields: {}", known.join(", "))
            }
        }
        Problem::DuplicateKey => {
            if zh {
                "键重复（同一对象中出现了两次，无法确定用哪一个）".to_string()
            } else {
                "duplicate key (it appears twice in the same object; which one is meant?)".to_string()
            }
        }
        Problem::ControlChar { ch } => {
            let code = format!("U+{:04X}", u32::from(*ch));
            if zh {
                format!("含有控制字符（{code}），请删除后再试")
            } else {
                format!("contains a control character ({code}); remove it and try again")
            }
        }
        Problem::Empty => {
            if zh {
                "内容为空".to_string()
            } else {
                "is empty".to_string()
            }
        }
        Problem::VersionMissing { supported } => {
            if zh {
                format!("缺少格式版本（工作区导出文件应写有 \"butie_workspace\": {supported}）")
            } else {
                format!("the format version is missing (a workspace export has \"butie_workspace\": {supported})")
            }
        }
        Problem::VersionUnknown { found, supported } => {
            if zh {
                format!("未知的格式版本 {found}（本程序读取版本 {supported}）")
            } else {
                format!("unknown format version {found} (this build reads version {supported})")
            }
        }
        Problem::VersionNewer { found, supported } => {
            if zh {
                format!("格式版本 {found} 比本程序支持的版本 {supported} 新，请升级补贴通后再导入")
            } else {
                format!("format version {found} is newer than this build reads ({supported}); update Butie to import it")
            }
        }
        _ => return None,
    };
    Some(words)
}

/// A value of the wrong kind: missing, mistyped, out of range.
fn value_words(p: &Problem, zh: bool) -> Option<String> {
    let words = match p {
        Problem::Missing => {
            if zh {
                "必填，但没有填写".to_string()
            } else {
                "required but missing".to_string()
            }
        }
        Problem::WrongType { expected } => {
            if zh {
                // A space before a Latin word, as Chinese typesetting has it.
                let k = kind_name(*expected, zh);
                let gap = if k.starts_with(|c: char| c.is_ascii_alphabetic()) { " " } else { "" };
                format!("类型不对，应为{gap}{k}")
            } else {
                format!("wrong type, expected {}", kind_name(*expected, zh))
            }
        }
        Problem::NotText => {
            if zh {
                "应为文字（字符串）".to_string()
            } else {
                "must be text (a string)".to_string()
            }
        }
        Problem::Number(p) => match (p, zh) {
            (NumberProblem::NotANumber, true) => "不是数字（可写 236500000、236,500,000 或 6.2万；不用科学计数法）".to_string(),
            (NumberProblem::NotANumber, false) => "not a number (write e.g. 236500000, 236,500,000 or 6.2万; no exponents)".to_string(),
            (NumberProblem::Negative, true) => "不能为负数".to_string(),
            (NumberProblem::Negative, false) => "must not be negative".to_string(),
            (NumberProblem::TooManyDecimals { max }, true) => format!("最多{max}位小数（金额精确到分）"),
            (NumberProblem::TooManyDecimals { max }, false) => format!("at most {max} decimal places (amounts are to the fen)"),
            (NumberProblem::TooLarge, true) => "数值过大".to_string(),
            (NumberProblem::TooLarge, false) => "number too large".to_string(),
            (NumberProblem::NotInteger, true) => "应为整数".to_string(),
            (NumberProblem::NotInteger, false) => "must be a whole number".to_string(),
            (NumberProblem::BadGrouping, true) => "千分位逗号位置不对（应每三位一组，如 236,500,000）".to_string(),
            (NumberProblem::BadGrouping, false) => "misplaced thousands separator (groups of three digits, e.g. 236,500,000)".to_string(),
            (NumberProblem::Approximate, true) => "请填写确切的数字，不要写“约”“左右”（如 81000000 或 8100万）".to_string(),
            (NumberProblem::Approximate, false) => "give the exact figure, not an approximate one (e.g. 81000000 or 8100万)".to_string(),
            (NumberProblem::LatinUnit { unit }, true) => {
                let word = if unit.eq_ignore_ascii_case(&'w') { "万" } else { "千（或写出全部数字）" };
                format!("“{unit}”不是数字单位：请用{word}，如 5万 或 50000")
            }
            (NumberProblem::LatinUnit { unit }, false) => format!("\"{unit}\" is not read as a unit: write 5万 or 50000"),
            (NumberProblem::ChineseNumerals, true) => "请用阿拉伯数字书写（如“五万”写作 5万 或 50000）".to_string(),
            (NumberProblem::ChineseNumerals, false) => "write the figure in digits (e.g. 5万 or 50000, not 五万)".to_string(),
            (NumberProblem::MixedUnits, true) => "一个数字只能带一个单位：如“3万5千”请写作 3.5万 或 35000".to_string(),
            (NumberProblem::MixedUnits, false) => "one unit per figure: write 3.5万 or 35000 (not 3万5千)".to_string(),
        },
        Problem::NotOption { options } => {
            if zh {
                format!("不是可选项；可选: {}", options.join(", "))
            } else {
                format!("not one of the options: {}", options.join(", "))
            }
        }
        Problem::TooLong { max } => {
            if zh {
                format!("太长（最多{max}个字符）")
            } else {
                format!("too long (at most {max} characters)")
            }
        }
        Problem::BadYear => {
            if zh {
                "年度应为 2000 至 2100 之间的整数".to_string()
            } else {
                "the year must be a whole number from 2000 to 2100".to_string()
            }
        }
        _ => return None,
    };
    Some(words)
}

/// The company's code and place.
fn place_words(p: &Problem, zh: bool) -> Option<String> {
    let words = match p {
        Problem::Uscc(p) => match (p, zh) {
            (UsccProblem::Length(n), true) => format!("统一社会信用代码应为18位，实为{n}位"),
            (UsccProblem::Length(n), false) => format!("a unified social credit code has 18 characters, not {n}"),
            (UsccProblem::BadChar { pos, ch }, true) => format!("第{pos}位字符 {ch:?} 不允许（代码不含 I、O、S、V、Z）"),
            (UsccProblem::BadChar { pos, ch }, false) => {
                format!("character {pos} ({ch:?}) is not allowed (codes never use I, O, S, V, Z)")
            }
            (UsccProblem::CheckDigit { expected, found }, true) => {
                format!("校验位错误：末位应为 {expected}，实为 {found}（请核对是否抄错）")
            }
            (UsccProblem::CheckDigit { expected, found }, false) => {
                format!("wrong check character: the last one should be {expected}, not {found} (check for a typo)")
            }
        },
        Problem::UnknownCity { known } => {
            if zh {
                format!("暂不支持该城市；支持: {}", known.join("、"))
            } else {
                format!("city not supported; supported: {}", known.join(", "))
            }
        }
        Problem::UnknownDistrict { city, known } => {
            if zh {
                format!("{city}没有这个区县；可选: {}", known.join("、"))
            } else {
                format!("no such district in {city}; choose one of: {}", known.join(", "))
            }
        }
        Problem::DistrictOfOtherCity { city, other } => {
            if zh {
                format!("这个区县属于{other}，不在{city}；请核对注册城市和区县")
            } else {
                format!("this district is in {other}, not in {city}; check the city and district")
            }
        }
        Problem::NotADistrict => {
            if zh {
                "不是区县名称：应以“区”“县”“市”或“旗”结尾，如“海陵区”".to_string()
            } else {
                "not a district name: it ends in 区, 县, 市 or 旗, e.g. 海陵区".to_string()
            }
        }
        _ => return None,
    };
    Some(words)
}

/// Facts and claims the packs do not have, or not so.
fn record_words(p: &Problem, zh: bool) -> Option<String> {
    let words = match p {
        Problem::UnknownFact { suggestion } => match (suggestion, zh) {
            (Some(s), true) => format!("未知的事实键；是否想写 {s}？"),
            (Some(s), false) => format!("unknown fact key; did you mean {s}?"),
            (None, true) => "未知的事实键（butie policies 可列出所有事实键）".to_string(),
            (None, false) => "unknown fact key (butie policies lists them)".to_string(),
        },
        Problem::OldFact { by, replacements } => {
            if zh {
                format!("是旧字段，按 {by} 所选代为填写，不能与新字段同时出现；请只填 {}", replacements.join("、"))
            } else {
                format!(
                    "is an old field, read by what {by} picks, and cannot be given beside the new one; give only {}",
                    replacements.join(", ")
                )
            }
        }
        Problem::UnknownClause => {
            if zh {
                "未知的条款 id（butie policies 可列出所有条款）".to_string()
            } else {
                "unknown clause id (butie policies lists them)".to_string()
            }
        }
        Problem::ClaimWithoutAmount => {
            if zh {
                "已申报或已批准的申报须写明金额（该条款对单家企业累计封顶）".to_string()
            } else {
                "a submitted or approved claim needs its amount (this clause caps the total per company)".to_string()
            }
        }
        _ => return None,
    };
    Some(words)
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

const TOP_FIELDS: [&str; 5] = ["company", "year", "facts", "history", "previous_year"];
const MAX_TEXT: usize = 200;
const MAX_LIST: usize = 10_000;

/// Every fact key the loaded packs define, with its definition.
pub fn fact_index(packs: &[Pack]) -> BTreeMap<&str, &FactDef> {
    let mut m = BTreeMap::new();
    for p in packs {
        for (k, d) in &p.facts {
            m.entry(k.as_str()).or_insert(d);
        }
    }
    m
}

/// Read a profile from JSON text.
pub fn parse_profile(text: &str, packs: &[Pack]) -> Result<Profile, InputError> {
    let v = parse_json("profile", text)?;
    profile_from_value(&v, packs)
}

/// Read JSON text strictly: a UTF-8 byte-order mark at the start is
/// accepted (Windows Notepad writes one), empty text says so, a syntax
/// error is `json_error(field, …)`, and a key that appears twice in one
/// object is `DuplicateKey` on the key's path (`facts.cbec_volume`).
pub fn parse_json(field: &str, text: &str) -> Result<Value, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(InputError::new(field, Problem::Empty));
    }
    let v: Value = serde_json::from_str(text).map_err(|e| json_error(field, &e))?;
    if let Some(path) = duplicate_key(text) {
        return Err(InputError::new(path, Problem::DuplicateKey));
    }
    Ok(v)
}

/// The path of the first key that appears twice in one JSON object
/// (`facts.cbec_volume`, `companies[2].company.name`), or `None`.
///
/// Meant for text serde_json has accepted (it keeps the last of two equal
/// keys without a word). Any other text gets some answer, never a panic; the
/// scan is one pass with its own stack, so nesting cannot overflow it.
pub fn duplicate_key(text: &str) -> Option<String> {
    enum Frame {
        Object { keys: std::collections::HashSet<String>, key: Option<String> },
        Array { index: usize },
    }
    const MAX_DEPTH: usize = 10_000;
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push(Frame::Object { keys: Default::default(), key: None });
                expect_key = true;
                i += 1;
            }
            b'[' => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push(Frame::Array { index: 0 });
                expect_key = false;
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                i += 1;
            }
            b',' => {
                match stack.last_mut() {
                    Some(Frame::Object { .. }) => expect_key = true,
                    Some(Frame::Array { index }) => *index += 1,
                    None => {}
                }
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                // Just past the closing quote (or the end of a cut-off text).
                let end = (i + 1).min(b.len());
                i = end;
                if !expect_key {
                    continue;
                }
                expect_key = false;
                let Some(raw) = text.get(start..end) else { continue };
                let key = if raw.contains('\\') {
                    serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_string())
                } else {
                    raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')).unwrap_or(raw).to_string()
                };
                if let Some(Frame::Object { keys, key: current }) = stack.last_mut() {
                    if keys.contains(&key) {
                        let mut path = String::new();
                        for f in &stack[..stack.len() - 1] {
                            match f {
                                Frame::Object { key: Some(k), .. } => {
                                    if !path.is_empty() {
                                        path.push('.');
                                    }
                                    path.push_str(k);
                                }
                                Frame::Object { key: None, .. } => {}
                                Frame::Array { index } => path.push_str(&format!("[{index}]")),
                            }
                        }
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(&key);
                        return Some(path);
                    }
                    keys.insert(key.clone());
                    *current = Some(key);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// A JSON syntax error as an input error on `field`, telling a file cut short
/// apart from one that is malformed.
pub fn json_error(field: &str, e: &serde_json::Error) -> InputError {
    if e.is_eof() {
        InputError::new(field, Problem::JsonTruncated { line: e.line(), column: e.column() })
    } else {
        InputError::new(field, Problem::Json { detail: json_detail(e), line: e.line(), column: e.column() })
    }
}

fn json_detail(e: &serde_json::Error) -> String {
    let s = e.to_string();
    // serde_json appends " at line L column C"; we say that ourselves.
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

pub fn profile_from_value(v: &Value, packs: &[Pack]) -> Result<Profile, InputError> {
    profile_from_value_with(v, packs, &fact_index(packs))
}

/// [`profile_from_value`] with the packs' [`fact_index`] made once (a batch
/// reads many profiles against the same packs).
pub fn profile_from_value_with(v: &Value, packs: &[Pack], index: &BTreeMap<&str, &FactDef>) -> Result<Profile, InputError> {
    let obj = v.as_object().ok_or_else(|| InputError::new("profile", Problem::NotAnObject))?;
    for k in obj.keys() {
        if !TOP_FIELDS.contains(&k.as_str()) {
            return Err(InputError::new(k.clone(), Problem::UnknownField { known: TOP_FIELDS.to_vec() }));
        }
    }
    let company = match obj.get("company") {
        Some(c) => parse_company(c, packs)?,
        None => return Err(InputError::new("company", Problem::Missing)),
    };
    let year = match obj.get("year") {
        None | Some(Value::Null) => None,
        Some(y) => Some(parse_year("year", y)?),
    };
    let facts = match obj.get("facts") {
        None | Some(Value::Null) => Facts::new(),
        Some(Value::Object(m)) => parse_facts_with(m, index)?,
        Some(_) => return Err(InputError::new("facts", Problem::NotAnObject)),
    };
    let mut profile = Profile::new(company, year, facts);
    if let Some(h) = obj.get("history") {
        profile.history = parse_history(h, packs)?;
    }
    match obj.get("previous_year") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for k in m.keys() {
                if !["year", "facts"].contains(&k.as_str()) {
                    return Err(InputError::new(format!("previous_year.{k}"), Problem::UnknownField { known: vec!["year", "facts"] }));
                }
            }
            let y = m.get("year").ok_or_else(|| InputError::new("previous_year.year", Problem::Missing))?;
            let year = parse_year("previous_year.year", y)?;
            let facts = match m.get("facts") {
                None | Some(Value::Null) => Facts::new(),
                Some(Value::Object(f)) => parse_facts_with(f, index).map_err(|e| e.within("previous_year"))?,
                Some(_) => return Err(InputError::new("previous_year.facts", Problem::NotAnObject)),
            };
            profile.previous_year = Some(PreviousYear { year, facts });
        }
        Some(_) => return Err(InputError::new("previous_year", Problem::NotAnObject)),
    }
    Ok(profile)
}

const CLAIM_FIELDS: [&str; 4] = ["clause", "year", "status", "amount"];

/// The catalogue's `history`: a list of `{clause, year, status, amount}`.
/// Bad input names the entry (`history[1].status`).
pub fn parse_history(v: &Value, packs: &[Pack]) -> Result<Vec<Claim>, InputError> {
    let list = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Array(a) => a,
        _ => return Err(InputError::new("history", Problem::WrongType { expected: FactKind::List })),
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let at = |k: &str| format!("history[{i}].{k}");
        let obj = e.as_object().ok_or_else(|| InputError::new(format!("history[{i}]"), Problem::NotAnObject))?;
        for k in obj.keys() {
            if !CLAIM_FIELDS.contains(&k.as_str()) {
                return Err(InputError::new(at(k), Problem::UnknownField { known: CLAIM_FIELDS.to_vec() }));
            }
        }
        let clause = match obj.get("clause") {
            Some(Value::String(c)) if packs.iter().any(|p| p.clause(c).is_some()) => c.clone(),
            Some(Value::String(_)) => return Err(InputError::new(at("clause"), Problem::UnknownClause)),
            Some(_) => return Err(InputError::new(at("clause"), Problem::NotText)),
            None => return Err(InputError::new(at("clause"), Problem::Missing)),
        };
        let year = match obj.get("year") {
            Some(Value::Number(n)) if n.as_i64().is_some_and(|y| (2000..=2100).contains(&y)) => n.as_i64().unwrap_or_default() as i32,
            Some(_) => return Err(InputError::new(at("year"), Problem::BadYear)),
            None => return Err(InputError::new(at("year"), Problem::Missing)),
        };
        let status = match obj.get("status") {
            Some(Value::String(s)) => ClaimStatus::parse(s).ok_or_else(|| {
                InputError::new(
                    at("status"),
                    Problem::NotOption { options: ClaimStatus::ALL.iter().map(|c| c.as_str().to_string()).collect() },
                )
            })?,
            Some(_) => return Err(InputError::new(at("status"), Problem::NotText)),
            None => return Err(InputError::new(at("status"), Problem::Missing)),
        };
        let amount = match obj.get("amount") {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse_number(&at("amount"), FactKind::Money, v)?),
        };
        let capped = packs
            .iter()
            .find_map(|p| p.clause(&clause))
            .is_some_and(|c| matches!(c.per_company, Some(crate::policy::PerCompany::Cap { .. })));
        if capped && status.counts() && amount.is_none() {
            return Err(InputError::new(at("amount"), Problem::ClaimWithoutAmount));
        }
        out.push(Claim { clause, year, status, amount });
    }
    Ok(out)
}

pub fn parse_year(field: &str, v: &Value) -> Result<i32, InputError> {
    let n = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(InputError::new(field, Problem::BadYear)),
    };
    match n.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Ok(y),
        _ => Err(InputError::new(field, Problem::BadYear)),
    }
}

pub fn check_year(field: &str, y: i64) -> Result<i32, InputError> {
    if (2000..=2100).contains(&y) {
        Ok(y as i32)
    } else {
        Err(InputError::new(field, Problem::BadYear))
    }
}

fn text_field(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, InputError> {
    let field = format!("company.{key}");
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let t = s.trim();
            if t.chars().count() > MAX_TEXT {
                return Err(InputError::new(field, Problem::TooLong { max: MAX_TEXT }));
            }
            if let Some(ch) = t.chars().find(|c| is_control_char(*c)) {
                return Err(InputError::new(field, Problem::ControlChar { ch }));
            }
            Ok(if t.is_empty() { None } else { Some(t.to_string()) })
        }
        Some(_) => Err(InputError::new(field, Problem::NotText)),
    }
}

/// A control character (C0, DEL, C1), a zero-width one or a bidirectional-text
/// control (U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C): never part of a name,
/// and the bidi ones make text display differently from what is stored.
pub fn is_control_char(c: char) -> bool {
    // Zero-width characters (U+200B–U+200D, U+2060, U+FEFF) too: invisible,
    // they make two equal-looking names differ.
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// The cities and districts the loaded packs know, in file order.
pub fn known_cities(packs: &[Pack]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    // Every kept version counts: a year an older version serves may cover
    // places the newest no longer does.
    for c in packs.iter().flat_map(|p| std::iter::once(p).chain(&p.alternates)).flat_map(|p| &p.cities) {
        if !v.contains(c) {
            v.push(c.clone());
        }
    }
    v
}

/// The districts of `city` the packs list; empty when a pack covers the
/// whole city (any district is then accepted).
pub fn known_districts(packs: &[Pack], city: &str) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for p in packs.iter().flat_map(|p| std::iter::once(p).chain(&p.alternates)).filter(|p| p.covers_city(city)) {
        if p.regions.is_empty() {
            return Vec::new();
        }
        for (d, _) in &p.regions {
            if !v.contains(d) {
                v.push(d.clone());
            }
        }
    }
    v
}

/// The district a typed name stands for: a functional zone one of the
/// packs names (东疆综合保税区 → 滨海新区), or the name itself.
pub fn district_as<'a>(packs: &'a [Pack], city: &str, district: &'a str) -> &'a str {
    packs.iter().filter(|p| p.covers_city(city)).find_map(|p| p.district_alias(district)).unwrap_or(district)
}

/// Check a city/district pair against the packs. (Lists are built only
/// for the error: a batch checks every row.)
pub fn check_region(packs: &[Pack], city: &str, district: &str) -> Result<(), InputError> {
    let versions = || packs.iter().flat_map(|p| std::iter::once(p).chain(&p.alternates));
    if !versions().any(|p| p.covers_city(city)) {
        return Err(InputError::new("company.city", Problem::UnknownCity { known: known_cities(packs) }));
    }
    // Every version covering the city lists its districts (none covers it whole).
    let listed = |city: &str| versions().filter(|p| p.covers_city(city)).all(|p| !p.regions.is_empty());
    let lists =
        |city: &str, d: &str| listed(city) && versions().filter(|p| p.covers_city(city)).any(|p| p.regions.iter().any(|(x, _)| x == d));
    // A functional zone a pack names as part of one of its districts.
    let alias = versions().any(|p| p.covers_city(city) && p.district_alias(district).is_some());
    if listed(city) && !alias && !lists(city, district) {
        let known = known_districts(packs, city);
        return Err(InputError::new("company.district", Problem::UnknownDistrict { city: city.to_string(), known }));
    }
    if !listed(city) {
        // A city covered whole lists no districts: the name is typed, so
        // it is checked for what it can be.
        if let Some(other) = versions().flat_map(|p| &p.cities).find(|c| *c != city && lists(c, district)) {
            return Err(InputError::new("company.district", Problem::DistrictOfOtherCity { city: city.to_string(), other: other.clone() }));
        }
        if district == city || !["区", "县", "市", "旗"].iter().any(|end| district.ends_with(end)) || district.chars().count() < 2 {
            return Err(InputError::new("company.district", Problem::NotADistrict));
        }
    }
    Ok(())
}

pub fn parse_company(v: &Value, packs: &[Pack]) -> Result<Company, InputError> {
    let obj = v.as_object().ok_or_else(|| InputError::new("company", Problem::NotAnObject))?;
    for k in obj.keys() {
        if !COMPANY_FIELDS.iter().any(|f| f.key == k) {
            let known = COMPANY_FIELDS.iter().map(|f| f.key).collect();
            return Err(InputError::new(format!("company.{k}"), Problem::UnknownField { known }));
        }
    }
    let name = text_field(obj, "name")?.ok_or_else(|| InputError::new("company.name", Problem::Missing))?;
    let uscc = match text_field(obj, "uscc")? {
        Some(u) => Some(validate_uscc(&u).map_err(|p| InputError::new("company.uscc", Problem::Uscc(p)))?),
        None => None,
    };
    let city = text_field(obj, "city")?.ok_or_else(|| InputError::new("company.city", Problem::Missing))?;
    let district = text_field(obj, "district")?.ok_or_else(|| InputError::new("company.district", Problem::Missing))?;
    check_region(packs, &city, &district)?;
    let serious_dishonesty_listed = match obj.get("serious_dishonesty_listed") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(InputError::new("company.serious_dishonesty_listed", Problem::WrongType { expected: FactKind::Bool })),
    };
    Ok(Company {
        name,
        uscc,
        city,
        district,
        serious_dishonesty_listed,
        legal_rep: text_field(obj, "legal_rep")?,
        contact: text_field(obj, "contact")?,
        phone: text_field(obj, "phone")?,
        bank: text_field(obj, "bank")?,
        bank_account: text_field(obj, "bank_account")?,
    })
}

pub fn parse_facts(m: &Map<String, Value>, packs: &[Pack]) -> Result<Facts, InputError> {
    parse_facts_with(m, &fact_index(packs))
}

/// [`parse_facts`] with the packs' [`fact_index`] made once.
pub fn parse_facts_with(m: &Map<String, Value>, index: &BTreeMap<&str, &FactDef>) -> Result<Facts, InputError> {
    let mut facts = Facts::new();
    for (k, v) in m {
        let field = format!("facts.{k}");
        let def = match index.get(k.as_str()) {
            Some(d) => *d,
            None => return Err(InputError::new(field, Problem::UnknownFact { suggestion: suggest(k, index.keys().copied()) })),
        };
        if v.is_null() {
            continue; // null is "unknown", the same as leaving it out
        }
        facts.insert(k.clone(), parse_fact_value(&field, def, v)?);
    }
    check_old_facts(&facts, index)?;
    Ok(facts)
}

/// An old fact is read as the fact its selector's option names; given
/// beside that fact, it is refused rather than silently ignored.
pub fn check_old_facts(facts: &Facts, index: &BTreeMap<&str, &FactDef>) -> Result<(), InputError> {
    for (k, _) in facts.iter() {
        let Some(r) = index.get(k.as_str()).and_then(|d| d.read_as.as_ref()) else { continue };
        let target = match facts.get(r.by.as_str()) {
            Some(FactValue::Enum(o)) => r.to.get(o.as_str()),
            _ => continue, // the selector is still open: asked for first
        };
        // Under an option it does not map (e.g. "none"), it counts for nothing.
        if target.is_some_and(|t| facts.contains_key(t.as_str())) {
            let replacements = r.to.values().map(|t| t.to_string()).collect();
            return Err(InputError::new(format!("facts.{k}"), Problem::OldFact { by: r.by.to_string(), replacements }));
        }
    }
    Ok(())
}

/// Read one fact value (also used by the store and the UI for single answers).
pub fn parse_fact_value(field: &str, def: &FactDef, v: &Value) -> Result<FactValue, InputError> {
    let wrong = || InputError::new(field, Problem::WrongType { expected: def.kind });
    match def.kind {
        FactKind::Bool => v.as_bool().map(FactValue::Bool).ok_or_else(wrong),
        FactKind::Enum => {
            let s = v.as_str().ok_or_else(wrong)?;
            if def.options.contains_key(s) {
                Ok(FactValue::Enum(s.to_string()))
            } else {
                Err(InputError::new(field, Problem::NotOption { options: def.options.keys().cloned().collect() }))
            }
        }
        FactKind::Money | FactKind::MoneyUsd | FactKind::Integer | FactKind::Number => {
            Ok(FactValue::Num(parse_number(field, def.kind, v)?))
        }
        FactKind::List => {
            let arr = v.as_array().ok_or_else(wrong)?;
            if arr.len() > MAX_LIST {
                return Err(InputError::new(field, Problem::TooLong { max: MAX_LIST }));
            }
            let mut items = Vec::with_capacity(arr.len());
            for (i, item) in arr.iter().enumerate() {
                let ifield = format!("{field}[{i}]");
                let obj = item.as_object().ok_or_else(|| InputError::new(&ifield, Problem::NotAnObject))?;
                let mut rec = BTreeMap::new();
                for (fk, fv) in obj {
                    let sub = def.fields.get(fk).ok_or_else(|| {
                        InputError::new(
                            format!("{ifield}.{fk}"),
                            Problem::UnknownFact { suggestion: suggest(fk, def.fields.keys().map(|s| s.as_str())) },
                        )
                    })?;
                    rec.insert(fk.clone(), parse_number(&format!("{ifield}.{fk}"), sub.kind, fv)?);
                }
                for fk in def.fields.keys() {
                    if !rec.contains_key(fk) {
                        return Err(InputError::new(format!("{ifield}.{fk}"), Problem::Missing));
                    }
                }
                items.push(rec);
            }
            Ok(FactValue::List(items))
        }
    }
}

fn parse_number(field: &str, kind: FactKind, v: &Value) -> Result<Decimal, InputError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return Err(InputError::new(field, Problem::WrongType { expected: kind })),
    };
    read_fact_number(kind, &text).map_err(|p| InputError::new(field, Problem::Number(p)))
}

/// A number fact's text as people type it (`236,500,000`, `6.2万元`,
/// `３０００００００`; see `numbers`): the one reader behind profile strings,
/// the CLI's `facts set`, the window and imports. Amounts in yuan may end in
/// 元, dollar amounts in 美元, other numbers in no unit; money has at most 2
/// places, integers none, other numbers 6.
pub fn read_fact_number(kind: FactKind, text: &str) -> Result<Decimal, NumberProblem> {
    let (max_dp, unit) = match kind {
        FactKind::Money => (2, Some("元")),
        FactKind::MoneyUsd => (2, Some("美元")),
        FactKind::Integer => (0, None),
        _ => (6, None),
    };
    read_number(text, max_dp, unit)
}

/// What a number field's text is read as, for the window to show while the
/// user types ("= 236,500,000.00 元"): the value and its grouped digits
/// (amounts with two places, other numbers as they are). The unit and the
/// words around it are the caller's, in the user's language.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberPreview {
    pub value: Decimal,
    pub grouped: String,
}

/// Read `text` as a fact of `kind` would be read, without saving anything.
/// A kind that is not a number is `WrongType`; errors name `field`.
pub fn preview_number(field: &str, kind: FactKind, text: &str) -> Result<NumberPreview, InputError> {
    let grouped = match kind {
        FactKind::Money | FactKind::MoneyUsd => Grouped::yuan,
        FactKind::Integer | FactKind::Number => Grouped::number,
        FactKind::Bool | FactKind::Enum | FactKind::List => return Err(InputError::new(field, Problem::WrongType { expected: kind })),
    };
    let value = read_fact_number(kind, text).map_err(|p| InputError::new(field, Problem::Number(p)))?;
    Ok(NumberPreview { value, grouped: grouped(value).to_string() })
}

/// The closest known key by edit distance, if it is close enough to be a typo.
pub fn suggest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = edit_distance(key, k);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.filter(|(d, _)| *d <= 3.max(key.len() / 4)).map(|(_, k)| k.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(100).collect();
    let b: Vec<char> = b.chars().take(100).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The profile as catalogue JSON (used by export and by the store).
pub fn profile_to_value(p: &Profile) -> Value {
    let mut company = Map::new();
    let c = &p.company;
    company.insert("name".into(), Value::String(c.name.clone()));
    let opt = |m: &mut Map<String, Value>, k: &str, v: &Option<String>| {
        if let Some(s) = v {
            m.insert(k.into(), Value::String(s.clone()));
        }
    };
    opt(&mut company, "uscc", &c.uscc);
    company.insert("city".into(), Value::String(c.city.clone()));
    company.insert("district".into(), Value::String(c.district.clone()));
    if let Some(b) = c.serious_dishonesty_listed {
        company.insert("serious_dishonesty_listed".into(), Value::Bool(b));
    }
    opt(&mut company, "legal_rep", &c.legal_rep);
    opt(&mut company, "contact", &c.contact);
    opt(&mut company, "phone", &c.phone);
    opt(&mut company, "bank", &c.bank);
    opt(&mut company, "bank_account", &c.bank_account);
    let mut root = Map::new();
    root.insert("company".into(), Value::Object(company));
    if let Some(y) = p.year {
        root.insert("year".into(), Value::from(y));
    }
    root.insert("facts".into(), facts_to_value(&p.facts));
    if !p.history.is_empty() {
        root.insert("history".into(), history_to_value(&p.history));
    }
    if let Some(prev) = &p.previous_year {
        root.insert("previous_year".into(), serde_json::json!({ "year": prev.year, "facts": facts_to_value(&prev.facts) }));
    }
    Value::Object(root)
}

pub fn fact_value_to_json(v: &FactValue) -> Value {
    match v {
        FactValue::Bool(b) => Value::Bool(*b),
        FactValue::Num(d) => Value::String(d.to_string()),
        FactValue::Enum(s) => Value::String(s.clone()),
        FactValue::List(items) => Value::Array(
            items.iter().map(|rec| Value::Object(rec.iter().map(|(k, d)| (k.clone(), Value::String(d.to_string()))).collect())).collect(),
        ),
    }
}

pub fn facts_to_value(facts: &Facts) -> Value {
    Value::Object(facts.iter().map(|(k, v)| (k.clone(), fact_value_to_json(v))).collect())
}

/// The catalogue's `history` list.
pub fn history_to_value(h: &[Claim]) -> Value {
    Value::Array(
        h.iter()
            .map(|c| {
                let mut m = Map::new();
                m.insert("clause".into(), Value::String(c.clause.clone()));
                m.insert("year".into(), Value::from(c.year));
                m.insert("status".into(), Value::String(c.status.as_str().into()));
                if let Some(a) = c.amount {
                    m.insert("amount".into(), Value::String(crate::money::fmt_yuan(a)));
                }
                Value::Object(m)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_facts_read_what_people_type() {
        use std::str::FromStr;
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let read = |kind, v: Value| parse_number("facts.x", kind, &v);
        // JSON numbers and plain strings as before.
        assert_eq!(read(FactKind::Money, serde_json::json!(236500000)), Ok(d("236500000")));
        assert_eq!(read(FactKind::Money, Value::String("100000.00".into())), Ok(d("100000.00")));
        // As clerks type them.
        for t in ["236,500,000", "23650万", "2.365亿元", "２３６，５００，０００", " 236500000元\u{3000}"] {
            assert_eq!(read(FactKind::Money, Value::String(t.into())), Ok(d("236500000")), "{t}");
        }
        assert_eq!(read(FactKind::MoneyUsd, Value::String("5万美元".into())), Ok(d("50000")));
        assert_eq!(read(FactKind::Integer, Value::String("1.2万".into())), Ok(d("12000")));
        // A unit the fact does not take is not a number: 元 in a dollar field,
        // any unit in a count.
        let problem = |kind, t: &str| read(kind, Value::String(t.into())).unwrap_err().problem;
        assert_eq!(problem(FactKind::MoneyUsd, "100元"), Problem::Number(NumberProblem::NotANumber));
        assert_eq!(problem(FactKind::Integer, "100元"), Problem::Number(NumberProblem::NotANumber));
        assert_eq!(problem(FactKind::Integer, "1.23456万"), Problem::Number(NumberProblem::NotInteger));
        // JSON numbers in exponent form stay refused.
        let e = read(FactKind::Money, serde_json::from_str("1e5").unwrap()).unwrap_err();
        assert_eq!(e.problem, Problem::Number(NumberProblem::NotANumber));
        // Messages: one line, both languages; the old ones unchanged.
        let e = read(FactKind::Money, Value::String("1,23".into())).unwrap_err();
        assert_eq!(e.message(Lang::Zh), "facts.x: 千分位逗号位置不对（应每三位一组，如 236,500,000）");
        assert_eq!(e.message(Lang::En), "facts.x: misplaced thousands separator (groups of three digits, e.g. 236,500,000)");
        let e = read(FactKind::Money, Value::String("－5万".into())).unwrap_err();
        assert_eq!(e.message(Lang::Zh), "facts.x: 不能为负数");
        let e = read(FactKind::Money, Value::String("0.0000001万".into())).unwrap_err();
        assert_eq!(e.message(Lang::Zh), "facts.x: 最多2位小数（金额精确到分）");
    }

    #[test]
    fn preview_shows_what_was_understood() {
        let p = preview_number("facts.x", FactKind::Money, "236,500,000").unwrap();
        assert_eq!(p.grouped, "236,500,000.00");
        assert_eq!(preview_number("facts.x", FactKind::Money, "6.2万").unwrap().grouped, "62,000.00");
        assert_eq!(preview_number("facts.x", FactKind::Money, "１．５亿元").unwrap().grouped, "150,000,000.00");
        assert_eq!(preview_number("facts.x", FactKind::Integer, "18200万").unwrap().grouped, "182,000,000");
        assert_eq!(preview_number("facts.x", FactKind::Number, "1.5").unwrap().grouped, "1.5");
        let e = preview_number("facts.x", FactKind::Money, "12万万").unwrap_err();
        assert_eq!((e.field.as_str(), e.problem), ("facts.x", Problem::Number(NumberProblem::NotANumber)));
        let e = preview_number("facts.x", FactKind::Enum, "1").unwrap_err();
        assert_eq!(e.problem, Problem::WrongType { expected: FactKind::Enum });
    }

    #[test]
    fn duplicate_keys_are_named_by_path() {
        assert_eq!(duplicate_key(r#"{"facts": {"cbec_volume": 1, "cbec_volume": 2}}"#).as_deref(), Some("facts.cbec_volume"));
        assert_eq!(duplicate_key(r#"{"a": [{"b": 1}, {"b": 1, "c": {"d": 0, "d": 0}}]}"#).as_deref(), Some("a[1].c.d"));
        assert_eq!(duplicate_key(r#"{"k\u00e9": 1, "ké": 2}"#).as_deref(), Some("ké"));
        assert_eq!(duplicate_key(r#"{"a": {"x": 1}, "b": {"x": 1}}"#), None);
        assert_eq!(duplicate_key(r#"{"a": "b", "b": "a"}"#), None);
        assert_eq!(duplicate_key(r#"{"a": "\"b\": 1, \"b\": 2"}"#), None);
        assert_eq!(duplicate_key("[]"), None);
        let e = parse_json("profile", r#"{"year": 2025, "year": 2024}"#).unwrap_err();
        assert_eq!(e.message(Lang::Zh), "year: 键重复（同一对象中出现了两次，无法确定用哪一个）");
        assert_eq!(e.message(Lang::En), "year: duplicate key (it appears twice in the same object; which one is meant?)");
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_empty_text_named() {
        assert!(parse_json("profile", "\u{feff}{}").is_ok());
        assert_eq!(parse_json("profile", "\u{feff} \n").unwrap_err().problem, Problem::Empty);
        assert_eq!(parse_json("profile", "").unwrap_err().message(Lang::En), "profile: is empty");
    }

    #[test]
    fn the_scanner_never_panics() {
        // Cut-off strings, stray escapes, lone closers, multi-byte text
        // after a backslash, deep nesting.
        let mut inputs: Vec<String> = ["\"", "{\"", "{\"a\\", "{\"\\é\": 1, \"\\é\": 2}", "}}]]", "{\"a\":1,\"a\"", "{,,,\"a\",\"a\"}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        inputs.push("[".repeat(100_000));
        inputs.push("{\"a\":".repeat(20_000));
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            let n = (x % 64) as usize;
            let s: String = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    ['{', '}', '[', ']', '"', '\\', ':', ',', 'a', 'é', ' ', 'u', '0'][(x % 13) as usize]
                })
                .collect();
            inputs.push(s);
        }
        for s in &inputs {
            let _ = duplicate_key(s);
            let _ = parse_json("x", s);
        }
    }

    #[test]
    fn control_characters_in_company_fields_are_refused() {
        for (field, bad) in
            [("name", "海\u{202E}跃"), ("name", "a\u{7}b"), ("phone", "0576\u{2066}"), ("bank", "x\u{200F}y"), ("contact", "a\nb")]
        {
            let mut v = serde_json::json!({"name": "甲", "city": "台州市", "district": "椒江区"});
            v[field] = bad.into();
            let obj = v.as_object().unwrap();
            let e = text_field(obj, field).unwrap_err();
            assert_eq!(e.field, format!("company.{field}"));
            assert!(matches!(e.problem, Problem::ControlChar { .. }), "{e:?}");
            assert!(e.message(Lang::Zh).contains(": 含有控制字符（U+"), "{}", e.message(Lang::Zh));
            assert!(e.message(Lang::En).contains(": contains a control character (U+"), "{}", e.message(Lang::En));
        }
        // Surrounding white space is trimmed as before, not refused.
        let v = serde_json::json!({"name": " 甲\n"});
        assert_eq!(text_field(v.as_object().unwrap(), "name").unwrap().as_deref(), Some("甲"));
    }

    /// One example of every problem, with every kind of number, code and
    /// fact type it can name.
    fn every_problem() -> Vec<Problem> {
        let s = |x: &str| x.to_string();
        let mut all = vec![
            Problem::UnknownClause,
            Problem::ClaimWithoutAmount,
            Problem::Json { detail: s("expected value"), line: 3, column: 7 },
            Problem::JsonTruncated { line: 9, column: 1 },
            Problem::NotAnObject,
            Problem::UnknownField { known: vec!["name", "city"] },
            Problem::UnknownFact { suggestion: Some(s("cbec_volume")) },
            Problem::UnknownFact { suggestion: None },
            Problem::Missing,
            Problem::NotText,
            Problem::Uscc(UsccProblem::Length(17)),
            Problem::Uscc(UsccProblem::BadChar { pos: 3, ch: 'I' }),
            Problem::Uscc(UsccProblem::CheckDigit { expected: 'X', found: '1' }),
            Problem::UnknownCity { known: vec![s("a"), s("b")] },
            Problem::UnknownDistrict { city: s("c"), known: vec![s("d"), s("e")] },
            Problem::DistrictOfOtherCity { city: s("c"), other: s("o") },
            Problem::NotADistrict,
            Problem::NotOption { options: vec![s("x"), s("y")] },
            Problem::TooLong { max: 200 },
            Problem::BadYear,
            Problem::DuplicateKey,
            Problem::ControlChar { ch: '\u{202E}' },
            Problem::Empty,
            Problem::OldFact { by: s("pilot"), replacements: vec![s("p1"), s("p2")] },
            Problem::VersionMissing { supported: 1 },
            Problem::VersionUnknown { found: s("x"), supported: 1 },
            Problem::VersionNewer { found: 2, supported: 1 },
        ];
        let kinds =
            [FactKind::Bool, FactKind::Money, FactKind::MoneyUsd, FactKind::Integer, FactKind::Number, FactKind::Enum, FactKind::List];
        all.extend(kinds.map(|expected| Problem::WrongType { expected }));
        let numbers = [
            NumberProblem::NotANumber,
            NumberProblem::Negative,
            NumberProblem::TooManyDecimals { max: 2 },
            NumberProblem::TooLarge,
            NumberProblem::NotInteger,
            NumberProblem::BadGrouping,
            NumberProblem::Approximate,
            NumberProblem::LatinUnit { unit: 'w' },
            NumberProblem::ChineseNumerals,
            NumberProblem::MixedUnits,
        ];
        all.extend(numbers.map(Problem::Number));
        all
    }

    /// Each kind's name. Exhaustive on purpose: a new kind fails to compile
    /// here until it is named, and `every_problem` gets an example.
    fn kind(p: &Problem) -> &'static str {
        match p {
            Problem::UnknownClause => "UnknownClause",
            Problem::ClaimWithoutAmount => "ClaimWithoutAmount",
            Problem::Json { .. } => "Json",
            Problem::JsonTruncated { .. } => "JsonTruncated",
            Problem::NotAnObject => "NotAnObject",
            Problem::UnknownField { .. } => "UnknownField",
            Problem::UnknownFact { .. } => "UnknownFact",
            Problem::Missing => "Missing",
            Problem::WrongType { .. } => "WrongType",
            Problem::NotText => "NotText",
            Problem::Number(_) => "Number",
            Problem::Uscc(_) => "Uscc",
            Problem::UnknownCity { .. } => "UnknownCity",
            Problem::UnknownDistrict { .. } => "UnknownDistrict",
            Problem::DistrictOfOtherCity { .. } => "DistrictOfOtherCity",
            Problem::NotADistrict => "NotADistrict",
            Problem::NotOption { .. } => "NotOption",
            Problem::TooLong { .. } => "TooLong",
            Problem::BadYear => "BadYear",
            Problem::DuplicateKey => "DuplicateKey",
            Problem::ControlChar { .. } => "ControlChar",
            Problem::Empty => "Empty",
            Problem::OldFact { .. } => "OldFact",
            Problem::VersionMissing { .. } => "VersionMissing",
            Problem::VersionUnknown { .. } => "VersionUnknown",
            Problem::VersionNewer { .. } => "VersionNewer",
        }
    }

    #[test]
    fn every_problem_reads_in_both_languages() {
        let all = every_problem();
        assert_eq!(all.iter().map(kind).collect::<std::collections::BTreeSet<_>>().len(), 26, "an example of every kind");
        for p in all {
            let e = InputError::new("f", p);
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            for m in [&zh, &en] {
                assert!(m.starts_with("f: ") && m.len() > "f: ".len() && !m.contains('\n'), "{m}");
            }
            assert_ne!(zh, en, "{e:?}");
        }
    }
}

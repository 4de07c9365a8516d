//! Policy-file errors: where in the file, and what (`PolicyProblem`, one
//! variant per kind with its data), read in both languages.

use super::*;
use rust_decimal::Decimal;
use std::fmt;
use PolicyProblem as P;

/// A problem in a policy file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub file: String,
    /// Where in the file: a TOML path such as `pack.regions` or `clause x
    /// formula`; empty when the problem concerns the whole file (a syntax
    /// error carries its line in `problem`).
    pub at: String,
    pub problem: PolicyProblem,
}

impl PolicyError {
    /// One line in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let problem = self.problem.message(lang);
        if self.at.is_empty() {
            format!("{}: {problem}", self.file)
        } else {
            format!("{}: {}: {problem}", self.file, self.at)
        }
    }
}

/// In Chinese, the policies' own language, as the CLI and tests expect.
impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

/// What is wrong in a policy file, with the data its message needs. The
/// place is `PolicyError::at`; `message` words the problem in either
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    // The file as a whole.
    /// TOML the parser refused: the line (0 if unknown) and the parser's
    /// message, made one line.
    TomlSyntax {
        line: usize,
        message: String,
    },
    /// A value that should be a non-negative decimal number (in a string).
    NotNonNegativeDecimal {
        text: String,
    },
    /// Turning a value into JSON failed; serde's message.
    Json {
        detail: String,
    },
    /// A case's `facts` or `previous_year_facts` is not a table.
    NotJsonObject {
        field: &'static str,
    },

    // [pack]
    BadPackId {
        id: String,
    },
    /// `valid_from` or `valid_to` is not a calendar date.
    BadDate,
    ValidityEndsBeforeStart,
    /// `draft` without `draft_quote`, or the other way round.
    DraftWithoutQuote,
    DuplicateRegion {
        region: String,
    },
    EmptyOrDuplicateCity {
        city: String,
    },
    NoRegion,
    /// Both districts of one city and whole cities are listed.
    DistrictsAndCities,
    NotPackCity {
        city: String,
    },
    NotPackRegion {
        region: String,
    },
    /// An administrative division code that is not six digits; `place` is
    /// the city or district it is for, when the file names one.
    BadDivisionCode {
        place: Option<String>,
        code: String,
    },
    AliasNotApplicableDistrict {
        alias: String,
        district: String,
    },
    BadAlias {
        alias: String,
    },
    ExclusionNotBool {
        fact: String,
    },
    ExclusionUndeclared {
        fact: String,
    },

    // [facts]
    BadFactKey,
    UnknownFactType {
        kind: String,
    },
    BadOptionLabel {
        detail: String,
    },
    /// A fact of type `kind` lacks its `key` (`options` of an enum,
    /// `fields` of a list).
    TypeNeeds {
        kind: &'static str,
        key: &'static str,
    },
    /// `key` given on a fact not of type `kind`.
    OnlyTypeHas {
        kind: &'static str,
        key: &'static str,
    },
    MissingChineseLabel,
    UndefinedTopic {
        topic: String,
    },
    BadPreviousYearOf {
        source: String,
    },
    BadWithin {
        whole: String,
    },
    BadReadAsTarget {
        option: String,
        target: String,
    },
    UndefinedFact {
        key: String,
    },
    /// `field` (read_as.by, switch, lookup, items) names a fact not of
    /// type `kind`.
    MustReferTo {
        field: &'static str,
        kind: &'static str,
    },
    NoSuchOption {
        fact: String,
        option: String,
    },

    // Conditions.
    /// `all` or `any` with nothing in it.
    EmptyGroup {
        group: &'static str,
    },
    SwitchWithoutCases,
    ConditionWithoutFact,
    GrowthNotNumeric,
    GrowthValueNotString,
    GrowthTooLarge,
    BoolValueNotTrue,
    EnumConditionWithoutValues,
    ListFactInCondition,
    CompareValueNotString,
    MissingTerm,
    UnknownTerm {
        term: String,
    },
    UnknownOp {
        op: String,
    },
    OpDisagreesWithTerm {
        op: String,
        term: String,
        expected: Op,
    },

    // Clauses.
    BadClauseId,
    DuplicateClause,
    MissingQuote,
    BadFrequency {
        value: String,
    },
    ClauseCityNotInPack {
        city: String,
    },
    NonMonetaryWithFormula,
    CapRuleWithoutCap,
    BadPerCompanyRule {
        value: String,
    },

    // Formulas.
    BadFigure {
        value: String,
    },
    UnknownFormulaType {
        kind: String,
    },
    /// A `formula` of that type without its `key` (`fixed` without
    /// `amount`, `lookup` without `table`, …).
    FormulaNeeds {
        formula: &'static str,
        key: &'static str,
    },
    RateFormulaWithoutRate,
    /// The fact a formula computes on is not given (`base`, `fact`).
    MissingFormulaFact {
        what: &'static str,
    },
    NotNumericFact {
        what: &'static str,
        key: String,
    },
    RateOutOfRange {
        rate: Decimal,
    },
    BaseAndParts,
    PartsBaseNotYuan,
    DollarBase,
    BadPartOf {
        base: String,
        whole: String,
    },
    TiersOutOfOrder,
    NoTiers,
    BadItemBase {
        list: String,
    },
    ItemConditionWithoutField,
    NoNumericField {
        list: String,
        field: String,
    },
    ItemValueNotString,
    CeilingWithoutAmount,

    // Stacking rules.
    StackingTooFewClauses,
    UnknownClause {
        id: String,
    },
    TooManyStackedClauses {
        count: usize,
        limit: usize,
    },

    // Shared materials.
    UnlistedSharedMaterial {
        name: String,
    },

    // Embedded test cases.
    UnknownExpectedClause {
        id: String,
    },
    BadExpectStatus {
        clause: String,
    },

    // Packs loaded together.
    DuplicatePack,
    FactTypeConflict {
        other_pack: String,
    },
    ClauseIdTaken {
        other_pack: String,
    },
}

/// The Chinese or the English, for `lang`.
pub(super) fn zh_en(lang: Lang, zh: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}

impl PolicyProblem {
    /// The problem, one line, in the user's language; without the place.
    pub fn message(&self, lang: Lang) -> String {
        // Worded by where in the file the problem is: each group words its
        // own kinds and passes on the others. (Every kind has words: the
        // tests give an example of each.)
        let groups = [
            Self::file_message,
            Self::pack_message,
            Self::fact_message,
            Self::condition_message,
            Self::clause_message,
            Self::formula_message,
            Self::set_message,
        ];
        groups.iter().find_map(|words| words(self, lang)).unwrap_or_default()
    }

    /// The file as a whole.
    pub(super) fn file_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::TomlSyntax { line, message } => {
                zh_en(l, format!("第{line}行: TOML 格式错误: {message}"), format!("line {line}: TOML syntax error: {message}"))
            }
            P::NotNonNegativeDecimal { text } => {
                zh_en(l, format!("不是非负的十进制数: {text:?}"), format!("not a non-negative decimal number: {text:?}"))
            }
            P::Json { detail } => detail.clone(),
            P::NotJsonObject { field } => {
                zh_en(l, format!("{field} 无法转为 JSON"), format!("{field} cannot be turned into a JSON object"))
            }
            _ => return None,
        };
        Some(words)
    }

    /// `[pack]`: its id, term, regions and exclusion.
    pub(super) fn pack_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadPackId { id } => zh_en(
                l,
                format!("id 只能含小写字母、数字、'-'、'.'、'_': {id:?}"),
                format!("an id may contain only lowercase letters, digits, '-', '.' and '_': {id:?}"),
            ),
            P::BadDate => zh_en(l, "日期应为 YYYY-MM-DD", "a date must be written YYYY-MM-DD"),
            P::ValidityEndsBeforeStart => zh_en(l, "有效期结束早于开始", "the period of validity ends before it starts"),
            P::DraftWithoutQuote => zh_en(
                l,
                "draft 与 draft_quote（原文中说明为征求意见稿的文字）须同时给出",
                "draft and draft_quote (the words of the original saying it is a draft for comment) must be given together",
            ),
            P::DuplicateRegion { region } => zh_en(l, format!("地区重复: {region}"), format!("region listed twice: {region}")),
            P::EmptyOrDuplicateCity { city } => {
                zh_en(l, format!("城市为空或重复: {city:?}"), format!("city empty or listed twice: {city:?}"))
            }
            P::NoRegion => zh_en(l, "至少要有一个适用地区", "at least one region must apply"),
            P::DistrictsAndCities => zh_en(
                l,
                "applies/county_reference（一个城市的区县）与 cities（若干整个城市）只能选一种",
                "give either applies/county_reference (districts of one city) or cities (whole cities), not both",
            ),
            P::NotPackCity { city } => zh_en(l, format!("不是本政策的城市: {city}"), format!("not a city of this policy: {city}")),
            P::NotPackRegion { region } => {
                zh_en(l, format!("不是本政策的地区: {region}"), format!("not a region of this policy: {region}"))
            }
            P::BadDivisionCode { place: Some(place), code } => zh_en(
                l,
                format!("{place} 的行政区划代码应为 6 位数字: {code:?}"),
                format!("the administrative division code of {place} must be 6 digits: {code:?}"),
            ),
            P::BadDivisionCode { place: None, code } => zh_en(
                l,
                format!("行政区划代码应为 6 位数字: {code:?}"),
                format!("an administrative division code must be 6 digits: {code:?}"),
            ),
            P::AliasNotApplicableDistrict { alias, district } => zh_en(
                l,
                format!("{alias} 所指的不是本政策适用的区县: {district}"),
                format!("{alias} stands for a district this policy does not apply to: {district}"),
            ),
            P::BadAlias { alias } => {
                zh_en(l, format!("别名为空或与区县同名: {alias:?}"), format!("alias empty or the same as a district's name: {alias:?}"))
            }
            P::ExclusionNotBool { fact } => {
                zh_en(l, format!("排除条件须为是/否类事实: {fact}"), format!("the exclusion must be a yes/no fact: {fact}"))
            }
            P::ExclusionUndeclared { fact } => zh_en(
                l,
                format!("排除条件的事实须在 [facts] 中声明: {fact}"),
                format!("the exclusion's fact must be declared in [facts]: {fact}"),
            ),
            _ => return None,
        };
        Some(words)
    }

    /// `[facts]`, and a reference to a fact.
    pub(super) fn fact_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadFactKey => zh_en(l, "事实键只能含小写字母、数字、'_'", "a fact key may contain only lowercase letters, digits and '_'"),
            P::UnknownFactType { kind } => zh_en(l, format!("未知的事实类型: {kind:?}"), format!("unknown fact type: {kind:?}")),
            P::BadOptionLabel { detail } => zh_en(
                l,
                format!("选项标签应为 {{ zh = \"…\", en = \"…\" }}: {detail}"),
                format!("an option label must be {{ zh = \"…\", en = \"…\" }}: {detail}"),
            ),
            P::TypeNeeds { kind, key } => zh_en(l, format!("{kind} 类型须列出 {key}"), format!("a fact of type {kind} must list {key}")),
            P::OnlyTypeHas { kind, key } => {
                zh_en(l, format!("只有 {kind} 类型可以有 {key}"), format!("only a fact of type {kind} can have {key}"))
            }
            P::MissingChineseLabel => zh_en(l, "缺少中文标签 label.zh", "the Chinese label label.zh is missing"),
            P::UndefinedTopic { topic } => zh_en(l, format!("未定义的主题 topic: {topic}"), format!("undefined topic: {topic}")),
            P::BadPreviousYearOf { source } => zh_en(
                l,
                format!("previous_year_of 须为同类型的另一个数值事实: {source}"),
                format!("previous_year_of must be another numeric fact of the same type: {source}"),
            ),
            P::BadWithin { whole } => zh_en(
                l,
                format!("within 须为另一个金额事实（同币种）: {whole}"),
                format!("within must be another money fact in the same currency: {whole}"),
            ),
            P::BadReadAsTarget { option, target } => zh_en(
                l,
                format!("read_as.to.{option} 须为同类型的另一个事实: {target}"),
                format!("read_as.to.{option} must be another fact of the same type: {target}"),
            ),
            P::UndefinedFact { key } => zh_en(l, format!("引用了未定义的事实: {key}"), format!("refers to an undefined fact: {key}")),
            P::MustReferTo { field, kind } => {
                zh_en(l, format!("{field} 须引用 {kind} 事实"), format!("{field} must refer to a fact of type {kind}"))
            }
            P::NoSuchOption { fact, option } => zh_en(l, format!("{fact} 没有选项 {option:?}"), format!("{fact} has no option {option:?}")),
            _ => return None,
        };
        Some(words)
    }

    /// A condition, and the legal word of a comparison.
    pub(super) fn condition_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::EmptyGroup { group } => zh_en(l, format!("{group} 不能为空"), format!("{group} must not be empty")),
            P::SwitchWithoutCases => zh_en(l, "switch 须有 cases", "a switch needs cases"),
            P::ConditionWithoutFact => zh_en(l, "条件须有 fact、switch、all 或 any", "a condition needs fact, switch, all or any"),
            P::GrowthNotNumeric => zh_en(l, "增长条件只适用于数值事实", "a growth condition applies to numeric facts only"),
            P::GrowthValueNotString => zh_en(
                l,
                "增长条件的 value 须为字符串形式的增长率，如 \"0.20\"",
                "the value of a growth condition must be the rate of growth as a string, such as \"0.20\"",
            ),
            P::GrowthTooLarge => zh_en(l, "增长率不应超过 100（即 10000%）", "a rate of growth must not exceed 100 (that is, 10000%)"),
            P::BoolValueNotTrue => zh_en(l, "布尔条件只支持 value = true", "a yes/no condition takes only value = true"),
            P::EnumConditionWithoutValues => zh_en(l, "enum 条件须有 values", "an enum condition needs values"),
            P::ListFactInCondition => zh_en(l, "列表事实只能用于 items 公式", "a list fact can be used only in an items formula"),
            P::CompareValueNotString => zh_en(
                l,
                "数值条件的 value 须为字符串形式的十进制数",
                "the value of a numeric condition must be a decimal number in a string",
            ),
            P::MissingTerm => zh_en(
                l,
                "比较须写明原文用语 term（如 超过、以上、达到）",
                "a comparison must give term, the original's own word for it (such as the words for \"more than\", \"or more\", \"reaching\")",
            ),
            P::UnknownTerm { term } => {
                zh_en(l, format!("未知的原文用语 term: {term:?}"), format!("unknown comparison word in term: {term:?}"))
            }
            P::UnknownOp { op } => zh_en(l, format!("未知的比较符 op: {op:?}"), format!("unknown comparison operator op: {op:?}")),
            P::OpDisagreesWithTerm { op, term, expected } => zh_en(
                l,
                format!("op {op} 与原文用语 {term:?} 不一致（按惯例 {term} 应为 {}）", expected.symbol()),
                format!("op {op} disagrees with the original's word {term:?} (by convention {term} means {})", expected.symbol()),
            ),
            _ => return None,
        };
        Some(words)
    }

    /// A clause's own fields.
    pub(super) fn clause_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadClauseId => zh_en(
                l,
                "条款 id 只能含小写字母、数字、'.'、'_'、'-'",
                "a clause id may contain only lowercase letters, digits, '.', '_' and '-'",
            ),
            P::DuplicateClause => zh_en(l, "条款 id 重复", "clause id used twice"),
            P::MissingQuote => zh_en(l, "缺少政策原文 quote", "quote, the policy's own words, is missing"),
            P::BadFrequency { value } => zh_en(
                l,
                format!("frequency 应为 one_time、annual 或 not_stated，而不是 {value:?}"),
                format!("frequency must be one_time, annual or not_stated, not {value:?}"),
            ),
            P::ClauseCityNotInPack { city } => zh_en(
                l,
                format!("cities 须为本政策 [pack.regions] cities 中的城市，且不重复: {city}"),
                format!("cities must be cities from this policy's [pack.regions] cities, each once: {city}"),
            ),
            P::NonMonetaryWithFormula => zh_en(
                l,
                "monetary = false（不涉及资金）的条款不能有金额公式",
                "a clause with monetary = false (no money involved) cannot have an amount formula",
            ),
            P::CapRuleWithoutCap => zh_en(l, "per_company 的 cap 规则须写明 cap", "the cap rule of per_company must give cap"),
            P::BadPerCompanyRule { value } => zh_en(
                l,
                format!("per_company.rule 应为 once 或 cap（once 不带 cap），而不是 {value:?}"),
                format!("per_company.rule must be once or cap (once without a cap), not {value:?}"),
            ),
            _ => return None,
        };
        Some(words)
    }

    /// A clause's formula.
    pub(super) fn formula_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::BadFigure { value } => zh_en(
                l,
                format!("figure 应为 exact 或 ceiling，而不是 {value:?}"),
                format!("figure must be exact or ceiling, not {value:?}"),
            ),
            P::UnknownFormulaType { kind } => zh_en(l, format!("未知的公式类型: {kind:?}"), format!("unknown formula type: {kind:?}")),
            P::FormulaNeeds { formula, key } => zh_en(l, format!("{formula} 须有 {key}"), format!("a {formula} formula needs {key}")),
            P::RateFormulaWithoutRate => zh_en(l, "rate 公式须有 rate", "a rate formula needs rate"),
            P::MissingFormulaFact { what } => zh_en(l, format!("缺少 {what}"), format!("{what} is missing")),
            P::NotNumericFact { what, key } => {
                zh_en(l, format!("{what} 须为数值事实: {key}"), format!("{what} must be a numeric fact: {key}"))
            }
            P::RateOutOfRange { rate } => zh_en(
                l,
                format!("比例 rate 应大于 0 且不超过 1，而不是 {rate}"),
                format!("the proportion rate must be above 0 and at most 1, not {rate}"),
            ),
            P::BaseAndParts => zh_en(l, "rate 公式的 base 与 parts 只能写一个", "a rate formula takes base or parts, not both"),
            P::PartsBaseNotYuan => zh_en(l, "parts.base 须为人民币金额事实", "parts.base must be an amount in yuan"),
            P::DollarBase => {
                zh_en(l, "不能以美元金额为基数计算人民币奖励", "an award in yuan cannot be reckoned on an amount in US dollars")
            }
            P::BadPartOf { base, whole } => zh_en(
                l,
                format!("{base} 的 part_of 须为同类型事实: {whole}"),
                format!("the part_of of {base} must be a fact of the same type: {whole}"),
            ),
            P::TiersOutOfOrder => {
                zh_en(l, "档位须按门槛递增排列，金额不递减", "tiers must go up by threshold, with amounts that never go down")
            }
            P::NoTiers => zh_en(l, "tiers 公式须至少一档", "a tiers formula needs at least one tier"),
            P::BadItemBase { list } => {
                zh_en(l, format!("item_base 须为 {list} 的金额字段"), format!("item_base must be an amount field of {list}"))
            }
            P::ItemConditionWithoutField => zh_en(l, "须有 field", "field is missing"),
            P::NoNumericField { list, field } => {
                zh_en(l, format!("{list} 没有数值字段 {field}"), format!("{list} has no numeric field {field}"))
            }
            P::ItemValueNotString => zh_en(l, "value 须为字符串形式的十进制数", "value must be a decimal number in a string"),
            P::CeilingWithoutAmount => {
                zh_en(l, "none 公式没有数额，不能标为 ceiling", "a none formula has no amount, so it cannot be marked ceiling")
            }
            _ => return None,
        };
        Some(words)
    }

    /// Stacking rules, embedded cases, and packs loaded together.
    pub(super) fn set_message(&self, l: Lang) -> Option<String> {
        let words = match self {
            P::StackingTooFewClauses => zh_en(l, "叠加规则至少涉及两个条款", "a stacking rule must involve at least two clauses"),
            P::UnknownClause { id } => zh_en(l, format!("未知条款: {id}"), format!("unknown clause: {id}")),
            P::UnlistedSharedMaterial { name } => zh_en(
                l,
                format!("通用材料“{name}”不在任何条款的 attachments 中"),
                format!("shared material “{name}” is in no clause's attachments"),
            ),
            P::TooManyStackedClauses { count, limit } => zh_en(
                l,
                format!("叠加规则共涉及 {count} 个条款，超过上限 {limit}（取最优组合须穷举，条款过多无法在可接受时间内算完）"),
                format!(
                    "the stacking rules involve {count} clauses in all, more than the limit of {limit} (the best combination is found by \
                     trying them all, which takes too long with so many clauses)"
                ),
            ),
            P::UnknownExpectedClause { id } => zh_en(l, format!("expect 中的未知条款: {id}"), format!("unknown clause in expect: {id}")),
            P::BadExpectStatus { clause } => zh_en(
                l,
                format!("{clause}: status 应为 eligible/ineligible/needs_input"),
                format!("{clause}: status must be eligible, ineligible or needs_input"),
            ),
            P::DuplicatePack => zh_en(l, "政策包 id 重复", "policy pack id used twice"),
            P::FactTypeConflict { other_pack } => zh_en(
                l,
                format!("与政策包 {other_pack} 中同名事实的类型不一致"),
                format!("type differs from the fact of the same name in policy pack {other_pack}"),
            ),
            P::ClauseIdTaken { other_pack } => {
                zh_en(l, format!("条款 id 与政策包 {other_pack} 重复"), format!("clause id already used in policy pack {other_pack}"))
            }

            _ => return None,
        };
        Some(words)
    }
}

pub(super) struct Loading<'a> {
    pub(super) file: &'a str,
}

impl Loading<'_> {
    pub(super) fn err(&self, at: impl Into<String>, problem: PolicyProblem) -> PolicyError {
        PolicyError { file: self.file.to_string(), at: at.into(), problem }
    }
}

//! Engine checks on tiny synthetic packs: each test is a pack fragment, a
//! profile's facts, and the expected outcome written as one line per clause
//! (`id status amount [missing] | causes`), so a failure shows the whole
//! result at once.

use crate::engine::{evaluate, Cause, ClauseResult, Status, Step};
use crate::explain::{reasons, trace};
use crate::money::fmt_yuan;
use crate::policy::{load_pack, Lang, Pack};
use crate::profile::{parse_facts, Company, Profile};

const HEAD: &str = r#"
[pack]
id = "t"
version = "2025-01-01"
title = { zh = "测试" }
document = { zh = "测试办法" }
issuer = "测试局"
issued = "2025-01-01"
source_file = "none"
valid_from = "2025-01-01"
valid_to = "2025-12-31"
city = "甲市"
[pack.regions]
applies = ["甲区"]
quote = "甲区"
[pack.exclusion]
fact = "listed"
quote = "不支持失信企业"
reason = { zh = "失信企业不予支持", en = "listed companies are excluded" }
[topics]
t = { zh = "测试" }
[facts.listed]
type = "bool"
topic = "t"
label = { zh = "是否失信", en = "listed" }
[facts.a]
type = "money"
topic = "t"
label = { zh = "甲", en = "A" }
[facts.b]
type = "money"
topic = "t"
label = { zh = "乙", en = "B" }
[facts.b_prev]
type = "money"
topic = "t"
label = { zh = "上年乙", en = "B last year" }
[facts.flag]
type = "bool"
topic = "t"
label = { zh = "标志", en = "flag" }
[facts.kind]
type = "enum"
topic = "t"
label = { zh = "类型", en = "kind" }
options = { x = { zh = "X类", en = "kind X" }, y = { zh = "Y类", en = "kind Y" }, z = { zh = "Z类", en = "kind Z" } }
"#;

fn pack(clauses: &str) -> Pack {
    let text = format!("{HEAD}\n{clauses}");
    load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

fn profile(p: &Pack, facts: &str) -> Profile {
    let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(facts).unwrap();
    let facts = parse_facts(&m, std::slice::from_ref(p)).unwrap_or_else(|e| panic!("{}", e.message(Lang::Zh)));
    let company = Company {
        name: "x".into(),
        city: "甲市".into(),
        district: "甲区".into(),
        serious_dishonesty_listed: Some(false),
        ..Company::default()
    };
    Profile::new(company, Some(2025), facts)
}

/// One line per clause: id, status, amount or ceiling, missing facts, causes' kinds.
fn summary(p: &Pack, facts: &str) -> String {
    let pr = profile(p, facts);
    let ev = evaluate(std::slice::from_ref(p), &pr, 2025);
    let mut out = Vec::new();
    for c in &ev.clauses {
        let amount = match (c.amount, c.amount_max) {
            (Some(a), _) => fmt_yuan(a),
            (None, Some(m)) => format!("≤{}", fmt_yuan(m)),
            _ => "-".into(),
        };
        let causes: Vec<&str> = ev
            .causes(c)
            .iter()
            .map(|x| match x {
                Cause::PackNotApplicable => "pack",
                Cause::Excluded { .. } => "excluded",
                Cause::NotTrue { .. } => "not_true",
                Cause::NotAllowed { .. } => "not_allowed",
                Cause::NotCovered { .. } => "not_covered",
                Cause::Threshold { tier_minimum: false, .. } => "threshold",
                Cause::Threshold { tier_minimum: true, .. } => "tier_minimum",
                Cause::GrowthBelow(_) => "growth_below",
                Cause::ZeroBase { .. } => "zero_base",
                Cause::NoAward { .. } => "no_award",
                Cause::NoItems { .. } => "no_items",
                Cause::GrowthUndefined { .. } => "growth_undefined",
                Cause::AlreadyClaimed { .. } => "already_claimed",
                Cause::CompanyCapUsed { .. } => "company_cap_used",
                Cause::ExceedsWhole { .. } => "exceeds_whole",
                Cause::FigureOpen { .. } => "figure_open",
                Cause::NotInCityPlan { .. } => "not_in_city_plan",
                Cause::SavedYearDiffers { .. } => "saved_year_differs",
                Cause::PartOpen { .. } => "part_open",
            })
            .collect();
        let mut line = format!("{} {} {amount} {:?} |", c.clause.id, c.status.as_str(), ev.missing(c));
        if !causes.is_empty() {
            line += &format!(" {}", causes.join(","));
        }
        if let Some(s) = c.excluded_by {
            line += &format!(" excluded_by={}", s.winner.id);
        }
        out.push(line);
    }
    out.join("\n")
}

fn check(clauses: &str, facts: &str, expect: &str) {
    let p = pack(clauses);
    let got = summary(&p, facts);
    let want: Vec<&str> = expect.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(got, want.join("\n"), "\nfacts: {facts}");
}

fn clause(id: &str, conditions: &str, formula: &str) -> String {
    format!(
        "[[clauses]]\nid = \"{id}\"\ntitle = {{ zh = \"{id}\" }}\nplace = \"一\"\nquote = \"原文\"\nfrequency = \"annual\"\nconditions = [{conditions}]\nformula = {formula}\n"
    )
}

const FIXED: &str = r#"{ kind = "fixed", amount = "100" }"#;

#[test]
fn any_is_three_valued() {
    let c = clause("c", r#"{ any = [ { fact = "a", op = "ge", term = "以上", value = "10" }, { fact = "flag" } ] }"#, FIXED);
    // unknown or fails → needs the unknown fact; the failure is not a cause
    check(&c, r#"{"listed": false, "flag": false}"#, r#"c needs_input - ["a"] |"#);
    // unknown or holds → holds
    check(&c, r#"{"listed": false, "flag": true}"#, "c eligible 100.00 [] |");
    // fails or fails → both failures
    check(&c, r#"{"listed": false, "a": "9.99", "flag": false}"#, "c ineligible - [] | threshold,not_true");
    // unknown or unknown → both asked
    check(&c, r#"{"listed": false}"#, r#"c needs_input - ["a", "flag"] |"#);
}

#[test]
fn all_fails_before_it_asks() {
    let c = clause("c", r#"{ all = [ { fact = "a", op = "gt", term = "超过", value = "10" }, { fact = "flag" } ] }"#, FIXED);
    // A definite failure wins over a missing fact: the user learns the obstacle first.
    check(&c, r#"{"listed": false, "a": "10"}"#, "c ineligible - [] | threshold");
    check(&c, r#"{"listed": false, "a": "10.01"}"#, r#"c needs_input - ["flag"] |"#);
}

#[test]
fn exclusion_is_asked_first_and_excludes() {
    let c = clause("c", r#"{ fact = "flag" }"#, FIXED);
    check(&c, r#"{}"#, r#"c needs_input - ["listed", "flag"] |"#);
    check(&c, r#"{"listed": true, "flag": true}"#, "c ineligible - [] | excluded");
}

#[test]
fn switch_on_an_unlisted_option_fails() {
    let c =
        clause("c", r#"{ switch = "kind", cases = { x = [ { fact = "a", op = "ge", term = "不少于", value = "5" } ], y = [] } }"#, FIXED);
    check(&c, r#"{"listed": false, "kind": "z"}"#, "c ineligible - [] | not_covered");
    check(&c, r#"{"listed": false, "kind": "y"}"#, "c eligible 100.00 [] |");
    check(&c, r#"{"listed": false, "kind": "x"}"#, r#"c needs_input - ["a"] |"#);
    check(&c, r#"{"listed": false, "kind": "x", "a": "5"}"#, "c eligible 100.00 [] |");
}

#[test]
fn one_of_names_the_allowed_options() {
    let c = clause("c", r#"{ fact = "kind", values = ["x", "y"] }"#, FIXED);
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false, "kind": "z"}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert_eq!(reasons(&ev, &ev.clauses[0], Lang::Zh), ["类型: Z类，本条只适用于：X类、Y类"]);
    assert_eq!(reasons(&ev, &ev.clauses[0], Lang::En), ["kind: kind Z; this clause covers only: kind X, kind Y"]);
}

#[test]
fn growth_with_a_zero_previous_year_asks_again() {
    let c = clause("c", r#"{ fact = "b", growth_over = "b_prev", op = "ge", term = "以上", value = "0.2" }"#, FIXED);
    check(&c, r#"{"listed": false, "b": "100", "b_prev": "0"}"#, r#"c needs_input - ["b_prev"] | growth_undefined"#);
    // exactly 20% growth: 以上 includes the number
    check(&c, r#"{"listed": false, "b": "120", "b_prev": "100"}"#, "c eligible 100.00 [] |");
    check(&c, r#"{"listed": false, "b": "119.99", "b_prev": "100"}"#, "c ineligible - [] | growth_below");
}

#[test]
fn rate_rounds_once_half_up_at_the_end() {
    let c = clause("c", "", r#"{ kind = "rate", base = "a", rate = "0.5" }"#);
    // 0.05 × 0.5 = 0.025 → 0.03 (half up), not 0.02 (half even)
    check(&c, r#"{"listed": false, "a": "0.05"}"#, "c eligible 0.03 [] |");
    check(&c, r#"{"listed": false, "a": "0.03"}"#, "c eligible 0.02 [] |");
    check(&c, r#"{"listed": false, "a": "0"}"#, "c ineligible - [] | zero_base");
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false, "a": "0.05"}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert!(matches!(ev.trace(&ev.clauses[0]).last(), Some(Step::Rounded { .. })));
    assert_eq!(trace(&ev, &ev.clauses[0], Lang::Zh), ["甲 × 50% = 0.05 元 × 50% = 0.025 元", "= 0.03 元（四舍五入到分）"]);
}

#[test]
fn a_cap_applies_only_above_it() {
    let c = clause("c", "", r#"{ kind = "rate", base = "a", rate = "0.1", cap = "50", cap_quote = "最高不超过50元" }"#);
    check(&c, r#"{"listed": false, "a": "500"}"#, "c eligible 50.00 [] |");
    check(&c, r#"{"listed": false, "a": "500.01"}"#, "c eligible 50.00 [] |");
    check(&c, r#"{"listed": false, "a": "499.99"}"#, "c eligible 50.00 [] |");
    check(&c, r#"{"listed": false, "a": "499.94"}"#, "c eligible 49.99 [] |");
}

#[test]
fn tiers_below_the_first_are_a_tier_minimum() {
    let c = clause(
        "c",
        "",
        r#"{ kind = "tiers", fact = "a", op = "gt", term = "超过", tiers = [ { from = "100", amount = "10" }, { from = "200", amount = "20" } ] }"#,
    );
    check(&c, r#"{"listed": false, "a": "100"}"#, "c ineligible - [] | tier_minimum");
    check(&c, r#"{"listed": false, "a": "100.01"}"#, "c eligible 10.00 [] |");
    check(&c, r#"{"listed": false, "a": "200"}"#, "c eligible 10.00 [] |");
    check(&c, r#"{"listed": false, "a": "200.01"}"#, "c eligible 20.00 [] |");
}

#[test]
fn stacking_keeps_the_higher_and_on_a_tie_the_earlier() {
    let mut clauses = clause("c1", "", r#"{ kind = "rate", base = "a", rate = "0.1" }"#);
    clauses += &clause("c2", "", r#"{ kind = "rate", base = "b", rate = "0.1" }"#);
    clauses += "[[stacking]]\nid = \"s\"\nclauses = [\"c1\", \"c2\"]\nplace = \"一\"\nquote = \"不重复享受\"\n";
    check(&clauses, r#"{"listed": false, "a": "100", "b": "200"}"#, "c1 eligible 10.00 [] | excluded_by=c2\nc2 eligible 20.00 [] |");
    check(&clauses, r#"{"listed": false, "a": "100", "b": "100"}"#, "c1 eligible 10.00 [] |\nc2 eligible 10.00 [] | excluded_by=c1");
    // Only one eligible member: nothing to choose.
    check(&clauses, r#"{"listed": false, "a": "100"}"#, "c1 eligible 10.00 [] |\nc2 needs_input - [\"b\"] |");
    let p = pack(&clauses);
    let pr = profile(&p, r#"{"listed": false, "a": "100", "b": "200"}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert_eq!(ev.total, rust_decimal::Decimal::from(20));
    assert_eq!(ev.clauses[0].status, Status::Eligible);
}

#[test]
fn outside_the_term_or_the_region_nothing_applies() {
    let c = clause("c", "", FIXED);
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2026);
    assert_eq!(ev.causes(&ev.clauses[0]), [Cause::PackNotApplicable]);
    assert_eq!(reasons(&ev, &ev.clauses[0], Lang::Zh), ["本政策有效期为 2025-01-01 至 2025-12-31，2026 年度不在有效期内"]);
    let mut other = pr.clone();
    other.company.city = "乙市".into();
    let ev = evaluate(std::slice::from_ref(&p), &other, 2025);
    assert_eq!(reasons(&ev, &ev.clauses[0], Lang::En), ["this policy covers 甲市 only; the company is in 乙市"]);
}

/// Stacking keeps the combination that pays most, for any amounts: checked
/// against brute force over every subset, on random amounts and three
/// overlapping groups of six clauses.
#[test]
fn stacking_finds_the_optimum_by_brute_force() {
    let keys = ["a", "b", "b_prev"];
    let mut clauses = String::new();
    // Six clauses paying 10% of one of three facts, or fixed amounts.
    let formulas = [
        r#"{ kind = "rate", base = "a", rate = "0.1" }"#,
        r#"{ kind = "rate", base = "b", rate = "0.1" }"#,
        r#"{ kind = "rate", base = "b_prev", rate = "0.1" }"#,
        r#"{ kind = "rate", base = "a", rate = "0.2" }"#,
        r#"{ kind = "rate", base = "b", rate = "0.3" }"#,
        r#"{ kind = "fixed", amount = "500" }"#,
    ];
    for (i, f) in formulas.iter().enumerate() {
        clauses += &clause(&format!("c{i}"), "", f);
    }
    let groups: [&[usize]; 3] = [&[0, 1, 2], &[2, 3, 4], &[4, 5, 0]];
    for (g, members) in groups.iter().enumerate() {
        let ids: Vec<String> = members.iter().map(|m| format!("\"c{m}\"")).collect();
        clauses += &format!("[[stacking]]\nid = \"g{g}\"\nclauses = [{}]\nplace = \"一\"\nquote = \"不重复\"\n", ids.join(", "));
    }
    let p = pack(&clauses);
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % 10_000
    };
    for _ in 0..300 {
        let facts =
            format!(r#"{{"listed": false, "{}": "{}", "{}": "{}", "{}": "{}"}}"#, keys[0], next(), keys[1], next(), keys[2], next());
        let pr = profile(&p, &facts);
        let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
        let amount: Vec<rust_decimal::Decimal> = ev
            .clauses
            .iter()
            .map(|c| if c.status == Status::Eligible { c.amount.unwrap_or_default() } else { rust_decimal::Decimal::ZERO })
            .collect();
        let eligible: Vec<bool> = ev.clauses.iter().map(|c| c.status == Status::Eligible).collect();
        let mut best = rust_decimal::Decimal::ZERO;
        for set in 0u32..64 {
            let pick = |i: usize| set & (1 << i) != 0;
            let ok = (0..6).all(|i| !pick(i) || eligible[i]) && groups.iter().all(|g| g.iter().filter(|&&i| pick(i)).count() <= 1);
            if ok {
                best = best.max((0..6).filter(|&i| pick(i)).map(|i| amount[i]).sum());
            }
        }
        assert_eq!(ev.total, best, "{facts}");
        // What is kept is allowed: no two kept clauses share a group.
        let kept: Vec<usize> = (0..6).filter(|&i| ev.clauses[i].counts()).collect();
        assert!(groups.iter().all(|g| g.iter().filter(|i| kept.contains(i)).count() <= 1), "{facts}: kept {kept:?}");
    }
}

#[test]
fn too_many_clauses_under_stacking_rules_are_refused() {
    let mut clauses = String::new();
    let mut ids = Vec::new();
    for i in 0..=crate::policy::STACKING_LIMIT {
        clauses += &clause(&format!("c{i}"), "", FIXED);
        ids.push(format!("\"c{i}\""));
    }
    clauses += &format!("[[stacking]]\nid = \"g\"\nclauses = [{}]\nplace = \"一\"\nquote = \"不重复\"\n", ids.join(", "));
    let text = format!("{HEAD}\n{clauses}");
    let e = load_pack("t.toml", &text).unwrap_err();
    let limit = crate::policy::STACKING_LIMIT;
    assert_eq!(e.problem, crate::policy::PolicyProblem::TooManyStackedClauses { count: limit + 1, limit }, "{e}");
    assert!(e.to_string().contains("超过上限"), "{e}");
}

fn with_history(p: &Pack, facts: &str, history: &str, year: i32) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut pr = profile(p, facts);
    let h: serde_json::Value = serde_json::from_str(history).unwrap();
    pr.history = crate::profile::parse_history(&h, std::slice::from_ref(p)).unwrap_or_else(|e| panic!("{}", e.message(Lang::Zh)));
    let ev = evaluate(std::slice::from_ref(p), &pr, year);
    ev.clauses
        .iter()
        .map(|c| {
            let amount = c.amount.map(fmt_yuan).unwrap_or_else(|| c.status.as_str().to_string());
            (amount, reasons(&ev, c, Lang::Zh), trace(&ev, c, Lang::En))
        })
        .collect()
}

#[test]
fn filing_history_blocks_once_awards_and_uses_up_caps() {
    let mut clauses = clause("once", "", FIXED);
    clauses =
        clauses.replace("frequency = \"annual\"\n", "frequency = \"one_time\"\nper_company = { rule = \"once\", quote = \"一次性\" }\n");
    let mut capped = clause("cap", "", r#"{ kind = "rate", base = "a", rate = "0.5" }"#);
    capped = capped.replace(
        "frequency = \"annual\"\n",
        "frequency = \"annual\"\nper_company = { rule = \"cap\", cap = \"1000\", quote = \"累计最高1000元\" }\n",
    );
    clauses += &capped;
    // Evaluated for 2025 under a pack in force 2024–2025: an earlier year of
    // the term blocks, the same year does not, a year before the term counts
    // for nothing.
    let text = format!("{HEAD}\n{clauses}").replace("valid_from = \"2025-01-01\"", "valid_from = \"2024-01-01\"");
    let p = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let facts = r#"{"listed": false, "a": "1000"}"#;
    let r = with_history(&p, facts, r#"[{"clause": "once", "year": 2023, "status": "approved", "amount": "100"}]"#, 2025);
    assert_eq!(r[0].0, "100.00", "a claim before the term counts for nothing");
    let r = with_history(&p, facts, r#"[{"clause": "cap", "year": 2023, "status": "approved", "amount": "1000"}]"#, 2025);
    assert_eq!(r[1].0, "500.00", "nor against a cap");
    let r = with_history(&p, facts, r#"[{"clause": "once", "year": 2024, "status": "approved", "amount": "100"}]"#, 2025);
    assert_eq!(r[0].0, "ineligible");
    assert_eq!(r[0].1, ["已于2024年度获批（100.00 元），一次性奖励不再重复（“一次性”）"]);
    let r = with_history(&p, facts, r#"[{"clause": "once", "year": 2025, "status": "approved", "amount": "100"}]"#, 2025);
    assert_eq!(r[0].0, "100.00", "the year's own claim blocks nothing");
    let r = with_history(&p, facts, r#"[{"clause": "once", "year": 2024, "status": "rejected"}]"#, 2025);
    assert_eq!(r[0].0, "100.00", "a rejected claim counts for nothing");
    // Cap: 1000 × 50% = 500; 700 used before → 300 left.
    let r = with_history(&p, facts, r#"[{"clause": "cap", "year": 2024, "status": "approved", "amount": "700"}]"#, 2025);
    assert_eq!(r[1].0, "300.00");
    assert!(
        r[1].2.iter().any(|l| l.starts_with(
            "per-company limit 1,000.00 yuan, earlier years 700.00 yuan, 300.00 yuan left → min(500.00, 300.00) = 300.00 yuan"
        )),
        "{:?}",
        r[1].2
    );
    let r = with_history(
        &p,
        facts,
        r#"[{"clause": "cap", "year": 2024, "status": "approved", "amount": "600"}, {"clause": "cap", "year": 2024, "status": "submitted", "amount": "400"}]"#,
        2025,
    );
    assert_eq!(r[1].0, "ineligible");
    assert_eq!(r[1].1, ["单家企业累计扶持上限 1,000.00 元 已用完（此前各年度已获 1,000.00 元）（“累计最高1000元”）"]);
    // A counting claim of a capped clause must say its amount.
    let h: serde_json::Value = serde_json::from_str(r#"[{"clause": "cap", "year": 2024, "status": "approved"}]"#).unwrap();
    let e = crate::profile::parse_history(&h, std::slice::from_ref(&p)).unwrap_err();
    assert_eq!(e.field, "history[0].amount");
    let h: serde_json::Value = serde_json::from_str(r#"[{"clause": "nope", "year": 2024, "status": "approved"}]"#).unwrap();
    assert_eq!(crate::profile::parse_history(&h, std::slice::from_ref(&p)).unwrap_err().field, "history[0].clause");
    let h: serde_json::Value = serde_json::from_str(r#"[{"clause": "cap", "year": 2024, "status": "granted"}]"#).unwrap();
    assert_eq!(crate::profile::parse_history(&h, std::slice::from_ref(&p)).unwrap_err().field, "history[0].status");
}

#[test]
fn a_tier_table_every_value_reaches_pays_its_floor_while_the_fact_is_open() {
    let floor = r#"{ kind = "tiers", fact = "a", op = "ge", term = "达到", tiers = [{ from = "0", amount = "10" }, { from = "50", amount = "100" }] }"#;
    let c = clause("c", r#"{ fact = "flag" }"#, floor);
    check(&c, r#"{"listed": false, "flag": true}"#, r#"c eligible 10.00 ["a"] | figure_open"#);
    check(&c, r#"{"listed": false, "flag": true, "a": "50"}"#, r#"c eligible 100.00 [] |"#);
    // the condition still decides: open condition → needs input, both asked
    check(&c, r#"{"listed": false}"#, r#"c needs_input - ["flag", "a"] |"#);
    check(&c, r#"{"listed": false, "flag": false}"#, r#"c ineligible - [] | not_true"#);
    // a first tier above 0 is no floor: an unknown value may miss it
    let above = r#"{ kind = "tiers", fact = "a", op = "gt", term = "超过", tiers = [{ from = "0", amount = "10" }] }"#;
    check(&clause("c", r#"{ fact = "flag" }"#, above), r#"{"listed": false, "flag": true}"#, r#"c needs_input - ["a"] |"#);
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false, "flag": true}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert_eq!(ev.clauses[0].amount_max.map(fmt_yuan).as_deref(), Some("100.00"));
    assert_eq!(crate::engine::open_questions(&ev), vec!["a"], "the open fact is still asked");
}

#[test]
fn a_yes_no_condition_checked_when_known_is_assumed_and_says_so() {
    let c = clause("c", r#"{ fact = "flag", when_known = true }"#, FIXED);
    check(&c, r#"{"listed": false}"#, r#"c eligible 100.00 [] |"#);
    check(&c, r#"{"listed": false, "flag": false}"#, r#"c ineligible - [] | not_true"#);
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert!(matches!(ev.trace(&ev.clauses[0])[0], Step::Assumed { fact: "flag" }));
    assert!(trace(&ev, &ev.clauses[0], Lang::Zh)[0].starts_with("【解释】假定 标志：是"));
}

#[test]
fn pack_requirements_come_first_in_every_clause() {
    let text =
        format!("{HEAD}\n{}{}", clause("c", r#"{ fact = "a", op = "ge", term = "以上", value = "1" }"#, FIXED), clause("d", "", FIXED))
            .replace("[pack.regions]", "requires = [{ fact = \"flag\" }]\n[pack.regions]");
    let q = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.clauses[0].fact_keys(), vec!["flag", "a"]);
    let pr = profile(&q, r#"{"listed": false, "flag": false}"#);
    let ev = evaluate(std::slice::from_ref(&q), &pr, 2025);
    assert!(ev.clauses.iter().all(|c| c.status == Status::Ineligible));
}

const PARTS: &str = r#"{ kind = "rate", rate = "0.03", cap = "100", parts = [
  { when = { fact = "kind", values = ["x", "z"] }, base = "a" },
  { when = { fact = "kind", values = ["y", "z"] }, base = "b" },
] }"#;

#[test]
fn a_rate_over_parts_sums_the_bases_that_count_then_rounds_once() {
    let c = clause("c", r#"{ fact = "kind", values = ["x", "y", "z"] }"#, PARTS);
    // 0.17 + 0.17 = 0.34 × 3% = 0.0102 → 0.01 (each part alone would round to 0.01 + 0.01)
    check(&c, r#"{"listed": false, "kind": "z", "a": "0.17", "b": "0.17"}"#, r#"c eligible 0.01 [] |"#);
    check(&c, r#"{"listed": false, "kind": "x", "a": "1000", "b": "5000"}"#, r#"c eligible 30.00 [] |"#);
    check(&c, r#"{"listed": false, "kind": "z", "a": "1000"}"#, r#"c needs_input - ["b"] |"#);
    check(&c, r#"{"listed": false, "kind": "z", "a": "4000", "b": "0.01"}"#, r#"c eligible 100.00 [] |"#);
    check(&c, r#"{"listed": false, "kind": "y", "b": "0"}"#, r#"c ineligible - [] | zero_base"#);
}

#[test]
fn an_old_fact_is_read_as_the_one_its_selector_names() {
    let text = format!("{HEAD}\n{}", clause("c", r#"{ fact = "kind", values = ["x", "y", "z"] }"#, PARTS)).replace(
        "[facts.flag]",
        "[facts.old]\ntype = \"money\"\ntopic = \"t\"\nlabel = { zh = \"旧\" }\nread_as = { by = \"kind\", to = { x = \"a\", y = \"b\" } }\n[facts.flag]",
    );
    let p = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let line = |facts: &str| summary(&p, facts);
    assert_eq!(line(r#"{"listed": false, "kind": "y", "old": "1000"}"#), r#"c eligible 30.00 [] |"#);
    // beside the new fact: refused, naming the replacements
    let refused = |facts: &str| {
        let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(facts).unwrap();
        parse_facts(&m, std::slice::from_ref(&p)).unwrap_err().message(Lang::Zh)
    };
    assert_eq!(
        refused(r#"{"kind": "x", "old": "1000", "a": "2000"}"#),
        "facts.old: 是旧字段，按 kind 所选代为填写，不能与新字段同时出现；请只填 a、b"
    );
    // under an option it does not map, it counts for nothing: each part is asked
    assert_eq!(line(r#"{"listed": false, "kind": "z", "old": "1000"}"#), r#"c needs_input - ["a", "b"] |"#);
    // stored values (the store does not go through parse_facts): the new fact wins
    let mut pr = profile(&p, r#"{"listed": false, "kind": "x", "a": "2000"}"#);
    pr.facts.insert("old".into(), crate::profile::FactValue::Num(1000.into()));
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert_eq!(ev.clauses[0].amount.map(fmt_yuan).as_deref(), Some("60.00"));
    assert!(p.clauses[0].fact_keys().iter().all(|k| *k != "old"), "the old fact is never asked");
}

#[test]
fn working_lines_show_exact_intermediate_figures() {
    let c = clause("c", "", r#"{ kind = "rate", base = "a", rate = "0.5" }"#);
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false, "a": "0.03"}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    let lines = trace(&ev, &ev.clauses[0], Lang::Zh);
    assert_eq!(lines, vec!["甲 × 50% = 0.03 元 × 50% = 0.015 元", "= 0.02 元（四舍五入到分）"]);
}

#[test]
fn growth_just_below_the_threshold_is_shown_with_enough_places() {
    let c = clause("c", r#"{ fact = "b", growth_over = "b_prev", op = "ge", term = "以上", value = "0.20" }"#, FIXED);
    let p = pack(&c);
    let pr = profile(&p, r#"{"listed": false, "b": "80000000", "b_prev": "66666666.67"}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    let r = reasons(&ev, &ev.clauses[0], Lang::Zh).join("");
    assert!(r.contains("19.99999999%"), "{r}");
    assert!(r.contains("13,333,333.334 元"), "{r}");
}

#[test]
fn a_part_above_its_whole_is_refused_in_the_working() {
    let text = format!("{HEAD}\n{}", clause("c", "", r#"{ kind = "rate", base = "a", rate = "0.05" }"#))
        .replace("[facts.b]\ntype = \"money\"", "[facts.b]\ntype = \"money\"")
        .replace("label = { zh = \"甲\", en = \"A\" }", "label = { zh = \"甲\", en = \"A\" }\npart_of = \"b\"");
    let p = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let line = |facts: &str| summary(&p, facts);
    assert_eq!(line(r#"{"listed": false, "a": "100", "b": "100"}"#), "c eligible 5.00 [] |");
    assert_eq!(line(r#"{"listed": false, "a": "100.01", "b": "100"}"#), "c ineligible - [] | exceeds_whole");
    assert_eq!(line(r#"{"listed": false, "a": "100"}"#), "c eligible 5.00 [] |", "the total unknown: nothing to check");
    let pr = profile(&p, r#"{"listed": false, "a": "100.01", "b": "100"}"#);
    let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
    assert_eq!(reasons(&ev, &ev.clauses[0], Lang::Zh), ["甲 100.01 元 超过了 乙 100.00 元：前者是后者的一部分，不能更大，请核对"]);
}

#[test]
fn a_floor_leaves_no_working_on_a_clause_without_an_award() {
    let floor = r#"{ kind = "tiers", fact = "a", op = "ge", term = "达到", tiers = [{ from = "0", amount = "10" }, { from = "50", amount = "100" }] }"#;
    let p = pack(&clause("c", r#"{ fact = "flag" }"#, floor));
    for facts in [r#"{"listed": false, "flag": false}"#, r#"{"listed": false}"#] {
        let pr = profile(&p, facts);
        let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
        assert!(trace(&ev, &ev.clauses[0], Lang::Zh).iter().all(|l| !l.contains("至少")), "{facts}");
    }
}

#[test]
fn a_part_left_open_waits_with_its_whole_as_the_most() {
    let text = format!(
        "{HEAD}\n[facts.a_part]\ntype = \"money\"\ntopic = \"t\"\nlabel = {{ zh = \"甲之部分\" }}\npart_of = \"a\"\n{}",
        clause("c", "", r#"{ kind = "rate", base = "a_part", rate = "0.05", cap = "1000", cap_quote = "不超过1000" }"#)
    );
    let p = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let got = |facts: &str| summary(&p, facts);
    // Whole known: waits, the most is 5% of the whole.
    assert_eq!(got(r#"{"listed": false, "a": "10000"}"#), r#"c needs_input ≤500.00 ["a_part"] | part_open"#);
    // Capped.
    assert_eq!(got(r#"{"listed": false, "a": "100000"}"#), r#"c needs_input ≤1000.00 ["a_part"] | part_open"#);
    // Whole unknown too: nothing to say of the most.
    assert_eq!(got(r#"{"listed": false}"#), r#"c needs_input - ["a_part"] |"#);
    // A condition open as well: the note stays, no most is claimed.
    let text2 = text.replace("conditions = []", "conditions = [{ fact = \"flag\" }]");
    let p2 = load_pack("t.toml", &text2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary(&p2, r#"{"listed": false, "a": "10000"}"#), r#"c needs_input - ["flag", "a_part"] | part_open"#);
}

#[test]
fn last_years_value_is_read_from_the_saved_year_before() {
    let text = HEAD.replace(
        "label = { zh = \"上年乙\", en = \"B last year\" }",
        "label = { zh = \"上年乙\", en = \"B last year\" }\nprevious_year_of = \"b\"",
    ) + &clause("c", r#"{ fact = "b_prev", op = "le", term = "不超过", value = "100", when_known = true }"#, FIXED);
    let p = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let with_prev = |facts: &str, prev: &str, prev_year: i32| {
        let mut pr = profile(&p, facts);
        let m: serde_json::Map<String, serde_json::Value> = serde_json::from_str(prev).unwrap();
        let facts = parse_facts(&m, std::slice::from_ref(&p)).unwrap();
        pr.previous_year = Some(crate::profile::PreviousYear { year: prev_year, facts });
        let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
        let c = ev.clause("c").unwrap();
        (c.status, reasons(&ev, c, Lang::Zh).join("；"), trace(&ev, c, Lang::Zh).join("；"))
    };
    // Not given: the saved 2024 value decides (100.01 is over 100).
    let (st, _, tr) = with_prev(r#"{"listed": false}"#, r#"{"b": "100.01"}"#, 2024);
    assert_eq!(st, Status::Ineligible);
    assert!(tr.contains("上年乙未填写，取已保存的2024年度资料中的乙"), "{tr}");
    let (st, _, _) = with_prev(r#"{"listed": false}"#, r#"{"b": "100"}"#, 2024);
    assert_eq!(st, Status::Eligible);
    // A saved year that is not the year before is not last year.
    let (st, _, tr) = with_prev(r#"{"listed": false}"#, r#"{"b": "500"}"#, 2023);
    assert_eq!(st, Status::Eligible, "{tr}");
    // Given and different: the given one is used, and the reasons say so.
    let (st, why, _) = with_prev(r#"{"listed": false, "b_prev": "50"}"#, r#"{"b": "500"}"#, 2024);
    assert_eq!(st, Status::Eligible);
    assert!(why.contains("与已保存的2024年度资料中的乙"), "{why}");
    let (st, why, _) = with_prev(r#"{"listed": false, "b_prev": "150"}"#, r#"{"b": "50"}"#, 2024);
    assert_eq!(st, Status::Ineligible);
    assert!(why.contains("与已保存的2024年度资料中的乙"), "kept on an ineligible clause too: {why}");
}

#[test]
fn a_measure_of_some_cities_plans_is_nothing_elsewhere() {
    let text = HEAD.replace("[pack.regions]\napplies = [\"甲区\"]", "[pack.regions]\ncities = [\"甲市\", \"乙市\"]")
        + &clause("c", "", r#"{ kind = "none" }"#).replace("formula =", "cities = [\"乙市\"]\nmonetary = false\nformula =");
    let p = load_pack("t.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    let ev_of = |city: &str| {
        let mut pr = profile(&p, r#"{"listed": false}"#);
        pr.company.city = city.into();
        let ev = evaluate(std::slice::from_ref(&p), &pr, 2025);
        let c = ev.clause("c").unwrap();
        (c.status, reasons(&ev, c, Lang::Zh).join("；"), trace(&ev, c, Lang::Zh).join("；"))
    };
    let (st, why, _) = ev_of("甲市");
    assert_eq!(st, Status::Ineligible);
    assert_eq!(why, "此项只见于乙市的实施方案，甲市的方案没有此项");
    let (st, why, tr) = ev_of("乙市");
    assert_eq!(st, Status::Eligible);
    assert!(why.contains("不涉及资金") && tr.contains("不涉及资金"), "{why} / {tr}");
    // Scoping names cities of the pack only; no money means no formula.
    let bad = text.replace("cities = [\"乙市\"]", "cities = [\"丙市\"]");
    assert!(load_pack("t.toml", &bad).unwrap_err().to_string().contains("丙市"));
    let bad =
        text.replace("monetary = false\nformula = { kind = \"none\" }", "monetary = false\nformula = { kind = \"fixed\", amount = \"1\" }");
    assert!(load_pack("t.toml", &bad).unwrap_err().to_string().contains("不涉及资金"));
}

/// `evaluate_own` lists the clauses of the packs that apply, each exactly
/// as `evaluate` has it (trace steps aside), with the same totals.
fn assert_own_matches_full(packs: &[Pack], p: &Profile, year: i32) {
    let full = evaluate(packs, p, year);
    let own = crate::engine::evaluate_own(packs, p, year);
    assert_eq!((own.total, own.total_max), (full.total, full.total_max));
    assert_eq!(own.packs.len(), full.packs.len());
    for (o, f) in own.packs.iter().zip(&full.packs) {
        assert!(std::ptr::eq(o.pack, f.pack) && o.status == f.status && o.reason == f.reason && o.district_as == f.district_as);
    }
    let applying: Vec<_> = full.clauses.iter().filter(|c| own.pack_result(&c.pack.id).is_some_and(|pr| pr.status.applies())).collect();
    assert_eq!(own.clauses.len(), applying.len());
    for (o, f) in own.clauses.iter().zip(applying) {
        assert!(std::ptr::eq(o.clause, f.clause) && std::ptr::eq(o.pack, f.pack), "{}", f.id());
        assert_eq!((o.status, o.amount, o.amount_max, o.county), (f.status, f.amount, f.amount_max, f.county), "{}", f.id());
        assert_eq!(own.missing(o), full.missing(f), "{}", f.id());
        assert_eq!(own.causes(o), full.causes(f), "{}", f.id());
        let winner = |c: &ClauseResult| c.excluded_by.map(|x| (x.winner.id.clone(), x.group));
        assert_eq!(winner(o), winner(f), "{}", f.id());
        assert!(own.trace(o).is_empty());
    }
}

#[test]
fn evaluate_own_matches_evaluate_on_its_packs() {
    use crate::profile::{Claim, ClaimStatus, PreviousYear};
    let packs = crate::bundled_packs().unwrap();
    for (text, year) in
        [(include_str!("../../../samples/taizhou-sample.json"), 2025), (include_str!("../../../samples/chengdu-sample.json"), 2024)]
    {
        let p = crate::parse_profile(text, &packs).unwrap();
        for y in [year, year + 1, 2026] {
            assert_own_matches_full(&packs, &p, y);
        }
    }
    for pack in &packs {
        for case in &pack.cases {
            let p = crate::cases::case_profile(pack, case).unwrap();
            assert_own_matches_full(&packs, &p, case.year);
            assert_own_matches_full(std::slice::from_ref(pack), &p, case.year);
        }
    }
    let generated = crate::generate::generated(600, &packs, 20251125);
    let ids: Vec<&str> = packs.iter().flat_map(|p| p.clauses.iter().map(|c| c.id.as_str())).collect();
    let statuses = [ClaimStatus::Planned, ClaimStatus::Submitted, ClaimStatus::Approved, ClaimStatus::Rejected, ClaimStatus::Withdrawn];
    for (i, p) in generated.iter().enumerate() {
        let year = p.year.unwrap_or(2025);
        assert_own_matches_full(&packs, p, year);
        // Earlier claims and a saved year before, on some of them.
        let mut p = p.clone();
        for k in 0..(i % 7) {
            let n = i * 7 + k;
            p.history.push(Claim {
                clause: ids[n % ids.len()].to_string(),
                year: year - 1 + (n % 3) as i32 - 1,
                status: statuses[n % statuses.len()],
                amount: (n % 2 == 0).then(|| rust_decimal::Decimal::from(1000 * n)),
            });
        }
        if i % 3 == 0 {
            p.previous_year = Some(PreviousYear { year: year - 1, facts: generated[(i + 2) % generated.len()].facts.clone() });
        }
        assert_own_matches_full(&packs, &p, year);
    }
}

/// `Catalogue::write_json` writes the bytes serde writes for the catalogue.
#[test]
fn write_json_writes_what_serde_writes() {
    use crate::explain::Catalogue;
    let packs = crate::bundled_packs().unwrap();
    let check = |packs: &[Pack], p: &Profile, year: i32| {
        let ev = evaluate(packs, p, year);
        for lang in [Lang::Zh, Lang::En] {
            let cat = Catalogue { ev: &ev, lang };
            let mut direct = Vec::new();
            cat.write_json(&mut direct);
            assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&cat).unwrap());
        }
    };
    for text in [include_str!("../../../samples/taizhou-sample.json"), include_str!("../../../samples/chengdu-sample.json")] {
        let p = crate::parse_profile(text, &packs).unwrap();
        for year in [2023, 2024, 2025, 2026] {
            check(&packs, &p, year);
        }
        // Text that JSON escapes, in the company's own words.
        let mut odd = p.clone();
        odd.company.district = "椒江区\"\\\n\t\u{1}区".into();
        odd.company.city = "台州\u{7f}市\r".into();
        check(&packs, &odd, 2025);
    }
    for pack in &packs {
        for case in &pack.cases {
            let p = crate::cases::case_profile(pack, case).unwrap();
            check(&packs, &p, case.year);
            check(std::slice::from_ref(pack), &p, case.year);
        }
    }
    for p in crate::generate::generated(300, &packs, 20251125) {
        check(&packs, &p, p.year.unwrap_or(2025));
    }
}

//! Bad input exits 2 with one clear line naming the field; never a panic.

use std::process::Command;

fn butie(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_butie")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn with_profile(json: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.json");
    std::fs::write(&p, json).unwrap();
    let mut args = vec!["evaluate", "--profile", p.to_str().unwrap()];
    args.extend_from_slice(extra);
    butie(&args)
}

const GOOD_COMPANY: &str = r#""company": {"name": "测试", "uscc": "91331002MA2A8K5L0Y", "city": "台州市", "district": "椒江区", "serious_dishonesty_listed": false}"#;

fn profile_with(facts: &str) -> String {
    format!(r#"{{ {GOOD_COMPANY}, "year": 2025, "facts": {{ {facts} }} }}"#)
}

fn assert_one_line_error(code: i32, stderr: &str, needle: &str) {
    assert_eq!(code, 2, "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn good_profile_exits_zero() {
    let (code, out, err) = with_profile(&profile_with(r#""intl_trademark_fee": 1000"#), &["--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["year"], 2025);
}

#[test]
fn missing_file() {
    let (code, _, err) = butie(&["evaluate", "--profile", "/nonexistent/p.json", "--year", "2025"]);
    assert_one_line_error(code, &err, "文件不存在");
}

#[test]
fn bad_json() {
    // Malformed: says where.
    let (code, _, err) = with_profile(r#"{"company": {"name": "x",, }}"#, &[]);
    assert_one_line_error(code, &err, "JSON 格式错误（第1行第26列）");
    // Cut short, as a half-copied file: says so.
    let (code, _, err) = with_profile(r#"{"company": {"name": "x""#, &[]);
    assert_one_line_error(code, &err, "文件不完整");
}

#[test]
fn unknown_fact_key_with_suggestion() {
    let (code, _, err) = with_profile(&profile_with(r#""intl_trademark_fees": 1000"#), &[]);
    assert_one_line_error(code, &err, "facts.intl_trademark_fees");
    assert!(err.contains("intl_trademark_fee？"), "{err}");
}

#[test]
fn negative_money() {
    let (code, _, err) = with_profile(&profile_with(r#""intl_trademark_fee": -5"#), &[]);
    assert_one_line_error(code, &err, "facts.intl_trademark_fee: 不能为负数");
}

#[test]
fn non_numeric_money() {
    // 12万 is read (as 120000) since issue 11; numerals in words are not,
    // and each way of writing a figure that is not one says what to type.
    let (code, _, err) = with_profile(&profile_with(r#""intl_trademark_fee": "十二万""#), &[]);
    assert_one_line_error(code, &err, "facts.intl_trademark_fee: 请用阿拉伯数字书写");
    for (typed, said) in [("约8100万", "不要写“约”"), ("5w", "请用万"), ("3万5千", "3.5万"), ("abc", "不是数字")] {
        let (code, _, err) = with_profile(&profile_with(&format!(r#""intl_trademark_fee": "{typed}""#)), &[]);
        assert_one_line_error(code, &err, said);
    }
    let (code, _, err) = with_profile(&profile_with(r#""intl_trademark_fee": "1,23""#), &[]);
    assert_one_line_error(code, &err, "facts.intl_trademark_fee: 千分位逗号位置不对");
}

#[test]
fn fractional_fen() {
    let (code, _, err) = with_profile(&profile_with(r#""intl_trademark_fee": "1.005""#), &[]);
    assert_one_line_error(code, &err, "最多2位小数");
}

#[test]
fn wrong_type_for_bool() {
    let (code, _, err) = with_profile(&profile_with(r#""in_cultivation_pool": "yes""#), &[]);
    assert_one_line_error(code, &err, "facts.in_cultivation_pool: 类型不对");
}

#[test]
fn uscc_with_a_wrong_check_digit() {
    let json = profile_with("").replace("91331002MA2A8K5L0Y", "91331002MA2A8K5L0X");
    let (code, _, err) = with_profile(&json, &[]);
    assert_one_line_error(code, &err, "company.uscc: 校验位错误：末位应为 Y，实为 X");
}

#[test]
fn unknown_district() {
    let json = profile_with("").replace("椒江区", "西湖区");
    let (code, _, err) = with_profile(&json, &[]);
    assert_one_line_error(code, &err, "company.district: 台州市没有这个区县");
}

#[test]
fn unknown_city() {
    let json = profile_with("").replace("台州市", "杭州市");
    let (code, _, err) = with_profile(&json, &[]);
    assert_one_line_error(code, &err, "company.city: 暂不支持该城市");
}

#[test]
fn unknown_company_field() {
    let json = profile_with("").replace(r#""name""#, r#""nmae""#);
    let (code, _, err) = with_profile(&json, &[]);
    assert_one_line_error(code, &err, "company.nmae");
}

#[test]
fn year_out_of_range_and_missing() {
    let (code, _, err) = with_profile(&profile_with(""), &["--year", "1999"]);
    assert_one_line_error(code, &err, "--year");
    let json = format!(r#"{{ {GOOD_COMPANY}, "facts": {{}} }}"#);
    let (code, _, err) = with_profile(&json, &[]);
    assert_one_line_error(code, &err, "year: 必填");
}

#[test]
fn english_messages() {
    let (code, _, err) = with_profile(&profile_with(r#""intl_trademark_fee": -5"#), &["--lang", "en"]);
    assert_one_line_error(code, &err, "facts.intl_trademark_fee: must not be negative");
}

#[test]
fn binary_garbage_is_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.json");
    std::fs::write(&p, [0xff, 0xfe, 0x00, 0x12]).unwrap();
    let (code, _, err) = butie(&["evaluate", "--profile", p.to_str().unwrap()]);
    assert_one_line_error(code, &err, "UTF-8");
}

#[test]
fn bad_policy_dir() {
    let (code, _, err) = butie(&["--policies", "/nonexistent", "policies"]);
    assert_one_line_error(code, &err, "/nonexistent");
}

#[test]
fn table_output_is_chinese_with_wan_figures() {
    let (code, out, _) = butie(&["evaluate", "--profile", "samples/taizhou-sample.json"]);
    assert_eq!(code, 0);
    assert!(out.contains("测算(万元)"));
    assert!(out.contains("合计：测算金额 47.017525 万元（470,175.25 元）"), "{out}");
}

#[test]
fn policies_lists_every_clause() {
    let (code, out, _) = butie(&["policies"]);
    assert_eq!(code, 0);
    for id in ["tz.eco.training", "cd.loan_interest", "cd.chain_leader"] {
        assert!(out.contains(id), "{id}");
    }
}

//! The workspace through the real `butie` binary.

use std::path::Path;
use std::process::Command;

fn run(ws: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_butie")).arg("--workspace").arg(ws).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn add_set_evaluate_save_history() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let (code, out, err) = run(
        &ws,
        &[
            "company",
            "add",
            "--name",
            "海跃",
            "--uscc",
            "91331002MA2A8K5L0Y",
            "--city",
            "台州市",
            "--district",
            "椒江区",
            "--dishonest",
            "false",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "1");
    let (code, _, err) =
        run(&ws, &["facts", "set", "--company", "1", "--year", "2025", "intl_trademark_fee=186000.00", "provincial_famous_brand=true"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&ws, &["evaluate", "--company", "91331002MA2A8K5L0Y", "--year", "2025", "--save", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("已保存测算记录 #1"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], "193000.00");
    let (code, out, _) = run(&ws, &["history", "--company", "1"]);
    assert_eq!(code, 0);
    assert!(out.contains("193000.00") && out.contains("taizhou-cbec-2025@2024-11-19"), "{out}");
    let (code, out, _) = run(&ws, &["history", "--show", "1"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["inputs"]["facts"]["intl_trademark_fee"], "186000.00");
    assert_eq!(v["result"]["total"], "193000.00");
}

#[test]
fn bad_values_exit_2_with_one_line_and_save_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let (code, _, err) =
        run(&ws, &["company", "add", "--name", "X", "--uscc", "91331002MA2A8K5L0X", "--city", "台州市", "--district", "椒江区"]);
    assert_eq!(code, 2);
    assert_eq!(err.trim().lines().count(), 1);
    assert!(err.contains("company.uscc: 校验位错误"), "{err}");
    // The refused command leaves no empty workspace behind.
    assert!(!ws.exists(), "a refused first company add made a workspace");
    let (code, _, err) = run(&ws, &["company", "list", "--json"]);
    assert_eq!(code, 2, "{err}");
    run(&ws, &["company", "add", "--name", "Y", "--city", "成都市", "--district", "武侯区"]);
    for bad in ["cbec_volume=-5", "cbec_volume=abc", "cbec_volume=1.005", "no_such_fact=1", "park_rating=excellent"] {
        let (code, _, err) = run(&ws, &["facts", "set", "--company", "1", "--year", "2024", "cbec_volume_prev_year=100", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{bad}: {err}");
        assert!(!err.contains("panicked"));
    }
    let (_, out, _) = run(&ws, &["facts", "show", "--company", "1", "--year", "2024", "--json"]);
    assert_eq!(out.trim(), "{}", "all-or-nothing: the good pair was not saved either");
}

#[test]
fn facts_set_reads_numbers_as_people_type_them() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    run(&ws, &["company", "add", "--name", "Y", "--city", "成都市", "--district", "武侯区"]);
    let set = |pair: &str| run(&ws, &["facts", "set", "--company", "1", "--year", "2024", pair]);
    let show = || {
        let (_, out, _) = run(&ws, &["facts", "show", "--company", "1", "--year", "2024", "--json"]);
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["cbec_volume"].clone()
    };
    for (typed, stored) in [
        ("236,500,000", "236500000"),
        ("18200万", "182000000"),
        ("6.2万元", "62000"),
        ("３０００００００", "30000000"),
        ("２３６，５００，０００.５", "236500000.5"),
        ("\u{3000}1.5亿 ", "150000000"),
    ] {
        let (code, _, err) = set(&format!("cbec_volume={typed}"));
        assert_eq!(code, 0, "{typed}: {err}");
        assert_eq!(show(), stored, "{typed}");
    }
    for (typed, says) in [("1,23", "千分位逗号位置不对"), ("12万万", "不是数字"), ("－5", "不能为负数"), ("0.0000001万", "最多2位小数")]
    {
        let (code, _, err) = set(&format!("cbec_volume={typed}"));
        assert_eq!(code, 2, "{typed}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{typed}: {err}");
        assert!(err.contains(&format!("facts.cbec_volume: {says}")), "{typed}: {err}");
    }
    assert_eq!(show(), "150000000", "a refused value changes nothing");
}

#[test]
fn export_import_backup_restore() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    let b = dir.path().join("b.sqlite");
    let (code, _, err) = run(&a, &["import", "samples/chengdu-sample.json"]);
    assert_eq!(code, 0, "{err}");
    let export = dir.path().join("all.json");
    assert_eq!(run(&a, &["export", "--all", "--out", export.to_str().unwrap()]).0, 0);
    assert_eq!(run(&b, &["import", export.to_str().unwrap()]).0, 0);
    let (code, _, err) = run(&b, &["import", export.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--replace"), "{err}");
    let truncated = dir.path().join("t.json");
    std::fs::write(&truncated, &std::fs::read_to_string(&export).unwrap()[..40]).unwrap();
    let (code, _, err) = run(&b, &["import", truncated.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("文件不完整"), "{err}");
    let bak = dir.path().join("b.bak.sqlite");
    assert_eq!(run(&b, &["backup", "--out", bak.to_str().unwrap()]).0, 0);
    assert_eq!(run(&b, &["company", "delete", "1"]).0, 0);
    assert_eq!(run(&b, &["restore", bak.to_str().unwrap()]).0, 0);
    let (_, out, _) = run(&b, &["company", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["years"], serde_json::json!([2024]));
}

/// Chinese characters (and full-width punctuation) in `s`.
fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}'))
}

/// Exit 2, one line, the needle in it, and no Chinese outside `quoted` (a company name).
fn assert_english_error(code: i32, err: &str, needle: &str, quoted: &str) {
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
    let rest = if quoted.is_empty() { err.to_string() } else { err.replace(quoted, "") };
    assert!(!has_cjk(&rest), "Chinese in an English message: {err}");
    assert!(!err.contains("Error {") && !err.contains("SqliteFailure") && !err.contains("panicked"), "{err}");
}

#[test]
fn workspace_errors_in_english_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let add = |name: &str| {
        run(
            &ws,
            &["--lang", "en", "company", "add", "--name", name, "--uscc", "91331002MA2A8K5L0Y", "--city", "台州市", "--district", "椒江区"],
        )
    };
    assert_eq!(add("海跃跨境").0, 0);
    // The USCC is taken by company #1: its number and name are given.
    let (code, _, err) = add("另一家");
    assert_english_error(code, &err, "company.uscc: USCC 91331002MA2A8K5L0Y already belongs to company #1 (海跃跨境)", "海跃跨境");
    // A company with a saved evaluation is not deleted.
    let (code, _, err) = run(&ws, &["evaluate", "--company", "1", "--year", "2025", "--save", "--json"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&ws, &["--lang", "en", "company", "delete", "1"]);
    assert_english_error(code, &err, "company #1 has 1 saved evaluation and cannot be deleted", "");
    assert!(err.contains("--archive"), "{err}");
    // A file that is not a workspace is refused and left as it was.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, "this is a text file, not a workspace; long enough to have a header").unwrap();
    let (code, _, err) = run(&junk, &["--lang", "en", "company", "list"]);
    assert_english_error(code, &err, "is not a usable Butie workspace: it is not an SQLite database file", "");
    assert!(err.contains(junk.to_str().unwrap()), "{err}");
    assert_eq!(std::fs::read_to_string(&junk).unwrap(), "this is a text file, not a workspace; long enough to have a header");
    // A missing company.
    let (code, _, err) = run(&ws, &["--lang", "en", "company", "show", "7"]);
    assert_english_error(code, &err, "company #7 not found", "");
}

#[test]
fn facts_copy_carries_standing_answers_into_a_new_year_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let add = ["company", "add", "--name", "蓉欧", "--uscc", "91510107MA6DG8HL5P", "--city", "成都市", "--district", "武侯区"];
    assert_eq!(run(&ws, &add).0, 0);
    let set = [
        "facts",
        "set",
        "--company",
        "1",
        "--year",
        "2024",
        "provincial_public_overseas_warehouse=true",
        "overseas_warehouse_area_sqm=62000",
        "cbec_volume=236,500,000",
        "import_pilot=pharma",
        "registered_on_cd_platform=true",
    ];
    let (code, _, err) = run(&ws, &set);
    assert_eq!(code, 0, "{err}");
    // 2025 already says something of its own: it is kept.
    assert_eq!(run(&ws, &["facts", "set", "--company", "1", "--year", "2025", "registered_on_cd_platform=false"]).0, 0);
    let (code, out, err) = run(&ws, &["facts", "copy", "--company", "1", "--from", "2024", "--to", "2025"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("已从 2024 年度沿用 3 项长期情况到 2025 年度："), "{out}");
    assert!(out.contains("（overseas_warehouse_area_sqm）") && out.contains("（import_pilot）"), "{out}");
    let (_, shown, _) = run(&ws, &["facts", "show", "--company", "1", "--year", "2025", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["registered_on_cd_platform"], false, "an answer already given is never replaced");
    assert_eq!(v["provincial_public_overseas_warehouse"], true);
    assert!(v.get("cbec_volume").is_none(), "a yearly figure does not carry over");
    // Again: nothing left to copy, said so.
    let (code, out, _) = run(&ws, &["--lang", "en", "facts", "copy", "--company", "1", "--from", "2024", "--to", "2025"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("nothing to carry over"), "{out}");
}

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
    let (_, out, _) = run(&ws, &["company", "list", "--json"]);
    assert_eq!(out.trim(), "[]");
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

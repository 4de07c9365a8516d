//! The claims ledger through the real `butie` binary: a claim approved for
//! 2025 blocks the one-time award in 2026, the ledger shows it, bad claims
//! are refused naming the flag, and export/import carry it.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

pub(crate) fn run(ws: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_butie")).arg("--workspace").arg(ws).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Run, expect success, return stdout.
pub(crate) fn ok(ws: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(ws, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

pub(crate) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// One line on stderr, exit 2, naming `needle`; nothing on stdout.
pub(crate) fn refused(ws: &Path, args: &[&str], needle: &str) {
    let (code, out, err) = run(ws, args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.is_empty(), "{out}");
}

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/taizhou-sample.json");
const BRAND: &str = "tz.brand.provincial_brand";

pub(crate) fn clause<'a>(ev: &'a Value, id: &str) -> &'a Value {
    ev["clauses"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

/// The ledger as `claims --json` lists it, without the workspace's own numbers.
fn ledger(ws: &Path, company: &str) -> Value {
    let mut v = json(&ok(ws, &["claims", "--company", company, "--json"]));
    for c in v.as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("id");
    }
    v
}

#[test]
fn an_approved_one_time_award_blocks_later_years_and_travels_with_the_company() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    // A Taizhou company with the sample's facts for 2025 and 2026.
    assert_eq!(ok(&ws, &["company", "add", "--from-json", SAMPLE]).trim(), "1");
    for year in ["2025", "2026"] {
        ok(&ws, &["facts", "set", "--company", "1", "--year", year, "--from-json", SAMPLE]);
    }
    let before = json(&ok(&ws, &["evaluate", "--company", "1", "--year", "2026", "--json"]));
    assert_eq!(clause(&before, BRAND)["status"], "eligible", "no claim yet");
    let b = ok(&ws, &["claims", "--company", "1"]);
    assert_eq!(b, "（没有申报记录）\n");

    // Approved for 2025.
    let out =
        ok(&ws, &["claim", "set", "--company", "1", "--year", "2025", "--clause", BRAND, "--status", "approved", "--amount", "100000"]);
    assert!(out.contains("已保存申报记录 #1") && out.contains("已批准"), "{out}");

    // 2026: the one-time award is not paid again, and the reason names 2025.
    let ev = json(&ok(&ws, &["evaluate", "--company", "1", "--year", "2026", "--json"]));
    let c = clause(&ev, BRAND);
    assert_eq!(c["status"], "ineligible", "{c}");
    assert_eq!(c["amount"], Value::Null);
    let reasons = c["reasons"].to_string();
    assert!(reasons.contains("2025"), "{reasons}");
    let en = json(&ok(&ws, &["--lang", "en", "evaluate", "--company", "1", "--year", "2026", "--json"]));
    assert!(clause(&en, BRAND)["reasons"].to_string().contains("2025"), "{}", clause(&en, BRAND));
    // 2025 itself: the claim of the year evaluated blocks nothing.
    let ev25 = json(&ok(&ws, &["evaluate", "--company", "1", "--year", "2025", "--json"]));
    assert_eq!(clause(&ev25, BRAND)["status"], "eligible");

    // The ledger shows it, in either language.
    let table = ok(&ws, &["claims", "--company", "1"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("年度  条款") && lines[0].contains("批准金额") && lines[0].contains("差额"), "{table}");
    assert!(
        lines[1].starts_with("2025  tz.brand.provincial_brand") && lines[1].contains("已批准") && lines[1].contains("100,000.00"),
        "{table}"
    );
    assert!(lines[2].starts_with("2025 合计") && lines[2].contains("100,000.00"), "{table}");
    let table = ok(&ws, &["--lang", "en", "claims", "--company", "91331002MA2A8K5L0Y", "--year", "2025"]);
    assert!(table.starts_with("year  clause") && table.contains(" approved ") && table.contains("2025 total"), "{table}");
    // Submitted with an estimate, then approved for less: the difference shows.
    let tm = "tz.brand.trademark";
    ok(
        &ws,
        &[
            "claim",
            "set",
            "--company",
            "1",
            "--year",
            "2025",
            "--clause",
            tm,
            "--status",
            "已申报",
            "--amount",
            "93000",
            "--date",
            "2025-03-15",
        ],
    );
    ok(
        &ws,
        &[
            "claim",
            "set",
            "--company",
            "1",
            "--year",
            "2025",
            "--clause",
            tm,
            "--status",
            "approved",
            "--amount",
            "90000.00",
            "--note",
            "批复",
        ],
    );
    let table = ok(&ws, &["claims", "--company", "1"]);
    let row = table.lines().find(|l| l.contains(tm)).unwrap();
    assert!(row.contains("93,000.00") && row.contains("90,000.00") && row.contains("-3,000.00") && row.ends_with("批复"), "{table}");
    let list = ledger(&ws, "1");
    assert_eq!(list.as_array().unwrap().len(), 2);
    let t = &list[1];
    assert_eq!(
        (&t["clause"], &t["estimate"], &t["approved"], &t["difference"]),
        (&Value::from(tm), &"93000.00".into(), &"90000.00".into(), &"-3000.00".into())
    );
    assert_eq!(t["events"].as_array().unwrap().len(), 2);
    assert_eq!(t["events"][0]["status"], "submitted");
    assert_eq!(t["events"][0]["date"], "2025-03-15");

    // Bad claims: one line, exit 2, the flag named, in the user's language; nothing saved.
    let kept = ledger(&ws, "1");
    let set = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["claim", "set", "--company", "1", "--year", "2026"].iter().map(|s| s.to_string()).collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let cases: [(&[&str], &str, &str); 6] = [
        (&["--clause", "tz.brand.nope", "--status", "planned"], "--clause: 未知的条款 id", "--clause: unknown clause id"),
        (
            &["--clause", BRAND, "--status", "planned", "--amount", "100"],
            "--amount: 状态为“计划申报”的申报不填金额",
            "--amount: a planned claim takes no amount",
        ),
        (&["--clause", BRAND, "--status", "submitted", "--amount", "-100"], "--amount: 不能为负数", "--amount: must not be negative"),
        (&["--clause", BRAND, "--status", "submitted", "--amount=-0.01"], "--amount: 不能为负数", "--amount: must not be negative"),
        (
            &["--clause", BRAND, "--status", "approved"],
            "--amount: 已批准的申报须填写批准金额",
            "--amount: an approved claim needs the approved amount",
        ),
        (&["--clause", BRAND, "--status", "paid"], "--status: 不是可选项", "--status: not one of the options: planned, submitted"),
    ];
    for (extra, zh, en) in cases {
        let a = set(extra);
        let a: Vec<&str> = a.iter().map(|s| s.as_str()).collect();
        refused(&ws, &a, zh);
        let mut a_en = vec!["--lang", "en"];
        a_en.extend(&a);
        refused(&ws, &a_en, en);
    }
    refused(
        &ws,
        &["claim", "set", "--company", "1", "--year", "2026", "--clause", BRAND, "--status", "submitted", "--date", "2026-02-30"],
        "--date: ",
    );
    refused(&ws, &["claim", "set", "--company", "9", "--year", "2026", "--clause", BRAND, "--status", "planned"], "找不到企业 #9");
    assert_eq!(ledger(&ws, "1"), kept, "nothing saved");

    // Export the company, import it into a fresh workspace: the same 2026
    // result and the same ledger, every change included.
    let file = dir.path().join("haiyue.json");
    ok(&ws, &["export", "--company", "1", "--out", file.to_str().unwrap()]);
    let exported = json(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(exported["claims"].as_array().unwrap().len(), 2);
    let ev = json(&ok(&ws, &["evaluate", "--company", "1", "--year", "2026", "--json"]));
    assert_eq!(clause(&ev, BRAND)["status"], "ineligible");
    assert_eq!(clause(&ev, tm)["amount"], "10000.00", "the per-company cap: 100,000 less the 90,000 approved in 2025");
    let fresh = dir.path().join("fresh.sqlite");
    let out = ok(&fresh, &["import", file.to_str().unwrap()]);
    assert!(out.contains("#1"), "{out}");
    let again = json(&ok(&fresh, &["evaluate", "--company", "1", "--year", "2026", "--json"]));
    assert_eq!(again, ev);
    assert_eq!(clause(&again, BRAND)["status"], "ineligible");
    assert_eq!(ledger(&fresh, "1"), ledger(&ws, "1"));
    // The whole workspace the same way.
    let all = dir.path().join("all.json");
    ok(&ws, &["export", "--all", "--out", all.to_str().unwrap()]);
    let fresh2 = dir.path().join("fresh2.sqlite");
    ok(&fresh2, &["import", all.to_str().unwrap()]);
    assert_eq!(ledger(&fresh2, "1"), ledger(&ws, "1"));
    assert_eq!(json(&ok(&fresh2, &["evaluate", "--company", "1", "--year", "2026", "--json"])), ev);
}

#[test]
fn a_claim_set_straight_to_approved_keeps_the_year_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["company", "add", "--from-json", SAMPLE]);
    ok(&ws, &["facts", "set", "--company", "1", "--year", "2025", "--from-json", SAMPLE]);
    let ev = json(&ok(&ws, &["evaluate", "--company", "1", "--year", "2025", "--json"]));
    let estimate = clause(&ev, BRAND)["amount"].clone();
    assert!(estimate.is_string(), "the sample's brand award has a figure: {ev}");
    // Approved first, never submitted: the estimate is the year's, and the difference shows.
    ok(&ws, &["claim", "set", "--company", "1", "--year", "2025", "--clause", BRAND, "--status", "approved", "--amount", "90000"]);
    let l = ledger(&ws, "1");
    assert_eq!(l[0]["estimate"], estimate, "{l}");
    assert_eq!(l[0]["approved"], "90000.00", "{l}");
    assert!(l[0]["difference"].is_string(), "{l}");
    // An estimate given later (submitted with an amount) replaces it.
    ok(&ws, &["claim", "set", "--company", "1", "--year", "2025", "--clause", BRAND, "--status", "submitted", "--amount", "95000"]);
    assert_eq!(ledger(&ws, "1")[0]["estimate"], "95000.00");
}

/// `claim set` with the two dates and the estimate, step by step: each
/// (flags) → the claim as `claims --json` lists it, or the refusal in
/// both languages naming the flag.
#[test]
fn the_filing_dates_and_the_estimate_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["company", "add", "--from-json", SAMPLE]);
    let tm = "tz.brand.trademark";
    let set = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> =
            ["claim", "set", "--company", "1", "--year", "2026", "--clause", tm].iter().map(|s| s.to_string()).collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    type Want<'a> = Result<[&'a str; 4], (&'a str, &'a str)>;
    // (flags) → Ok([estimate, approved, submitted_on, approved_on]) or Err((zh, en)).
    let cases: [(&[&str], Want); 7] = [
        (&["--status", "submitted", "--amount", "93000", "--date", "2026-03-31"], Ok(["93000.00", "", "2026-03-31", ""])),
        (&["--status", "approved", "--amount", "90000", "--date", "2026-04-10"], Ok(["93000.00", "90000.00", "2026-03-31", "2026-04-10"])),
        (&["--status", "approved", "--amount", "90000", "--estimate", "95000"], Ok(["95000.00", "90000.00", "2026-03-31", "2026-04-10"])),
        (
            &["--status", "approved", "--amount", "90000", "--submitted-on", "2026-03-30", "--approved-on", "2026-04-01"],
            Ok(["95000.00", "90000.00", "2026-03-30", "2026-04-01"]),
        ),
        (
            &["--status", "approved", "--amount", "90000", "--approved-on", "2026-03-01"],
            Err((
                "--approved-on: 批准日期 2026-03-01 早于申报日期 2026-03-30，请核对",
                "--approved-on: the approval date 2026-03-01 is before the submission date 2026-03-30; please check",
            )),
        ),
        (
            &["--status", "approved", "--amount", "90000", "--submitted-on", "2026-02-30"],
            Err(("--submitted-on: \"2026-02-30\" 不是有效日期", "--submitted-on: \"2026-02-30\" is not a real date")),
        ),
        (
            &["--status", "submitted", "--approved-on", "2026-04-01"],
            Err(("--approved-on: 状态为“已申报”的申报没有批准日期", "--approved-on: a submitted claim has no approval date")),
        ),
    ];
    for (flags, want) in cases {
        let a = set(flags);
        let a: Vec<&str> = a.iter().map(|s| s.as_str()).collect();
        match want {
            Ok([e, ap, so, ao]) => {
                ok(&ws, &a);
                let l = ledger(&ws, "1");
                let c = &l[0];
                let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
                assert_eq!([s("estimate"), s("approved"), s("submitted_on"), s("approved_on")], [e, ap, so, ao], "{flags:?}");
                let last = c["events"].as_array().unwrap().last().unwrap();
                assert_eq!((&last["submitted_on"], &last["approved_on"]), (&c["submitted_on"], &c["approved_on"]), "{flags:?}");
            }
            Err((zh, en)) => {
                let kept = ledger(&ws, "1");
                refused(&ws, &a, zh);
                let mut a_en = vec!["--lang", "en"];
                a_en.extend(&a);
                refused(&ws, &a_en, en);
                assert_eq!(ledger(&ws, "1"), kept, "{flags:?}: nothing saved");
            }
        }
    }
    // Export and import carry the dates.
    let file = dir.path().join("c.json");
    ok(&ws, &["export", "--company", "1", "--out", file.to_str().unwrap()]);
    let fresh = dir.path().join("fresh.sqlite");
    ok(&fresh, &["import", file.to_str().unwrap()]);
    assert_eq!(ledger(&fresh, "1"), ledger(&ws, "1"));
}

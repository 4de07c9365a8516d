//! Issue 14 through the real binary: signed pack files and trusted keys,
//! unsigned packs marked 未验证 wherever their figures appear, a pack whose
//! own cases fail refused, saved evaluations recomputed with the exact
//! versions they name, and what a new version changes for the clients.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn run(ws: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_butie")).arg("--workspace").arg(ws).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn ok(ws: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(ws, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const SIGNED: &str = "tests/fixtures/packs/chengdu-cbec-2023-v2.toml";

#[test]
fn a_signed_pack_imports_verified_a_changed_byte_is_refused_and_unsigned_needs_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    // Not yet trusted: refused, the key named.
    let (code, _, err) = run(&ws, &["policies", "import", SIGNED]);
    assert_eq!(code, 2);
    assert!(err.contains("未受信任的公钥 C4D63BFD4EC9A287"), "{err}");
    let said = ok(&ws, &["keys", "add", "园区商务办（测试）", "tests/fixtures/keys/butie-test.pub"]);
    assert!(said.contains("C4D63BFD4EC9A287"), "{said}");
    assert!(ok(&ws, &["keys", "list"]).contains("园区商务办（测试）"));

    // One byte changed after signing: refused, nothing kept.
    let tampered = dir.path().join("tampered.toml");
    let mut bytes = std::fs::read(SIGNED).unwrap();
    let at = bytes.windows(6).position(|w| w == b"0.03\",").unwrap() + 3;
    bytes[at] = b'5';
    std::fs::write(&tampered, &bytes).unwrap();
    let (code, _, err) = run(&ws, &["policies", "import", s(&tampered), "--sig", &format!("{SIGNED}.minisig")]);
    assert_eq!(code, 2);
    assert!(err.contains("签名无效") && err.lines().count() == 1, "{err}");

    let out = ok(&ws, &["policies", "import", SIGNED]);
    assert!(out.contains("版本 2025-06-01") && out.contains("已验证：园区商务办（测试）"), "{out}");
    assert!(ok(&ws, &["policies", "versions"]).contains("使用中：chengdu-cbec-2023 版本 2025-06-01"), "the newer version is in use");
    let json: Value = serde_json::from_str(&ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--json"])).unwrap();
    let cd = json["packs"].as_array().unwrap().iter().find(|p| p["id"] == "chengdu-cbec-2023").unwrap();
    assert!(!cd["note"].as_str().unwrap().contains("未验证"));

    // Unsigned: only with the flag, and then marked in JSON, table and PDF.
    let unsigned = dir.path().join("chengdu-cbec-2023.toml");
    std::fs::write(&unsigned, std::fs::read_to_string(SIGNED).unwrap().replace("version = \"2025-06-01\"", "version = \"2025-09-01\""))
        .unwrap();
    let (code, _, err) = run(&ws, &["policies", "import", s(&unsigned)]);
    assert_eq!(code, 2);
    assert!(err.contains("--allow-unsigned"), "{err}");
    let out = ok(&ws, &["policies", "import", s(&unsigned), "--allow-unsigned"]);
    assert!(out.contains("未验证"), "{out}");
    let json: Value = serde_json::from_str(&ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--json"])).unwrap();
    let cd = json["packs"].as_array().unwrap().iter().find(|p| p["id"] == "chengdu-cbec-2023").unwrap();
    assert!(ok(&ws, &["policies", "versions"]).contains("使用中：chengdu-cbec-2023 版本 2025-09-01"));
    assert!(cd["note"].as_str().unwrap().starts_with("【未验证】"), "{cd}");
    assert!(ok(&ws, &["evaluate", "--company", "1", "--year", "2024"]).contains("【未验证】"));
    let pdf = dir.path().join("pdf");
    ok(&ws, &["pdf", "--company", "1", "--year", "2024", "--out", s(&pdf)]);
    let summary = std::fs::read_dir(&pdf).unwrap().map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().contains("汇总")).unwrap();
    let text = Command::new("pdftotext").arg(&summary).arg("-").output().unwrap();
    let text: String = String::from_utf8_lossy(&text.stdout).chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains("未验证"), "the summary PDF says so");
    // Saved with it: the history records it as unverified.
    ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--save"]);
    let hist: Value = serde_json::from_str(&ok(&ws, &["history", "--company", "1", "--json"])).unwrap();
    assert!(hist.to_string().contains("\"unverified\":true"), "{hist}");
    let versions = ok(&ws, &["policies", "versions"]);
    assert!(versions.contains("2025-06-01") && versions.contains("2025-09-01") && versions.contains("未验证"), "{versions}");
}

#[test]
fn a_pack_whose_own_cases_fail_is_refused_naming_the_failure() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string("policies/chengdu-cbec-2023.toml").unwrap();
    std::fs::write(&bad, text.replacen("rate = \"0.03\", cap = \"1000000\"", "rate = \"0.04\", cap = \"1000000\"", 1)).unwrap();
    let (code, _, err) = run(&ws, &["policies", "import", s(&bad), "--allow-unsigned"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("个测试用例中有") && err.contains("不通过") && err.contains("cd.transform.sichuan_made"), "{err}");
    assert!(!ok(&ws, &["policies", "versions"]).contains("导入"), "nothing kept");
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "[pack]\nid = 1\n").unwrap();
    let (code, _, err) = run(&ws, &["policies", "import", s(&broken), "--allow-unsigned"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn saved_evaluations_still_reproduce_after_a_newer_version_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    ok(&ws, &["import", "samples/taizhou-sample.json"]);
    ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--save"]);
    ok(&ws, &["evaluate", "--company", "2", "--year", "2025", "--save"]);
    // A newer Chengdu version with a higher cap, unsigned.
    let newer = dir.path().join("newer.toml");
    let text =
        std::fs::read_to_string("policies/chengdu-cbec-2023.toml").unwrap().replace("version = \"2023-02-14\"", "version = \"2026-01-01\"");
    std::fs::write(&newer, text).unwrap();
    ok(&ws, &["policies", "import", s(&newer), "--allow-unsigned"]);
    ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--save"]);
    let out = ok(&ws, &["history", "--verify"]);
    assert!(out.contains("共 3 条测算记录：3 条按当时的政策包版本复算一致，0 条不一致，0 条缺少政策包"), "{out}");
}

#[test]
fn a_diff_lists_exactly_the_changes_and_the_clients_they_touch() {
    let dir = tempfile::tempdir().unwrap();
    let old = Path::new("policies/chengdu-cbec-2023.toml");
    let new = dir.path().join("new.toml");
    let lines: Vec<String> = std::fs::read_to_string(old).unwrap().lines().map(str::to_string).collect();
    let mut changed = lines.clone();
    let cap = changed.iter().position(|l| l.contains("base = \"sichuan_made_export\"") && l.contains("cap = \"1000000\"")).unwrap();
    changed[cap] = changed[cap].replace("cap = \"1000000\"", "cap = \"1500000\"");
    let growth =
        changed.iter().position(|l| l.contains("growth_over = \"cbec_volume_prev_year\"") && l.contains("value = \"0.20\"")).unwrap();
    changed[growth] = changed[growth].replace("value = \"0.20\"", "value = \"0.15\"");
    std::fs::write(&new, changed.join("\n")).unwrap();

    let ws = dir.path().join("ws.sqlite");
    let cd: Value = serde_json::from_str(&std::fs::read_to_string("samples/chengdu-sample.json").unwrap()).unwrap();
    let client = |name: &str, serial: u32, facts: &[(&str, &str)]| {
        let mut p = cd.clone();
        let first17 = format!("91510107MA6DG{serial:04}");
        let check = butie::uscc::check_char(first17.as_bytes()).unwrap();
        p["company"]["uscc"] = format!("{first17}{check}").into();
        p["company"]["name"] = name.into();
        for (k, v) in facts {
            p["facts"][*k] = (*v).into();
        }
        let f = dir.path().join(format!("{serial}.json"));
        std::fs::write(&f, p.to_string()).unwrap();
        ok(&ws, &["import", s(&f)]);
    };
    // Above the old cap: 50,000,000 × 3% = 1,500,000.
    client("四川造大户", 1001, &[("sichuan_made_export", "50000000"), ("platform_project_sichuan_made_export", "0")]);
    // 17% growth: under the old 20%, over the new 15%.
    client("增长一成七", 1002, &[("cbec_volume", "234000000"), ("cbec_volume_prev_year", "200000000")]);
    // Touched by neither.
    client("不受影响", 1003, &[]);

    let out = ok(&ws, &["policies", "diff", s(old), s(&new), "--impact", "--year", "2024"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "cd.trade.growth_tier 跨境电商交易额增长奖励：条件 · [3] · 比例 0.20 → 0.15", "{out}");
    assert_eq!(lines[1], "cd.transform.sichuan_made “四川造”跨境电商出口奖励：计算方式 · 封顶 1000000 → 1500000", "{out}");
    assert_eq!(lines[2], "对客户的影响：3 个企业年度中有 2 个的测算合计改变（旧 → 新，元）", "{out}");
    let affected: Vec<&str> = lines[3..].to_vec();
    assert_eq!(affected.len(), 2, "{out}");
    assert!(affected.iter().any(|l| l.contains("四川造大户")) && affected.iter().any(|l| l.contains("增长一成七")), "{out}");
    // The same file twice: no change.
    assert!(ok(&ws, &["policies", "diff", s(&new), s(&new)]).contains("规则相同"));
}

/// What a hostile consultant found (issue 14's review).
#[test]
fn versions_are_dates_verified_wins_a_tie_and_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    let text = std::fs::read_to_string(SIGNED).unwrap();
    // A version that is no date cannot be compared: refused.
    let v2 = dir.path().join("v2.toml");
    std::fs::write(&v2, text.replace("version = \"2025-06-01\"", "version = \"v2\"")).unwrap();
    let (code, _, err) = run(&ws, &["policies", "import", s(&v2), "--allow-unsigned"]);
    assert_eq!(code, 2);
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    // An unsigned text of the same version does not push out the signed one.
    ok(&ws, &["keys", "add", "测试", "tests/fixtures/keys/butie-test.pub"]);
    ok(&ws, &["policies", "import", SIGNED]);
    let same = dir.path().join("same.toml");
    std::fs::write(&same, text.replace("单个企业不超过100万元", "单个企业不超过 100 万元")).unwrap();
    let out = ok(&ws, &["policies", "import", s(&same), "--allow-unsigned"]);
    assert!(out.contains("使用中的仍是版本 2025-06-01"), "{out}");
    assert!(ok(&ws, &["policies", "versions"])
        .lines()
        .any(|l| l.starts_with("使用中：chengdu-cbec-2023 版本 2025-06-01") && !l.contains("未验证")));
    // Pinning that version picks the signed text, not the unsigned one of the same date.
    let signed_sha = {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
    };
    let pinned = ok(&ws, &["policies", "pin", "chengdu-cbec-2023", "2025-06-01"]);
    assert!(pinned.contains(&signed_sha[..12]), "{pinned}");
    ok(&ws, &["policies", "unpin", "chengdu-cbec-2023"]);
    // A key removed vouches for nothing any more.
    ok(&ws, &["keys", "remove", "测试"]);
    assert!(ok(&ws, &["policies", "versions"]).lines().any(|l| l.starts_with("使用中：chengdu-cbec-2023") && l.contains("未验证")));
    // Two keys cannot share a name.
    let (code, _, err) = run(&ws, &["keys", "add", "C4D63BFD4EC9A287", "tests/fixtures/keys/butie-test.pub"]);
    assert_eq!(code, 0, "its own id as its name is fine: {err}");

    // A saved evaluation whose recorded total was changed is reported.
    ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--save"]);
    let c = butie_store::rusqlite::Connection::open(&ws).unwrap();
    c.execute_batch("DROP TRIGGER IF EXISTS evaluations_no_update; UPDATE evaluations SET total = '9999999.00';").unwrap();
    drop(c);
    let (code, out, err) = run(&ws, &["history", "--verify"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(format!("{out}{err}").contains("记录的合计 9999999.00"), "{out}{err}");
    // A kept pack text changed inside the workspace is never used.
    let c = butie_store::rusqlite::Connection::open(&ws).unwrap();
    c.execute("UPDATE pack_texts SET text = replace(text, '0.03', '0.30') WHERE origin = 'imported'", []).unwrap();
    drop(c);
    let (code, _, err) = run(&ws, &["evaluate", "--company", "1", "--year", "2024"]);
    assert_eq!(code, 2);
    assert!(err.contains("SHA-256 不符"), "{err}");
}

#[test]
fn a_policies_folder_with_changed_text_is_unverified_and_saved_so() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    let folder = dir.path().join("pd");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy("policies/taizhou-cbec-2025.toml", folder.join("taizhou-cbec-2025.toml")).unwrap();
    let text = std::fs::read_to_string("policies/chengdu-cbec-2023.toml").unwrap();
    std::fs::write(folder.join("chengdu-cbec-2023.toml"), text.replace("version = \"2023-02-14\"", "version = \"2026-01-01\"")).unwrap();
    let table = ok(&ws, &["--policies", s(&folder), "evaluate", "--company", "1", "--year", "2024", "--save"]);
    assert!(table.contains("【未验证】"), "{table}");
    let hist = ok(&ws, &["history", "--company", "1"]);
    assert!(hist.contains("chengdu-cbec-2023@2026-01-01") && hist.contains("未验证"), "{hist}");
    // The repository's own folder is the built-in text: not marked.
    assert!(!ok(&ws, &["--policies", "policies", "evaluate", "--company", "1", "--year", "2024"]).contains("未验证"));
}

#[test]
fn a_pinned_version_is_used_until_unpinned() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    ok(&ws, &["keys", "add", "测试", "tests/fixtures/keys/butie-test.pub"]);
    ok(&ws, &["policies", "import", SIGNED]);
    let in_use = |ws: &Path| {
        ok(ws, &["policies", "versions"]).lines().find(|l| l.contains("chengdu-cbec-2023") && l.starts_with("使用中")).unwrap().to_string()
    };
    assert!(in_use(&ws).contains("2025-06-01"));
    let said = ok(&ws, &["policies", "pin", "chengdu-cbec-2023", "2023-02-14"]);
    assert!(said.contains("已固定"), "{said}");
    let line = in_use(&ws);
    assert!(line.contains("版本 2023-02-14") && line.contains("已固定"), "{line}");
    let (code, _, err) = run(&ws, &["policies", "pin", "chengdu-cbec-2023", "1999-01-01"]);
    assert_eq!(code, 2);
    assert!(err.contains("policies versions"), "{err}");
    ok(&ws, &["policies", "unpin", "chengdu-cbec-2023"]);
    assert!(in_use(&ws).contains("2025-06-01"));
}

/// The catalogue: for a data year, the newest version whose term covers it.
/// A later Chengdu version (2026–2028) is used for 2026 only; 2024 is still
/// estimated with the built-in 2023–2025 text, and each result names its version.
#[test]
fn each_data_year_uses_the_newest_version_in_force_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let mut text = std::fs::read_to_string("policies/chengdu-cbec-2023.toml").unwrap();
    for (from, to) in
        [("year = 2026", "year = 2029"), ("year = 2025", "year = 2028"), ("year = 2024", "year = 2027"), ("year = 2023", "year = 2026")]
    {
        text = text.replace(from, to);
    }
    text = text
        .replace("version = \"2023-02-14\"", "version = \"2026-01-01\"")
        .replace("valid_from = \"2023-02-14\"", "valid_from = \"2026-01-01\"")
        .replace("valid_to = \"2025-12-31\"", "valid_to = \"2028-12-31\"");
    let file = dir.path().join("chengdu-2026.toml");
    std::fs::write(&file, &text).unwrap();
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    ok(&ws, &["policies", "import", s(&file), "--allow-unsigned"]);
    // Saved after the import: the record names the version that computed
    // 2024 (the built-in one, verified), and still reproduces.
    ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--save"]);
    let hist = ok(&ws, &["history", "--company", "1"]);
    assert!(hist.contains("chengdu-cbec-2023@2023-02-14") && !hist.contains("未验证"), "{hist}");
    ok(&ws, &["history", "--verify"]);
    let pack = |year: &str| {
        let out = ok(&ws, &["evaluate", "--profile", "samples/chengdu-sample.json", "--year", year, "--json"]);
        let v: Value = serde_json::from_str(&out).unwrap();
        v["packs"].as_array().unwrap().iter().find(|p| p["id"] == "chengdu-cbec-2023").unwrap().clone()
    };
    let (old, new) = (pack("2024"), pack("2026"));
    assert_eq!(
        (old["version"].as_str(), old["verified"].as_bool(), old["status"].as_str()),
        (Some("2023-02-14"), Some(true), Some("applies"))
    );
    assert_eq!(
        (new["version"].as_str(), new["verified"].as_bool(), new["status"].as_str()),
        (Some("2026-01-01"), Some(false), Some("applies"))
    );
    // 2029: no version covers it; the newest says its term has ended.
    let later = pack("2029");
    assert_eq!((later["version"].as_str(), later["status"].as_str()), (Some("2026-01-01"), Some("not_in_force")));
}

/// A city covered whole (Jiangsu's) has no list of districts: what is typed
/// must still be a district, and not another city's (椒江区 is 台州's).
#[test]
fn a_typed_district_is_checked_for_what_it_can_be() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let eval = |district: &str| {
        let f = dir.path().join("p.json");
        let p = serde_json::json!({"company": {"name": "泰州测试", "city": "泰州市", "district": district}, "year": 2025, "facts": {}});
        std::fs::write(&f, p.to_string()).unwrap();
        run(&ws, &["evaluate", "--profile", s(&f), "--json"])
    };
    let (code, out, _) = eval("海陵区");
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let status = |id: &str| v["packs"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["status"].clone();
    assert_eq!((status("jiangsu-cbec-2021"), status("taizhou-cbec-2025")), ("applies".into(), "other_city".into()));
    assert_eq!(v["packs"].as_array().unwrap().iter().find(|p| p["id"] == "jiangsu-cbec-2021").unwrap()["reference_only"], true);
    let (code, _, err) = eval("椒江区");
    assert_eq!(code, 2);
    assert!(err.contains("company.district") && err.contains("台州市"), "{err}");
    for bad in ["-", "=1+1", "泰州市", "\u{200b}海陵区"] {
        let (code, _, err) = eval(bad);
        assert_eq!(code, 2, "{bad}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// `history --verify` compares what a saved evaluation found (each clause's
/// status and amounts, the totals), not how it was worded: a sentence
/// worded differently today leaves it verified; a changed figure does not.
#[test]
fn history_verify_compares_figures_not_words() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    ok(&ws, &["evaluate", "--company", "1", "--year", "2024", "--save"]);
    let c = butie_store::rusqlite::Connection::open(&ws).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS evaluations_no_update;
         UPDATE evaluations SET result_json = replace(replace(result_json, '符合条件', '满足条件'), '需要补充', '尚需填写');",
    )
    .unwrap();
    let changed: String = c.query_row("SELECT result_json FROM evaluations", [], |r| r.get(0)).unwrap();
    assert!(changed.contains("满足条件"), "the wording really changed");
    drop(c);
    let out = ok(&ws, &["history", "--verify"]);
    assert!(out.contains("1 条按当时的政策包版本复算一致"), "{out}");
    // A figure changed in the typed record is found, and its clause named.
    let c = butie_store::rusqlite::Connection::open(&ws).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS evaluation_clauses_no_update;
         UPDATE evaluation_clauses SET amount = '1.00' WHERE clause = 'cd.trade.growth_tier';",
    )
    .unwrap();
    drop(c);
    let (code, out, err) = run(&ws, &["history", "--verify"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(format!("{out}{err}").contains("cd.trade.growth_tier"), "{out}{err}");
}

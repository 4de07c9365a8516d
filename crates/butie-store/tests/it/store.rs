//! The workspace on a real file on disk.

use butie_core::engine::evaluate;
use butie_core::profile::{Company, FactValue, Facts};
use butie_store::{CompanyKey, IoAction, NotWorkspaceWhy, StoreError, Table, Workspace};
use rust_decimal::Decimal;
use serde_json::json;
use std::path::Path;

fn packs() -> Vec<butie_core::Pack> {
    butie_core::bundled_packs().unwrap()
}

fn company(name: &str, uscc: Option<&str>) -> Company {
    Company {
        name: name.into(),
        uscc: uscc.map(Into::into),
        city: "台州市".into(),
        district: "椒江区".into(),
        serious_dishonesty_listed: Some(false),
        ..Company::default()
    }
}

/// Every row of every table, for before/after comparisons.
fn dump(path: &Path) -> String {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut out = String::new();
    for t in ["companies", "facts", "evaluations"] {
        let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY 1, 2")).unwrap();
        let n = st.column_count();
        let rows = st.query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))).unwrap();
        for r in rows {
            out.push_str(&format!("{t}: {}\n", r.unwrap()));
        }
    }
    out
}

#[test]
fn companies_facts_and_evaluations_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    let packs = packs();
    let (id, eid) = {
        let mut ws = Workspace::open_or_create(&path).unwrap();
        let id = ws.add_company(&company("海跃", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
        let mut f = Facts::new();
        f.insert("intl_trademark_fee".into(), FactValue::Num(Decimal::new(18600000, 2)));
        f.insert("provincial_famous_brand".into(), FactValue::Bool(true));
        ws.set_facts(id, 2025, &f).unwrap();
        let p = ws.profile(id, 2025, &packs).unwrap();
        let ev = evaluate(&packs, &p, 2025);
        assert_eq!(ev.total, Decimal::from(193_000));
        let eid = ws.save_evaluation(id, &p, &ev, &packs).unwrap();
        (id, eid)
    };
    let ws = Workspace::open(&path).unwrap();
    let c = ws.get_company(id).unwrap();
    assert_eq!(c.company.name, "海跃");
    assert_eq!(c.years, vec![2025]);
    assert_eq!(ws.find_company("91331002ma2a8k5l0y").unwrap(), id);
    let h = ws.history(id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].id, eid);
    assert_eq!(h[0].total, "193000.00");
    assert_eq!(h[0].packs[0]["id"], "taizhou-cbec-2025");
    assert_eq!(h[0].packs[0]["content_hash"].as_str().unwrap().len(), 64);
    assert_eq!(h[0].inputs["facts"]["intl_trademark_fee"], "186000.00");
    assert_eq!(h[0].result["total"], "193000.00");
    // Append-only: the database itself refuses to change a saved evaluation.
    let conn = ws.connection();
    assert!(conn.execute("UPDATE evaluations SET total = '1' WHERE id = ?1", [eid]).is_err());
    assert!(conn.execute("DELETE FROM evaluations WHERE id = ?1", [eid]).is_err());
    assert_eq!(ws.evaluation(eid).unwrap().total, "193000.00");
}

#[test]
fn duplicate_uscc_and_bad_company_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let packs = packs();
    let a = ws.add_company(&company("台州甲公司", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    match ws.add_company(&company("B", Some("91331002MA2A8K5L0Y")), &packs) {
        Err(e @ StoreError::UsccTaken { .. }) => {
            assert_eq!(e.field(), "company.uscc");
            let StoreError::UsccTaken { uscc, other_id, other_name } = e else { unreachable!() };
            assert_eq!((uscc.as_str(), other_id, other_name.as_str()), ("91331002MA2A8K5L0Y", a, "台州甲公司"));
        }
        other => panic!("{other:?}"),
    }
    match ws.add_company(&company("C", Some("91331002MA2A8K5L0X")), &packs) {
        Err(StoreError::Input(e)) => assert_eq!(e.field, "company.uscc"),
        other => panic!("{other:?}"),
    }
    // Editing another company to take the USCC: the same clash, naming the owner.
    let b = ws.add_company(&company("B", None), &packs).unwrap();
    match ws.update_company(b, &company("B", Some("91331002ma2a8k5l0y")), &packs) {
        Err(StoreError::UsccTaken { uscc, other_id, other_name }) => {
            assert_eq!((uscc.as_str(), other_id, other_name.as_str()), ("91331002MA2A8K5L0Y", a, "台州甲公司"))
        }
        other => panic!("{other:?}"),
    }
    // A company keeps its own USCC when edited.
    ws.update_company(a, &company("台州甲公司（改名）", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    ws.delete_company(b, false).unwrap();
    let mut bad = company("D", None);
    bad.district = "西湖区".into();
    assert!(matches!(ws.add_company(&bad, &packs), Err(StoreError::Input(_))));
    assert_eq!(ws.list_companies(None).unwrap().len(), 1);
}

#[test]
fn delete_archives_companies_with_saved_evaluations() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let packs = packs();
    let a = ws.add_company(&company("A", None), &packs).unwrap();
    let b = ws.add_company(&company("B", None), &packs).unwrap();
    let p = ws.profile(b, 2025, &packs).unwrap();
    let ev = evaluate(&packs, &p, 2025);
    ws.save_evaluation(b, &p, &ev, &packs).unwrap();
    assert!(!ws.delete_company(a, false).unwrap());
    match ws.delete_company(b, false) {
        Err(e @ StoreError::HasEvaluations { .. }) => {
            assert_eq!(e.field(), "");
            assert!(matches!(e, StoreError::HasEvaluations { id, count: 1 } if id == b), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ws.list_companies(None).unwrap().len(), 1, "refused: nothing changed");
    assert!(ws.delete_company(b, true).unwrap());
    assert!(ws.list_companies(None).unwrap().is_empty());
    // The archived company's evaluation is still there.
    assert_eq!(ws.history(b).unwrap().len(), 1);
}

#[test]
fn search_matches_name_uscc_and_district_literally() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let packs = packs();
    ws.add_company(&company("海跃跨境", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let mut c = company("黄岩贸易100%", None);
    c.district = "黄岩区".into();
    ws.add_company(&c, &packs).unwrap();
    assert_eq!(ws.list_companies(Some("海跃")).unwrap().len(), 1);
    assert_eq!(ws.list_companies(Some("MA2A8")).unwrap().len(), 1);
    assert_eq!(ws.list_companies(Some("黄岩区")).unwrap().len(), 1);
    assert_eq!(ws.list_companies(Some("%")).unwrap().len(), 1, "% is literal");
    assert_eq!(ws.list_companies(Some("无此企业")).unwrap().len(), 0);
}

#[test]
fn bad_imports_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    let packs = packs();
    let mut ws = Workspace::open_or_create(&path).unwrap();
    let id = ws.add_company(&company("A", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let mut f = Facts::new();
    f.insert("exhibition_cost".into(), FactValue::Num(Decimal::from(15800)));
    ws.set_facts(id, 2025, &f).unwrap();
    let before = dump(&path);
    let good = |name: &str, uscc: &str| json!({"company": {"name": name, "uscc": uscc, "city": "成都市", "district": "武侯区"}, "years": {"2024": {"cbec_volume": "1000"}}});
    let huge = "商".repeat(10_000);
    let cases = vec![
        (
            "wrong type",
            json!({"butie_workspace": 1, "companies": [good("B", "91510107MA6DG8HL5P"), {"company": {"name": 5, "city": "成都市", "district": "武侯区"}, "years": {}}]}),
        ),
        ("unknown key", json!({"butie_workspace": 1, "companies": [good("B", "91510107MA6DG8HL5P")], "extra": 1})),
        ("unknown fact", json!({"company": {"name": "B", "city": "成都市", "district": "武侯区"}, "years": {"2024": {"cbec_volum": "1"}}})),
        (
            "duplicate in file",
            json!({"butie_workspace": 1, "companies": [good("B", "91510107MA6DG8HL5P"), good("C", "91510107MA6DG8HL5P")]}),
        ),
        (
            "duplicate in workspace",
            json!({"butie_workspace": 1, "companies": [good("B", "91510107MA6DG8HL5P"), good("C", "91331002MA2A8K5L0Y")]}),
        ),
        ("huge string", json!({"company": {"name": huge, "city": "成都市", "district": "武侯区"}, "year": 2024, "facts": {}})),
        (
            "negative money",
            json!({"company": {"name": "B", "city": "成都市", "district": "武侯区"}, "year": 2024, "facts": {"cbec_volume": "-1"}}),
        ),
        ("bad year", json!({"company": {"name": "B", "city": "成都市", "district": "武侯区"}, "years": {"20x4": {}}})),
    ];
    for (what, v) in cases {
        let e = ws.import(&v, &packs, false).expect_err(what);
        match (what, &e) {
            ("duplicate in file", StoreError::DuplicateUsccInImport { uscc }) => assert_eq!(uscc, "91510107MA6DG8HL5P"),
            ("duplicate in workspace", StoreError::ImportUsccTaken { uscc, other_id, other_name }) => {
                assert_eq!((uscc.as_str(), *other_id, other_name.as_str()), ("91331002MA2A8K5L0Y", id, "A"))
            }
            ("duplicate in file" | "duplicate in workspace", _) => panic!("{what}: {e:?}"),
            (_, StoreError::Input(ie)) => assert!(!ie.field.is_empty(), "{what}: {e:?}"),
            _ => panic!("{what}: {e:?}"),
        }
        assert!(!e.to_string().is_empty() && !e.to_string().contains('\n'), "{what}: {e}");
        assert_eq!(dump(&path), before, "{what} changed the workspace");
    }
    // Truncated JSON never reaches the store: it fails to parse.
    assert!(serde_json::from_str::<serde_json::Value>(r#"{"butie_workspace": 1, "companies": [{"comp"#).is_err());
}

#[test]
fn export_import_round_trip_and_replace() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let mut a = Workspace::open_or_create(&dir.path().join("a.sqlite")).unwrap();
    let id = a.add_company(&company("A", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let mut f = Facts::new();
    f.insert(
        "training_sessions".into(),
        FactValue::List(vec![[("participants".to_string(), Decimal::from(150)), ("cost".to_string(), Decimal::from(80000))].into()]),
    );
    a.set_facts(id, 2025, &f).unwrap();
    a.set_facts(id, 2026, &Facts::new()).unwrap();
    let export = a.export_all(&packs).unwrap();
    let mut b = Workspace::open_or_create(&dir.path().join("b.sqlite")).unwrap();
    let ids = b.import(&export, &packs, false).unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(b.facts(ids[0], 2025, &packs).unwrap().0, f);
    // Importing again clashes on the USCC unless --replace.
    assert!(matches!(b.import(&export, &packs, false), Err(StoreError::ImportUsccTaken { other_id, .. }) if other_id == ids[0]));
    // --replace overwrites the fields of the company with that USCC, never its USCC.
    let mut renamed = export.clone();
    renamed["companies"][0]["company"]["name"] = json!("A2");
    assert_eq!(b.import(&renamed, &packs, true).unwrap(), ids);
    let c = b.get_company(ids[0]).unwrap().company;
    assert_eq!((c.name.as_str(), c.uscc.as_deref()), ("A2", Some("91331002MA2A8K5L0Y")));
    assert_eq!(b.list_companies(None).unwrap().len(), 1);
    // A plain catalogue profile imports as one company-year.
    let profile: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("../../samples/chengdu-sample.json").unwrap()).unwrap();
    let ids = b.import(&profile, &packs, false).unwrap();
    assert_eq!(b.get_company(ids[0]).unwrap().years, vec![2024]);
}

/// Company names of the file at `path`, read without changing anything beside
/// it (SQLite is told the file is immutable: no `-wal` or `-shm` is made).
fn names_in(path: &Path) -> Vec<String> {
    let uri = format!("file:{}?immutable=1", path.display());
    let c = rusqlite::Connection::open_with_flags(uri, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI)
        .unwrap();
    let mut st = c.prepare("SELECT name FROM companies ORDER BY name").unwrap();
    let v = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    v
}

fn names(ws: &Workspace) -> Vec<String> {
    let mut v: Vec<String> = ws.list_companies(None).unwrap().into_iter().map(|c| c.name).collect();
    v.sort();
    v
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn application_id(path: &Path) -> i32 {
    let uri = format!("file:{}?immutable=1", path.display());
    rusqlite::Connection::open_with_flags(uri, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI)
        .unwrap()
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    let packs = packs();
    let mut ws = Workspace::open_or_create(&path).unwrap();
    ws.add_company(&company("A", None), &packs).unwrap();
    let bak = dir.path().join("backup.sqlite");
    ws.backup(&bak).unwrap();
    assert!(matches!(ws.backup(&bak), Err(StoreError::BackupExists { path }) if path == bak), "never overwrites");
    assert_eq!(application_id(&bak), butie_store::APPLICATION_ID);
    ws.add_company(&company("B", None), &packs).unwrap();
    // Restored while this connection is open: it reads the restored data.
    let safety = Workspace::restore(&path, &bak).unwrap().expect("a safety copy");
    assert_eq!(names(&ws), ["A"]);
    assert_eq!(names(&Workspace::open(&path).unwrap()), ["A"]);
    // What the workspace held (A and B) is kept beside it under a new name.
    assert_eq!(safety.parent(), Some(dir.path()));
    let name = safety.file_name().unwrap().to_str().unwrap().to_string();
    let stamp = name.strip_prefix("ws.before-restore-").and_then(|n| n.strip_suffix(".sqlite")).unwrap_or_else(|| panic!("{name}"));
    assert!(stamp.len() == 15 && stamp.chars().enumerate().all(|(i, c)| if i == 8 { c == '-' } else { c.is_ascii_digit() }), "{name}");
    butie_store::check_workspace_file(&safety).unwrap();
    assert_eq!(names_in(&safety), ["A", "B"]);
    // Another restore keeps another copy; the first one is left as it was.
    let first = std::fs::read(&safety).unwrap();
    ws.add_company(&company("C", None), &packs).unwrap();
    let safety2 = Workspace::restore(&path, &bak).unwrap().unwrap();
    assert_ne!(safety2, safety);
    assert_eq!(std::fs::read(&safety).unwrap(), first);
    assert_eq!(names_in(&safety2), ["A", "C"]);
    assert_eq!(names(&ws), ["A"]);
    // The connection still writes, and a fresh one sees it.
    ws.add_company(&company("D", None), &packs).unwrap();
    assert_eq!(names(&Workspace::open(&path).unwrap()), ["A", "D"]);
    drop(ws);
    // No temporary file, no .bak: the workspace, the backup and the two copies.
    let mut expected =
        vec!["backup.sqlite".to_string(), "ws.sqlite".to_string(), name, safety2.file_name().unwrap().to_string_lossy().into()];
    expected.sort();
    assert_eq!(listing(dir.path()), expected);
    // Not a workspace: refused, nothing replaced.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database at all").unwrap();
    assert!(matches!(
        Workspace::restore(&path, &junk),
        Err(StoreError::NotAWorkspace { path: p, why: NotWorkspaceWhy::Unreadable(_) }) if p == junk
    ));
    let missing = dir.path().join("missing.sqlite");
    assert!(matches!(Workspace::restore(&path, &missing), Err(StoreError::FileNotFound { path: p }) if p == missing));
    assert_eq!(Workspace::open(&path).unwrap().list_companies(None).unwrap().len(), 2);
}

#[test]
fn restore_into_a_missing_workspace_creates_it_and_over_a_file_that_is_not_one_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let src = dir.path().join("src.sqlite");
    Workspace::open_or_create(&src).unwrap().add_company(&company("A", None), &packs).unwrap();
    let bak = dir.path().join("bak.sqlite");
    Workspace::open(&src).unwrap().backup(&bak).unwrap();
    // No workspace yet (a new computer): it is made from the backup, no safety copy.
    let target = dir.path().join("new").join("ws.sqlite");
    assert_eq!(Workspace::restore(&target, &bak).unwrap(), None);
    assert_eq!(names(&Workspace::open(&target).unwrap()), ["A"]);
    assert_eq!(listing(target.parent().unwrap()), ["ws.sqlite"]);
    // A file that is not a workspace at the target is never overwritten.
    let notes = dir.path().join("notes.sqlite");
    std::fs::write(&notes, "meeting notes, not a workspace").unwrap();
    assert!(matches!(Workspace::restore(&notes, &bak), Err(StoreError::NotAWorkspace { path, .. }) if path == notes));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "meeting notes, not a workspace");
}

#[test]
fn an_old_backup_is_restored_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let path = dir.path().join("ws.sqlite");
    let mut ws = Workspace::open_or_create(&path).unwrap();
    ws.add_company(&company("今天的", None), &packs).unwrap();
    let old = dir.path().join("old-backup.sqlite");
    std::fs::copy("tests/fixtures/workspace-v1.sqlite", &old).unwrap();
    let fixture = std::fs::read(&old).unwrap();
    let safety = Workspace::restore(&path, &old).unwrap().unwrap();
    assert_eq!(std::fs::read(&old).unwrap(), fixture, "the backup itself is only read");
    assert_eq!(names_in(&safety), ["今天的"]);
    let list = names(&ws);
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|n| n.contains("海跃")));
    let v: i64 = ws.connection().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, butie_store::LATEST_VERSION);
    drop(ws);
    assert_eq!(application_id(&path), butie_store::APPLICATION_ID);
    // Written by the migrations: the restored evaluations are append-only too.
    assert!(Workspace::open(&path).unwrap().connection().execute("DELETE FROM evaluations", []).is_err());
}

/// A copy of `good` changed by `sql` (run with foreign keys off and the
/// append-only triggers in force).
fn spoiled(dir: &Path, good: &Path, name: &str, sql: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::copy(good, &p).unwrap();
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    c.execute_batch(sql).unwrap();
    c.execute_batch("PRAGMA journal_mode = DELETE").unwrap();
    p
}

#[test]
fn restore_checks_the_whole_backup_first_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let live_dir = dir.path().join("live");
    let bad_dir = dir.path().join("bad");
    std::fs::create_dir_all(&bad_dir).unwrap();
    let packs = packs();
    let path = live_dir.join("ws.sqlite");
    let id = {
        let mut ws = Workspace::open_or_create(&path).unwrap();
        let id = ws.add_company(&company("A", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
        let mut f = Facts::new();
        f.insert("exhibition_cost".into(), FactValue::Num(Decimal::from(15800)));
        ws.set_facts(id, 2025, &f).unwrap();
        let p = ws.profile(id, 2025, &packs).unwrap();
        ws.save_evaluation(id, &p, &evaluate(&packs, &p, 2025), &packs).unwrap();
        id
    };
    let good = bad_dir.join("good.sqlite");
    Workspace::open(&path).unwrap().backup(&good).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let files = listing(&live_dir);
    let spoil = |name: &str, sql: &str| spoiled(&bad_dir, &good, name, sql);
    let eval_insert = "INSERT INTO evaluations (company_id, year, created_at, inputs_json, packs_json, result_json, total, total_max, lang, tool_version)";
    type Expect = Box<dyn Fn(&StoreError) -> bool>;
    let cases: Vec<(std::path::PathBuf, Expect)> = vec![
        (
            spoil("name.sqlite", &format!("UPDATE companies SET name = x'ff00' WHERE id = {id}")),
            Box::new(
                move |e| matches!(e, StoreError::BackupDamaged { table: Table::Companies, rowid, column: "name", .. } if *rowid == id),
            ),
        ),
        (
            spoil("listed.sqlite", "UPDATE companies SET serious_dishonesty_listed = 'maybe'"),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Companies, column: "serious_dishonesty_listed", .. })),
        ),
        (
            spoil("fact.sqlite", "UPDATE facts SET value_json = '{not json'"),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Facts, column: "value_json", .. })),
        ),
        (
            spoil("year.sqlite", "UPDATE facts SET year = 99999999999"),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Facts, column: "year", .. })),
        ),
        (
            spoil("result.sqlite", &format!("{eval_insert} VALUES ({id}, 2025, 't', '{{}}', '[]', '{{\"total\": ', '0', '0', 'zh', '')")),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Evaluations, rowid: 2, column: "result_json", .. })),
        ),
        (
            spoil("inputs.sqlite", &format!("{eval_insert} VALUES ({id}, 2025, 't', x'00', '[]', '{{}}', '0', '0', 'zh', '')")),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Evaluations, column: "inputs_json", .. })),
        ),
        (
            spoil("orphan.sqlite", "INSERT INTO facts VALUES (999, 2025, 'exhibition_cost', '\"1\"', 't')"),
            Box::new(
                |e| matches!(e, StoreError::NotAWorkspace { why: NotWorkspaceWhy::Damaged { report }, .. } if report.starts_with("foreign key")),
            ),
        ),
        (
            spoil("escape.sqlite", "UPDATE companies SET name = 'A' || char(27) || ']0;pwned' || char(7)"),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Companies, column: "name", .. })),
        ),
        (
            spoil("long.sqlite", &format!("UPDATE companies SET contact = '{}'", "长".repeat(201))),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Companies, column: "contact", .. })),
        ),
        (
            spoil("negyear.sqlite", "UPDATE facts SET year = -5"),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Facts, column: "year", .. })),
        ),
        (
            spoil("hash.sqlite", &format!("{eval_insert} VALUES ({id}, 2025, 't', '{{}}', '[{{\"id\": \"x\", \"content_hash\": \"哈希哈希\"}}]', '{{}}', '0', '0', 'zh', '')")),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Evaluations, column: "packs_json", .. })),
        ),
        (
            spoil("total.sqlite", &format!("{eval_insert} VALUES ({id}, 2025, 't', '{{}}', '[]', '{{}}', '一百万', '0', 'zh', '')")),
            Box::new(|e| matches!(e, StoreError::BackupDamaged { table: Table::Evaluations, column: "total", .. })),
        ),
        (spoil("newer.sqlite", "PRAGMA user_version = 99"), Box::new(|e| matches!(e, StoreError::NewerVersion { found: 99, .. }))),
        (
            spoil("tables.sqlite", "DROP TABLE facts"),
            Box::new(|e| matches!(e, StoreError::NotAWorkspace { why: NotWorkspaceWhy::MissingTables, .. })),
        ),
        (
            spoil("other.sqlite", "PRAGMA application_id = 1234"),
            Box::new(|e| matches!(e, StoreError::NotAWorkspace { why: NotWorkspaceWhy::OtherApplication { application_id: 1234 }, .. })),
        ),
    ];
    // Damage SQLite's integrity check finds: the last page overwritten.
    let torn = bad_dir.join("torn.sqlite");
    {
        let mut w = Workspace::open_or_create(&bad_dir.join("big.sqlite")).unwrap();
        for i in 0..200 {
            w.add_company(&company(&format!("大{i:04}"), None), &packs).unwrap();
        }
        w.backup(&torn).unwrap();
        let mut b = std::fs::read(&torn).unwrap();
        let n = b.len();
        for x in &mut b[n - 4096 + 8..n - 100] {
            *x = 0xA5;
        }
        std::fs::write(&torn, b).unwrap();
    }
    let mut cases = cases;
    cases.push((
        torn,
        Box::new(|e| {
            matches!(e, StoreError::NotAWorkspace { why: NotWorkspaceWhy::Damaged { .. }, .. })
                || matches!(e, StoreError::NotAWorkspace { why: NotWorkspaceWhy::Unreadable(_), .. })
        }),
    ));
    for (bad, expected) in &cases {
        let before = std::fs::read(bad).unwrap();
        match Workspace::restore(&path, bad) {
            Err(e) => {
                assert!(expected(&e), "{}: {e:?}", bad.display());
                match &e {
                    StoreError::BackupDamaged { path: p, .. }
                    | StoreError::NotAWorkspace { path: p, .. }
                    | StoreError::NewerVersion { path: p, .. } => {
                        assert_eq!(p, bad, "names the backup")
                    }
                    _ => {}
                }
                assert_eq!(e.field(), "");
            }
            Ok(_) => panic!("{} restored", bad.display()),
        }
        assert!(butie_store::check_workspace_file(bad).is_err());
        assert_eq!(std::fs::read(bad).unwrap(), before, "{}: the backup is only read", bad.display());
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{}: the workspace was touched", bad.display());
        assert_eq!(listing(&live_dir), files, "{}: a file was left beside the workspace", bad.display());
    }
    // The good one restores.
    butie_store::check_workspace_file(&good).unwrap();
    assert!(Workspace::restore(&path, &good).unwrap().is_some());
}

#[test]
fn open_needs_a_workspace_and_open_or_create_makes_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("folder").join("ws.sqlite");
    match Workspace::open(&path) {
        Err(e @ StoreError::WorkspaceMissing { .. }) => {
            assert_eq!(e.field(), "");
            assert!(matches!(e, StoreError::WorkspaceMissing { path: p } if p == path));
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    assert!(!dir.path().join("sub").exists(), "open creates nothing, not even the folder");
    let ws = Workspace::open_or_create(&path).unwrap();
    assert!(!ws.is_read_only());
    let c = ws.connection();
    let id: i32 = c.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(id, butie_store::APPLICATION_ID);
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, butie_store::LATEST_VERSION);
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(ws);
    assert_eq!(listing(path.parent().unwrap()), ["ws.sqlite"], "no temporary file left");
    assert!(Workspace::open(&path).unwrap().list_companies(None).unwrap().is_empty());
    // An existing workspace is opened, not made again.
    let packs = packs();
    Workspace::open(&path).unwrap().add_company(&company("A", None), &packs).unwrap();
    assert_eq!(names(&Workspace::open_or_create(&path).unwrap()), ["A"]);
}

#[test]
fn files_that_are_not_workspaces_are_refused_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = d.join("text.sqlite");
    std::fs::write(&text, "a page of notes that happens to be called .sqlite, long enough to have a header's worth of bytes in it ....")
        .unwrap();
    let small = d.join("small.sqlite");
    std::fs::write(&small, "hi").unwrap();
    let empty = d.join("empty.sqlite");
    std::fs::write(&empty, "").unwrap();
    let make = |name: &str, sql: &str| {
        let p = d.join(name);
        let c = rusqlite::Connection::open(&p).unwrap();
        c.execute_batch(sql).unwrap();
        drop(c);
        p
    };
    let other_id =
        make("other-id.sqlite", "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x'); PRAGMA application_id = 305419896;");
    let other_wal = make(
        "other-wal.sqlite",
        "PRAGMA journal_mode = WAL; CREATE TABLE songs (t TEXT); INSERT INTO songs VALUES ('x'); PRAGMA application_id = 287454020;",
    );
    let plain = make("plain.sqlite", "CREATE TABLE notes (t TEXT);");
    let plain_wal = make("plain-wal.sqlite", "PRAGMA journal_mode = WAL; CREATE TABLE notes (t TEXT); PRAGMA user_version = 7;");
    type Expect<'a> = &'a dyn Fn(&NotWorkspaceWhy) -> bool;
    let cases: Vec<(&Path, Expect)> = vec![
        (&text, &|w| matches!(w, NotWorkspaceWhy::Unreadable(_))),
        (&small, &|w| matches!(w, NotWorkspaceWhy::Unreadable(_))),
        (&empty, &|w| matches!(w, NotWorkspaceWhy::Empty)),
        (&other_id, &|w| matches!(w, NotWorkspaceWhy::OtherApplication { application_id: 0x1234_5678 })),
        (&other_wal, &|w| matches!(w, NotWorkspaceWhy::OtherApplication { application_id: 0x1122_3344 })),
        (&plain, &|w| matches!(w, NotWorkspaceWhy::UnknownVersion { found: 0 })),
        (&plain_wal, &|w| matches!(w, NotWorkspaceWhy::MissingTables)),
    ];
    let packs = packs();
    let live = d.join("live").join("ws.sqlite");
    Workspace::open_or_create(&live).unwrap().add_company(&company("A", None), &packs).unwrap();
    let before = listing(d);
    for (p, why) in &cases {
        let bytes = std::fs::read(p).unwrap();
        let results = [
            Workspace::open(p).map(|_| ()),
            Workspace::open_or_create(p).map(|_| ()),
            butie_store::check_workspace_file(p),
            Workspace::restore(&live, p).map(|_| ()),
            Workspace::restore(p, &live).map(|_| ()),
        ];
        for r in results {
            match r {
                Err(StoreError::NotAWorkspace { path, why: w }) => {
                    assert_eq!(&path, p);
                    assert!(why(&w), "{}: {w:?}", p.display());
                }
                other => panic!("{}: {other:?}", p.display()),
            }
        }
        assert_eq!(std::fs::read(p).unwrap(), bytes, "{} changed", p.display());
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            assert!(!Path::new(&s).exists(), "{} left beside {}", suffix, p.display());
        }
    }
    assert_eq!(listing(d), before, "nothing created beside them");
    assert_eq!(names(&Workspace::open(&live).unwrap()), ["A"]);
}

#[test]
fn workspaces_carry_the_application_id_and_old_ones_get_it_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    // Version 2, from before the id: recognised by its version and tables.
    let v2 = dir.path().join("v2.sqlite");
    {
        let c = rusqlite::Connection::open(&v2).unwrap();
        butie_store::migrate_to(&c, 2).unwrap();
        c.execute_batch(
            "INSERT INTO companies (name, city, district, created_at, updated_at) VALUES ('旧', '台州市', '椒江区', 't', 't');",
        )
        .unwrap();
    }
    assert_eq!(application_id(&v2), 0);
    let ws = Workspace::open(&v2).unwrap();
    assert_eq!(names(&ws), ["旧"]);
    drop(ws);
    assert_eq!(application_id(&v2), butie_store::APPLICATION_ID);
    // Version 1 (the fixture): the same.
    let v1 = dir.path().join("v1.sqlite");
    std::fs::copy("tests/fixtures/workspace-v1.sqlite", &v1).unwrap();
    assert_eq!(application_id(&v1), 0);
    drop(Workspace::open(&v1).unwrap());
    assert_eq!(application_id(&v1), butie_store::APPLICATION_ID);
}

#[test]
fn backup_is_written_beside_and_placed_never_over_anything() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let packs = packs();
    let ws = Workspace::open_or_create(&d.join("ws.sqlite")).unwrap();
    // A file already there.
    let there = d.join("there.sqlite");
    std::fs::write(&there, "keep").unwrap();
    assert!(matches!(ws.backup(&there), Err(StoreError::BackupExists { path }) if path == there));
    assert_eq!(std::fs::read_to_string(&there).unwrap(), "keep");
    // A folder where the backup would go.
    assert!(matches!(ws.backup(d), Err(StoreError::BackupExists { .. })));
    // A folder that does not exist.
    match ws.backup(&d.join("no-such-folder").join("b.sqlite")) {
        Err(StoreError::Io { action: IoAction::CreateTemp, .. }) => {}
        other => panic!("{other:?}"),
    }
    #[cfg(unix)]
    {
        // A symbolic link: refused, not followed, left a link.
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let link = d.join("link.sqlite");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(matches!(ws.backup(&link), Err(StoreError::BackupExists { path }) if path == link));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        // A dangling one: refused too, and its target is not created.
        let dangling = d.join("dangling.sqlite");
        let nowhere = d.join("nowhere.sqlite");
        std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
        assert!(matches!(ws.backup(&dangling), Err(StoreError::BackupExists { .. })));
        assert!(!nowhere.exists());
    }
    let mut ws = ws;
    ws.add_company(&company("A", None), &packs).unwrap();
    let bak = d.join("backup.sqlite");
    let before = listing(d);
    ws.backup(&bak).unwrap();
    assert_eq!(application_id(&bak), butie_store::APPLICATION_ID);
    butie_store::check_workspace_file(&bak).unwrap();
    assert_eq!(names_in(&bak), ["A"]);
    let mut after = before.clone();
    after.push("backup.sqlite".into());
    after.sort();
    assert_eq!(listing(d), after, "only the backup is new: no temporary file left");
}

#[test]
fn a_full_disk_says_so_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    let packs = packs();
    let mut ws = Workspace::open_or_create(&path).unwrap();
    ws.add_company(&company("A", None), &packs).unwrap();
    let before = dump(&path);
    // SQLite's page limit stands in for the disk: past it, SQLITE_FULL.
    let pages: i64 = ws.connection().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    ws.connection().execute_batch(&format!("PRAGMA max_page_count = {pages}")).unwrap();
    let long = "跨".repeat(150);
    let many: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"company": {"name": format!("{long}{i}"), "city": "成都市", "district": "武侯区"}, "years": {"2024": {"cbec_volume": "1"}}}))
        .collect();
    match ws.import(&json!({"butie_workspace": 1, "companies": many}), &packs, false) {
        Err(e @ StoreError::DiskFull { .. }) => {
            assert_eq!(e.field(), "");
            assert!(matches!(e, StoreError::DiskFull { path: p } if p == path));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(dump(&path), before, "all or nothing");
    ws.connection().execute_batch("PRAGMA max_page_count = 1073741823").unwrap();
    ws.add_company(&company("B", None), &packs).unwrap();
}

/// Real permissions: a file chmod 0444 in a folder chmod 0555. Root may write
/// there anyway, so as root this test only says it was skipped (the
/// read-only fallback is then covered by the simulated tests in src/lib.rs).
#[cfg(unix)]
#[test]
fn read_only_files_open_for_reading() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ro");
    let path = folder.join("ws.sqlite");
    let packs = packs();
    Workspace::open_or_create(&path).unwrap().add_company(&company("A", None), &packs).unwrap();
    let set = |p: &Path, mode: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    set(&path, 0o444);
    set(&folder, 0o555);
    let writable = std::fs::OpenOptions::new().write(true).open(&path).is_ok();
    let result = std::panic::catch_unwind(|| {
        if writable {
            eprintln!("read_only_files_open_for_reading: skipped (running as root: permissions do not stop writes)");
            return;
        }
        let bytes = std::fs::read(&path).unwrap();
        let mut ws = Workspace::open(&path).unwrap();
        assert!(ws.is_read_only());
        assert_eq!(names(&ws), ["A"]);
        assert!(matches!(ws.add_company(&company("B", None), &packs), Err(StoreError::ReadOnly { path: p }) if p == path));
        let out = dir.path().join("copy.sqlite");
        ws.backup(&out).unwrap();
        assert_eq!(names_in(&out), ["A"]);
        drop(ws);
        assert_eq!(names(&Workspace::open_or_create(&path).unwrap()), ["A"]);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert_eq!(listing(&folder), ["ws.sqlite"]);
    });
    set(&folder, 0o755);
    set(&path, 0o644);
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
}

#[test]
fn a_first_schema_workspace_opens_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    std::fs::copy("tests/fixtures/workspace-v1.sqlite", &path).unwrap();
    let before: i64 = rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(before, 1);
    let packs = packs();
    let ws = Workspace::open(&path).unwrap();
    let v: i64 = ws.connection().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, butie_store::LATEST_VERSION);
    let list = ws.list_companies(None).unwrap();
    assert_eq!(list.len(), 2);
    let hy = list.iter().find(|c| c.name.contains("海跃")).unwrap();
    assert_eq!(hy.uscc.as_deref(), Some("91331002MA2A8K5L0Y"));
    assert_eq!(hy.years, vec![2025, 2026]);
    let (facts, unknown) = ws.facts(hy.id, 2025, &packs).unwrap();
    assert!(unknown.is_empty());
    assert_eq!(facts["intl_trademark_fee"], FactValue::Num(Decimal::new(18600000, 2)));
    let h = ws.history(hy.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].total, "93000.00");
    assert_eq!(h[0].lang, "zh");
    assert!(ws.connection().execute("DELETE FROM evaluations", []).is_err(), "v2 trigger in force");
    let id: i32 = ws.connection().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(id, butie_store::APPLICATION_ID, "v3: stamped as a workspace");
}

/// Makes the v1 fixture. Run once by hand: `cargo test -p butie-store -- --ignored make_v1_fixture`.
#[test]
#[ignore]
fn make_v1_fixture() {
    let path = Path::new("tests/fixtures/workspace-v1.sqlite");
    let _ = std::fs::remove_file(path);
    let c = rusqlite::Connection::open(path).unwrap();
    butie_store::migrate_to(&c, 1).unwrap();
    c.execute_batch(
        "INSERT INTO companies VALUES (1, '台州市椒江海跃跨境电子商务有限公司', '91331002MA2A8K5L0Y', '台州市', '椒江区', 0, '王海跃', NULL, NULL, NULL, NULL, '2025-03-01T08:00:00.000Z', '2025-03-01T08:00:00.000Z');
         INSERT INTO companies VALUES (2, '成都蓉欧优品跨境电子商务有限公司', NULL, '成都市', '武侯区', NULL, NULL, NULL, NULL, NULL, NULL, '2025-03-02T08:00:00.000Z', '2025-03-02T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2025, 'intl_trademark_fee', '\"186000.00\"', '2025-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2025, 'provincial_famous_brand', 'false', '2025-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2026, 'exhibition_cost', '\"15800\"', '2026-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (2, 2024, 'cbec_volume', '\"236500000.00\"', '2025-03-02T08:00:00.000Z');
         INSERT INTO evaluations VALUES (1, 1, 2025, '2025-03-01T09:00:00.000Z', '{}', '[{\"id\":\"taizhou-cbec-2025\"}]', '{\"total\":\"93000.00\"}', '93000.00', '93000.00');",
    )
    .unwrap();
    c.execute_batch("PRAGMA journal_mode = DELETE; VACUUM;").unwrap();
}

#[test]
fn missing_companies_and_evaluations_are_named_by_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let packs = packs();
    let a = ws.add_company(&company("A", None), &packs).unwrap();
    let missing = a + 41;
    for r in
        [ws.find_company(&missing.to_string()).map(|_| ()), ws.get_company(missing).map(|_| ()), ws.set_facts(missing, 2025, &Facts::new())]
    {
        match r {
            Err(e @ StoreError::CompanyNotFound { .. }) => {
                assert_eq!(e.field(), "");
                assert!(matches!(e, StoreError::CompanyNotFound { key: CompanyKey::Id(n) } if n == missing), "{e:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    match ws.find_company(" 91331002ma2a8k5l0y ") {
        Err(StoreError::CompanyNotFound { key: CompanyKey::Uscc(k) }) => assert_eq!(k, "91331002ma2a8k5l0y"),
        other => panic!("{other:?}"),
    }
    // Archived companies are not found either.
    let p = ws.profile(a, 2025, &packs).unwrap();
    ws.save_evaluation(a, &p, &evaluate(&packs, &p, 2025), &packs).unwrap();
    ws.delete_company(a, true).unwrap();
    assert!(matches!(ws.find_company(&a.to_string()), Err(StoreError::CompanyNotFound { key: CompanyKey::Id(n) }) if n == a));
    assert!(matches!(ws.evaluation(999), Err(StoreError::EvaluationNotFound { id: 999 })));
}

#[test]
fn files_that_are_not_workspaces_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    // Not SQLite at all: refused when opened, and left as it was.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database at all, just some text that is long enough").unwrap();
    match Workspace::open(&junk) {
        Err(e @ StoreError::NotAWorkspace { why: NotWorkspaceWhy::Unreadable(_), .. }) => {
            assert_eq!(e.field(), "");
            assert!(std::error::Error::source(&e).is_some(), "keeps SQLite's error");
            assert!(matches!(e, StoreError::NotAWorkspace { path, .. } if path == junk));
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    assert_eq!(std::fs::read(&junk).unwrap(), b"not a database at all, just some text that is long enough");
    // SQLite, but never a Butie workspace.
    let other = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); PRAGMA user_version = 0;").unwrap();
    assert!(matches!(
        butie_store::check_workspace_file(&other),
        Err(StoreError::NotAWorkspace { why: NotWorkspaceWhy::UnknownVersion { found: 0 }, .. })
    ));
    rusqlite::Connection::open(&other).unwrap().execute_batch("PRAGMA user_version = 1;").unwrap();
    assert!(matches!(
        butie_store::check_workspace_file(&other),
        Err(StoreError::NotAWorkspace { why: NotWorkspaceWhy::MissingTables, .. })
    ));
    // Written by a newer Butie: refused by open and by restore, and not touched.
    let newer = dir.path().join("newer.sqlite");
    drop(Workspace::open_or_create(&newer).unwrap());
    rusqlite::Connection::open(&newer).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let supported = butie_store::LATEST_VERSION;
    match Workspace::open(&newer) {
        Err(StoreError::NewerVersion { path, found: 99, supported: s }) => assert_eq!((path, s), (newer.clone(), supported)),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    assert!(matches!(butie_store::check_workspace_file(&newer), Err(StoreError::NewerVersion { found: 99, .. })));
    // A folder or a named pipe where the workspace file should be: said so
    // before SQLite touches it (a FIFO would block forever).
    let folder = dir.path().join("folder.sqlite");
    std::fs::create_dir(&folder).unwrap();
    match Workspace::open(&folder) {
        Err(StoreError::NotAWorkspace { path, why: NotWorkspaceWhy::NotAFile { kind: butie_store::FileKind::Folder } }) => {
            assert_eq!(path, folder)
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    let fifo = dir.path().join("fifo.sqlite");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    assert!(matches!(
        Workspace::open(&fifo),
        Err(StoreError::NotAWorkspace { why: NotWorkspaceWhy::NotAFile { kind: butie_store::FileKind::Fifo }, .. })
    ));
    // A file where the workspace's folder should be.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    match Workspace::open_or_create(&file.join("ws.sqlite")) {
        Err(e @ StoreError::Io { action: IoAction::CreateDir, .. }) => {
            assert!(std::error::Error::source(&e).is_some());
            assert!(matches!(e, StoreError::Io { path, .. } if path == file));
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
}

#[test]
fn a_damaged_stored_fact_is_reported_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let packs = packs();
    let id = ws.add_company(&company("A", None), &packs).unwrap();
    ws.connection()
        .execute("INSERT INTO facts VALUES (?1, 2025, 'exhibition_cost', '{not json', '2025-01-01T00:00:00.000Z')", [id])
        .unwrap();
    match ws.facts(id, 2025, &packs) {
        Err(StoreError::CorruptFact { company_id, year: 2025, key, .. }) => assert_eq!((company_id, key.as_str()), (id, "exhibition_cost")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_backup_with_another_page_size_restores() {
    // A workspace made elsewhere with 8 KiB pages, restored over one with
    // 4 KiB pages (the backup API cannot copy between the two into a WAL file).
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let big = dir.path().join("8k.sqlite");
    {
        let c = rusqlite::Connection::open(&big).unwrap();
        c.execute_batch("PRAGMA page_size = 8192;").unwrap();
        butie_store::migrate(&c).unwrap();
        c.execute_batch(
            "INSERT INTO companies (name, city, district, created_at, updated_at) VALUES ('八K', '台州市', '椒江区', 't', 't');",
        )
        .unwrap();
        assert_eq!(c.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap(), 8192);
    }
    let path = dir.path().join("ws.sqlite");
    let mut ws = Workspace::open_or_create(&path).unwrap();
    ws.add_company(&company("四K", None), &packs).unwrap();
    let safety = Workspace::restore(&path, &big).unwrap().unwrap();
    assert_eq!(names(&ws), ["八K"]);
    assert_eq!(names_in(&safety), ["四K"]);
    ws.add_company(&company("又一", None), &packs).unwrap();
}

#[test]
fn restore_checked_refuses_a_fact_of_the_wrong_type() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let path = dir.path().join("ws.sqlite");
    {
        let mut ws = Workspace::open_or_create(&path).unwrap();
        let id = ws.add_company(&company("A", None), &packs).unwrap();
        let mut f = Facts::new();
        f.insert("exhibition_cost".into(), FactValue::Num(Decimal::from(15800)));
        ws.set_facts(id, 2025, &f).unwrap();
    }
    let bk = dir.path().join("bk.sqlite");
    Workspace::open(&path).unwrap().backup(&bk).unwrap();
    let before = std::fs::read(&path).unwrap();
    rusqlite::Connection::open(&bk).unwrap().execute_batch("UPDATE facts SET value_json = '[1,2,3]'").unwrap();
    let e = Workspace::restore_checked(&path, &bk, &packs).unwrap_err();
    assert!(matches!(e, StoreError::BackupDamaged { table: Table::Facts, column: "value_json", .. }), "{e:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing restored");
}

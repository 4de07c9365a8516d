//! The workspace on a real file on disk.

use butie_core::engine::evaluate;
use butie_core::profile::{Company, FactValue, Facts};
use butie_store::{CompanyKey, IoAction, NotWorkspaceWhy, StoreError, Workspace};
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
        let mut ws = Workspace::open(&path).unwrap();
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
    let mut ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
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
    let mut ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
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
    let mut ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
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
    let mut ws = Workspace::open(&path).unwrap();
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
    let mut a = Workspace::open(&dir.path().join("a.sqlite")).unwrap();
    let id = a.add_company(&company("A", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let mut f = Facts::new();
    f.insert(
        "training_sessions".into(),
        FactValue::List(vec![[("participants".to_string(), Decimal::from(150)), ("cost".to_string(), Decimal::from(80000))].into()]),
    );
    a.set_facts(id, 2025, &f).unwrap();
    a.set_facts(id, 2026, &Facts::new()).unwrap();
    let export = a.export_all(&packs).unwrap();
    let mut b = Workspace::open(&dir.path().join("b.sqlite")).unwrap();
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

#[test]
fn backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    let packs = packs();
    let mut ws = Workspace::open(&path).unwrap();
    ws.add_company(&company("A", None), &packs).unwrap();
    let bak = dir.path().join("backup.sqlite");
    ws.backup(&bak).unwrap();
    assert!(matches!(ws.backup(&bak), Err(StoreError::BackupExists { path }) if path == bak), "never overwrites");
    ws.add_company(&company("B", None), &packs).unwrap();
    drop(ws);
    Workspace::restore(&path, &bak).unwrap();
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.list_companies(None).unwrap().len(), 1);
    assert!(path.with_extension("sqlite.bak").exists(), "previous file kept");
    // Not a workspace: refused, nothing replaced.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database at all").unwrap();
    assert!(matches!(
        Workspace::restore(&path, &junk),
        Err(StoreError::NotAWorkspace { path: p, why: NotWorkspaceWhy::Unreadable(_) }) if p == junk
    ));
    let missing = dir.path().join("missing.sqlite");
    assert!(matches!(Workspace::restore(&path, &missing), Err(StoreError::FileNotFound { path: p }) if p == missing));
    assert_eq!(Workspace::open(&path).unwrap().list_companies(None).unwrap().len(), 1);
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
    let mut ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
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
    drop(Workspace::open(&newer).unwrap());
    rusqlite::Connection::open(&newer).unwrap().execute_batch("PRAGMA user_version = 99;").unwrap();
    let supported = butie_store::LATEST_VERSION;
    match Workspace::open(&newer) {
        Err(StoreError::NewerVersion { path, found: 99, supported: s }) => assert_eq!((path, s), (newer.clone(), supported)),
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    assert!(matches!(butie_store::check_workspace_file(&newer), Err(StoreError::NewerVersion { found: 99, .. })));
    // A folder where the workspace file should be: SQLite cannot open it.
    let folder = dir.path().join("folder.sqlite");
    std::fs::create_dir(&folder).unwrap();
    match Workspace::open(&folder) {
        Err(e @ StoreError::CannotOpen { .. }) => {
            assert!(std::error::Error::source(&e).is_some());
            assert!(matches!(e, StoreError::CannotOpen { path, .. } if path == folder));
        }
        Err(e) => panic!("{e:?}"),
        Ok(_) => panic!("opened"),
    }
    // A file where the workspace's folder should be.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    match Workspace::open(&file.join("ws.sqlite")) {
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
    let mut ws = Workspace::open(&dir.path().join("ws.sqlite")).unwrap();
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

//! The claims ledger: a workspace of the schema before it (version 3) opened
//! with nothing lost, claims set and refused, their events kept, and the
//! ledger carried by export, import, backup and restore.

use std::path::Path;

/// Makes the v3 fixture: the schema as it was before the claims ledger,
/// with companies (one archived), facts of several years and saved
/// evaluations. Run once by hand:
/// `cargo test -p butie-store --test it -- --ignored make_v3_fixture`.
#[test]
#[ignore]
fn make_v3_fixture() {
    let path = Path::new("tests/fixtures/workspace-v3.sqlite");
    let _ = std::fs::remove_file(path);
    let c = rusqlite::Connection::open(path).unwrap();
    butie_store::migrate_to(&c, 3).unwrap();
    c.execute_batch(
        "INSERT INTO companies VALUES (1, '台州市椒江海跃跨境电子商务有限公司', '91331002MA2A8K5L0Y', '台州市', '椒江区', 0, '王海跃', '林晓燕', '0576-88123456', '台州银行椒江支行', '6216 6100 0001 2345 678', '2025-03-01T08:00:00.000Z', '2025-03-01T08:00:00.000Z', NULL);
         INSERT INTO companies VALUES (2, '成都蓉欧优品跨境电子商务有限公司', NULL, '成都市', '武侯区', NULL, NULL, NULL, NULL, NULL, NULL, '2025-03-02T08:00:00.000Z', '2025-03-02T08:00:00.000Z', NULL);
         INSERT INTO companies VALUES (3, '已归档的公司', NULL, '台州市', '黄岩区', 0, NULL, NULL, NULL, NULL, NULL, '2025-03-03T08:00:00.000Z', '2025-04-01T08:00:00.000Z', '2025-04-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2025, 'intl_trademark_fee', '\"186000.00\"', '2025-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2025, 'provincial_famous_brand', 'true', '2025-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2025, 'independent_site_investment', '\"1280000\"', '2025-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2026, 'exhibition_cost', '\"15800\"', '2026-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (1, 2026, 'provincial_famous_brand', 'true', '2026-03-01T08:00:00.000Z');
         INSERT INTO facts VALUES (2, 2024, 'cbec_volume', '\"236500000.00\"', '2025-03-02T08:00:00.000Z');
         INSERT INTO facts VALUES (2, 2024, 'first_time_over_1m', 'true', '2025-03-02T08:00:00.000Z');
         INSERT INTO facts VALUES (3, 2025, 'exhibition_cost', '\"9000\"', '2025-03-03T08:00:00.000Z');
         INSERT INTO evaluations (id, company_id, year, created_at, inputs_json, packs_json, result_json, total, total_max, lang, tool_version)
             VALUES (1, 1, 2025, '2025-03-01T09:00:00.000Z', '{\"company\":{\"name\":\"台州市椒江海跃跨境电子商务有限公司\"},\"year\":2025,\"facts\":{}}',
                     '[{\"id\":\"taizhou-cbec-2025\",\"version\":\"2024-11-19\",\"content_hash\":\"00\"}]', '{\"total\":\"293000.00\"}', '293000.00', '293000.00', 'zh', '0.1.0');
         INSERT INTO evaluations (id, company_id, year, created_at, inputs_json, packs_json, result_json, total, total_max, lang, tool_version)
             VALUES (2, 1, 2026, '2026-03-01T09:00:00.000Z', '{\"company\":{\"name\":\"台州市椒江海跃跨境电子商务有限公司\"},\"year\":2026,\"facts\":{}}',
                     '[{\"id\":\"taizhou-cbec-2025\",\"version\":\"2024-11-19\",\"content_hash\":\"00\"}]', '{\"total\":\"100000.00\"}', '100000.00', '100000.00', 'zh', '0.1.0');
         INSERT INTO evaluations (id, company_id, year, created_at, inputs_json, packs_json, result_json, total, total_max, lang, tool_version)
             VALUES (3, 3, 2025, '2025-03-03T09:00:00.000Z', '{}', '[]', '{\"total\":\"0.00\"}', '0.00', '0.00', 'zh', '0.1.0');",
    )
    .unwrap();
    c.execute_batch("PRAGMA journal_mode = DELETE; VACUUM;").unwrap();
}

use butie_core::engine::{evaluate, Status};
use butie_core::profile::{ClaimStatus, Company, FactValue, Facts};
use butie_store::{ClaimRecord, ClaimUpdate, CompanyKey, StoreError, Table, Workspace};
use rust_decimal::Decimal;
use serde_json::json;

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

fn yuan(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn update(status: ClaimStatus, amount: Option<&str>) -> ClaimUpdate {
    ClaimUpdate { status, amount: amount.map(yuan), date: None, estimate: None, submitted_on: None, approved_on: None, note: None }
}

/// Every row of the ledger, for before/after comparisons.
fn ledger(ws: &Workspace) -> String {
    let c = ws.connection();
    let mut out = String::new();
    for t in ["claims", "claim_events"] {
        let mut st = c.prepare(&format!("SELECT * FROM {t} ORDER BY id")).unwrap();
        let n = st.column_count();
        let rows = st.query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))).unwrap();
        for r in rows {
            out.push_str(&format!("{t}: {}\n", r.unwrap()));
        }
    }
    out
}

const BRAND: &str = "tz.brand.provincial_brand";
const TRADEMARK: &str = "tz.brand.trademark";

#[test]
fn a_workspace_of_the_schema_before_the_ledger_opens_with_its_data_intact_and_no_claims() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.sqlite");
    std::fs::copy("tests/fixtures/workspace-v3.sqlite", &path).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), 3);
    drop(c);
    let packs = packs();
    let mut ws = Workspace::open(&path).unwrap();
    let v: i64 = ws.connection().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, butie_store::LATEST_VERSION);
    assert_eq!(
        v, 11,
        "the ledger (4), materials (5), pack texts and keys (6), pins (7), claim warnings (8), typed saved clauses (9), filing dates (10), \
         shared documents (11)"
    );
    // Companies: the two listed, the archived one kept.
    let list = ws.list_companies(None).unwrap();
    assert_eq!(
        list.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["台州市椒江海跃跨境电子商务有限公司", "成都蓉欧优品跨境电子商务有限公司"]
    );
    let hy = &list[0];
    assert_eq!((hy.id, hy.uscc.as_deref(), hy.years.clone(), hy.evaluations), (1, Some("91331002MA2A8K5L0Y"), vec![2025, 2026], 2));
    let c = ws.get_company(1).unwrap().company;
    assert_eq!((c.legal_rep.as_deref(), c.bank_account.as_deref()), (Some("王海跃"), Some("6216 6100 0001 2345 678")));
    let archived = ws.get_company(3).unwrap();
    assert!(archived.archived);
    assert_eq!(ws.history(3).unwrap().len(), 1);
    // Facts, read through the packs.
    let (facts, unknown) = ws.facts(1, 2025, &packs).unwrap();
    assert!(unknown.is_empty());
    assert_eq!(facts["intl_trademark_fee"], FactValue::Num(yuan("186000.00")));
    assert_eq!(facts["provincial_famous_brand"], FactValue::Bool(true));
    let (facts, unknown) = ws.facts(2, 2024, &packs).unwrap();
    assert!(unknown.is_empty());
    assert_eq!(facts["first_time_over_1m"], FactValue::Bool(true));
    // Saved evaluations, newest first, still append-only.
    let h = ws.history(1).unwrap();
    assert_eq!(h.iter().map(|r| (r.id, r.year, r.total.as_str())).collect::<Vec<_>>(), [(2, 2026, "100000.00"), (1, 2025, "293000.00")]);
    assert_eq!((h[1].lang.as_str(), h[1].tool_version.as_str()), ("zh", "0.1.0"));
    assert!(ws.connection().execute("DELETE FROM evaluations", []).is_err());
    // The ledger: there, empty, and the profile's history with it.
    for id in [1, 2, 3] {
        assert_eq!(ws.claims(id, None).unwrap(), Vec::<ClaimRecord>::new());
    }
    assert!(ws.profile(1, 2026, &packs).unwrap().history.is_empty());
    assert_eq!(ledger(&ws), "");
    // And it takes claims, and the file checks as a whole.
    ws.set_claim(1, 2025, BRAND, &update(ClaimStatus::Approved, Some("100000")), &packs).unwrap();
    assert_eq!(ws.claims(1, None).unwrap().len(), 1);
    drop(ws);
    butie_store::check_workspace_file(&path).unwrap();
}

#[test]
fn a_claim_moves_through_its_statuses_and_every_change_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let id = ws.add_company(&company("海跃", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let planned = ClaimUpdate {
        status: ClaimStatus::Planned,
        amount: None,
        date: None,
        estimate: None,
        submitted_on: None,
        approved_on: None,
        note: Some("  准备材料  ".into()),
    };
    let cid = ws.set_claim(id, 2025, TRADEMARK, &planned, &packs).unwrap();
    let submitted = ClaimUpdate {
        status: ClaimStatus::Submitted,
        amount: Some(yuan("93000")),
        date: Some("2025-03-15".into()),
        estimate: None,
        submitted_on: None,
        approved_on: None,
        note: None,
    };
    assert_eq!(ws.set_claim(id, 2025, TRADEMARK, &submitted, &packs).unwrap(), cid);
    // The same again changes nothing and records nothing.
    assert_eq!(ws.set_claim(id, 2025, TRADEMARK, &submitted, &packs).unwrap(), cid);
    let approved = ClaimUpdate {
        status: ClaimStatus::Approved,
        amount: Some(yuan("90000.5")),
        date: Some("2025-06-30".into()),
        estimate: None,
        submitted_on: None,
        approved_on: None,
        note: Some("区商务局批复".into()),
    };
    assert_eq!(ws.set_claim(id, 2025, TRADEMARK, &approved, &packs).unwrap(), cid);
    let list = ws.claims(id, None).unwrap();
    assert_eq!(list.len(), 1);
    let c = &list[0];
    assert_eq!((c.id, c.year, c.clause.as_str(), c.status), (cid, 2025, TRADEMARK, ClaimStatus::Approved));
    assert_eq!(c.estimate.map(|d| d.to_string()).as_deref(), Some("93000.00"), "the estimate stays");
    assert_eq!(c.approved.map(|d| d.to_string()).as_deref(), Some("90000.50"));
    assert_eq!((c.date.as_deref(), c.note.as_deref()), (Some("2025-06-30"), Some("区商务局批复")));
    assert!(c.updated_at.ends_with('Z') && c.updated_at.starts_with("20"), "{}", c.updated_at);
    let steps: Vec<_> = c.events.iter().map(|e| (e.status, e.estimate, e.approved, e.date.as_deref(), e.note.as_deref())).collect();
    assert_eq!(
        steps,
        [
            (ClaimStatus::Planned, None, None, None, Some("准备材料")),
            (ClaimStatus::Submitted, Some(yuan("93000")), None, Some("2025-03-15"), None),
            (ClaimStatus::Approved, Some(yuan("93000")), Some(yuan("90000.50")), Some("2025-06-30"), Some("区商务局批复")),
        ]
    );
    assert_eq!(c.events.last().unwrap().at, c.updated_at);
    // Another clause, another year; listed by year, then clause.
    ws.set_claim(id, 2026, BRAND, &update(ClaimStatus::Submitted, None), &packs).unwrap();
    ws.set_claim(id, 2025, BRAND, &update(ClaimStatus::Rejected, None), &packs).unwrap();
    let order: Vec<_> = ws.claims(id, None).unwrap().iter().map(|c| (c.year, c.clause.clone())).collect();
    assert_eq!(order, [(2025, BRAND.to_string()), (2025, TRADEMARK.to_string()), (2026, BRAND.to_string())]);
    assert_eq!(ws.claims(id, Some(2026)).unwrap().len(), 1);
    assert!(ws.claims(id, Some(2024)).unwrap().is_empty());
    // The profile's history: every year, approved amount or the estimate.
    let history = ws.profile(id, 2026, &packs).unwrap().history;
    let h: Vec<_> = history.iter().map(|c| (c.year, c.clause.as_str(), c.status, c.amount)).collect();
    assert_eq!(
        h,
        [
            (2025, BRAND, ClaimStatus::Rejected, None),
            (2025, TRADEMARK, ClaimStatus::Approved, Some(yuan("90000.50"))),
            (2026, BRAND, ClaimStatus::Submitted, None),
        ]
    );
    // Approved, then corrected to rejected: the approved amount goes, the estimate stays.
    ws.set_claim(id, 2025, TRADEMARK, &update(ClaimStatus::Rejected, None), &packs).unwrap();
    let c = ws.claims(id, Some(2025)).unwrap().into_iter().find(|c| c.clause == TRADEMARK).unwrap();
    assert_eq!((c.status, c.estimate, c.approved), (ClaimStatus::Rejected, Some(yuan("93000")), None));
    assert_eq!(c.events.len(), 4);
    // Events are never changed or removed, claims never removed.
    let conn = ws.connection();
    assert!(conn.execute("UPDATE claim_events SET note = 'x'", []).is_err());
    assert!(conn.execute("DELETE FROM claim_events", []).is_err());
    assert!(conn.execute("DELETE FROM claims", []).is_err());
}

#[test]
fn bad_claims_are_refused_naming_their_field_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let id = ws.add_company(&company("海跃", None), &packs).unwrap();
    ws.set_claim(id, 2025, TRADEMARK, &update(ClaimStatus::Submitted, Some("50000")), &packs).unwrap();
    let before = ledger(&ws);
    let field = |e: &StoreError| e.field().to_string();
    // Unknown clause.
    match ws.set_claim(id, 2025, "tz.brand.nope", &update(ClaimStatus::Planned, None), &packs) {
        Err(e @ StoreError::UnknownClause { .. }) => {
            assert_eq!(field(&e), "claim.clause");
            assert!(matches!(e, StoreError::UnknownClause { clause, .. } if clause == "tz.brand.nope"));
        }
        other => panic!("{other:?}"),
    }
    // An amount on a planned, rejected or withdrawn claim.
    for s in [ClaimStatus::Planned, ClaimStatus::Rejected, ClaimStatus::Withdrawn] {
        match ws.set_claim(id, 2025, TRADEMARK, &update(s, Some("1")), &packs) {
            Err(e @ StoreError::ClaimAmountNotAllowed { .. }) => {
                assert_eq!(field(&e), "claim.amount");
                assert!(matches!(e, StoreError::ClaimAmountNotAllowed { status, .. } if status == s));
            }
            other => panic!("{s:?}: {other:?}"),
        }
    }
    // Approved without an amount.
    match ws.set_claim(id, 2025, TRADEMARK, &update(ClaimStatus::Approved, None), &packs) {
        Err(e @ StoreError::ClaimAmountRequired { status: ClaimStatus::Approved, .. }) => assert_eq!(field(&e), "claim.amount"),
        other => panic!("{other:?}"),
    }
    // Submitted without an amount on a clause capped per company (a once
    // clause may be submitted without one).
    match ws.set_claim(id, 2025, "tz.brand.patent", &update(ClaimStatus::Submitted, None), &packs) {
        Err(e @ StoreError::ClaimAmountRequired { status: ClaimStatus::Submitted, .. }) => assert_eq!(field(&e), "claim.amount"),
        other => panic!("{other:?}"),
    }
    // Negative, or finer than the fen.
    for a in ["-1", "0.001"] {
        match ws.set_claim(id, 2025, TRADEMARK, &update(ClaimStatus::Submitted, Some(a)), &packs) {
            Err(StoreError::Input(e)) => assert_eq!(e.field, "claim.amount", "{a}"),
            other => panic!("{a}: {other:?}"),
        }
    }
    // Dates that are not real YYYY-MM-DD.
    for d in ["2025-02-29", "2025-6-31", "30/06/2025", "2025-06-30T00:00"] {
        let u = ClaimUpdate {
            status: ClaimStatus::Submitted,
            amount: None,
            date: Some(d.into()),
            estimate: None,
            submitted_on: None,
            approved_on: None,
            note: None,
        };
        match ws.set_claim(id, 2025, TRADEMARK, &u, &packs) {
            Err(e @ StoreError::BadClaimDate { .. }) => {
                assert_eq!(field(&e), "claim.date");
                assert!(matches!(e, StoreError::BadClaimDate { date, .. } if date == d));
            }
            other => panic!("{d}: {other:?}"),
        }
    }
    // A year out of range, a note with a control character.
    assert!(
        matches!(ws.set_claim(id, 1999, TRADEMARK, &update(ClaimStatus::Planned, None), &packs), Err(StoreError::Input(e)) if e.field == "claim.year")
    );
    let u = ClaimUpdate {
        status: ClaimStatus::Planned,
        amount: None,
        date: None,
        estimate: None,
        submitted_on: None,
        approved_on: None,
        note: Some("a\u{202E}b".into()),
    };
    assert!(matches!(ws.set_claim(id, 2025, TRADEMARK, &u, &packs), Err(StoreError::Input(e)) if e.field == "claim.note"));
    // No such company, or an archived one.
    let missing = id + 40;
    assert!(matches!(
        ws.set_claim(missing, 2025, TRADEMARK, &update(ClaimStatus::Planned, None), &packs),
        Err(StoreError::CompanyNotFound { key: CompanyKey::Id(n) }) if n == missing
    ));
    assert!(matches!(ws.claims(missing, None), Err(StoreError::CompanyNotFound { .. })));
    assert_eq!(ledger(&ws), before, "nothing written");
    // A company with claims is archived, never deleted.
    match ws.delete_company(id, false) {
        Err(e @ StoreError::HasClaims { count: 1, .. }) => assert_eq!(e.field(), ""),
        other => panic!("{other:?}"),
    }
    assert!(ws.delete_company(id, true).unwrap());
    assert!(matches!(
        ws.set_claim(id, 2025, TRADEMARK, &update(ClaimStatus::Planned, None), &packs),
        Err(StoreError::CompanyNotFound { .. })
    ));
    assert_eq!(ws.claims(id, None).unwrap().len(), 1, "an archived company's ledger is kept and readable");
}

#[test]
fn evaluating_a_saved_company_takes_its_earlier_claims_into_account() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let id = ws.add_company(&company("海跃", None), &packs).unwrap();
    let mut f = Facts::new();
    f.insert("provincial_famous_brand".into(), FactValue::Bool(true));
    ws.set_facts(id, 2025, &f).unwrap();
    ws.set_facts(id, 2026, &f).unwrap();
    let status = |ws: &Workspace, year| {
        let p = ws.profile(id, year, &packs).unwrap();
        evaluate(&packs, &p, year).clauses.iter().find(|c| c.clause.id == BRAND).unwrap().status
    };
    assert_eq!(status(&ws, 2026), Status::Eligible);
    ws.set_claim(id, 2025, BRAND, &update(ClaimStatus::Approved, Some("100000")), &packs).unwrap();
    assert_eq!(status(&ws, 2025), Status::Eligible, "a claim does not block its own year");
    assert_eq!(status(&ws, 2026), Status::Ineligible, "the one-time award was approved in 2025");
    // The saved evaluation keeps the history it was made with.
    let p = ws.profile(id, 2026, &packs).unwrap();
    let eid = ws.save_evaluation(id, &p, &evaluate(&packs, &p, 2026), &packs).unwrap();
    let inputs = ws.evaluation(eid).unwrap().inputs;
    assert_eq!(inputs["history"], json!([{"clause": BRAND, "year": 2025, "status": "approved", "amount": "100000.00"}]));
}

fn seeded(path: &Path, packs: &[butie_core::Pack]) -> (Workspace, i64) {
    let mut ws = Workspace::open_or_create(path).unwrap();
    let id = ws.add_company(&company("海跃", Some("91331002MA2A8K5L0Y")), packs).unwrap();
    let mut f = Facts::new();
    f.insert("intl_trademark_fee".into(), FactValue::Num(yuan("186000.00")));
    ws.set_facts(id, 2025, &f).unwrap();
    let sub = ClaimUpdate {
        status: ClaimStatus::Submitted,
        amount: Some(yuan("93000")),
        date: Some("2025-03-15".into()),
        estimate: None,
        submitted_on: None,
        approved_on: None,
        note: Some("已交".into()),
    };
    ws.set_claim(id, 2025, TRADEMARK, &sub, packs).unwrap();
    ws.set_claim(id, 2025, TRADEMARK, &update(ClaimStatus::Approved, Some("90000")), packs).unwrap();
    ws.set_claim(id, 2026, BRAND, &update(ClaimStatus::Planned, None), packs).unwrap();
    (ws, id)
}

#[test]
fn export_and_import_carry_the_ledger_with_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let (ws, id) = seeded(&dir.path().join("a.sqlite"), &packs);
    let original = ws.claims(id, None).unwrap();
    let export = ws.export_company(id, &packs).unwrap();
    assert_eq!(export["claims"].as_array().unwrap().len(), 2);
    let first = &export["claims"][0];
    assert_eq!(
        (&first["year"], &first["clause"], &first["status"], &first["estimate"], &first["approved"]),
        (&json!(2025), &json!(TRADEMARK), &json!("approved"), &json!("93000.00"), &json!("90000.00"))
    );
    assert_eq!(first["events"].as_array().unwrap().len(), 2);
    assert!(first["events"][1].get("date").is_none(), "no value, no key");
    // A company without claims exports as before.
    let mut ws = ws;
    let other = ws.add_company(&company("无申报", None), &packs).unwrap();
    assert!(ws.export_company(other, &packs).unwrap().get("claims").is_none());
    let all = ws.export_all(&packs).unwrap();
    assert_eq!(all["butie_workspace"], 1);

    // Into a fresh workspace: the same ledger, events and times included.
    let mut fresh = Workspace::open_or_create(&dir.path().join("b.sqlite")).unwrap();
    let ids = fresh.import(&export, &packs, false).unwrap();
    let copied = fresh.claims(ids[0], None).unwrap();
    let strip = |v: &[ClaimRecord]| v.iter().map(|c| ClaimRecord { id: 0, ..c.clone() }).collect::<Vec<_>>();
    assert_eq!(strip(&copied), strip(&original));
    // The whole workspace the same way.
    let mut fresh2 = Workspace::open_or_create(&dir.path().join("c.sqlite")).unwrap();
    fresh2.import(&all, &packs, false).unwrap();
    let hy = fresh2.find_company("91331002MA2A8K5L0Y").unwrap();
    assert_eq!(strip(&fresh2.claims(hy, None).unwrap()), strip(&original));

    // Importing the same file again over it (replace) adds no events.
    let before = ledger(&fresh);
    fresh.import(&export, &packs, true).unwrap();
    assert_eq!(ledger(&fresh), before);
    // A file whose claim differs: its state wins, the change is an event, the
    // claims it does not mention stay.
    fresh.set_claim(ids[0], 2027, "tz.brand.patent", &update(ClaimStatus::Submitted, Some("10000")), &packs).unwrap();
    let mut changed = export.clone();
    changed["claims"][1]["status"] = json!("withdrawn");
    fresh.import(&changed, &packs, true).unwrap();
    let after = fresh.claims(ids[0], None).unwrap();
    assert_eq!(after.len(), 3);
    let brand = after.iter().find(|c| c.clause == BRAND).unwrap();
    assert_eq!(brand.status, ClaimStatus::Withdrawn);
    assert_eq!(brand.events.iter().map(|e| e.status).collect::<Vec<_>>(), [ClaimStatus::Planned, ClaimStatus::Withdrawn]);
    assert_eq!(brand.events.last().unwrap().at, brand.updated_at);

    // A profile export carries the history; importing it fills the ledger.
    let profile = ws.export_profile(id, 2026, &packs).unwrap();
    assert_eq!(profile["history"].as_array().unwrap().len(), 2);
    let mut fresh3 = Workspace::open_or_create(&dir.path().join("d.sqlite")).unwrap();
    let pid = fresh3.import(&profile, &packs, false).unwrap()[0];
    let h = fresh3.profile(pid, 2026, &packs).unwrap().history;
    assert_eq!(h, ws.profile(id, 2026, &packs).unwrap().history);
    assert!(fresh3.claims(pid, None).unwrap().iter().all(|c| c.events.len() == 1));
}

#[test]
fn a_bad_ledger_in_an_import_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let (ws, id) = seeded(&dir.path().join("a.sqlite"), &packs);
    let export = ws.export_company(id, &packs).unwrap();
    let mut target = Workspace::open_or_create(&dir.path().join("b.sqlite")).unwrap();
    target.add_company(&company("已有", None), &packs).unwrap();
    let before = (ledger(&target), target.list_companies(None).unwrap());
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("clause", json!("tz.nope"), "claims[0].clause"),
        ("status", json!("paid"), "claims[0].status"),
        ("estimate", json!("-5"), "claims[0].estimate"),
        ("approved", json!("1.234"), "claims[0].approved"),
        ("date", json!("2025-02-30"), "claims[0].date"),
        ("updated_at", json!("yesterday"), "claims[0].updated_at"),
        ("year", json!(1999), "claims[0].year"),
        ("colour", json!("red"), "claims[0].colour"),
        ("events", json!([{"status": "planned"}]), "claims[0].events[0].at"),
        ("events", json!([{"at": "2025-01-01T00:00:00.000Z", "status": "approved", "approved": -1}]), "claims[0].events[0].approved"),
    ];
    for (key, value, named) in cases {
        let mut bad = export.clone();
        bad["claims"][0][key] = value.clone();
        let e = target.import(&bad, &packs, false).unwrap_err();
        assert_eq!(e.field(), named, "{key} = {value}: {e:?}");
        // Inside a workspace export, the entry says which company.
        let e = target.import(&json!({"butie_workspace": 1, "companies": [bad]}), &packs, false).unwrap_err();
        assert_eq!(e.field(), format!("companies[0].{named}"));
    }
    // An approved amount on a claim that is not approved; the same claim twice.
    let mut bad = export.clone();
    bad["claims"][1]["approved"] = json!("5");
    assert!(
        matches!(target.import(&bad, &packs, false), Err(StoreError::ClaimAmountNotAllowed { field, .. }) if field == "claims[1].approved")
    );
    let mut bad = export.clone();
    let dup = bad["claims"][0].clone();
    bad["claims"].as_array_mut().unwrap().push(dup);
    assert_eq!(target.import(&bad, &packs, false).unwrap_err().field(), "claims[2]");
    assert_eq!((ledger(&target), target.list_companies(None).unwrap()), before, "all or nothing");
}

#[test]
fn backup_and_restore_carry_the_ledger_and_a_damaged_claim_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let path = dir.path().join("ws.sqlite");
    let (mut ws, id) = seeded(&path, &packs);
    let bak = dir.path().join("bak.sqlite");
    ws.backup(&bak).unwrap();
    butie_store::check_workspace_file(&bak).unwrap();
    let saved = ws.claims(id, None).unwrap();
    ws.set_claim(id, 2027, BRAND, &update(ClaimStatus::Planned, None), &packs).unwrap();
    Workspace::restore(&path, &bak).unwrap().unwrap();
    assert_eq!(ws.claims(id, None).unwrap(), saved, "the ledger as it was at the backup");
    // A backup whose claim status was changed outside Butie: refused, named.
    let bad = dir.path().join("bad.sqlite");
    std::fs::copy(&bak, &bad).unwrap();
    {
        let c = rusqlite::Connection::open(&bad).unwrap();
        c.execute_batch("PRAGMA journal_mode = DELETE; UPDATE claims SET estimate = 'lots' WHERE id = 1;").unwrap();
    }
    match Workspace::restore(&path, &bad) {
        Err(StoreError::BackupDamaged { table: Table::Claims, rowid: 1, column: "estimate", .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(ws.claims(id, None).unwrap(), saved);
}

/// One step of a filing: the update as the user makes it.
fn step(
    status: ClaimStatus,
    amount: Option<&str>,
    estimate: Option<&str>,
    date: Option<&str>,
    sub: Option<&str>,
    app: Option<&str>,
) -> ClaimUpdate {
    ClaimUpdate {
        status,
        amount: amount.map(yuan),
        estimate: estimate.map(yuan),
        date: date.map(Into::into),
        submitted_on: sub.map(Into::into),
        approved_on: app.map(Into::into),
        note: None,
    }
}

/// Steps applied in turn to one claim; after each, the claim's (status,
/// estimate, approved, submitted_on, approved_on), or the field the step is
/// refused on (the claim then as before).
#[test]
fn filing_dates_and_the_estimate_step_by_step() {
    use ClaimStatus::{Approved, Planned, Rejected, Submitted};
    type Want = std::result::Result<
        (ClaimStatus, Option<&'static str>, Option<&'static str>, Option<&'static str>, Option<&'static str>),
        &'static str,
    >;
    let cases: Vec<(ClaimUpdate, Want)> = vec![
        // The single date of a submitted claim is its submission date.
        (
            step(Submitted, Some("93000"), None, Some("2026-03-31"), None, None),
            Ok((Submitted, Some("93000.00"), None, Some("2026-03-31"), None)),
        ),
        // Approved with the single date: the approval date; the submission date stays.
        (
            step(Approved, Some("90000"), None, Some("2026-04-10"), None, None),
            Ok((Approved, Some("93000.00"), Some("90000.00"), Some("2026-03-31"), Some("2026-04-10"))),
        ),
        // The estimate of an approved claim edited; left out, the dates stay.
        (
            step(Approved, Some("90000"), Some("95000"), None, None, None),
            Ok((Approved, Some("95000.00"), Some("90000.00"), Some("2026-03-31"), Some("2026-04-10"))),
        ),
        // Both dates given explicitly.
        (
            step(Approved, Some("90000"), None, None, Some("2026-03-01"), Some("2026-03-02")),
            Ok((Approved, Some("95000.00"), Some("90000.00"), Some("2026-03-01"), Some("2026-03-02"))),
        ),
        // An approval before the submission is refused.
        (step(Approved, Some("90000"), None, None, Some("2026-03-05"), None), Err("claim.approved_on")),
        (step(Approved, Some("90000"), None, None, None, Some("2026-02-28")), Err("claim.approved_on")),
        (step(Approved, Some("90000"), None, Some("2026-02-28"), None, None), Err("claim.approved_on")),
        // Dates that are not real.
        (step(Approved, Some("90000"), None, None, Some("2026-02-30"), None), Err("claim.submitted_on")),
        (step(Approved, Some("90000"), None, None, None, Some("31/03/2026")), Err("claim.approved_on")),
        (step(Approved, Some("90000"), Some("-1"), None, None, None), Err("claim.estimate")),
        // An approval date on a claim that is not approved.
        (step(Submitted, None, None, None, None, Some("2026-04-10")), Err("claim.approved_on")),
        // Back to submitted: the approval date and amount go, the submission date and the estimate stay.
        (step(Submitted, None, None, None, None, None), Ok((Submitted, Some("95000.00"), None, Some("2026-03-01"), None))),
        // Blank clears a date.
        (step(Submitted, None, None, None, Some(" "), None), Ok((Submitted, Some("95000.00"), None, None, None))),
        // An explicit estimate wins over a submitted amount.
        (
            step(Submitted, Some("1000"), Some("2000"), None, Some("2026-05-06"), None),
            Ok((Submitted, Some("2000.00"), None, Some("2026-05-06"), None)),
        ),
        // Rejected: the single date is neither; the submission date stays; an estimate may still be set.
        (
            step(Rejected, None, Some("2500"), Some("2026-06-01"), None, None),
            Ok((Rejected, Some("2500.00"), None, Some("2026-05-06"), None)),
        ),
        (step(Planned, None, None, None, None, None), Ok((Planned, Some("2500.00"), None, Some("2026-05-06"), None))),
    ];
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let id = ws.add_company(&company("海跃", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let state = |ws: &Workspace| {
        let c = ws.claims(id, Some(2025)).unwrap().into_iter().next();
        c.map(|c| (c.status, c.estimate.map(|d| d.to_string()), c.approved.map(|d| d.to_string()), c.submitted_on, c.approved_on))
    };
    for (i, (u, want)) in cases.into_iter().enumerate() {
        let before = state(&ws);
        match (ws.set_claim(id, 2025, TRADEMARK, &u, &packs), want) {
            (Ok(_), Ok((s, e, a, so, ao))) => {
                let got = state(&ws).unwrap();
                let want = (s, e.map(String::from), a.map(String::from), so.map(String::from), ao.map(String::from));
                assert_eq!(got, want, "step {i}: {u:?}");
                let c = &ws.claims(id, Some(2025)).unwrap()[0];
                let last = c.events.last().unwrap();
                assert_eq!(
                    (&last.submitted_on, &last.approved_on),
                    (&c.submitted_on, &c.approved_on),
                    "step {i}: the event keeps the dates"
                );
            }
            (Err(e), Err(field)) => {
                assert_eq!(e.field(), field, "step {i}: {e:?}");
                assert_eq!(state(&ws), before, "step {i}: nothing changed");
            }
            (got, want) => panic!("step {i}: {u:?}: {got:?}, wanted {want:?}"),
        }
    }
}

/// Import: new files carry the dates, old files (only `date`) have them read
/// by the one rule, and bad dates are refused naming the entry.
#[test]
fn import_reads_the_filing_dates_of_new_and_old_files() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs();
    let mut ws = Workspace::open_or_create(&dir.path().join("a.sqlite")).unwrap();
    let id = ws.add_company(&company("海跃", Some("91331002MA2A8K5L0Y")), &packs).unwrap();
    let u = step(ClaimStatus::Approved, Some("90000"), Some("93000"), None, Some("2026-03-31"), Some("2026-04-10"));
    ws.set_claim(id, 2025, TRADEMARK, &u, &packs).unwrap();
    let export = ws.export_company(id, &packs).unwrap();
    let c = &export["claims"][0];
    assert_eq!((&c["submitted_on"], &c["approved_on"]), (&json!("2026-03-31"), &json!("2026-04-10")));
    assert_eq!(c["events"][0]["approved_on"], json!("2026-04-10"));
    let mut fresh = Workspace::open_or_create(&dir.path().join("b.sqlite")).unwrap();
    let nid = fresh.import(&export, &packs, false).unwrap()[0];
    let got = &fresh.claims(nid, None).unwrap()[0];
    assert_eq!((got.submitted_on.as_deref(), got.approved_on.as_deref()), (Some("2026-03-31"), Some("2026-04-10")));

    // (claim fields as an old or hand-written file has them) → (submitted_on, approved_on) or the refused field.
    type Want = std::result::Result<(Option<&'static str>, Option<&'static str>), &'static str>;
    let cases: [(serde_json::Value, Want); 7] = [
        (json!({"status": "submitted", "estimate": "93000", "date": "2026-03-31"}), Ok((Some("2026-03-31"), None))),
        (json!({"status": "approved", "approved": "90000", "date": "2026-04-10"}), Ok((None, Some("2026-04-10")))),
        (json!({"status": "withdrawn", "date": "2026-04-10"}), Ok((None, None))),
        (
            json!({"status": "approved", "approved": "90000", "date": "2026-04-10", "submitted_on": "2026-03-31"}),
            Ok((Some("2026-03-31"), Some("2026-04-10"))),
        ),
        (
            json!({"status": "approved", "approved": "90000", "submitted_on": "2026-04-11", "approved_on": "2026-04-10"}),
            Err("claims[0].approved_on"),
        ),
        (json!({"status": "submitted", "approved_on": "2026-04-10"}), Err("claims[0].approved_on")),
        (json!({"status": "submitted", "submitted_on": "2026-04-31"}), Err("claims[0].submitted_on")),
    ];
    for (i, (fields, want)) in cases.into_iter().enumerate() {
        let mut claim = fields.clone();
        claim["year"] = json!(2025);
        claim["clause"] = json!(TRADEMARK);
        let mut file = export.clone();
        file["company"]["uscc"] = serde_json::Value::Null;
        file["company"]["name"] = json!(format!("旧文件 {i}"));
        file["claims"] = json!([claim]);
        match (fresh.import(&file, &packs, false), want) {
            (Ok(ids), Ok((s, a))) => {
                let c = &fresh.claims(ids[0], None).unwrap()[0];
                assert_eq!((c.submitted_on.as_deref(), c.approved_on.as_deref()), (s, a), "case {i}: {fields}");
            }
            (Err(e), Err(field)) => assert_eq!(e.field(), field, "case {i}: {e:?}"),
            (got, want) => panic!("case {i}: {fields}: {got:?}, wanted {want:?}"),
        }
    }
}

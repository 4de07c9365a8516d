//! Shared documents (营业执照复印件): kept once per company and year for
//! every clause that lists it; old workspaces and old exports collapse
//! into that shape without losing a file.

use butie_core::profile::Company;
use butie_store::{MaterialStatus, Workspace};
use serde_json::json;

fn packs() -> Vec<butie_core::Pack> {
    butie_core::bundled_packs().unwrap()
}

fn company() -> Company {
    Company {
        name: "台州某跨境电商有限公司".into(), city: "台州市".into(), district: "椒江区".into(), ..Company::default()
    }
}

/// Taizhou clauses that list 营业执照复印件 first, and one item of their own.
const TRADEMARK: &str = "tz.brand.trademark";
const PATENT: &str = "tz.brand.patent";

fn licence(ws: &Workspace, id: i64, clause: &str, packs: &[butie_core::Pack]) -> butie_store::Material {
    ws.materials(id, 2025, clause, packs).unwrap().into_iter().find(|m| m.item == "营业执照复印件").unwrap()
}

#[test]
fn a_shared_document_attached_once_serves_every_clause_and_goes_everywhere() {
    let packs = packs();
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let id = ws.add_company(&company(), &packs).unwrap();
    let e = ws.add_evidence(id, 2025, TRADEMARK, "1", "营业执照.pdf", b"licence", &packs).unwrap();
    // The same bytes through another clause: the one file.
    assert_eq!(ws.add_evidence(id, 2025, PATENT, "营业执照复印件", "执照.pdf", b"licence", &packs).unwrap().id, e.id);
    for clause in [TRADEMARK, PATENT, "tz.platform.livestream"] {
        let m = licence(&ws, id, clause, &packs);
        assert_eq!(m.shared.as_deref(), Some("营业执照复印件"));
        assert_eq!(m.status, MaterialStatus::Ready, "{clause}");
        assert_eq!(m.evidence.iter().map(|e| e.id).collect::<Vec<_>>(), [e.id], "{clause}");
    }
    // A clause's own item stays its own.
    ws.set_material(id, 2025, PATENT, "2", MaterialStatus::Ready, &packs).unwrap();
    assert_eq!(ws.materials(id, 2025, TRADEMARK, &packs).unwrap()[1].status, MaterialStatus::NotReady);
    // One status: set through one clause, read through another.
    ws.set_material(id, 2025, PATENT, "1", MaterialStatus::NotApplicable, &packs).unwrap();
    assert_eq!(licence(&ws, id, TRADEMARK, &packs).status, MaterialStatus::NotApplicable);
    // Removed once, gone for every clause.
    ws.remove_evidence(e.id).unwrap();
    assert!(licence(&ws, id, TRADEMARK, &packs).evidence.is_empty());
    assert!(licence(&ws, id, PATENT, &packs).evidence.is_empty());
    let rows: i64 = ws.connection().query_row("SELECT count(*) FROM evidence", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 0);
}

/// A version-9 workspace whose 营业执照 was attached under three clauses
/// (twice the same bytes, once another scan) and marked under a fourth.
fn old_workspace(path: &std::path::Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    butie_store::migrate_to(&c, 9).unwrap();
    c.execute_batch(
        "INSERT INTO companies (id, name, city, district, created_at, updated_at) VALUES (1, '甲', '台州市', '椒江区', 't', 't');
         INSERT INTO materials VALUES (1, 2025, 'tz.brand.trademark', '营业执照复印件', 'ready', 't1');
         INSERT INTO materials VALUES (1, 2025, 'tz.brand.patent', '营业执照复印件', 'not_ready', 't2');
         INSERT INTO materials VALUES (1, 2025, 'tz.brand.patent', '专利证书', 'ready', 't2');
         INSERT INTO evidence (company_id, year, clause, item, name, size, sha256, added_at, data) VALUES
           (1, 2025, 'tz.brand.trademark', '营业执照复印件', 'a.pdf', 1, 'acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0', 't', X'6c'),
           (1, 2025, 'tz.brand.patent', '营业执照复印件', 'b.pdf', 1, 'acac86c0e609ca906f632b0e2dacccb2b77d22b0621f20ebece1a4835b93f6f0', 't', X'6c'),
           (1, 2025, 'tz.platform.livestream', '营业执照复印件', 'new.pdf', 1, '62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a', 't', X'6d'),
           (1, 2025, 'tz.brand.patent', '专利证书', 'p.pdf', 1, '62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a', 't', X'6d');",
    )
    .unwrap();
}

#[test]
fn migration_collapses_copies_of_one_file_and_keeps_every_different_one() {
    let packs = packs();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.sqlite");
    old_workspace(&path);
    let ws = Workspace::open(&path).unwrap();
    let rows: Vec<(String, String, String)> = ws
        .connection()
        .prepare("SELECT clause, item, name FROM evidence ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        rows,
        [
            ("".into(), "营业执照复印件".into(), "a.pdf".into()),
            ("".into(), "营业执照复印件".into(), "new.pdf".into()),
            ("tz.brand.patent".into(), "专利证书".into(), "p.pdf".into()),
        ]
    );
    for clause in [TRADEMARK, PATENT, "tz.platform.livestream", "tz.logistics.freight"] {
        let m = licence(&ws, 1, clause, &packs);
        assert_eq!(m.status, MaterialStatus::Ready, "已准备 under one clause: ready for all ({clause})");
        assert_eq!(m.evidence.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["a.pdf", "new.pdf"]);
    }
    assert_eq!(ws.materials(1, 2025, PATENT, &packs).unwrap()[1].evidence.len(), 1, "the clause's own file stays");
    for id in [1, 3, 4] {
        ws.evidence_bytes(id).unwrap();
    }
}

#[test]
fn an_old_export_with_one_row_per_clause_imports_as_one_document() {
    let packs = packs();
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let file = |clause: &str, name: &str, data: &[u8]| {
        json!({"year": 2025, "clause": clause, "item": "营业执照复印件", "name": name, "size": data.len(),
               "sha256": butie_store::sha256_hex(data), "added_at": "2025-03-01T00:00:00.000Z",
               "data_base64": base64_of(data)})
    };
    let old = json!({
        "company": {"name": "乙", "city": "台州市", "district": "黄岩区"},
        "years": {"2025": {}},
        "materials": [
            {"year": 2025, "clause": TRADEMARK, "item": "营业执照复印件", "status": "ready"},
            {"year": 2025, "clause": PATENT, "item": "营业执照复印件", "status": "not_ready"},
        ],
        "evidence": [file(TRADEMARK, "a.pdf", b"one"), file(PATENT, "a copy.pdf", b"one"), file(PATENT, "other.pdf", b"two")],
    });
    let id = ws.import(&old, &packs, false).unwrap()[0];
    let m = licence(&ws, id, PATENT, &packs);
    assert_eq!(m.status, MaterialStatus::Ready);
    assert_eq!(m.evidence.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["a.pdf", "other.pdf"]);
    // The new shape goes out without a clause and comes back the same.
    let out = ws.export_company(id, &packs).unwrap();
    assert_eq!(out["materials"], json!([{"year": 2025, "item": "营业执照复印件", "status": "ready"}]));
    assert!(out["evidence"].as_array().unwrap().iter().all(|e| e.get("clause").is_none()));
    let mut again = Workspace::open_or_create(&dir.path().join("again.sqlite")).unwrap();
    let id2 = again.import(&out, &packs, false).unwrap()[0];
    assert_eq!(licence(&again, id2, TRADEMARK, &packs).evidence.len(), 2);
    // A shared entry naming no shared document is refused.
    let bad = json!({"company": {"name": "丙", "city": "台州市", "district": "黄岩区"}, "years": {},
                     "materials": [{"year": 2025, "item": "专利证书", "status": "ready"}]});
    assert!(matches!(again.import(&bad, &packs, false), Err(butie_store::StoreError::UnknownSharedMaterial { .. })));
}

fn base64_of(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

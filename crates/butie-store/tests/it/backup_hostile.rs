//! Crafted backups (issue 25): a backup is data to check, not a database
//! to adopt. A trigger carried in, the append-only triggers taken out, a
//! built-in pack text rewritten under its old hash are refused and nothing
//! is restored; a pack text the backup calls verified stays verified only
//! if this workspace verified that very text itself.

use butie_core::profile::Company;
use butie_store::{PackOrigin, SchemaProblem, StoreError, Table, Workspace};
use std::path::{Path, PathBuf};

fn company(name: &str) -> Company {
    Company { name: name.into(), city: "台州市".into(), district: "椒江区".into(), ..Company::default() }
}

/// A workspace with one company, and its backup changed by `craft` (plain SQL on the backup file).
fn crafted(dir: &Path, craft: &str) -> (PathBuf, PathBuf) {
    let packs = butie_core::bundled_packs().unwrap();
    let live = dir.join("ws.sqlite");
    let mut ws = Workspace::open_or_create(&live).unwrap();
    ws.add_company(&company("甲"), &packs).unwrap();
    ws.keep_pack(&packs[0], PackOrigin::Bundled, None, true).unwrap();
    let bak = dir.join("bak.sqlite");
    ws.backup(&bak).unwrap();
    drop(ws);
    let c = rusqlite::Connection::open(&bak).unwrap();
    c.execute_batch(craft).unwrap();
    drop(c);
    (live, bak)
}

fn companies(path: &Path) -> usize {
    Workspace::open(path).unwrap().list_companies(None).unwrap().len()
}

#[test]
fn a_backup_with_a_schema_of_its_own_is_refused_and_nothing_is_restored() {
    let cases: [(&str, &str, &str, SchemaProblem); 3] = [
        (
            "CREATE TRIGGER rewrite AFTER INSERT ON facts BEGIN UPDATE facts SET value_json = '\"900000\"' WHERE rowid = new.rowid; END;",
            "trigger",
            "rewrite",
            SchemaProblem::Extra,
        ),
        ("DROP TRIGGER claim_events_no_update;", "trigger", "claim_events_no_update", SchemaProblem::Missing),
        ("CREATE TABLE theirs (x);", "table", "theirs", SchemaProblem::Extra),
    ];
    for (craft, kind, name, problem) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (live, bak) = crafted(dir.path(), craft);
        // One more company in the live workspace: a refused restore keeps it.
        let packs = butie_core::bundled_packs().unwrap();
        Workspace::open(&live).unwrap().add_company(&company("乙"), &packs).unwrap();
        match Workspace::restore(&live, &bak) {
            Err(StoreError::BackupNotOurs { kind: k, name: n, problem: p, .. }) => {
                assert_eq!((k.as_str(), n.as_str(), p), (kind, name, problem), "{craft}")
            }
            other => panic!("{craft}: {other:?}"),
        }
        assert_eq!(companies(&live), 2, "nothing restored");
    }
}

#[test]
fn a_built_in_pack_text_changed_under_its_hash_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (live, bak) = crafted(dir.path(), "UPDATE pack_texts SET text = replace(text, 'rate = \"0.50\"', 'rate = \"1.00\"');");
    match Workspace::restore(&live, &bak) {
        Err(StoreError::BackupDamaged { table: Table::PackTexts, column: "text", .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pack_text_the_backup_calls_verified_is_kept_unverified_unless_this_workspace_verified_it() {
    let packs = butie_core::bundled_packs().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (live, bak) =
        crafted(dir.path(), "UPDATE pack_texts SET origin = 'imported', verified = 1, signer = '园区商务办 (DEADBEEFDEADBEEF)';");
    let done = Workspace::restore_reported(&live, &bak, &packs).unwrap();
    assert_eq!(done.unverified, [format!("{} {}", packs[0].id, packs[0].version)]);
    let kept = Workspace::open(&live).unwrap().stored_packs().unwrap();
    assert!(kept.iter().all(|p| !p.verified && p.signer.is_none()), "{kept:?}");
}

#[test]
fn a_hidden_copy_a_killed_restore_left_goes_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("ws.sqlite");
    drop(Workspace::open_or_create(&live).unwrap());
    // A process id that cannot be running (above any pid_max).
    let left = dir.path().join(".ws.sqlite.4294967294-1.tmp");
    std::fs::write(&left, b"a whole copy of the data").unwrap();
    drop(Workspace::open(&live).unwrap());
    assert!(!left.exists());
}

/// `import --replace` of an export made before a claim was approved never
/// rewinds the ledger: the approval stays, the file's changes join the
/// history, and the import says which claims kept their newer state.
#[test]
fn an_older_export_never_rewinds_an_approved_claim() {
    use butie_core::profile::ClaimStatus;
    use butie_store::ClaimUpdate;
    use rust_decimal::Decimal;
    let packs = butie_core::bundled_packs().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
    let c = Company { uscc: Some("91331002MA2A8K5L0Y".into()), ..company("海跃") };
    let id = ws.add_company(&c, &packs).unwrap();
    let update = |status, amount: &str| ClaimUpdate {
        status,
        amount: Some(amount.parse::<Decimal>().unwrap()),
        date: None,
        estimate: None,
        submitted_on: None,
        approved_on: None,
        note: None,
    };
    ws.set_claim(id, 2025, "tz.brand.trademark", &update(ClaimStatus::Submitted, "50000"), &packs).unwrap();
    let older = ws.export_company(id, &packs).unwrap();
    // The clock moves on (times are kept to the millisecond).
    std::thread::sleep(std::time::Duration::from_millis(20));
    ws.set_claim(id, 2025, "tz.brand.trademark", &update(ClaimStatus::Approved, "93000"), &packs).unwrap();
    let before = ws.claims(id, Some(2025)).unwrap();
    let report = ws.import_reported(&older, &packs, true).unwrap();
    assert_eq!(report.kept_newer.len(), 1, "{report:?}");
    assert_eq!(report.kept_newer[0].clause, "tz.brand.trademark");
    let after = ws.claims(id, Some(2025)).unwrap();
    assert_eq!(after[0].status, ClaimStatus::Approved);
    assert_eq!(after[0].approved, Some(Decimal::from(93000)));
    assert_eq!(after[0].events.len(), before[0].events.len(), "the file's events were already there");
    // Importing it again changes nothing.
    let again = ws.import_reported(&older, &packs, true).unwrap();
    assert_eq!(again.kept_newer.len(), 1);
    assert_eq!(ws.claims(id, Some(2025)).unwrap(), after);
}

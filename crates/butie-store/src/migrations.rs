//! Schema migrations, numbered in code and recorded in `PRAGMA user_version`.
//! Each runs in one transaction; a file is never left between versions.
//!
//! **Identity.** A workspace carries `PRAGMA application_id` =
//! [`APPLICATION_ID`], 0x42555449 (the ASCII bytes "BUTI"), in its SQLite
//! header (offset 68, big-endian), so Butie — or `file(1)`, or any tool that
//! reads the header — can tell a workspace from another program's SQLite
//! file before opening it for writing. New workspaces get it from migration
//! 3 (every new file runs all migrations); a workspace made before it
//! (application id 0, `user_version` ≥ 1 and Butie's three tables present)
//! is recognised as Butie's and gets it from the same migration the first
//! time it is opened for writing.
//!
//! **Two programs at once.** The version is read again inside the
//! `BEGIN IMMEDIATE` transaction of each step, so when two programs open an
//! old file at the same moment, the second one finds the step done and skips
//! it instead of running it twice.

use crate::{Result, StoreError};
use rusqlite::Connection;

/// `PRAGMA application_id` of every Butie workspace: the ASCII bytes "BUTI"
/// read as a big-endian 32-bit integer (0x42555449 = 1112888393).
pub const APPLICATION_ID: i32 = 0x4255_5449;

/// The oldest schema this build can read as it is, without migrating it
/// (needed for a workspace on read-only media, which cannot be migrated).
/// Migration 3 changes only the file header, so a version-2 file reads as
/// well as a version-3 one; migration 4 only adds the claims ledger, so a
/// version-2 or -3 file reads as a workspace with no claims.
pub const READABLE_FROM: i64 = 2;

/// (version, what it does, SQL)
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "companies, yearly facts, evaluations",
        "CREATE TABLE companies (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            uscc TEXT,
            city TEXT NOT NULL,
            district TEXT NOT NULL,
            serious_dishonesty_listed INTEGER,
            legal_rep TEXT, contact TEXT, phone TEXT, bank TEXT, bank_account TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE facts (
            company_id INTEGER NOT NULL REFERENCES companies(id),
            year INTEGER NOT NULL,
            key TEXT NOT NULL,
            value_json TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, year, key)
        );
        CREATE TABLE evaluations (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            year INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            inputs_json TEXT NOT NULL,
            packs_json TEXT NOT NULL,
            result_json TEXT NOT NULL,
            total TEXT NOT NULL,
            total_max TEXT NOT NULL
        );
        CREATE UNIQUE INDEX companies_uscc ON companies(uscc);",
    ),
    (
        2,
        "archiving, language and tool version of evaluations, append-only evaluations, search index",
        "ALTER TABLE companies ADD COLUMN archived_at TEXT;
        ALTER TABLE evaluations ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh';
        ALTER TABLE evaluations ADD COLUMN tool_version TEXT NOT NULL DEFAULT '';
        DROP INDEX companies_uscc;
        CREATE UNIQUE INDEX companies_uscc_active ON companies(uscc) WHERE archived_at IS NULL;
        CREATE INDEX companies_name ON companies(name);
        CREATE INDEX evaluations_company ON evaluations(company_id, id);
        CREATE TRIGGER evaluations_no_update BEFORE UPDATE ON evaluations
            BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;
        CREATE TRIGGER evaluations_no_delete BEFORE DELETE ON evaluations
            BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;",
    ),
    (
        3,
        "application id: PRAGMA application_id = 0x42555449 (\"BUTI\"), so a workspace is known before it is opened for writing",
        // The decimal form of `APPLICATION_ID` (a test checks they agree):
        // PRAGMA takes no hexadecimal.
        "PRAGMA application_id = 1112888393;",
    ),
    (
        4,
        "claims ledger: one claim per company, year and clause, and every change to it, append-only",
        "CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            year INTEGER NOT NULL,
            clause TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('planned', 'submitted', 'approved', 'rejected', 'withdrawn')),
            estimate TEXT,
            approved TEXT,
            date TEXT,
            note TEXT,
            updated_at TEXT NOT NULL,
            UNIQUE (company_id, year, clause)
        );
        CREATE TABLE claim_events (
            id INTEGER PRIMARY KEY,
            claim_id INTEGER NOT NULL REFERENCES claims(id),
            at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('planned', 'submitted', 'approved', 'rejected', 'withdrawn')),
            estimate TEXT,
            approved TEXT,
            date TEXT,
            note TEXT
        );
        CREATE INDEX claim_events_claim ON claim_events(claim_id, at, id);
        CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
            BEGIN SELECT RAISE(ABORT, 'claims are kept: their events are append-only'); END;
        CREATE TRIGGER claim_events_no_update BEFORE UPDATE ON claim_events
            BEGIN SELECT RAISE(ABORT, 'claim events are append-only'); END;
        CREATE TRIGGER claim_events_no_delete BEFORE DELETE ON claim_events
            BEGIN SELECT RAISE(ABORT, 'claim events are append-only'); END;",
    ),
    (
        5,
        "application materials: each policy material's status per company, year and clause; evidence files kept \
         in the workspace (name, size, SHA-256, bytes); filing windows per company, year and pack",
        "CREATE TABLE materials (
            company_id INTEGER NOT NULL REFERENCES companies(id),
            year INTEGER NOT NULL,
            clause TEXT NOT NULL,
            item TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('ready', 'not_ready', 'not_applicable')),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, year, clause, item)
        );
        CREATE TABLE evidence (
            id INTEGER PRIMARY KEY,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            year INTEGER NOT NULL,
            clause TEXT NOT NULL,
            item TEXT NOT NULL,
            name TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            added_at TEXT NOT NULL,
            data BLOB NOT NULL
        );
        CREATE INDEX evidence_item ON evidence(company_id, year, clause, item);
        CREATE TABLE deadlines (
            company_id INTEGER NOT NULL REFERENCES companies(id),
            year INTEGER NOT NULL,
            pack TEXT NOT NULL,
            start TEXT,
            end TEXT NOT NULL,
            notice TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (company_id, year, pack)
        );",
    ),
    (
        6,
        "policy packs as files: the text of every pack version used or imported, by its SHA-256, with where it \
         came from and whether a trusted key signed it; the trusted publishers' public keys",
        "CREATE TABLE pack_texts (
            sha256 TEXT PRIMARY KEY,
            pack_id TEXT NOT NULL,
            version TEXT NOT NULL,
            text TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('bundled', 'imported')),
            signer TEXT,
            verified INTEGER NOT NULL,
            added_at TEXT NOT NULL
        );
        CREATE TABLE trusted_keys (
            key_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            public_key TEXT NOT NULL,
            added_at TEXT NOT NULL
        );",
    ),
    (
        7,
        "pinned pack versions: the user's choice of the version used for a pack, in place of the newest",
        "CREATE TABLE pack_pins (
            pack_id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            pinned_at TEXT NOT NULL
        );",
    ),
    (
        8,
        "claims: the warning kept with an approved amount above the most the clause can pay that year",
        "ALTER TABLE claims ADD COLUMN above_most TEXT;
        ALTER TABLE claim_events ADD COLUMN above_most TEXT;",
    ),
    (
        9,
        "saved evaluations as typed records: each clause's status and amounts beside the rendered text (append-only), \
         filled in for evaluations saved before from their stored result",
        "CREATE TABLE evaluation_clauses (
            evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
            clause TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('eligible', 'ineligible', 'needs_input')),
            amount TEXT,
            amount_max TEXT,
            excluded_by TEXT,
            PRIMARY KEY (evaluation_id, clause)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO evaluation_clauses (evaluation_id, clause, status, amount, amount_max, excluded_by)
            SELECT e.id, json_extract(c.value, '$.id'), json_extract(c.value, '$.status'), json_extract(c.value, '$.amount'),
                   json_extract(c.value, '$.amount_max'), json_extract(c.value, '$.excluded_by')
            FROM evaluations e, json_each(e.result_json, '$.clauses') c
            WHERE json_valid(e.result_json)
              AND json_extract(c.value, '$.status') IN ('eligible', 'ineligible', 'needs_input')
              AND json_type(c.value, '$.id') = 'text';
        CREATE TRIGGER evaluation_clauses_no_update BEFORE UPDATE ON evaluation_clauses
            BEGIN SELECT RAISE(ABORT, 'saved evaluations are append-only'); END;
        CREATE TRIGGER evaluation_clauses_no_delete BEFORE DELETE ON evaluation_clauses
            BEGIN SELECT RAISE(ABORT, 'saved evaluations are append-only'); END;",
    ),
    (
        10,
        "claims: the submission date and the approval date (YYYY-MM-DD), filled in for older claims and events from \
         their single date: a submitted claim's date is its submission date, an approved claim's its approval date \
         (`claims::date_as_filing_dates`)",
        "ALTER TABLE claims ADD COLUMN submitted_on TEXT;
        ALTER TABLE claims ADD COLUMN approved_on TEXT;
        ALTER TABLE claim_events ADD COLUMN submitted_on TEXT;
        ALTER TABLE claim_events ADD COLUMN approved_on TEXT;
        UPDATE claims SET submitted_on = CASE WHEN status = 'submitted' THEN date END,
                          approved_on = CASE WHEN status = 'approved' THEN date END;
        DROP TRIGGER claim_events_no_update;
        UPDATE claim_events SET submitted_on = CASE WHEN status = 'submitted' THEN date END,
                                approved_on = CASE WHEN status = 'approved' THEN date END;
        CREATE TRIGGER claim_events_no_update BEFORE UPDATE ON claim_events
            BEGIN SELECT RAISE(ABORT, 'claim events are append-only'); END;",
    ),
    (
        SHARED_MATERIALS,
        "shared documents: a material several clauses list as one document of the company (营业执照复印件) kept once \
         per company and year under the empty clause, one evidence file per SHA-256 (the data step: \
         `materials::absorb_all` with the bundled packs)",
        "CREATE INDEX evidence_sha ON evidence(company_id, year, sha256);",
    ),
];

/// The migration that keeps shared documents once (its number is said only here).
const SHARED_MATERIALS: i64 = 11;

/// A step in Rust run after a migration's SQL, in its transaction.
type DataStep = fn(&Connection) -> Result<()>;

/// (version, step)
const DATA_STEPS: &[(i64, DataStep)] = &[(SHARED_MATERIALS, shared_materials_step)];

/// Migration 11's data: the bundled packs say which materials are shared
/// (a pack that cannot be read leaves the rows where they are: they are
/// still read, and the next write to the document moves them).
fn shared_materials_step(conn: &Connection) -> Result<()> {
    crate::materials::absorb_all(conn, &butie_core::bundled_packs().unwrap_or_default())
}

pub const LATEST_VERSION: i64 = SHARED_MATERIALS;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

fn newer(conn: &Connection, found: i64) -> StoreError {
    let path = conn.path().map(std::path::PathBuf::from).unwrap_or_default();
    StoreError::NewerVersion { path, found, supported: LATEST_VERSION }
}

/// Bring the file to the latest version (or to `upto`, for fixtures).
pub fn migrate_to(conn: &Connection, upto: i64) -> Result<()> {
    let current = user_version(conn)?;
    if current > LATEST_VERSION {
        return Err(newer(conn, current));
    }
    if current >= upto {
        // Up to date: no write lock taken.
        return Ok(());
    }
    loop {
        crate::open::retry_busy(|| conn.execute_batch("BEGIN IMMEDIATE"))?;
        // Read again under the write lock: another program may have run
        // this step since.
        let step = (|| -> Result<bool> {
            let current = user_version(conn)?;
            if current > LATEST_VERSION {
                return Err(newer(conn, current));
            }
            let Some((v, _what, sql)) = MIGRATIONS.iter().find(|(v, _, _)| *v > current && *v <= upto) else {
                return Ok(false);
            };
            conn.execute_batch(sql)?;
            for (_, step) in DATA_STEPS.iter().filter(|(d, _)| d == v) {
                step(conn)?;
            }
            conn.execute_batch(&format!("PRAGMA user_version = {v}"))?;
            Ok(true)
        })();
        match step {
            Ok(more) => {
                if let Err(e) = conn.execute_batch("COMMIT") {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e.into());
                }
                if !more {
                    return Ok(());
                }
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
    }
}

pub fn migrate(conn: &Connection) -> Result<()> {
    migrate_to(conn, LATEST_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_id_migration_writes_the_constant() {
        assert_eq!(APPLICATION_ID, i32::from_be_bytes(*b"BUTI"));
        let sql = MIGRATIONS.iter().find(|(v, _, _)| *v == 3).unwrap().2;
        assert_eq!(sql, format!("PRAGMA application_id = {APPLICATION_ID};"));
        let c = Connection::open_in_memory().unwrap();
        migrate(&c).unwrap();
        let id: i32 = c.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        assert_eq!(id, APPLICATION_ID);
        assert_eq!(user_version(&c).unwrap(), LATEST_VERSION);
        // Running it again changes nothing and takes no lock.
        migrate(&c).unwrap();
    }

    #[test]
    fn evaluations_saved_before_get_their_typed_clauses_from_the_stored_result() {
        let c = Connection::open_in_memory().unwrap();
        migrate_to(&c, 8).unwrap();
        c.execute_batch(
            r#"INSERT INTO companies (id, name, city, district, created_at, updated_at) VALUES (1, '甲', '台州市', '椒江区', 't', 't');
               INSERT INTO evaluations (company_id, year, created_at, lang, tool_version, inputs_json, packs_json, result_json, total, total_max)
               VALUES (1, 2025, 't', 'zh', '0.1.0', '{}', '[]',
                 '{"clauses":[{"id":"tz.brand.trademark","status":"eligible","amount":"93000.00","amount_max":"93000.00","excluded_by":null},
                              {"id":"tz.platform.demo_park","status":"ineligible","amount":null,"amount_max":null,"excluded_by":null}]}',
                 '93000.00', '93000.00');
               INSERT INTO evaluations (company_id, year, created_at, lang, tool_version, inputs_json, packs_json, result_json, total, total_max)
               VALUES (1, 2025, 't', 'zh', '0.1.0', '{}', '[]', 'not json', '0.00', '0.00');"#,
        )
        .unwrap();
        migrate(&c).unwrap();
        let rows: Vec<(i64, String, String, Option<String>)> = c
            .prepare("SELECT evaluation_id, clause, status, amount FROM evaluation_clauses ORDER BY clause")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (1, "tz.brand.trademark".into(), "eligible".into(), Some("93000.00".into())),
                (1, "tz.platform.demo_park".into(), "ineligible".into(), None)
            ]
        );
        assert!(c.execute("DELETE FROM evaluation_clauses", []).is_err(), "append-only");
    }

    #[test]
    fn filing_dates_of_older_claims_come_from_their_single_date_by_the_one_rule() {
        use butie_core::profile::ClaimStatus;
        let c = Connection::open_in_memory().unwrap();
        migrate_to(&c, 9).unwrap();
        c.execute_batch(
            "INSERT INTO companies (id, name, city, district, created_at, updated_at) VALUES (1, '甲', '台州市', '椒江区', 't', 't');",
        )
        .unwrap();
        for (i, s) in ClaimStatus::ALL.iter().enumerate() {
            c.execute(
                "INSERT INTO claims (id, company_id, year, clause, status, date, updated_at) VALUES (?1, 1, 2025, ?2, ?3, '2026-03-31', 't')",
                rusqlite::params![i as i64 + 1, format!("c{i}"), s.as_str()],
            )
            .unwrap();
            c.execute(
                "INSERT INTO claim_events (claim_id, at, status, date) VALUES (?1, 't', ?2, '2026-03-31')",
                rusqlite::params![i as i64 + 1, s.as_str()],
            )
            .unwrap();
        }
        migrate(&c).unwrap();
        for table in ["claims", "claim_events"] {
            let id = if table == "claims" { "id" } else { "claim_id" };
            for (i, s) in ClaimStatus::ALL.iter().enumerate() {
                let got: (Option<String>, Option<String>) = c
                    .query_row(&format!("SELECT submitted_on, approved_on FROM {table} WHERE {id} = ?1"), [i as i64 + 1], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .unwrap();
                let (sub, app) = crate::claims::date_as_filing_dates(*s, Some("2026-03-31"));
                assert_eq!((got.0.as_deref(), got.1.as_deref()), (sub, app), "{table} {s:?}");
            }
        }
        assert!(c.execute("UPDATE claim_events SET note = 'x'", []).is_err(), "still append-only");
    }
}

//! Schema migrations, numbered in code and recorded in `PRAGMA user_version`.
//! Each runs in one transaction; a file is never left between versions.

use crate::{Result, StoreError};
use rusqlite::Connection;

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
];

pub const LATEST_VERSION: i64 = 2;

/// Bring the file to the latest version (or to `upto`, for fixtures).
pub fn migrate_to(conn: &Connection, upto: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST_VERSION {
        let path = conn.path().map(std::path::PathBuf::from).unwrap_or_default();
        return Err(StoreError::NewerVersion { path, found: current, supported: LATEST_VERSION });
    }
    for (v, _what, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current && *v <= upto) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let r = conn.execute_batch(sql).and_then(|_| conn.execute_batch(&format!("PRAGMA user_version = {v}")));
        match r {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
    }
    Ok(())
}

pub fn migrate(conn: &Connection) -> Result<()> {
    migrate_to(conn, LATEST_VERSION)
}

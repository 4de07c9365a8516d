//! Checking a workspace file row by row, read the way Butie reads it, so
//! that a restore refuses a damaged or hand-edited backup before it
//! touches anything.

use crate::error::open_failure;
use crate::{disk, Result, StoreError, Table};
use butie_core::policy::Pack;
use butie_core::profile::{fact_index, parse_fact_value};
use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;

/// The whole check `restore` makes of a backup before it touches anything:
/// `FileNotFound` if there is no file; then, through a read-only connection
/// that changes nothing: a Butie workspace (its `application_id`, or one
/// made before Butie set it), not newer than this build, `PRAGMA
/// integrity_check` and `foreign_key_check` clean, and every company, every
/// stored fact's JSON, every saved evaluation's JSON and every claim and
/// claim event readable the way Butie reads them (`BackupDamaged` names the
/// first row that is not).
pub fn check_workspace_file(path: &Path) -> Result<()> {
    let (conn, version) = disk::checked_snapshot(path)?;
    check_rows(path, &conn, version)
}

/// Every stored fact of a key the packs define reads as they define it.
pub(crate) fn check_fact_types(path: &Path, conn: &Connection, packs: &[Pack]) -> Result<()> {
    let read = |e: rusqlite::Error| open_failure(path, e);
    let index = fact_index(packs);
    let mut st = conn.prepare("SELECT rowid, key, value_json FROM facts").map_err(read)?;
    let mut rows = st.query([]).map_err(read)?;
    while let Some(r) = rows.next().map_err(read)? {
        let (rowid, key, text): (i64, String, String) = (r.get(0).map_err(read)?, r.get(1).map_err(read)?, r.get(2).map_err(read)?);
        let Some(def) = index.get(key.as_str()) else { continue };
        let ok = serde_json::from_str::<Value>(&text).ok().is_some_and(|v| parse_fact_value(&key, def, &v).is_ok());
        if !ok {
            return Err(StoreError::BackupDamaged { path: path.to_path_buf(), table: Table::Facts, rowid, column: "value_json" });
        }
    }
    Ok(())
}

/// Every row of `conn` (the file `path`, schema `version`) read as normal use
/// reads it.
pub(crate) fn check_rows(path: &Path, conn: &Connection, version: i64) -> Result<()> {
    let read = |e: rusqlite::Error| open_failure(path, e);
    let damaged = |table, rowid, column| StoreError::BackupDamaged { path: path.to_path_buf(), table, rowid, column };
    let mut tables = workspace_tables(version);
    // The claims ledger, from version 4 on.
    if version >= 4 {
        tables.extend(ledger_tables(version));
    }
    for (table, sql, columns) in &tables {
        let mut st = conn.prepare(sql).map_err(read)?;
        let mut rows = st.query([]).map_err(read)?;
        while let Some(r) = rows.next().map_err(read)? {
            let rowid: i64 = r.get(0).map_err(read)?;
            // Column i + 1: column 0 is the rowid.
            for (i, (column, readable)) in columns.iter().enumerate() {
                if !readable(r, i + 1) {
                    return Err(damaged(*table, rowid, column));
                }
            }
        }
    }
    Ok(())
}

/// Whether column `i` of the row reads as Butie reads it.
type Check = fn(&rusqlite::Row, usize) -> bool;
/// A table, the query that reads it (rowid first), and its columns in order.
type TableCheck = (Table, String, Vec<(&'static str, Check)>);

/// Companies, facts and evaluations, as a file of schema `version` holds them.
fn workspace_tables(version: i64) -> Vec<TableCheck> {
    use cell::{json, money, name, ok, packs, text, year};
    // Columns a version-1 file does not have read as their migration's default.
    let v2 = |col: &'static str, default: &'static str| if version >= 2 { col } else { default };
    vec![
        (
            Table::Companies,
            format!(
                "SELECT rowid, name, uscc, city, district, serious_dishonesty_listed, legal_rep, contact, phone, bank, bank_account, {} FROM companies",
                v2("archived_at", "NULL")
            ),
            vec![
                ("name", name),
                ("uscc", text),
                ("city", name),
                ("district", name),
                ("serious_dishonesty_listed", ok::<Option<bool>>),
                ("legal_rep", text),
                ("contact", text),
                ("phone", text),
                ("bank", text),
                ("bank_account", text),
                ("archived_at", ok::<Option<String>>),
            ],
        ),
        (
            Table::Facts,
            "SELECT rowid, company_id, year, key, value_json FROM facts".to_string(),
            vec![("company_id", ok::<i64>), ("year", year), ("key", ok::<String>), ("value_json", json)],
        ),
        (
            Table::Evaluations,
            format!(
                "SELECT rowid, company_id, year, created_at, {}, {}, packs_json, total, total_max, inputs_json, result_json FROM evaluations",
                v2("lang", "'zh'"),
                v2("tool_version", "''")
            ),
            vec![
                ("company_id", ok::<i64>),
                ("year", year),
                ("created_at", ok::<String>),
                ("lang", ok::<String>),
                ("tool_version", ok::<String>),
                ("packs_json", packs),
                ("total", money),
                ("total_max", money),
                ("inputs_json", json),
                ("result_json", json),
            ],
        ),
    ]
}

/// The claims ledger (schema 4 on): the claims and their events; from
/// schema 10 on their submission and approval dates, real `YYYY-MM-DD`
/// dates, the approval not before the submission.
fn ledger_tables(version: i64) -> [TableCheck; 2] {
    use cell::{amount, date, ok, status};
    let mut state: Vec<(&'static str, Check)> =
        vec![("status", status), ("estimate", amount), ("approved", amount), ("date", date), ("note", ok::<Option<String>>)];
    // Columns a file before schema 10 does not have read as NULL.
    let dates = if version >= 10 { "submitted_on, approved_on" } else { "NULL, NULL" };
    state.extend([("submitted_on", date as Check), ("approved_on", cell::approved_on as Check)]);
    let mut claim_cols: Vec<(&'static str, Check)> =
        vec![("company_id", ok::<i64>), ("year", ok::<i32>), ("clause", ok::<String>), ("updated_at", ok::<String>)];
    claim_cols.extend(state.iter().copied());
    let mut event_cols: Vec<(&'static str, Check)> = vec![("claim_id", ok::<i64>), ("at", ok::<String>)];
    event_cols.extend(state);
    [
        (
            Table::Claims,
            format!("SELECT rowid, company_id, year, clause, updated_at, status, estimate, approved, date, note, {dates} FROM claims"),
            claim_cols,
        ),
        (
            Table::ClaimEvents,
            format!("SELECT rowid, claim_id, at, status, estimate, approved, date, note, {dates} FROM claim_events"),
            event_cols,
        ),
    ]
}

/// The checks of one cell: whether column `i` of a row reads as Butie reads it.
mod cell {
    use crate::claims;
    use rusqlite::types::FromSql;
    use serde_json::Value;

    pub(super) fn ok<T: FromSql>(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, T>(i).is_ok()
    }
    pub(super) fn json(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).map(|t| serde_json::from_str::<Value>(&t).is_ok()).unwrap_or(false)
    }
    /// Text as the company form accepts it: no control or bidi characters,
    /// at most 200 characters (a hand-edited backup must not bring in a name
    /// that retitles a terminal or cannot be exported again).
    pub(super) fn text(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, Option<String>>(i)
            .map(|o| o.is_none_or(|t| t.chars().count() <= 200 && !t.chars().any(butie_core::profile::is_control_char)))
            .unwrap_or(false)
    }
    pub(super) fn name(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).is_ok() && text(r, i)
    }
    pub(super) fn year(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, i32>(i).is_ok_and(|y| (2000..=2100).contains(&y))
    }
    pub(super) fn money(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).is_ok_and(|t| t.parse::<rust_decimal::Decimal>().is_ok())
    }
    /// Each pack entry's hash is hex digits, as Butie writes it.
    pub(super) fn packs(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()).and_then(|v| v.as_array().cloned()).is_some_and(
            |a| {
                // Old workspaces kept no hash; a kept one is hex digits.
                a.iter().all(|p| match p.get("content_hash") {
                    None => p.is_object(),
                    Some(h) => h.as_str().is_some_and(|h| h.len() <= 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
                })
            },
        )
    }
    pub(super) fn status(r: &rusqlite::Row, i: usize) -> bool {
        claims::status_at(r, i).is_ok()
    }
    pub(super) fn amount(r: &rusqlite::Row, i: usize) -> bool {
        claims::amount_at(r, i).is_ok()
    }
    /// A real `YYYY-MM-DD` date, or none, as `claims::check_date` accepts one.
    pub(super) fn date(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, Option<String>>(i)
            .is_ok_and(|d| d.is_none_or(|d| claims::check_date("", Some(&d)).is_ok_and(|c| c.as_deref() == Some(&d))))
    }
    /// The approval date (the column after the submission date): a date, not before the submission date.
    pub(super) fn approved_on(r: &rusqlite::Row, i: usize) -> bool {
        date(r, i)
            && match (r.get::<_, Option<String>>(i - 1), r.get::<_, Option<String>>(i)) {
                (Ok(Some(s)), Ok(Some(a))) => a >= s,
                _ => true,
            }
    }
}

/// The staged backup's schema objects (tables, indexes, triggers, views),
/// once migrated, are exactly those of a new workspace: a trigger carried
/// in, the append-only triggers taken out or a table changed is refused
/// (`BackupNotOurs`). SQL is compared with runs of white space made one.
pub(crate) fn check_schema(path: &Path, conn: &Connection) -> Result<()> {
    use crate::SchemaProblem as S;
    use std::collections::BTreeMap;
    let objects = |c: &Connection| -> rusqlite::Result<BTreeMap<(String, String), String>> {
        let mut st = c.prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")?;
        let rows = st.query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, String>(2)?)))?;
        rows.map(|r| r.map(|(k, sql)| (k, sql.split_whitespace().collect::<Vec<_>>().join(" ")))).collect()
    };
    let reference = Connection::open_in_memory()?;
    crate::migrate(&reference)?;
    let want = objects(&reference)?;
    let got = objects(conn).map_err(|e| open_failure(path, e))?;
    let refuse = |(kind, name): &(String, String), problem| StoreError::BackupNotOurs {
        path: path.to_path_buf(),
        kind: kind.clone(),
        name: name.clone(),
        problem,
    };
    for (k, sql) in &got {
        match want.get(k) {
            None => return Err(refuse(k, S::Extra)),
            Some(w) if w != sql => return Err(refuse(k, S::Changed)),
            Some(_) => {}
        }
    }
    match want.keys().find(|k| !got.contains_key(*k)) {
        Some(k) => Err(refuse(k, S::Missing)),
        None => Ok(()),
    }
}

/// Every kept pack text's SHA-256 is its text's: a text changed in the
/// backup under its old hash (a built-in pack's rules rewritten) is refused.
pub(crate) fn check_pack_texts(path: &Path, conn: &Connection) -> Result<()> {
    let read = |e: rusqlite::Error| open_failure(path, e);
    let mut st = conn.prepare("SELECT rowid, sha256, text FROM pack_texts").map_err(read)?;
    let mut rows = st.query([]).map_err(read)?;
    while let Some(r) = rows.next().map_err(read)? {
        let (rowid, sha, text): (i64, String, String) = (r.get(0).map_err(read)?, r.get(1).map_err(read)?, r.get(2).map_err(read)?);
        if crate::sha256_hex(text.as_bytes()) != sha {
            return Err(StoreError::BackupDamaged { path: path.to_path_buf(), table: crate::Table::PackTexts, rowid, column: "text" });
        }
    }
    Ok(())
}

/// A backup vouches for nothing: a pack text it marks verified stays
/// verified only if the live workspace verified that very text itself
/// (by its SHA-256); any other is kept as unverified (its signature can be
/// imported again). Returns the `pack_id version` of each text so changed.
pub(crate) fn unverify_backup_texts(stage: &Connection, live: Option<&Connection>) -> Result<Vec<String>> {
    // The same text, verified here, by the same signer.
    let vouched = |sha: &str, signer: &Option<String>| -> bool {
        live.is_some_and(|c| {
            c.query_row(
                "SELECT count(*) FROM pack_texts WHERE sha256 = ?1 AND verified = 1 AND origin = 'imported' AND signer IS ?2",
                rusqlite::params![sha, signer],
                |r| r.get::<_, i64>(0),
            )
            .is_ok_and(|n| n > 0)
        })
    };
    let mut st = stage.prepare("SELECT sha256, pack_id, version, signer FROM pack_texts WHERE verified = 1 AND origin = 'imported'")?;
    let rows: Vec<(String, String, String, Option<String>)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut changed = Vec::new();
    for (sha, id, version, signer) in rows {
        if !vouched(&sha, &signer) {
            stage.execute("UPDATE pack_texts SET verified = 0, signer = NULL WHERE sha256 = ?1", [&sha])?;
            changed.push(format!("{id} {version}"));
        }
    }
    // A built-in text is only ever verified as built in: never a signer's.
    stage.execute("UPDATE pack_texts SET signer = NULL WHERE origin = 'bundled' AND signer IS NOT NULL", [])?;
    Ok(changed)
}

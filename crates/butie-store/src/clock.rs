//! Dates and times as the store writes them, from SQLite's own clock.

use crate::Result;
use rusqlite::Connection;

/// The date of a Unix time in this machine's time zone, `YYYY-MM-DD`
/// (SQLite's own time-zone conversion, so that no other crate is needed).
pub fn local_date(unix: i64) -> String {
    let day = |c: &Connection| c.query_row("SELECT date(?1, 'unixepoch', 'localtime')", [unix], |r| r.get::<_, String>(0));
    Connection::open_in_memory().and_then(|c| day(&c)).unwrap_or_else(|_| "1970-01-01".into())
}

pub(crate) fn now_utc(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", [], |r| r.get(0))?)
}

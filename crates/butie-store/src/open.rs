//! Opening a workspace file: examined read-only first, then opened for
//! writing (and brought to the latest schema) when it can be, for reading
//! when it cannot; and the one write transaction every change goes through.

use crate::error::{lacks_write_access, open_failure, write_failure};
use crate::{disk, migrate, IoAction, Result, StoreError, Workspace, READABLE_FROM};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// How long a connection waits for another program's lock before giving up.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The default workspace file in the OS's app data directory.
pub fn default_path() -> PathBuf {
    let base = if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from(".")).join("butie").join("workspace.sqlite")
}

impl Workspace {
    /// Open an existing workspace and bring it to the latest schema.
    ///
    /// A missing file is `WorkspaceMissing` (nothing is created; see
    /// [`Workspace::open_or_create`]). The file is first examined through a
    /// read-only connection that creates nothing beside it: an empty file,
    /// a text file, another program's SQLite file or one from a newer Butie
    /// is refused exactly as it was. A workspace that cannot be opened for
    /// writing (read-only media, no permission) is opened for reading
    /// ([`Workspace::is_read_only`]); its writes fail with `ReadOnly`.
    pub fn open(path: &Path) -> Result<Self> {
        if !disk::exists(path)? {
            return Err(StoreError::WorkspaceMissing { path: path.to_path_buf() });
        }
        // A copy of the data a killed backup or restore left hidden beside
        // it goes at the next open, not only at the next restore.
        disk::sweep_stale_temps(path);
        let (probe, version) = disk::examine(path)?;
        drop(probe);
        Self::open_examined(path, version, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    /// Open the workspace at `path`, first creating its folder and a new,
    /// empty workspace there if there is no file. The new file is built under
    /// a temporary name and given its name only when complete (never over a
    /// file another program made meanwhile), so a crash leaves either no file
    /// or a whole workspace. An existing file is opened as by `open`.
    pub fn open_or_create(path: &Path) -> Result<Self> {
        if let Some(dir) = disk::parent_dir(path) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io { path: dir.to_path_buf(), action: IoAction::CreateDir, source: e })?;
        }
        if !disk::exists(path)? {
            disk::create_workspace_file(path)?;
        }
        Self::open(path)
    }

    /// `rw_flags` is how the read-write attempt opens the file; tests pass
    /// read-only flags to stand in for read-only media.
    fn open_examined(path: &Path, version: i64, rw_flags: OpenFlags) -> Result<Self> {
        match Self::open_read_write(path, rw_flags) {
            Ok(ws) => Ok(ws),
            Err(e) if lacks_write_access(&e) => Self::open_for_reading(path, version).map_err(|re| match re {
                // Not readable either: the first error says more.
                StoreError::ReadOnly { .. } => re,
                _ => e,
            }),
            Err(e) => Err(e),
        }
    }

    fn open_read_write(path: &Path, flags: OpenFlags) -> Result<Self> {
        // Never SQLITE_OPEN_CREATE: a file removed since it was examined is
        // not silently made anew.
        let conn = Connection::open_with_flags(disk::plain_name(path), flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| open_failure(path, e))?;
        // SQLite opens a write-protected file read-only without a word.
        if conn.is_readonly(rusqlite::DatabaseName::Main)? {
            return Err(StoreError::ReadOnly { path: path.to_path_buf() });
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        retry_busy(|| conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))).map_err(|e| open_failure(path, e))?;
        // secure_delete: a removed evidence file's bytes are overwritten, not
        // left in free pages (and so in later backups).
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;")?;
        migrate(&conn).map_err(|e| match e {
            // Name the file as the caller did, not as SQLite resolved it.
            StoreError::NewerVersion { found, supported, .. } => StoreError::NewerVersion { path: path.to_path_buf(), found, supported },
            e => write_failure(path, e),
        })?;
        Ok(Workspace {
            conn,
            path: path.to_path_buf(),
            read_only: false,
            ledger: true,
            filing_dates: true,
            has_materials: true,
            has_packs: true,
        })
    }

    /// The read-only fallback: a plain read-only connection (which reads a
    /// live `-wal`), or, where SQLite cannot make the `-shm` it needs beside
    /// a WAL file (a read-only folder or medium), one that takes the file as
    /// immutable. A file older than `READABLE_FROM` needs migrating, which
    /// cannot be done here: `ReadOnly`.
    fn open_for_reading(path: &Path, version: i64) -> Result<Self> {
        if version < READABLE_FROM {
            return Err(StoreError::ReadOnly { path: path.to_path_buf() });
        }
        let try_open = |immutable: bool| -> Result<Connection> {
            let c = disk::open_read_only(path, immutable)?;
            c.execute_batch("PRAGMA foreign_keys = ON;")?;
            c.query_row("SELECT count(*) FROM companies", [], |r| r.get::<_, i64>(0)).map_err(|e| open_failure(path, e))?;
            Ok(c)
        };
        let conn = match try_open(false) {
            Ok(c) => c,
            Err(_) => try_open(true)?,
        };
        let ledger =
            conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'claims'", [], |r| r.get::<_, i64>(0))? > 0;
        let has_materials = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'evidence'", [], |r| r.get::<_, i64>(0))?
            > 0;
        let has_packs = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'pack_texts'", [], |r| r.get::<_, i64>(0))?
            > 0;
        let filing_dates = ledger
            && conn
                .query_row("SELECT count(*) FROM pragma_table_info('claims') WHERE name = 'submitted_on'", [], |r| r.get::<_, i64>(0))?
                > 0;
        Ok(Workspace { conn, path: path.to_path_buf(), read_only: true, ledger, filing_dates, has_materials, has_packs })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Whether the workspace could only be opened for reading: every write
    /// then fails with `ReadOnly`.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Run `f` in one write transaction, begun IMMEDIATE (it waits for the
    /// write lock, up to `BUSY_TIMEOUT`, before reading anything), committed
    /// if `f` succeeds and rolled back otherwise.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let path = &self.path;
        if self.read_only {
            return Err(StoreError::ReadOnly { path: path.clone() });
        }
        let tx = begin_immediate(&self.conn).map_err(|e| write_failure(path, e.into()))?;
        let v = f(&tx).map_err(|e| write_failure(path, e))?;
        tx.commit().map_err(|e| write_failure(path, e.into()))?;
        Ok(v)
    }
}

/// Run `step` again while SQLite answers SQLITE_BUSY without having waited
/// (it skips the busy handler where waiting could deadlock, and while a
/// program opening the same new workspace sets up its WAL), for up to
/// `BUSY_TIMEOUT` in all: two programs opening one workspace at once both work.
pub(crate) fn retry_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(2);
    loop {
        match step() {
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) && start.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

/// BEGIN IMMEDIATE, retried as [`retry_busy`] says.
fn begin_immediate(conn: &Connection) -> rusqlite::Result<Transaction<'_>> {
    retry_busy(|| Transaction::new_unchecked(conn, TransactionBehavior::Immediate))
}

#[cfg(test)]
mod tests {
    //! Read-only media, simulated: the tests run as root, for whom a file
    //! chmod 0444 in a folder chmod 0555 is still writable, so here the
    //! read-write attempt is made with SQLITE_OPEN_READ_ONLY (what SQLite
    //! hands back for a write-protected file), or the connection is opened
    //! through a `?mode=ro` URI. The real thing, for a user who is not root,
    //! is `read_only_files_open_for_reading` in tests/it/store.rs.
    use super::*;
    use crate::companies::company_to_value;
    use crate::{check_workspace_file, migrate_to, APPLICATION_ID};
    use butie_core::profile::{Company, Facts};
    use serde_json::json;

    fn company(name: &str) -> Company {
        Company { name: name.into(), city: "台州市".into(), district: "椒江区".into(), ..Company::default() }
    }

    fn names(ws: &Workspace) -> Vec<String> {
        ws.list_companies(None).unwrap().into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn a_workspace_that_cannot_be_written_opens_for_reading_and_says_so_on_writes() {
        let packs = butie_core::bundled_packs().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.sqlite");
        let id = Workspace::open_or_create(&path).unwrap().add_company(&company("甲"), &packs).unwrap();
        let before = std::fs::read(&path).unwrap();
        let (probe, version) = disk::examine(&path).unwrap();
        drop(probe);
        let mut ws = Workspace::open_examined(&path, version, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        assert!(ws.is_read_only());
        assert_eq!(names(&ws), ["甲"]);
        assert_eq!(ws.get_company(id).unwrap().company.name, "甲");
        let read_only = |r: Result<()>| match r {
            Err(StoreError::ReadOnly { path: p }) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        };
        read_only(ws.add_company(&company("乙"), &packs).map(|_| ()));
        read_only(ws.set_facts(id, 2025, &Facts::new()));
        read_only(ws.update_company(id, &company("丙"), &packs));
        read_only(ws.delete_company(id, true).map(|_| ()));
        read_only(ws.import(&json!({"company": company_to_value(&company("丁")), "years": {}}), &packs, false).map(|_| ()));
        // A backup of it can still be made.
        let bak = dir.path().join("copy.sqlite");
        ws.backup(&bak).unwrap();
        check_workspace_file(&bak).unwrap();
        drop(ws);
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written");
    }

    #[test]
    fn sqlite_readonly_and_full_become_read_only_and_disk_full() {
        let packs = butie_core::bundled_packs().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.sqlite");
        drop(Workspace::open_or_create(&path).unwrap());
        // Opened through `?mode=ro` while believed writable: SQLite's own
        // SQLITE_READONLY on the write becomes `ReadOnly`.
        let conn = Connection::open_with_flags(
            disk::sqlite_uri(&path, "mode=ro"),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .unwrap();
        let mut ws = Workspace {
            conn,
            path: path.clone(),
            read_only: false,
            ledger: true,
            filing_dates: true,
            has_materials: true,
            has_packs: true,
        };
        assert!(matches!(ws.add_company(&company("甲"), &packs), Err(StoreError::ReadOnly { path: p }) if p == path));
        let full = write_failure(&path, StoreError::Sql(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(13), None)));
        assert!(matches!(full, StoreError::DiskFull { path: p } if p == path));
        #[cfg(unix)]
        {
            let io = StoreError::Io { path: path.clone(), action: IoAction::Sync, source: std::io::Error::from_raw_os_error(28) };
            assert!(matches!(write_failure(&path, io), StoreError::DiskFull { .. }));
        }
    }

    /// A Butie workspace from before the application id, on read-only media:
    /// version 2 reads as it is and its backup gets the id; version 1 would
    /// need migrating, which read-only media cannot.
    #[test]
    fn an_old_workspace_on_read_only_media() {
        let packs = butie_core::bundled_packs().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let v2 = dir.path().join("v2.sqlite");
        {
            let c = Connection::open(&v2).unwrap();
            migrate_to(&c, 2).unwrap();
            c.execute_batch(
                "INSERT INTO companies (name, city, district, created_at, updated_at) VALUES ('旧', '台州市', '椒江区', 't', 't');",
            )
            .unwrap();
        }
        let (probe, version) = disk::examine(&v2).unwrap();
        drop(probe);
        assert_eq!(version, 2);
        let ws = Workspace::open_examined(&v2, version, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        assert!(ws.is_read_only());
        assert_eq!(names(&ws), ["旧"]);
        // No claims ledger in a file this old: it reads as an empty one.
        let id = ws.list_companies(None).unwrap()[0].id;
        assert!(ws.claims(id, None).unwrap().is_empty());
        assert!(ws.profile(id, 2025, &packs).unwrap().history.is_empty());
        let bak = dir.path().join("v2-backup.sqlite");
        ws.backup(&bak).unwrap();
        let c = disk::open_read_only(&bak, true).unwrap();
        assert_eq!(c.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0)).unwrap(), APPLICATION_ID);
        let v1 = dir.path().join("v1.sqlite");
        std::fs::copy("tests/fixtures/workspace-v1.sqlite", &v1).unwrap();
        match Workspace::open_examined(&v1, 1, OpenFlags::SQLITE_OPEN_READ_ONLY) {
            Err(StoreError::ReadOnly { path }) => assert_eq!(path, v1),
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("opened"),
        }
        // The schema just before the ledger (the v3 fixture) reads the same way.
        let v3 = dir.path().join("v3.sqlite");
        std::fs::copy("tests/fixtures/workspace-v3.sqlite", &v3).unwrap();
        let ws = Workspace::open_examined(&v3, 3, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        assert!(ws.is_read_only());
        assert_eq!(ws.list_companies(None).unwrap().len(), 2);
        assert!(ws.claims(1, None).unwrap().is_empty());
        assert_eq!(ws.profile(1, 2025, &packs).unwrap().facts.len(), 4);
    }
}

//! The workspace as a file: looking at a file without changing it, writing
//! whole files under a temporary name and naming them without replacing
//! anything, and copying databases with SQLite's online backup API.

use crate::error::{open_failure, write_failure};
use crate::{IoAction, NotWorkspaceWhy, Result, StoreError, APPLICATION_ID, BUSY_TIMEOUT, LATEST_VERSION};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::fs::OpenOptions;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The folder of `path`, when it names one (not for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().filter(|d| !d.as_os_str().is_empty())
}

/// `path` with `suffix` appended to its name: `ws.sqlite` → `ws.sqlite-wal`.
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Whether something is at `path` (following symbolic links).
pub(crate) fn exists(path: &Path) -> Result<bool> {
    path.try_exists().map_err(|e| io_failure(path, IoAction::Inspect, e))
}

/// A failed file-system step on `path`; a full disk is `DiskFull`.
pub(crate) fn io_failure(path: &Path, action: IoAction, e: io::Error) -> StoreError {
    if is_disk_full(&e) {
        StoreError::DiskFull { path: path.to_path_buf() }
    } else {
        StoreError::Io { path: path.to_path_buf(), action, source: e }
    }
}

/// ENOSPC, or Windows' ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL.
/// (`io::ErrorKind::StorageFull` is newer than this workspace's MSRV.)
pub(crate) fn is_disk_full(e: &io::Error) -> bool {
    #[cfg(unix)]
    const CODES: &[i32] = &[28]; // ENOSPC on Linux, macOS and the BSDs
    #[cfg(windows)]
    const CODES: &[i32] = &[39, 112];
    #[cfg(not(any(unix, windows)))]
    const CODES: &[i32] = &[];
    e.raw_os_error().is_some_and(|c| CODES.contains(&c))
}

/// An SQLite URI for `path` with `query` (e.g. `immutable=1`): the absolute
/// path, percent-encoded byte by byte, so any name (spaces, `?`, `#`, `%`,
/// Chinese) reaches SQLite as it is.
pub(crate) fn sqlite_uri(path: &Path, query: &str) -> String {
    fn encode(bytes: &[u8], out: &mut String) {
        for &b in bytes {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || (cfg!(windows) && b == b':') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        encode(abs.as_os_str().as_bytes(), &mut uri);
    }
    #[cfg(not(unix))]
    {
        // SQLite wants `file:/C:/dir/name`.
        let s = abs.to_string_lossy().replace('\\', "/");
        let s = s.strip_prefix("//?/").unwrap_or(&s);
        if !s.starts_with('/') {
            uri.push('/');
        }
        encode(s.as_bytes(), &mut uri);
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// The name SQLite is given for `path`. SQLite reads a name beginning with
/// `file:` as a URI (another database, `?mode=memory`, options), so a
/// relative path spelled so is given as `./file:…`: always a plain file.
pub(crate) fn plain_name(path: &Path) -> PathBuf {
    if path.is_relative() && path.as_os_str().to_string_lossy().starts_with("file:") {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    }
}

/// A read-only connection to `path`. With `immutable`, SQLite is told that
/// nothing changes the file: it takes no lock and creates no `-wal` or `-shm`
/// beside it (only safe when there is no `-wal` to read).
pub(crate) fn open_read_only(path: &Path, immutable: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        Connection::open_with_flags(sqlite_uri(path, "immutable=1"), flags | OpenFlags::SQLITE_OPEN_URI)
    } else {
        Connection::open_with_flags(plain_name(path), flags)
    }
    .map_err(|e| open_failure(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Look at the file `path` without changing it, and say whether it is a
/// Butie workspace this build can use: its schema version if so, else why
/// not. Returns the read-only connection with a read transaction open, so
/// what is checked next is the same snapshot.
///
/// Nothing is written or created: with no `-wal` (or `-journal`) beside the
/// file, it is read as immutable (a read-only connection to a WAL file would
/// otherwise create a `-wal` and `-shm` next to it — next to another
/// program's file too); with one, normally, so a live workspace's latest
/// commits are seen.
pub(crate) fn examine(path: &Path) -> Result<(Connection, i64)> {
    let meta = std::fs::metadata(path).map_err(|e| io_failure(path, IoAction::Inspect, e))?;
    // Before SQLite opens it: a FIFO would block forever, a folder or a
    // device would give a misleading I/O error.
    if !meta.is_file() {
        return Err(StoreError::NotAWorkspace {
            path: path.to_path_buf(),
            why: NotWorkspaceWhy::NotAFile { kind: crate::FileKind::of(&meta) },
        });
    }
    let wal = sibling(path, "-wal");
    if meta.is_file() && meta.len() == 0 && file_len(&wal) == 0 {
        return Err(StoreError::NotAWorkspace { path: path.to_path_buf(), why: NotWorkspaceWhy::Empty });
    }
    let quiet = !wal.exists() && !sibling(path, "-journal").exists();
    let first = open_read_only(path, quiet).and_then(|c| identify(path, &c).map(|v| (c, v)));
    match first {
        // A `-wal` appeared meanwhile (another program began writing), or the
        // URI could not name the file (a network share): read it normally.
        Err(e) if quiet && (wal.exists() || matches!(e, StoreError::CannotOpen { .. })) => {
            let c = open_read_only(path, false)?;
            let v = identify(path, &c)?;
            Ok((c, v))
        }
        r => r,
    }
}

/// Begin a read transaction on `conn` and decide what the file is.
fn identify(path: &Path, conn: &Connection) -> Result<i64> {
    conn.execute_batch("BEGIN").map_err(|e| open_failure(path, e))?;
    let int = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map_err(|e| open_failure(path, e));
    // The first read of the file: a text file fails here, "not a database".
    let application_id = int("PRAGMA application_id")? as i32;
    let version = int("PRAGMA user_version")?;
    let tables = int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('companies', 'facts', 'evaluations')")?;
    let not = |why| Err(StoreError::NotAWorkspace { path: path.to_path_buf(), why });
    // Butie's by its id, or made by Butie before it set one.
    let butie = application_id == APPLICATION_ID || (application_id == 0 && version >= 1 && tables == 3);
    if !butie {
        return if application_id != 0 {
            not(NotWorkspaceWhy::OtherApplication { application_id })
        } else if version <= 0 {
            not(NotWorkspaceWhy::UnknownVersion { found: version })
        } else {
            not(NotWorkspaceWhy::MissingTables)
        };
    }
    if version > LATEST_VERSION {
        return Err(StoreError::NewerVersion { path: path.to_path_buf(), found: version, supported: LATEST_VERSION });
    }
    if version <= 0 {
        return not(NotWorkspaceWhy::UnknownVersion { found: version });
    }
    if tables != 3 {
        return not(NotWorkspaceWhy::MissingTables);
    }
    Ok(version)
}

/// `examine`, then `PRAGMA integrity_check` and `foreign_key_check`, in one
/// read snapshot that stays open on the returned connection. `FileNotFound`
/// when there is no file.
pub(crate) fn checked_snapshot(path: &Path) -> Result<(Connection, i64)> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            return Err(StoreError::NotAWorkspace {
                path: path.to_path_buf(),
                why: NotWorkspaceWhy::NotAFile { kind: crate::FileKind::of(&m) },
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(StoreError::FileNotFound { path: path.to_path_buf() }),
        Err(e) => return Err(io_failure(path, IoAction::Inspect, e)),
    }
    let (conn, version) = examine(path)?;
    let damaged = |report: String| StoreError::NotAWorkspace { path: path.to_path_buf(), why: NotWorkspaceWhy::Damaged { report } };
    let report: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| open_failure(path, e))?;
    if report != "ok" {
        return Err(damaged(report));
    }
    let orphan: Option<(String, Option<i64>)> =
        conn.query_row("PRAGMA foreign_key_check", [], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(|e| open_failure(path, e))?;
    if let Some((table, rowid)) = orphan {
        return Err(damaged(format!("foreign key: {table} row {}", rowid.unwrap_or(0))));
    }
    Ok((conn, version))
}

/// A file being written under a temporary name in its target's folder
/// (`.<name>.<pid>-<n>.tmp`), removed when dropped unless it was named.
pub(crate) struct TempFile {
    path: PathBuf,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Remove temporary files that a killed backup or restore left beside
/// `target` (`.NAME.PID-N.tmp` and their journals) whose process is gone:
/// each may be a whole copy of the data, hidden from the user.
pub(crate) fn sweep_stale_temps(target: &Path) {
    let (Some(dir), Some(name)) =
        (parent_dir(target).or(Some(Path::new("."))), target.file_name().map(|n| n.to_string_lossy().into_owned()))
    else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) else { return };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else { continue };
        let core = rest.strip_suffix(".tmp").or_else(|| rest.strip_suffix(".tmp-journal"));
        let Some(pid) = core.and_then(|c| c.split_once('-')).and_then(|(p, n)| n.parse::<u64>().ok().and(p.parse::<u32>().ok())) else {
            continue;
        };
        // Where there is no /proc (Windows, macOS) another process cannot be
        // asked about this way: its file is left alone unless a day old.
        let alive = pid == std::process::id()
            || if Path::new("/proc/self").exists() {
                Path::new(&format!("/proc/{pid}")).exists()
            } else {
                e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_none_or(|age| age.as_secs() < 86_400)
            };
        // Only regular files, never through a link.
        if !alive && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

impl TempFile {
    /// A new empty file beside `target` (created with `create_new`, so never
    /// through a link someone placed at that name).
    pub(crate) fn beside(target: &Path) -> Result<TempFile> {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "butie".into());
        loop {
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = target.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(TempFile { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_failure(target, IoAction::CreateTemp, e)),
            }
        }
    }

    /// A read-write connection to the temporary file (SQLite takes the empty
    /// file as an empty database).
    pub(crate) fn connection(&self) -> rusqlite::Result<Connection> {
        let c = Connection::open_with_flags(plain_name(&self.path), OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        c.busy_timeout(BUSY_TIMEOUT)?;
        Ok(c)
    }

    /// Flush the file to disk (errors name `target`, the file it will become).
    pub(crate) fn sync(&self, target: &Path) -> Result<()> {
        OpenOptions::new().write(true).open(&self.path).and_then(|f| f.sync_all()).map_err(|e| io_failure(target, IoAction::Sync, e))
    }

    /// Give the finished file the name `dest`, never replacing anything
    /// there (`AlreadyExists` if something is), and flush the folder.
    pub(crate) fn place(&self, dest: &Path) -> io::Result<()> {
        link_no_replace(&self.path, dest)?;
        sync_dir(dest);
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        // After `place` by a hard link, this removes only the temporary name.
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(sibling(&self.path, suffix));
        }
    }
}

/// Make `to` name the file `from`, failing with `AlreadyExists` if anything
/// (a file, a folder, a symbolic link — which is not followed) is at `to`.
fn link_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            // No hard links on this file system (FAT, exFAT, some network
            // shares): claim the name with `create_new`, which fails on
            // anything already there, then move the finished file over the
            // claim. A crash between the two leaves an empty file at `to`,
            // which no one takes for a workspace or a backup.
            OpenOptions::new().write(true).create_new(true).open(to)?;
            std::fs::rename(from, to).inspect_err(|_| {
                let _ = std::fs::remove_file(to);
            })
        }
    }
}

/// Flush the folder holding `path`, so a new name survives a power cut
/// (best effort: some file systems cannot flush a folder; nothing to do on Windows).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    {
        let dir = parent_dir(path).unwrap_or(Path::new("."));
        if let Ok(f) = std::fs::File::open(dir) {
            let _ = f.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// One `sqlite3_backup_step` of `pages` pages (-1: all), retried while the
/// source or destination is busy, up to `BUSY_TIMEOUT`. Returns whether the
/// copy is complete (and, in the destination, committed).
pub(crate) fn backup_step(b: &Backup<'_, '_>, pages: i32) -> rusqlite::Result<bool> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match b.step(pages)? {
            StepResult::Done => return Ok(true),
            StepResult::More => return Ok(false),
            StepResult::Busy | StepResult::Locked if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None)),
        }
    }
}

/// Copy the whole database `from` into `to` in one step (one consistent
/// snapshot of `from`, one transaction of `to`).
pub(crate) fn copy_database(from: &Connection, to: &mut Connection) -> rusqlite::Result<()> {
    let b = Backup::new(from, to)?;
    while !backup_step(&b, -1)? {}
    Ok(())
}

/// Give `conn`'s file the workspace `application_id` if it has not got it
/// (a copy of a workspace made before Butie set it).
pub(crate) fn stamp_application_id(conn: &Connection) -> rusqlite::Result<()> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id != APPLICATION_ID {
        conn.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))?;
    }
    Ok(())
}

/// Create a new, empty workspace at `path`: built under a temporary name,
/// flushed, then named. If another program created `path` meanwhile, theirs
/// is kept (and this one discarded).
pub(crate) fn create_workspace_file(path: &Path) -> Result<()> {
    let tmp = TempFile::beside(path)?;
    {
        let conn = tmp.connection().map_err(|e| write_failure(path, StoreError::Sql(e)))?;
        crate::migrate(&conn).map_err(|e| write_failure(path, e))?;
        // Born in WAL mode; closing the connection empties and removes the `-wal`.
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(|e| write_failure(path, e.into()))?;
    }
    tmp.sync(path)?;
    match tmp.place(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_failure(path, IoAction::Place, e)),
    }
}

/// Save what the live workspace `target` holds now as a new file
/// `<stem>.before-restore-<stamp>.sqlite` beside it (`-2`, `-3`… if that name
/// is taken), written under a temporary name, flushed, and named without
/// replacing anything. Returns its path.
pub(crate) fn keep_safety_copy(target: &Path, stamp: &str) -> Result<PathBuf> {
    let fail = |e: rusqlite::Error| write_failure(target, StoreError::Sql(e));
    let reader = Connection::open_with_flags(plain_name(target), OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| open_failure(target, e))?;
    reader.busy_timeout(BUSY_TIMEOUT)?;
    let tmp = TempFile::beside(target)?;
    {
        let mut out = tmp.connection().map_err(fail)?;
        copy_database(&reader, &mut out).map_err(fail)?;
    }
    drop(reader);
    tmp.sync(target)?;
    let stem = target.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "workspace".into());
    for n in 1u32.. {
        let name =
            if n == 1 { format!("{stem}.before-restore-{stamp}.sqlite") } else { format!("{stem}.before-restore-{stamp}-{n}.sqlite") };
        let dest = target.with_file_name(name);
        match tmp.place(&dest) {
            Ok(()) => return Ok(dest),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_failure(&dest, IoAction::Place, e)),
        }
    }
    unreachable!("u32 names run out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_every_unusual_byte() {
        let u = sqlite_uri(Path::new("/tmp/a b/工作区?#%.sqlite"), "immutable=1");
        assert!(u.starts_with("file:/tmp/a%20b/%E5%B7%A5"), "{u}");
        assert!(u.ends_with("%3F%23%25.sqlite?immutable=1"), "{u}");
    }

    #[test]
    fn disk_full_is_enospc() {
        #[cfg(unix)]
        assert!(is_disk_full(&io::Error::from_raw_os_error(28)));
        assert!(!is_disk_full(&io::Error::from(io::ErrorKind::PermissionDenied)));
        let e = io_failure(Path::new("w.sqlite"), IoAction::Sync, io::Error::from_raw_os_error(if cfg!(windows) { 112 } else { 28 }));
        assert!(matches!(e, StoreError::DiskFull { ref path } if path == Path::new("w.sqlite")), "{e:?}");
    }
}

#[cfg(test)]
mod safety_copy_tests {
    use super::*;

    #[test]
    fn safety_copies_take_new_names_and_never_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.sqlite");
        create_workspace_file(&path).unwrap();
        let stamp = "20250101-080000";
        let names: Vec<String> =
            (0..3).map(|_| keep_safety_copy(&path, stamp).unwrap().file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(
            names,
            [
                "ws.before-restore-20250101-080000.sqlite",
                "ws.before-restore-20250101-080000-2.sqlite",
                "ws.before-restore-20250101-080000-3.sqlite"
            ]
        );
        #[cfg(unix)]
        {
            let victim = dir.path().join("victim.txt");
            std::fs::write(&victim, "keep me").unwrap();
            std::os::unix::fs::symlink(&victim, dir.path().join("ws.before-restore-20250101-080000-4.sqlite")).unwrap();
            let p = keep_safety_copy(&path, stamp).unwrap();
            assert!(p.ends_with("ws.before-restore-20250101-080000-5.sqlite"), "{}", p.display());
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        }
        for n in names {
            crate::check_workspace_file(&dir.path().join(n)).unwrap();
        }
        // No temporary file is left.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}

#[cfg(test)]
mod sweep_tests {
    #[test]
    fn temp_files_of_dead_processes_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ws.sqlite");
        let dead = dir.path().join(".ws.sqlite.4194301-0.tmp"); // above Linux's pid_max default
        let dead_journal = dir.path().join(".ws.sqlite.4194301-0.tmp-journal");
        let mine = dir.path().join(format!(".ws.sqlite.{}-7.tmp", std::process::id()));
        let other = dir.path().join(".notes.txt.4194301-0.tmp");
        for f in [&dead, &dead_journal, &mine, &other] {
            std::fs::write(f, b"x").unwrap();
        }
        super::sweep_stale_temps(&target);
        assert!(!dead.exists() && !dead_journal.exists());
        assert!(mine.exists() && other.exists());
    }
}

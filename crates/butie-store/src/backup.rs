//! Backup and restore, both with SQLite's online backup API: a backup is
//! one consistent snapshot, a restore checks the backup whole before it
//! touches anything and keeps what it replaces as a safety copy.

use crate::check::{check_fact_types, check_pack_texts, check_rows, check_schema, unverify_backup_texts};
use crate::error::write_failure;
use crate::{disk, migrate, IoAction, Result, StoreError, Workspace};
use butie_core::policy::Pack;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

impl Workspace {
    /// Copy the live workspace to `dest` with SQLite's online backup API
    /// (one consistent snapshot, while other programs keep working). The copy
    /// is written under a temporary name in `dest`'s folder, flushed to disk,
    /// and only then given its name — never over anything already there: a
    /// file, a folder or a symbolic link at `dest` (even a dangling one) is
    /// `BackupExists`, and a link is not followed. The backup carries the
    /// workspace `application_id`.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        disk::sweep_stale_temps(dest);
        match dest.symlink_metadata() {
            Ok(_) => return Err(StoreError::BackupExists { path: dest.to_path_buf() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(disk::io_failure(dest, IoAction::Inspect, e)),
        }
        let cannot = |e: rusqlite::Error| match write_failure(dest, StoreError::Sql(e)) {
            StoreError::Sql(e) => StoreError::CannotCreateBackup { path: dest.to_path_buf(), source: e },
            other => other,
        };
        let tmp = disk::TempFile::beside(dest)?;
        {
            let mut out = tmp.connection().map_err(cannot)?;
            disk::copy_database(&self.conn, &mut out).map_err(cannot)?;
            disk::stamp_application_id(&out).map_err(cannot)?;
        }
        tmp.sync(dest)?;
        match tmp.place(dest) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::BackupExists { path: dest.to_path_buf() }),
            Err(e) => Err(disk::io_failure(dest, IoAction::Place, e)),
        }
    }

    /// As [`Workspace::restore`], also checking, in the same pass over the
    /// same snapshot, that every stored fact reads as the loaded packs define
    /// it (a fact of the wrong type would otherwise stop evaluation and
    /// export of its company after the restore).
    pub fn restore_checked(target: &Path, src: &Path, packs: &[Pack]) -> Result<Option<PathBuf>> {
        Self::restore_with(target, src, Some(packs)).map(|r| r.safety)
    }

    /// As [`Workspace::restore_checked`], saying also which pack texts the
    /// backup marked verified that are now kept as unverified.
    pub fn restore_reported(target: &Path, src: &Path, packs: &[Pack]) -> Result<Restored> {
        Self::restore_with(target, src, Some(packs))
    }

    /// Put the backup `src` into the workspace at `target`, keeping what was
    /// there as a new safety copy. Returns the safety copy's path (`None`
    /// when there was no workspace at `target`, which is then created).
    ///
    /// 1. `src` is checked completely before anything is touched
    ///    ([`check_workspace_file`](crate::check_workspace_file): a Butie workspace, not newer than this
    ///    build, `integrity_check` ok, every row readable) — any failure
    ///    refuses and changes nothing — and, in the same read snapshot,
    ///    copied to a temporary file beside `target`, which is brought to
    ///    the latest schema.
    /// 2. The write lock on the live workspace is taken (other programs'
    ///    writes wait), and what it holds is saved as
    ///    `<stem>.before-restore-YYYYMMDD-HHMMSS.sqlite` beside it (`-2`,
    ///    `-3`… when taken), written as `backup` writes: temporary name,
    ///    flushed, named without replacing anything.
    /// 3. The checked copy is written into the live workspace with SQLite's
    ///    online backup API, as one transaction of the live file: the live
    ///    file, its `-wal` and `-shm` are never deleted or renamed, programs
    ///    that have it open see the restored data at their next read, and a
    ///    crash at any moment leaves the old data or the new, whole.
    ///
    /// The backup is data to check, not a database to adopt: once staged
    /// and migrated, its schema must be exactly Butie's own (no trigger or
    /// table carried in, none taken out), every kept pack text must match
    /// its SHA-256, and a text it marks verified stays so only if this
    /// workspace verified that very text itself.
    pub fn restore(target: &Path, src: &Path) -> Result<Option<PathBuf>> {
        Self::restore_with(target, src, None).map(|r| r.safety)
    }

    fn restore_with(target: &Path, src: &Path, packs: Option<&[Pack]>) -> Result<Restored> {
        disk::sweep_stale_temps(target);
        // 1. Check, then stage the checked snapshot.
        let (source, version) = disk::checked_snapshot(src)?;
        check_rows(src, &source, version)?;
        if let Some(packs) = packs {
            check_fact_types(src, &source, packs)?;
        }
        // Never over a file that is not a workspace (looked at read-only).
        if disk::exists(target)? {
            drop(disk::examine(target)?);
        }
        if let Some(dir) = disk::parent_dir(target) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io { path: dir.to_path_buf(), action: IoAction::CreateDir, source: e })?;
        }
        let staged = disk::TempFile::beside(target)?;
        let mut stage = staged.connection().map_err(|e| write_failure(target, StoreError::Sql(e)))?;
        disk::copy_database(&source, &mut stage).map_err(|e| write_failure(target, StoreError::Sql(e)))?;
        drop(source);
        // A private file: plain rollback journal while it is prepared.
        stage.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0)).map_err(StoreError::Sql)?;
        migrate(&stage).map_err(|e| write_failure(target, e))?;
        check_schema(src, &stage)?;
        check_pack_texts(src, &stage)?;
        let live_reader = if disk::exists(target)? { disk::open_read_only(target, false).ok() } else { None };
        let unverified = unverify_backup_texts(&stage, live_reader.as_ref()).map_err(|e| write_failure(target, e))?;
        drop(live_reader);

        if !disk::exists(target)? {
            // Nothing to keep: the staged file becomes the workspace.
            stage.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(StoreError::Sql)?;
            drop(stage);
            staged.sync(target)?;
            match staged.place(target) {
                Ok(()) => return Ok(Restored { safety: None, unverified }),
                // Another program made a workspace there meanwhile: restore into it.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    stage = staged.connection().map_err(StoreError::Sql)?;
                }
                Err(e) => return Err(disk::io_failure(target, IoAction::Place, e)),
            }
        }

        // Refuses a file that is not a workspace; brings an old one up to date.
        let mut live = Workspace::open(target)?;
        if live.read_only {
            return Err(StoreError::ReadOnly { path: target.to_path_buf() });
        }
        // The backup API cannot write a WAL file with pages of another size.
        let page_size = |c: &Connection| c.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0));
        let live_page = page_size(&live.conn)?;
        if page_size(&stage)? != live_page {
            stage.execute_batch(&format!("PRAGMA page_size = {live_page}; VACUUM;")).map_err(|e| write_failure(target, e.into()))?;
        }
        let stamp: String = live.conn.query_row("SELECT strftime('%Y%m%d-%H%M%S', 'now', 'localtime')", [], |r| r.get(0))?;
        let wal = live.conn.query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))?.eq_ignore_ascii_case("wal");

        // 2. and 3. In WAL mode readers are not blocked by a writer, so the
        // safety copy is read while this restore holds the write lock: no
        // other program's write can fall between the copy and the restore.
        // (Without WAL, the lock would block the copy's reads: copy first.)
        let mut safety = None;
        if !wal {
            safety = Some(disk::keep_safety_copy(target, &stamp)?);
        }
        let b = rusqlite::backup::Backup::new(&stage, &mut live.conn).map_err(|e| write_failure(target, e.into()))?;
        // Zero pages: takes (and keeps) the write lock on the live workspace, copies nothing.
        disk::backup_step(&b, 0).map_err(|e| write_failure(target, e.into()))?;
        if wal {
            safety = Some(disk::keep_safety_copy(target, &stamp)?);
        }
        // Every page, committed at the end as one transaction.
        disk::backup_step(&b, -1).map_err(|e| write_failure(target, e.into()))?;
        drop(b);
        Ok(Restored { safety, unverified })
    }
}

/// What a restore did besides restoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// Where the workspace as it was is kept (`None`: there was none).
    pub safety: Option<PathBuf>,
    /// `pack_id version` of each pack text the backup marked verified that
    /// this workspace had not verified itself: kept, as unverified.
    pub unverified: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use butie_core::profile::Company;

    fn company(name: &str) -> Company {
        Company { name: name.into(), city: "台州市".into(), district: "椒江区".into(), ..Company::default() }
    }

    #[test]
    fn the_restore_write_lock_keeps_other_writers_out_while_the_safety_copy_is_made() {
        // What `restore` relies on: a zero-page backup step takes the
        // destination's write lock and keeps it, while readers still read.
        let packs = butie_core::bundled_packs().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ws.sqlite");
        let mut live = Workspace::open_or_create(&path).unwrap();
        live.add_company(&company("甲"), &packs).unwrap();
        let other = Connection::open(&path).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        let src = Connection::open_in_memory().unwrap();
        migrate(&src).unwrap();
        let b = rusqlite::backup::Backup::new(&src, &mut live.conn).unwrap();
        assert!(!disk::backup_step(&b, 0).unwrap());
        let e = other.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy));
        let n: i64 = other.query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1, "readers see the last commit");
        assert!(disk::backup_step(&b, -1).unwrap());
        drop(b);
        let n: i64 = other.query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }
}

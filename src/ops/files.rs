//! Files the front ends read and write on the user's behalf: text files
//! (profiles, imports, policy folders), the JSON exports and the PDF set.
//! Shared by the CLI and the app; errors are data, worded by
//! `FileError::message`.
//!
//! Reading takes regular files only (a FIFO, a device or a folder is named
//! as such and never opened in a way that could block), up to a size limit
//! checked before and enforced while reading.
//!
//! Writing goes through one function, [`write_atomic`]: the bytes go to a
//! new temporary file in the target's folder, are synced, and the file is
//! renamed over the target, so the target is always either the previous
//! file or the complete new one — a full disk or a crash never leaves half a
//! file. It never follows a symbolic link and never replaces a folder, a
//! device, an SQLite database or the open workspace. (The store writes its
//! own backups.)

use butie_core::policy::{Pack, PolicyError};
use butie_core::profile::{parse_json, InputError, Problem, Profile};
use butie_core::Evaluation;
use serde_json::Value;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Largest JSON file read (profiles, imports, facts, company JSON).
pub const JSON_LIMIT: u64 = 20 * 1024 * 1024;
/// Largest import file read: a workspace export of many thousand companies
/// passes 20 MB, and what export writes, import must read.
pub const IMPORT_LIMIT: u64 = 512 * 1024 * 1024;
/// Largest policy file read.
pub const POLICY_LIMIT: u64 = 2 * 1024 * 1024;
/// The format version a workspace export carries as `"butie_workspace"`
/// (written by `butie_store::Workspace::export_all`); import refuses a
/// missing, unknown or newer one.
pub const EXPORT_FORMAT: u64 = 1;

/// What a path is, when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Directory,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

impl NodeKind {
    fn of(ft: &std::fs::FileType) -> NodeKind {
        if ft.is_dir() {
            return NodeKind::Directory;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                return NodeKind::Fifo;
            }
            if ft.is_socket() {
                return NodeKind::Socket;
            }
            if ft.is_char_device() {
                return NodeKind::CharDevice;
            }
            if ft.is_block_device() {
                return NodeKind::BlockDevice;
            }
        }
        NodeKind::Other
    }

    pub(crate) fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (NodeKind::Directory, true) => "是文件夹",
            (NodeKind::Directory, false) => "a folder",
            (NodeKind::Fifo, true) => "是命名管道 FIFO",
            (NodeKind::Fifo, false) => "a named pipe (FIFO)",
            (NodeKind::Socket, true) => "是套接字",
            (NodeKind::Socket, false) => "a socket",
            (NodeKind::CharDevice, true) | (NodeKind::BlockDevice, true) => "是设备文件",
            (NodeKind::CharDevice, false) | (NodeKind::BlockDevice, false) => "a device",
            (NodeKind::Other, true) => "是特殊文件",
            (NodeKind::Other, false) => "a special file",
        }
    }
}

/// What a file being replaced must already hold (see [`Replace::Only`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// JSON text: after an optional byte-order mark and white space, `{` or `[`.
    Json,
    /// A PDF: starts with `%PDF-`.
    Pdf,
}

impl Content {
    pub(crate) fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Content::Json, true) => "补贴通导出的 JSON ",
            (Content::Json, false) => "Butie export (JSON)",
            (Content::Pdf, _) => "PDF",
        }
    }

    /// Whether the first bytes of an existing file are of this kind (an empty
    /// file holds nothing to lose and may be replaced).
    fn matches(self, head: &[u8]) -> bool {
        if head.is_empty() {
            return true;
        }
        match self {
            // Only an earlier Butie export (a profile, a company or the whole
            // workspace: its first key says which) is replaced; any other
            // JSON file may be someone's settings.
            Content::Json => {
                let h = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
                let text: Vec<u8> = h.iter().copied().filter(|b| !b" \t\r\n".contains(b)).collect();
                text.starts_with(b"{\"company\":") || text.starts_with(b"{\"butie_workspace\":")
            }
            Content::Pdf => head.starts_with(b"%PDF-"),
        }
    }
}

/// Whether [`write_atomic`] may replace an existing file at the target.
/// Whatever this says, a symbolic link, a folder, a device or FIFO, an
/// SQLite database (or its write-ahead log), the open workspace and a
/// read-only file are never replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// An existing target is an error.
    Never,
    /// Any other regular file is replaced.
    Allowed,
    /// Only a file that already holds this kind of content is replaced
    /// (`export --out` replaces a JSON file, `pdf` replaces PDFs).
    Only(Content),
}

#[derive(Debug)]
pub enum FileError {
    NotFound {
        path: PathBuf,
    },
    PermissionDenied {
        path: PathBuf,
    },
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    NotUtf8 {
        path: PathBuf,
    },
    /// Reading: a folder, FIFO, device… (never opened so as to block).
    NotRegular {
        path: PathBuf,
        kind: NodeKind,
    },
    /// Larger than `limit` bytes (checked before and while reading).
    TooLarge {
        path: PathBuf,
        limit: u64,
    },
    /// Writing an export that `import` could not read back (larger than
    /// [`IMPORT_LIMIT`]): refused before anything is written.
    ExportTooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    /// Nothing but white space (and perhaps a byte-order mark).
    Empty {
        path: PathBuf,
    },
    PolicyDirUnreadable {
        dir: PathBuf,
        source: std::io::Error,
    },
    NoPolicyFiles {
        dir: PathBuf,
    },
    Policy(PolicyError),
    Pdf(butie_pdf::PdfError),
    /// Writing: the target is a symbolic link (never followed).
    TargetIsLink {
        path: PathBuf,
    },
    /// Writing: the target is a folder.
    TargetIsDirectory {
        path: PathBuf,
    },
    /// Writing: the target is a FIFO, a device or another special file.
    TargetNotRegular {
        path: PathBuf,
        kind: NodeKind,
    },
    /// Writing: the target is an SQLite database (or its write-ahead log).
    TargetIsDatabase {
        path: PathBuf,
    },
    /// Writing: the target is the open workspace (or one of its side files).
    TargetIsWorkspace {
        path: PathBuf,
    },
    /// Writing with `Replace::Never`: the target exists.
    TargetExists {
        path: PathBuf,
    },
    /// Writing with `Replace::Only`: the existing file holds something else.
    TargetNotSameKind {
        path: PathBuf,
        expected: Content,
    },
    /// Writing: the existing file is read-only.
    TargetReadOnly {
        path: PathBuf,
    },
    /// Writing: the folder to write into does not exist.
    FolderNotFound {
        dir: PathBuf,
    },
    /// Writing: the output folder exists and is not a folder.
    NotAFolder {
        dir: PathBuf,
    },
    /// Writing: the output folder cannot be created.
    CannotCreateFolder {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// Writing: no space left on the device; nothing was written and the
    /// previous file at the target is intact.
    DiskFull {
        path: PathBuf,
    },
    /// Writing failed for another reason; the previous file is intact.
    WriteFailed {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A path as one line: control and bidirectional-text characters (which a
/// hostile file name may carry) are shown escaped.
pub fn shown(p: &Path) -> String {
    let s = p.display().to_string();
    if !s.chars().any(butie_core::profile::is_control_char) {
        return s;
    }
    s.chars().map(|c| if butie_core::profile::is_control_char(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

// ------------------------------------------------------------------ reading

fn open_error(path: &Path, e: std::io::Error) -> FileError {
    match e.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound { path: path.to_path_buf() },
        std::io::ErrorKind::PermissionDenied => FileError::PermissionDenied { path: path.to_path_buf() },
        _ => FileError::Unreadable { path: path.to_path_buf(), source: e },
    }
}

/// Open `path` for reading without ever blocking: a regular file only,
/// checked before opening and again on the opened file.
pub(crate) fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), FileError> {
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    if !meta.file_type().is_file() {
        return Err(FileError::NotRegular { path: path.to_path_buf(), kind: NodeKind::of(&meta.file_type()) });
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Should the path have become a FIFO since the check, opening it
        // does not wait for a writer.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| open_error(path, e))?;
    let meta = file.metadata().map_err(|e| open_error(path, e))?;
    if !meta.file_type().is_file() {
        return Err(FileError::NotRegular { path: path.to_path_buf(), kind: NodeKind::of(&meta.file_type()) });
    }
    Ok((file, meta))
}

/// The bytes of a regular file of at most `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(FileError::TooLarge { path: path.to_path_buf(), limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The size may have changed since: never read more than limit + 1.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| FileError::Unreadable { path: path.to_path_buf(), source: e })?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge { path: path.to_path_buf(), limit });
    }
    Ok(bytes)
}

fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, FileError> {
    let text = String::from_utf8(bytes).map_err(|_| FileError::NotUtf8 { path: path.to_path_buf() })?;
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(FileError::Empty { path: path.to_path_buf() });
    }
    Ok(text)
}

/// Read a JSON (or other text) file the user gives: a regular file of at
/// most [`JSON_LIMIT`], UTF-8, not empty. A UTF-8 byte-order mark at the
/// start is dropped (Windows Notepad writes one).
pub fn read_text(path: &Path) -> Result<String, FileError> {
    read_json_text(path, JSON_LIMIT)
}

/// A user's JSON text of at most `limit` bytes, without a leading byte-order mark.
fn read_json_text(path: &Path, limit: u64) -> Result<String, FileError> {
    let mut text = text_of(path, read_limited(path, limit)?)?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Read an import file: as [`read_text`], up to [`IMPORT_LIMIT`].
pub fn read_import_text(path: &Path) -> Result<String, FileError> {
    read_json_text(path, IMPORT_LIMIT)
}

/// Read a policy file: a regular file of at most [`POLICY_LIMIT`], UTF-8,
/// not empty; its text is kept exactly as it is (its SHA-256 goes into the
/// audit record).
pub fn read_policy_text(path: &Path) -> Result<String, FileError> {
    text_of(path, read_limited(path, POLICY_LIMIT)?)
}

/// Parse an import file's text: strict JSON (duplicate keys refused), and a
/// workspace export must carry `"butie_workspace": EXPORT_FORMAT`. Company
/// and profile exports have no version field; they are known by their shape.
pub fn parse_import_text(text: &str) -> Result<Value, InputError> {
    let v = parse_json("import", text)?;
    check_import_format(&v)?;
    Ok(v)
}

/// Refuse a workspace export whose format version is missing, unknown or
/// newer than [`EXPORT_FORMAT`].
pub fn check_import_format(v: &Value) -> Result<(), InputError> {
    let Some(obj) = v.as_object() else { return Ok(()) };
    const FIELD: &str = "butie_workspace";
    match obj.get(FIELD) {
        None if obj.contains_key("companies") => Err(InputError::new(FIELD, Problem::VersionMissing { supported: EXPORT_FORMAT })),
        None => Ok(()),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(found) if found == EXPORT_FORMAT => Ok(()),
            Some(found) if found > EXPORT_FORMAT => Err(InputError::new(FIELD, Problem::VersionNewer { found, supported: EXPORT_FORMAT })),
            _ => Err(InputError::new(FIELD, Problem::VersionUnknown { found: n.to_string(), supported: EXPORT_FORMAT })),
        },
        Some(other) => {
            let mut found = other.to_string();
            if found.chars().count() > 40 {
                found = found.chars().take(40).collect::<String>() + "…";
            }
            Err(InputError::new(FIELD, Problem::VersionUnknown { found, supported: EXPORT_FORMAT }))
        }
    }
}

/// The bundled packs, or every `*.toml` in `dir` (sorted by name).
pub fn load_policies(dir: Option<&Path>) -> Result<Vec<Pack>, FileError> {
    match dir {
        None => butie_core::bundled_packs().map_err(FileError::Policy),
        Some(d) => {
            let files = policy_files(d)?;
            let mut texts = Vec::new();
            for f in &files {
                texts.push((f.display().to_string(), read_policy_text(f)?));
            }
            butie_core::load_packs(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(FileError::Policy)
        }
    }
}

/// The `*.toml` files of a policy folder, sorted by name.
pub fn policy_files(d: &Path) -> Result<Vec<PathBuf>, FileError> {
    let rd = std::fs::read_dir(d).map_err(|e| FileError::PolicyDirUnreadable { dir: d.to_path_buf(), source: e })?;
    let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    if files.is_empty() {
        return Err(FileError::NoPolicyFiles { dir: d.to_path_buf() });
    }
    Ok(files)
}

// ------------------------------------------------------------------ writing

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The first four bytes of an SQLite write-ahead log (big-endian magic).
const WAL_MAGIC: [[u8; 4]; 2] = [[0x37, 0x7f, 0x06, 0x82], [0x37, 0x7f, 0x06, 0x83]];

fn is_disk_full(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ENOSPC)
    }
    #[cfg(windows)]
    {
        // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
        matches!(e.raw_os_error(), Some(39) | Some(112))
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = e;
        false
    }
}

fn write_error(path: &Path, e: std::io::Error) -> FileError {
    if is_disk_full(&e) {
        FileError::DiskFull { path: path.to_path_buf() }
    } else {
        FileError::WriteFailed { path: path.to_path_buf(), source: e }
    }
}

/// The workspace file and the side files SQLite keeps beside it.
fn workspace_files(ws: &Path) -> Vec<PathBuf> {
    let mut v = vec![ws.to_path_buf()];
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut s: OsString = ws.as_os_str().to_owned();
        s.push(suffix);
        v.push(PathBuf::from(s));
    }
    v
}

/// Whether the existing file `meta` (at `path`) is the workspace or one of
/// its side files: the same device and inode (so a hard link or another
/// spelling of the path is caught too), or the same canonical path.
fn is_workspace(path: &Path, meta: &std::fs::Metadata, workspace: Option<&Path>) -> bool {
    let Some(ws) = workspace else { return false };
    let canonical = std::fs::canonicalize(path).ok();
    for f in workspace_files(ws) {
        let Ok(wm) = std::fs::metadata(&f) else { continue };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if wm.dev() == meta.dev() && wm.ino() == meta.ino() {
                return true;
            }
        }
        #[cfg(not(unix))]
        let _ = (&wm, meta);
        if canonical.is_some() && std::fs::canonicalize(&f).ok() == canonical {
            return true;
        }
    }
    false
}

/// The first bytes of an existing regular file, read without following a
/// link or blocking.
fn head_of(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let f = opts.open(path)?;
    if !f.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut head = Vec::with_capacity(64);
    f.take(64).read_to_end(&mut head)?;
    Ok(head)
}

/// Check that `path` may be written: what is there now, if anything, is a
/// regular file that `replace` allows to be replaced. Returns the existing
/// file's metadata.
pub fn check_target(path: &Path, replace: Replace, workspace: Option<&Path>) -> Result<Option<std::fs::Metadata>, FileError> {
    let p = || path.to_path_buf();
    if path.file_name().is_none() {
        return Err(FileError::TargetIsDirectory { path: p() });
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = parent_dir(path);
            return match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() => Ok(None),
                Ok(_) => Err(FileError::FolderNotFound { dir: dir.to_path_buf() }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FileError::FolderNotFound { dir: dir.to_path_buf() }),
                Err(e) => Err(write_error(path, e)),
            };
        }
        Err(e) => return Err(write_error(path, e)),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(FileError::TargetIsLink { path: p() });
    }
    if ft.is_dir() {
        return Err(FileError::TargetIsDirectory { path: p() });
    }
    if !ft.is_file() {
        return Err(FileError::TargetNotRegular { path: p(), kind: NodeKind::of(&ft) });
    }
    if is_workspace(path, &meta, workspace) {
        return Err(FileError::TargetIsWorkspace { path: p() });
    }
    // A file whose first bytes cannot be read cannot be shown not to be a
    // database: it is left alone.
    let head = head_of(path).map_err(|e| write_error(path, e))?;
    if head.starts_with(SQLITE_MAGIC) || WAL_MAGIC.iter().any(|m| head.starts_with(m)) {
        return Err(FileError::TargetIsDatabase { path: p() });
    }
    match replace {
        Replace::Never => return Err(FileError::TargetExists { path: p() }),
        Replace::Allowed => {}
        Replace::Only(kind) => {
            if !kind.matches(&head) {
                return Err(FileError::TargetNotSameKind { path: p(), expected: kind });
            }
        }
    }
    if meta.permissions().readonly() {
        return Err(FileError::TargetReadOnly { path: p() });
    }
    Ok(Some(meta))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A name no other file in the folder has: `.<name>.<16 hex digits>.tmp`.
fn temp_name(name: &std::ffi::OsStr, attempt: u32) -> OsString {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u32(attempt);
    h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(".{:016x}.tmp", h.finish()));
    s
}

/// A temporary file of ours for `name` not written to for this long was
/// left by a run that was killed (a running one writes as it goes).
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(600);

/// Remove what killed runs left for `name` in `dir`: regular files named
/// as [`temp_name`] makes them, untouched for [`STALE_TEMP`].
fn sweep_stale_temps(dir: &Path, name: &std::ffi::OsStr) {
    let Some(name) = name.to_str() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.");
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(hex) = file.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|f| f.strip_suffix(".tmp")) else { continue };
        if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        // symlink_metadata: a link of that name is never followed, nor removed.
        let Ok(m) = std::fs::symlink_metadata(e.path()) else { continue };
        let old = m.modified().ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age > STALE_TEMP);
        if m.is_file() && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Removes the temporary file unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn sync_dir(dir: &Path) {
    // Makes the rename itself durable. Not every system can sync a folder
    // (Windows cannot open one as a file); the file is in place either way.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Write `bytes` to `path` so that `path` is always either what it was or
/// the complete new file: see [`AtomicFile`].
pub fn write_atomic(path: &Path, bytes: &[u8], replace: Replace, workspace: Option<&Path>) -> Result<(), FileError> {
    let mut f = AtomicFile::create(path, replace, workspace)?;
    f.write_all(bytes).map_err(|e| write_error(path, e))?;
    f.commit()
}

/// A file written in pieces that appears at `path` only whole: a new
/// temporary file in the same folder (created with `create_new`, random
/// name), written, `sync_all`, renamed into place, the folder synced; the
/// temporary file is removed on any error or when dropped uncommitted.
///
/// Refuses (before writing anything) a symbolic link at `path` (never
/// followed), a folder, a FIFO or device, an SQLite database or write-ahead
/// log, the open `workspace` or its side files, a read-only file, and an
/// existing file that `replace` does not allow to be replaced. A full disk
/// is `FileError::DiskFull`.
pub struct AtomicFile {
    path: PathBuf,
    replace: Replace,
    tmp: TempFile,
    file: std::fs::File,
}

impl AtomicFile {
    pub fn create(path: &Path, replace: Replace, workspace: Option<&Path>) -> Result<AtomicFile, FileError> {
        let existing = check_target(path, replace, workspace)?;
        let dir = parent_dir(path);
        let name = path.file_name().ok_or_else(|| FileError::TargetIsDirectory { path: path.to_path_buf() })?;
        sweep_stale_temps(dir, name);
        let mut attempt = 0;
        let (tmp, file) = loop {
            let tmp_path = dir.join(temp_name(name, attempt));
            let mut opts = std::fs::OpenOptions::new();
            opts.read(true).write(true).create_new(true);
            match opts.open(&tmp_path) {
                Ok(f) => break (TempFile { path: tmp_path, armed: true }, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FileError::FolderNotFound { dir: dir.to_path_buf() }),
                Err(e) => return Err(write_error(path, e)),
            }
        };
        if let Some(m) = &existing {
            // The new file keeps the old one's permissions.
            let _ = file.set_permissions(m.permissions());
        }
        Ok(AtomicFile { path: path.to_path_buf(), replace, tmp, file })
    }

    /// The temporary file, for writers that also seek.
    pub fn file(&mut self) -> &mut std::fs::File {
        &mut self.file
    }

    /// An I/O error of writing this file, in the file's words.
    pub fn error(&self, e: std::io::Error) -> FileError {
        write_error(&self.path, e)
    }

    /// Put the file in place.
    pub fn commit(self) -> Result<(), FileError> {
        let AtomicFile { path, replace, mut tmp, file } = self;
        let path = path.as_path();
        file.sync_all().map_err(|e| write_error(path, e))?;
        drop(file);
        let dir = parent_dir(path);
        match replace {
            Replace::Never => {
                // A hard link fails if the target appeared meanwhile; where the
                // file system has no hard links, check and rename.
                match std::fs::hard_link(&tmp.path, path) {
                    Ok(()) => {
                        let _ = std::fs::remove_file(&tmp.path);
                        tmp.armed = false;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        return Err(FileError::TargetExists { path: path.to_path_buf() })
                    }
                    Err(_) => {
                        if std::fs::symlink_metadata(path).is_ok() {
                            return Err(FileError::TargetExists { path: path.to_path_buf() });
                        }
                        std::fs::rename(&tmp.path, path).map_err(|e| write_error(path, e))?;
                        tmp.armed = false;
                    }
                }
            }
            Replace::Allowed | Replace::Only(_) => {
                // The target is checked again right before the rename: a link or
                // folder put there since is still not replaced. (The rename
                // replaces a name; it never writes through a link.)
                if let Ok(m) = std::fs::symlink_metadata(path) {
                    if m.file_type().is_symlink() {
                        return Err(FileError::TargetIsLink { path: path.to_path_buf() });
                    }
                    if m.is_dir() {
                        return Err(FileError::TargetIsDirectory { path: path.to_path_buf() });
                    }
                }
                std::fs::rename(&tmp.path, path).map_err(|e| write_error(path, e))?;
                tmp.armed = false;
            }
        }
        sync_dir(dir);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Write the summary report and one application form per eligible clause
/// into `out` (created if missing); returns the files written, summary first.
pub fn write_pdfs(packs: &[Pack], profile: &Profile, ev: &Evaluation, out: &Path) -> Result<Vec<PathBuf>, FileError> {
    write_pdf_set(packs, profile, ev, out, None)
}

/// [`write_pdfs`], never touching the open `workspace`. Every document is
/// rendered in memory and every target checked before the first file is
/// written; each file is then written with [`write_atomic`], replacing only a
/// same-named PDF.
pub fn write_pdf_set(
    packs: &[Pack],
    profile: &Profile,
    ev: &Evaluation,
    out: &Path,
    workspace: Option<&Path>,
) -> Result<Vec<PathBuf>, FileError> {
    let fonts = butie_pdf::Fonts::load_default().map_err(FileError::Pdf)?;
    write_pdf_set_with(&fonts, packs, profile, ev, out, workspace)
}

/// [`write_pdf_set`] with fonts loaded once by the caller (`butie batch`
/// writes many companies' sets).
pub fn write_pdf_set_with(
    fonts: &butie_pdf::Fonts,
    packs: &[Pack],
    profile: &Profile,
    ev: &Evaluation,
    out: &Path,
    workspace: Option<&Path>,
) -> Result<Vec<PathBuf>, FileError> {
    let cx = butie_pdf::Evaluated { packs, profile, evaluation: ev };
    let docs = butie_pdf::render_all(fonts, &cx).map_err(FileError::Pdf)?;
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.is_dir() => {}
        Ok(m) if m.file_type().is_symlink() && std::fs::metadata(out).is_ok_and(|t| t.is_dir()) => {}
        Ok(_) => return Err(FileError::NotAFolder { dir: out.to_path_buf() }),
        Err(_) => std::fs::create_dir_all(out).map_err(|e| FileError::CannotCreateFolder { dir: out.to_path_buf(), source: e })?,
    }
    const REPLACE: Replace = Replace::Only(Content::Pdf);
    let paths: Vec<PathBuf> = docs.iter().map(|d| out.join(&d.file_name)).collect();
    for p in &paths {
        check_target(p, REPLACE, workspace)?;
    }
    for (p, d) in paths.iter().zip(&docs) {
        write_atomic(p, &d.bytes, REPLACE, workspace)?;
    }
    remove_stale_forms(out, |name| butie_pdf::is_form_name_of(name, profile, ev.year, packs), &paths);
    Ok(paths)
}

/// Forms of this company-year left in `dir` by an earlier run for clauses
/// that are no longer eligible: removed, so that nobody files them. Only
/// regular files named like this set's forms and written by Butie go.
fn remove_stale_forms(dir: &Path, is_form_of_this_set: impl Fn(&str) -> bool, written: &[PathBuf]) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !is_form_of_this_set(&name) || written.iter().any(|w| w.file_name() == Some(e.file_name().as_os_str())) {
            continue;
        }
        let path = e.path();
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if regular && std::fs::read(&path).is_ok_and(|b| butie_pdf::is_ours(&b)) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// What export writes, import must read: an export larger than the import
/// limit is refused before it is written, with a way out.
pub fn check_importable(path: &Path, size: usize) -> Result<(), FileError> {
    let size = size as u64;
    if size > IMPORT_LIMIT {
        return Err(FileError::ExportTooLarge { path: path.to_path_buf(), size, limit: IMPORT_LIMIT });
    }
    Ok(())
}

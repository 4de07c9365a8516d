//! What can go wrong in the workspace, as data (`StoreError` and the
//! enums it carries), and how SQLite's and the file system's failures are
//! turned into it.

use crate::disk;
use butie_core::policy::Lang;
use butie_core::profile::{ClaimStatus, InputError};
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong in the workspace, as data. The words for people are made
/// at the edge (`butie::store_messages`); `Display` here is terse English for
/// logs only.
#[derive(Debug)]
pub enum StoreError {
    /// A field of a company, fact or import file is not acceptable.
    Input(InputError),
    /// No company (not archived) with this number or USCC.
    CompanyNotFound {
        key: CompanyKey,
    },
    EvaluationNotFound {
        id: i64,
    },
    /// A file that was to be read is not there.
    FileNotFound {
        path: PathBuf,
    },
    /// `Workspace::open`: there is no workspace file at `path`. Only
    /// `Workspace::open_or_create` makes one.
    WorkspaceMissing {
        path: PathBuf,
    },
    /// Adding or editing a company: another company (not archived) already has this USCC.
    UsccTaken {
        uscc: String,
        other_id: i64,
        other_name: String,
    },
    /// Importing without `replace`: a company in the file has the USCC of one already in the workspace.
    ImportUsccTaken {
        uscc: String,
        other_id: i64,
        other_name: String,
    },
    /// The same USCC appears on more than one company of the import file.
    DuplicateUsccInImport {
        uscc: String,
    },
    /// Deleting (not archiving) a company that has saved evaluations, which are kept for good.
    HasEvaluations {
        id: i64,
        count: i64,
    },
    /// Deleting (not archiving) a company that has claims in the ledger,
    /// whose history is kept for good.
    HasClaims {
        id: i64,
        count: i64,
    },
    /// Deleting (not archiving) a company that keeps evidence files.
    HasEvidence {
        id: i64,
        count: i64,
    },
    /// A material named by a number or text its clause does not list.
    UnknownMaterial {
        item: String,
        /// How many materials the clause lists.
        count: usize,
    },
    /// An import file's shared document (one without a clause) that no
    /// pack declares shared.
    UnknownSharedMaterial {
        item: String,
    },
    /// An evidence file above [`MAX_EVIDENCE`](crate::MAX_EVIDENCE).
    EvidenceTooLarge {
        name: String,
        size: u64,
        limit: u64,
    },
    EvidenceNotFound {
        id: i64,
    },
    /// An evidence file whose bytes no longer match the SHA-256 recorded.
    EvidenceDamaged {
        id: i64,
        name: String,
    },
    /// An import file's evidence whose data does not match its size or SHA-256.
    EvidenceMismatch {
        field: String,
        name: String,
    },
    /// No trusted key with this id or name.
    KeyNotFound {
        key: String,
    },
    /// Another trusted key has this name (or this name is its id).
    KeyNameTaken {
        name: String,
        other: String,
    },
    /// An evidence file's name that is empty, too long, or holds control
    /// or bidirectional-text characters.
    BadEvidenceName {
        name: String,
    },
    /// An evidence file with nothing in it.
    EvidenceEmpty {
        name: String,
    },
    /// A filing window for a pack no loaded pack is.
    UnknownPack {
        pack: String,
        known: Vec<String>,
    },
    /// A filing window that ends before it starts.
    DeadlineBeforeStart {
        start: String,
        end: String,
    },
    /// A claim names a clause no loaded pack has (`field`: `claim.clause`,
    /// or the entry of an import file).
    UnknownClause {
        field: String,
        clause: String,
    },
    /// A claim for a year in which no version of the clause's pack is in
    /// force (`field`: `claim.year`): it could not have been filed.
    ClaimOutsideTerm {
        field: String,
        clause: String,
        year: i32,
        valid_from: butie_core::policy::Date,
        valid_to: butie_core::policy::Date,
    },
    /// A claim of a clause whose pack does not cover the company's place
    /// (`field`: `claim.clause`): `pack_area` is where the pack applies.
    ClaimOtherPlace {
        field: String,
        clause: String,
        pack_area: String,
        city: String,
        district: String,
    },
    /// A claim of a clause found only in other cities' plans of a pack over
    /// several cities (`field`: `claim.clause`).
    ClaimNotInCityPlan {
        field: String,
        clause: String,
        cities: Vec<String>,
        city: String,
    },
    /// An amount given for a claim whose status takes none: planned,
    /// rejected, withdrawn (or, in an import file, an approved amount on a
    /// claim that is not approved).
    ClaimAmountNotAllowed {
        field: String,
        status: ClaimStatus,
    },
    /// A claim without the amount its status needs: approved without the
    /// approved amount; submitted without the amount applied for, on a
    /// clause that caps what one company gets over the years.
    ClaimAmountRequired {
        field: String,
        status: ClaimStatus,
    },
    /// A claim's date that is not a real calendar date written `YYYY-MM-DD`.
    BadClaimDate {
        field: String,
        date: String,
    },
    /// An approval date on a claim that is not approved (the approval date
    /// is kept only with the approved amount).
    ClaimDateNotAllowed {
        field: String,
        status: ClaimStatus,
        date: String,
    },
    /// A claim approved before it was submitted.
    ApprovedBeforeSubmitted {
        field: String,
        submitted_on: String,
        approved_on: String,
    },
    /// A time in an import file's claim events that is not one the store
    /// writes (`YYYY-MM-DDTHH:MM:SS.sssZ`).
    BadClaimTime {
        field: String,
        time: String,
    },
    /// The file is not a Butie workspace this program can use.
    NotAWorkspace {
        path: PathBuf,
        why: NotWorkspaceWhy,
    },
    /// The workspace was written by a newer Butie (schema `found`; this build knows up to `supported`).
    NewerVersion {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// SQLite could not open (or lock) the workspace file.
    CannotOpen {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// A write to a workspace that could only be opened for reading (read-only
    /// media, no write permission), or SQLite said SQLITE_READONLY: nothing
    /// was saved. Also opening, for reading, a file too old to be read
    /// without bringing it up to date, which read-only media cannot.
    ReadOnly {
        path: PathBuf,
    },
    /// The disk holding `path` is full (SQLITE_FULL, or ENOSPC from a file
    /// the store writes itself): nothing was saved.
    DiskFull {
        path: PathBuf,
    },
    /// `backup` never overwrites: something (a file, a folder, a symbolic
    /// link, even a dangling one) is already at the target.
    BackupExists {
        path: PathBuf,
    },
    /// SQLite could not create the backup file.
    CannotCreateBackup {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// Restore: a row of the backup `path` cannot be read the way Butie reads
    /// it (the file was changed outside Butie or damaged). Nothing was restored.
    BackupDamaged {
        path: PathBuf,
        table: Table,
        /// The row's `rowid` (a company's or an evaluation's number).
        rowid: i64,
        column: &'static str,
    },
    /// Restore: the backup's schema is not Butie's own (an object added,
    /// missing or changed: a trigger carried in, the append-only triggers
    /// removed). A backup is data to check, not a database to adopt.
    /// Nothing was restored.
    BackupNotOurs {
        path: PathBuf,
        /// "trigger", "table", "index" or "view".
        kind: String,
        name: String,
        problem: SchemaProblem,
    },
    /// A file-system step failed.
    Io {
        path: PathBuf,
        action: IoAction,
        source: std::io::Error,
    },
    /// A stored fact value is not JSON (the file was changed outside Butie or damaged).
    CorruptFact {
        company_id: i64,
        year: i32,
        key: String,
        source: serde_json::Error,
    },
    /// Any other error from SQLite, kept whole.
    Sql(rusqlite::Error),
}

/// How a company was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyKey {
    Id(i64),
    /// Anything that is not a number is looked up as a USCC.
    Uscc(String),
}

/// How a backup's schema object differs from Butie's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaProblem {
    Extra,
    Missing,
    Changed,
}

/// A table of the workspace, named in errors about its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Companies,
    Facts,
    Evaluations,
    Claims,
    ClaimEvents,
    /// Kept policy-pack texts (their SHA-256 must be their text's).
    PackTexts,
}

/// What exactly is wrong with a file that is not a usable workspace.
#[derive(Debug)]
pub enum NotWorkspaceWhy {
    /// SQLite cannot read it as a database: not SQLite at all, or damaged.
    Unreadable(rusqlite::Error),
    /// The file is empty (0 bytes): not a workspace, never made into one.
    Empty,
    /// An SQLite file of another program: its `PRAGMA application_id` is not Butie's.
    OtherApplication { application_id: i32 },
    /// `PRAGMA integrity_check` (or `foreign_key_check`) found damage; its first line, for logs.
    Damaged { report: String },
    /// An SQLite file whose schema version was never written by Butie (0 or negative).
    UnknownVersion { found: i64 },
    /// Butie's tables (companies, facts, evaluations) are not all there.
    MissingTables,
    /// Not a regular file at all: a folder, a named pipe (FIFO) or a device
    /// (opening a FIFO would wait forever for a writer).
    NotAFile { kind: FileKind },
}

/// What stands at a path that should hold a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Folder,
    Fifo,
    Device,
    Other,
}

impl FileKind {
    pub fn of(m: &std::fs::Metadata) -> FileKind {
        let t = m.file_type();
        if t.is_dir() {
            return FileKind::Folder;
        }
        // FIFOs and device nodes exist only on Unix.
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return FileKind::Fifo;
            }
            if t.is_block_device() || t.is_char_device() {
                return FileKind::Device;
            }
        }
        FileKind::Other
    }
}

/// The file-system step that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    /// Creating the folder that holds the workspace.
    CreateDir,
    /// Looking at what is at the path (whether there is a file).
    Inspect,
    /// Creating a temporary file in the target's folder, to be named when complete.
    CreateTemp,
    /// Flushing a finished file to disk.
    Sync,
    /// Giving the finished file its name (never replacing anything there).
    Place,
}

impl StoreError {
    /// The form field this error belongs to, so a window can show it beside
    /// that field: the input's field, `company.uscc` for a USCC clash,
    /// `import` for clashes inside an import, "" for workspace-level errors.
    pub fn field(&self) -> &str {
        match self {
            StoreError::Input(e) => &e.field,
            StoreError::UsccTaken { .. } => "company.uscc",
            StoreError::ImportUsccTaken { .. } | StoreError::DuplicateUsccInImport { .. } => "import",
            StoreError::UnknownClause { field, .. }
            | StoreError::ClaimOutsideTerm { field, .. }
            | StoreError::ClaimOtherPlace { field, .. }
            | StoreError::ClaimNotInCityPlan { field, .. }
            | StoreError::ClaimAmountNotAllowed { field, .. }
            | StoreError::ClaimAmountRequired { field, .. }
            | StoreError::BadClaimDate { field, .. }
            | StoreError::ClaimDateNotAllowed { field, .. }
            | StoreError::ApprovedBeforeSubmitted { field, .. }
            | StoreError::BadClaimTime { field, .. } => field,
            StoreError::UnknownMaterial { .. } | StoreError::UnknownSharedMaterial { .. } => "material.item",
            StoreError::EvidenceMismatch { field, .. } => field,
            StoreError::EvidenceTooLarge { .. } | StoreError::BadEvidenceName { .. } | StoreError::EvidenceEmpty { .. } => "evidence",
            StoreError::UnknownPack { .. } => "deadline.pack",
            StoreError::DeadlineBeforeStart { .. } => "deadline.end",
            // About the workspace or a file as a whole, not a form field.
            StoreError::CompanyNotFound { .. }
            | StoreError::EvaluationNotFound { .. }
            | StoreError::FileNotFound { .. }
            | StoreError::WorkspaceMissing { .. }
            | StoreError::HasEvaluations { .. }
            | StoreError::HasClaims { .. }
            | StoreError::HasEvidence { .. }
            | StoreError::EvidenceNotFound { .. }
            | StoreError::KeyNotFound { .. }
            | StoreError::KeyNameTaken { .. }
            | StoreError::EvidenceDamaged { .. }
            | StoreError::NotAWorkspace { .. }
            | StoreError::NewerVersion { .. }
            | StoreError::CannotOpen { .. }
            | StoreError::ReadOnly { .. }
            | StoreError::DiskFull { .. }
            | StoreError::BackupExists { .. }
            | StoreError::CannotCreateBackup { .. }
            | StoreError::BackupDamaged { .. }
            | StoreError::BackupNotOurs { .. }
            | StoreError::Io { .. }
            | StoreError::CorruptFact { .. }
            | StoreError::Sql(_) => "",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Input(e) => f.write_str(&e.message(Lang::En)),
            StoreError::CompanyNotFound { key: CompanyKey::Id(id) } => write!(f, "company #{id} not found"),
            StoreError::CompanyNotFound { key: CompanyKey::Uscc(k) } => write!(f, "company {k} not found"),
            StoreError::EvaluationNotFound { id } => write!(f, "evaluation #{id} not found"),
            StoreError::HasEvidence { id, count } => write!(f, "company #{id} keeps {count} evidence files"),
            StoreError::UnknownMaterial { item, count } => write!(f, "no material {item:?} (the clause lists {count})"),
            StoreError::UnknownSharedMaterial { item } => write!(f, "no shared material {item:?}"),
            StoreError::EvidenceTooLarge { name, size, limit } => write!(f, "{name}: {size} bytes, above the {limit}-byte limit"),
            StoreError::EvidenceNotFound { id } => write!(f, "evidence file #{id} not found"),
            StoreError::KeyNotFound { key } => write!(f, "no trusted key {key:?}"),
            StoreError::KeyNameTaken { name, other } => write!(f, "the name {name:?} is taken by key {other}"),
            StoreError::BadEvidenceName { name } => write!(f, "evidence file name {name:?} not acceptable"),
            StoreError::EvidenceEmpty { name } => write!(f, "{name}: empty file"),
            StoreError::EvidenceDamaged { id, name } => write!(f, "evidence file #{id} {name}: bytes do not match their SHA-256"),
            StoreError::UnknownPack { pack, .. } => write!(f, "no policy pack {pack:?}"),
            StoreError::EvidenceMismatch { name, .. } => write!(f, "{name}: the data does not match its size or SHA-256"),
            StoreError::DeadlineBeforeStart { start, end } => write!(f, "the window ends ({end}) before it starts ({start})"),
            StoreError::FileNotFound { path } => write!(f, "file not found: {}", path.display()),
            StoreError::WorkspaceMissing { path } => write!(f, "no workspace at {}", path.display()),
            StoreError::UsccTaken { uscc, other_id, .. } => write!(f, "company.uscc: {uscc} already used by company #{other_id}"),
            StoreError::ImportUsccTaken { uscc, other_id, .. } => write!(f, "import: {uscc} already used by company #{other_id}"),
            StoreError::DuplicateUsccInImport { uscc } => write!(f, "import: {uscc} appears more than once"),
            StoreError::HasEvaluations { id, count } => write!(f, "company #{id} has {count} saved evaluations; not deleted"),
            StoreError::HasClaims { id, count } => write!(f, "company #{id} has {count} claims; not deleted"),
            StoreError::UnknownClause { field, clause } => write!(f, "{field}: unknown clause {clause}"),
            StoreError::ClaimOutsideTerm { field, clause, year, valid_from, valid_to } => {
                write!(f, "{field}: {clause} is in force {valid_from} to {valid_to}, not in {year}")
            }
            StoreError::ClaimOtherPlace { field, clause, pack_area, city, district } => {
                write!(f, "{field}: {clause} applies in {pack_area}, not in {city}{district}")
            }
            StoreError::ClaimNotInCityPlan { field, clause, cities, city } => {
                write!(f, "{field}: {clause} is in the plans of {} only, not of {city}", cities.join(", "))
            }
            StoreError::ClaimAmountNotAllowed { field, status } => write!(f, "{field}: no amount on a {} claim", status.as_str()),
            StoreError::ClaimAmountRequired { field, status } => write!(f, "{field}: a {} claim needs its amount", status.as_str()),
            StoreError::BadClaimDate { field, date } => write!(f, "{field}: {date:?} is not a date YYYY-MM-DD"),
            StoreError::ClaimDateNotAllowed { field, status, date } => {
                write!(f, "{field}: no approval date ({date}) on a {} claim", status.as_str())
            }
            StoreError::ApprovedBeforeSubmitted { field, submitted_on, approved_on } => {
                write!(f, "{field}: approved on {approved_on}, before it was submitted on {submitted_on}")
            }
            StoreError::BadClaimTime { field, time } => write!(f, "{field}: {time:?} is not a time YYYY-MM-DDTHH:MM:SS.sssZ"),
            StoreError::NotAWorkspace { path, why } => {
                write!(f, "{}: not a workspace: ", path.display())?;
                match why {
                    NotWorkspaceWhy::Unreadable(e) => write!(f, "{e}"),
                    NotWorkspaceWhy::Empty => f.write_str("empty file"),
                    NotWorkspaceWhy::OtherApplication { application_id } => write!(f, "application_id {application_id:#010x}"),
                    NotWorkspaceWhy::Damaged { report } => write!(f, "integrity check: {report}"),
                    NotWorkspaceWhy::UnknownVersion { found } => write!(f, "schema version {found}"),
                    NotWorkspaceWhy::MissingTables => f.write_str("tables missing"),
                    NotWorkspaceWhy::NotAFile { kind } => write!(f, "not a regular file ({kind:?})"),
                }
            }
            StoreError::NewerVersion { path, found, supported } => {
                write!(f, "{}: schema version {found} newer than supported {supported}", path.display())
            }
            StoreError::CannotOpen { path, source } => write!(f, "cannot open {}: {source}", path.display()),
            StoreError::ReadOnly { path } => write!(f, "{}: read-only; nothing saved", path.display()),
            StoreError::DiskFull { path } => write!(f, "{}: disk full; nothing saved", path.display()),
            StoreError::BackupExists { path } => write!(f, "backup {} exists", path.display()),
            StoreError::CannotCreateBackup { path, source } => write!(f, "cannot create backup {}: {source}", path.display()),
            StoreError::BackupDamaged { path, table, rowid, column } => {
                write!(f, "backup {}: {table:?} row {rowid}: {column} unreadable; nothing restored", path.display())
            }
            StoreError::BackupNotOurs { path, kind, name, problem } => {
                write!(f, "backup {}: {kind} {name} {problem:?}; nothing restored", path.display())
            }
            StoreError::Io { path, action, source } => write!(f, "{action:?} {}: {source}", path.display()),
            StoreError::CorruptFact { company_id, year, key, source } => {
                write!(f, "company #{company_id} {year} facts.{key}: stored value unreadable: {source}")
            }
            StoreError::Sql(e) => write!(f, "sqlite: {e}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::CannotOpen { source, .. } | StoreError::CannotCreateBackup { source, .. } => Some(source),
            StoreError::NotAWorkspace { why: NotWorkspaceWhy::Unreadable(e), .. } => Some(e),
            StoreError::Io { source, .. } => Some(source),
            StoreError::CorruptFact { source, .. } => Some(source),
            StoreError::Sql(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e)
    }
}

impl From<InputError> for StoreError {
    fn from(e: InputError) -> Self {
        StoreError::Input(e)
    }
}

/// A failure while opening or first reading a file as a workspace: SQLite
/// saying it is not a database (or a damaged one) means the file is wrong;
/// anything else (locked, no permission, a folder) means it could not be opened.
pub(crate) fn open_failure(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::NotAWorkspace { path: path.to_path_buf(), why: NotWorkspaceWhy::Unreadable(e) }
        }
        _ => StoreError::CannotOpen { path: path.to_path_buf(), source: e },
    }
}

/// A failed write to the workspace at `path`, said as what it means to the
/// user: SQLITE_READONLY is `ReadOnly`, SQLITE_FULL (or ENOSPC) `DiskFull`.
pub(crate) fn write_failure(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Sql(ref s) | StoreError::CannotOpen { source: ref s, .. } => match s.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ReadOnly) => StoreError::ReadOnly { path: path.to_path_buf() },
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull { path: path.to_path_buf() },
            _ => e,
        },
        StoreError::Io { ref source, .. } if disk::is_disk_full(source) => StoreError::DiskFull { path: path.to_path_buf() },
        e => e,
    }
}

/// Whether opening for writing failed only for want of write access, so the
/// workspace can still be opened for reading.
/// Also a full disk (or a file-size limit): SQLite cannot size the `-shm`
/// or `-wal` it needs to open for writing (SQLITE_IOERR_SHMSIZE, SQLITE_FULL),
/// yet what is saved can still be read and exported.
pub(crate) fn lacks_write_access(e: &StoreError) -> bool {
    match e {
        StoreError::ReadOnly { .. } | StoreError::DiskFull { .. } => true,
        StoreError::CannotOpen { source, .. } | StoreError::Sql(source) => matches!(
            source.sqlite_error_code(),
            Some(
                rusqlite::ErrorCode::ReadOnly
                    | rusqlite::ErrorCode::PermissionDenied
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::SystemIoFailure
            )
        ),
        StoreError::Io { source, .. } => source.kind() == std::io::ErrorKind::PermissionDenied,
        _ => false,
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

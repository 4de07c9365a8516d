//! The workspace: one SQLite file holding companies, their facts per year,
//! and saved evaluations. Evaluations are append-only (triggers refuse
//! UPDATE and DELETE), so a consultant can always show what produced a
//! figure: the inputs, the pack ids, versions and content hashes, the full
//! result and when it was made.
//!
//! Claims ledger (`claims.rs`, schema 4): per company, year and clause,
//! what was filed and what was approved, with every change kept in the
//! append-only `claim_events`. Evaluating a saved company reads it as the
//! profile's `history` ([`Workspace::profile`]).
//!
//! Durability: WAL with `synchronous = FULL`, so a committed transaction
//! survives both a killed process and a power cut. Every multi-row write is
//! one transaction. Files the store writes whole (a new workspace, a backup,
//! the safety copy a restore keeps) are written under a temporary name in
//! the same folder, flushed to disk, then given their name without replacing
//! anything, so a name never holds half a file.
//!
//! Identity: a workspace carries `PRAGMA application_id` =
//! [`APPLICATION_ID`] ("BUTI"). Every file is first looked at through a
//! read-only connection that creates nothing beside it; a file that is not a
//! Butie workspace is refused as it is, byte for byte.
//!
//! Sharing: two programs (the CLI and the app, or two of either) can use one
//! workspace at the same time. Every connection waits up to 10 s for a lock
//! (`busy_timeout`), and every write transaction is `BEGIN IMMEDIATE`: it
//! takes the write lock before its first read, so it waits its turn. (A
//! deferred transaction that reads first and then tries to write cannot wait:
//! SQLite fails it with SQLITE_BUSY at once if another program wrote since.)
//!
//! Read-only media: a workspace that cannot be opened for writing is opened
//! for reading; lists and figures work, and a write says
//! [`StoreError::ReadOnly`].

use butie_core::engine::Evaluation;
use butie_core::explain::to_json;
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{
    fact_index, fact_value_to_json, parse_company, parse_fact_value, parse_year, profile_to_value, ClaimStatus, Company, Facts, InputError,
    Problem, Profile,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use serde_json::{json, Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

mod claims;
mod disk;
mod materials;
mod migrations;
mod packs;
pub use claims::{
    claim_to_value, claims_from_history, parse_amount, parse_claims, ClaimEvent, ClaimRecord, ClaimUpdate, ImportedClaim, MAX_NOTE,
};
pub use materials::{sha256_hex, Deadline, EvidenceMeta, Material, MaterialStatus, MAX_EVIDENCE, MAX_NOTICE};
pub use migrations::{migrate, migrate_to, APPLICATION_ID, LATEST_VERSION, READABLE_FROM};
pub use packs::{PackOrigin, StoredPack, TrustedKey};
/// The SQLite binding whose errors `StoreError` carries (and whose `Connection` `Workspace::connection` lends).
pub use rusqlite;

/// How long a connection waits for another program's lock before giving up.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

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
    /// An evidence file above [`MAX_EVIDENCE`].
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

/// A table of the workspace, named in errors about its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Companies,
    Facts,
    Evaluations,
    Claims,
    ClaimEvents,
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
            | StoreError::BadClaimTime { field, .. } => field,
            StoreError::UnknownMaterial { .. } => "material.item",
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
fn open_failure(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            StoreError::NotAWorkspace { path: path.to_path_buf(), why: NotWorkspaceWhy::Unreadable(e) }
        }
        _ => StoreError::CannotOpen { path: path.to_path_buf(), source: e },
    }
}

/// A failed write to the workspace at `path`, said as what it means to the
/// user: SQLITE_READONLY is `ReadOnly`, SQLITE_FULL (or ENOSPC) `DiskFull`.
fn write_failure(path: &Path, e: StoreError) -> StoreError {
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
fn lacks_write_access(e: &StoreError) -> bool {
    match e {
        StoreError::ReadOnly { .. } => true,
        StoreError::CannotOpen { source, .. } | StoreError::Sql(source) => matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::PermissionDenied | rusqlite::ErrorCode::CannotOpen)
        ),
        StoreError::Io { source, .. } => source.kind() == std::io::ErrorKind::PermissionDenied,
        _ => false,
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

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

#[derive(Debug, Clone, PartialEq)]
pub struct StoredCompany {
    pub id: i64,
    pub company: Company,
    pub archived: bool,
    pub years: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompanySummary {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    pub city: String,
    pub district: String,
    pub years: Vec<i32>,
    pub evaluations: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRecord {
    pub id: i64,
    pub company_id: i64,
    pub year: i32,
    pub created_at: String,
    pub lang: String,
    pub tool_version: String,
    /// `[{id, version, content_hash}]` of every pack used.
    pub packs: Value,
    pub total: String,
    pub total_max: String,
    pub inputs: Value,
    pub result: Value,
    /// Each clause's outcome as typed data (what `history --verify`
    /// compares; the rendered `result` may be worded differently today).
    pub clauses: Vec<SavedClause>,
}

/// One clause's outcome in a saved evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedClause {
    pub clause: String,
    pub status: butie_core::engine::Status,
    pub amount: Option<rust_decimal::Decimal>,
    pub amount_max: Option<rust_decimal::Decimal>,
    pub excluded_by: Option<String>,
}

impl SavedClause {
    /// The outcomes of an evaluation, as saved.
    pub fn of(ev: &Evaluation) -> Vec<SavedClause> {
        ev.clauses
            .iter()
            .map(|c| SavedClause {
                clause: c.clause.id.clone(),
                status: c.status,
                amount: c.amount,
                amount_max: c.amount_max,
                excluded_by: c.excluded_by.map(|s| s.winner.id.clone()),
            })
            .collect()
    }
}

/// One spreadsheet row for [`Workspace::save_rows`]: a company (matched by
/// its USCC) and its facts of one year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetRow {
    pub company: Company,
    /// Optional company fields (`legal_rep`, `contact`, `phone`, `bank`,
    /// `bank_account`, `serious_dishonesty_listed`) the sheet has no column
    /// for: a matched company keeps its stored values.
    pub keep: Vec<String>,
    pub year: i32,
    /// Facts the row gives: added, or replacing the stored value.
    pub facts: Facts,
    /// Facts the sheet has a column for and this row leaves empty: removed.
    pub clear: Vec<String>,
}

/// What [`Workspace::save_rows`] did with a row, with the company's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowSaved {
    /// A new company (or a later row of one added by the same call).
    Added(i64),
    /// An existing company (same USCC) whose fields or facts changed.
    Updated(i64),
    /// An existing company that already held exactly this.
    Unchanged(i64),
}

/// Take the optional company fields named in `keys` (`legal_rep`,
/// `contact`, `phone`, `bank`, `bank_account`, `serious_dishonesty_listed`)
/// from `from`: what a spreadsheet row that leaves them empty keeps.
pub fn keep_fields(into: &mut Company, from: &Company, keys: &[String]) {
    for k in keys {
        match k.as_str() {
            "serious_dishonesty_listed" => into.serious_dishonesty_listed = from.serious_dishonesty_listed,
            "legal_rep" => into.legal_rep = from.legal_rep.clone(),
            "contact" => into.contact = from.contact.clone(),
            "phone" => into.phone = from.phone.clone(),
            "bank" => into.bank = from.bank.clone(),
            "bank_account" => into.bank_account = from.bank_account.clone(),
            _ => {}
        }
    }
}

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Whether the file has the claims ledger (schema 4 on): a workspace
    /// from before it, opened read-only, reads as having no claims.
    ledger: bool,
    /// Whether the file has the materials, evidence and deadline tables
    /// (schema 5 on); as `ledger`.
    has_materials: bool,
    /// Whether the file keeps pack texts and trusted keys (schema 6 on).
    has_packs: bool,
}

/// The date of a Unix time in this machine's time zone, `YYYY-MM-DD`
/// (SQLite's own time-zone conversion, so that no other crate is needed).
pub fn local_date(unix: i64) -> String {
    let day = |c: &Connection| c.query_row("SELECT date(?1, 'unixepoch', 'localtime')", [unix], |r| r.get::<_, String>(0));
    Connection::open_in_memory().and_then(|c| day(&c)).unwrap_or_else(|_| "1970-01-01".into())
}

fn now_utc(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", [], |r| r.get(0))?)
}

fn company_to_value(c: &Company) -> Value {
    let v = profile_to_value(&Profile { company: c.clone(), year: None, facts: Facts::new(), history: Vec::new(), previous_year: None });
    v["company"].clone()
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
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(|e| open_failure(path, e))?;
        // SQLite opens a write-protected file read-only without a word.
        if conn.is_readonly(rusqlite::DatabaseName::Main)? {
            return Err(StoreError::ReadOnly { path: path.to_path_buf() });
        }
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(|e| open_failure(path, e))?;
        // secure_delete: a removed evidence file's bytes are overwritten, not
        // left in free pages (and so in later backups).
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;")?;
        migrate(&conn).map_err(|e| match e {
            // Name the file as the caller did, not as SQLite resolved it.
            StoreError::NewerVersion { found, supported, .. } => StoreError::NewerVersion { path: path.to_path_buf(), found, supported },
            e => write_failure(path, e),
        })?;
        Ok(Workspace { conn, path: path.to_path_buf(), read_only: false, ledger: true, has_materials: true, has_packs: true })
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
        Ok(Workspace { conn, path: path.to_path_buf(), read_only: true, ledger, has_materials, has_packs })
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
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let path = &self.path;
        if self.read_only {
            return Err(StoreError::ReadOnly { path: path.clone() });
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| write_failure(path, e.into()))?;
        let v = f(&tx).map_err(|e| write_failure(path, e))?;
        tx.commit().map_err(|e| write_failure(path, e.into()))?;
        Ok(v)
    }

    /// Check and normalise company fields with the same rules as profiles.
    pub fn validate_company(c: &Company, packs: &[Pack]) -> Result<Company> {
        Ok(parse_company(&company_to_value(c), packs)?)
    }

    fn uscc_taken(tx: &Connection, uscc: &Option<String>, except: Option<i64>) -> Result<Option<(i64, String)>> {
        let Some(u) = uscc else { return Ok(None) };
        Ok(tx
            .query_row("SELECT id, name FROM companies WHERE uscc = ?1 AND archived_at IS NULL AND id IS NOT ?2", params![u, except], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// `UsccTaken` if a company other than `except` already has `c`'s USCC.
    fn check_uscc_free(tx: &Connection, c: &Company, except: Option<i64>) -> Result<()> {
        match (Self::uscc_taken(tx, &c.uscc, except)?, &c.uscc) {
            (Some((other_id, other_name)), Some(uscc)) => Err(StoreError::UsccTaken { uscc: uscc.clone(), other_id, other_name }),
            _ => Ok(()),
        }
    }

    fn insert_company(tx: &Connection, c: &Company) -> Result<i64> {
        Self::check_uscc_free(tx, c, None)?;
        let now = now_utc(tx)?;
        tx.execute(
            "INSERT INTO companies (name, uscc, city, district, serious_dishonesty_listed, legal_rep, contact, phone, bank, bank_account, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![c.name, c.uscc, c.city, c.district, c.serious_dishonesty_listed, c.legal_rep, c.contact, c.phone, c.bank, c.bank_account, now],
        )?;
        Ok(tx.last_insert_rowid())
    }

    pub fn add_company(&mut self, c: &Company, packs: &[Pack]) -> Result<i64> {
        let c = Self::validate_company(c, packs)?;
        self.write(|tx| Self::insert_company(tx, &c))
    }

    pub fn update_company(&mut self, id: i64, c: &Company, packs: &[Pack]) -> Result<()> {
        let c = Self::validate_company(c, packs)?;
        self.write(|tx| {
            Self::require_company(tx, id)?;
            Self::check_uscc_free(tx, &c, Some(id))?;
            Self::write_company(tx, id, &c, true)
        })
    }

    /// Overwrite company `id`'s fields with `c`'s. With `set_uscc` false the
    /// stored USCC is left as it is (import matches companies by USCC).
    fn write_company(tx: &Connection, id: i64, c: &Company, set_uscc: bool) -> Result<()> {
        let now = now_utc(tx)?;
        tx.execute(
            "UPDATE companies SET name=?2, uscc=CASE WHEN ?13 THEN ?3 ELSE uscc END, city=?4, district=?5, serious_dishonesty_listed=?6,
             legal_rep=?7, contact=?8, phone=?9, bank=?10, bank_account=?11, updated_at=?12 WHERE id=?1",
            params![
                id,
                c.name,
                c.uscc,
                c.city,
                c.district,
                c.serious_dishonesty_listed,
                c.legal_rep,
                c.contact,
                c.phone,
                c.bank,
                c.bank_account,
                now,
                set_uscc
            ],
        )?;
        Ok(())
    }

    fn require_company(conn: &Connection, id: i64) -> Result<()> {
        let found: Option<i64> =
            conn.query_row("SELECT id FROM companies WHERE id = ?1 AND archived_at IS NULL", [id], |r| r.get(0)).optional()?;
        found.map(|_| ()).ok_or(StoreError::CompanyNotFound { key: CompanyKey::Id(id) })
    }

    /// Resolve a company given as its number or its USCC.
    pub fn find_company(&self, key: &str) -> Result<i64> {
        let key = key.trim();
        // A credit code may be all digits: 18 characters are a code, never an id.
        if key.chars().count() != 18 {
            if let Ok(id) = key.parse::<i64>() {
                Self::require_company(&self.conn, id)?;
                return Ok(id);
            }
        }
        let up = key.to_ascii_uppercase();
        self.conn
            .query_row("SELECT id FROM companies WHERE uscc = ?1 AND archived_at IS NULL", [&up], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::CompanyNotFound { key: CompanyKey::Uscc(key.to_string()) })
    }

    pub fn get_company(&self, id: i64) -> Result<StoredCompany> {
        let row = self
            .conn
            .query_row(
                "SELECT name, uscc, city, district, serious_dishonesty_listed, legal_rep, contact, phone, bank, bank_account, archived_at
                 FROM companies WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        Company {
                            name: r.get(0)?,
                            uscc: r.get(1)?,
                            city: r.get(2)?,
                            district: r.get(3)?,
                            serious_dishonesty_listed: r.get(4)?,
                            legal_rep: r.get(5)?,
                            contact: r.get(6)?,
                            phone: r.get(7)?,
                            bank: r.get(8)?,
                            bank_account: r.get(9)?,
                        },
                        r.get::<_, Option<String>>(10)?.is_some(),
                    ))
                },
            )
            .optional()?
            .ok_or(StoreError::CompanyNotFound { key: CompanyKey::Id(id) })?;
        Ok(StoredCompany { id, company: row.0, archived: row.1, years: self.years(id)? })
    }

    pub fn years(&self, id: i64) -> Result<Vec<i32>> {
        let mut st = self.conn.prepare_cached("SELECT DISTINCT year FROM facts WHERE company_id = ?1 ORDER BY year")?;
        let v = st.query_map([id], |r| r.get(0))?.collect::<std::result::Result<Vec<i32>, _>>()?;
        Ok(v)
    }

    /// Companies not archived, by name; `search` matches name, USCC or district.
    pub fn list_companies(&self, search: Option<&str>) -> Result<Vec<CompanySummary>> {
        let pattern = search.map(|s| format!("%{}%", s.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        let mut st = self.conn.prepare_cached(
            "SELECT c.id, c.name, c.uscc, c.city, c.district,
                    (SELECT group_concat(year) FROM (SELECT DISTINCT year FROM facts f WHERE f.company_id = c.id ORDER BY year)),
                    (SELECT count(*) FROM evaluations e WHERE e.company_id = c.id)
             FROM companies c
             WHERE c.archived_at IS NULL
               AND (?1 IS NULL OR c.name LIKE ?1 ESCAPE '\\' OR c.uscc LIKE ?1 ESCAPE '\\' OR c.district LIKE ?1 ESCAPE '\\')
             ORDER BY c.name, c.id",
        )?;
        let rows = st.query_map([pattern], |r| {
            let years: Option<String> = r.get(5)?;
            Ok(CompanySummary {
                id: r.get(0)?,
                name: r.get(1)?,
                uscc: r.get(2)?,
                city: r.get(3)?,
                district: r.get(4)?,
                years: years.map(|s| s.split(',').filter_map(|y| y.parse().ok()).collect()).unwrap_or_default(),
                evaluations: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
    }

    /// Remove a company. One with saved evaluations or claims is archived
    /// instead (hidden from lists, its evaluations and claims kept) — only
    /// when `archive` is true; otherwise refused.
    pub fn delete_company(&mut self, id: i64, archive: bool) -> Result<bool> {
        self.write(|tx| {
            Self::require_company(tx, id)?;
            let evals: i64 = tx.query_row("SELECT count(*) FROM evaluations WHERE company_id = ?1", [id], |r| r.get(0))?;
            let claims: i64 = tx.query_row("SELECT count(*) FROM claims WHERE company_id = ?1", [id], |r| r.get(0))?;
            let evidence: i64 = tx.query_row("SELECT count(*) FROM evidence WHERE company_id = ?1", [id], |r| r.get(0))?;
            if evals > 0 || claims > 0 || evidence > 0 {
                if !archive {
                    return Err(if evals > 0 {
                        StoreError::HasEvaluations { id, count: evals }
                    } else if claims > 0 {
                        StoreError::HasClaims { id, count: claims }
                    } else {
                        StoreError::HasEvidence { id, count: evidence }
                    });
                }
                let now = now_utc(tx)?;
                tx.execute("UPDATE companies SET archived_at = ?2 WHERE id = ?1", params![id, now])?;
                return Ok(true);
            }
            tx.execute("DELETE FROM facts WHERE company_id = ?1", [id])?;
            tx.execute("DELETE FROM materials WHERE company_id = ?1", [id])?;
            tx.execute("DELETE FROM deadlines WHERE company_id = ?1", [id])?;
            tx.execute("DELETE FROM companies WHERE id = ?1", [id])?;
            Ok(false)
        })
    }

    fn write_facts(tx: &Transaction, id: i64, year: i32, facts: &Facts) -> Result<()> {
        let now = now_utc(tx)?;
        let mut st = tx.prepare_cached(
            "INSERT INTO facts (company_id, year, key, value_json, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (company_id, year, key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at",
        )?;
        for (k, v) in facts {
            st.execute(params![id, year, k, fact_value_to_json(v).to_string(), now])?;
        }
        Ok(())
    }

    /// Set (add or replace) facts of a year; all or nothing.
    pub fn set_facts(&mut self, id: i64, year: i32, facts: &Facts) -> Result<()> {
        self.write(|tx| {
            Self::require_company(tx, id)?;
            Self::write_facts(tx, id, year, facts)
        })
    }

    /// Copy the standing facts (`carries_over` in the policy files) of year
    /// `from` into year `to`, never replacing a fact `to` already has; one
    /// transaction. Returns the keys copied, in key order.
    pub fn copy_standing_facts(&mut self, id: i64, from: i32, to: i32, packs: &[Pack]) -> Result<Vec<String>> {
        let (source, _) = self.facts(id, from, packs)?;
        let index = fact_index(packs);
        self.write(|tx| {
            Self::require_company(tx, id)?;
            let mut copy = Facts::new();
            for (k, v) in &source {
                if !index.get(k.as_str()).is_some_and(|d| d.carries_over) {
                    continue;
                }
                let taken: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM facts WHERE company_id = ?1 AND year = ?2 AND key = ?3)",
                    params![id, to, k],
                    |r| r.get(0),
                )?;
                if !taken {
                    copy.insert(k.clone(), v.clone());
                }
            }
            Self::write_facts(tx, id, to, &copy)?;
            Ok(copy.into_keys().collect())
        })
    }

    /// Save spreadsheet rows (`butie batch --save`) in one transaction: each
    /// row's company is matched by its USCC (required) among the companies
    /// not archived and added when there is none; then the row's facts of its
    /// year are set and its `clear` keys removed. Only what differs is
    /// written (facts compared by value), so saving the same rows again
    /// changes nothing and says [`RowSaved::Unchanged`]. All or nothing.
    pub fn save_rows(&mut self, rows: &[SheetRow], packs: &[Pack]) -> Result<Vec<RowSaved>> {
        self.apply_rows(rows, packs, true)
    }

    /// What [`Workspace::save_rows`] would do with these rows, row by row,
    /// without changing anything: the same work in a transaction that is
    /// rolled back (the app's import preview).
    pub fn preview_rows(&mut self, rows: &[SheetRow], packs: &[Pack]) -> Result<Vec<RowSaved>> {
        self.apply_rows(rows, packs, false)
    }

    fn apply_rows(&mut self, rows: &[SheetRow], packs: &[Pack], commit: bool) -> Result<Vec<RowSaved>> {
        let mut checked = Vec::with_capacity(rows.len());
        for r in rows {
            if r.company.uscc.is_none() {
                return Err(InputError::new("company.uscc", Problem::Missing).into());
            }
            checked.push(Self::validate_company(&r.company, packs)?);
        }
        let index = fact_index(packs);
        let apply = |tx: &Transaction<'_>| -> Result<Vec<RowSaved>> {
            let mut added: Vec<i64> = Vec::new();
            let mut out = Vec::with_capacity(rows.len());
            for (r, c) in rows.iter().zip(&checked) {
                let Some((id, _)) = Self::uscc_taken(tx, &c.uscc, None)? else {
                    let id = Self::insert_company(tx, c)?;
                    Self::write_facts(tx, id, r.year, &r.facts)?;
                    added.push(id);
                    out.push(RowSaved::Added(id));
                    continue;
                };
                let stored: Company = tx.query_row(
                    "SELECT name, uscc, city, district, serious_dishonesty_listed, legal_rep, contact, phone, bank, bank_account
                     FROM companies WHERE id = ?1",
                    [id],
                    |q| {
                        Ok(Company {
                            name: q.get(0)?,
                            uscc: q.get(1)?,
                            city: q.get(2)?,
                            district: q.get(3)?,
                            serious_dishonesty_listed: q.get(4)?,
                            legal_rep: q.get(5)?,
                            contact: q.get(6)?,
                            phone: q.get(7)?,
                            bank: q.get(8)?,
                            bank_account: q.get(9)?,
                        })
                    },
                )?;
                let mut merged = c.clone();
                merged.uscc = stored.uscc.clone();
                keep_fields(&mut merged, &stored, &r.keep);
                let mut changed = merged != stored;
                if changed {
                    Self::write_company(tx, id, &merged, false)?;
                }
                let mut current = Facts::new();
                {
                    let mut st = tx.prepare_cached("SELECT key, value_json FROM facts WHERE company_id = ?1 AND year = ?2")?;
                    let found = st.query_map(params![id, r.year], |q| Ok((q.get::<_, String>(0)?, q.get::<_, String>(1)?)))?;
                    for row in found {
                        let (k, text) = row?;
                        // A stored value that no longer reads is replaced by the row's.
                        let value = index.get(k.as_str()).and_then(|d| {
                            let v: Value = serde_json::from_str(&text).ok()?;
                            parse_fact_value(&k, d, &v).ok()
                        });
                        if let Some(v) = value {
                            current.insert(k, v);
                        }
                    }
                }
                let differs: Facts =
                    r.facts.iter().filter(|(k, v)| current.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())).collect();
                if !differs.is_empty() {
                    Self::write_facts(tx, id, r.year, &differs)?;
                    changed = true;
                }
                for k in &r.clear {
                    changed |=
                        tx.execute("DELETE FROM facts WHERE company_id = ?1 AND year = ?2 AND key = ?3", params![id, r.year, k])? > 0;
                }
                out.push(if added.contains(&id) {
                    RowSaved::Added(id)
                } else if changed {
                    RowSaved::Updated(id)
                } else {
                    RowSaved::Unchanged(id)
                });
            }
            Ok(out)
        };
        if commit {
            return self.write(apply);
        }
        let path = self.path.clone();
        // Immediate, as for saving: a deferred transaction that later wants
        // to write fails at once when another program writes, instead of waiting.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| write_failure(&path, e.into()))?;
        // Dropped without commit: rolled back.
        apply(&tx)
    }

    pub fn unset_facts(&mut self, id: i64, year: i32, keys: &[String]) -> Result<usize> {
        self.write(|tx| {
            Self::require_company(tx, id)?;
            let mut n = 0;
            for k in keys {
                n += tx.execute("DELETE FROM facts WHERE company_id = ?1 AND year = ?2 AND key = ?3", params![id, year, k])?;
            }
            Ok(n)
        })
    }

    /// The facts of a year, read back through the packs' definitions.
    /// Keys the loaded packs no longer define are returned separately.
    pub fn facts(&self, id: i64, year: i32, packs: &[Pack]) -> Result<(Facts, Vec<String>)> {
        let index = fact_index(packs);
        let mut st = self.conn.prepare_cached("SELECT key, value_json FROM facts WHERE company_id = ?1 AND year = ?2 ORDER BY key")?;
        let rows = st.query_map(params![id, year], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut facts = Facts::new();
        let mut unknown = Vec::new();
        for row in rows {
            let (k, text) = row?;
            let Some(def) = index.get(k.as_str()) else {
                unknown.push(k);
                continue;
            };
            let v: Value =
                serde_json::from_str(&text).map_err(|source| StoreError::CorruptFact { company_id: id, year, key: k.clone(), source })?;
            facts.insert(k.clone(), parse_fact_value(&format!("facts.{k}"), def, &v)?);
        }
        Ok((facts, unknown))
    }

    /// The profile of a company and year: its facts of that year, and as
    /// `history` its claims of every year from the ledger (clauses the
    /// loaded packs know), by year and clause.
    pub fn profile(&self, id: i64, year: i32, packs: &[Pack]) -> Result<Profile> {
        let c = self.get_company(id)?;
        let (facts, _) = self.facts(id, year, packs)?;
        let mut p = Profile::new(c.company, Some(year), facts);
        p.history = self.history_of(id, packs)?;
        p.previous_year = self.previous_year(id, year, packs)?;
        Ok(p)
    }

    /// The saved facts of the year before `year` that some pack reads as
    /// last year's (`previous_year_of`: 上年交易额 is last year's 交易额), or
    /// `None` when none is saved.
    pub fn previous_year(&self, id: i64, year: i32, packs: &[Pack]) -> Result<Option<butie_core::profile::PreviousYear>> {
        if !packs.iter().flat_map(|p| p.facts.values()).any(|d| d.previous_year_of.is_some()) {
            return Ok(None);
        }
        let (facts, _) = self.facts(id, year - 1, packs)?;
        Ok(butie_core::profile::previous_year_from(packs, year - 1, &facts))
    }

    /// Save an evaluation with everything needed to reproduce it.
    /// The result is kept as the catalogue JSON in Chinese, the filing
    /// language, whatever language the user reads; the `lang` column says so.
    pub fn save_evaluation(&mut self, id: i64, profile: &Profile, ev: &Evaluation, packs: &[Pack]) -> Result<i64> {
        let inputs = profile_to_value(profile).to_string();
        // The versions that computed this year (an older kept version may
        // serve a year the newest's term does not cover); 未验证 is recorded
        // for a pack whose figures the result uses.
        let used: Vec<&Pack> = packs.iter().map(|p| ev.packs.iter().find(|pr| pr.pack.id == p.id).map_or(p, |pr| pr.pack)).collect();
        let pack_list: Vec<Value> = used
            .iter()
            .map(|p| {
                let mut v = json!({"id": p.id, "version": p.version, "content_hash": p.content_hash});
                let applies = ev.packs.iter().any(|pr| pr.pack.id == p.id && pr.status.applies());
                if p.unverified && applies {
                    v["unverified"] = Value::Bool(true);
                }
                v
            })
            .collect();
        let result = to_json(ev, Lang::Zh);
        self.write(|tx| {
        Self::require_company(tx, id)?;
        let now = now_utc(tx)?;
        // The rules it was computed with are kept beside it (once per version).
        for p in used.iter().filter(|p| !p.text.is_empty()) {
            tx.execute(
                "INSERT OR IGNORE INTO pack_texts (sha256, pack_id, version, text, origin, signer, verified, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7)",
                params![p.content_hash, p.id, p.version, &*p.text, if p.unverified { "imported" } else { "bundled" }, (!p.unverified) as i64, now],
            )?;
        }
        tx.execute(
            "INSERT INTO evaluations (company_id, year, created_at, lang, tool_version, inputs_json, packs_json, result_json, total, total_max)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                ev.year,
                now,
                "zh",
                env!("CARGO_PKG_VERSION"),
                inputs,
                Value::Array(pack_list).to_string(),
                result.to_string(),
                butie_core::money::fmt_yuan(ev.total),
                butie_core::money::fmt_yuan(ev.total_max),
            ],
        )?;
        let eval_id = tx.last_insert_rowid();
        let mut st = tx.prepare_cached(
            "INSERT INTO evaluation_clauses (evaluation_id, clause, status, amount, amount_max, excluded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for c in SavedClause::of(ev) {
            st.execute(params![
                eval_id,
                c.clause,
                c.status.as_str(),
                c.amount.map(butie_core::money::fmt_yuan),
                c.amount_max.map(butie_core::money::fmt_yuan),
                c.excluded_by
            ])?;
        }
        Ok(eval_id)
        })
    }

    fn record(r: &rusqlite::Row) -> rusqlite::Result<EvaluationRecord> {
        let parse = |s: String| serde_json::from_str(&s).unwrap_or(Value::Null);
        Ok(EvaluationRecord {
            id: r.get(0)?,
            company_id: r.get(1)?,
            year: r.get(2)?,
            created_at: r.get(3)?,
            lang: r.get(4)?,
            tool_version: r.get(5)?,
            packs: parse(r.get(6)?),
            total: r.get(7)?,
            total_max: r.get(8)?,
            inputs: parse(r.get(9)?),
            result: parse(r.get(10)?),
            clauses: Vec::new(),
        })
    }

    /// The typed clause outcomes of saved evaluations, filled into `records`.
    fn with_clauses(&self, mut records: Vec<EvaluationRecord>) -> Result<Vec<EvaluationRecord>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT clause, status, amount, amount_max, excluded_by FROM evaluation_clauses WHERE evaluation_id = ?1")?;
        for rec in &mut records {
            let rows = st.query_map([rec.id], |r| {
                let status: String = r.get(1)?;
                let status = butie_core::engine::Status::parse(&status).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, format!("status {status:?}").into())
                })?;
                Ok(SavedClause {
                    clause: r.get(0)?,
                    status,
                    amount: claims::amount_at(r, 2)?,
                    amount_max: claims::amount_at(r, 3)?,
                    excluded_by: r.get(4)?,
                })
            })?;
            let mut clauses = rows.collect::<std::result::Result<Vec<_>, _>>()?;
            // In the evaluation's own order (its rendered clause list).
            let order: Vec<&str> = rec.result["clauses"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).collect();
            clauses.sort_by_key(|c| order.iter().position(|o| *o == c.clause).unwrap_or(usize::MAX));
            rec.clauses = clauses;
        }
        Ok(records)
    }

    const RECORD_COLS: &'static str =
        "id, company_id, year, created_at, lang, tool_version, packs_json, total, total_max, inputs_json, result_json";

    /// Saved evaluations of a company, newest first.
    pub fn history(&self, id: i64) -> Result<Vec<EvaluationRecord>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {} FROM evaluations WHERE company_id = ?1 ORDER BY id DESC", Self::RECORD_COLS))?;
        let v = st.query_map([id], Self::record)?.collect::<std::result::Result<Vec<_>, _>>()?;
        drop(st);
        self.with_clauses(v)
    }

    /// Every saved evaluation of every company, oldest first.
    pub fn all_evaluations(&self) -> Result<Vec<EvaluationRecord>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {} FROM evaluations ORDER BY id", Self::RECORD_COLS))?;
        let v = st.query_map([], Self::record)?.collect::<std::result::Result<Vec<_>, _>>()?;
        drop(st);
        self.with_clauses(v)
    }

    pub fn evaluation(&self, eval_id: i64) -> Result<EvaluationRecord> {
        let rec = self
            .conn
            .query_row(&format!("SELECT {} FROM evaluations WHERE id = ?1", Self::RECORD_COLS), [eval_id], Self::record)
            .optional()?
            .ok_or(StoreError::EvaluationNotFound { id: eval_id })?;
        Ok(self.with_clauses(vec![rec])?.remove(0))
    }

    // ------------------------------------------------------------ export / import

    /// A company with all its years: `{company, years: {"2024": {facts}}}`,
    /// and `claims` (its ledger with every claim's events, see
    /// [`claim_to_value`]) when it has any. Like facts the loaded packs do
    /// not define, claims of clauses they do not know are left out.
    pub fn export_company(&self, id: i64, packs: &[Pack]) -> Result<Value> {
        let c = self.get_company(id)?;
        let mut years = Map::new();
        for y in &c.years {
            let (facts, _) = self.facts(id, *y, packs)?;
            years.insert(y.to_string(), butie_core::profile::facts_to_value(&facts));
        }
        let mut v = json!({"company": company_to_value(&c.company), "years": Value::Object(years)});
        let claims: Vec<Value> =
            self.claims(id, None)?.iter().filter(|c| packs.iter().any(|p| p.clause(&c.clause).is_some())).map(claim_to_value).collect();
        if !claims.is_empty() {
            v["claims"] = Value::Array(claims);
        }
        self.export_papers(id, &mut v)?;
        Ok(v)
    }

    /// The catalogue profile of one company and year.
    pub fn export_profile(&self, id: i64, year: i32, packs: &[Pack]) -> Result<Value> {
        Ok(profile_to_value(&self.profile(id, year, packs)?))
    }

    pub fn export_all(&self, packs: &[Pack]) -> Result<Value> {
        let mut companies = Vec::new();
        for c in self.list_companies(None)? {
            companies.push(self.export_company(c.id, packs)?);
        }
        Ok(json!({"butie_workspace": 1, "companies": companies}))
    }

    /// Import a profile, a company export or a workspace export. Everything
    /// is validated before anything is written, and written in one
    /// transaction: a bad file changes nothing. Returns the ids touched.
    ///
    /// Claims (an export's `claims`, a profile's `history`) go into the
    /// ledger with their events; over a company matched by USCC
    /// (`replace`), a claim of the file replaces the same year and clause
    /// and adds the file's events, and the ledger's other claims stay, as
    /// the facts of years the file does not have stay.
    pub fn import(&mut self, v: &Value, packs: &[Pack], replace: bool) -> Result<Vec<i64>> {
        let entries = parse_import(v, packs)?;
        // Duplicate USCCs inside the file.
        for (i, e) in entries.iter().enumerate() {
            if let Some(u) = &e.company.uscc {
                if entries[..i].iter().any(|o| o.company.uscc.as_ref() == Some(u)) {
                    return Err(StoreError::DuplicateUsccInImport { uscc: u.clone() });
                }
            }
        }
        self.write(|tx| {
            let mut ids = Vec::new();
            let now = now_utc(tx)?;
            for ImportEntry { company: c, years, claims, papers } in &entries {
                let existing = match Self::uscc_taken(tx, &c.uscc, None)? {
                    Some((other_id, other_name)) if !replace => {
                        return Err(StoreError::ImportUsccTaken { uscc: c.uscc.clone().unwrap_or_default(), other_id, other_name })
                    }
                    other => other.map(|(id, _)| id),
                };
                let id = match existing {
                    Some(id) => {
                        Self::write_company(tx, id, c, false)?;
                        for (y, _) in years {
                            tx.execute("DELETE FROM facts WHERE company_id = ?1 AND year = ?2", params![id, y])?;
                        }
                        id
                    }
                    None => Self::insert_company(tx, c)?,
                };
                for (y, facts) in years {
                    Self::write_facts(tx, id, *y, facts)?;
                }
                for claim in claims {
                    Self::import_claim(tx, id, claim, &now)?;
                }
                // Warnings are worked out again from the ledger as it now is.
                let mut clauses: Vec<&str> = claims.iter().map(|c| c.clause.as_str()).collect();
                clauses.sort_unstable();
                clauses.dedup();
                for clause in clauses {
                    claims::refresh_warnings(tx, id, c, clause, packs)?;
                }
                Self::import_papers(tx, id, papers, &now)?;
                ids.push(id);
            }
            Ok(ids)
        })
    }

    // ------------------------------------------------------------ backup / restore

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
        Self::restore_with(target, src, Some(packs))
    }

    /// Put the backup `src` into the workspace at `target`, keeping what was
    /// there as a new safety copy. Returns the safety copy's path (`None`
    /// when there was no workspace at `target`, which is then created).
    ///
    /// 1. `src` is checked completely before anything is touched
    ///    ([`check_workspace_file`]: a Butie workspace, not newer than this
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
    pub fn restore(target: &Path, src: &Path) -> Result<Option<PathBuf>> {
        Self::restore_with(target, src, None)
    }

    fn restore_with(target: &Path, src: &Path, packs: Option<&[Pack]>) -> Result<Option<PathBuf>> {
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

        if !disk::exists(target)? {
            // Nothing to keep: the staged file becomes the workspace.
            stage.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(StoreError::Sql)?;
            drop(stage);
            staged.sync(target)?;
            match staged.place(target) {
                Ok(()) => return Ok(None),
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
        Ok(safety)
    }
}

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

/// Every row of `conn` (the file `path`, schema `version`) read as normal use
/// reads it.
/// Every stored fact of a key the packs define reads as they define it.
fn check_fact_types(path: &Path, conn: &Connection, packs: &[Pack]) -> Result<()> {
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

fn check_rows(path: &Path, conn: &Connection, version: i64) -> Result<()> {
    use rusqlite::types::FromSql;
    fn ok<T: FromSql>(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, T>(i).is_ok()
    }
    fn json(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).map(|t| serde_json::from_str::<Value>(&t).is_ok()).unwrap_or(false)
    }
    /// Text as the company form accepts it: no control or bidi characters,
    /// at most 200 characters (a hand-edited backup must not bring in a name
    /// that retitles a terminal or cannot be exported again).
    fn text(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, Option<String>>(i)
            .map(|o| o.is_none_or(|t| t.chars().count() <= 200 && !t.chars().any(butie_core::profile::is_control_char)))
            .unwrap_or(false)
    }
    fn name(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).is_ok() && text(r, i)
    }
    fn year(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, i32>(i).is_ok_and(|y| (2000..=2100).contains(&y))
    }
    fn money(r: &rusqlite::Row, i: usize) -> bool {
        r.get::<_, String>(i).is_ok_and(|t| t.parse::<rust_decimal::Decimal>().is_ok())
    }
    /// Each pack entry's hash is hex digits, as Butie writes it.
    fn packs(r: &rusqlite::Row, i: usize) -> bool {
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
    let read = |e: rusqlite::Error| open_failure(path, e);
    let damaged = |table, rowid, column| StoreError::BackupDamaged { path: path.to_path_buf(), table, rowid, column };
    // Columns a version-1 file does not have read as their migration's default.
    let v2 = |col: &'static str, default: &'static str| if version >= 2 { col } else { default };

    /// Whether column `i` of the row reads as Butie reads it.
    type Check = fn(&rusqlite::Row, usize) -> bool;
    /// A table, the query that reads it (rowid first), and its columns in order.
    type TableCheck = (Table, String, Vec<(&'static str, Check)>);
    let mut tables: Vec<TableCheck> = vec![
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
    ];
    // The claims ledger, from version 4 on.
    if version >= 4 {
        fn status(r: &rusqlite::Row, i: usize) -> bool {
            claims::status_at(r, i).is_ok()
        }
        fn amount(r: &rusqlite::Row, i: usize) -> bool {
            claims::amount_at(r, i).is_ok()
        }
        let state: [(&'static str, Check); 5] = [
            ("status", status),
            ("estimate", amount),
            ("approved", amount),
            ("date", ok::<Option<String>>),
            ("note", ok::<Option<String>>),
        ];
        let mut claim_cols: Vec<(&'static str, Check)> =
            vec![("company_id", ok::<i64>), ("year", ok::<i32>), ("clause", ok::<String>), ("updated_at", ok::<String>)];
        claim_cols.extend(state);
        tables.push((
            Table::Claims,
            "SELECT rowid, company_id, year, clause, updated_at, status, estimate, approved, date, note FROM claims".to_string(),
            claim_cols,
        ));
        let mut event_cols: Vec<(&'static str, Check)> = vec![("claim_id", ok::<i64>), ("at", ok::<String>)];
        event_cols.extend(state);
        tables.push((
            Table::ClaimEvents,
            "SELECT rowid, claim_id, at, status, estimate, approved, date, note FROM claim_events".to_string(),
            event_cols,
        ));
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

/// One company of an import file, checked: its fields, its facts by year
/// and its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportEntry {
    pub company: Company,
    pub years: Vec<(i32, Facts)>,
    pub claims: Vec<ImportedClaim>,
    pub papers: materials::Papers,
}

/// Validate an import file completely, writing nothing.
pub fn parse_import(v: &Value, packs: &[Pack]) -> Result<Vec<ImportEntry>> {
    let obj = v.as_object().ok_or_else(|| InputError::new("import", Problem::NotAnObject))?;
    if obj.contains_key("butie_workspace") {
        for k in obj.keys() {
            if k != "butie_workspace" && k != "companies" {
                return Err(InputError::new(k.clone(), Problem::UnknownField { known: vec!["butie_workspace", "companies"] }).into());
            }
        }
        let list = obj
            .get("companies")
            .and_then(|c| c.as_array())
            .ok_or_else(|| InputError::new("companies", Problem::WrongType { expected: butie_core::policy::FactKind::List }))?;
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            out.push(parse_company_export(c, packs).map_err(|e| prefix(e, &format!("companies[{i}]")))?);
        }
        return Ok(out);
    }
    Ok(vec![parse_company_export(v, packs)?])
}

fn prefix(e: StoreError, p: &str) -> StoreError {
    match e {
        StoreError::Input(mut ie) => {
            ie.field = format!("{p}.{}", ie.field);
            StoreError::Input(ie)
        }
        StoreError::UnknownClause { field, clause } => StoreError::UnknownClause { field: format!("{p}.{field}"), clause },
        StoreError::ClaimAmountNotAllowed { field, status } => StoreError::ClaimAmountNotAllowed { field: format!("{p}.{field}"), status },
        StoreError::ClaimAmountRequired { field, status } => StoreError::ClaimAmountRequired { field: format!("{p}.{field}"), status },
        StoreError::BadClaimDate { field, date } => StoreError::BadClaimDate { field: format!("{p}.{field}"), date },
        StoreError::BadClaimTime { field, time } => StoreError::BadClaimTime { field: format!("{p}.{field}"), time },
        other => other,
    }
}

fn parse_company_export(v: &Value, packs: &[Pack]) -> Result<ImportEntry> {
    let obj = v.as_object().ok_or_else(|| InputError::new("company", Problem::NotAnObject))?;
    if obj.contains_key("years") {
        const KEYS: [&str; 6] = ["company", "years", "claims", "materials", "evidence", "deadlines"];
        for k in obj.keys() {
            if !KEYS.contains(&k.as_str()) {
                return Err(InputError::new(k.clone(), Problem::UnknownField { known: KEYS.to_vec() }).into());
            }
        }
        let company = parse_company(obj.get("company").ok_or_else(|| InputError::new("company", Problem::Missing))?, packs)?;
        let years = obj.get("years").and_then(|y| y.as_object()).ok_or_else(|| InputError::new("years", Problem::NotAnObject))?;
        let mut out = Vec::new();
        for (y, facts) in years {
            let year = parse_year(&format!("years.{y}"), &Value::String(y.clone()))?;
            let m = facts.as_object().ok_or_else(|| InputError::new(format!("years.{y}"), Problem::NotAnObject))?;
            let f = butie_core::profile::parse_facts(m, packs).map_err(|mut e| {
                e.field = format!("years.{y}.{}", e.field);
                e
            })?;
            out.push((year, f));
        }
        let claims = parse_claims(obj.get("claims").unwrap_or(&Value::Null), packs)?;
        claims::check_imported(packs, &company, &claims, "claims")?;
        let papers = materials::parse_papers(obj, packs)?;
        return Ok(ImportEntry { company, years: out, claims, papers });
    }
    let p = butie_core::profile::profile_from_value(v, packs)?;
    let year = p.year.ok_or_else(|| InputError::new("year", Problem::Missing))?;
    let claims = claims_from_history(&p.history)?;
    claims::check_imported(packs, &p.company, &claims, "history")?;
    Ok(ImportEntry { company: p.company, years: vec![(year, p.facts)], claims, papers: Default::default() })
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
        let mut ws = Workspace { conn, path: path.clone(), read_only: false, ledger: true, has_materials: true, has_packs: true };
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

    #[test]
    fn save_rows_matches_by_uscc_adds_updates_and_is_idempotent() {
        use butie_core::FactValue;
        use rust_decimal::Decimal;
        let packs = butie_core::bundled_packs().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::open_or_create(&dir.path().join("ws.sqlite")).unwrap();
        let mut c = company("海跃");
        c.uscc = Some("91331002MA2A8K5L0Y".into());
        c.phone = Some("0576-1".into());
        let mut facts = Facts::new();
        facts.insert("intl_trademark_fee".into(), FactValue::Num(Decimal::new(18600000, 2)));
        facts.insert("provincial_famous_brand".into(), FactValue::Bool(true));
        let row = SheetRow { company: c.clone(), keep: vec![], year: 2025, facts: facts.clone(), clear: vec![] };
        let mut next_year = row.clone();
        next_year.year = 2026;
        assert_eq!(ws.save_rows(&[row.clone(), next_year], &packs).unwrap(), vec![RowSaved::Added(1), RowSaved::Added(1)]);
        // The same again: nothing written. The same value written another way is the same.
        let mut same = row.clone();
        same.facts.insert("intl_trademark_fee".into(), FactValue::Num(Decimal::new(186000, 0)));
        assert_eq!(ws.save_rows(&[same], &packs).unwrap(), vec![RowSaved::Unchanged(1)]);
        // A new value, a cleared fact, a field the sheet has no column for kept.
        let mut changed = row.clone();
        changed.company.phone = None;
        changed.keep = vec!["phone".into()];
        changed.facts.remove("provincial_famous_brand");
        changed.clear = vec!["provincial_famous_brand".into()];
        changed.facts.insert("exhibition_cost".into(), FactValue::Num(Decimal::new(15800, 0)));
        assert_eq!(ws.save_rows(&[changed], &packs).unwrap(), vec![RowSaved::Updated(1)]);
        let p = ws.profile(1, 2025, &packs).unwrap();
        assert_eq!(p.company.phone.as_deref(), Some("0576-1"));
        assert!(!p.facts.contains_key("provincial_famous_brand"));
        assert_eq!(p.facts.len(), 2);
        assert_eq!(ws.profile(1, 2026, &packs).unwrap().facts.len(), 2);
        // All or nothing: a row without a USCC refuses the whole call.
        let mut other = row.clone();
        other.company = company("乙");
        let mut fresh = row;
        fresh.company.uscc = Some("91510107MA6DG8HL5P".into());
        fresh.company.city = "成都市".into();
        fresh.company.district = "武侯区".into();
        assert!(ws.save_rows(&[fresh, other], &packs).is_err());
        assert_eq!(ws.list_companies(None).unwrap().len(), 1);
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

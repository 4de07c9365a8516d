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

mod backup;
mod check;
mod claims;
mod clock;
mod companies;
mod disk;
mod error;
mod evaluations;
mod export;
mod facts;
mod import;
mod materials;
mod migrations;
mod open;
mod packs;
mod rows;

pub use backup::Restored;
pub use check::check_workspace_file;
pub use claims::{
    claim_to_value, claims_from_history, date_as_filing_dates, parse_amount, parse_claims, ClaimEvent, ClaimRecord, ClaimUpdate,
    ImportedClaim, MAX_NOTE,
};
pub use clock::local_date;
pub use companies::{CompanySummary, StoredCompany};
pub use error::{CompanyKey, FileKind, IoAction, NotWorkspaceWhy, Result, SchemaProblem, StoreError, Table};
pub use evaluations::{EvaluationRecord, SavedClause};
pub use import::{parse_import, ImportEntry, ImportReport, KeptClaim};
pub use materials::{sha256_hex, Deadline, EvidenceMeta, Material, MaterialStatus, MAX_EVIDENCE, MAX_NOTICE, SHARED};
pub use migrations::{migrate, migrate_to, APPLICATION_ID, LATEST_VERSION, READABLE_FROM};
pub use open::{default_path, BUSY_TIMEOUT};
pub use packs::{PackOrigin, StoredPack, TrustedKey};
pub use rows::{keep_fields, RowSaved, SheetRow};
/// The SQLite binding whose errors `StoreError` carries (and whose `Connection` `Workspace::connection` lends).
pub use rusqlite;

/// An open workspace. Its methods are spread over the modules above, one
/// concern each; the fields stay here so that every module can reach them.
pub struct Workspace {
    conn: rusqlite::Connection,
    path: std::path::PathBuf,
    read_only: bool,
    /// Whether the file has the claims ledger (schema 4 on): a workspace
    /// from before it, opened read-only, reads as having no claims.
    ledger: bool,
    /// Whether the claims have their submission and approval dates
    /// (schema 10 on); as `ledger`.
    filing_dates: bool,
    /// Whether the file has the materials, evidence and deadline tables
    /// (schema 5 on); as `ledger`.
    has_materials: bool,
    /// Whether the file keeps pack texts and trusted keys (schema 6 on).
    has_packs: bool,
}

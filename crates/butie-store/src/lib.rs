//! The workspace: one SQLite file holding companies, their facts per year,
//! and saved evaluations. Evaluations are append-only (triggers refuse
//! UPDATE and DELETE), so a consultant can always show what produced a
//! figure: the inputs, the pack ids, versions and content hashes, the full
//! result and when it was made.
//!
//! Durability: WAL with `synchronous = FULL`, so a committed transaction
//! survives both a killed process and a power cut. Every multi-row write is
//! one transaction.

use butie_core::engine::Evaluation;
use butie_core::explain::to_json;
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{
    fact_index, fact_value_to_json, parse_company, parse_fact_value, parse_year, profile_to_value, Company, Facts, InputError, Problem,
    Profile,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

mod migrations;
pub use migrations::{migrate, migrate_to, LATEST_VERSION};
/// The SQLite binding whose errors `StoreError` carries (and whose `Connection` `Workspace::connection` lends).
pub use rusqlite;

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
    /// `backup` never overwrites.
    BackupExists {
        path: PathBuf,
    },
    /// SQLite could not create the backup file.
    CannotCreateBackup {
        path: PathBuf,
        source: rusqlite::Error,
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

/// What exactly is wrong with a file that is not a usable workspace.
#[derive(Debug)]
pub enum NotWorkspaceWhy {
    /// SQLite cannot read it as a database: not SQLite at all, or damaged.
    Unreadable(rusqlite::Error),
    /// `PRAGMA integrity_check` found damage; its first line, for logs.
    Damaged { report: String },
    /// An SQLite file whose schema version was never written by Butie (0 or negative).
    UnknownVersion { found: i64 },
    /// Butie's tables (companies, facts, evaluations) are not all there.
    MissingTables,
}

/// The file-system step that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    /// Creating the folder that holds the workspace.
    CreateDir,
    /// Restore: moving the previous workspace aside to `<name>.sqlite.bak`.
    KeepPrevious,
    /// Restore: moving the restored copy into place.
    Replace,
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
            _ => "",
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
            StoreError::FileNotFound { path } => write!(f, "file not found: {}", path.display()),
            StoreError::UsccTaken { uscc, other_id, .. } => write!(f, "company.uscc: {uscc} already used by company #{other_id}"),
            StoreError::ImportUsccTaken { uscc, other_id, .. } => write!(f, "import: {uscc} already used by company #{other_id}"),
            StoreError::DuplicateUsccInImport { uscc } => write!(f, "import: {uscc} appears more than once"),
            StoreError::HasEvaluations { id, count } => write!(f, "company #{id} has {count} saved evaluations; not deleted"),
            StoreError::NotAWorkspace { path, why } => {
                write!(f, "{}: not a workspace: ", path.display())?;
                match why {
                    NotWorkspaceWhy::Unreadable(e) => write!(f, "{e}"),
                    NotWorkspaceWhy::Damaged { report } => write!(f, "integrity check: {report}"),
                    NotWorkspaceWhy::UnknownVersion { found } => write!(f, "schema version {found}"),
                    NotWorkspaceWhy::MissingTables => f.write_str("tables missing"),
                }
            }
            StoreError::NewerVersion { path, found, supported } => {
                write!(f, "{}: schema version {found} newer than supported {supported}", path.display())
            }
            StoreError::CannotOpen { path, source } => write!(f, "cannot open {}: {source}", path.display()),
            StoreError::BackupExists { path } => write!(f, "backup {} exists", path.display()),
            StoreError::CannotCreateBackup { path, source } => write!(f, "cannot create backup {}: {source}", path.display()),
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
}

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
}

fn now_utc(conn: &Connection) -> Result<String> {
    Ok(conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", [], |r| r.get(0))?)
}

fn company_to_value(c: &Company) -> Value {
    let v = profile_to_value(&Profile { company: c.clone(), year: None, facts: Facts::new() });
    v["company"].clone()
}

impl Workspace {
    /// Open (creating if needed) a workspace file and bring it to the latest schema.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io { path: dir.to_path_buf(), action: IoAction::CreateDir, source: e })?;
        }
        let conn = Connection::open(path).map_err(|e| open_failure(path, e))?;
        Self::setup(&conn, path)?;
        migrate(&conn).map_err(|e| match e {
            // Name the file as the caller did, not as SQLite resolved it.
            StoreError::NewerVersion { found, supported, .. } => StoreError::NewerVersion { path: path.to_path_buf(), found, supported },
            e => e,
        })?;
        Ok(Workspace { conn, path: path.to_path_buf() })
    }

    fn setup(conn: &Connection, path: &Path) -> Result<()> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // A file that is not SQLite fails here, the first time SQLite reads it.
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).map_err(|e| open_failure(path, e))?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
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
        let tx = self.conn.transaction()?;
        let id = Self::insert_company(&tx, &c)?;
        tx.commit()?;
        Ok(id)
    }

    pub fn update_company(&mut self, id: i64, c: &Company, packs: &[Pack]) -> Result<()> {
        let c = Self::validate_company(c, packs)?;
        let tx = self.conn.transaction()?;
        Self::require_company(&tx, id)?;
        Self::check_uscc_free(&tx, &c, Some(id))?;
        Self::write_company(&tx, id, &c, true)?;
        tx.commit()?;
        Ok(())
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
        if let Ok(id) = key.parse::<i64>() {
            Self::require_company(&self.conn, id)?;
            return Ok(id);
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

    /// Remove a company. One with saved evaluations is archived instead
    /// (hidden from lists, its evaluations kept) — only when `archive` is
    /// true; otherwise refused.
    pub fn delete_company(&mut self, id: i64, archive: bool) -> Result<bool> {
        let tx = self.conn.transaction()?;
        Self::require_company(&tx, id)?;
        let evals: i64 = tx.query_row("SELECT count(*) FROM evaluations WHERE company_id = ?1", [id], |r| r.get(0))?;
        if evals > 0 {
            if !archive {
                return Err(StoreError::HasEvaluations { id, count: evals });
            }
            let now = now_utc(&tx)?;
            tx.execute("UPDATE companies SET archived_at = ?2 WHERE id = ?1", params![id, now])?;
            tx.commit()?;
            return Ok(true);
        }
        tx.execute("DELETE FROM facts WHERE company_id = ?1", [id])?;
        tx.execute("DELETE FROM companies WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(false)
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
        let tx = self.conn.transaction()?;
        Self::require_company(&tx, id)?;
        Self::write_facts(&tx, id, year, facts)?;
        tx.commit()?;
        Ok(())
    }

    pub fn unset_facts(&mut self, id: i64, year: i32, keys: &[String]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        Self::require_company(&tx, id)?;
        let mut n = 0;
        for k in keys {
            n += tx.execute("DELETE FROM facts WHERE company_id = ?1 AND year = ?2 AND key = ?3", params![id, year, k])?;
        }
        tx.commit()?;
        Ok(n)
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

    pub fn profile(&self, id: i64, year: i32, packs: &[Pack]) -> Result<Profile> {
        let c = self.get_company(id)?;
        let (facts, _) = self.facts(id, year, packs)?;
        Ok(Profile::new(c.company, Some(year), facts))
    }

    /// Save an evaluation with everything needed to reproduce it.
    /// The result is kept as the catalogue JSON in Chinese, the filing
    /// language, whatever language the user reads; the `lang` column says so.
    pub fn save_evaluation(&mut self, id: i64, profile: &Profile, ev: &Evaluation, packs: &[Pack]) -> Result<i64> {
        let inputs = profile_to_value(profile).to_string();
        let pack_list: Vec<Value> =
            packs.iter().map(|p| json!({"id": p.id, "version": p.version, "content_hash": p.content_hash})).collect();
        let result = to_json(ev, Lang::Zh);
        let tx = self.conn.transaction()?;
        Self::require_company(&tx, id)?;
        let now = now_utc(&tx)?;
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
                result["total"].as_str().unwrap_or("0.00"),
                result["total_max"].as_str().unwrap_or("0.00"),
            ],
        )?;
        let eid = tx.last_insert_rowid();
        tx.commit()?;
        Ok(eid)
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
        })
    }

    const RECORD_COLS: &'static str =
        "id, company_id, year, created_at, lang, tool_version, packs_json, total, total_max, inputs_json, result_json";

    /// Saved evaluations of a company, newest first.
    pub fn history(&self, id: i64) -> Result<Vec<EvaluationRecord>> {
        let mut st =
            self.conn.prepare_cached(&format!("SELECT {} FROM evaluations WHERE company_id = ?1 ORDER BY id DESC", Self::RECORD_COLS))?;
        let v = st.query_map([id], Self::record)?.collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(v)
    }

    pub fn evaluation(&self, eval_id: i64) -> Result<EvaluationRecord> {
        self.conn
            .query_row(&format!("SELECT {} FROM evaluations WHERE id = ?1", Self::RECORD_COLS), [eval_id], Self::record)
            .optional()?
            .ok_or(StoreError::EvaluationNotFound { id: eval_id })
    }

    // ------------------------------------------------------------ export / import

    /// A company with all its years: `{company, years: {"2024": {facts}}}`.
    pub fn export_company(&self, id: i64, packs: &[Pack]) -> Result<Value> {
        let c = self.get_company(id)?;
        let mut years = Map::new();
        for y in &c.years {
            let (facts, _) = self.facts(id, *y, packs)?;
            years.insert(y.to_string(), butie_core::profile::facts_to_value(&facts));
        }
        Ok(json!({"company": company_to_value(&c.company), "years": Value::Object(years)}))
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
    pub fn import(&mut self, v: &Value, packs: &[Pack], replace: bool) -> Result<Vec<i64>> {
        let entries = parse_import(v, packs)?;
        // Duplicate USCCs inside the file.
        for (i, (c, _)) in entries.iter().enumerate() {
            if let Some(u) = &c.uscc {
                if entries[..i].iter().any(|(o, _)| o.uscc.as_ref() == Some(u)) {
                    return Err(StoreError::DuplicateUsccInImport { uscc: u.clone() });
                }
            }
        }
        let tx = self.conn.transaction()?;
        let mut ids = Vec::new();
        for (c, years) in &entries {
            let existing = match Self::uscc_taken(&tx, &c.uscc, None)? {
                Some((other_id, other_name)) if !replace => {
                    return Err(StoreError::ImportUsccTaken { uscc: c.uscc.clone().unwrap_or_default(), other_id, other_name })
                }
                other => other.map(|(id, _)| id),
            };
            let id = match existing {
                Some(id) => {
                    Self::write_company(&tx, id, c, false)?;
                    for (y, _) in years {
                        tx.execute("DELETE FROM facts WHERE company_id = ?1 AND year = ?2", params![id, y])?;
                    }
                    id
                }
                None => Self::insert_company(&tx, c)?,
            };
            for (y, facts) in years {
                Self::write_facts(&tx, id, *y, facts)?;
            }
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    // ------------------------------------------------------------ backup / restore

    /// Copy the live workspace to `dest` with SQLite's online backup API.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(StoreError::BackupExists { path: dest.to_path_buf() });
        }
        let mut out = Connection::open(dest).map_err(|e| StoreError::CannotCreateBackup { path: dest.to_path_buf(), source: e })?;
        {
            let b = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
            b.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        Ok(())
    }

    /// Replace the workspace at `target` with the backup `src`, after
    /// checking that `src` is an intact Butie workspace. The previous file
    /// is kept as `<target>.bak`.
    pub fn restore(target: &Path, src: &Path) -> Result<()> {
        check_workspace_file(src)?;
        let tmp = target.with_extension("restoring");
        let _ = std::fs::remove_file(&tmp);
        {
            let from = Connection::open(src)?;
            let mut to = Connection::open(&tmp)?;
            let b = rusqlite::backup::Backup::new(&from, &mut to)?;
            b.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        if target.exists() {
            // Fold the WAL into the main file so the .bak is complete.
            if let Ok(c) = Connection::open(target) {
                let _ = c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
            }
            let bak = target.with_extension("sqlite.bak");
            std::fs::rename(target, &bak).map_err(|e| StoreError::Io { path: bak.clone(), action: IoAction::KeepPrevious, source: e })?;
            for ext in ["sqlite-wal", "sqlite-shm"] {
                let _ = std::fs::remove_file(target.with_extension(ext));
            }
        }
        std::fs::rename(&tmp, target).map_err(|e| StoreError::Io { path: target.to_path_buf(), action: IoAction::Replace, source: e })?;
        Workspace::open(target)?;
        Ok(())
    }
}

/// An intact SQLite file with Butie's schema, not newer than this build.
pub fn check_workspace_file(path: &Path) -> Result<()> {
    if !path.is_file() {
        return Err(StoreError::FileNotFound { path: path.to_path_buf() });
    }
    let bad = |why: NotWorkspaceWhy| StoreError::NotAWorkspace { path: path.to_path_buf(), why };
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| open_failure(path, e))?;
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| open_failure(path, e))?;
    if ok != "ok" {
        return Err(bad(NotWorkspaceWhy::Damaged { report: ok }));
    }
    let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| open_failure(path, e))?;
    if v <= 0 {
        return Err(bad(NotWorkspaceWhy::UnknownVersion { found: v }));
    }
    if v > LATEST_VERSION {
        return Err(StoreError::NewerVersion { path: path.to_path_buf(), found: v, supported: LATEST_VERSION });
    }
    let has: i64 = c
        .query_row("SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('companies','facts','evaluations')", [], |r| {
            r.get(0)
        })
        .map_err(|e| open_failure(path, e))?;
    if has != 3 {
        return Err(bad(NotWorkspaceWhy::MissingTables));
    }
    Ok(())
}

type ImportEntry = (Company, Vec<(i32, Facts)>);

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
        other => other,
    }
}

fn parse_company_export(v: &Value, packs: &[Pack]) -> Result<ImportEntry> {
    let obj = v.as_object().ok_or_else(|| InputError::new("company", Problem::NotAnObject))?;
    if obj.contains_key("years") {
        for k in obj.keys() {
            if k != "company" && k != "years" {
                return Err(InputError::new(k.clone(), Problem::UnknownField { known: vec!["company", "years"] }).into());
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
        return Ok((company, out));
    }
    let p = butie_core::profile::profile_from_value(v, packs)?;
    let year = p.year.ok_or_else(|| InputError::new("year", Problem::Missing))?;
    Ok((p.company, vec![(year, p.facts)]))
}

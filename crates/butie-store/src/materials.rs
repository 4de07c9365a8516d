//! Application materials and filing windows (schema 5).
//!
//! **Materials.** Each clause's policy file lists the materials an
//! application needs (`attachments`). Per company × year × clause × item
//! the store keeps a status — 已准备 `ready`, 未准备 `not_ready` (also what
//! an item without a row is), 不适用 `not_applicable` — and any number of
//! evidence files. An item is named by its text as the policy file lists
//! it.
//!
//! **Evidence.** The files are copied into the workspace as BLOBs with
//! their name, size, SHA-256 and the time they were added, so that the
//! workspace stays one file: backup, restore, export and import carry them.
//! At most [`MAX_EVIDENCE`] bytes a file. Attaching a file to an item that
//! is not yet ready marks it ready.
//!
//! **Filing windows.** Per company × year × pack, the window the
//! competent office's notice gives: an optional start, an end (both
//! `YYYY-MM-DD`, inclusive) and the notice's title as the source.
//! Days left are the caller's business (it knows today's date).

use crate::claims::check_date;
use crate::clock::now_utc;
use crate::{Result, StoreError, Workspace};
use base64::Engine;
use butie_core::policy::Pack;
use butie_core::profile::{check_year, InputError, Problem};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The largest evidence file kept, in bytes (50 MB).
pub const MAX_EVIDENCE: u64 = 50 * 1024 * 1024;
/// The longest notice title kept, in characters.
pub const MAX_NOTICE: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaterialStatus {
    Ready,
    NotReady,
    NotApplicable,
}

impl MaterialStatus {
    pub const ALL: [MaterialStatus; 3] = [MaterialStatus::Ready, MaterialStatus::NotReady, MaterialStatus::NotApplicable];
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialStatus::Ready => "ready",
            MaterialStatus::NotReady => "not_ready",
            MaterialStatus::NotApplicable => "not_applicable",
        }
    }
    pub fn parse(s: &str) -> Option<MaterialStatus> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}

/// An evidence file as listed (its bytes are read with [`Workspace::evidence_bytes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceMeta {
    pub id: i64,
    pub name: String,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`.
    pub added_at: String,
}

/// One material of one clause, with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    /// Its position in the clause's list, from 1.
    pub number: usize,
    pub item: String,
    pub status: MaterialStatus,
    pub evidence: Vec<EvidenceMeta>,
}

/// A filing window as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    pub company_id: i64,
    pub company: String,
    pub year: i32,
    pub pack: String,
    pub start: Option<String>,
    pub end: String,
    pub notice: String,
}

/// An evidence record from a row, given the columns of its id, name, size,
/// SHA-256 and time added.
fn evidence_meta(r: &rusqlite::Row, [id, name, size, sha, added]: [usize; 5]) -> rusqlite::Result<EvidenceMeta> {
    Ok(EvidenceMeta {
        id: r.get(id)?,
        name: r.get(name)?,
        size: r.get::<_, i64>(size)? as u64,
        sha256: r.get(sha)?,
        added_at: r.get(added)?,
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The clause's material list, or `UnknownClause`.
fn items_of<'p>(packs: &'p [Pack], clause: &str, field: &str) -> Result<&'p [String]> {
    packs
        .iter()
        .find_map(|p| p.clause(clause))
        .map(|c| c.attachments.as_slice())
        .ok_or_else(|| StoreError::UnknownClause { field: field.to_string(), clause: clause.to_string() })
}

/// An item named by its number (from 1) or its text.
fn item_of(items: &[String], item: &str) -> Result<String> {
    let t = item.trim();
    if let Ok(n) = t.parse::<usize>() {
        if n >= 1 && n <= items.len() {
            return Ok(items[n - 1].clone());
        }
    }
    items
        .iter()
        .find(|i| i.as_str() == t)
        .cloned()
        .ok_or_else(|| StoreError::UnknownMaterial { item: item.to_string(), count: items.len() })
}

impl Workspace {
    /// The materials of a clause for a company and year, in the policy
    /// file's order, each with its status and evidence.
    pub fn materials(&self, company_id: i64, year: i32, clause: &str, packs: &[Pack]) -> Result<Vec<Material>> {
        Self::require_company(&self.conn, company_id)?;
        let items = items_of(packs, clause, "material.clause")?;
        let mut out: Vec<Material> = items
            .iter()
            .enumerate()
            .map(|(i, item)| Material { number: i + 1, item: item.clone(), status: MaterialStatus::NotReady, evidence: Vec::new() })
            .collect();
        if !self.has_materials {
            return Ok(out);
        }
        let mut st = self.conn.prepare_cached("SELECT item, status FROM materials WHERE company_id = ?1 AND year = ?2 AND clause = ?3")?;
        let rows = st.query_map(params![company_id, year, clause], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (item, status) = row?;
            if let (Some(m), Some(s)) = (out.iter_mut().find(|m| m.item == item), MaterialStatus::parse(&status)) {
                m.status = s;
            }
        }
        let mut st = self.conn.prepare_cached(
            "SELECT id, item, name, size, sha256, added_at FROM evidence WHERE company_id = ?1 AND year = ?2 AND clause = ?3 ORDER BY id",
        )?;
        let rows = st.query_map(params![company_id, year, clause], |r| Ok((r.get::<_, String>(1)?, evidence_meta(r, [0, 2, 3, 4, 5])?)))?;
        for row in rows {
            let (item, meta) = row?;
            if let Some(m) = out.iter_mut().find(|m| m.item == item) {
                m.evidence.push(meta);
            }
        }
        Ok(out)
    }

    /// Set one material's status; `item` is its number (from 1) or its text.
    pub fn set_material(
        &mut self,
        company_id: i64,
        year: i64,
        clause: &str,
        item: &str,
        status: MaterialStatus,
        packs: &[Pack],
    ) -> Result<()> {
        let year = check_year("material.year", year)?;
        let item = item_of(items_of(packs, clause, "material.clause")?, item)?;
        self.write(|tx| {
            Self::require_company(tx, company_id)?;
            let now = now_utc(tx)?;
            tx.execute(
                "INSERT INTO materials (company_id, year, clause, item, status, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (company_id, year, clause, item) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
                params![company_id, year, clause, item, status.as_str(), now],
            )?;
            Ok(())
        })
    }

    /// Keep a copy of an evidence file with a material (at most
    /// [`MAX_EVIDENCE`] bytes); the material becomes ready unless it was
    /// marked 不适用. The same bytes twice on one material are kept once.
    #[allow(clippy::too_many_arguments)]
    pub fn add_evidence(
        &mut self,
        company_id: i64,
        year: i64,
        clause: &str,
        item: &str,
        name: &str,
        bytes: &[u8],
        packs: &[Pack],
    ) -> Result<EvidenceMeta> {
        let year = check_year("material.year", year)?;
        let item = item_of(items_of(packs, clause, "material.clause")?, item)?;
        let name = name.trim();
        if name.is_empty() || name.chars().any(butie_core::profile::is_control_char) || name.chars().count() > 255 {
            return Err(StoreError::BadEvidenceName { name: name.to_string() });
        }
        if bytes.is_empty() {
            return Err(StoreError::EvidenceEmpty { name: name.to_string() });
        }
        if bytes.len() as u64 > MAX_EVIDENCE {
            return Err(StoreError::EvidenceTooLarge { name: name.to_string(), size: bytes.len() as u64, limit: MAX_EVIDENCE });
        }
        let sha = sha256_hex(bytes);
        self.write(|tx| {
            Self::require_company(tx, company_id)?;
            let now = now_utc(tx)?;
            let same: Option<EvidenceMeta> = tx
                .query_row(
                    "SELECT id, name, size, sha256, added_at FROM evidence
                     WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4 AND sha256 = ?5 AND name = ?6",
                    params![company_id, year, clause, item, sha, name],
                    |r| evidence_meta(r, [0, 1, 2, 3, 4]),
                )
                .optional()?;
            if let Some(m) = same {
                return Ok(m);
            }
            tx.execute(
                "INSERT INTO evidence (company_id, year, clause, item, name, size, sha256, added_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![company_id, year, clause, item, name, bytes.len() as i64, sha, now, bytes],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO materials (company_id, year, clause, item, status, updated_at) VALUES (?1, ?2, ?3, ?4, 'ready', ?5)
                 ON CONFLICT (company_id, year, clause, item) DO UPDATE SET status = 'ready', updated_at = excluded.updated_at
                 WHERE materials.status = 'not_ready'",
                params![company_id, year, clause, item, now],
            )?;
            Ok(EvidenceMeta { id, name: name.to_string(), size: bytes.len() as u64, sha256: sha, added_at: now })
        })
    }

    /// Every evidence file of a company and year: (clause, item, record).
    pub fn evidence_of(&self, company_id: i64, year: i32) -> Result<Vec<(String, String, EvidenceMeta)>> {
        if !self.has_materials {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare_cached(
            "SELECT clause, item, id, name, size, sha256, added_at FROM evidence WHERE company_id = ?1 AND year = ?2 ORDER BY id",
        )?;
        let rows = st.query_map(params![company_id, year], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, evidence_meta(r, [2, 3, 4, 5, 6])?))
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// An evidence file's record and bytes; the bytes are checked against
    /// the SHA-256 recorded when it was added.
    pub fn evidence_bytes(&self, id: i64) -> Result<(EvidenceMeta, Vec<u8>)> {
        if !self.has_materials {
            return Err(StoreError::EvidenceNotFound { id });
        }
        let (meta, data) = self
            .conn
            .query_row("SELECT id, name, size, sha256, added_at, data FROM evidence WHERE id = ?1", [id], |r| {
                Ok((evidence_meta(r, [0, 1, 2, 3, 4])?, r.get::<_, Vec<u8>>(5)?))
            })
            .optional()?
            .ok_or(StoreError::EvidenceNotFound { id })?;
        if sha256_hex(&data) != meta.sha256 {
            return Err(StoreError::EvidenceDamaged { id, name: meta.name });
        }
        Ok((meta, data))
    }

    /// Remove an evidence file; the material's status stays as it is.
    pub fn remove_evidence(&mut self, id: i64) -> Result<EvidenceMeta> {
        self.write(|tx| {
            let meta = tx
                .query_row("SELECT id, name, size, sha256, added_at FROM evidence WHERE id = ?1", [id], |r| {
                    evidence_meta(r, [0, 1, 2, 3, 4])
                })
                .optional()?
                .ok_or(StoreError::EvidenceNotFound { id })?;
            tx.execute("DELETE FROM evidence WHERE id = ?1", [id])?;
            Ok(meta)
        })
    }

    /// Record the filing window of a pack for a company and year (replacing
    /// the one recorded).
    #[allow(clippy::too_many_arguments)]
    pub fn set_deadline(
        &mut self,
        company_id: i64,
        year: i64,
        pack: &str,
        start: Option<&str>,
        end: &str,
        notice: &str,
        packs: &[Pack],
    ) -> Result<()> {
        let year = check_year("deadline.year", year)?;
        if !packs.iter().any(|p| p.id == pack) {
            return Err(StoreError::UnknownPack { pack: pack.to_string(), known: packs.iter().map(|p| p.id.clone()).collect() });
        }
        let start = check_date("deadline.start", start)?;
        let end =
            check_date("deadline.end", Some(end))?.ok_or_else(|| StoreError::from(InputError::new("deadline.end", Problem::Missing)))?;
        if let Some(s) = &start {
            if *s > end {
                return Err(StoreError::DeadlineBeforeStart { start: s.clone(), end });
            }
        }
        let notice = notice.trim();
        if notice.is_empty() {
            return Err(InputError::new("deadline.notice", Problem::Missing).into());
        }
        if notice.chars().count() > MAX_NOTICE {
            return Err(InputError::new("deadline.notice", Problem::TooLong { max: MAX_NOTICE }).into());
        }
        if notice.chars().any(butie_core::profile::is_control_char) {
            return Err(InputError::new("deadline.notice", Problem::NotText).into());
        }
        self.write(|tx| {
            Self::require_company(tx, company_id)?;
            let now = now_utc(tx)?;
            tx.execute(
                "INSERT INTO deadlines (company_id, year, pack, start, end, notice, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (company_id, year, pack) DO UPDATE SET start = excluded.start, end = excluded.end,
                   notice = excluded.notice, updated_at = excluded.updated_at",
                params![company_id, year, pack, start, end, notice, now],
            )?;
            Ok(())
        })
    }

    /// Forget a filing window; true if there was one.
    pub fn clear_deadline(&mut self, company_id: i64, year: i64, pack: &str) -> Result<bool> {
        let year = check_year("deadline.year", year)?;
        self.write(|tx| {
            Self::require_company(tx, company_id)?;
            Ok(tx.execute("DELETE FROM deadlines WHERE company_id = ?1 AND year = ?2 AND pack = ?3", params![company_id, year, pack])? > 0)
        })
    }

    /// Every filing window recorded, of companies not archived (or of one
    /// company), soonest end first.
    pub fn deadlines(&self, company_id: Option<i64>) -> Result<Vec<Deadline>> {
        if !self.has_materials {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare_cached(
            "SELECT d.company_id, c.name, d.year, d.pack, d.start, d.end, d.notice FROM deadlines d JOIN companies c ON c.id = d.company_id
             WHERE c.archived_at IS NULL AND (?1 IS NULL OR d.company_id = ?1) ORDER BY d.end, c.name, d.pack",
        )?;
        let rows = st.query_map([company_id], |r| {
            Ok(Deadline {
                company_id: r.get(0)?,
                company: r.get(1)?,
                year: r.get(2)?,
                pack: r.get(3)?,
                start: r.get(4)?,
                end: r.get(5)?,
                notice: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

/// An evidence file of an import file, its bytes checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvidence {
    pub year: i32,
    pub clause: String,
    pub item: String,
    pub name: String,
    pub added_at: Option<String>,
    pub data: Vec<u8>,
}

/// A company's materials, evidence and filing windows as an import file
/// gives them, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Papers {
    /// (year, clause, item, status)
    pub materials: Vec<(i32, String, String, MaterialStatus)>,
    pub evidence: Vec<ImportedEvidence>,
    /// (year, pack, start, end, notice)
    pub deadlines: Vec<(i32, String, Option<String>, String, String)>,
}

fn text<'a>(o: &'a Map<String, Value>, field: &str, key: &str) -> Result<&'a str> {
    o.get(key).and_then(Value::as_str).ok_or_else(|| InputError::new(format!("{field}.{key}"), Problem::NotText).into())
}

fn entries<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<Vec<(String, &'a Map<String, Value>)>> {
    let Some(v) = obj.get(key) else { return Ok(Vec::new()) };
    let list = v.as_array().ok_or_else(|| InputError::new(key, Problem::WrongType { expected: butie_core::policy::FactKind::List }))?;
    list.iter()
        .enumerate()
        .map(|(i, e)| {
            let f = format!("{key}[{i}]");
            let o = e.as_object().ok_or_else(|| InputError::new(f.clone(), Problem::NotAnObject))?;
            Ok((f, o))
        })
        .collect()
}

/// Read and check a company export's `materials`, `evidence` and
/// `deadlines`: clauses and items the packs list, evidence whose bytes
/// match the size and SHA-256 written beside them.
pub(crate) fn parse_papers(obj: &Map<String, Value>, packs: &[Pack]) -> Result<Papers> {
    let mut p = Papers::default();
    let year_of = |f: &str, o: &Map<String, Value>| -> Result<i32> {
        let y = o.get("year").and_then(Value::as_i64).ok_or_else(|| InputError::new(format!("{f}.year"), Problem::Missing))?;
        Ok(check_year(&format!("{f}.year"), y)?)
    };
    for (f, o) in entries(obj, "materials")? {
        let year = year_of(&f, o)?;
        let clause = text(o, &f, "clause")?;
        let item = item_of(items_of(packs, clause, &format!("{f}.clause"))?, text(o, &f, "item")?)?;
        let status = MaterialStatus::parse(text(o, &f, "status")?).ok_or_else(|| {
            InputError::new(
                format!("{f}.status"),
                Problem::NotOption { options: MaterialStatus::ALL.iter().map(|m| m.as_str().to_string()).collect() },
            )
        })?;
        p.materials.push((year, clause.to_string(), item, status));
    }
    for (f, o) in entries(obj, "evidence")? {
        let year = year_of(&f, o)?;
        let clause = text(o, &f, "clause")?;
        let item = item_of(items_of(packs, clause, &format!("{f}.clause"))?, text(o, &f, "item")?)?;
        let name = text(o, &f, "name")?.trim().to_string();
        if name.is_empty() || name.chars().any(butie_core::profile::is_control_char) || name.chars().count() > 255 {
            return Err(StoreError::BadEvidenceName { name });
        }
        let data = base64::engine::general_purpose::STANDARD
            .decode(text(o, &f, "data_base64")?)
            .map_err(|_| InputError::new(format!("{f}.data_base64"), Problem::NotText))?;
        if data.len() as u64 > MAX_EVIDENCE {
            return Err(StoreError::EvidenceTooLarge { name, size: data.len() as u64, limit: MAX_EVIDENCE });
        }
        let sha = text(o, &f, "sha256")?;
        if sha256_hex(&data) != sha.to_ascii_lowercase() || o.get("size").and_then(Value::as_u64) != Some(data.len() as u64) {
            return Err(StoreError::EvidenceMismatch { field: format!("{f}.sha256"), name });
        }
        let added = o.get("added_at").and_then(Value::as_str).map(str::to_string);
        p.evidence.push(ImportedEvidence { year, clause: clause.to_string(), item, name, added_at: added, data });
    }
    for (f, o) in entries(obj, "deadlines")? {
        let year = year_of(&f, o)?;
        let pack = text(o, &f, "pack")?;
        if !packs.iter().any(|k| k.id == pack) {
            return Err(StoreError::UnknownPack { pack: pack.to_string(), known: packs.iter().map(|k| k.id.clone()).collect() });
        }
        let start = check_date(&format!("{f}.start"), o.get("start").and_then(Value::as_str))?;
        let end = check_date(&format!("{f}.end"), Some(text(o, &f, "end")?))?
            .ok_or_else(|| StoreError::from(InputError::new(format!("{f}.end"), Problem::Missing)))?;
        if let Some(s) = &start {
            if *s > end {
                return Err(StoreError::DeadlineBeforeStart { start: s.clone(), end });
            }
        }
        let notice = text(o, &f, "notice")?.trim().to_string();
        if notice.is_empty() || notice.chars().count() > MAX_NOTICE || notice.chars().any(butie_core::profile::is_control_char) {
            return Err(InputError::new(format!("{f}.notice"), Problem::NotText).into());
        }
        p.deadlines.push((year, pack.to_string(), start, end, notice));
    }
    Ok(p)
}

impl Workspace {
    /// Add a company's materials, evidence and filing windows to its export.
    pub(crate) fn export_papers(&self, id: i64, v: &mut Value) -> Result<()> {
        if !self.has_materials {
            return Ok(());
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT year, clause, item, status FROM materials WHERE company_id = ?1 ORDER BY year, clause, item")?;
        let materials: Vec<Value> = st
            .query_map([id], |r| {
                Ok(json!({"year": r.get::<_, i64>(0)?, "clause": r.get::<_, String>(1)?, "item": r.get::<_, String>(2)?, "status": r.get::<_, String>(3)?}))
            })?
            .collect::<std::result::Result<_, _>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT year, clause, item, name, size, sha256, added_at, data FROM evidence WHERE company_id = ?1 ORDER BY id",
        )?;
        let evidence: Vec<Value> = st
            .query_map([id], |r| {
                let data: Vec<u8> = r.get(7)?;
                Ok(json!({
                    "year": r.get::<_, i64>(0)?, "clause": r.get::<_, String>(1)?, "item": r.get::<_, String>(2)?,
                    "name": r.get::<_, String>(3)?, "size": r.get::<_, i64>(4)?, "sha256": r.get::<_, String>(5)?,
                    "added_at": r.get::<_, String>(6)?, "data_base64": base64::engine::general_purpose::STANDARD.encode(data),
                }))
            })?
            .collect::<std::result::Result<_, _>>()?;
        let mut st =
            self.conn.prepare_cached("SELECT year, pack, start, end, notice FROM deadlines WHERE company_id = ?1 ORDER BY year, pack")?;
        let deadlines: Vec<Value> = st
            .query_map([id], |r| {
                Ok(json!({"year": r.get::<_, i64>(0)?, "pack": r.get::<_, String>(1)?, "start": r.get::<_, Option<String>>(2)?,
                          "end": r.get::<_, String>(3)?, "notice": r.get::<_, String>(4)?}))
            })?
            .collect::<std::result::Result<_, _>>()?;
        for (k, list) in [("materials", materials), ("evidence", evidence), ("deadlines", deadlines)] {
            if !list.is_empty() {
                v[k] = Value::Array(list);
            }
        }
        Ok(())
    }

    /// Bring an import's papers in (inside its transaction): statuses and
    /// windows replace the company's of the same key; evidence is added
    /// unless the same file (name and SHA-256) is already on the material.
    pub(crate) fn import_papers(tx: &Transaction, id: i64, p: &Papers, now: &str) -> Result<()> {
        for (year, clause, item, status) in &p.materials {
            tx.execute(
                "INSERT INTO materials (company_id, year, clause, item, status, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (company_id, year, clause, item) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
                params![id, year, clause, item, status.as_str(), now],
            )?;
        }
        for ImportedEvidence { year, clause, item, name, added_at: added, data } in &p.evidence {
            let sha = sha256_hex(data);
            let exists: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM evidence WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4 AND name = ?5 AND sha256 = ?6)",
                params![id, year, clause, item, name, sha],
                |r| r.get(0),
            )?;
            if !exists {
                tx.execute(
                    "INSERT INTO evidence (company_id, year, clause, item, name, size, sha256, added_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![id, year, clause, item, name, data.len() as i64, sha, added.as_deref().unwrap_or(now), data],
                )?;
            }
        }
        for (year, pack, start, end, notice) in &p.deadlines {
            tx.execute(
                "INSERT INTO deadlines (company_id, year, pack, start, end, notice, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (company_id, year, pack) DO UPDATE SET start = excluded.start, end = excluded.end,
                   notice = excluded.notice, updated_at = excluded.updated_at",
                params![id, year, pack, start, end, notice, now],
            )?;
        }
        Ok(())
    }
}

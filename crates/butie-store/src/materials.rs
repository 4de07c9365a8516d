//! Application materials and filing windows (schema 5).
//!
//! **Materials.** Each clause's policy file lists the materials an
//! application needs (`attachments`). Per company × year × clause × item
//! the store keeps a status — 已准备 `ready`, 未准备 `not_ready` (also what
//! an item without a row is), 不适用 `not_applicable` — and any number of
//! evidence files. An item is named by its text as the policy file lists
//! it.
//!
//! **Shared documents** (schema 11). A material a pack declares one of its
//! `shared_materials` (营业执照复印件) is one document of the company: it is
//! kept once per company and year under the empty clause (`clause = ''`,
//! [`SHARED`]) and its declared name, whichever clause lists it; setting
//! its status or attaching a file through any of those clauses does it for
//! all of them, and removing the file removes it everywhere. Per year, not
//! per company: each year's filing attaches the licence as it then stands
//! (a renewal or a change of address gives a new copy), the way every other
//! material is kept. Rows of such a document still under a clause (a
//! workspace of an older build opened read-only, or a pack version that
//! declares a document shared after the rows were made) are read with the
//! shared ones and moved under the empty clause by the next write that
//! touches the document ([`absorb`]); migration 11 does it for the bundled
//! packs, one file for each SHA-256.
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
use rusqlite::{params, Connection, OptionalExtension, Transaction};
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

/// The `clause` under which a shared document is kept.
pub const SHARED: &str = "";

/// One material of one clause, with where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    /// Its position in the clause's list, from 1.
    pub number: usize,
    pub item: String,
    pub status: MaterialStatus,
    pub evidence: Vec<EvidenceMeta>,
    /// The shared document this material is (its declared name), kept once
    /// for every clause that lists it; `None`: the clause's own.
    pub shared: Option<String>,
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

/// The clause and its pack, or `UnknownClause`.
fn clause_of<'p>(packs: &'p [Pack], clause: &str, field: &str) -> Result<(&'p Pack, &'p butie_core::policy::Clause)> {
    packs
        .iter()
        .find_map(|p| p.clause(clause).map(|c| (p, c)))
        .ok_or_else(|| StoreError::UnknownClause { field: field.to_string(), clause: clause.to_string() })
}

/// Where a material of a clause is kept: (`clause`, `item`) of its rows —
/// ([`SHARED`], the document's name) for a shared document, else the
/// clause and the item as listed.
fn key_of(packs: &[Pack], clause: &str, item: &str, field: &str) -> Result<(String, String)> {
    let (pack, c) = clause_of(packs, clause, field)?;
    let item = item_of(&c.attachments, item)?;
    Ok(match pack.shared_material(&item) {
        Some(doc) => (SHARED.to_string(), doc.to_string()),
        None => (clause.to_string(), item),
    })
}

/// Every (clause, item as listed) of the packs that is the shared document `doc`.
fn listings(packs: &[Pack], doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in packs {
        for c in &p.clauses {
            for a in c.attachments.iter().filter(|a| p.shared_material(a) == Some(doc)) {
                if !out.iter().any(|(k, i)| k == &c.id && i == a) {
                    out.push((c.id.clone(), a.clone()));
                }
            }
        }
    }
    out
}

/// Move a shared document's rows still kept under a clause (of any
/// listing in `packs`) under [`SHARED`]: one status — 已准备 if any said
/// so, else the shared row's, else the first listing's — and one evidence file for
/// each SHA-256 (the earliest added; every different file stays).
pub(crate) fn absorb(tx: &Connection, company_id: i64, year: i32, doc: &str, packs: &[Pack]) -> Result<()> {
    for (clause, item) in listings(packs, doc) {
        let old: Option<(String, String)> = tx
            .query_row(
                "SELECT status, updated_at FROM materials WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4",
                params![company_id, year, clause, item],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((status, at)) = old {
            tx.execute(
                "INSERT INTO materials (company_id, year, clause, item, status, updated_at) VALUES (?1, ?2, '', ?3, ?4, ?5)
                 ON CONFLICT (company_id, year, clause, item) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
                 WHERE excluded.status = 'ready' AND materials.status <> 'ready'",
                params![company_id, year, doc, status, at],
            )?;
            tx.execute(
                "DELETE FROM materials WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4",
                params![company_id, year, clause, item],
            )?;
        }
        let mut st = tx.prepare_cached(
            "SELECT id, sha256 FROM evidence WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4 ORDER BY id",
        )?;
        let rows: Vec<(i64, String)> = st
            .query_map(params![company_id, year, clause, item], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        for (id, sha) in rows {
            let kept: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM evidence WHERE company_id = ?1 AND year = ?2 AND clause = '' AND item = ?3 AND sha256 = ?4)",
                params![company_id, year, doc, sha],
                |r| r.get(0),
            )?;
            if kept {
                tx.execute("DELETE FROM evidence WHERE id = ?1", [id])?;
            } else {
                tx.execute("UPDATE evidence SET clause = '', item = ?2 WHERE id = ?1", params![id, doc])?;
            }
        }
    }
    Ok(())
}

/// Migration 11's data step: every company's and year's shared documents
/// (as the bundled packs declare them) moved under [`SHARED`].
pub(crate) fn absorb_all(tx: &Connection, packs: &[Pack]) -> Result<()> {
    let mut docs: Vec<&str> = packs.iter().flat_map(|p| p.shared_materials.iter().map(|m| m.name.as_str())).collect();
    docs.sort_unstable();
    docs.dedup();
    let mut st = tx.prepare("SELECT company_id, year FROM materials UNION SELECT company_id, year FROM evidence")?;
    let pairs: Vec<(i64, i32)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<std::result::Result<_, _>>()?;
    for (company, year) in pairs {
        for doc in &docs {
            absorb(tx, company, year, doc, packs)?;
        }
    }
    Ok(())
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
    /// file's order, each with its status and evidence; a shared document
    /// with the one status and files it has for every clause listing it.
    pub fn materials(&self, company_id: i64, year: i32, clause: &str, packs: &[Pack]) -> Result<Vec<Material>> {
        Self::require_company(&self.conn, company_id)?;
        let (pack, c) = clause_of(packs, clause, "material.clause")?;
        let mut out: Vec<Material> = c
            .attachments
            .iter()
            .enumerate()
            .map(|(i, item)| Material {
                number: i + 1,
                item: item.clone(),
                status: MaterialStatus::NotReady,
                evidence: Vec::new(),
                shared: pack.shared_material(item).map(str::to_string),
            })
            .collect();
        if !self.has_materials {
            return Ok(out);
        }
        // Rows of the clause and shared ones; for a shared document its
        // shared row first, then any still under the clause.
        let finds = |m: &Material, row_clause: &str, row_item: &str| match &m.shared {
            Some(doc) => (row_clause == SHARED && row_item == doc) || (row_clause == clause && row_item == m.item),
            None => row_clause == clause && row_item == m.item,
        };
        let mut st = self.conn.prepare_cached(
            "SELECT clause, item, status FROM materials WHERE company_id = ?1 AND year = ?2 AND clause IN ('', ?3) ORDER BY clause = '' DESC",
        )?;
        let rows = st.query_map(params![company_id, year, clause], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut set = vec![false; out.len()];
        for row in rows {
            let (k, item, status) = row?;
            for (m, done) in out.iter_mut().zip(set.iter_mut()) {
                if let (false, true, Some(s)) = (*done, finds(m, &k, &item), MaterialStatus::parse(&status)) {
                    m.status = s;
                    *done = true;
                }
            }
        }
        let mut st = self.conn.prepare_cached(
            "SELECT id, clause, item, name, size, sha256, added_at FROM evidence WHERE company_id = ?1 AND year = ?2 AND clause IN ('', ?3)
             ORDER BY clause = '' DESC, id",
        )?;
        let rows = st.query_map(params![company_id, year, clause], |r| {
            Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, evidence_meta(r, [0, 3, 4, 5, 6])?))
        })?;
        for row in rows {
            let (k, item, meta) = row?;
            for m in out.iter_mut().filter(|m| finds(m, &k, &item)) {
                if m.shared.is_none() || !m.evidence.iter().any(|e| e.sha256 == meta.sha256) {
                    m.evidence.push(meta.clone());
                }
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
        let (clause, item) = key_of(packs, clause, item, "material.clause")?;
        self.write(|tx| {
            Self::require_company(tx, company_id)?;
            if clause == SHARED {
                absorb(tx, company_id, year, &item, packs)?;
            }
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
    /// marked 不适用. The same bytes twice on one material are kept once
    /// (under the same name; on a shared document, under any name).
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
        let (clause, item) = key_of(packs, clause, item, "material.clause")?;
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
            if clause == SHARED {
                absorb(tx, company_id, year, &item, packs)?;
            }
            let now = now_utc(tx)?;
            let same: Option<EvidenceMeta> = tx
                .query_row(
                    "SELECT id, name, size, sha256, added_at FROM evidence
                     WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4 AND sha256 = ?5 AND (name = ?6 OR clause = '')",
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

/// Where an export's material or evidence entry is kept: one with a
/// `clause` as that clause lists the item (a shared document under
/// [`SHARED`], as an older export gives it); one without, a shared
/// document by its name.
fn papers_key(packs: &[Pack], o: &Map<String, Value>, f: &str) -> Result<(String, String)> {
    let item = text(o, f, "item")?;
    if o.contains_key("clause") {
        return key_of(packs, text(o, f, "clause")?, item, &format!("{f}.clause"));
    }
    let doc = packs.iter().find_map(|p| p.shared_material(item.trim()));
    doc.map(|d| (SHARED.to_string(), d.to_string())).ok_or_else(|| StoreError::UnknownSharedMaterial { item: item.to_string() })
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
        let (clause, item) = papers_key(packs, o, &f)?;
        let status = MaterialStatus::parse(text(o, &f, "status")?).ok_or_else(|| {
            InputError::new(
                format!("{f}.status"),
                Problem::NotOption { options: MaterialStatus::ALL.iter().map(|m| m.as_str().to_string()).collect() },
            )
        })?;
        // An older export lists a shared document under each clause: one
        // status, 已准备 if any said so.
        match p.materials.iter_mut().find(|(y, c, i, _)| *y == year && *c == clause && *i == item) {
            Some(m) if clause == SHARED => {
                if status == MaterialStatus::Ready || m.3 != MaterialStatus::Ready {
                    m.3 = status;
                }
            }
            _ => p.materials.push((year, clause, item, status)),
        }
    }
    for (f, o) in entries(obj, "evidence")? {
        let year = year_of(&f, o)?;
        let (clause, item) = papers_key(packs, o, &f)?;
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
        p.evidence.push(ImportedEvidence { year, clause, item, name, added_at: added, data });
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

/// An exported row's `clause`; a shared document has none.
fn clause_field(v: &mut Value, clause: String) {
    if clause != SHARED {
        v["clause"] = Value::String(clause);
    }
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
                let mut v = json!({"year": r.get::<_, i64>(0)?, "item": r.get::<_, String>(2)?, "status": r.get::<_, String>(3)?});
                clause_field(&mut v, r.get(1)?);
                Ok(v)
            })?
            .collect::<std::result::Result<_, _>>()?;
        let mut st = self.conn.prepare_cached(
            "SELECT year, clause, item, name, size, sha256, added_at, data FROM evidence WHERE company_id = ?1 ORDER BY id",
        )?;
        let evidence: Vec<Value> = st
            .query_map([id], |r| {
                let data: Vec<u8> = r.get(7)?;
                let mut v = json!({
                    "year": r.get::<_, i64>(0)?, "item": r.get::<_, String>(2)?,
                    "name": r.get::<_, String>(3)?, "size": r.get::<_, i64>(4)?, "sha256": r.get::<_, String>(5)?,
                    "added_at": r.get::<_, String>(6)?, "data_base64": base64::engine::general_purpose::STANDARD.encode(data),
                });
                clause_field(&mut v, r.get(1)?);
                Ok(v)
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
    /// unless the same file (name and SHA-256; on a shared document, the
    /// SHA-256) is already on the material.
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
                "SELECT EXISTS(SELECT 1 FROM evidence WHERE company_id = ?1 AND year = ?2 AND clause = ?3 AND item = ?4 AND (name = ?5 OR clause = '')
                   AND sha256 = ?6)",
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

//! Companies: adding, editing, finding, listing (with search) and deleting
//! or archiving them; a USCC belongs to one company not archived.

use crate::clock::now_utc;
use crate::{CompanyKey, Result, StoreError, Workspace};
use butie_core::policy::Pack;
use butie_core::profile::{parse_company, profile_to_value, Company, Facts, Profile};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

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

pub(crate) fn company_to_value(c: &Company) -> Value {
    let v = profile_to_value(&Profile { company: c.clone(), year: None, facts: Facts::new(), history: Vec::new(), previous_year: None });
    v["company"].clone()
}

impl Workspace {
    /// Check and normalise company fields with the same rules as profiles.
    pub fn validate_company(c: &Company, packs: &[Pack]) -> Result<Company> {
        Ok(parse_company(&company_to_value(c), packs)?)
    }

    pub(crate) fn uscc_taken(tx: &Connection, uscc: &Option<String>, except: Option<i64>) -> Result<Option<(i64, String)>> {
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

    pub(crate) fn insert_company(tx: &Connection, c: &Company) -> Result<i64> {
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
    pub(crate) fn write_company(tx: &Connection, id: i64, c: &Company, set_uscc: bool) -> Result<()> {
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

    pub(crate) fn require_company(conn: &Connection, id: i64) -> Result<()> {
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
}

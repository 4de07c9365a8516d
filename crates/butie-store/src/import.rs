//! Importing a profile, a company export or a workspace export: the whole
//! file checked first, then written in one transaction.

use crate::clock::now_utc;
use crate::{claims, claims_from_history, materials, parse_claims, ImportedClaim, Result, StoreError, Workspace};
use butie_core::policy::Pack;
use butie_core::profile::{parse_company, parse_year, Company, Facts, InputError, Problem};
use rusqlite::params;
use serde_json::Value;

impl Workspace {
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
        self.import_reported(v, packs, replace).map(|r| r.ids)
    }

    /// As [`Workspace::import`], saying also which claims kept the
    /// ledger's state because it had changed after the file's: an older
    /// export never rewinds the ledger (its events are added to the
    /// history, in their place in time; the claim stays as it now is).
    pub fn import_reported(&mut self, v: &Value, packs: &[Pack], replace: bool) -> Result<ImportReport> {
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
            let mut kept_newer = Vec::new();
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
                    if Self::import_claim(tx, id, claim, &now)? == claims::Merged::KeptNewer {
                        kept_newer.push(KeptClaim { company_id: id, year: claim.year, clause: claim.clause.clone() });
                    }
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
            Ok(ImportReport { ids, kept_newer })
        })
    }
}

/// What an import did: the companies touched, and the claims whose ledger
/// state was newer than the file's and was kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub ids: Vec<i64>,
    pub kept_newer: Vec<KeptClaim>,
}

/// A claim whose ledger state an import kept (the file's was older).
#[derive(Debug, Clone, PartialEq)]
pub struct KeptClaim {
    pub company_id: i64,
    pub year: i32,
    pub clause: String,
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
        StoreError::ClaimDateNotAllowed { field, status, date } => {
            StoreError::ClaimDateNotAllowed { field: format!("{p}.{field}"), status, date }
        }
        StoreError::ApprovedBeforeSubmitted { field, submitted_on, approved_on } => {
            StoreError::ApprovedBeforeSubmitted { field: format!("{p}.{field}"), submitted_on, approved_on }
        }
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

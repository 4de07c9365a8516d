//! A company's facts per year: set, copied on to the next year, removed,
//! read back through the packs' definitions, and gathered into the profile
//! an evaluation reads.

use crate::clock::now_utc;
use crate::{Result, StoreError, Workspace};
use butie_core::policy::Pack;
use butie_core::profile::{fact_index, fact_value_to_json, parse_fact_value, Facts, Profile};
use rusqlite::{params, Transaction};
use serde_json::Value;

impl Workspace {
    pub(crate) fn write_facts(tx: &Transaction, id: i64, year: i32, facts: &Facts) -> Result<()> {
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
}

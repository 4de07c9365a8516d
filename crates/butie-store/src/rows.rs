//! Spreadsheet rows (`butie batch --save` and the app's import preview):
//! each row's company matched by its USCC, and only what differs written.

use crate::error::write_failure;
use crate::{Result, Workspace};
use butie_core::policy::Pack;
use butie_core::profile::{fact_index, parse_fact_value, Company, Facts, InputError, Problem};
use rusqlite::{params, Transaction, TransactionBehavior};
use serde_json::Value;

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
        into.keep_field(from, k);
    }
}

impl Workspace {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(name: &str) -> Company {
        Company { name: name.into(), city: "台州市".into(), district: "椒江区".into(), ..Company::default() }
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
}

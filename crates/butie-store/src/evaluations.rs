//! Saved evaluations, append-only: what was computed, from which inputs and
//! pack versions, with each clause's outcome kept as typed data.

use crate::clock::now_utc;
use crate::{claims, Result, StoreError, Workspace};
use butie_core::engine::Evaluation;
use butie_core::explain::to_json;
use butie_core::policy::{Lang, Pack};
use butie_core::profile::{profile_to_value, Profile};
use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

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

impl Workspace {
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
}

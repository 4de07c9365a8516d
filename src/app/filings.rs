//! Filings recorded from the 申报记录 page: the whole of a claim set in one
//! form (status, estimate, approved amount, submission and approval dates,
//! note), for any year, and the clauses a filing can be added for.

use super::{AppResult, ClaimsView, Session};
use butie_core::engine::{check_claim, evaluate, Status};
use butie_core::money::{fmt_yuan, read_amount};
use butie_core::profile::{check_year, ClaimStatus, InputError, Problem};
use butie_store::ClaimUpdate;
use serde::{Deserialize, Serialize};

/// The filing form as the window sends it: every field as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilingForm {
    pub year: i64,
    pub clause: String,
    pub status: String,
    /// The amount applied for; blank keeps the one recorded (or, for a new
    /// claim, the year's estimate of the clause).
    #[serde(default)]
    pub estimate: Option<String>,
    /// The approved amount, for an approved claim.
    #[serde(default)]
    pub approved: Option<String>,
    /// `YYYY-MM-DD`; blank is none.
    #[serde(default)]
    pub submitted_on: Option<String>,
    /// `YYYY-MM-DD`, for an approved claim; blank is none.
    #[serde(default)]
    pub approved_on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A clause a filing can be recorded for in a year: one of the packs that
/// apply to the company that year, whose claim the ledger would accept.
#[derive(Debug, Clone, Serialize)]
pub struct FilingClause {
    pub id: String,
    pub title: String,
    /// Eligible in the year's evaluation.
    pub eligible: bool,
    /// The year's estimate of the clause ("100000.00"), when it has a figure.
    pub estimate: Option<String>,
    /// The year already has a claim of it (the form then edits that claim).
    pub recorded: bool,
}

impl Session {
    /// The clauses a filing can be added for in `year`: those of the packs
    /// that apply to the company that year (the year's evaluation), each
    /// accepted by the ledger for the company's place and the pack's term;
    /// eligible ones first, then in policy order.
    pub fn filing_clauses(&self, id: i64, year: i64) -> AppResult<Vec<FilingClause>> {
        let packs = self.packs();
        let l = self.l();
        let year = check_year("year", year)?;
        let (profile, recorded) = {
            let ws = self.ws();
            (ws.profile(id, year, &packs)?, ws.claims(id, Some(year))?)
        };
        let ev = evaluate(&packs, &profile, year);
        let applies = |pack_id: &str| ev.packs.iter().any(|p| p.pack.id == pack_id && p.status.applies());
        let mut out: Vec<FilingClause> = ev
            .clauses
            .iter()
            .filter(|r| applies(&r.pack.id))
            .filter(|r| matches!(check_claim(&packs, &profile.company, &r.clause.id, year), Some(Ok(_))))
            .map(|r| FilingClause {
                id: r.clause.id.clone(),
                title: r.clause.title.get(l).to_string(),
                eligible: r.status == Status::Eligible,
                estimate: r.amount.filter(|_| r.status == Status::Eligible).map(fmt_yuan),
                recorded: recorded.iter().any(|c| c.clause == r.clause.id),
            })
            .collect();
        out.sort_by_key(|c| !c.eligible);
        Ok(out)
    }

    /// Record a filing as the 申报记录 form gives it and answer the ledger
    /// as it now is. Amounts are read like money facts (`100000`,
    /// `6.2万`); a blank estimate keeps the one recorded; the dates are
    /// `YYYY-MM-DD`, blank for none; the approved amount and the approval
    /// date count only on an approved claim (sent with another status they
    /// are ignored, as the form hides them). Errors name the form's field
    /// (`claim.estimate`, `claim.approved`, `claim.submitted_on`,
    /// `claim.approved_on`, `claim.note`, or `claim.amount` for an approved
    /// amount that is required).
    pub fn save_filing(&self, id: i64, f: &FilingForm) -> AppResult<ClaimsView> {
        let packs = self.packs();
        let year = check_year("claim.year", f.year)?;
        let clause = f.clause.trim();
        if !packs.iter().any(|p| p.clause(clause).is_some()) {
            return Err(InputError::new("claim.clause", Problem::UnknownClause).into());
        }
        let status = ClaimStatus::parse(f.status.trim()).ok_or_else(|| {
            InputError::new(
                "claim.status",
                Problem::NotOption { options: ClaimStatus::ALL.iter().map(|c| c.as_str().to_string()).collect() },
            )
        })?;
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        let amount = |field: &str, v: &Option<String>| {
            text(v).map(|a| read_amount(&a, 2).map_err(|p| InputError::new(field, Problem::Number(p)))).transpose()
        };
        let approved = if status == ClaimStatus::Approved { amount("claim.approved", &f.approved)? } else { None };
        let estimate = amount("claim.estimate", &f.estimate)?;
        let mut ws = self.ws();
        // The single date of an older claim stays as it was (the form edits
        // the two dates, which say the same for a submitted or approved claim).
        let date = ws.claims(id, Some(year))?.into_iter().find(|c| c.clause == clause).and_then(|c| c.date);
        let u = ClaimUpdate {
            status,
            amount: approved,
            estimate,
            date,
            // Blank clears the date: the form shows the claim's dates.
            submitted_on: Some(text(&f.submitted_on).unwrap_or_default()),
            approved_on: Some(if status == ClaimStatus::Approved { text(&f.approved_on).unwrap_or_default() } else { String::new() }),
            note: text(&f.note),
        };
        ws.set_claim(id, year, clause, &u, &packs)?;
        drop(ws);
        self.claims(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::UiLang;

    const BRAND: &str = "tz.brand.provincial_brand";
    const MARK: &str = "tz.brand.trademark";

    fn session() -> (tempfile::TempDir, Session, i64) {
        let dir = tempfile::tempdir().unwrap();
        let s = Session::open(&dir.path().join("ws.sqlite")).map_err(|e| e.to_api(UiLang::En)).unwrap();
        let id = s.companies("").unwrap()[0].id;
        (dir, s, id)
    }

    fn form(year: i64, clause: &str, status: &str, fields: [&str; 5]) -> FilingForm {
        let f = |t: &str| Some(t.to_string());
        let [estimate, approved, submitted_on, approved_on, note] = fields;
        FilingForm {
            year,
            clause: clause.into(),
            status: status.into(),
            estimate: f(estimate),
            approved: f(approved),
            submitted_on: f(submitted_on),
            approved_on: f(approved_on),
            note: f(note),
        }
    }

    #[test]
    fn the_clauses_offered_are_those_of_the_packs_that_apply_that_year() {
        let (_d, s, id) = session();
        let c = s.filing_clauses(id, 2025).unwrap();
        assert!(c.iter().any(|c| c.id == BRAND && c.eligible && c.estimate.is_some()), "{c:?}");
        assert!(c.iter().all(|c| c.id.starts_with("tz.")), "only the Taizhou packs apply: {c:?}");
        let first_ineligible = c.iter().position(|c| !c.eligible).unwrap_or(c.len());
        assert!(c[first_ineligible..].iter().all(|c| !c.eligible), "eligible ones first");
        // A year with nothing answered yet still offers its clauses.
        let next = s.filing_clauses(id, 2026).unwrap();
        assert!(next.iter().any(|c| c.id == MARK), "{next:?}");
        assert!(next.iter().all(|c| !c.recorded));
        // A year no pack covers offers none.
        assert!(s.filing_clauses(id, 2001).unwrap().is_empty());
    }

    /// (form) → the row's (status, estimate, approved, submitted_on, approved_on), or (field, words).
    #[test]
    fn a_filing_is_set_whole_from_the_form_and_bad_fields_are_named() {
        type Want =
            Result<(&'static str, &'static str, &'static str, Option<&'static str>, Option<&'static str>), (&'static str, &'static str)>;
        let cases: [(FilingForm, Want); 8] = [
            (
                form(2026, MARK, "submitted", ["93,000", "", " 2026-03-31 ", "", "已交"]),
                Ok(("submitted", "93,000.00", "", Some("2026-03-31"), None)),
            ),
            (
                form(2026, MARK, "approved", ["93000", "9万", "2026-03-31", "2026-04-10", ""]),
                Ok(("approved", "93,000.00", "90,000.00", Some("2026-03-31"), Some("2026-04-10"))),
            ),
            // The estimate of the approved claim edited.
            (
                form(2026, MARK, "approved", ["95000", "90000", "2026-03-31", "2026-04-10", ""]),
                Ok(("approved", "95,000.00", "90,000.00", Some("2026-03-31"), Some("2026-04-10"))),
            ),
            (
                form(2026, MARK, "approved", ["", "90000", "2026-03-31", "2026-03-30", ""]),
                Err(("claim.approved_on", "批准日期 2026-03-30 早于申报日期 2026-03-31")),
            ),
            (form(2026, MARK, "approved", ["", "90000", "2026-02-30", "", ""]), Err(("claim.submitted_on", "\"2026-02-30\" 不是有效日期"))),
            (form(2026, MARK, "approved", ["", "90000", "", "2026/04/10", ""]), Err(("claim.approved_on", "不是有效日期"))),
            (form(2026, MARK, "approved", ["abc", "90000", "", "", ""]), Err(("claim.estimate", "不是数字"))),
            (form(2026, MARK, "approved", ["", "", "", "", ""]), Err(("claim.amount", "已批准的申报须填写批准金额"))),
        ];
        let (_d, s, id) = session();
        for (i, (f, want)) in cases.into_iter().enumerate() {
            let before = s.claims(id).unwrap().count;
            match (s.save_filing(id, &f), want) {
                (Ok(v), Ok((status, e, a, so, ao))) => {
                    let r = v.years.iter().flat_map(|y| &y.claims).find(|r| r.year == 2026 && r.clause == MARK).unwrap();
                    let got = (
                        r.status.key,
                        r.estimate_text.as_str(),
                        r.approved_text.as_str(),
                        r.submitted_on.as_deref(),
                        r.approved_on.as_deref(),
                    );
                    assert_eq!(got, (status, e, a, so, ao), "case {i}");
                }
                (Err(e), Err((field, words))) => {
                    let e = s.word(e);
                    assert_eq!(e.field, field, "case {i}: {}", e.message);
                    assert!(e.message.contains(words), "case {i}: {}", e.message);
                    assert_eq!(s.claims(id).unwrap().count, before.max(1), "case {i}");
                }
                (got, want) => panic!("case {i}: {:?} wanted {want:?}", got.map(|v| v.count).map_err(|e| s.word(e))),
            }
        }
        s.set_lang(UiLang::En);
        let e = s.word(s.save_filing(id, &form(2026, MARK, "approved", ["", "90000", "2026-04-11", "2026-04-10", ""])).unwrap_err());
        assert_eq!(e.message, "the approval date 2026-04-10 is before the submission date 2026-04-11; please check");
        // Back to submitted: the approval date and amount go.
        let v = s.save_filing(id, &form(2026, MARK, "submitted", ["95000", "90000", "2026-03-31", "2026-04-10", ""])).unwrap();
        let r = &v.years[0].claims[0];
        assert_eq!((r.approved.as_deref(), r.approved_on.as_deref(), r.submitted_on.as_deref()), (None, None, Some("2026-03-31")));
    }
}

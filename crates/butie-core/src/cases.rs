//! Running a pack's embedded test cases (profile in, expected amounts out).

use crate::engine::{evaluate, Status};
use crate::explain::reasons;
use crate::money::fmt_yuan;
use crate::policy::{Case, Lang, Pack};
use crate::profile::{parse_facts, parse_history, Company, InputError, PreviousYear, Profile};
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
pub struct CaseFailure {
    pub pack: String,
    pub case: String,
    pub problem: String,
}

impl std::fmt::Display for CaseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}: {}", self.pack, self.case, self.problem)
    }
}

fn show(d: Option<Decimal>) -> String {
    d.map(fmt_yuan).unwrap_or_else(|| "null".into())
}

/// The profile a case describes: the pack's own city and first region unless
/// the case names others, not on the exclusion list unless it says so.
pub fn case_profile(pack: &Pack, case: &Case) -> Result<Profile, InputError> {
    let facts = parse_facts(&case.facts, std::slice::from_ref(pack))?;
    let district = case.district.clone().unwrap_or_else(|| pack.regions.first().map(|(d, _)| d.clone()).unwrap_or_default());
    let company = Company {
        name: format!("测试企业（{}）", case.name),
        city: case.city.clone().unwrap_or_else(|| pack.cities.first().cloned().unwrap_or_default()),
        district,
        serious_dishonesty_listed: case.serious_dishonesty_listed.or(Some(false)),
        ..Company::default()
    };
    let mut profile = Profile::new(company, Some(case.year), facts);
    profile.history = parse_history(&case.history, std::slice::from_ref(pack))?;
    if let Some(prev) = &case.previous_year_facts {
        let facts = parse_facts(prev, std::slice::from_ref(pack)).map_err(|e| e.within("previous_year_facts"))?;
        profile.previous_year = Some(PreviousYear { year: case.year - 1, facts });
    }
    Ok(profile)
}

/// Run every case of `pack`; returns (number of cases run, failures).
pub fn run_cases(pack: &Pack) -> (usize, Vec<CaseFailure>) {
    let mut failures = Vec::new();
    let packs = std::slice::from_ref(pack);
    for case in &pack.cases {
        let fail = |problem: String| CaseFailure { pack: pack.id.clone(), case: case.name.clone(), problem };
        let profile = match case_profile(pack, case) {
            Ok(p) => p,
            Err(e) => {
                failures.push(fail(e.message(Lang::Zh)));
                continue;
            }
        };
        let ev = evaluate(packs, &profile, case.year);
        for (id, want) in &case.expect {
            let Some(got) = ev.clause(id) else {
                failures.push(fail(format!("{id}: 结果中没有该条款")));
                continue;
            };
            let status = got.status.as_str();
            let mut problems = Vec::new();
            if status != want.status {
                problems.push(format!("status 应为 {}，实为 {status}（{}）", want.status, reasons(&ev, got, Lang::Zh).join("；")));
            }
            if let Some(a) = &want.amount {
                if *a != got.amount {
                    problems.push(format!("amount 应为 {}，实为 {}", show(*a), show(got.amount)));
                }
            }
            if let Some(a) = &want.amount_max {
                if *a != got.amount_max {
                    problems.push(format!("amount_max 应为 {}，实为 {}", show(*a), show(got.amount_max)));
                }
            }
            if let Some(x) = &want.excluded_by {
                let winner = got.excluded_by.map(|s| s.winner.id.clone());
                if *x != winner {
                    problems.push(format!("excluded_by 应为 {x:?}，实为 {winner:?}"));
                }
            }
            if let Some(m) = &want.missing {
                let missing = ev.missing(got);
                if m != missing {
                    problems.push(format!("missing 应为 {m:?}，实为 {missing:?}"));
                }
            }
            // A case that expects eligibility must say something checkable.
            if want.status == "eligible" && want.amount.is_none() && want.amount_max.is_none() && got.status == Status::Eligible {
                problems.push("eligible 的用例须写明 amount 或 amount_max".into());
            }
            for p in problems {
                failures.push(fail(format!("{id}: {p}")));
            }
        }
    }
    (pack.cases.len(), failures)
}

#[cfg(test)]
mod tests {
    /// The bundled packs' own cases, run inside the core (the CLI's
    /// check-policies and tests/it run them too, through the whole program).
    #[test]
    fn bundled_cases_pass() {
        for pack in crate::bundled_packs().unwrap_or_default() {
            let (n, failures) = super::run_cases(&pack);
            assert!(n > 0);
            assert!(failures.is_empty(), "{}", failures.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"));
        }
        assert_eq!(crate::bundled_packs().map(|p| p.len()).unwrap_or(0), 5);
    }
}

//! Sense checks on money answers: a figure far outside what the clauses
//! reading it expect is most often a slip of the unit (18200万 typed for
//! 18200 元). The window asks once whether it is meant; nothing is ever
//! refused on these grounds, and nothing here changes an amount.
//!
//! Two checks, both from the policy data:
//! - more than [`CAP_TIMES`] times the answer at which a clause paying a
//!   rate of this fact reaches its cap (cap ÷ rate: 200,000 of a patent
//!   fee paid at 50% up to 100,000), so that a volume paid at 2% is not
//!   questioned at ten times the award's cap;
//! - above the money fact it is declared `within` (a fee above the
//!   company's whole trade), when that fact has an answer.

use crate::policy::{Formula, Pack};
use crate::profile::{FactValue, Facts};
use rust_decimal::Decimal;

/// How many times a clause's cap an answer may be before it is questioned.
pub const CAP_TIMES: u32 = 10;

/// Why an answer looks wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Doubt {
    /// More than ten times `reaches_cap`, the answer at which `clause`
    /// (paying a rate of it) reaches its cap.
    AboveCap { clause: String, cap: Decimal, reaches_cap: Decimal },
    /// Above the answer to `whole`, which it should stay within.
    AboveWhole { whole: String, whole_value: Decimal },
}

/// The first doubt about `value` as the answer to the money fact `key`,
/// given the other answers of the same company-year.
pub fn doubt(packs: &[Pack], key: &str, value: Decimal, facts: &Facts) -> Option<Doubt> {
    above_whole(packs, key, value, facts).or_else(|| above_cap(packs, key, value))
}

fn above_whole(packs: &[Pack], key: &str, value: Decimal, facts: &Facts) -> Option<Doubt> {
    let whole = packs.iter().find_map(|p| p.facts.get(key)).and_then(|d| d.within.as_deref())?;
    match facts.get(whole) {
        Some(FactValue::Num(w)) if value > *w => Some(Doubt::AboveWhole { whole: whole.to_string(), whole_value: *w }),
        _ => None,
    }
}

/// The clause reaching its cap soonest decides: the answer is questioned
/// when it is above ten times the answer at which that clause's cap is
/// reached.
fn above_cap(packs: &[Pack], key: &str, value: Decimal) -> Option<Doubt> {
    let times = Decimal::from(CAP_TIMES);
    packs
        .iter()
        .flat_map(|p| &p.clauses)
        .filter_map(|c| {
            let (cap, rate) = match &c.formula {
                Formula::Rate { base, cap: Some(cap), rate, .. } if base.as_str() == key => (*cap, *rate),
                Formula::RateOfParts { parts, cap: Some(cap), rate, .. } if parts.iter().any(|p| p.base.as_str() == key) => (*cap, *rate),
                _ => return None,
            };
            let reaches_cap = cap.checked_div(rate)?;
            Some((reaches_cap, cap, &c.id))
        })
        .min_by_key(|(reaches_cap, _, _)| *reaches_cap)
        .filter(|(reaches_cap, _, _)| reaches_cap.checked_mul(times).is_some_and(|m| value > m))
        .map(|(reaches_cap, cap, id)| Doubt::AboveCap { clause: id.clone(), cap, reaches_cap })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundled_packs;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// (fact, answer, other answers, expected doubt)
    fn check(key: &str, value: &str, others: &[(&str, &str)], expect: Option<Doubt>) {
        let packs = bundled_packs().unwrap();
        let facts: Facts = others.iter().map(|(k, v)| (k.to_string(), FactValue::Num(d(v)))).collect();
        assert_eq!(doubt(&packs, key, d(value), &facts), expect, "{key} = {value}");
    }

    #[test]
    fn answers_far_above_a_cap_or_their_whole_are_questioned_at_the_boundary() {
        // 专利申请费用: 50% up to 100,000, reached at 200,000; ten times that is 2,000,000.
        let patent = || Some(Doubt::AboveCap { clause: "tz.brand.patent".into(), cap: d("100000"), reaches_cap: d("200000") });
        check("patent_application_fee", "182000000", &[], patent());
        check("patent_application_fee", "2000000.01", &[], patent());
        check("patent_application_fee", "2000000", &[], None);
        check("patent_application_fee", "200000", &[], None);
        // A fact no clause pays a rate of: never questioned on caps.
        check("is_integrated_service_provider", "99999999999", &[], None);
        // 贷款实付利息 above the whole cross-border volume.
        let whole = Some(Doubt::AboveWhole { whole: "cbec_volume".into(), whole_value: d("5000000") });
        check("loan_interest_paid", "5000000.01", &[("cbec_volume", "5000000")], whole);
        check("loan_interest_paid", "5000000", &[("cbec_volume", "5000000")], None);
        check("loan_interest_paid", "5000000.01", &[], None);
    }
}

//! Exports as JSON: a company with all its years, claims and papers; one
//! profile; the whole workspace.

use crate::companies::company_to_value;
use crate::{claim_to_value, Result, Workspace};
use butie_core::policy::Pack;
use butie_core::profile::profile_to_value;
use serde_json::{json, Map, Value};

impl Workspace {
    /// A company with all its years: `{company, years: {"2024": {facts}}}`,
    /// and `claims` (its ledger with every claim's events, see
    /// [`claim_to_value`]) when it has any. Like facts the loaded packs do
    /// not define, claims of clauses they do not know are left out.
    pub fn export_company(&self, id: i64, packs: &[Pack]) -> Result<Value> {
        let c = self.get_company(id)?;
        let mut years = Map::new();
        for y in &c.years {
            let (facts, _) = self.facts(id, *y, packs)?;
            years.insert(y.to_string(), butie_core::profile::facts_to_value(&facts));
        }
        let mut v = json!({"company": company_to_value(&c.company), "years": Value::Object(years)});
        let claims: Vec<Value> =
            self.claims(id, None)?.iter().filter(|c| packs.iter().any(|p| p.clause(&c.clause).is_some())).map(claim_to_value).collect();
        if !claims.is_empty() {
            v["claims"] = Value::Array(claims);
        }
        self.export_papers(id, &mut v)?;
        Ok(v)
    }

    /// The catalogue profile of one company and year.
    pub fn export_profile(&self, id: i64, year: i32, packs: &[Pack]) -> Result<Value> {
        Ok(profile_to_value(&self.profile(id, year, packs)?))
    }

    pub fn export_all(&self, packs: &[Pack]) -> Result<Value> {
        let mut companies = Vec::new();
        for c in self.list_companies(None)? {
            companies.push(self.export_company(c.id, packs)?);
        }
        Ok(json!({"butie_workspace": 1, "companies": companies}))
    }
}

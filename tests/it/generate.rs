//! Deterministic generated profiles, shared by the golden test and the
//! engine benchmark (which includes this file with `#[path]`), so both see
//! the same batch.

use butie::policy::FactKind;
use butie::profile::{Company, FactValue, Profile};
use rust_decimal::Decimal;

/// A small deterministic generator, so every run evaluates the same batch.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn money(&mut self, max: u64) -> FactValue {
        FactValue::Num(Decimal::new((self.next() % (max * 100)) as i64, 2))
    }
}

/// `n` profiles alternating Taizhou and Chengdu, a quarter of the facts
/// left unknown, 2% on the exclusion list, data years 2024–2026.
pub fn generated(n: usize, packs: &[butie::Pack], seed: u64) -> Vec<Profile> {
    let mut g = Lcg(seed);
    let tz = ["椒江区", "黄岩区", "路桥区", "台州湾新区", "温岭市"];
    let cd = ["武侯区", "锦江区", "成都高新区", "双流区"];
    let keys: Vec<(&String, &butie::policy::FactDef)> = packs.iter().flat_map(|p| p.facts.iter()).collect();
    (0..n)
        .map(|i| {
            let chengdu = i % 2 == 1;
            let company = Company {
                name: format!("企业{i}"),
                city: if chengdu { "成都市" } else { "台州市" }.into(),
                district: if chengdu { cd[i % cd.len()] } else { tz[i % tz.len()] }.into(),
                serious_dishonesty_listed: Some(g.next().is_multiple_of(50)),
                ..Company::default()
            };
            let mut facts = butie::Facts::new();
            for (k, def) in &keys {
                // Given on the company above (the packs declare it as a fact too).
                if k.as_str() == butie::profile::COMPANY_STATUS_FACT {
                    continue;
                }
                if g.next().is_multiple_of(4) {
                    continue; // leave some facts unknown
                }
                let v = match def.kind {
                    FactKind::Bool => FactValue::Bool(g.next().is_multiple_of(2)),
                    FactKind::Money | FactKind::MoneyUsd => g.money(800_000_000),
                    FactKind::Integer => FactValue::Num(Decimal::from(g.next() % 400)),
                    FactKind::Number => FactValue::Num(Decimal::new((g.next() % 20_000_000) as i64, 2)),
                    FactKind::Enum => {
                        let opts: Vec<&String> = def.options.keys().collect();
                        FactValue::Enum(opts[g.next() as usize % opts.len()].clone())
                    }
                    FactKind::List => FactValue::List(
                        (0..g.next() % 4)
                            .map(|_| {
                                def.fields
                                    .iter()
                                    .map(|(f, fd)| {
                                        let v = if fd.kind == FactKind::Integer {
                                            Decimal::from(100 + g.next() % 100)
                                        } else {
                                            Decimal::new((g.next() % 20_000_000) as i64, 2)
                                        };
                                        (f.clone(), v)
                                    })
                                    .collect()
                            })
                            .collect(),
                    ),
                };
                facts.insert((*k).clone(), v);
            }
            Profile::new(company, Some(2024 + (i % 3) as i32), facts)
        })
        .collect()
}

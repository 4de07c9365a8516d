//! Benchmarks of the engine (run: `cargo bench --bench evaluate`).
//! Aims: one profile against all packs under 20 µs; 100,000 generated
//! profiles under 2 s on 2 cores.

// The same allocator as the `butie` CLI (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use butie::engine::evaluate;
use butie::profile::{Company, FactValue, Profile};
use butie::{parse_profile, Lang};
use rust_decimal::Decimal;
use std::hint::black_box;
use std::time::Instant;

/// A small deterministic generator, so every run evaluates the same batch.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn money(&mut self, max: u64) -> FactValue {
        FactValue::Num(Decimal::new((self.next() % (max * 100)) as i64, 2))
    }
}

fn generated(n: usize, packs: &[butie::Pack]) -> Vec<Profile> {
    let mut g = Lcg(20251125);
    let tz = ["椒江区", "黄岩区", "路桥区", "台州湾新区", "温岭市"];
    let cd = ["武侯区", "锦江区", "成都高新区", "双流区"];
    let keys: Vec<(&String, &butie::policy::FactDef)> = packs.iter().flat_map(|p| p.facts.iter()).collect();
    (0..n)
        .map(|i| {
            let chengdu = i % 2 == 1;
            let mut p = Profile {
                company: Company {
                    name: format!("企业{i}"),
                    city: if chengdu { "成都市" } else { "台州市" }.into(),
                    district: if chengdu { cd[i % cd.len()] } else { tz[i % tz.len()] }.into(),
                    serious_dishonesty_listed: Some(g.next().is_multiple_of(50)),
                    ..Company::default()
                },
                year: Some(2024 + (i % 3) as i32),
                facts: Default::default(),
            };
            for (k, def) in &keys {
                if g.next().is_multiple_of(4) {
                    continue; // leave some facts unknown
                }
                use butie::policy::FactKind::*;
                let v = match def.kind {
                    Bool => FactValue::Bool(g.next().is_multiple_of(2)),
                    Money | MoneyUsd => g.money(800_000_000),
                    Integer => FactValue::Num(Decimal::from(g.next() % 400)),
                    Number => FactValue::Num(Decimal::new((g.next() % 20_000_000) as i64, 2)),
                    Enum => {
                        let opts: Vec<&String> = def.options.keys().collect();
                        FactValue::Enum(opts[g.next() as usize % opts.len()].clone())
                    }
                    List => FactValue::List(
                        (0..g.next() % 4)
                            .map(|_| {
                                def.fields
                                    .iter()
                                    .map(|(f, fd)| {
                                        let v = if fd.kind == Integer {
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
                p.facts.insert((*k).clone(), v);
            }
            p
        })
        .collect()
}

fn main() {
    let packs = butie::bundled_packs().expect("packs");
    let text = std::fs::read_to_string("samples/taizhou-sample.json").expect("sample");
    let profile = parse_profile(&text, &packs).expect("profile");

    // One profile against all packs.
    for _ in 0..2_000 {
        black_box(evaluate(&packs, &profile, 2025, Lang::Zh));
    }
    let mut samples = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        for _ in 0..200 {
            black_box(evaluate(&packs, black_box(&profile), 2025, Lang::Zh));
        }
        samples.push(t.elapsed().as_secs_f64() / 200.0);
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "evaluate one profile (all packs): median {:.2} µs, p95 {:.2} µs",
        samples[samples.len() / 2] * 1e6,
        samples[samples.len() * 95 / 100] * 1e6
    );

    // A batch of 100,000 generated profiles on 2 threads.
    let batch = generated(100_000, &packs);
    let threads = 2;
    let t = Instant::now();
    let eligible: usize = std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(batch.len().div_ceil(threads))
            .map(|chunk| {
                let packs = &packs;
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|p| {
                            let ev = evaluate(packs, p, p.year.unwrap_or(2025), Lang::Zh);
                            ev.clauses.iter().filter(|c| c.counts()).count()
                        })
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let el = t.elapsed();
    println!(
        "evaluate 100,000 generated profiles on {threads} threads: {:.3} s ({:.2} µs each; {eligible} eligible clauses)",
        el.as_secs_f64(),
        el.as_secs_f64() * 1e6 / 100_000.0
    );
}

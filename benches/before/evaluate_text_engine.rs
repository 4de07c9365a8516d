// The engine benchmark as run against commit 6b372da (results as finished
// sentences), with the same figures and JSON lines as benches/evaluate.rs.
// scripts/bench-before-after.sh puts it in place of that commit's own bench.

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

fn report(name: &str, ns: f64, threads: usize) {
    println!("{name}: {:.3} µs per profile on {threads} thread(s)", ns / 1000.0);
    println!("{{\"bench\": \"{name}\", \"per_profile_ns\": {ns:.1}, \"threads\": {threads}}}");
}

fn median_ns(rounds: usize, n: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..n { f(); }
    let mut v: Vec<f64> = (0..rounds).map(|_| { let t = Instant::now(); for _ in 0..n { f(); } t.elapsed().as_nanos() as f64 / n as f64 }).collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn batch(packs: &[butie::Pack], profiles: &[Profile], threads: usize, render: bool) -> f64 {
    let t = Instant::now();
    let n: usize = std::thread::scope(|s| {
        let hs: Vec<_> = profiles.chunks(profiles.len().div_ceil(threads)).map(|chunk| s.spawn(move || {
            let mut out = Vec::with_capacity(64 * 1024);
            let mut n = 0;
            for p in chunk {
                let ev = evaluate(packs, p, p.year.unwrap_or(2025), Lang::Zh);
                if render { out.clear(); let _ = serde_json::to_writer(&mut out, &butie::to_json(&ev)); n += out.len(); }
                else { n += ev.clauses.iter().filter(|c| c.counts()).count(); }
            }
            n
        })).collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    black_box(n);
    t.elapsed().as_nanos() as f64 / profiles.len() as f64
}

fn main() {
    let packs = butie::bundled_packs().expect("packs");
    let tz = parse_profile(&std::fs::read_to_string("samples/taizhou-sample.json").unwrap(), &packs).unwrap();
    let cd = parse_profile(&std::fs::read_to_string("samples/chengdu-sample.json").unwrap(), &packs).unwrap();
    for (name, p, year) in [("before_evaluate_taizhou_text", &tz, 2025), ("before_evaluate_chengdu_text", &cd, 2024)] {
        report(name, median_ns(51, 2000, || { black_box(evaluate(&packs, black_box(p), year, Lang::Zh)); }), 1);
    }
    for (name, p, year) in [("before_evaluate_taizhou_json", &tz, 2025), ("before_evaluate_chengdu_json", &cd, 2024)] {
        let mut out = Vec::with_capacity(64 * 1024);
        report(name, median_ns(31, 2000, || { out.clear(); let ev = evaluate(&packs, black_box(p), year, Lang::Zh); let _ = serde_json::to_writer(&mut out, &butie::to_json(&ev)); black_box(out.len()); }), 1);
    }
    let profiles = generated(100_000, &packs);
    for threads in [1, 2] {
        report("before_batch_100k_text", batch(&packs, &profiles, threads, false), threads);
        report("before_batch_100k_json", batch(&packs, &profiles, threads, true), threads);
    }
}

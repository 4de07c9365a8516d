//! Benchmarks of the engine (run: `cargo bench --bench evaluate`).
//!
//! Aims: a complete profile against all packs, unrendered (statuses,
//! amounts, causes and trace steps as data), under 0.5 µs on one thread;
//! rendered to the catalogue JSON under 8 µs; 100,000 generated profiles
//! rendered under 0.5 s on 2 threads. Each figure is also printed as one
//! JSON line `{"bench": …, "per_profile_ns": …, "threads": …}`.

// The same allocator as the `butie` CLI (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/it/generate.rs"]
mod generate;

use butie::engine::evaluate;
use butie::explain::Catalogue;
use butie::{parse_profile, Lang, Pack, Profile};
use std::hint::black_box;
use std::time::Instant;

fn report(name: &str, per_profile_ns: f64, threads: usize, note: &str) {
    println!("{name}: {:.3} µs per profile on {threads} thread(s){note}", per_profile_ns / 1000.0);
    println!("{{\"bench\": \"{name}\", \"per_profile_ns\": {per_profile_ns:.1}, \"threads\": {threads}}}");
}

/// Median time per call of `f` over `rounds` rounds of `n` calls.
fn median_ns(rounds: usize, n: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..n {
        f();
    }
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Evaluate (and, if `render`, write the catalogue JSON of) every profile on `threads` threads.
fn batch(packs: &[Pack], profiles: &[Profile], threads: usize, render: bool) -> f64 {
    let t = Instant::now();
    let bytes: usize = std::thread::scope(|s| {
        let handles: Vec<_> = profiles
            .chunks(profiles.len().div_ceil(threads))
            .map(|chunk| {
                s.spawn(move || {
                    let mut out = Vec::with_capacity(64 * 1024);
                    let mut n = 0usize;
                    for p in chunk {
                        let ev = evaluate(packs, p, p.year.unwrap_or(2025));
                        if render {
                            out.clear();
                            let _ = serde_json::to_writer(&mut out, &Catalogue { ev: &ev, lang: Lang::Zh });
                            n += out.len();
                        } else {
                            n += ev.clauses.iter().filter(|c| c.counts()).count();
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    black_box(bytes);
    t.elapsed().as_nanos() as f64 / profiles.len() as f64
}

fn main() {
    let packs = butie::bundled_packs().expect("packs");
    let mut complete = Vec::new();
    for path in ["samples/taizhou-sample.json", "samples/chengdu-sample.json"] {
        let text = std::fs::read_to_string(path).expect("sample");
        complete.push(parse_profile(&text, &packs).expect("profile"));
    }
    let (tz, cd) = (&complete[0], &complete[1]);

    // `BENCH_ONLY=unrendered` runs only the first figures (for a profiler).
    let only_unrendered = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "unrendered");
    // One complete profile against all packs, results as data only.
    for (name, p, year) in [("evaluate_taizhou_unrendered", tz, 2025), ("evaluate_chengdu_unrendered", cd, 2024)] {
        let ns = median_ns(51, 20_000, || {
            black_box(evaluate(black_box(&packs), black_box(p), year));
        });
        report(name, ns, 1, " (statuses, amounts, causes, trace steps)");
    }
    if only_unrendered {
        return;
    }
    // The same, rendered to the catalogue JSON text.
    for (name, p, year) in [("evaluate_taizhou_json", tz, 2025), ("evaluate_chengdu_json", cd, 2024)] {
        let mut out = Vec::with_capacity(64 * 1024);
        let ns = median_ns(31, 2_000, || {
            out.clear();
            let ev = evaluate(&packs, black_box(p), year);
            let _ = serde_json::to_writer(&mut out, &Catalogue { ev: &ev, lang: Lang::Zh });
            black_box(out.len());
        });
        report(name, ns, 1, " (catalogue JSON)");
    }

    // 100,000 generated profiles (a quarter of the facts unknown).
    let profiles = generate::generated(100_000, &packs, 20251125);
    for threads in [1, 2] {
        let ns = batch(&packs, &profiles, threads, false);
        report("batch_100k_unrendered", ns, threads, &format!("; {:.3} s in all", ns * 1e-4));
        let ns = batch(&packs, &profiles, threads, true);
        report("batch_100k_json", ns, threads, &format!("; {:.3} s in all", ns * 1e-4));
    }
}

//! Benchmarks of the engine (run: `cargo bench --bench evaluate`).
//!
//! Aims, on one thread: a complete profile against all packs, unrendered,
//! under 0.7 µs for the screening form (`evaluate_own`: statuses, amounts,
//! causes and missing facts of the packs that apply), and as fast as it
//! goes for the full form (`evaluate`: every clause, with trace steps);
//! rendered to the catalogue JSON (every clause, citation and trace) under
//! 10 µs. Each figure is also printed as one JSON line
//! `{"bench": …, "per_profile_ns": …, "threads": …}`.

// The same allocator as the `butie` CLI (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/it/generate.rs"]
mod generate;

use butie::engine::{evaluate, evaluate_own};
use butie::explain::Catalogue;
use butie::{parse_profile, Lang, Pack, Profile};
use std::hint::black_box;
use std::time::Instant;

fn report(name: &str, per_profile_ns: f64, threads: usize, note: &str) {
    println!("{name}: {:.3} µs per profile on {threads} thread(s){note}", per_profile_ns / 1000.0);
    println!("{{\"bench\": \"{name}\", \"per_profile_ns\": {per_profile_ns:.1}, \"threads\": {threads}}}");
}

/// Median time per call of `f` over `rounds` rounds of `n` calls
/// (`BENCH_QUICK=1`: 3 rounds of 10, for valgrind).
fn median_ns(rounds: usize, n: usize, mut f: impl FnMut()) -> f64 {
    let (rounds, n) = if std::env::var_os("BENCH_QUICK").is_some() { (3, 10) } else { (rounds, n) };
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

    // `BENCH_ONLY=unrendered` runs only the first figures, `BENCH_ONLY=json`
    // only the JSON ones (for a profiler).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only != "json" {
        // One complete profile against all packs, results as data only.
        for (name, p, year) in [("evaluate_taizhou_unrendered", tz, 2025), ("evaluate_chengdu_unrendered", cd, 2024)] {
            let ns = median_ns(51, 20_000, || {
                black_box(evaluate_own(black_box(&packs), black_box(p), year));
            });
            report(name, ns, 1, " (screening: statuses, amounts, causes of the packs that apply)");
            let ns = median_ns(51, 20_000, || {
                black_box(evaluate(black_box(&packs), black_box(p), year));
            });
            report(&format!("{name}_full"), ns, 1, " (every clause: statuses, amounts, causes, trace steps)");
        }
    }
    if only == "unrendered" {
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
        report(name, ns, 1, &format!(" (catalogue JSON through serde, {} bytes)", out.len()));
        let serde_bytes = out.clone();
        let ns = median_ns(31, 2_000, || {
            out.clear();
            let ev = evaluate(&packs, black_box(p), year);
            Catalogue { ev: &ev, lang: Lang::Zh }.write_json(&mut out);
            black_box(out.len());
        });
        let same = out.iter().zip(&serde_bytes).take_while(|(a, b)| a == b).count();
        assert!(
            out == serde_bytes,
            "write_json differs from serde at byte {same}: {}",
            String::from_utf8_lossy(&out[same.saturating_sub(80)..])
        );
        report(&format!("{name}_direct"), ns, 1, " (the same bytes, Catalogue::write_json)");
        // What `butie batch` writes per row: the screening evaluation and its compact JSON line.
        let ns = median_ns(31, 20_000, || {
            out.clear();
            let ev = evaluate_own(&packs, black_box(p), year);
            let _ = serde_json::to_writer(&mut out, &butie::explain::BatchRow { row: 2, uscc: p.company.uscc.as_deref(), ev: &ev });
            black_box(out.len());
        });
        report(&format!("{}_row", name.trim_end_matches("_json")), ns, 1, &format!(" (a batch row's compact JSON, {} bytes)", out.len()));
    }
    if only == "json" {
        return;
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

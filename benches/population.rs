//! Issue 26's aims, measured on the whole process: `butie batch` (the
//! release binary) over generated `.csv` files of complete Chengdu
//! profiles — 10,000, 100,000 and 1,000,000 rows — into `.jsonl`, with one
//! worker thread and with two; and 100,000 rows into `.csv` and `.xlsx`
//! (87,000: a worksheet's limit). Per run: seconds, µs per row, peak memory
//! (the child's maximum resident set, from `wait4`) and the output's size,
//! also printed as one JSON line each `{"bench", "per_profile_ns",
//! "threads", "rows", "seconds", "peak_mb", "output_mb"}`.
//!
//! Aims: peak memory under 200 MB whatever the rows; 100,000 rows to
//! `.jsonl` under 2 s on 2 cores with an output under 200 MB.
//! `BENCH_ROWS=10000,100000` runs fewer sizes.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

mod common;
use common::uscc;

/// Rows like the Chengdu sample (every fact answered), volumes varying by row.
fn write_csv(path: &Path, rows: usize) {
    let sample: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("samples/chengdu-sample.json").unwrap()).unwrap();
    let facts = sample["facts"].as_object().unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut head = vec!["name", "uscc", "city", "district", "serious_dishonesty_listed", "year"];
    head.extend(facts.keys().map(String::as_str));
    writeln!(f, "{}", head.join(",")).unwrap();
    for i in 0..rows {
        let vol = 50_000_000 + (i as u64 * 37_001) % 500_000_000;
        let mut cells = vec![format!("成都测试企业{i:07}"), uscc(i), "成都市".into(), "武侯区".into(), "否".into(), "2024".into()];
        for (k, v) in facts {
            cells.push(match k.as_str() {
                "cbec_volume" => vol.to_string(),
                "cbec_volume_prev_year" => (vol * 4 / 5).to_string(),
                "sichuan_made_export" => (vol / 10).to_string(),
                "platform_project_sichuan_made_export" => (vol / 20).to_string(),
                "overseas_warehouse_area_sqm" => ((i * 97) % 120_000).to_string(),
                _ => match v {
                    serde_json::Value::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            });
        }
        writeln!(f, "{}", cells.join(",")).unwrap();
    }
    f.flush().unwrap();
}

/// Run the binary; (seconds, peak resident set in bytes).
#[cfg(unix)]
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its peak memory
fn run(args: &[&std::ffi::OsStr]) -> (f64, u64) {
    let t = Instant::now();
    let child =
        std::process::Command::new(env!("CARGO_BIN_EXE_butie")).args(args).stdout(std::process::Stdio::null()).spawn().expect("butie");
    let mut status = 0;
    // SAFETY: a plain call with a valid pid and pointers to locals; the
    // child is reaped here (std's Child is not waited on afterwards).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let s = t.elapsed().as_secs_f64();
    assert!(pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "butie batch failed: {status}");
    (s, usage.ru_maxrss as u64 * 1024)
}

/// `butie batch` from `input` into `out` on `jobs` threads: `out`, and
/// (seconds, peak resident set in bytes).
fn batch(ws: &Path, input: &Path, out: &Path, jobs: &str) -> (std::path::PathBuf, (f64, u64)) {
    let args: Vec<&std::ffi::OsStr> = ["--workspace".as_ref(), ws.as_os_str(), "batch".as_ref(), "--in".as_ref(), input.as_os_str()]
        .into_iter()
        .chain(["--year".as_ref(), "2024".as_ref(), "--out".as_ref(), out.as_os_str(), "--jobs".as_ref(), jobs.as_ref()])
        .collect();
    (out.to_path_buf(), run(&args))
}

#[cfg(not(unix))]
fn run(_: &[&std::ffi::OsStr]) -> (f64, u64) {
    unimplemented!("peak memory is read with wait4")
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let sizes: Vec<usize> = std::env::var("BENCH_ROWS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let ws = dir.path().join("ws.sqlite");
    let report = |what: &str, rows: usize, threads: usize, out: &Path, (s, peak): (f64, u64)| {
        let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
        let (peak_mb, output_mb) = (peak as f64 / 1e6, size as f64 / 1e6);
        let ns = s * 1e9 / rows as f64;
        println!(
            "{what}, {rows} rows, {threads} thread(s): {s:.2} s, {:.2} µs a row, peak {peak_mb:.0} MB, output {output_mb:.0} MB",
            ns / 1000.0
        );
        println!(
            "{{\"bench\": \"{what}\", \"per_profile_ns\": {ns:.1}, \"threads\": {threads}, \"rows\": {rows}, \"seconds\": {s:.3}, \"peak_mb\": {peak_mb:.1}, \"output_mb\": {output_mb:.1}}}"
        );
        let _ = std::fs::remove_file(out);
    };
    for &rows in &sizes {
        let input = dir.path().join(format!("in{rows}.csv"));
        write_csv(&input, rows);
        for threads in [1usize, 2] {
            let out = dir.path().join("out.jsonl");
            let jobs = threads.to_string();
            let out = batch(&ws, &input, &out, &jobs);
            report("batch_csv_to_jsonl", rows, threads, &out.0, out.1);
        }
        if rows == 100_000 {
            for (ext, n) in [("csv", 100_000), ("xlsx", 87_000)] {
                let input = if n == rows { input.clone() } else { dir.path().join(format!("in{n}.csv")) };
                if n != rows {
                    write_csv(&input, n);
                }
                let out = dir.path().join(format!("out.{ext}"));
                let ran = batch(&ws, &input, &out, "2");
                report(&format!("batch_csv_to_{ext}"), n, 2, &ran.0, ran.1);
            }
        }
        let _ = std::fs::remove_file(&input);
    }
}

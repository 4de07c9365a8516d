//! Crash safety: a child process writes numbered transactions in a loop and
//! is killed with SIGKILL at random moments, 200 times. After each kill the
//! file passes `PRAGMA integrity_check`, holds every transaction the child
//! reported committed, and no half-written one.

use butie_core::engine::evaluate;
use butie_store::Workspace;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FACTS_PER_TXN: usize = 5;

/// The child: runs only when re-invoked by `kill_200_times` with the env var.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var("BUTIE_CRASH_CHILD") else { return };
    let start: usize = std::env::var("BUTIE_CRASH_START").unwrap().parse().unwrap();
    let packs = butie_core::bundled_packs().unwrap();
    let mut ws = Workspace::open(std::path::Path::new(&path)).unwrap();
    let stdout = std::io::stdout();
    for n in start.. {
        // One transaction per number: a company, its facts, an evaluation.
        // (The store's import is the one public write that spans several
        // tables in one transaction.)
        let mut facts = serde_json::Map::new();
        for k in 0..FACTS_PER_TXN {
            let key =
                ["intl_trademark_fee", "patent_application_fee", "independent_site_investment", "exhibition_cost", "cbec_logistics_cost"]
                    [k];
            facts.insert(key.into(), serde_json::Value::String(format!("{n}.{k:02}")));
        }
        let v = serde_json::json!({"company": {"name": format!("C{n}"), "city": "台州市", "district": "椒江区", "serious_dishonesty_listed": false},
                                   "years": {"2025": facts}});
        let id = ws.import(&v, &packs, false).unwrap()[0];
        let p = ws.profile(id, 2025, &packs).unwrap();
        let ev = evaluate(&packs, &p, 2025);
        ws.save_evaluation(id, &p, &ev, &packs).unwrap();
        // Reported only after both commits returned.
        let mut out = stdout.lock();
        writeln!(out, "{n}").unwrap();
        out.flush().unwrap();
    }
}

/// xorshift: deterministic random delays without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn kill_200_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite");
    Workspace::open_or_create(&path).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let mut committed: Vec<usize> = Vec::new();
    let mut next = 1usize;
    for round in 0..200 {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::crash_child", "--nocapture", "--test-threads=1"])
            .env("BUTIE_CRASH_CHILD", &path)
            .env("BUTIE_CRASH_START", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(n) = line.trim().parse::<usize>() {
                    let _ = tx.send(n);
                }
            }
        });
        // Let it start, then kill at a random moment 0–40 ms later.
        let delay = Duration::from_millis(rng.next() % 40);
        let t = Instant::now();
        // Wait for the first commit (or a timeout) so kills land mid-write.
        let first = rx.recv_timeout(Duration::from_secs(20));
        if let Ok(n) = first {
            committed.push(n);
        }
        let rest = delay.saturating_sub(t.elapsed());
        std::thread::sleep(rest);
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();
        committed.extend(rx.try_iter());
        next = committed.iter().max().map(|m| m + 1_000).unwrap_or(next + 1_000) + round;

        let c = rusqlite::Connection::open(&path).unwrap();
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(ok, "ok", "round {round}");
        // Every company present is complete: all facts and its evaluation,
        // unless it is the one whose evaluation was cut off (a separate
        // transaction), which then has no evaluation at all.
        let mut st = c
            .prepare(
                "SELECT c.name, (SELECT count(*) FROM facts f WHERE f.company_id = c.id),
                        (SELECT count(*) FROM evaluations e WHERE e.company_id = c.id) FROM companies c",
            )
            .unwrap();
        let rows: Vec<(String, i64, i64)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
        for (name, nf, ne) in &rows {
            assert_eq!(*nf, FACTS_PER_TXN as i64, "round {round}: {name} half-written facts");
            assert!(*ne <= 1, "round {round}: {name}");
        }
        for n in &committed {
            let row = rows.iter().find(|(name, _, _)| name == &format!("C{n}"));
            assert!(matches!(row, Some((_, _, 1))), "round {round}: committed C{n} lost or incomplete");
        }
    }
    assert!(committed.len() >= 200, "the child committed {} transactions", committed.len());
}

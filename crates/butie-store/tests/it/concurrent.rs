//! Two programs on one workspace: four processes start at the same moment
//! on a workspace that does not exist yet (so they also race to create it),
//! and each makes 200 writes, every one its own transaction — a company, then
//! a fact for it, read-then-write transactions that a deferred BEGIN would
//! fail with SQLITE_BUSY. Every write succeeds and all 800 are there after.

use butie_core::profile::{Company, FactValue, Facts};
use butie_store::Workspace;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROCESSES: usize = 4;
const WRITES: usize = 200;

/// The child: runs only when re-invoked by the test below with the env var.
#[test]
fn writer_child() {
    let Ok(path) = std::env::var("BUTIE_CONCURRENT_CHILD") else { return };
    let me: usize = std::env::var("BUTIE_CONCURRENT_ID").unwrap().parse().unwrap();
    let go = PathBuf::from(std::env::var("BUTIE_CONCURRENT_GO").unwrap());
    let packs = butie_core::bundled_packs().unwrap();
    // All four start together.
    let t = Instant::now();
    while !go.exists() {
        assert!(t.elapsed() < Duration::from_secs(60), "no start signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut ws = Workspace::open_or_create(Path::new(&path)).unwrap_or_else(|e| panic!("child {me}: open: {e}"));
    let writes = std::env::var("BUTIE_CONCURRENT_WRITES").ok().and_then(|w| w.parse().ok()).unwrap_or(WRITES);
    let mut id = 0;
    for i in 0..writes {
        if i % 2 == 0 {
            let c = Company {
                name: format!("P{me}-{i:03}"),
                city: "台州市".into(),
                district: "椒江区".into(),
                serious_dishonesty_listed: Some(false),
                ..Company::default()
            };
            id = ws.add_company(&c, &packs).unwrap_or_else(|e| panic!("child {me}: write {i}: {e}"));
        } else {
            let mut f = Facts::new();
            f.insert("exhibition_cost".into(), FactValue::Num(Decimal::from(i as i64)));
            ws.set_facts(id, 2000 + i as i32, &f).unwrap_or_else(|e| panic!("child {me}: write {i}: {e}"));
        }
    }
}

#[test]
fn four_processes_write_at_once_and_every_write_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared").join("ws.sqlite");
    let go = dir.path().join("go");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|me| {
            Command::new(&exe)
                .args(["--exact", "concurrent::writer_child", "--nocapture", "--test-threads=1"])
                .env("BUTIE_CONCURRENT_CHILD", &path)
                .env("BUTIE_CONCURRENT_ID", me.to_string())
                .env("BUTIE_CONCURRENT_GO", &go)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Let every child load and wait at the line, then start them all.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&go, "").unwrap();
    for (me, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "child {me} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let ws = Workspace::open(&path).unwrap();
    let c = ws.connection();
    let companies: i64 = c.query_row("SELECT count(*) FROM companies", [], |r| r.get(0)).unwrap();
    let facts: i64 = c.query_row("SELECT count(*) FROM facts", [], |r| r.get(0)).unwrap();
    assert_eq!((companies, facts), ((PROCESSES * WRITES / 2) as i64, (PROCESSES * WRITES / 2) as i64));
    // Each write where it belongs: company P<k>-<i> has its fact for year 2000 + i + 1.
    for me in 0..PROCESSES {
        for i in (0..WRITES).step_by(2) {
            let year: i64 = c
                .query_row(
                    "SELECT f.year FROM facts f JOIN companies c ON c.id = f.company_id WHERE c.name = ?1",
                    [format!("P{me}-{i:03}")],
                    |r| r.get(0),
                )
                .unwrap_or_else(|e| panic!("P{me}-{i:03}: {e}"));
            assert_eq!(year, 2000 + i as i64 + 1);
        }
    }
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    drop(ws);
    let left: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["ws.sqlite"], "one workspace, no temporary file left");
}

/// Four programs creating one new workspace at the same moment, fifty
/// times, while two threads keep both cores busy: every program opens it
/// and its first write is kept (SQLite's SQLITE_BUSY where it does not wait
/// is retried, within the busy timeout).
#[test]
fn four_processes_create_one_workspace_at_once_fifty_times_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                x
            })
        })
        .collect();
    for round in 0..50 {
        let path = dir.path().join(format!("r{round}")).join("ws.sqlite");
        let go = dir.path().join(format!("go{round}"));
        let children: Vec<_> = (0..PROCESSES)
            .map(|me| {
                Command::new(&exe)
                    .args(["--exact", "concurrent::writer_child", "--nocapture", "--test-threads=1"])
                    .env("BUTIE_CONCURRENT_CHILD", &path)
                    .env("BUTIE_CONCURRENT_ID", me.to_string())
                    .env("BUTIE_CONCURRENT_GO", &go)
                    .env("BUTIE_CONCURRENT_WRITES", "1")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(&go, "").unwrap();
        for (me, child) in children.into_iter().enumerate() {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}, child {me} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let ws = Workspace::open(&path).unwrap();
        assert_eq!(ws.list_companies(None).unwrap().len(), PROCESSES, "round {round}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
}

//! Hostile files and faults through the real `butie` binary: FIFOs, devices,
//! folders, huge and empty files, links planted at write targets, the
//! workspace and other databases as export targets, a full disk, duplicate
//! JSON keys, control characters, long names, and an export killed with
//! SIGKILL at random moments. Each case: the exit code, exactly one line on
//! stderr in the language asked for, no panic, and files unchanged where
//! they must be.

use butie::files::{self, Content, FileError, Replace};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_butie");

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Run `butie` in `dir`; a run that takes longer than 20 s is killed and
/// fails the test (a FIFO that blocks would otherwise hang the suite).
fn butie_in(dir: &Path, args: &[&str]) -> Run {
    spawn_and_wait(Command::new(BIN).current_dir(dir).args(args))
}

fn spawn_and_wait(cmd: &mut Command) -> Run {
    let t = Instant::now();
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let ro = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let re = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("butie hung: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = t.elapsed();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&ro.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&re.join().unwrap()).into_owned(),
        took,
    }
}

fn assert_one_line(r: &Run, code: i32, needle: &str, what: &str) {
    assert_eq!(r.code, code, "{what}: exit code; stderr: {}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{what}: exactly one line on stderr: {:?}", r.stderr);
    assert!(r.stderr.contains(needle), "{what}: {needle:?} not in {:?}", r.stderr);
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"), "{what}: {}", r.stderr);
}

fn mkfifo(p: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo {}", p.display());
}

fn sample() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/taizhou-sample.json")).unwrap()
}

fn sample_with_name(name: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&sample()).unwrap();
    v["company"]["name"] = name.into();
    serde_json::to_string_pretty(&v).unwrap()
}

/// The sample profile with `facts` opening with `extra`.
fn sample_with_facts_prefix(extra: &str) -> String {
    let s = sample();
    let i = s.find("\"facts\": {").unwrap() + "\"facts\": {".len();
    format!("{}{extra}{}", &s[..i], &s[i..])
}

/// A workspace with the sample company in it.
fn workspace_with_sample(dir: &Path) -> PathBuf {
    let ws = dir.join("ws.sqlite");
    let p = dir.join("sample.json");
    std::fs::write(&p, sample()).unwrap();
    let r = butie_in(dir, &["--workspace", "ws.sqlite", "import", "sample.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    ws
}

fn is_link(p: &Path) -> bool {
    std::fs::symlink_metadata(p).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

/// Names of the writer's temporary files left in `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

// ------------------------------------------------------------------ the table

/// One hostile input: `setup` prepares `dir` and returns the arguments;
/// the run must exit `code` with one line holding the needle of its
/// language; `check` then looks at the files.
struct Case {
    name: &'static str,
    setup: fn(&Path) -> Vec<String>,
    code: i32,
    zh: &'static str,
    en: &'static str,
    /// Must return within this long (FIFOs: never block).
    fast: bool,
    check: fn(&Path),
}

fn no_check(_: &Path) {}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "FIFO as profile",
            setup: |d| {
                mkfifo(&d.join("p.json"));
                args(&["evaluate", "--profile", "p.json"])
            },
            code: 2,
            zh: "p.json: 不是普通文件（是命名管道 FIFO）",
            en: "p.json: not a regular file (a named pipe (FIFO))",
            fast: true,
            check: no_check,
        },
        Case {
            name: "FIFO as import file",
            setup: |d| {
                mkfifo(&d.join("in.json"));
                args(&["--workspace", "ws.sqlite", "import", "in.json"])
            },
            code: 2,
            zh: "导入文件 in.json: 不是普通文件",
            en: "import file in.json: not a regular file",
            fast: true,
            check: no_check,
        },
        Case {
            name: "FIFO as policy file",
            setup: |d| {
                std::fs::create_dir(d.join("pol")).unwrap();
                mkfifo(&d.join("pol/tz.toml"));
                args(&["--policies", "pol", "policies"])
            },
            code: 2,
            zh: "tz.toml: 不是普通文件",
            en: "tz.toml: not a regular file",
            fast: true,
            check: no_check,
        },
        Case {
            name: "FIFO in check-policies",
            setup: |d| {
                std::fs::create_dir(d.join("pol")).unwrap();
                mkfifo(&d.join("pol/tz.toml"));
                args(&["check-policies", "pol"])
            },
            code: 2,
            zh: "政策文件 pol/tz.toml: 不是普通文件",
            en: "policy pol/tz.toml: not a regular file",
            fast: true,
            check: no_check,
        },
        Case {
            name: "FIFO as facts --from-json",
            setup: |d| {
                workspace_with_sample(d);
                mkfifo(&d.join("f.json"));
                args(&["--workspace", "ws.sqlite", "facts", "set", "--company", "1", "--year", "2025", "--from-json", "f.json"])
            },
            code: 2,
            zh: "不是普通文件",
            en: "not a regular file",
            fast: true,
            check: no_check,
        },
        Case {
            name: "/dev/zero as profile",
            setup: |_| args(&["evaluate", "--profile", "/dev/zero"]),
            code: 2,
            zh: "/dev/zero: 不是普通文件（是设备文件）",
            en: "/dev/zero: not a regular file (a device)",
            fast: true,
            check: no_check,
        },
        Case {
            name: "a folder as profile",
            setup: |d| {
                std::fs::create_dir(d.join("p.json")).unwrap();
                args(&["evaluate", "--profile", "p.json"])
            },
            code: 2,
            zh: "p.json: 不是普通文件（是文件夹）",
            en: "p.json: not a regular file (a folder)",
            fast: true,
            check: no_check,
        },
        Case {
            name: "a 25 MB JSON file",
            setup: |d| {
                // Valid JSON: a profile padded with 25 MB of spaces.
                let mut s = sample();
                s.push_str(&" ".repeat(25 * 1024 * 1024));
                std::fs::write(d.join("big.json"), s).unwrap();
                args(&["evaluate", "--profile", "big.json"])
            },
            code: 2,
            zh: "big.json: 文件太大（上限 20 MB）",
            en: "big.json: file too large (the limit is 20 MB)",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a 3 MB policy file",
            setup: |d| {
                std::fs::create_dir(d.join("pol")).unwrap();
                std::fs::write(d.join("pol/tz.toml"), "#".repeat(3 * 1024 * 1024)).unwrap();
                args(&["--policies", "pol", "policies"])
            },
            code: 2,
            zh: "文件太大（上限 2 MB）",
            en: "file too large (the limit is 2 MB)",
            fast: false,
            check: no_check,
        },
        Case {
            name: "an empty profile",
            setup: |d| {
                std::fs::write(d.join("p.json"), "\u{feff} \n").unwrap();
                args(&["evaluate", "--profile", "p.json"])
            },
            code: 2,
            zh: "p.json: 文件是空的",
            en: "p.json: the file is empty",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a symbolic link at the export target",
            setup: |d| {
                workspace_with_sample(d);
                std::fs::write(d.join("secret.txt"), "keep me").unwrap();
                std::os::unix::fs::symlink("secret.txt", d.join("out.json")).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "out.json"])
            },
            code: 2,
            zh: "out.json: 是符号链接，不写入（不跟随链接）",
            en: "out.json: is a symbolic link; not written (links are never followed)",
            fast: false,
            check: |d| {
                assert_eq!(std::fs::read_to_string(d.join("secret.txt")).unwrap(), "keep me");
                assert!(is_link(&d.join("out.json")), "the link itself is left as it was");
                assert!(temp_files(d).is_empty());
            },
        },
        Case {
            name: "a dangling symbolic link at the export target",
            setup: |d| {
                workspace_with_sample(d);
                std::os::unix::fs::symlink("elsewhere/new.json", d.join("out.json")).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "out.json"])
            },
            code: 2,
            zh: "是符号链接",
            en: "is a symbolic link",
            fast: false,
            check: |d| assert!(is_link(&d.join("out.json")) && !d.join("elsewhere").exists()),
        },
        Case {
            name: "export onto the workspace itself",
            setup: |d| {
                let ws = workspace_with_sample(d);
                std::fs::write(d.join("ws.before"), std::fs::read(&ws).unwrap()).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "ws.sqlite"])
            },
            code: 2,
            zh: "ws.sqlite: 是正在使用的工作区，不会被覆盖",
            en: "ws.sqlite: is the open workspace; it is never overwritten",
            fast: false,
            check: |d| {
                assert_eq!(std::fs::read(d.join("ws.sqlite")).unwrap(), std::fs::read(d.join("ws.before")).unwrap());
                assert!(temp_files(d).is_empty());
            },
        },
        Case {
            name: "export onto the workspace by another name (hard link)",
            setup: |d| {
                let ws = workspace_with_sample(d);
                std::fs::hard_link(&ws, d.join("looks-like.json")).unwrap();
                std::fs::write(d.join("ws.before"), std::fs::read(&ws).unwrap()).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "looks-like.json"])
            },
            code: 2,
            zh: "是正在使用的工作区",
            en: "is the open workspace",
            fast: false,
            check: |d| assert_eq!(std::fs::read(d.join("ws.sqlite")).unwrap(), std::fs::read(d.join("ws.before")).unwrap()),
        },
        Case {
            name: "export onto another SQLite database",
            setup: |d| {
                workspace_with_sample(d);
                let r = butie_in(
                    d,
                    &["--workspace", "other.sqlite", "company", "add", "--name", "乙", "--city", "台州市", "--district", "椒江区"],
                );
                assert_eq!(r.code, 0, "{}", r.stderr);
                std::fs::write(d.join("other.before"), std::fs::read(d.join("other.sqlite")).unwrap()).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "other.sqlite"])
            },
            code: 2,
            zh: "other.sqlite: 是 SQLite 数据库文件，不会被覆盖",
            en: "other.sqlite: is an SQLite database; it is never overwritten",
            fast: false,
            check: |d| assert_eq!(std::fs::read(d.join("other.sqlite")).unwrap(), std::fs::read(d.join("other.before")).unwrap()),
        },
        Case {
            name: "export onto a file that is not JSON",
            setup: |d| {
                workspace_with_sample(d);
                std::fs::write(d.join("notes.txt"), "my notes").unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "notes.txt"])
            },
            code: 2,
            zh: "notes.txt: 已存在且不是补贴通导出的 JSON 文件，未覆盖",
            en: "notes.txt: exists and is not a Butie export (JSON) file; not replaced",
            fast: false,
            check: |d| assert_eq!(std::fs::read_to_string(d.join("notes.txt")).unwrap(), "my notes"),
        },
        Case {
            name: "export onto a folder",
            setup: |d| {
                workspace_with_sample(d);
                std::fs::create_dir(d.join("out.json")).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "out.json"])
            },
            code: 2,
            zh: "out.json: 是文件夹",
            en: "out.json: is a folder",
            fast: false,
            check: no_check,
        },
        Case {
            name: "export to /dev/full",
            setup: |d| {
                workspace_with_sample(d);
                let r = butie_in(d, &["--workspace", "ws.sqlite", "export", "--all", "--out", "prev.json"]);
                assert_eq!(r.code, 0, "{}", r.stderr);
                std::fs::copy(d.join("prev.json"), d.join("prev.before")).unwrap();
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "/dev/full"])
            },
            code: 2,
            // A device is never replaced (the writer renames a new file over
            // the target); the disk-full path is `full_disk_*` below.
            zh: "/dev/full: 不是普通文件（是设备文件），不写入",
            en: "/dev/full: not a regular file (a device); not written",
            fast: false,
            check: |d| assert_eq!(std::fs::read(d.join("prev.json")).unwrap(), std::fs::read(d.join("prev.before")).unwrap()),
        },
        Case {
            name: "export into a missing folder",
            setup: |d| {
                workspace_with_sample(d);
                args(&["--workspace", "ws.sqlite", "export", "--all", "--out", "nowhere/out.json"])
            },
            code: 2,
            zh: "nowhere: 文件夹不存在，文件未写入",
            en: "nowhere: no such folder; the file was not written",
            fast: false,
            check: |d| assert!(!d.join("nowhere").exists()),
        },
        Case {
            name: "duplicate key in a profile",
            setup: |d| {
                std::fs::write(d.join("p.json"), sample_with_facts_prefix(r#""cbec_volume": 1, "cbec_volume": 2,"#)).unwrap();
                args(&["evaluate", "--profile", "p.json"])
            },
            code: 2,
            zh: "facts.cbec_volume: 键重复",
            en: "facts.cbec_volume: duplicate key",
            fast: false,
            check: no_check,
        },
        Case {
            name: "duplicate key with an escaped spelling",
            setup: |d| {
                let s = sample().replacen(r#""name": "#, r#""n\u0061me": "X", "name": "#, 1);
                std::fs::write(d.join("p.json"), s).unwrap();
                args(&["evaluate", "--profile", "p.json"])
            },
            code: 2,
            zh: "company.name: 键重复",
            en: "company.name: duplicate key",
            fast: false,
            check: no_check,
        },
        Case {
            name: "duplicate key in an import",
            setup: |d| {
                let ws = serde_json::json!({"butie_workspace": 1, "companies": [
                    {"company": {"name": "甲", "city": "台州市", "district": "椒江区"}, "years": {"2025": {}}},
                    {"company": {"name": "乙", "city": "台州市", "district": "椒江区"}, "years": {"2025": {"exhibition_cost": "1"}}}]});
                let text = serde_json::to_string(&ws)
                    .unwrap()
                    .replace(r#""exhibition_cost":"1""#, r#""exhibition_cost":"1","exhibition_cost":"900000""#);
                std::fs::write(d.join("in.json"), text).unwrap();
                args(&["--workspace", "ws.sqlite", "import", "in.json"])
            },
            code: 2,
            zh: "companies[1].years.2025.exhibition_cost: 键重复",
            en: "companies[1].years.2025.exhibition_cost: duplicate key",
            fast: false,
            check: |d| {
                // Nothing imported: the file was refused before the workspace
                // was opened, so none was created.
                assert!(!d.join("ws.sqlite").exists());
            },
        },
        Case {
            name: "duplicate key in facts --from-json",
            setup: |d| {
                workspace_with_sample(d);
                std::fs::write(d.join("f.json"), r#"{"exhibition_cost": "1", "exhibition_cost": "2"}"#).unwrap();
                args(&["--workspace", "ws.sqlite", "facts", "set", "--company", "1", "--year", "2025", "--from-json", "f.json"])
            },
            code: 2,
            zh: "facts.exhibition_cost: 键重复",
            en: "facts.exhibition_cost: duplicate key",
            fast: false,
            check: no_check,
        },
        Case {
            name: "duplicate key in company --from-json",
            setup: |d| {
                std::fs::write(d.join("c.json"), r#"{"name": "甲", "city": "台州市", "district": "椒江区", "city": "成都市"}"#).unwrap();
                args(&["--workspace", "ws.sqlite", "company", "add", "--from-json", "c.json"])
            },
            code: 2,
            zh: "company.city: 键重复",
            en: "company.city: duplicate key",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a workspace export without its format version",
            setup: |d| {
                std::fs::write(d.join("in.json"), r#"{"companies": []}"#).unwrap();
                args(&["--workspace", "ws.sqlite", "import", "in.json"])
            },
            code: 2,
            zh: "butie_workspace: 缺少格式版本",
            en: "butie_workspace: the format version is missing",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a workspace export from a newer Butie",
            setup: |d| {
                std::fs::write(d.join("in.json"), r#"{"butie_workspace": 2, "companies": []}"#).unwrap();
                args(&["--workspace", "ws.sqlite", "import", "in.json"])
            },
            code: 2,
            zh: "butie_workspace: 格式版本 2 比本程序支持的版本 1 新",
            en: "butie_workspace: format version 2 is newer than this build reads (1)",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a workspace export with an unknown format version",
            setup: |d| {
                std::fs::write(d.join("in.json"), r#"{"butie_workspace": "1", "companies": []}"#).unwrap();
                args(&["--workspace", "ws.sqlite", "import", "in.json"])
            },
            code: 2,
            zh: "butie_workspace: 未知的格式版本 \"1\"",
            en: "butie_workspace: unknown format version \"1\"",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a right-to-left override in a company name",
            setup: |d| {
                std::fs::write(d.join("p.json"), sample_with_name("海跃\u{202E}fdp.exe")).unwrap();
                args(&["evaluate", "--profile", "p.json"])
            },
            code: 2,
            zh: "company.name: 含有控制字符（U+202E）",
            en: "company.name: contains a control character (U+202E)",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a control character in a name on the command line",
            setup: |_| {
                args(&["--workspace", "ws.sqlite", "company", "add", "--name", "海\u{7}跃", "--city", "台州市", "--district", "椒江区"])
            },
            code: 2,
            zh: "company.name: 含有控制字符（U+0007）",
            en: "company.name: contains a control character (U+0007)",
            fast: false,
            check: no_check,
        },
        Case {
            name: "a newline in a bank account from a company file",
            setup: |d| {
                std::fs::write(d.join("c.json"), r#"{"name": "甲", "city": "台州市", "district": "椒江区", "bank_account": "123\n456"}"#)
                    .unwrap();
                args(&["--workspace", "ws.sqlite", "company", "add", "--from-json", "c.json"])
            },
            code: 2,
            zh: "company.bank_account: 含有控制字符（U+000A）",
            en: "company.bank_account: contains a control character (U+000A)",
            fast: false,
            check: no_check,
        },
        Case {
            name: "--save with --profile",
            setup: |d| {
                std::fs::write(d.join("p.json"), sample()).unwrap();
                args(&["evaluate", "--profile", "p.json", "--save"])
            },
            code: 2,
            zh: "--save 只能与 --company 一起使用",
            en: "--save works only with --company",
            fast: false,
            check: no_check,
        },
    ]
}

#[test]
fn hostile_inputs_table() {
    let cases = cases();
    let runs: Vec<(&Case, &str)> = cases.iter().flat_map(|c| [(c, "zh"), (c, "en")]).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    // A few at a time: each run is a process or two.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(case, lang)) = runs.get(i) else { break };
                let what = format!("{} (--lang {lang})", case.name);
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let dir = tempfile::tempdir().unwrap();
                    let mut a = (case.setup)(dir.path());
                    a.splice(0..0, ["--lang".to_string(), lang.to_string()]);
                    let a: Vec<&str> = a.iter().map(String::as_str).collect();
                    let r = butie_in(dir.path(), &a);
                    let needle = if lang == "zh" { case.zh } else { case.en };
                    assert_one_line(&r, case.code, needle, &what);
                    let prefix = if lang == "zh" { "butie: 错误: " } else { "butie: error: " };
                    assert!(r.stderr.starts_with(prefix), "{what}: {:?}", r.stderr);
                    if case.fast {
                        assert!(r.took < Duration::from_secs(3), "{what}: took {:?}", r.took);
                    }
                    (case.check)(dir.path());
                }));
                if let Err(e) = outcome {
                    let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                    failures.lock().unwrap().push(format!("{what}: {}", msg.unwrap_or_default()));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), runs.len(), failures.join("\n"));
}

// ------------------------------------------------------------------ accepted

#[test]
fn byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("p.json"), format!("\u{feff}{}", sample())).unwrap();
    let r = butie_in(d, &["evaluate", "--profile", "p.json", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plain = butie_in(d, &["evaluate", "--profile", concat!(env!("CARGO_MANIFEST_DIR"), "/samples/taizhou-sample.json"), "--json"]);
    assert_eq!(r.stdout, plain.stdout, "the same figures with and without the mark");
    // An import and a facts file with a mark.
    std::fs::write(d.join("in.json"), format!("\u{feff}{}", sample())).unwrap();
    let r = butie_in(d, &["--workspace", "ws.sqlite", "import", "in.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(d.join("f.json"), "\u{feff}{\"exhibition_cost\": \"15800\"}").unwrap();
    let r = butie_in(d, &["--workspace", "ws.sqlite", "facts", "set", "--company", "1", "--year", "2025", "--from-json", "f.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_long_chinese_company_name_makes_pdfs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name: String = "台州市椒江海跃跨境电子商务有限公司".chars().cycle().take(70).collect();
    assert_eq!(name.chars().count(), 70);
    std::fs::write(d.join("p.json"), sample_with_name(&name)).unwrap();
    for lang in ["zh", "en"] {
        let r = butie_in(d, &["--lang", lang, "pdf", "--profile", "p.json", "--out", "pdfs"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let files: Vec<&str> = r.stdout.lines().collect();
        assert!(files.len() > 2, "{}", r.stdout);
        let mut names = std::collections::BTreeSet::new();
        for f in &files {
            let p = d.join(f);
            let bytes = std::fs::read(&p).unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{f}");
            let n = p.file_name().unwrap().to_str().unwrap().to_string();
            assert!(n.len() <= butie_pdf::MAX_NAME_BYTES, "{n}: {} bytes", n.len());
            assert!(n.starts_with("2025-台州市椒江海跃"), "{n}");
            assert!(names.insert(n.to_lowercase()), "unique: {n}");
        }
        // The second run replaced the PDFs of the first, and left no temp file.
        assert!(temp_files(&d.join("pdfs")).is_empty());
        assert_eq!(std::fs::read_dir(d.join("pdfs")).unwrap().count(), files.len());
    }
}

#[test]
fn file_names_drop_controls_and_stay_short() {
    use butie_pdf::safe_file_name;
    assert_eq!(safe_file_name("海跃\u{202E}fdp.exe"), "海跃fdp.exe");
    assert_eq!(safe_file_name("a\u{2066}b\u{2069}c\u{200E}d\u{200F}e\u{0}f\nG\u{7f}"), "abcdefG");
    assert_eq!(safe_file_name("a/b:c*?\"<>|d"), "a_b_c______d");
    let long: String = "台".repeat(100);
    let cut = safe_file_name(&long);
    assert!(cut.len() <= 150 && cut.len() > 140, "{}", cut.len());
    assert!(cut.chars().all(|c| c == '台'));
}

#[test]
fn a_symlink_at_a_pdf_target_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("p.json"), sample()).unwrap();
    let r = butie_in(d, &["pdf", "--profile", "p.json", "--out", "pdfs"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files: Vec<PathBuf> = r.stdout.lines().map(|l| d.join(l)).collect();
    // Plant a link at the last form's name: nothing is written, not even
    // the files before it.
    let target = files.last().unwrap();
    std::fs::remove_file(target).unwrap();
    std::fs::write(d.join("secret.txt"), "keep me").unwrap();
    std::os::unix::fs::symlink(d.join("secret.txt"), target).unwrap();
    let before: Vec<_> = files[..files.len() - 1].iter().map(|f| std::fs::metadata(f).unwrap().modified().unwrap()).collect();
    std::thread::sleep(Duration::from_millis(20));
    for (lang, needle) in [("zh", "是符号链接，不写入（不跟随链接）"), ("en", "is a symbolic link; not written (links are never followed)")]
    {
        let r = butie_in(d, &["--lang", lang, "pdf", "--profile", "p.json", "--out", "pdfs"]);
        assert_one_line(&r, 2, needle, "pdf onto a link");
        assert_eq!(std::fs::read_to_string(d.join("secret.txt")).unwrap(), "keep me");
        assert!(is_link(target));
        let after: Vec<_> = files[..files.len() - 1].iter().map(|f| std::fs::metadata(f).unwrap().modified().unwrap()).collect();
        assert_eq!(before, after, "no PDF rewritten");
        assert!(temp_files(&d.join("pdfs")).is_empty());
    }
    // A file that is not a PDF under a PDF's name is not replaced either.
    std::fs::remove_file(target).unwrap();
    std::fs::write(target, "not a pdf").unwrap();
    let r = butie_in(d, &["--lang", "en", "pdf", "--profile", "p.json", "--out", "pdfs"]);
    assert_one_line(&r, 2, "exists and is not a PDF file; not replaced", "pdf onto a non-PDF");
    assert_eq!(std::fs::read_to_string(target).unwrap(), "not a pdf");
}

#[test]
fn pdfs_never_overwrite_the_workspace() {
    // `pdf --company` with the output folder holding the workspace under a
    // PDF's name (a hard link): refused, the workspace unchanged.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ws = workspace_with_sample(d);
    let r = butie_in(d, &["--workspace", "ws.sqlite", "pdf", "--company", "1", "--year", "2025", "--out", "pdfs"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = d.join(r.stdout.lines().next().unwrap());
    std::fs::remove_file(&first).unwrap();
    std::fs::hard_link(&ws, &first).unwrap();
    let before = std::fs::read(&ws).unwrap();
    let r = butie_in(d, &["--lang", "en", "--workspace", "ws.sqlite", "pdf", "--company", "1", "--year", "2025", "--out", "pdfs"]);
    assert_one_line(&r, 2, "is the open workspace; it is never overwritten", "pdf onto the workspace");
    assert_eq!(std::fs::read(&ws).unwrap(), before);
}

// ------------------------------------------------------------------ the writer itself

#[test]
fn write_atomic_refuses_and_replaces_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = d.join("a.json");
    files::write_atomic(&p, b"{\"one\": 1}\n", Replace::Never, None).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"{\"one\": 1}\n");
    // Never: an existing file is an error and stays.
    let e = files::write_atomic(&p, b"{}", Replace::Never, None).unwrap_err();
    assert!(matches!(e, FileError::TargetExists { .. }), "{e:?}");
    assert_eq!(e.message(butie::Lang::En), format!("{}: already exists; not replaced", p.display()));
    assert_eq!(e.message(butie::Lang::Zh), format!("{}: 文件已存在，未覆盖", p.display()));
    // Only(Json): someone's other JSON file is not replaced...
    let e = files::write_atomic(&p, b"[2]", Replace::Only(Content::Json), None).unwrap_err();
    assert!(matches!(e, FileError::TargetNotSameKind { .. }), "{e:?}");
    assert_eq!(std::fs::read(&p).unwrap(), b"{\"one\": 1}\n");
    // ...an earlier Butie export is.
    std::fs::write(&p, b"{\n  \"butie_workspace\": 1,\n  \"companies\": []\n}\n").unwrap();
    files::write_atomic(&p, b"[2]", Replace::Only(Content::Json), None).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"[2]");
    // Permissions of the replaced file are kept.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    files::write_atomic(&p, b"[3]", Replace::Allowed, None).unwrap();
    assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
    // A read-only file is not replaced.
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let e = files::write_atomic(&p, b"[4]", Replace::Allowed, None).unwrap_err();
    assert!(matches!(e, FileError::TargetReadOnly { .. }), "{e:?}");
    assert_eq!(std::fs::read(&p).unwrap(), b"[3]");
    // An SQLite header under any name.
    let db = d.join("db.json");
    std::fs::write(&db, b"SQLite format 3\0rest of the page").unwrap();
    let e = files::write_atomic(&db, b"{}", Replace::Allowed, None).unwrap_err();
    assert!(matches!(e, FileError::TargetIsDatabase { .. }), "{e:?}");
    // A write-ahead log.
    let wal = d.join("x-wal");
    std::fs::write(&wal, [0x37, 0x7f, 0x06, 0x82, 0, 0, 0, 0]).unwrap();
    assert!(matches!(files::write_atomic(&wal, b"{}", Replace::Allowed, None), Err(FileError::TargetIsDatabase { .. })));
    // A FIFO is never opened for writing (that would block).
    let fifo = d.join("fifo.json");
    mkfifo(&fifo);
    let t = Instant::now();
    let e = files::write_atomic(&fifo, b"{}", Replace::Allowed, None).unwrap_err();
    assert!(matches!(e, FileError::TargetNotRegular { .. }), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
    // A new file in a missing folder.
    let e = files::write_atomic(&d.join("no/such.json"), b"{}", Replace::Allowed, None).unwrap_err();
    assert!(matches!(e, FileError::FolderNotFound { .. }), "{e:?}");
    assert!(temp_files(d).is_empty(), "{:?}", temp_files(d));
}

#[test]
fn disk_full_is_worded_in_both_languages() {
    let e = FileError::DiskFull { path: PathBuf::from("out.json") };
    assert_eq!(e.message(butie::Lang::Zh), "out.json: 磁盘已满，文件未写入");
    assert_eq!(e.message(butie::Lang::En), "out.json: the disk is full; the file was not written");
}

#[test]
fn paths_with_control_characters_stay_on_one_line() {
    let e = FileError::NotFound { path: PathBuf::from("a\nb\u{202E}c.json") };
    let m = e.message(butie::Lang::En);
    assert_eq!(m.lines().count(), 1, "{m}");
    assert!(!m.contains('\u{202E}'), "{m}");
}

#[test]
fn readers_limit_and_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = d.join("x.json");
    std::fs::write(&p, "x".repeat(1000)).unwrap();
    assert!(matches!(files::read_limited(&p, 999), Err(FileError::TooLarge { limit: 999, .. })));
    assert_eq!(files::read_limited(&p, 1000).unwrap().len(), 1000);
    let fifo = d.join("f");
    mkfifo(&fifo);
    match files::read_text(&fifo) {
        Err(FileError::NotRegular { kind: files::NodeKind::Fifo, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(files::read_text(&d.join("missing")), Err(FileError::NotFound { .. })));
    std::fs::write(&p, "\u{feff}{}").unwrap();
    assert_eq!(files::read_text(&p).unwrap(), "{}");
}

// ------------------------------------------------------------------ the app's paths

#[test]
fn app_export_and_import_use_the_same_guards() {
    use butie::app_api::{Session, UiLang};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ws = d.join("app.sqlite");
    let s = Session::open(&ws).map_err(|e| e.to_api(UiLang::En)).unwrap();
    s.set_lang(UiLang::En);
    let word = |e: butie::app_api::AppError| s.word(e);
    let id = s.companies("").unwrap()[0].id;
    // Onto the workspace itself.
    let before = std::fs::read(&ws).unwrap();
    let e = {
        s.set_lang(UiLang::En);
        word(s.export_company_to(id, &ws).unwrap_err())
    };
    assert!(e.message.contains("is the open workspace"), "{e:?}");
    assert_eq!(std::fs::read(&ws).unwrap(), before);
    // Onto a link.
    std::fs::write(d.join("secret.txt"), "keep me").unwrap();
    std::os::unix::fs::symlink(d.join("secret.txt"), d.join("link.json")).unwrap();
    let e = {
        s.set_lang(UiLang::Zh);
        word(s.export_company_to(id, &d.join("link.json")).unwrap_err())
    };
    assert!(e.message.contains("是符号链接"), "{e:?}");
    assert_eq!(std::fs::read_to_string(d.join("secret.txt")).unwrap(), "keep me");
    // A good export replaces an earlier one.
    s.export_company_to(id, &d.join("c.json")).unwrap();
    s.export_company_to(id, &d.join("c.json")).unwrap();
    // Import: a FIFO, a duplicate key, a newer version.
    mkfifo(&d.join("fifo.json"));
    let e = {
        s.set_lang(UiLang::En);
        word(s.import_companies(&d.join("fifo.json")).unwrap_err())
    };
    assert!(e.message.contains("not a regular file"), "{e:?}");
    std::fs::write(d.join("dup.json"), sample_with_facts_prefix(r#""exhibition_cost": "1", "exhibition_cost": "2","#)).unwrap();
    let e = {
        s.set_lang(UiLang::En);
        word(s.import_companies(&d.join("dup.json")).unwrap_err())
    };
    assert_eq!(e.message, "facts.exhibition_cost: duplicate key (it appears twice in the same object; which one is meant?)");
    std::fs::write(d.join("new.json"), r#"{"butie_workspace": 7, "companies": []}"#).unwrap();
    let e = {
        s.set_lang(UiLang::Zh);
        word(s.import_companies(&d.join("new.json")).unwrap_err())
    };
    assert!(e.message.contains("格式版本 7 比本程序支持的版本 1 新"), "{e:?}");
    // PDFs through the app: a long name works.
    let mut fields: serde_json::Value = serde_json::from_str(&sample()).unwrap();
    fields["company"]["name"] = "成".repeat(66).into();
    fields["company"]["uscc"] = serde_json::Value::Null;
    let new_id = s.add_or_update_company(None, &fields["company"]).unwrap().id;
    match s.write_pdfs(new_id, 2025, &d.join("pdfs")).unwrap() {
        butie::app_api::Written::Files { files, .. } => assert!(!files.is_empty()),
        other => panic!("{other:?}"),
    }
}

// ------------------------------------------------------------------ the format version

#[test]
fn export_writes_the_version_import_reads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    workspace_with_sample(d);
    let r = butie_in(d, &["--workspace", "ws.sqlite", "export", "--all", "--out", "all.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("all.json")).unwrap()).unwrap();
    assert_eq!(v["butie_workspace"], serde_json::json!(files::EXPORT_FORMAT));
    let r = butie_in(d, &["--workspace", "ws2.sqlite", "import", "all.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A company export and a profile export carry no version and still import.
    let r = butie_in(d, &["--workspace", "ws.sqlite", "export", "--company", "1", "--out", "one.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = butie_in(d, &["--workspace", "ws3.sqlite", "import", "one.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

// ------------------------------------------------------------------ never panics

mod scanner {
    use butie::profile::{duplicate_key, parse_json, parse_profile};
    use proptest::prelude::*;

    #[test]
    fn finds_duplicates_where_they_are() {
        assert_eq!(duplicate_key(r#"{"a": 1, "b": {"c": [1, {"d": 1, "d": 2}]}}"#).as_deref(), Some("b.c[1].d"));
        assert_eq!(duplicate_key(r#"[{"x": 1}, {"x": 1}]"#), None);
        assert_eq!(duplicate_key(r#"{"a": {"a": 1}, "b": "a"}"#), None);
        assert_eq!(duplicate_key(r#"{"a\"b": 1, "a\u0022b": 2}"#).as_deref(), Some("a\"b"));
        assert_eq!(duplicate_key(r#"{"k": "{\"k\": 1, \"k\": 2}"}"#), None, "a string holding JSON is text");
        assert_eq!(duplicate_key(r#"{"a": 1, "a": 1}"#).as_deref(), Some("a"));
        assert_eq!(duplicate_key(r#"[[], [{"x": [], "x": []}]]"#).as_deref(), Some("[1][0].x"));
        for sample in ["samples/taizhou-sample.json", "samples/chengdu-sample.json"] {
            let text = std::fs::read_to_string(sample).unwrap();
            assert_eq!(duplicate_key(&text), None);
        }
    }

    /// Random bytes and mutated samples: no panic, and the answers agree
    /// with serde_json where it accepts the text.
    #[test]
    fn random_and_mutated_inputs_never_panic() {
        let packs = butie::bundled_packs().unwrap();
        let seeds: Vec<Vec<u8>> =
            ["samples/taizhou-sample.json", "samples/chengdu-sample.json"].iter().map(|p| std::fs::read(p).unwrap()).collect();
        let mut rng = 0x2545F4914F6CDD1Du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        const ALPHABET: &[u8] = b"{}[]\":,\\ u0a\x00\xff\xe5";
        for round in 0..4000 {
            let mut bytes = if round % 4 == 0 {
                (0..(next() % 200)).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect()
            } else {
                seeds[round % 2].clone()
            };
            for _ in 0..(next() % 6) {
                if bytes.is_empty() {
                    break;
                }
                let i = (next() % bytes.len() as u64) as usize;
                match next() % 4 {
                    0 => bytes[i] = ALPHABET[(next() % ALPHABET.len() as u64) as usize],
                    1 => {
                        bytes.remove(i);
                    }
                    2 => bytes.insert(i, ALPHABET[(next() % ALPHABET.len() as u64) as usize]),
                    _ => {
                        // Duplicate a slice (often a key-value pair).
                        let j = (i + (next() % 60) as usize).min(bytes.len());
                        let piece = bytes[i..j].to_vec();
                        bytes.splice(i..i, piece);
                    }
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let _ = duplicate_key(&text);
            let _ = parse_json("x", &text);
            let _ = parse_profile(&text, &packs);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        #[test]
        fn any_text_is_answered(s in "\\PC*") {
            let _ = duplicate_key(&s);
            let _ = parse_json("x", &s);
        }

        #[test]
        fn serialized_maps_have_no_duplicates_and_a_repeated_key_is_found(
            keys in proptest::collection::vec("[a-z\"\\\\\u{4e00}-\u{4e10}]{1,6}", 1..8),
        ) {
            let mut m = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                m.insert(k.clone(), serde_json::json!({"inner": [i, {"k": k}]}));
            }
            let text = serde_json::to_string(&serde_json::json!({"outer": [m.clone()]})).unwrap();
            prop_assert_eq!(duplicate_key(&text), None);
            // Repeat the first key at the end of the inner object.
            let first = m.keys().next().unwrap().clone();
            let extra = format!(",{}:0}}]}}", serde_json::to_string(&first).unwrap());
            let dup = format!("{}{}", &text[..text.len() - 3], extra);
            prop_assert!(serde_json::from_str::<serde_json::Value>(&dup).is_ok(), "{}", dup);
            prop_assert_eq!(duplicate_key(&dup), Some(format!("outer[0].{first}")));
        }
    }
}

// ------------------------------------------------------------------ full disk, for real

/// A workspace with `n` companies, each with a few facts; the names start
/// with `tag` so two such workspaces export differently.
fn big_workspace(path: &Path, n: usize, tag: &str) {
    let packs = butie::bundled_packs().unwrap();
    let mut ws = butie_store::Workspace::open_or_create(path).unwrap();
    let companies: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"company": {"name": format!("{tag}跨境电子商务有限公司{i:04}"), "city": "台州市", "district": "椒江区",
                                            "legal_rep": "王海跃", "contact": "林晓燕", "phone": "0576-88123456", "bank": "台州银行椒江支行"},
                               "years": {"2024": {"exhibition_cost": format!("{i}.50"), "intl_trademark_fee": "186000.00"},
                                         "2025": {"exhibition_cost": format!("{i}.25"), "cbec_logistics_cost": "356780.40",
                                                  "patent_application_fee": "42350.50", "provincial_famous_brand": true}}})
        })
        .collect();
    ws.import(&serde_json::json!({"butie_workspace": 1, "companies": companies}), &packs, false).unwrap();
}

fn export_text(ws: &Path, out: &Path) -> String {
    let cx = butie::cli::Context { workspace: Some(ws.to_path_buf()), ..Default::default() };
    butie::store_cli::export(&cx, None, None, out).unwrap();
    std::fs::read_to_string(out).unwrap()
}

/// The write fails half-way (a file size limit: EFBIG): one line, exit 2,
/// the previous export intact, no temporary file left.
#[test]
fn a_write_that_fails_half_way_leaves_the_previous_export() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    big_workspace(&d.join("a.sqlite"), 20, "甲");
    big_workspace(&d.join("b.sqlite"), 300, "乙");
    let prev = export_text(&d.join("a.sqlite"), &d.join("prev.json"));
    const LIMIT: u64 = 64 * 1024;
    assert!(prev.len() < LIMIT as usize);
    let new_len = export_text(&d.join("b.sqlite"), &d.join("b.json")).len();
    assert!(new_len > 2 * LIMIT as usize, "{new_len}");
    for (lang, needle) in [("zh", "out.json: 无法写入（"), ("en", "out.json: cannot write (")] {
        std::fs::write(d.join("out.json"), &prev).unwrap();
        let mut cmd = Command::new(BIN);
        cmd.current_dir(d).args(["--lang", lang, "--workspace", "b.sqlite", "export", "--all", "--out", "out.json"]);
        unsafe {
            cmd.pre_exec(|| {
                let lim = libc::rlimit { rlim_cur: LIMIT, rlim_max: LIMIT };
                libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                Ok(())
            });
        }
        let r = spawn_and_wait(&mut cmd);
        assert_one_line(&r, 2, needle, "export over a size limit");
        assert!(r.stderr.contains("文件未写入") || r.stderr.contains("the file was not written"), "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(d.join("out.json")).unwrap(), prev, "previous export intact");
        assert!(temp_files(d).is_empty(), "{:?}", temp_files(d));
    }
}

/// A real full disk: a 256 KB tmpfs in a private mount namespace (needs
/// `unshare`; skipped where it is not allowed), holding a previous export,
/// filled up; the export of 300 companies onto it fails with "the disk is
/// full", the previous export is intact and no temporary file is left.
#[test]
fn a_full_disk_leaves_the_previous_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    big_workspace(&d.join("a.sqlite"), 20, "甲");
    big_workspace(&d.join("b.sqlite"), 300, "乙");
    export_text(&d.join("a.sqlite"), &d.join("prev.json"));
    std::fs::create_dir(d.join("mnt")).unwrap();
    let script = r#"
        mount -t tmpfs -o size=256k tmpfs mnt || exit 99
        cp prev.json mnt/export.json
        dd if=/dev/zero of=mnt/fill bs=4k 2>/dev/null
        rm -f mnt/fill
        dd if=/dev/zero of=mnt/fill bs=4k count=$(( ($(stat -f -c %a mnt) - 8) )) 2>/dev/null
        for lang in zh en; do
          "$BUTIE" --lang $lang --workspace b.sqlite export --all --out mnt/export.json 2>err.$lang; echo "rc=$?"
          cmp -s prev.json mnt/export.json && echo "intact"
          ls -a mnt | grep -c '\.tmp$'
        done
    "#;
    let unshare: &[&str] = if unsafe { libc::geteuid() } == 0 { &["-m"] } else { &["-Urm"] };
    let mut cmd = Command::new("unshare");
    cmd.current_dir(d).args(unshare).args(["sh", "-c", script]).env("BUTIE", BIN);
    let Ok(out) = cmd.output() else {
        eprintln!("a_full_disk_leaves_the_previous_export: no unshare here; skipped");
        return;
    };
    if out.status.code() == Some(99) || !out.status.success() && out.stdout.is_empty() {
        eprintln!("a_full_disk_leaves_the_previous_export: cannot mount a tmpfs here ({}); skipped", String::from_utf8_lossy(&out.stderr));
        return;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().collect::<Vec<_>>(), ["rc=2", "intact", "0", "rc=2", "intact", "0"], "{stdout}");
    for (lang, needle) in [("zh", "export.json: 磁盘已满，文件未写入"), ("en", "export.json: the disk is full; the file was not written")]
    {
        let err = std::fs::read_to_string(d.join(format!("err.{lang}"))).unwrap();
        let r = Run { code: 2, stdout: String::new(), stderr: err, took: Duration::ZERO };
        assert_one_line(&r, 2, needle, "full disk");
    }
}

// ------------------------------------------------------------------ SIGKILL during export

const READY: &str = "BUTIE-EXPORT-CHILD-READY";

/// The child: exports workspace B and A in turn onto the target, forever,
/// until killed. Runs only when re-invoked by `export_killed_200_times`.
#[test]
fn export_child() {
    let Ok(target) = std::env::var("BUTIE_HOSTILE_EXPORT_TARGET") else { return };
    let a = std::env::var("BUTIE_HOSTILE_WS_A").unwrap();
    let b = std::env::var("BUTIE_HOSTILE_WS_B").unwrap();
    let cxs = [b, a].map(|w| butie::cli::Context { workspace: Some(PathBuf::from(w)), ..Default::default() });
    // "write": only the writer, with both texts made beforehand, so that
    // more kills land inside it.
    let texts =
        std::env::var("BUTIE_HOSTILE_TEXTS").ok().map(|dir| ["b.json", "a.json"].map(|f| std::fs::read(Path::new(&dir).join(f)).unwrap()));
    // The harness may have written "test … " on the same line.
    println!("{READY}");
    for n in 0.. {
        match &texts {
            None => drop(butie::store_cli::export(&cxs[n % 2], None, None, Path::new(&target)).unwrap()),
            Some(t) => files::write_atomic(Path::new(&target), &t[n % 2], Replace::Only(Content::Json), None).unwrap(),
        }
        println!("done {n}");
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

/// A child exporting ~300 companies onto a path that holds a good export is
/// killed with SIGKILL at a random moment, 200 times. After each kill the
/// target is the previous complete export or the new complete one, and at
/// most one temporary file is left (the one being written when killed).
#[test]
fn export_killed_200_times() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (wa, wb) = (d.join("a.sqlite"), d.join("b.sqlite"));
    big_workspace(&wa, 300, "甲");
    big_workspace(&wb, 300, "乙");
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    let text_a = export_text(&wa, &out.join("export.json"));
    let text_b = export_text(&wb, &out.join("export.json"));
    assert_ne!(text_a, text_b);
    let target = out.join("export.json");
    let exe = std::env::current_exe().unwrap();
    std::fs::write(d.join("a.json"), &text_a).unwrap();
    std::fs::write(d.join("b.json"), &text_b).unwrap();
    let mut rng = Rng(0x9E3779B97F4A7C15);
    // Per mode (0: the whole export, 1: the writer alone).
    let (mut saw_a, mut saw_b, mut temps_left, mut done) = ([0; 2], [0; 2], [0; 2], [0usize; 2]);
    let started = Instant::now();
    // How long one export and one write take here, to spread the kills
    // over about two of them.
    let t = Instant::now();
    export_text(&wb, &target);
    let export_us = t.elapsed().as_micros().max(1000) as u64;
    let t = Instant::now();
    files::write_atomic(&target, text_b.as_bytes(), Replace::Allowed, None).unwrap();
    let write_us = t.elapsed().as_micros().max(200) as u64;
    for round in 0..200 {
        let mode = round % 2;
        std::fs::write(&target, &text_a).unwrap();
        let mut cmd = Command::new(&exe);
        cmd.args(["--exact", "hostile::export_child", "--nocapture", "--test-threads=1"])
            .env("BUTIE_HOSTILE_EXPORT_TARGET", &target)
            .env("BUTIE_HOSTILE_WS_A", &wa)
            .env("BUTIE_HOSTILE_WS_B", &wb)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if mode == 1 {
            cmd.env("BUTIE_HOSTILE_TEXTS", d);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // Wait until it is about to export, then kill within ~2 exports.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if l.contains(READY) => break,
                Ok(_) => continue,
                Err(_) => {
                    let _ = child.kill();
                    panic!("round {round}: the child never started");
                }
            }
        }
        let cycle = if mode == 0 { export_us } else { write_us };
        std::thread::sleep(Duration::from_micros(rng.next() % (2 * cycle)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        done[mode] += rx.try_iter().filter(|l| l.starts_with("done")).count();

        let now = std::fs::read_to_string(&target).unwrap_or_else(|e| panic!("round {round}: target unreadable: {e}"));
        if now == text_a {
            saw_a[mode] += 1;
        } else if now == text_b {
            saw_b[mode] += 1;
        } else {
            panic!("round {round}: the target is neither export ({} bytes)", now.len());
        }
        serde_json::from_str::<serde_json::Value>(&now).unwrap();
        let temps = temp_files(&out);
        assert!(temps.len() <= 1, "round {round}: {temps:?}");
        temps_left[mode] += temps.len();
        for t in temps {
            std::fs::remove_file(out.join(t)).unwrap();
        }
    }
    for (mode, what, us) in [(0, "whole export", export_us), (1, "writer alone", write_us)] {
        eprintln!(
            "export_killed_200_times, {what} (one ≈ {us} µs): {} completed in 100 runs; target afterwards: \
             previous {}×, new {}×; a temporary file was left by {} of 100 kills",
            done[mode], saw_a[mode], saw_b[mode], temps_left[mode]
        );
        assert!(saw_a[mode] > 0 && saw_b[mode] > 0, "{what}: kills landed both before and after a rename");
    }
    eprintln!("export_killed_200_times: {:?}", started.elapsed());
}

/// What export writes, import reads: a workspace export past the 20 MB that
/// profiles may have is still imported (here padded with spaces to 21 MB).
#[test]
fn a_large_workspace_export_imports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from(
        r#"{"butie_workspace": 1, "companies": [{"company": {"name": "大户", "city": "台州市", "district": "椒江区"}, "years": {"2025": {}}}]}"#,
    );
    text.push_str(&" ".repeat(21 * 1024 * 1024));
    std::fs::write(d.join("big-export.json"), &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_butie"))
        .current_dir(d)
        .args(["--workspace", "ws.sqlite", "import", "big-export.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

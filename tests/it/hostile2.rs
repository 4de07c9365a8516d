//! The second hostile suite (issue 25), through the real `butie` binary:
//! workspace paths SQLite would read as URIs, and the other cases that
//! suite found. Each case fails on the build before its fix.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_butie");

fn butie(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(BIN).current_dir(dir).env_remove("BUTIE_WORKSPACE").args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

const ADD: [&str; 8] = ["company", "add", "--name", "甲", "--city", "台州市", "--district", "椒江区"];

/// `file:…` is a file name like any other: never another database opened
/// as a URI, never an in-memory database that saves nothing.
#[test]
fn a_workspace_path_beginning_with_file_colon_is_a_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Another program's database beside it.
    let foreign = d.join("foreign.sqlite");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    c.execute_batch("CREATE TABLE theirs (x INTEGER); INSERT INTO theirs VALUES (1);").unwrap();
    drop(c);
    let before = std::fs::read(&foreign).unwrap();

    for (ws, env) in [("file:foreign.sqlite", false), ("file:ws.sqlite?mode=memory", false), ("file:env.sqlite?mode=memory", true)] {
        let mut args: Vec<&str> = Vec::new();
        if !env {
            args.extend(["--workspace", ws]);
        }
        args.extend(ADD);
        let o = if env {
            Command::new(BIN).current_dir(d).env("BUTIE_WORKSPACE", ws).args(&args).output().unwrap()
        } else {
            Command::new(BIN).current_dir(d).env_remove("BUTIE_WORKSPACE").args(&args).output().unwrap()
        };
        assert_eq!(o.status.code(), Some(0), "{ws}: {}", String::from_utf8_lossy(&o.stderr));
        // Saved in a file of exactly that name, and there to read again.
        assert!(d.join(ws).is_file(), "{ws}: no file of that name");
        let (code, out, err) = if env {
            let o = Command::new(BIN).current_dir(d).env("BUTIE_WORKSPACE", ws).args(["company", "list"]).output().unwrap();
            (
                o.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&o.stdout).into_owned(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            )
        } else {
            butie(d, &["--workspace", ws, "company", "list"])
        };
        assert_eq!(code, 0, "{err}");
        assert!(out.contains('甲'), "{ws}: {out}");
    }
    assert_eq!(std::fs::read(&foreign).unwrap(), before, "the other program's database is untouched");
    assert!(!d.join("foreign.sqlite-wal").exists());
}

fn pdfs_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Writing one company's PDFs into a shared folder never removes another's,
/// even when the first name plus a dash begins the second (甲 / 甲-分公司).
#[test]
fn one_companys_pdfs_never_sweep_away_anothers_in_a_shared_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("samples/taizhou-sample.json").unwrap()).unwrap();
    let out = d.join("forms");
    for (a, b) in [("台州甲", "台州甲-分公司"), ("ACME", "ACME-Export"), ("ACME", "ACME-01")] {
        let _ = std::fs::remove_dir_all(&out);
        let profile = |name: &str| {
            let mut p = sample.clone();
            p["company"]["name"] = name.into();
            p["company"].as_object_mut().unwrap().remove("uscc");
            let f = d.join(format!("{}.json", name.replace('-', "_")));
            std::fs::write(&f, p.to_string()).unwrap();
            f
        };
        let (pa, pb) = (profile(a), profile(b));
        let (code, _, err) = butie(d, &["pdf", "--profile", pb.to_str().unwrap(), "--year", "2025", "--out", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let theirs = pdfs_in(&out);
        assert!(theirs.len() > 2, "{theirs:?}");
        let (code, _, err) = butie(d, &["pdf", "--profile", pa.to_str().unwrap(), "--year", "2025", "--out", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let all = pdfs_in(&out);
        for f in &theirs {
            assert!(all.contains(f), "{a} / {b}: {f} was removed; left: {all:?}");
        }
        assert_eq!(all.len(), 2 * theirs.len(), "{all:?}");
    }
}

/// `batch --pdf DIR` makes each company's folder inside DIR; a link planted
/// at DIR/<company> is refused for that company, and nothing is written
/// where it points.
#[cfg(unix)]
#[test]
fn batch_pdfs_never_write_through_a_link_planted_at_a_companys_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.csv");
    std::fs::write(&input, "name,uscc,city,district,intl_trademark_fee\n海跃,91331002MA2A8K5L0Y,台州市,椒江区,186000\n").unwrap();
    let (pdf, elsewhere) = (d.join("pdf"), d.join("elsewhere"));
    std::fs::create_dir_all(&pdf).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, pdf.join("海跃")).unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (code, _, err) =
        butie(d, &["--lang", "en", "batch", "--in", &s(&input), "--year", "2025", "--out", &s(&d.join("r.jsonl")), "--pdf", &s(&pdf)]);
    assert_ne!(code, 0, "the row's PDFs are refused");
    assert!(err.contains("link"), "{err}");
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written where the link points");
}

/// What export writes, import must read: an export above the import limit
/// is refused before anything is written, and says what to do instead.
#[test]
fn an_export_import_could_not_read_is_refused_before_it_is_written() {
    use butie::files::{check_importable, FileError, IMPORT_LIMIT};
    let out = Path::new("all.json");
    assert!(check_importable(out, IMPORT_LIMIT as usize).is_ok(), "the limit itself still imports");
    let e = check_importable(out, IMPORT_LIMIT as usize + 1).unwrap_err();
    assert!(matches!(e, FileError::ExportTooLarge { .. }));
    let zh = e.message(butie_core::Lang::Zh);
    assert!(zh.contains("超过导入上限 512 MB") && zh.contains("--company") && !zh.contains('\n'), "{zh}");
}

/// A full temporary folder (here: a file-size limit, with SIGXFSZ ignored
/// so that writes fail as on a full disk) while the results workbook is
/// streamed: an error in words, never a panic (exit 101).
#[cfg(unix)]
#[test]
fn a_full_temporary_folder_while_writing_a_workbook_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut csv = String::from("name,city,district,intl_trademark_fee,patent_application_fee\n");
    for i in 0..3000 {
        csv.push_str(&format!("企业{i},台州市,椒江区,{},{}\n", 1000 + i, 2000 + i));
    }
    std::fs::write(d.join("in.csv"), csv).unwrap();
    let script = format!("ulimit -f 256; trap '' XFSZ; exec '{BIN}' --lang en batch --in in.csv --year 2025 --out out.xlsx");
    let o = Command::new("bash").arg("-c").arg(script).current_dir(d).env_remove("BUTIE_WORKSPACE").output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(101), "panicked: {err}");
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!d.join("out.xlsx").exists(), "nothing written");
}

/// A workspace on a full disk (here: no file may grow, with SIGXFSZ ignored
/// so that writes fail as on a full disk) can still be read and exported
/// elsewhere; a write says it cannot be saved, in one line.
#[cfg(unix)]
#[test]
fn a_workspace_on_a_full_disk_can_still_be_read_and_exported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) =
        butie(d, &["--workspace", "ws.sqlite", "company", "add", "--name", "甲", "--city", "台州市", "--district", "椒江区"]);
    assert_eq!(code, 0, "{err}");
    assert!(!d.join("ws.sqlite-shm").exists() && !d.join("ws.sqlite-wal").exists(), "closed cleanly");
    let full = |args: &str| {
        let script = format!("ulimit -f 0; trap '' XFSZ; exec '{BIN}' --workspace ws.sqlite {args}");
        let o = Command::new("bash").arg("-c").arg(script).current_dir(d).env_remove("BUTIE_WORKSPACE").output().unwrap();
        (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let (code, out, err) = full("company list");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains('甲'), "{out}");
    // Exported to another disk: here a pipe to stdout stands in for it.
    let (code, _, err) = full("company add --name 乙 --city 台州市 --district 椒江区");
    assert_ne!(code, 0);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `facts set K=1 K=2` names the key given twice and saves nothing.
#[test]
fn a_fact_given_twice_on_the_command_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) =
        butie(d, &["--workspace", "ws.sqlite", "company", "add", "--name", "甲", "--city", "台州市", "--district", "椒江区"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = butie(
        d,
        &["--workspace", "ws.sqlite", "facts", "set", "--company", "1", "--year", "2025", "exhibition_cost=1", "exhibition_cost=2"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("exhibition_cost"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// An `.xlsx` whose parts would unpack to more than the reader takes (one
/// huge cell, or a bomb of many parts) is refused from its zip directory,
/// before anything is unpacked: nothing like 4 GB of memory, one line.
#[test]
fn spreadsheet_bombs_are_refused_before_they_are_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    for (c, v) in ["name", "city", "district"].iter().enumerate() {
        sh.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["甲", "台州市", "椒江区"].iter().enumerate() {
        sh.write_string(1, c as u16, *v).unwrap();
    }
    let good = wb.save_to_buffer().unwrap();
    // Central-directory entries: their declared unpacked size is at +24.
    let entries: Vec<usize> = good.windows(4).enumerate().filter(|(_, w)| *w == [0x50, 0x4b, 0x01, 0x02]).map(|(i, _)| i).collect();
    assert!(entries.len() >= 6, "{}", entries.len());
    let patched = |size: u32, all: bool| {
        let mut b = good.clone();
        for &e in if all { &entries[..] } else { &entries[..1] } {
            b[e + 24..e + 28].copy_from_slice(&size.to_le_bytes());
        }
        b
    };
    for (name, bytes) in [("one-huge-part.xlsx", patched(1 << 30, false)), ("bomb.xlsx", patched(100 << 20, true))] {
        std::fs::write(d.join(name), bytes).unwrap();
        let (code, _, err) = butie(d, &["--lang", "en", "batch", "--in", name, "--year", "2025", "--out", "r.jsonl"]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("unpack"), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    // The good one still reads.
    std::fs::write(d.join("good.xlsx"), &good).unwrap();
    let (code, _, err) = butie(d, &["batch", "--in", "good.xlsx", "--year", "2025", "--out", "r.jsonl"]);
    assert_eq!(code, 0, "{err}");
}

/// A formula cell saved without its result is said, not read as empty.
#[test]
fn a_formula_cell_without_its_value_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    for (c, v) in ["name", "city", "district", "intl_trademark_fee"].iter().enumerate() {
        sh.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["甲", "台州市", "椒江区"].iter().enumerate() {
        sh.write_string(1, c as u16, *v).unwrap();
    }
    // As a program that does not calculate saves it: no result with the formula.
    sh.set_formula_result_default("");
    sh.write_formula(1, 3, "=1000*2").unwrap();
    wb.save(d.join("f.xlsx")).unwrap();
    let (code, _, err) = butie(d, &["--lang", "en", "batch", "--in", "f.xlsx", "--year", "2025", "--out", "r.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("D2") && err.contains("formula"), "{err}");
}

/// One validator: a version that is not a real date is refused by
/// `check-policies` and `--policies DIR` as `policies import` refuses it.
#[test]
fn a_pack_version_that_is_not_a_date_is_refused_everywhere() {
    let text = std::fs::read_to_string("policies/taizhou-cbec-2025.toml").unwrap();
    for bad in ["zzzz", "9999-99-99", "2025-1-1"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("p")).unwrap();
        std::fs::write(d.join("p/tz.toml"), text.replacen("version = \"2024-11-19\"", &format!("version = \"{bad}\""), 1)).unwrap();
        let (code, _, err) = butie(d, &["--lang", "en", "check-policies", "p"]);
        assert_ne!(code, 0, "{bad}");
        assert!(err.contains("pack.version") && err.contains("YYYY-MM-DD"), "{bad}: {err}");
        let (code, _, err) = butie(d, &["--lang", "en", "--policies", "p", "policies"]);
        assert_ne!(code, 0, "{bad}: {err}");
    }
}

/// A `.csv` record that never ends (a missing closing quote before a huge
/// field) is refused at its row, not kept whole in memory.
#[test]
fn a_csv_row_past_the_limit_is_refused_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from("name,city,district,intl_trademark_fee\n甲,台州市,椒江区,1000\n\"乙,台州市,椒江区,");
    text.push_str(&"x".repeat(5 << 20));
    std::fs::write(d.join("long.csv"), text).unwrap();
    let (code, _, err) = butie(d, &["--lang", "en", "batch", "--in", "long.csv", "--year", "2025", "--out", "r.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("row 3") && err.contains("4 MB"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!d.join("r.jsonl").exists(), "nothing is written");
}

/// A workbook whose zip directory understates what a part unpacks to: the
/// unpacker stops at the size declared, so the part is never read past it,
/// and the file is refused in one line.
#[test]
fn a_workbook_that_understates_a_parts_size_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    for (c, v) in ["name", "city", "district", "intl_trademark_fee"].iter().enumerate() {
        sh.write_string(0, c as u16, *v).unwrap();
    }
    for r in 1..2000u32 {
        for (c, v) in ["甲", "台州市", "椒江区", "1000"].iter().enumerate() {
            sh.write_string(r, c as u16, *v).unwrap();
        }
    }
    let mut b = wb.save_to_buffer().unwrap();
    // Every entry of the central directory named like a worksheet: its
    // unpacked size, and its local header's, set to 10 bytes.
    let le32 = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    let le16 = |b: &[u8], at: usize| u16::from_le_bytes(b[at..at + 2].try_into().unwrap()) as usize;
    let mut at = (0..b.len() - 4).find(|&i| b[i..i + 4] == *b"PK\x01\x02").unwrap();
    let mut patched = 0;
    while b[at..at + 4] == *b"PK\x01\x02" {
        let (name_len, extra, comment) = (le16(&b, at + 28), le16(&b, at + 30), le16(&b, at + 32));
        let name = String::from_utf8_lossy(&b[at + 46..at + 46 + name_len]).to_string();
        if name.starts_with("xl/worksheets/sheet") {
            let local = le32(&b, at + 42);
            b[at + 24..at + 28].copy_from_slice(&10u32.to_le_bytes());
            b[local + 22..local + 26].copy_from_slice(&10u32.to_le_bytes());
            patched += 1;
        }
        at += 46 + name_len + extra + comment;
    }
    assert_eq!(patched, 1);
    std::fs::write(d.join("lying.xlsx"), b).unwrap();
    let (code, _, err) = butie(d, &["--lang", "en", "batch", "--in", "lying.xlsx", "--year", "2025", "--out", "r.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("lying.xlsx") && err.contains("damaged"), "{err}");
    assert!(!d.join("r.jsonl").exists());
}

/// What a killed run left beside its output (untouched for more than ten
/// minutes) is swept by the next run to that output; a fresh one (perhaps
/// another run's, still writing) and other names are left alone. A
/// thread count far past the cores is taken as four a core, not spawned.
#[test]
fn a_killed_runs_temporary_file_is_swept_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.csv"), "name,city,district,intl_trademark_fee\n甲,台州市,椒江区,1000\n").unwrap();
    let old = d.join(".r.jsonl.0123456789abcdef.tmp");
    let fresh = d.join(".r.jsonl.fedcba9876543210.tmp");
    let other = d.join(".x.jsonl.0123456789abcdef.tmp");
    for p in [&old, &fresh, &other] {
        std::fs::write(p, "half a file").unwrap();
    }
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for p in [&old, &other] {
        std::fs::File::options().write(true).open(p).unwrap().set_modified(an_hour_ago).unwrap();
    }
    let (code, _, err) = butie(d, &["batch", "--in", "in.csv", "--year", "2025", "--out", "r.jsonl", "--jobs", "100000"]);
    assert_eq!(code, 0, "{err}");
    assert!(!old.exists(), "the killed run's file is swept");
    assert!(fresh.exists() && other.exists(), "a fresh one and another output's are left");
    assert_eq!(std::fs::read_to_string(d.join("r.jsonl")).unwrap().lines().count(), 1);
}

/// A quote opened in a `.csv` and never closed swallows every row after
/// it: the file is refused naming the row, not read as one refused row.
#[test]
fn an_unclosed_quote_is_said_with_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut text = String::from("name,city,district,intl_trademark_fee\n甲,台州市,椒江区,1000\n乙,台州市,\"椒江区,2000\n");
    for i in 0..4 {
        text.push_str(&format!("丙{i},台州市,椒江区,3000\n"));
    }
    std::fs::write(d.join("q.csv"), text).unwrap();
    let (code, _, err) = butie(d, &["--lang", "en", "batch", "--in", "q.csv", "--year", "2025", "--out", "r.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("row 3") && err.contains("quote"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // A quoted cell closed again reads as it should.
    std::fs::write(d.join("ok.csv"), "name,city,district,intl_trademark_fee\n\"甲, 有限公司\",台州市,椒江区,1000\n乙,台州市,椒江区,2000\n")
        .unwrap();
    let (code, _, err) = butie(d, &["batch", "--in", "ok.csv", "--year", "2025", "--out", "r.jsonl"]);
    assert_eq!(code, 0, "{err}");
}

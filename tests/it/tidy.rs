//! The layering and size rules ARCHITECTURE.md states, checked on the
//! source itself (as rust-analyzer's tidy tests do): the shared operations
//! import nothing of the command line, the window or the words, and no
//! function outside tests is longer than a reader can hold.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shared_operations_import_no_front_end() {
    let mut files = Vec::new();
    rust_files(&root().join("src/ops"), &mut files);
    assert!(files.len() > 5, "{files:?}");
    let front = ["crate::cli", "crate::app", "crate::words", "crate::table", "crate::store_cli", "crate::store_messages", "crate::app_api"];
    for f in files {
        for (i, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for p in front {
                assert!(!line.contains(p), "{}:{}: ops/ uses {p}: {line}", f.display(), i + 1);
            }
        }
    }
}

/// Length in lines of each `fn` outside test modules: from its `fn` line
/// to the closing brace at the same indentation.
fn long_functions(file: &Path, limit: usize) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break; // the file's tests are at its end
        }
        let body = line.trim_start();
        let indent = line.len() - body.len();
        let is_fn =
            ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn ", "const fn ", "pub const fn "].iter().any(|p| body.starts_with(p));
        if !is_fn || line.trim_end().ends_with(';') {
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            if end + 2 > limit {
                out.push(format!("{}:{} {} lines: {}", file.display(), i + 1, end + 2, body));
            }
        }
    }
    out
}

#[test]
fn no_function_outside_tests_is_over_120_lines() {
    let mut files = Vec::new();
    for dir in ["src", "crates/butie-core/src", "crates/butie-store/src", "crates/butie-pdf/src", "src-tauri/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    files.retain(|f| !f.to_string_lossy().ends_with("tests.rs"));
    let long: Vec<String> = files.iter().flat_map(|f| long_functions(f, 120)).collect();
    assert!(long.is_empty(), "functions over 120 lines:\n{}", long.join("\n"));
}

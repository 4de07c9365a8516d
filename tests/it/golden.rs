//! The catalogue JSON is a contract: for the same input and language it must
//! stay byte for byte what it was. The files in tests/golden/ were written
//! before the engine returned structured results (causes and trace steps
//! rendered at the edge) and are compared on every run. `BUTIE_BLESS=1`
//! rewrites them — only for a deliberate, reviewed change of the contract.

use crate::generate;

use butie::cases::case_profile;
use butie::{Lang, Pack, Profile};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

fn render(packs: &[Pack], profile: &Profile, year: i32, lang: Lang) -> String {
    let ev = butie::evaluate(packs, profile, year);
    let streamed = serde_json::to_string(&butie::explain::Catalogue { ev: &ev, lang }).unwrap();
    // The value form (stored in the workspace) writes the same bytes.
    debug_assert_eq!(streamed, serde_json::to_string(&butie::to_json(&ev, lang)).unwrap());
    streamed
}

const LANGS: [(Lang, &str); 2] = [(Lang::Zh, "zh"), (Lang::En, "en")];

/// Samples and every embedded case: full JSON, one line each, readable in review.
fn full_outputs() -> String {
    let packs = butie::bundled_packs().unwrap();
    let mut out = String::new();
    for sample in ["samples/taizhou-sample.json", "samples/chengdu-sample.json"] {
        let text = std::fs::read_to_string(sample).unwrap();
        let profile = butie::parse_profile(&text, &packs).unwrap();
        for year in [profile.year.unwrap(), 2026] {
            for (lang, code) in LANGS {
                writeln!(out, "{sample} {year} {code}\t{}", render(&packs, &profile, year, lang)).unwrap();
                // The CLI prints the pretty form; streamed and value forms agree there too.
                let ev = butie::evaluate(&packs, &profile, year);
                let pretty = serde_json::to_string_pretty(&butie::explain::Catalogue { ev: &ev, lang }).unwrap();
                assert_eq!(pretty, serde_json::to_string_pretty(&butie::to_json(&ev, lang)).unwrap());
            }
        }
    }
    for pack in &packs {
        for case in &pack.cases {
            let profile = case_profile(pack, case).unwrap();
            for (lang, code) in LANGS {
                let one = std::slice::from_ref(pack);
                writeln!(out, "{} / {} {code}\t{}", pack.id, case.name, render(one, &profile, case.year, lang)).unwrap();
            }
        }
    }
    out
}

/// 2,000 generated profiles against both packs: a SHA-256 of each JSON.
fn generated_hashes() -> String {
    let packs = butie::bundled_packs().unwrap();
    let mut out = String::new();
    for (i, p) in generate::generated(2_000, &packs, 20251125).iter().enumerate() {
        for (lang, code) in LANGS {
            let json = render(&packs, p, p.year.unwrap(), lang);
            writeln!(out, "{i} {code} {:x}", Sha256::digest(json.as_bytes())).unwrap();
        }
    }
    out
}

fn check(name: &str, got: String) {
    let path = format!("tests/golden/{name}");
    if std::env::var_os("BUTIE_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap();
    for (n, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        assert_eq!(w, g, "{path} line {} differs", n + 1);
    }
    assert_eq!(want.lines().count(), got.lines().count(), "{path}: number of lines differs");
}

#[test]
fn catalogue_json_unchanged_for_samples_and_cases() {
    check("catalogue.txt", full_outputs());
}

#[test]
fn catalogue_json_unchanged_for_generated_profiles() {
    check("generated.sha256", generated_hashes());
}

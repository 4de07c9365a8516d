//! Issue 11: every character a PDF can carry has a glyph in the shipped
//! faces. A character outside the font's cmap prints as a crossed box (the
//! working's "✓" once did, which read as "failed").
//!
//! Checked against both faces (regular and bold) with the cmap printpdf
//! itself draws from (`butie_pdf::Fonts::undrawable`, after the PDF
//! writer's `SUBSTITUTES`, which draws the check mark as strokes):
//! - the text the writer actually hands the font (`butie_pdf::drawn_texts`:
//!   summary and every form, page numbers and footers; checked as it is)
//!   for the samples, every embedded case and generated profiles;
//! - every string of both bundled packs (the `Pack` struct walked through
//!   its serde form: titles, quotes, labels, help, options, interpretations,
//!   notes, attachments, application text, principles, …), whether or not
//!   a profile here reaches it;
//! - every reason, headline, trace line, pack note, principle and
//!   interpretation `explain` makes for those profiles, in Chinese and in
//!   English, and the catalogue JSON's strings;
//! - the PDF writer's own string literals (crates/butie-pdf/src/*.rs);
//! - the samples' company fields and amounts in 大写.
//!
//! A failure lists each missing character with the first strings it came
//! from; the fix belongs in `crates/butie-pdf/src/glyphs.rs`.

use crate::generate;
use butie::cases::case_profile;
use butie::engine::{evaluate, open_questions};
use butie::explain;
use butie::money::{fmt_grouped, fmt_wan, to_chinese_upper};
use butie::{Evaluation, Lang, Pack, Profile};
use butie_pdf::Fonts;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Generated profiles (the golden test's batch) whose catalogue is checked
/// in both languages.
const GENERATED: usize = 600;
/// Of those, the first this many are also laid out as PDFs (layout is the
/// slow part in a debug build).
const RENDERED: usize = 100;
/// Example strings kept per missing character.
const EXAMPLES: usize = 4;

struct Coverage {
    fonts: Fonts,
    /// Missing character → (strings it was in, the first few (where, text)).
    missing: BTreeMap<char, (usize, Vec<(String, String)>)>,
    /// Each character's answers by code point, asked once (a cmap lookup
    /// parses the subtable every time, which is slow in a debug build):
    /// [`ASKED`], [`AS_IS`], [`SUBSTITUTED`].
    known: Vec<u8>,
    strings: usize,
    /// Strings that held the core's check mark (so the test sees it).
    check_marks: usize,
}

const ASKED: u8 = 1;
/// Both faces have the character itself.
const AS_IS: u8 = 2;
/// Both faces have what the PDF writer draws for it (`Fonts::undrawable`).
const SUBSTITUTED: u8 = 4;

impl Coverage {
    /// A string the PDF writer is handed: checked after its substitutions.
    fn check(&mut self, place: impl Fn() -> String, text: &str) {
        self.check_as(place, text, SUBSTITUTED)
    }

    /// A string the writer has handed to the font: every character must
    /// be in both faces as it is (a substitution was due before this).
    fn check_drawn(&mut self, place: impl Fn() -> String, text: &str) {
        self.check_as(place, text, AS_IS)
    }

    fn check_as(&mut self, place: impl Fn() -> String, text: &str, need: u8) {
        self.strings += 1;
        self.check_marks += usize::from(text.contains('✓'));
        let mut seen = Vec::new();
        for c in text.chars() {
            let known = &mut self.known[c as usize];
            if *known == 0 {
                let as_is = self.fonts.has_glyph(c) || c == '\n';
                let substituted = self.fonts.undrawable(c.encode_utf8(&mut [0; 4])).is_empty();
                *known = ASKED | if as_is { AS_IS } else { 0 } | if substituted { SUBSTITUTED } else { 0 };
            }
            if *known & need != 0 || seen.contains(&c) {
                continue;
            }
            seen.push(c);
            let e = self.missing.entry(c).or_default();
            e.0 += 1;
            if e.1.len() < EXAMPLES {
                e.1.push((place(), around(text, c)));
            }
        }
    }

    fn check_all<S: AsRef<str>>(&mut self, place: &str, texts: impl IntoIterator<Item = S>) {
        for t in texts {
            self.check(|| place.to_string(), t.as_ref());
        }
    }

    fn report(&self) -> String {
        let mut out = format!(
            "{} character(s) in PDF text have no glyph in {} / {} and print as a crossed box; \
             substitute or draw them in crates/butie-pdf/src/glyphs.rs (SUBSTITUTES):\n",
            self.missing.len(),
            butie_pdf::REGULAR_FILE,
            butie_pdf::BOLD_FILE
        );
        for (c, (n, examples)) in &self.missing {
            writeln!(out, "  U+{:04X} {c:?} in {n} string(s), e.g.:", *c as u32).unwrap();
            for (place, text) in examples {
                writeln!(out, "      {place}: {text}").unwrap();
            }
        }
        out
    }
}

/// At most ~60 characters of `text` around the first `c`.
fn around(text: &str, c: char) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = chars.iter().position(|x| *x == c).unwrap_or(0);
    let from = at.saturating_sub(30);
    let to = (at + 30).min(chars.len());
    let mut s: String = chars[from..to].iter().collect();
    if from > 0 {
        s.insert(0, '…');
    }
    if to < chars.len() {
        s.push('…');
    }
    format!("{s:?}")
}

/// Every string in a serde value, with its path.
fn walk(v: &serde_json::Value, path: &mut String, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::String(s) => out.push((path.clone(), s.clone())),
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = path.len();
                write!(path, "[{i}]").unwrap();
                walk(x, path, out);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let len = path.len();
                write!(path, ".{k}").unwrap();
                out.push((path.clone(), k.clone()));
                walk(x, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn strings_of(v: &serde_json::Value, root: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(v, &mut root.to_string(), &mut out);
    out
}

/// The string literals of a Rust source file, unescaped; comments, char
/// literals and lifetimes skipped.
fn string_literals(src: &str) -> Vec<String> {
    let b: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            '/' if b.get(i + 1) == Some(&'/') => {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            }
            '/' if b.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            '\'' => {
                // '\x', 'x' (char literals) or 'a (a lifetime).
                if b.get(i + 1) == Some(&'\\') {
                    i += 3;
                    while i < b.len() && b[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if b.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            'r' if (b.get(i + 1) == Some(&'"') || b.get(i + 1) == Some(&'#')) && (i == 0 || !b[i - 1].is_alphanumeric()) => {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&'"') {
                    i += 1;
                    continue;
                }
                j += 1;
                let start = j;
                let close: Vec<char> = format!("\"{}", "#".repeat(hashes)).chars().collect();
                while j < b.len() && b[j..].iter().take(close.len()).ne(close.iter()) {
                    j += 1;
                }
                out.push(b[start..j.min(b.len())].iter().collect());
                i = j + close.len();
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' {
                        i += 1;
                        match b.get(i) {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('\n') => {
                                while b.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                                    i += 1;
                                }
                            }
                            Some('u') => {
                                let end = b[i..].iter().position(|c| *c == '}').map_or(i, |p| i + p);
                                let hex: String = b[i + 2..end].iter().collect();
                                s.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                                i = end;
                            }
                            Some(c) => s.push(*c),
                            None => {}
                        }
                    } else {
                        s.push(b[i]);
                    }
                    i += 1;
                }
                out.push(s);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Everything `explain` says about one evaluation, in `lang`: the
/// catalogue JSON (reasons, working, pack notes with the principle), and
/// with `each`, every function the PDF writer calls, one string at a time.
fn check_explained(cov: &mut Coverage, ev: &Evaluation, place: &str, lang: Lang, each: bool) {
    let code = if lang == Lang::Zh { "zh" } else { "en" };
    let json = serde_json::to_string(&explain::Catalogue { ev, lang }).unwrap();
    cov.check(|| format!("{place} {code} catalogue JSON"), &json);
    for r in &ev.clauses {
        cov.check(|| format!("{place} {code} headline {}", r.id()), &explain::headline(ev, r, lang));
    }
    if !each {
        return;
    }
    for pr in &ev.packs {
        cov.check(|| format!("{place} {code} pack note {}", pr.pack.id), &explain::pack_note(ev, pr, lang));
        if let Some(p) = explain::principle(pr, lang) {
            cov.check(|| format!("{place} {code} principle {}", pr.pack.id), &p);
        }
    }
    for r in &ev.clauses {
        let id = r.id();
        for t in explain::trace(ev, r, lang) {
            cov.check(|| format!("{place} {code} trace {id}"), &t);
        }
        for t in explain::reasons(ev, r, lang) {
            cov.check(|| format!("{place} {code} reason {id}"), &t);
        }
        for t in explain::interpretations(ev, r, lang) {
            cov.check(|| format!("{place} {code} interpretation {id}"), &t);
        }
    }
}

fn check_amounts(cov: &mut Coverage, ev: &Evaluation, place: &str) {
    let figures = ev.clauses.iter().flat_map(|r| [r.amount, r.amount_max]).flatten().chain([ev.total, ev.total_max]);
    for d in figures {
        for s in [fmt_grouped(d), fmt_wan(d), to_chinese_upper(d)] {
            cov.check(|| format!("{place} amount {d}"), &s);
        }
    }
}

/// The writer's own drawing of `profile`'s documents.
fn check_rendered(cov: &mut Coverage, packs: &[Pack], profile: &Profile, ev: &Evaluation, place: &str) {
    let cx = butie_pdf::Evaluated { packs, profile, evaluation: ev };
    let texts = butie_pdf::drawn_texts(&cov.fonts, &cx).unwrap_or_else(|e| panic!("{place}: {e}"));
    assert!(!texts.is_empty(), "{place}: nothing drawn");
    for t in &texts {
        cov.check_drawn(|| format!("{place} PDF"), t);
    }
}

/// One evaluation's words in both languages (`each`: function by function
/// too) and, with `render`, its documents as laid out.
fn check_profile(cov: &mut Coverage, packs: &[Pack], profile: &Profile, year: i32, place: &str, each: bool, render: bool) {
    let ev = evaluate(packs, profile, year);
    for lang in [Lang::Zh, Lang::En] {
        check_explained(cov, &ev, place, lang, each);
    }
    if render {
        check_amounts(cov, &ev, place);
        // The open questions' labels (the summary's 待补充 list).
        for k in open_questions(&ev) {
            if let Some(d) = packs.iter().find_map(|p| p.facts.get(k)) {
                cov.check(|| format!("{place} open question {k}"), &d.label.zh);
            }
        }
        check_rendered(cov, packs, profile, &ev, place);
    }
}

#[test]
fn every_character_a_pdf_can_carry_has_a_glyph() {
    let started = std::time::Instant::now();
    let fonts = Fonts::load_default().expect("shipped fonts");
    // The check itself works: a character the fonts lack is reported, and
    // each substitution is for a character they really lack.
    assert_eq!(fonts.undrawable("☐ 未勾选\n"), vec!['☐']);
    for (c, _) in butie_pdf::SUBSTITUTES {
        assert!(!fonts.has_glyph(*c), "{c:?} is in the fonts: its substitution is not needed");
        assert!(fonts.undrawable(&c.to_string()).is_empty(), "{c:?}: what replaces it is drawable");
    }
    let mut cov = Coverage { fonts, missing: BTreeMap::new(), known: vec![0; 0x11_0000], strings: 0, check_marks: 0 };
    let packs = butie::bundled_packs().unwrap();

    // 1. All policy text of both packs.
    for pack in &packs {
        // Every string of the pack's own text (the compiled types are not
        // serialisable: the policy file is the source of every word).
        let value: serde_json::Value = toml::from_str(&pack.text).unwrap();
        for (path, s) in strings_of(&value, &pack.id) {
            cov.check(|| format!("pack {path}"), &s);
        }
        // Each clause's PDF-facing texts by name, so a field skipped by serde
        // (or renamed) is still seen.
        for c in &pack.clauses {
            let texts = [&c.title.zh, &c.place, &c.quote, &c.citation]
                .into_iter()
                .chain(&c.attachments)
                .chain(c.applicant.iter().map(|a| &a.zh))
                .chain(c.interpretations.iter().flat_map(|i| [&i.zh, &i.en]));
            cov.check_all(&format!("pack {} clause {}", pack.id, c.id), texts);
        }
    }

    // 2. The PDF writer's own words.
    let src = std::path::Path::new("crates/butie-pdf/src");
    let mut files: Vec<_> = std::fs::read_dir(src).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut literals = 0;
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "rs")) {
        // A file's unit tests (at its end) are not drawn.
        let text = std::fs::read_to_string(f).unwrap();
        let lits = string_literals(text.split("#[cfg(test)]").next().unwrap_or_default());
        literals += lits.len();
        cov.check_all(&format!("literal in {}", f.display()), lits);
    }
    assert!(literals > 50, "string literals of the PDF writer found: {literals}");
    // 大写 of figures with every digit and unit.
    for s in ["1234567890.12", "987654321098.05", "100000000", "10", "0.5", "0"] {
        let d: Decimal = s.parse().unwrap();
        cov.check(|| format!("大写 {s}"), &to_chinese_upper(d));
    }

    // 3. The samples: company fields, explain in both languages, documents.
    for sample in ["samples/taizhou-sample.json", "samples/chengdu-sample.json"] {
        let profile = butie::parse_profile(&std::fs::read_to_string(sample).unwrap(), &packs).unwrap();
        let c = &profile.company;
        let fields = [&c.name, &c.city, &c.district]
            .into_iter()
            .cloned()
            .chain([&c.uscc, &c.legal_rep, &c.contact, &c.phone, &c.bank, &c.bank_account].into_iter().flatten().cloned());
        cov.check_all(&format!("{sample} company"), fields);
        for year in [profile.year.unwrap(), 2023, 2024, 2025, 2026] {
            check_profile(&mut cov, &packs, &profile, year, &format!("{sample} {year}"), true, true);
        }
    }

    // 4. Every embedded case, with its own pack and with both.
    for pack in &packs {
        for case in &pack.cases {
            let profile = case_profile(pack, case).unwrap();
            let place = format!("case {} / {}", pack.id, case.name);
            check_profile(&mut cov, std::slice::from_ref(pack), &profile, case.year, &place, true, true);
            check_profile(&mut cov, &packs, &profile, case.year, &format!("{place} (both packs)"), false, false);
        }
    }

    // 5. Generated profiles (the golden test's batch).
    for (i, p) in generate::generated(GENERATED, &packs, 20251125).iter().enumerate() {
        check_profile(&mut cov, &packs, p, p.year.unwrap(), &format!("generated #{i}"), false, i < RENDERED);
    }

    eprintln!("pdf_glyphs: {} strings checked in {:.1?}", cov.strings, started.elapsed());
    assert!(cov.missing.is_empty(), "{}", cov.report());
    assert!(cov.check_marks > 100, "the working's ✓ lines were seen: {}", cov.check_marks);
}

#[test]
fn literal_reader_sees_strings_not_comments_or_chars() {
    let src = r##"
        // "not me"
        /* "nor me" */
        let a = "一\"二\" \u{221A}";
        let c = '"'; let d = '\''; fn f<'a>(x: &'a str) {}
        let r = r#"raw "x""#;
        let long = "甲\
                    乙";
    "##;
    assert_eq!(string_literals(src), ["一\"二\" √", "raw \"x\"", "甲乙"]);
}

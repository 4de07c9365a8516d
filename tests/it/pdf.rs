//! Generated PDFs, read back with poppler's pdftotext and pdffonts: the
//! company, USCC, every amount and its 大写 are there; the font is embedded
//! as a subset; forms stay small.

use butie::engine::{evaluate, Status};
use butie::money::{fmt_grouped, to_chinese_upper};
use butie::parse_profile;
use std::path::Path;
use std::process::Command;

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} not runnable ({e}); scripts/test.sh installs poppler-utils"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// pdftotext output without line breaks or the spaces layout adds, so a
/// figure split across lines is still found.
fn text_of(pdf: &Path) -> String {
    tool("pdftotext", &[pdf.to_str().unwrap(), "-"]).chars().filter(|c| !c.is_whitespace()).collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn check_sample(path: &str) {
    let packs = butie::bundled_packs().unwrap();
    let profile = parse_profile(&std::fs::read_to_string(path).unwrap(), &packs).unwrap();
    let ev = evaluate(&packs, &profile, profile.year.unwrap());
    let dir = tempfile::tempdir().unwrap();
    let out = butie::files::write_pdfs(&packs, &profile, &ev, dir.path()).expect("pdfs written");
    let files: Vec<String> = out.iter().map(|p| p.display().to_string()).collect();
    // A measure each county sets the terms of gets no city-level form.
    let eligible: Vec<_> = ev.clauses.iter().filter(|c| c.status == Status::Eligible && c.clause.applied_locally.is_none()).collect();
    assert_eq!(files.len(), eligible.len() + 1, "{files:?}");
    assert!(!files.iter().any(|f| f.contains("各地扶持")), "{files:?}");
    assert!(files[0].ends_with("补贴测算汇总.pdf"));

    let summary = text_of(Path::new(&files[0]));
    assert!(summary.contains(&squash(&profile.company.name)), "company name in summary");
    assert!(summary.contains(profile.company.uscc.as_deref().unwrap()), "USCC in summary");
    assert!(summary.contains(&fmt_grouped(ev.total)), "total {}", fmt_grouped(ev.total));
    assert!(summary.contains(&to_chinese_upper(ev.total)), "大写 total");

    for (file, r) in files[1..].iter().zip(&eligible) {
        let text = text_of(Path::new(file));
        assert!(text.contains(&squash(&profile.company.name)), "{file}: company name");
        assert!(text.contains(profile.company.uscc.as_deref().unwrap()), "{file}: USCC");
        let (_, clause) = butie::engine::find_clause(&packs, r.id()).unwrap();
        assert!(text.contains(&squash(&clause.title.zh)), "{file}: clause title");
        if let Some(figure) = r.amount.or(r.amount_max) {
            assert!(text.contains(&fmt_grouped(figure)), "{file}: amount {}", fmt_grouped(figure));
            assert!(text.contains(&format!("大写：人民币{}", to_chinese_upper(figure))), "{file}: 大写");
        }
        assert!(summary.contains(r.id()), "summary lists {}", r.id());
        if let Some(a) = r.amount {
            assert!(summary.contains(&fmt_grouped(a)), "summary amount of {}", r.id());
        }
        let fonts = tool("pdffonts", &[file]);
        let font_lines: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!font_lines.is_empty(), "{fonts}");
        for l in font_lines {
            let cols: Vec<&str> = l.split_whitespace().collect();
            assert!(cols[0].contains('+') && cols[0].contains("NotoSansCJKsc"), "subset prefix: {l}");
            let n = cols.len();
            // emb sub uni are the three yes/no columns before the object id.
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "embedded, subset, unicode: {l}");
        }
        let size = std::fs::metadata(file).unwrap().len();
        assert!(size < 200 * 1024, "{file}: {size} bytes");
    }
}

#[test]
fn taizhou_sample_pdfs() {
    check_sample("samples/taizhou-sample.json");
}

#[test]
fn chengdu_sample_pdfs() {
    check_sample("samples/chengdu-sample.json");
}

#[test]
fn file_names_are_safe() {
    assert_eq!(butie_pdf::safe_file_name("a/b:c*?\"<>|d"), "a_b_c______d");
    assert_eq!(butie_pdf::safe_file_name("..台州 "), "台州");
}

/// Issue 16: the summary carries Taizhou's 就高不重复 once; the training
/// form's working shows exact item figures that add up to the one rounding.
#[test]
fn the_principle_is_on_the_summary_and_the_training_working_adds_up() {
    let packs = butie::bundled_packs().unwrap();
    let text = std::fs::read_to_string("samples/taizhou-sample.json").unwrap().replace(
        "\"training_sessions\": []",
        r#""training_sessions": [{"participants": 150, "cost": "100000.02"}, {"participants": 200, "cost": "33333.33"}, {"participants": 150, "cost": "0.01"}]"#,
    );
    let profile = parse_profile(&text, &packs).unwrap();
    let ev = evaluate(&packs, &profile, 2025);
    let dir = tempfile::tempdir().unwrap();
    let out = butie::files::write_pdfs(&packs, &profile, &ev, dir.path()).expect("pdfs written");
    let summary = text_of(&out[0]);
    assert_eq!(summary.matches("就高不重复：").count(), 1, "{summary}");
    assert!(summary.contains("附件五(四)"));
    let form = out.iter().find(|p| p.to_string_lossy().contains("技能培训补助")).expect("training form");
    let t = text_of(form);
    for line in [
        "50,000.01元→单项封顶50,000.00元",
        "=16,666.665元",
        "=0.005元",
        "合计3项=66,666.67元",
        "=66,666.67元（四舍五入到分）",
        "频次：原文未规定",
    ] {
        assert!(t.contains(line), "{line} in {t}");
    }
}

//! Every bundled pack's embedded cases pass, and the case runner really
//! catches a wrong expectation.

use butie::cases::run_cases;
use butie::cli::check_policies_cmd;
use std::path::Path;

#[test]
fn every_bundled_case_passes() {
    let packs = butie::bundled_packs().expect("bundled packs load");
    assert_eq!(packs.len(), 5, "台州, 成都 and the three reference packs");
    let mut total = 0;
    for p in &packs {
        let (n, failures) = run_cases(p);
        assert!(n >= 30, "{} has only {n} cases", p.id);
        total += n;
        assert!(failures.is_empty(), "{}", failures.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n"));
    }
    assert!(total >= 100);
}

#[test]
fn every_catalogue_clause_is_encoded_and_has_a_case() {
    let catalogue = include_str!("../../policies/sources/spec/catalogue.md");
    let packs = butie::bundled_packs().unwrap();
    let mut ids = Vec::new();
    for line in catalogue.lines() {
        if let Some(rest) = line.strip_prefix("| ") {
            let id = rest.split(" |").next().unwrap_or("").trim();
            if id.starts_with("tz.") || id.starts_with("cd.") {
                ids.push(id.to_string());
            }
        }
    }
    assert_eq!(ids.len(), 20 + 12, "catalogue rows: {ids:?}");
    for id in &ids {
        let pack = packs.iter().find(|p| p.clause(id).is_some()).unwrap_or_else(|| panic!("{id} not encoded"));
        assert!(pack.cases.iter().any(|c| c.expect.contains_key(id)), "{id} has no case");
        let clause = pack.clause(id).unwrap();
        // The quote must be verbatim policy text from the seed document
        // (after dropping the seed's stray spaces).
        let seed = std::fs::read_to_string(Path::new("policies/sources").join(&pack.source_file))
            .expect("seed document readable")
            .replace(' ', "");
        assert!(seed.contains(&clause.quote.replace(' ', "")), "{id}: quote not found verbatim in {}", pack.source_file);
    }
}

/// Every clause of every bundled pack (the reference packs included) quotes
/// its seed verbatim and has a case; a reference pack publishes no figure,
/// and a draft's own words saying so are in its text.
#[test]
fn every_clause_of_every_pack_quotes_its_source_and_has_a_case() {
    let packs = butie::bundled_packs().unwrap();
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let mut reference = Vec::new();
    for pack in &packs {
        let seed = squash(&std::fs::read_to_string(Path::new("policies/sources").join(&pack.source_file)).unwrap());
        for clause in &pack.clauses {
            assert!(seed.contains(&squash(&clause.quote)), "{}: quote not found verbatim in {}", clause.id, pack.source_file);
            assert!(pack.cases.iter().any(|c| c.expect.contains_key(&clause.id)), "{} has no case", clause.id);
        }
        if let Some(d) = &pack.draft {
            assert!(seed.contains(&squash(&d.quote)), "{}: draft_quote not in its text", pack.id);
        }
        if pack.reference_only() {
            reference.push(pack.id.as_str());
        }
    }
    assert_eq!(reference, ["tianjin-cbec-2024", "jiangsu-cbec-2021", "shandong-cbec-2023"]);
    let drafts: Vec<&str> = packs.iter().filter(|p| p.draft.is_some()).map(|p| p.id.as_str()).collect();
    assert_eq!(drafts, ["tianjin-cbec-2024"], "only the Tianjin document is a 征求意见稿");
}

/// The policy texts and the catalogue are kept in `policies/sources/` so a
/// checkout is complete on its own; where the shared originals sit beside the
/// checkout, the copies must not have drifted from them.
#[test]
fn kept_sources_match_the_shared_originals() {
    let kept = [
        "seeds/000_0625882c91a24359.txt",
        "seeds/001_ea52bc483a1e882c.txt",
        "seeds/002_68cac0e39c0281a3.txt",
        "seeds/003_7c6efe47e72d5237.txt",
        "seeds/004_340703396575473f.txt",
        "spec/catalogue.md",
    ];
    for k in kept {
        let copy = std::fs::read(Path::new("policies/sources").join(k)).expect("kept copy readable");
        match std::fs::read(Path::new("../shared").join(k)) {
            Ok(original) => assert!(copy == original, "policies/sources/{k} differs from ../shared/{k}: copy it again"),
            Err(_) => eprintln!("../shared/{k} is not beside this checkout; the kept copy is used"),
        }
    }
    for p in butie::bundled_packs().unwrap() {
        assert!(kept.contains(&p.source_file.as_str()), "{}: source {} is not kept in policies/sources", p.id, p.source_file);
    }
}

#[test]
fn the_runner_detects_a_wrong_expectation() {
    let text = butie::BUNDLED_POLICIES[0].1.replace(
        r#"expect."tz.brand.trademark" = { status = "eligible", amount = "100000.00", amount_max = "100000.00" }"#,
        r#"expect."tz.brand.trademark" = { status = "eligible", amount = "100000.01", amount_max = "100000.00" }"#,
    );
    assert_ne!(text, butie::BUNDLED_POLICIES[0].1, "the replaced line exists");
    let pack = butie::load_pack("altered.toml", &text).unwrap();
    let (_, failures) = run_cases(&pack);
    assert_eq!(failures.len(), 1);
    assert!(failures[0].problem.contains("100000.01"), "{}", failures[0]);
}

#[test]
fn check_policies_on_the_repository_folder() {
    let report = check_policies_cmd(&butie::cli::Context::default(), Path::new("policies")).expect("all policy files valid");
    assert!(report.contains(" passed, 0 failed"), "{report}");
}

#[test]
fn check_policies_reports_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = butie::BUNDLED_POLICIES[0].1.replace(r#"op = "ge", term = "不少于""#, r#"op = "gt", term = "不少于""#);
    std::fs::write(dir.path().join("tz.toml"), bad).unwrap();
    let err = check_policies_cmd(&butie::cli::Context::default(), dir.path()).unwrap_err();
    assert_eq!(err.code, 1);
    assert!(err.message.contains("不一致"), "{}", err.message);
}

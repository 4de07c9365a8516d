//! Property tests: arbitrary profiles and policy files never panic the
//! parsers or the engine; errors are clean, results well-formed.

use butie::engine::{evaluate, Status};
use butie::{load_pack, parse_profile, Lang};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Loaded once: parsing the packs for every case was most of the run time.
fn packs() -> Vec<butie::Pack> {
    static PACKS: std::sync::OnceLock<Vec<butie::Pack>> = std::sync::OnceLock::new();
    PACKS.get_or_init(|| butie::bundled_packs().unwrap()).clone()
}

/// JSON values biased towards what profiles contain.
fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "-?[0-9]{0,20}(\\.[0-9]{0,12})?".prop_map(Value::String),
        "\\PC{0,30}".prop_map(Value::String),
        prop_oneof![Just("1e400"), Just("NaN"), Just("-0"), Just("0.005"), Just("99999999999999999999")]
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn fact_keys() -> Vec<String> {
    let mut v: Vec<String> = packs().iter().flat_map(|p| p.facts.keys().cloned()).collect();
    v.push("unknown_key".into());
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse_profile(&s, &packs());
        let _ = load_pack("fuzz.toml", &s);
    }

    #[test]
    fn arbitrary_profiles_evaluate_cleanly(
        facts in prop::collection::vec((0usize..64, arb_value()), 0..20),
        district in prop_oneof![Just("椒江区"), Just("温岭市"), Just("武侯区"), Just("西湖区")],
        city in prop_oneof![Just("台州市"), Just("成都市")],
        year in 2000i32..2101,
        listed in prop_oneof![Just(Value::Null), Just(json!(true)), Just(json!(false)), Just(json!("x"))],
    ) {
        let keys = fact_keys();
        let packs = packs();
        let mut m = serde_json::Map::new();
        for (k, v) in facts {
            m.insert(keys[k % keys.len()].clone(), v);
        }
        let profile = json!({
            "company": {"name": "x", "city": city, "district": district, "serious_dishonesty_listed": listed},
            "year": year,
            "facts": Value::Object(m),
        });
        match parse_profile(&profile.to_string(), &packs) {
            Err(e) => {
                let msg = e.message(Lang::Zh);
                prop_assert!(!msg.is_empty() && !msg.contains('\n'));
            }
            Ok(p) => {
                let ev = evaluate(&packs, &p, year);
                for lang in [Lang::Zh, Lang::En] {
                    prop_assert_eq!(ev.clauses.len(), packs.iter().map(|p| p.clauses.len()).sum::<usize>());
                    let mut total = rust_decimal::Decimal::ZERO;
                    for c in &ev.clauses {
                        if c.status != Status::Eligible {
                            prop_assert!(c.amount.is_none() && c.amount_max.is_none());
                            prop_assert!(!butie::explain::reasons(&ev, c, lang).is_empty());
                        }
                        if c.status == Status::NeedsInput {
                            prop_assert!(!ev.missing(c).is_empty());
                        }
                        if let (Some(a), Some(m)) = (c.amount, c.amount_max) {
                            prop_assert!(a <= m && a >= rust_decimal::Decimal::ZERO);
                            prop_assert_eq!(a.scale(), 2);
                        }
                        if c.counts() { total += c.amount.unwrap_or_default(); }
                    }
                    prop_assert_eq!(total, ev.total);
                    let _ = butie::to_json(&ev, lang);
                }
            }
        }
    }

    /// Policy files with random edits: the loader answers Ok or a clean error.
    #[test]
    fn mutated_policy_files_never_panic(pos in 0usize..60_000, cut in 0usize..200, insert in "\\PC{0,20}") {
        for (_, text) in butie::BUNDLED_POLICIES {
            let mut chars: Vec<char> = text.chars().collect();
            let p = pos % chars.len();
            let end = (p + cut).min(chars.len());
            chars.splice(p..end, insert.chars());
            let mutated: String = chars.into_iter().collect();
            match load_pack("mutated.toml", &mutated) {
                Ok(pack) => { let _ = butie::cases::run_cases(&pack); }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}

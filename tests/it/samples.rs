//! The two shipped sample profiles, evaluated and checked against a hand
//! computation from the policy texts, written out below.

use butie::engine::{evaluate, Status};
use butie::{parse_profile, Evaluation, Lang};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The evaluation borrows packs and profile; a test keeps them for its whole run.
fn eval(path: &str) -> Evaluation<'static> {
    let packs: &'static [butie::Pack] = Box::leak(butie::bundled_packs().unwrap().into_boxed_slice());
    let text = std::fs::read_to_string(path).unwrap();
    let profile: &'static butie::Profile = Box::leak(Box::new(parse_profile(&text, packs).unwrap()));
    evaluate(packs, profile, profile.year.unwrap())
}

fn d(s: &str) -> Option<Decimal> {
    Some(Decimal::from_str(s).unwrap())
}

fn clause<'a>(ev: &'a Evaluation<'static>, id: &str) -> &'a butie::ClauseResult<'static> {
    ev.clause(id).unwrap()
}

#[test]
fn taizhou_sample_by_hand() {
    let ev = eval("samples/taizhou-sample.json");
    // 一(三) 商标国际注册: 186,000.00 × 50% = 93,000.00 ≤ 100,000 cap.
    assert_eq!(clause(&ev, "tz.brand.trademark").amount, d("93000.00"));
    // 一(三) 专利: 42,350.50 × 50% = 21,175.25 ≤ 100,000.
    assert_eq!(clause(&ev, "tz.brand.patent").amount, d("21175.25"));
    // 一(三) 独立站: 1,280,000 × 20% = 256,000 ≤ 1,000,000.
    assert_eq!(clause(&ev, "tz.brand.independent_site").amount, d("256000.00"));
    // 一(三) 省级出口知名品牌: fixed 100,000.
    assert_eq!(clause(&ev, "tz.brand.provincial_brand").amount, d("100000.00"));
    // 一(一) 梯度培育库: ceiling only, 2,000,000.
    let c = clause(&ev, "tz.entity.cultivation");
    assert_eq!((c.amount, c.amount_max), (None, d("2000000.00")));
    // 三(三) 物流费用: ceiling min(356,780.40, 100,000) = 100,000.
    assert_eq!(clause(&ev, "tz.logistics.freight").amount_max, d("100000.00"));
    // 四(一) 展会: ceiling min(15,800, 20,000) = 15,800.
    assert_eq!(clause(&ev, "tz.eco.exhibition").amount_max, d("15800.00"));
    // 四(三) 信保: ceiling min(96,000 × 60% = 57,600, 500,000) = 57,600.
    assert_eq!(clause(&ev, "tz.eco.credit_insurance").amount_max, d("57600.00"));
    // 二(一) 直播合作: eligible, no figure published.
    let c = clause(&ev, "tz.platform.livestream");
    assert_eq!((c.status, c.amount, c.amount_max), (Status::Eligible, None, None));
    // 一(二) 选品中心: investment 0 → nothing to claim.
    assert_eq!(clause(&ev, "tz.belt.selection_center").status, Status::Ineligible);
    // Total of exact amounts: 93,000 + 21,175.25 + 256,000 + 100,000 = 470,175.25.
    assert_eq!(ev.total, Decimal::from_str("470175.25").unwrap());
    // Plus ceilings: 2,000,000 + 100,000 + 15,800 + 57,600 = 2,173,400 → 2,643,575.25.
    assert_eq!(ev.total_max, Decimal::from_str("2643575.25").unwrap());
    // Chengdu's pack does not apply to a Taizhou company.
    assert!(ev.clauses.iter().filter(|c| c.id().starts_with("cd.")).all(|c| c.status == Status::Ineligible));
}

#[test]
fn chengdu_sample_by_hand() {
    let ev = eval("samples/chengdu-sample.json");
    // 措施二: 236,500,000 > 200,000,000 (超过) → 2,000,000 tier; growth
    // 236,500,000 − 182,000,000 = 54,500,000 ≥ 20% × 182,000,000 = 36,400,000.
    assert_eq!(clause(&ev, "cd.trade.growth_tier").amount, d("2000000.00"));
    // 措施三: 四川造 18,880,000 × 3% = 566,400; 大平台项目: all of it through the
    // project, 18,880,000 × 5% = 944,000.
    // Same export volume: the higher (944,000) is kept, 566,400 excluded.
    let sm = clause(&ev, "cd.transform.sichuan_made");
    assert_eq!(sm.amount, d("566400.00"));
    assert_eq!(sm.excluded_by.map(|s| s.winner.id.as_str()), Some("cd.transform.platform_project"));
    let pp = clause(&ev, "cd.transform.platform_project");
    assert_eq!((pp.amount, pp.excluded_by.map(|s| s.winner.id.as_str())), (d("944000.00"), None));
    // 措施五: provincial key warehouse, 62,000 ㎡ ≥ 50,000 (达到) → 1,000,000, one award only.
    assert_eq!(clause(&ev, "cd.overseas_warehouse").amount, d("1000000.00"));
    // 措施九: ceiling min(684,200 × 50% = 342,100, 1,000,000) = 342,100.
    let li = clause(&ev, "cd.loan_interest");
    assert_eq!((li.amount, li.amount_max), (None, d("342100.00")));
    // 措施六/七: 0 ㎡ bonded warehouse is not 超过 3,000 ㎡.
    assert_eq!(clause(&ev, "cd.bonded.export").status, Status::Ineligible);
    // Total: 2,000,000 + 944,000 + 1,000,000 = 3,944,000; with the ceiling 4,286,100.
    assert_eq!(ev.total, Decimal::from_str("3944000").unwrap());
    assert_eq!(ev.total_max, Decimal::from_str("4286100").unwrap());
    assert!(ev.clauses.iter().all(|c| c.status != Status::NeedsInput), "the sample answers everything");
}

#[test]
fn the_json_has_exactly_the_catalogue_shape() {
    let ev = eval("samples/chengdu-sample.json");
    let v = butie::to_json(&ev, Lang::Zh);
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), ["year", "city", "district", "packs", "clauses", "total", "total_max"]);
    // The catalogue's pack entry, with the fields of policy packs as files
    // (version, verified) and ours (draft, reference_only) before the note.
    for p in v["packs"].as_array().unwrap() {
        assert_eq!(keys(p), ["id", "status", "version", "verified", "draft", "reference_only", "note"]);
    }
    assert_eq!(keys(&v["clauses"][0]), ["id", "status", "amount", "amount_max", "missing", "reasons", "citation", "trace", "excluded_by"]);
    assert_eq!(v["total"], "3944000.00");
    assert_eq!(v["packs"][0]["status"], "other_city");
    assert_eq!(v["packs"][1]["status"], "applies");
    let pp = v["clauses"].as_array().unwrap().iter().find(|c| c["id"] == "cd.transform.sichuan_made").unwrap();
    assert_eq!(pp["excluded_by"], "cd.transform.platform_project");
    assert_eq!(pp["amount"], "566400.00");
}

#[test]
fn same_input_same_answer() {
    let a = butie::to_json(&eval("samples/taizhou-sample.json"), Lang::Zh);
    let b = butie::to_json(&eval("samples/taizhou-sample.json"), Lang::Zh);
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
}

#[test]
fn a_listed_company_gets_nothing_whatever_the_years_facts_say() {
    let packs = butie::bundled_packs().unwrap();
    let text = std::fs::read_to_string("samples/chengdu-sample.json").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["company"]["serious_dishonesty_listed"] = true.into();
    v["facts"]["serious_dishonesty_listed"] = false.into();
    let profile = parse_profile(&v.to_string(), &packs).unwrap();
    let ev = evaluate(&packs, &profile, 2024);
    assert_eq!(ev.total_max, Decimal::ZERO);
    assert!(ev.clauses.iter().all(|c| c.status == Status::Ineligible));
}

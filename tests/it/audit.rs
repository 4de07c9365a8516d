//! The second policy audit through the real `butie` binary: the ledger
//! refuses claims the policy could not have received and warns on an
//! approved amount above the clause's most; claims from before a pack's term
//! count for nothing; 首次 reads last year's saved volume; a functional zone
//! is taken as its district; each reference-pack city sees its own plan.

use crate::claims::{clause, json, ok, refused, run};
use serde_json::Value;
use std::path::Path;

/// A company of `city`/`district` added to the workspace; returns its number.
fn add_company(ws: &Path, dir: &Path, name: &str, city: &str, district: &str) -> String {
    let f = dir.join(format!("{name}.json"));
    std::fs::write(
        &f,
        serde_json::json!({ "company": { "name": name, "city": city, "district": district, "serious_dishonesty_listed": false } })
            .to_string(),
    )
    .unwrap();
    ok(ws, &["company", "add", "--from-json", f.to_str().unwrap()]).trim().to_string()
}

fn claim(ws: &Path, company: &str, year: &str, clause: &str, status: &str, amount: Option<&str>) -> (i32, String, String) {
    let mut a = vec!["claim", "set", "--company", company, "--year", year, "--clause", clause, "--status", status];
    if let Some(x) = amount {
        a.extend(["--amount", x]);
    }
    run(ws, &a)
}

#[test]
fn the_ledger_refuses_claims_the_policy_could_not_have_received() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let tz = add_company(&ws, dir.path(), "台州甲", "台州市", "椒江区");
    let cd = add_company(&ws, dir.path(), "成都乙", "成都市", "武侯区");
    let jn = add_company(&ws, dir.path(), "济宁丙", "济宁市", "任城区");
    let year_refused = |c: &str, y: &str, cl: &str, needle: &str| {
        refused(&ws, &["claim", "set", "--company", c, "--year", y, "--clause", cl, "--status", "approved", "--amount", "1000"], needle)
    };
    // Years outside the pack's term, on both sides, and the boundaries inside.
    year_refused(&tz, "2024", "tz.brand.trademark", "2025-01-01 至 2027-12-31");
    year_refused(&tz, "2030", "tz.brand.trademark", "2030 年度不在有效期内");
    year_refused(&tz, "2028", "tz.platform.demo_park", "--year: tz.platform.demo_park");
    year_refused(&cd, "2026", "cd.park", "2023-02-14 至 2025-12-31");
    year_refused(&cd, "2022", "cd.park", "2022 年度不在有效期内");
    assert_eq!(claim(&ws, &tz, "2025", "tz.brand.trademark", "approved", Some("1000")).0, 0);
    assert_eq!(claim(&ws, &tz, "2027", "tz.brand.patent", "submitted", Some("1000")).0, 0);
    assert_eq!(claim(&ws, &cd, "2023", "cd.park", "approved", Some("500000")).0, 0);
    // Another place's pack.
    year_refused(&tz, "2025", "cd.park", "只适用于成都市");
    year_refused(&cd, "2025", "tz.brand.trademark", "只适用于台州市");
    // English, one line too.
    let (code, _, err) = run(
        &ws,
        &["--lang", "en", "claim", "set", "--company", &tz, "--year", "2024", "--clause", "tz.brand.trademark", "--status", "planned"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("2024 is outside it"), "{err}");
    // A measure of another city's plan (Shandong: the independent-site
    // measure is in 德州's plan only).
    year_refused(&jn, "2024", "sd.online.independent_site", "济宁市的方案没有此项");
    // Nothing refused was recorded.
    let list = json(&ok(&ws, &["claims", "--company", &tz, "--json"]));
    let years: Vec<i64> = list.as_array().unwrap().iter().map(|c| c["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2025, 2027]);
}

#[test]
fn an_approved_amount_above_the_most_is_kept_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let tz = add_company(&ws, dir.path(), "台州甲", "台州市", "椒江区");
    let (code, out, _) = claim(&ws, &tz, "2025", "tz.brand.trademark", "approved", Some("150000"));
    assert_eq!(code, 0);
    assert!(out.contains("批准金额 150,000.00 元超过本条 2025 年度最多可得的 100,000.00 元"), "{out}");
    let list = json(&ok(&ws, &["claims", "--company", &tz, "--json"]));
    assert_eq!(list[0]["above_most"], "100000.00", "{list}");
    assert!(list[0]["warning"].as_str().unwrap().contains("100,000.00"));
    assert!(ok(&ws, &["claims", "--company", &tz]).contains("⚠ 超过最多可得 100,000.00"));
    // The cumulative cap: 2025's 60,000 leaves 40,000 for 2026.
    let tz2 = add_company(&ws, dir.path(), "台州丁", "台州市", "黄岩区");
    assert_eq!(claim(&ws, &tz2, "2025", "tz.brand.trademark", "approved", Some("60000")).0, 0);
    let (_, out, _) = claim(&ws, &tz2, "2026", "tz.brand.trademark", "approved", Some("40000"));
    assert!(!out.contains("提示"), "exactly the rest is no warning: {out}");
    let (_, out, _) = claim(&ws, &tz2, "2026", "tz.brand.trademark", "approved", Some("40000.01"));
    assert!(out.contains("最多可得的 40,000.00 元"), "{out}");
    let (_, out, _) = run(&ws, &["--lang", "en", "claims", "--company", &tz2, "--json"]);
    assert!(out.contains("above the most this clause can pay in 2026"), "{out}");
    // A one-time award already approved: any amount is above what is left.
    assert_eq!(claim(&ws, &tz2, "2025", "tz.brand.provincial_brand", "approved", Some("100000")).0, 0);
    let (_, out, _) = claim(&ws, &tz2, "2026", "tz.brand.provincial_brand", "approved", Some("100000"));
    assert!(out.contains("最多可得的 0.00 元"), "{out}");
    // Export and import carry the warning.
    let exported = dir.path().join("export.json");
    ok(&ws, &["export", "--all", "--out", exported.to_str().unwrap()]);
    let ws2 = dir.path().join("ws2.sqlite");
    ok(&ws2, &["import", exported.to_str().unwrap()]);
    let all: Vec<Value> =
        ["1", "2"].iter().flat_map(|c| json(&ok(&ws2, &["claims", "--company", c, "--json"])).as_array().unwrap().clone()).collect();
    let warned: Vec<(&Value, &Value, &Value)> =
        all.iter().filter(|c| !c["above_most"].is_null()).map(|c| (&c["year"], &c["clause"], &c["above_most"])).collect();
    assert_eq!(warned.len(), 3, "{all:?}");
    assert!(all.iter().any(|c| c["clause"] == "tz.brand.trademark" && c["approved"] == "150000.00" && c["above_most"] == "100000.00"));
    assert!(all.iter().all(|c| c["events"].as_array().unwrap().last().unwrap()["above_most"] == c["above_most"]), "{all:?}");
}

#[test]
fn claims_before_the_term_count_for_nothing_and_inside_it_they_do() {
    let dir = tempfile::tempdir().unwrap();
    let profile = |year: u32, history: Value| {
        let f = dir.path().join(format!("p{year}-{}.json", history.to_string().len()));
        let p = serde_json::json!({
            "company": { "name": "台州甲", "city": "台州市", "district": "椒江区", "serious_dishonesty_listed": false },
            "year": year,
            "facts": { "intl_trademark_fee": "100000", "is_demo_park_operator": true },
            "history": history,
        });
        std::fs::write(&f, p.to_string()).unwrap();
        f
    };
    let ws = dir.path().join("ws.sqlite");
    let eval = |f: &Path, year: &str| json(&ok(&ws, &["evaluate", "--profile", f.to_str().unwrap(), "--year", year, "--json"]));
    // A 2024 trademark claim and a 2022 demo-park claim: both before the term.
    let before = profile(
        2025,
        serde_json::json!([
            { "clause": "tz.brand.trademark", "year": 2024, "status": "approved", "amount": "10000.00" },
            { "clause": "tz.platform.demo_park", "year": 2022, "status": "approved", "amount": "3000000.00" },
        ]),
    );
    let ev = eval(&before, "2025");
    assert_eq!(clause(&ev, "tz.brand.trademark")["amount"], "50000.00");
    assert_eq!(clause(&ev, "tz.platform.demo_park")["status"], "eligible");
    // The same claims in 2025, the term's first year, count in 2026.
    let inside = profile(
        2026,
        serde_json::json!([
            { "clause": "tz.brand.trademark", "year": 2025, "status": "approved", "amount": "60000.00" },
            { "clause": "tz.platform.demo_park", "year": 2025, "status": "approved", "amount": "3000000.00" },
        ]),
    );
    let ev = eval(&inside, "2026");
    assert_eq!(clause(&ev, "tz.brand.trademark")["amount"], "40000.00");
    assert_eq!(clause(&ev, "tz.platform.demo_park")["status"], "ineligible");
}

#[test]
fn first_time_reads_the_saved_year_before() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let cd = add_company(&ws, dir.path(), "成都乙", "成都市", "武侯区");
    ok(&ws, &["facts", "set", "--company", &cd, "--year", "2024", "cbec_volume=1500000"]);
    ok(
        &ws,
        &[
            "facts",
            "set",
            "--company",
            &cd,
            "--year",
            "2025",
            "cbec_volume=2000000",
            "first_time_over_1m=true",
            "chengdu_independent_taxpayer=true",
        ],
    );
    let ev = json(&ok(&ws, &["evaluate", "--company", &cd, "--year", "2025", "--json"]));
    let c = clause(&ev, "cd.transform.first_million");
    assert_eq!(c["status"], "ineligible", "{c}");
    assert_eq!(c["amount"], Value::Null);
    let trace = c["trace"].to_string();
    assert!(trace.contains("取已保存的2024年度资料中的年度跨境电商交易额"), "{trace}");
    assert!(c["reasons"].to_string().contains("1,500,000"), "{c}");
    let en = json(&ok(&ws, &["--lang", "en", "evaluate", "--company", &cd, "--year", "2025", "--json"]));
    assert!(clause(&en, "cd.transform.first_million")["trace"].to_string().contains("the saved 2024"), "{en}");
    // Given and different: the given value is used, and the result says so.
    ok(&ws, &["facts", "set", "--company", &cd, "--year", "2025", "cbec_volume_prev_year=800000"]);
    let ev = json(&ok(&ws, &["evaluate", "--company", &cd, "--year", "2025", "--json"]));
    let c = clause(&ev, "cd.transform.first_million");
    assert_eq!(c["amount"], "20000.00", "{c}");
    assert!(c["reasons"].to_string().contains("与已保存的2024年度资料中的年度跨境电商交易额"), "{c}");
}

#[test]
fn applicant_conditions_taken_as_yes_are_said_in_the_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let cd = add_company(&ws, dir.path(), "成都乙", "成都市", "武侯区");
    ok(&ws, &["facts", "set", "--company", &cd, "--year", "2025", "cbec_volume=2000000", "first_time_over_1m=true"]);
    let ev = json(&ok(&ws, &["evaluate", "--company", &cd, "--year", "2025", "--json"]));
    let c = clause(&ev, "cd.transform.first_million");
    assert_eq!(c["status"], "eligible", "{c}");
    let reasons = c["reasons"].to_string();
    assert!(reasons.contains("【解释】未回答") && reasons.contains("按“是”计算"), "{reasons}");
    // The table marks the row with ※.
    let table = ok(&ws, &["evaluate", "--company", &cd, "--year", "2025"]);
    let row = table.lines().find(|l| l.contains("cd.transform.first_million")).unwrap_or_default();
    assert!(row.contains('※'), "{table}");
}

#[test]
fn the_platform_project_waits_for_its_part_and_shows_the_literal_most() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.json");
    std::fs::write(
        &f,
        serde_json::json!({
            "company": { "name": "成都乙", "city": "成都市", "district": "武侯区", "serious_dishonesty_listed": false },
            "facts": { "chengdu_independent_taxpayer": true, "is_cbec_trading_company": true, "sichuan_made_export": "10000000",
                       "in_big_platform_project": true, "project_platform_gmv_usd": "20000000000" }
        })
        .to_string(),
    )
    .unwrap();
    let ev = json(&ok(&dir.path().join("ws.sqlite"), &["evaluate", "--profile", f.to_str().unwrap(), "--year", "2025", "--json"]));
    let c = clause(&ev, "cd.transform.platform_project");
    assert_eq!(c["status"], "needs_input");
    assert_eq!(c["amount_max"], "500000.00");
    assert_eq!(c["missing"], serde_json::json!(["platform_project_sichuan_made_export"]));
    assert!(c["reasons"].to_string().contains("最多 500,000.00 元"), "{c}");
}

#[test]
fn a_tianjin_functional_zone_is_taken_as_its_district() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.json");
    std::fs::write(
        &f,
        serde_json::json!({
            "company": { "name": "天津东疆某跨境电商公司", "city": "天津市", "district": "东疆综合保税区" },
            "facts": {}
        })
        .to_string(),
    )
    .unwrap();
    let ev = json(&ok(&dir.path().join("ws.sqlite"), &["evaluate", "--profile", f.to_str().unwrap(), "--year", "2025", "--json"]));
    let tj = ev["packs"].as_array().unwrap().iter().find(|p| p["id"] == "tianjin-cbec-2024").unwrap();
    assert_eq!(tj["status"], "applies", "{tj}");
    assert!(tj["note"].as_str().unwrap().contains("东疆综合保税区位于滨海新区，按滨海新区计算"), "{tj}");
}

/// Every yes/no fact of a reference pack (its prefix) answered "yes", and
/// its money facts (Tianjin's FX threshold) well below any threshold.
fn all_yes(pack_file: &str, prefix: &str) -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(pack_file).unwrap();
    let mut out = serde_json::Map::new();
    let mut key: Option<&str> = None;
    for l in text.lines() {
        if let Some(k) = l.strip_prefix("[facts.").and_then(|r| r.strip_suffix(']')) {
            key = Some(k).filter(|k| k.starts_with(prefix));
        } else if let (Some(k), Some(t)) = (key, l.strip_prefix("type = ")) {
            out.insert(k.to_string(), if t.contains("bool") { Value::Bool(true) } else { Value::String("1000".into()) });
            key = None;
        }
    }
    out
}

fn eligible_with(dir: &Path, city: &str, district: &str, facts: &serde_json::Map<String, Value>, prefix: &str) -> (Vec<String>, Value) {
    let f = dir.join(format!("{city}{district}.json"));
    let p = serde_json::json!({
        "company": { "name": "参考企业", "city": city, "district": district, "serious_dishonesty_listed": false },
        "facts": facts,
    });
    std::fs::write(&f, p.to_string()).unwrap();
    let ev = json(&ok(&dir.join("ws.sqlite"), &["evaluate", "--profile", f.to_str().unwrap(), "--year", "2025", "--json"]));
    let ids = ev["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "eligible")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(ids.iter().all(|i| i.starts_with(prefix)), "only its own region's clauses: {ids:?}");
    (ids, ev)
}

/// Each of the seven Shandong cities, with every fact "yes", sees exactly
/// the measures its own plan states (read from the seed by two readers);
/// the others say which plans have them.
#[test]
fn each_shandong_city_sees_its_own_plan() {
    let dir = tempfile::tempdir().unwrap();
    let facts = all_yes("policies/shandong-cbec-2023.toml", "sd_");
    let expected: &[(&str, &str, &[&str])] = &[
        (
            "枣庄市",
            "滕州市",
            &[
                "sd.entity.traditional_trade",
                "sd.entity.local_leader",
                "sd.entity.sme_incubation",
                "sd.warehouse.public",
                "sd.online.own_or_third_party",
                "sd.incubator",
                "sd.service.local_expansion",
                "sd.service.online_platform",
                "sd.finance.credit_insurance",
                "sd.tax.retail_export",
                "sd.customs.facilitation",
                "sd.import.tax_guarantee",
                "sd.talent.training",
                "sd.talent.training_provider",
                "sd.logistics.freight_cooperation",
            ],
        ),
        (
            "济宁市",
            "任城区",
            &[
                "sd.entity.traditional_trade",
                "sd.entity.category_champion",
                "sd.warehouse.public",
                "sd.warehouse.own",
                "sd.brand.trademark",
                "sd.incubator",
                "sd.service.local_expansion",
                "sd.service.online_platform",
                "sd.carrier.display_center",
                "sd.market.development",
                "sd.park.project",
                "sd.finance.credit_insurance",
                "sd.talent.training",
            ],
        ),
        (
            "泰安市",
            "泰山区",
            &[
                "sd.entity.transformation",
                "sd.warehouse.public",
                "sd.warehouse.own",
                "sd.online.platform_building",
                "sd.brand.trademark",
                "sd.service.online_platform",
                "sd.market.development",
                "sd.park.cultivation",
                "sd.finance.credit_insurance",
                "sd.tax.retail_export",
                "sd.customs.facilitation",
                "sd.import.direct_bonded",
                "sd.talent.training",
                "sd.logistics.freight_cooperation",
            ],
        ),
        (
            "德州市",
            "德城区",
            &[
                "sd.entity.traditional_trade",
                "sd.entity.sme_incubation",
                "sd.warehouse.public",
                "sd.online.independent_site",
                "sd.online.platform_building",
                "sd.brand.trademark",
                "sd.brand.showroom_coop",
                "sd.incubator",
                "sd.service.online_platform",
                "sd.park.cultivation",
                "sd.finance.credit_insurance",
                "sd.tax.retail_export",
                "sd.tax.overseas_warehouse_refund",
                "sd.customs.facilitation",
                "sd.customs.list_clearance",
                "sd.customs.returns",
                "sd.customs.same_warehouse",
                "sd.talent.training",
                "sd.logistics.freight_cooperation",
            ],
        ),
        (
            "聊城市",
            "东昌府区",
            &[
                "sd.warehouse.public",
                "sd.warehouse.own",
                "sd.online.sme_platform_store",
                "sd.online.industry_site",
                "sd.online.platform_building",
                "sd.brand.trademark",
                "sd.service.online_platform",
                "sd.carrier.display_center",
                "sd.market.development",
                "sd.park.cultivation",
                "sd.finance.credit_insurance",
                "sd.talent.training",
                "sd.logistics.smart",
            ],
        ),
        (
            "滨州市",
            "滨城区",
            &[
                "sd.entity.traditional_trade",
                "sd.entity.sme_incubation",
                "sd.warehouse.public",
                "sd.warehouse.own",
                "sd.online.own_or_third_party",
                "sd.online.platform_building",
                "sd.brand.trademark",
                "sd.service.integrated",
                "sd.service.public_center",
                "sd.service.online_platform",
                "sd.carrier.display_center",
                "sd.market.development",
                "sd.park.cultivation",
                "sd.finance.credit_insurance",
                "sd.tax.retail_export",
                "sd.tax.first_class_exporter",
                "sd.tax.refund_efficiency",
                "sd.customs.facilitation",
                "sd.customs.list_clearance",
                "sd.customs.returns",
                "sd.talent.training",
            ],
        ),
        (
            "菏泽市",
            "牡丹区",
            &[
                "sd.entity.heze_policy",
                "sd.warehouse.public",
                "sd.warehouse.use_public",
                "sd.online.platform_store",
                "sd.brand.trademark",
                "sd.service.integrated",
                "sd.service.brand_registration",
                "sd.service.online_platform",
                "sd.carrier.overseas_service",
                "sd.park.cultivation",
                "sd.finance.credit_insurance",
                "sd.tax.retail_export",
                "sd.customs.facilitation",
                "sd.talent.training",
                "sd.talent.training_provider",
            ],
        ),
    ];
    for (city, district, want) in expected {
        let (got, ev) = eligible_with(dir.path(), city, district, &facts, "sd.");
        assert_eq!(got, *want, "{city}");
        for c in
            ev["clauses"].as_array().unwrap().iter().filter(|c| c["status"] == "ineligible" && c["id"].as_str().unwrap().starts_with("sd."))
        {
            let why = c["reasons"][0].as_str().unwrap();
            assert!(why.starts_with("此项只见于") && why.ends_with(&format!("{city}的方案没有此项")), "{city} {}: {why}", c["id"]);
        }
    }
    // The auditor's examples: 济宁 has neither the independent site (德州) nor the platform store (菏泽).
    let (jining, ev) = eligible_with(dir.path(), "济宁市", "微山县", &facts, "sd.");
    assert!(!jining.iter().any(|i| i == "sd.online.independent_site" || i == "sd.online.platform_store"));
    assert_eq!(clause(&ev, "sd.online.independent_site")["reasons"][0], "此项只见于德州市的实施方案，济宁市的方案没有此项");
}

#[test]
fn tianjin_and_jiangsu_companies_see_their_own_measures_and_no_money_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let tj = all_yes("policies/tianjin-cbec-2024.toml", "tj_");
    let (ids, ev) = eligible_with(dir.path(), "天津市", "中新天津生态城", &tj, "tj.");
    assert_eq!(ids.len(), 45, "{ids:?}");
    let netting = clause(&ev, "tj.fx.netting");
    assert!(netting["reasons"][0].as_str().unwrap().contains("不涉及资金"), "{netting}");
    assert!(netting["reasons"].to_string().contains("征求意见稿"), "{netting}");
    let js = all_yes("policies/jiangsu-cbec-2021.toml", "js_");
    let (ids, ev) = eligible_with(dir.path(), "苏州市", "吴江区", &js, "js.");
    assert_eq!(ids.len(), 33, "{ids:?}");
    assert!(ids.iter().any(|i| i == "js.ftsp.tax_refund_agency"), "代办退税 help is its own clause");
    let adv = clause(&ev, "js.fx.advance_payment");
    assert_eq!((adv["amount"].clone(), adv["amount_max"].clone()), (Value::Null, Value::Null));
    assert!(adv["reasons"][0].as_str().unwrap().contains("不涉及资金"), "{adv}");
    // A service company without AEO still sees the tax-refund help.
    let mut no_aeo = js.clone();
    for (k, v) in no_aeo.iter_mut() {
        if k.contains("aeo") {
            *v = Value::Bool(false);
        }
    }
    let (ids, _) = eligible_with(dir.path(), "南京市", "玄武区", &no_aeo, "js.");
    assert!(ids.iter().any(|i| i == "js.ftsp.tax_refund_agency") && !ids.iter().any(|i| i == "js.ftsp.aeo"), "{ids:?}");
}

#[test]
fn warnings_follow_the_whole_ledger_whatever_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let tz = add_company(&ws, dir.path(), "台州甲", "台州市", "椒江区");
    let warned = |ws: &Path| -> Vec<(i64, Value)> {
        json(&ok(ws, &["claims", "--company", &tz, "--json"]))
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["clause"] == "tz.brand.trademark")
            .map(|c| (c["year"].as_i64().unwrap(), c["above_most"].clone()))
            .collect()
    };
    // 2026 entered first, then 2025: 120,000 against 100,000 in all.
    assert_eq!(claim(&ws, &tz, "2026", "tz.brand.trademark", "approved", Some("60000")).0, 0);
    assert_eq!(claim(&ws, &tz, "2025", "tz.brand.trademark", "approved", Some("60000")).0, 0);
    assert_eq!(warned(&ws), [(2025, Value::Null), (2026, Value::from("40000.00"))]);
    // 2025 rejected after all: 2026 is within the cap again.
    assert_eq!(claim(&ws, &tz, "2025", "tz.brand.trademark", "rejected", None).0, 0);
    assert_eq!(warned(&ws), [(2025, Value::Null), (2026, Value::Null)]);
    // A measure with no money: any approved amount is above what it pays.
    let jn = add_company(&ws, dir.path(), "菏泽乙", "菏泽市", "牡丹区");
    let (code, out, _) = claim(&ws, &jn, "2024", "sd.tax.retail_export", "approved", Some("500000"));
    assert_eq!(code, 0);
    assert!(out.contains("最多可得的 0.00 元"), "{out}");
}

#[test]
fn an_import_is_checked_like_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let file = |name: &str, claims: Value| {
        let f = dir.path().join(name);
        let v = serde_json::json!({
            "company": { "name": name, "city": "台州市", "district": "椒江区", "serious_dishonesty_listed": false },
            "years": { "2025": {} },
            "claims": claims,
        });
        std::fs::write(&f, v.to_string()).unwrap();
        f
    };
    let before = file(
        "早.json",
        serde_json::json!([{ "year": 2024, "clause": "tz.brand.trademark", "status": "approved", "approved": "100000.00" }]),
    );
    refused(&ws, &["import", before.to_str().unwrap()], "claims[0].year");
    let other = file("外.json", serde_json::json!([{ "year": 2025, "clause": "cd.park", "status": "planned" }]));
    refused(&ws, &["import", other.to_str().unwrap()], "只适用于成都市");
    // A warning in the file is not believed; the ledger's own is worked out.
    let forged = file(
        "伪.json",
        serde_json::json!([
            { "year": 2025, "clause": "tz.brand.trademark", "status": "approved", "approved": "1.00", "above_most": "100000.00" },
            { "year": 2026, "clause": "tz.brand.trademark", "status": "approved", "approved": "150000.00" },
        ]),
    );
    ok(&ws, &["import", forged.to_str().unwrap()]);
    let list = json(&ok(&ws, &["claims", "--company", "1", "--json"]));
    let most: Vec<&Value> = list.as_array().unwrap().iter().map(|c| &c["above_most"]).collect();
    assert_eq!(most, [&Value::Null, &Value::from("99999.00")], "{list}");
}

#[test]
fn batch_with_save_reads_the_saved_year_before_as_evaluate_does() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let f = dir.path().join("c.json");
    std::fs::write(
        &f,
        serde_json::json!({ "company": { "name": "成都首次甲有限公司", "uscc": "91510107MA6DG8HL5P", "city": "成都市", "district": "武侯区", "serious_dishonesty_listed": false } }).to_string(),
    )
    .unwrap();
    ok(&ws, &["company", "add", "--from-json", f.to_str().unwrap()]);
    ok(&ws, &["facts", "set", "--company", "1", "--year", "2024", "cbec_volume=1,500,000"]);
    let csv = dir.path().join("b.csv");
    std::fs::write(
        &csv,
        "name,uscc,city,district,serious_dishonesty_listed,cbec_volume,first_time_over_1m\n成都首次甲有限公司,91510107MA6DG8HL5P,成都市,武侯区,否,300万,是\n",
    )
    .unwrap();
    let out = dir.path().join("r.jsonl");
    ok(&ws, &["batch", "--in", csv.to_str().unwrap(), "--year", "2025", "--out", out.to_str().unwrap(), "--save"]);
    let row = json(std::fs::read_to_string(&out).unwrap().lines().next().unwrap());
    assert_eq!(clause(&row, "cd.transform.first_million")["status"], "ineligible", "{}", clause(&row, "cd.transform.first_million"));
    let ev = json(&ok(&ws, &["evaluate", "--company", "1", "--year", "2025", "--json"]));
    assert_eq!(clause(&ev, "cd.transform.first_million")["status"], "ineligible");
    // Two years in one file: the 2024 row is the 2025 row's year before.
    let csv2 = dir.path().join("b2.csv");
    std::fs::write(
        &csv2,
        "name,uscc,city,district,serious_dishonesty_listed,year,cbec_volume,first_time_over_1m\n成都首次甲有限公司,91510107MA6DG8HL5P,成都市,武侯区,否,2024,80万,否\n成都首次甲有限公司,91510107MA6DG8HL5P,成都市,武侯区,否,2025,300万,是\n",
    )
    .unwrap();
    ok(&ws, &["batch", "--in", csv2.to_str().unwrap(), "--year", "2025", "--out", out.to_str().unwrap(), "--save"]);
    let rows: Vec<Value> = std::fs::read_to_string(&out).unwrap().lines().map(json).collect();
    let r25 = rows.iter().find(|r| r["year"] == 2025).unwrap();
    assert_eq!(clause(r25, "cd.transform.first_million")["amount"], "30000.00", "{}", clause(r25, "cd.transform.first_million"));
}

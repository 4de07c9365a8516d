//! Store benchmarks (run: `cargo bench -p butie-store`). Aims: saving one
//! evaluation under 5 ms; opening a workspace of 1,000 companies with 3
//! years of facts and listing them under 50 ms.

use butie_core::engine::evaluate;
use butie_core::profile::{Company, FactValue, Facts};
use butie_store::Workspace;
use rust_decimal::Decimal;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

fn main() {
    let packs = butie_core::bundled_packs().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.sqlite");
    let mut ws = Workspace::open_or_create(&path).unwrap();
    let districts = ["椒江区", "黄岩区", "路桥区", "温岭市"];
    let t = Instant::now();
    for i in 0..1000 {
        let c = Company {
            name: format!("台州测试{i:04}跨境电子商务有限公司"),
            city: "台州市".into(),
            district: districts[i % 4].into(),
            serious_dishonesty_listed: Some(false),
            ..Company::default()
        };
        let id = ws.add_company(&c, &packs).unwrap();
        for year in 2025..2028 {
            let mut f = Facts::new();
            f.insert("intl_trademark_fee".into(), FactValue::Num(Decimal::new(1_860_000 + i as i64, 2)));
            f.insert("independent_site_investment".into(), FactValue::Num(Decimal::from(1_280_000)));
            f.insert("provincial_famous_brand".into(), FactValue::Bool(i % 3 == 0));
            f.insert("cbec_logistics_cost".into(), FactValue::Num(Decimal::new(35_678_040, 2)));
            f.insert("export_credit_insurance_premium".into(), FactValue::Num(Decimal::from(96_000)));
            ws.set_facts(id, year, &f).unwrap();
        }
    }
    println!("setup: 1,000 companies × 3 years in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    drop(ws);

    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let ws = Workspace::open(&path).unwrap();
        n = ws.list_companies(None).unwrap().len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (m, p) = median(times);
    println!("open workspace and list {n} companies: median {m:.2} ms, p95 {p:.2} ms");

    let ws = Workspace::open(&path).unwrap();
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let hits = ws.list_companies(Some("0999")).unwrap().len();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(hits, 1);
    }
    let (m, p) = median(times);
    println!("search 1,000 companies: median {m:.2} ms, p95 {p:.2} ms");

    let mut ws = Workspace::open(&path).unwrap();
    let id = ws.list_companies(None).unwrap()[0].id;
    let profile = ws.profile(id, 2025, &packs).unwrap();
    let ev = evaluate(&packs, &profile, 2025);
    let mut times = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        ws.save_evaluation(id, &profile, &ev, &packs).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (m, p) = median(times);
    println!("save one evaluation (synchronous=FULL): median {m:.2} ms, p95 {p:.2} ms");
}

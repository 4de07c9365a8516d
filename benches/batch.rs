//! Issue 12's batch aims, measured on generated input: a 10,000-row `.xlsx`
//! in → `.xlsx` out (and → `.jsonl`, to separate writing the workbook from
//! reading and evaluating), and PDFs for 1,000 companies with `--jobs 2`.
//! A bench binary (no harness): `cargo bench --bench batch`.

use butie::batch::BatchArgs;
use butie::cli::Context;
use butie::Lang;
use std::time::Instant;

mod common;
use common::uscc;

/// Rows like the Chengdu sample, with volumes that vary by row.
fn write_input(path: &std::path::Path, rows: usize) {
    let header = [
        "name",
        "uscc",
        "city",
        "district",
        "serious_dishonesty_listed",
        "cbec_volume",
        "cbec_volume_prev_year",
        "sichuan_made_export",
        "provincial_public_overseas_warehouse",
        "overseas_warehouse_area_sqm",
        "registered_on_cd_platform",
        "loan_interest_paid",
    ];
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    sh.set_name("企业").unwrap();
    for (c, h) in header.iter().enumerate() {
        sh.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = (i + 1) as u32;
        let vol = 50_000_000 + (i as u64 * 37_001) % 500_000_000;
        sh.write_string(r, 0, format!("成都测试企业{i:05}")).unwrap();
        sh.write_string(r, 1, uscc(i)).unwrap();
        sh.write_string(r, 2, "成都市").unwrap();
        sh.write_string(r, 3, "武侯区").unwrap();
        sh.write_string(r, 4, "否").unwrap();
        sh.write_number(r, 5, vol as f64).unwrap();
        sh.write_number(r, 6, (vol * 4 / 5) as f64).unwrap();
        sh.write_number(r, 7, (vol / 10) as f64).unwrap();
        sh.write_string(r, 8, if i % 3 == 0 { "是" } else { "否" }).unwrap();
        sh.write_number(r, 9, ((i * 97) % 120_000) as f64).unwrap();
        sh.write_string(r, 10, "是").unwrap();
        sh.write_string(r, 11, format!("{}.{:02}", 10_000 + i, i % 100)).unwrap();
    }
    wb.save(path).unwrap();
}

fn run(cx: &Context, a: &BatchArgs, key: &str, what: &str) {
    let t = Instant::now();
    let out = butie::batch::run(&cx.setup(), a).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let s = t.elapsed().as_secs_f64();
    assert_eq!(out.code(), 0, "{what}: {:?}", out.errors.first());
    println!("{what}: {s:.2} s");
    println!("{{\"bench\": \"{key}\", \"seconds\": {s:.3}}}");
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let cx = Context { lang: Lang::Zh, policies: None, workspace: Some(dir.path().join("ws.sqlite")) };
    let input = dir.path().join("in.xlsx");
    write_input(&input, 10_000);
    // Reading alone (calamine, then every cell through the profile reader),
    // to split the runs below into reading, evaluating and writing.
    let packs = cx.packs().unwrap();
    let t = std::time::Instant::now();
    let read = butie::batch::read_sheet(&packs, &input, 2025, Lang::Zh).unwrap();
    let s = t.elapsed().as_secs_f64();
    assert_eq!(read.accepted().count(), 10_000);
    println!("10000 rows xlsx read into profiles: {s:.2} s");
    println!("{{\"bench\": \"batch_10k_read\", \"seconds\": {s:.3}}}");
    let base = BatchArgs { input: input.clone(), year: 2025, jobs: Some(2), ..Default::default() };
    run(
        &cx,
        &BatchArgs { out: dir.path().join("out.jsonl"), ..base.clone() },
        "batch_10k_xlsx_to_jsonl",
        "10000 rows xlsx to jsonl, 2 jobs",
    );
    run(&cx, &BatchArgs { out: dir.path().join("out.xlsx"), ..base.clone() }, "batch_10k_xlsx_to_xlsx", "10000 rows xlsx to xlsx, 2 jobs");

    let small = dir.path().join("in1000.xlsx");
    write_input(&small, 1_000);
    let pdf = dir.path().join("pdf");
    let a =
        BatchArgs { input: small, year: 2025, jobs: Some(2), out: dir.path().join("out1000.jsonl"), pdf: Some(pdf), ..Default::default() };
    run(&cx, &a, "batch_1k_pdfs", "1000 companies with PDFs, 2 jobs");
}

//! `butie template` and `butie batch` through the real binary: the template
//! filled by a program and read back, results equal to `butie evaluate`,
//! bad rows, an unusable file, CSV with a byte-order mark, `--jobs`, and
//! `--save` twice.

use calamine::Reader;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn butie(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_butie")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("samples/{name}-sample.json")).unwrap()).unwrap()
}

/// A third company: the Chengdu sample under another name and code, for 2025.
fn third() -> Value {
    let mut p = sample("chengdu");
    let first17 = "91510107MA6DG8HL6";
    let check = butie::uscc::check_char(first17.as_bytes()).unwrap();
    p["company"]["uscc"] = format!("{first17}{check}").into();
    p["company"]["name"] = "成都第三家跨境电商有限公司".into();
    p["year"] = 2025.into();
    p["facts"]["cbec_volume"] = "300000000".into();
    p["facts"]["park_rating"] = "good".into();
    p
}

/// The template's `企业` sheet: its header keys and its label row.
fn template(dir: &Path) -> (Vec<String>, Vec<String>) {
    let t = dir.join("template.xlsx");
    let (code, out, err) = butie(&["template", "--out", s(&t)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("template.xlsx"), "{out}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&t).unwrap();
    assert_eq!(wb.sheet_names(), ["企业", "说明"]);
    let r = wb.worksheet_range("企业").unwrap();
    let row = |i: usize| r.rows().nth(i).unwrap().iter().map(|c| c.to_string()).collect::<Vec<_>>();
    let (keys, labels) = (row(0), row(1));
    // The 说明 sheet lists every fact, with the clauses that read it.
    let notes = wb.worksheet_range("说明").unwrap();
    let text: Vec<String> = notes.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("|")).collect();
    assert!(text.iter().any(|l| l.starts_with("training_sessions|") && l.contains("tz.eco.training")), "{text:?}");
    assert!(text.iter().any(|l| l.starts_with("cbec_volume|年度跨境电商交易额|") && l.contains("cd.trade.growth_tier")), "{text:?}");
    // Writing it again replaces the earlier template; another workbook is never replaced.
    assert_eq!(butie(&["template", "--out", s(&t)]).0, 0);
    (keys, labels)
}

/// The value a profile gives a column, if any.
fn value_of<'a>(p: &'a Value, key: &str) -> Option<&'a Value> {
    if key == "year" {
        return p.get("year");
    }
    p["company"].get(key).or_else(|| p["facts"].get(key)).filter(|v| !v.is_null())
}

/// Fill a workbook like a clerk would: the template's header and label
/// rows, then one row per profile; money as number cells, except where
/// `as_text` gives the text to type.
fn fill(path: &Path, keys: &[String], labels: &[String], rows: &[(&Value, &[(&str, &str)])]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    sh.set_name("企业").unwrap();
    for (c, (k, l)) in keys.iter().zip(labels).enumerate() {
        sh.write_string(0, c as u16, k).unwrap();
        sh.write_string(1, c as u16, l).unwrap();
    }
    for (i, (p, as_text)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        for (c, k) in keys.iter().enumerate() {
            let c = c as u16;
            if let Some((_, t)) = as_text.iter().find(|(key, _)| key == k) {
                sh.write_string(r, c, *t).unwrap();
                continue;
            }
            match value_of(p, k) {
                None => {}
                // Booleans as the drop-down's 是/否, and one as a real boolean cell.
                Some(Value::Bool(b)) if k == "registered_on_cd_platform" => {
                    sh.write_boolean(r, c, *b).unwrap();
                }
                Some(Value::Bool(b)) => {
                    sh.write_string(r, c, if *b { "是" } else { "否" }).unwrap();
                }
                Some(Value::String(t)) if k != "uscc" && k != "phone" && k != "bank_account" && t.parse::<f64>().is_ok() => {
                    sh.write_number(r, c, t.parse::<f64>().unwrap()).unwrap();
                }
                Some(Value::Number(n)) => {
                    sh.write_number(r, c, n.as_f64().unwrap()).unwrap();
                }
                Some(Value::String(t)) => {
                    sh.write_string(r, c, t).unwrap();
                }
                // A list, as its JSON in one cell.
                Some(list) => {
                    sh.write_string(r, c, list.to_string()).unwrap();
                }
            }
        }
    }
    wb.save(path).unwrap();
}

/// `butie evaluate --json` of a profile, as written to a file.
fn evaluate(dir: &Path, p: &Value, n: usize) -> Value {
    let f = dir.join(format!("profile-{n}.json"));
    std::fs::write(&f, p.to_string()).unwrap();
    let (code, out, err) = butie(&["evaluate", "--profile", s(&f), "--json"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// A catalogue JSON as a compact batch row holds it: a status line per
/// pack (version and verified where it applies), the clauses of the packs
/// that apply without reasons, citation and working, and no field that is
/// null or empty.
fn compact(full: &Value) -> Value {
    static PACKS: std::sync::OnceLock<Vec<butie::Pack>> = std::sync::OnceLock::new();
    let packs = PACKS.get_or_init(|| butie::bundled_packs().unwrap());
    let applies = |p: &Value| p["status"] == "applies" || p["status"] == "county_reference";
    let own: Vec<&str> = full["packs"].as_array().unwrap().iter().filter(|p| applies(p)).map(|p| p["id"].as_str().unwrap()).collect();
    let mut v = full.clone();
    for p in v["packs"].as_array_mut().unwrap() {
        let keep: &[&str] =
            if applies(p) { &["id", "status", "version", "verified", "draft", "reference_only"] } else { &["id", "status"] };
        let flag = |k: &str, x: &Value| (k == "draft" || k == "reference_only") && *x == Value::Bool(false);
        p.as_object_mut().unwrap().retain(|k, x| keep.contains(&k.as_str()) && !flag(k, x));
    }
    let clauses = v["clauses"].as_array_mut().unwrap();
    clauses.retain(|c| {
        let (pack, _) = butie::engine::find_clause(packs, c["id"].as_str().unwrap()).unwrap();
        own.contains(&pack.id.as_str())
    });
    for c in clauses {
        let o = c.as_object_mut().unwrap();
        for k in ["reasons", "citation", "trace"] {
            o.remove(k);
        }
        o.retain(|_, x| !x.is_null() && *x != Value::Array(Vec::new()));
    }
    v
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Per clause: id, status, amount, amount_max; and the totals.
fn amounts(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {} {} {} {}", c["id"], c["status"], c["amount"], c["amount_max"], c["excluded_by"]))
        .collect();
    out.push(format!("total {} {}", v["total"], v["total_max"]));
    out
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[test]
fn template_filled_with_three_companies_gives_what_evaluate_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (keys, labels) = template(dir.path());
    assert_eq!(&keys[..4], ["name", "uscc", "city", "district"]);
    assert!(keys.contains(&"cbec_volume".to_string()) && keys.contains(&"year".to_string()));
    assert!(!keys.contains(&"training_sessions".to_string()), "lists are not template columns");
    assert!(!keys.contains(&"pilot_import_volume".to_string()), "old facts are not template columns");
    assert!(labels.contains(&"企业名称".to_string()) && labels.contains(&"年度跨境电商交易额（元）".to_string()), "{labels:?}");

    // Lists are no template columns; a clerk adds them (the label row stays a label row).
    let (mut keys, mut labels) = (keys, labels);
    for k in ["hosted_events", "training_sessions"] {
        keys.push(k.into());
        labels.push(String::new());
    }
    let (tz, cd, c3) = (sample("taizhou"), sample("chengdu"), third());
    let xlsx = dir.path().join("clients.xlsx");
    // Amounts as a clerk types them, and enum options by their labels.
    let cd_text: &[(&str, &str)] = &[
        ("cbec_volume", "236,500,000"),
        ("cbec_volume_prev_year", "18200万"),
        ("park_rating", "未认定或未获评"),
        ("service_category", "其他"),
    ];
    let c3_text: &[(&str, &str)] = &[("year", ""), ("park_rating", "成效较好")];
    fill(&xlsx, &keys, &labels, &[(&tz, &[]), (&cd, cd_text), (&c3, c3_text)]);

    let out = dir.path().join("x.jsonl");
    let (code, stdout, err) = butie(&["batch", "--in", s(&xlsx), "--year", "2025", "--out", s(&out), "--explain"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("已测算 3 行"), "{stdout}");
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 3);
    let short = dir.path().join("short.jsonl");
    let (code, _, err) = butie(&["batch", "--in", s(&xlsx), "--year", "2025", "--out", s(&short)]);
    assert_eq!(code, 0, "{err}");
    let short = jsonl(&short);
    for (i, (line, p)) in lines.iter().zip([&tz, &cd, &c3]).enumerate() {
        assert_eq!(line["row"], i + 3, "the header is row 1, the label row 2");
        assert_eq!(line["uscc"], p["company"]["uscc"]);
        let want = evaluate(dir.path(), p, i);
        assert_eq!(amounts(line), amounts(&want), "row {}", i + 3);
        // Not only the amounts: with --explain the whole catalogue JSON, reasons and working included.
        let mut rest = line.clone();
        rest.as_object_mut().unwrap().retain(|k, _| k != "row" && k != "uscc");
        assert_eq!(rest, want, "row {}", i + 3);
        // Without: the clauses of the packs that apply, as evaluate gives them.
        let mut rest = short[i].clone();
        assert_eq!(rest["row"], i + 3);
        rest.as_object_mut().unwrap().retain(|k, _| k != "row" && k != "uscc");
        assert_eq!(rest, compact(&want), "row {}", i + 3);
    }
    assert_eq!(lines[0]["total"], "470175.25");
    assert_eq!(lines[1]["total"], "3944000.00");

    // The same rows as a workbook: totals per company-year, clauses, no errors.
    let out = dir.path().join("x.xlsx");
    let (code, _, err) = butie(&["batch", "--in", s(&xlsx), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let summary = sheet(&out, "汇总");
    assert_eq!(summary.len(), 4);
    assert_eq!((summary[1][0].as_str(), summary[1][6].as_str()), ("3", "470175.25"));
    assert_eq!((summary[2][2].as_str(), summary[2][6].as_str()), ("成都蓉欧优品跨境电子商务有限公司", "3944000"));
    assert!(sheet(&out, "明细").iter().any(|r| r[4] == "tz.brand.trademark" && r[7] == "93000"));
    assert_eq!(sheet(&out, "错误").len(), 1, "only the header");
}

/// A CSV file (with a byte-order mark, as Excel writes "CSV UTF-8").
fn csv_file(path: &Path, header: &[&str], rows: &[Vec<String>]) {
    let mut buf = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        w.write_record(header).unwrap();
        for r in rows {
            w.write_record(r).unwrap();
        }
    }
    std::fs::write(path, buf).unwrap();
}

const HEADER: [&str; 9] = [
    "name",
    "统一社会信用代码",
    "city",
    "district",
    "intl_trademark_fee",
    "provincial_famous_brand",
    "year",
    "hosted_events",
    "serious_dishonesty_listed",
];

fn row(name: &str, uscc: &str, fee: &str, year: &str) -> Vec<String> {
    [name, uscc, "台州市", "椒江区", fee, "是", year, r#"[{"cost": "700000"}]"#, "false"].iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_bad_row_is_named_and_the_others_still_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    csv_file(
        &input,
        &HEADER,
        &[
            row("海跃", "91331002MA2A8K5L0Y", "186000", ""),
            row("坏码", "91331002MA2A8K5L0X", "1000", ""),
            row("负数", "91510107MA6DG8HL5P", "-5", "2025"),
            row("字母", "", "12a", "2025"),
        ],
    );
    let out = dir.path().join("r.jsonl");
    let (code, stdout, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 3, "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("第3行 统一社会信用代码（B列）: 校验位错误"), "{err}");
    // A column headed by its key is named by its label.
    assert!(lines[1].starts_with("第4行 商标国际注册费用（E列）: 不能为负数"), "{err}");
    assert!(lines[2].starts_with("第5行 商标国际注册费用（E列）: 不是数字"), "{err}");
    assert!(stdout.contains("已测算 1 行，拒绝 3 行"), "{stdout}");
    let v = jsonl(&out);
    assert_eq!(v.len(), 1);
    assert_eq!((v[0]["row"].as_u64(), v[0]["uscc"].as_str()), (Some(2), Some("91331002MA2A8K5L0Y")));
    // 商标 50% capped, 品牌 100,000, one event capped at 600,000 (a list in one cell).
    let amount = |id: &str| v[0]["clauses"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["amount_max"].clone();
    assert_eq!((amount("tz.brand.trademark"), amount("tz.eco.event_hosting")), (Value::from("93000.00"), Value::from("600000.00")));

    // In English, and in the workbook's 错误 sheet.
    let out = dir.path().join("r.xlsx");
    let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&out), "--lang", "en"]);
    assert_eq!(code, 3);
    assert!(err.lines().next().unwrap().starts_with("row 3, 统一社会信用代码 (column B): wrong check character"), "{err}");
    let errors = sheet(&out, "错误");
    assert_eq!(errors.len(), 4);
    assert_eq!(errors[1][..2], ["3".to_string(), "统一社会信用代码 (column B)".to_string()]);
    assert_eq!(sheet(&out, "汇总").len(), 2);
}

#[test]
fn the_same_company_and_year_twice_refuses_both_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dup.csv");
    csv_file(
        &input,
        &HEADER,
        &[
            row("海跃", "91331002MA2A8K5L0Y", "1000", ""),
            row("海跃", "91331002MA2A8K5L0Y", "1000", "2026"),
            row("海跃（重复）", "91331002 MA2A8K5L0Y", "2000", "2025"),
        ],
    );
    let out = dir.path().join("d.csv");
    let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("第2行 统一社会信用代码（B列）: 与第4行是同一企业、同一年度"), "{err}");
    assert!(err.contains("第4行 统一社会信用代码（B列）: 与第2行是同一企业、同一年度"), "{err}");
    // The 2026 row is another year: evaluated. CSV: one line per clause.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("\u{feff}row,uscc,name,year,clause,status,amount,amount_max,reasons\n"), "{text}");
    assert!(text.lines().skip(1).all(|l| l.starts_with("3,91331002MA2A8K5L0Y,海跃,2026,")), "{text}");
    assert!(text.contains(",tz.brand.trademark,eligible,500.00,500.00,"), "{text}");
}

#[test]
fn an_unknown_column_makes_the_file_unusable_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("typo.csv");
    let mut header = HEADER;
    header[4] = "intl_trademark_fe";
    csv_file(&input, &header, &[row("海跃", "91331002MA2A8K5L0Y", "1000", "")]);
    let out = dir.path().join("t.jsonl");
    let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("未知的列“intl_trademark_fe”（E列）；是否想写 intl_trademark_fee（商标国际注册费用）？"), "{err}");
    assert!(!out.exists(), "nothing written");
    // Missing file, not a spreadsheet, no header: exit 2 too.
    let (code, _, err) = butie(&["batch", "--in", s(&dir.path().join("none.xlsx")), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 2, "{err}");
    std::fs::write(dir.path().join("fake.xlsx"), "not a zip").unwrap();
    let (code, _, err) = butie(&["batch", "--in", s(&dir.path().join("fake.xlsx")), "--year", "2025", "--out", s(&out)]);
    assert_eq!((code, err.contains("不是可读取的 .xlsx")), (2, true), "{err}");
    std::fs::write(dir.path().join("empty.csv"), "\u{feff}\n\n").unwrap();
    let (code, _, err) = butie(&["batch", "--in", s(&dir.path().join("empty.csv")), "--year", "2025", "--out", s(&out)]);
    assert_eq!((code, err.contains("没有表头行")), (2, true), "{err}");
    // An existing file that this command did not write is never replaced.
    let precious = dir.path().join("precious.csv");
    std::fs::write(&precious, "a,b\n1,2\n").unwrap();
    csv_file(&input, &HEADER, &[row("海跃", "91331002MA2A8K5L0Y", "1000", "")]);
    let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&precious)]);
    assert_eq!((code, err.contains("未覆盖")), (2, true), "{err}");
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "a,b\n1,2\n");
}

#[test]
fn any_number_of_jobs_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.csv");
    let rows: Vec<Vec<String>> = (0..40)
        .map(|i| {
            let mut r = row(&format!("企业{i}"), "", &format!("{}", 1000 + i * 9973), &format!("{}", 2025 + i % 2));
            r[5] = if i % 3 == 0 { "否".into() } else { "是".into() };
            r
        })
        .collect();
    csv_file(&input, &HEADER, &rows);
    let run = |jobs: &str, name: &str| {
        let out = dir.path().join(name);
        let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&out), "--jobs", jobs]);
        assert_eq!(code, 0, "{err}");
        std::fs::read(out).unwrap()
    };
    for ext in ["jsonl", "csv"] {
        let one = run("1", &format!("one.{ext}"));
        assert_eq!(one, run("4", &format!("four.{ext}")), "{ext}");
    }
    let (one, four) = (dir.path().join("one.xlsx"), dir.path().join("four.xlsx"));
    run("1", "one.xlsx");
    run("4", "four.xlsx");
    for name in ["汇总", "明细", "错误"] {
        assert_eq!(sheet(&one, name), sheet(&four, name), "{name}");
    }
}

#[test]
fn save_adds_then_updates_by_credit_code_and_a_repeat_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let input = dir.path().join("save.csv");
    let out = dir.path().join("o.jsonl");
    let pdf = dir.path().join("pdf");
    let batch = |lang: &str, with_pdf: bool| {
        let mut args =
            vec!["--workspace", s(&ws), "--lang", lang, "batch", "--in", s(&input), "--year", "2025", "--out", s(&out), "--save"];
        if with_pdf {
            args.extend(["--pdf", s(&pdf)]);
        }
        butie(&args)
    };
    csv_file(&input, &HEADER, &[row("海跃", "91331002MA2A8K5L0Y", "186000", "")]);
    let (code, stdout, err) = batch("en", true);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("row 2 91331002MA2A8K5L0Y 海跃 (2025): added company #1"), "{stdout}");
    // One folder per company, with its summary and a form per eligible clause.
    let files: Vec<PathBuf> = std::fs::read_dir(pdf.join("海跃")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with("2025-海跃-补贴测算汇总.pdf")), "{files:?}");
    assert!(files.len() >= 3, "{files:?}");

    csv_file(&input, &HEADER, &[row("海跃", "91331002MA2A8K5L0Y", "20000", "")]);
    let (code, stdout, err) = batch("en", false);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("updated company #1"), "{stdout}");
    assert!(stdout.contains("0 added, 1 updated, 0 unchanged"), "{stdout}");
    let (code, stdout, _) = batch("zh", false);
    assert_eq!(code, 0);
    assert!(stdout.contains("企业 #1 已是这些内容，未改动"), "{stdout}");
    let (_, facts, _) = butie(&["--workspace", s(&ws), "facts", "show", "--company", "1", "--year", "2025", "--json"]);
    let facts: Value = serde_json::from_str(&facts).unwrap();
    assert_eq!(facts["intl_trademark_fee"], "20000");
    assert_eq!(facts["provincial_famous_brand"], true);
    let (_, list, _) = butie(&["--workspace", s(&ws), "company", "list", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(&list).unwrap().as_array().unwrap().len(), 1);
}

/// A generated client: one of the two samples (alternating), under its own
/// name and credit code, its yes/no answers and options varied by `i`, its
/// figures scaled, and now and then a fact left empty.
fn generated(i: usize, index: &std::collections::BTreeMap<&str, &butie::policy::FactDef>) -> Value {
    use butie::policy::FactKind;
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let (mut p, division) = if i.is_multiple_of(2) { (sample("taizhou"), "331002") } else { (sample("chengdu"), "510107") };
    let first17 = format!("91{division}{:09}", 100_000 + i);
    let check = butie::uscc::check_char(first17.as_bytes()).unwrap();
    p["company"]["uscc"] = format!("{first17}{check}").into();
    p["company"]["name"] = format!("生成客户{i:04}有限公司").into();
    let facts = p["facts"].as_object_mut().unwrap();
    let keys: Vec<String> = facts.keys().cloned().collect();
    for (k_no, k) in keys.iter().enumerate() {
        let Some(def) = index.get(k.as_str()) else { continue };
        let salt = i * 31 + k_no * 7;
        if salt.is_multiple_of(13) {
            facts.remove(k);
            continue;
        }
        let v = match def.kind {
            FactKind::Bool => Value::Bool((salt / 3).is_multiple_of(2)),
            FactKind::Enum => {
                let opts: Vec<&String> =
                    if def.option_order.is_empty() { def.options.keys().collect() } else { def.option_order.iter().collect() };
                Value::String(opts[salt % opts.len()].clone())
            }
            FactKind::Money | FactKind::MoneyUsd | FactKind::Number | FactKind::Integer => {
                let Some(t) = facts[k].as_str() else { continue };
                let factors: &[&str] =
                    if def.kind == FactKind::Integer { &["0", "1", "2", "3"] } else { &["0", "0.5", "1", "1.5", "2", "3", "10"] };
                let f = Decimal::from_str(factors[salt % factors.len()]).unwrap();
                let scaled = (Decimal::from_str(t).unwrap() * f).round_dp(2).normalize();
                Value::String(scaled.to_string())
            }
            FactKind::List => continue,
        };
        facts.insert(k.clone(), v);
    }
    p
}

#[test]
fn the_template_filled_with_a_thousand_generated_clients_gives_what_evaluate_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (mut keys, mut labels) = template(dir.path());
    for k in ["hosted_events", "training_sessions"] {
        keys.push(k.into());
        labels.push(String::new());
    }
    let packs = butie::bundled_packs().unwrap();
    let index = butie::profile::fact_index(&packs);
    let mut profiles = vec![sample("taizhou"), sample("chengdu")];
    profiles.extend((0..1000).map(|i| generated(i, &index)));
    let rows: Vec<(&Value, &[(&str, &str)])> = profiles.iter().map(|p| (p, &[][..])).collect();
    let xlsx = dir.path().join("clients.xlsx");
    fill(&xlsx, &keys, &labels, &rows);

    let out = dir.path().join("x.jsonl");
    let (code, stdout, err) = butie(&["batch", "--in", s(&xlsx), "--year", "2025", "--out", s(&out), "--jobs", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("已测算 1002 行"), "{stdout}");
    let lines = jsonl(&out);
    assert_eq!(lines.len(), 1002);
    let mut eligible = 0;
    for (i, (line, p)) in lines.iter().zip(&profiles).enumerate() {
        assert_eq!(line["row"], i + 3);
        // `butie evaluate --json` is this very serialisation of this very
        // evaluation; the process itself is run for every hundredth client.
        let want = if i % 100 == 1 {
            evaluate(dir.path(), p, i)
        } else {
            let profile = butie::profile::profile_from_value(p, &packs).unwrap();
            let year = p["year"].as_i64().unwrap() as i32;
            let ev = butie::engine::evaluate(&packs, &profile, year);
            serde_json::to_value(butie::explain::Catalogue { ev: &ev, lang: butie::policy::Lang::Zh }).unwrap()
        };
        let want = compact(&want);
        assert_eq!(amounts(line), amounts(&want), "row {}", i + 3);
        let mut rest = line.clone();
        rest.as_object_mut().unwrap().retain(|k, _| k != "row" && k != "uscc");
        assert_eq!(rest, want, "row {}", i + 3);
        eligible += line["clauses"].as_array().unwrap().iter().filter(|c| c["status"] == "eligible").count();
    }
    // The generated clients are not all alike: many clauses are reached.
    assert!(eligible > 2000, "{eligible}");
    let totals: std::collections::BTreeSet<&str> = lines.iter().map(|l| l["total"].as_str().unwrap()).collect();
    assert!(totals.len() > 100, "{}", totals.len());
}

/// The spreadsheet the window's end-to-end test imports
/// (`tests/fixtures/portfolio-import.xlsx`): the template filled with three
/// generated clients and, between them, one whose credit code is mistyped.
/// `BUTIE_BLESS=1` writes it again; otherwise it is checked to still read so.
#[test]
fn the_end_to_end_import_fixture_has_three_good_rows_and_one_bad() {
    let fixture = PathBuf::from("tests/fixtures/portfolio-import.xlsx");
    if std::env::var_os("BUTIE_BLESS").is_some() {
        let dir = tempfile::tempdir().unwrap();
        let (keys, labels) = template(dir.path());
        let packs = butie::bundled_packs().unwrap();
        let index = butie::profile::fact_index(&packs);
        let mut ps: Vec<Value> = [10, 11, 12, 14].iter().map(|&i| generated(i, &index)).collect();
        for p in &mut ps {
            p["year"] = 2025.into();
        }
        ps[0]["company"]["name"] = "台州甬台跨境电商有限公司".into();
        ps[1]["company"]["name"] = "成都锦城出海科技有限公司".into();
        ps[2]["company"]["name"] = "台州信用代码写错有限公司".into();
        ps[3]["company"]["name"] = "台州温岭鞋业跨境有限公司".into();
        let good = ps[2]["company"]["uscc"].as_str().unwrap().to_string();
        let last = good.chars().last().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        ps[2]["company"]["uscc"] = format!("{}{wrong}", &good[..17]).into();
        let rows: Vec<(&Value, &[(&str, &str)])> = ps.iter().map(|p| (p, &[][..])).collect();
        std::fs::create_dir_all("tests/fixtures").unwrap();
        fill(&fixture, &keys, &labels, &rows);
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let (code, stdout, err) = butie(&["batch", "--in", s(&fixture), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 3, "{stdout}{err}");
    assert!(err.contains("第5行 统一社会信用代码（B列）") && err.contains("校验位错误"), "{err}");
    let lines = jsonl(&out);
    assert_eq!(lines.iter().map(|l| l["row"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 4, 6]);
    // Three different totals, so sorting by total means something.
    let totals: std::collections::BTreeSet<&str> = lines.iter().map(|l| l["total"].as_str().unwrap()).collect();
    assert_eq!(totals.len(), 3, "{lines:?}");
}

/// What a careless or hostile consultant found (issue 12's review): an empty
/// cell erased saved answers; forms of clauses no longer eligible stayed in
/// the PDF folder; one company under two names flipped on every save.
#[test]
fn empty_cells_keep_what_is_saved_and_stale_forms_go() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let input = dir.path().join("save.csv");
    let out = dir.path().join("o.jsonl");
    let pdf = dir.path().join("pdf");
    let run = |extra: &[&str]| {
        let mut args =
            vec!["--workspace", s(&ws), "--lang", "en", "batch", "--in", s(&input), "--year", "2025", "--out", s(&out), "--save"];
        args.extend_from_slice(extra);
        butie(&args)
    };
    csv_file(&input, &HEADER, &[row("海跃", "91331002MA2A8K5L0Y", "186000", "")]);
    let (code, stdout, err) = run(&["--pdf", s(&pdf)]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("created the workspace"), "{stdout}");
    let forms = |d: &Path| {
        std::fs::read_dir(d).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with("申报表.pdf")).count()
    };
    let before = forms(&pdf.join("海跃"));
    assert!(before >= 2, "{before}");
    // A file the user put there, named like a form, is never touched.
    std::fs::write(pdf.join("海跃").join("2025-海跃-99-我的笔记-申报表.pdf"), b"%PDF-1.7 mine").unwrap();
    butie(&["--workspace", s(&ws), "facts", "set", "--company", "1", "--year", "2025", "exhibition_cost=15800"]);

    // The trade mark fee and 省级品牌 left empty: kept; the brand now "否".
    let mut r = row("海跃", "91331002MA2A8K5L0Y", "", "");
    r[5] = "否".into();
    csv_file(&input, &HEADER, &[r]);
    let (code, stdout, err) = run(&["--pdf", s(&pdf)]);
    assert_eq!(code, 0, "{err}");
    assert!(!stdout.contains("created the workspace"), "{stdout}");
    let (_, facts, _) = butie(&["--workspace", s(&ws), "facts", "show", "--company", "1", "--year", "2025", "--json"]);
    let facts: Value = serde_json::from_str(&facts).unwrap();
    assert_eq!(facts["intl_trademark_fee"], "186000", "an empty cell erases nothing");
    assert_eq!(facts["exhibition_cost"], "15800", "a fact without a column stays");
    assert_eq!(facts["provincial_famous_brand"], false);
    let names: Vec<String> =
        std::fs::read_dir(pdf.join("海跃")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains("省级跨境电商出口知名品牌奖励")), "the brand clause's form went: {names:?}");
    assert!(names.iter().any(|n| n.contains("商标国际注册")), "the saved fee still counts: {names:?}");
    assert!(names.iter().any(|n| n.contains("参加跨境电商展会")), "the fact set in between counts: {names:?}");
    assert!(forms(&pdf.join("海跃")) <= before + 1, "{names:?}");
    assert!(pdf.join("海跃").join("2025-海跃-99-我的笔记-申报表.pdf").exists(), "not Butie's: kept");

    // One credit code under two names in two years: both rows refused.
    let mut a = row("旧名", "91331002MA2A8K5L0Y", "1", "2024");
    let b = row("新名", "91331002MA2A8K5L0Y", "1", "2025");
    a[5] = "yes".into();
    csv_file(&input, &HEADER, &[a, b]);
    let (code, _, err) = run(&[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("row 2") && err.contains("row 3") && err.contains("“旧名” here and “新名” there"), "{err}");
}

#[test]
fn a_stray_far_cell_no_uscc_column_long_numbers_and_a_filled_template() {
    let dir = tempfile::tempdir().unwrap();
    // One cell at the last row and column Excel has: read in no time, ignored.
    let far = dir.path().join("far.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sh = wb.add_worksheet();
    for (c, v) in ["name", "uscc", "city", "district", "bank_account"].iter().enumerate() {
        sh.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["海跃", "91331002MA2A8K5L0Y", "台州市", "椒江区"].iter().enumerate() {
        sh.write_string(1, c as u16, *v).unwrap();
    }
    sh.write_number(1, 4, 6222021234567890123.0).unwrap();
    sh.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&far).unwrap();
    let out = dir.path().join("o.jsonl");
    let (code, _, err) = butie(&["batch", "--in", s(&far), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("第2行 银行账号（E列）") && err.contains("文本"), "a 19-digit account in a number cell: {err}");

    // Saving without a credit code column: one line, not one per row.
    let csv = dir.path().join("no-uscc.csv");
    std::fs::write(&csv, "name,city,district\n甲,台州市,椒江区\n乙,台州市,椒江区\n").unwrap();
    let ws = dir.path().join("ws.sqlite");
    let (code, _, err) = butie(&["--workspace", s(&ws), "batch", "--in", s(&csv), "--year", "2025", "--out", s(&out), "--save"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("缺少 uscc"), "{err}");
    assert!(!ws.exists());

    // A template with a client in it is not replaced by a new template.
    let (keys, labels) = template(dir.path());
    let filled = dir.path().join("客户.xlsx");
    let p = sample("taizhou");
    fill(&filled, &keys, &labels, &[(&p, &[])]);
    let (code, _, err) = butie(&["template", "--out", s(&filled)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("未覆盖"), "{err}");
    let (code, _, err) = butie(&["batch", "--in", s(&filled), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_credit_code_of_another_place_is_noted_and_copying_runs_forward_only() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.csv");
    // A Taizhou (椒江区) code given with a Chengdu district.
    csv_file(
        &input,
        &["name", "uscc", "city", "district"],
        &[vec!["甲".into(), "91331002MA2A8K5L0Y".into(), "成都市".into(), "武侯区".into()]],
    );
    let out = dir.path().join("o.jsonl");
    let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2025", "--out", s(&out)]);
    assert_eq!(code, 0, "a note, not an error: {err}");
    assert!(err.contains("第2行") && err.contains("台州市椒江区") && err.contains("请核对"), "{err}");
    assert_eq!(jsonl(&out).len(), 1);

    let ws = dir.path().join("ws.sqlite");
    butie(&["--workspace", s(&ws), "import", "samples/taizhou-sample.json"]);
    for (from, to) in [("2025", "2025"), ("2026", "2024")] {
        let (code, _, err) = butie(&["--workspace", s(&ws), "facts", "copy", "--company", "1", "--from", from, "--to", to]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("应早于"), "{err}");
    }
}

/// A `.csv` has a line per clause of the company's own place, its pack in
/// force or not (with why), and none of other places' packs; `--explain`
/// gives them all. A compact `.jsonl` row lists a pack not in force only
/// as its status line.
#[test]
fn csv_lines_are_the_own_places_clauses_and_explain_gives_all() {
    let dir = tempfile::tempdir().unwrap();
    let packs = butie::bundled_packs().unwrap();
    let own = packs.iter().find(|p| p.id == "chengdu-cbec-2023").unwrap().clauses.len();
    let all: usize = packs.iter().map(|p| p.clauses.len()).sum();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "name,uscc,city,district,cbec_volume\n成都甲,91510107MA6DG8HL5P,成都市,武侯区,1000000\n").unwrap();
    for (year, explain, lines) in [("2026", false, own), ("2026", true, all), ("2024", false, own)] {
        let out = dir.path().join(format!("r{year}{explain}.csv"));
        let mut args = vec!["batch", "--in", s(&input), "--year", year, "--out", s(&out)];
        if explain {
            args.push("--explain");
        }
        let (code, _, err) = butie(&args);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 1 + lines, "{year} {explain}: {text}");
        if !explain {
            assert!(text.lines().skip(1).all(|l| l.contains(",cd.")), "{text}");
        }
    }
    let out = dir.path().join("r.jsonl");
    let (code, _, err) = butie(&["batch", "--in", s(&input), "--year", "2026", "--out", s(&out)]);
    assert_eq!(code, 0, "{err}");
    let row = &jsonl(&out)[0];
    assert_eq!(row["clauses"].as_array().unwrap().len(), 0, "{row}");
    let cd = row["packs"].as_array().unwrap().iter().find(|p| p["id"] == "chengdu-cbec-2023").unwrap();
    assert_eq!(cd["status"], "not_in_force", "{row}");
    assert_eq!(row["total"], "0.00");
}

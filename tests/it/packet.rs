//! Issue 13 through the real binary: the application packet read back with
//! poppler (text per page, document information) and lopdf (the outline);
//! evidence files through backup, restore, export and import; filing
//! windows.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn butie_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_butie"));
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(ws: &Path, args: &[&str]) -> String {
    let mut all = vec!["--workspace", s(ws)];
    all.extend_from_slice(args);
    let (code, out, err) = butie_env(&all, &[("SOURCE_DATE_EPOCH", "1764115200")]);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn tool(name: &str, args: &[&str]) -> String {
    let out =
        Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name}: {e} (poppler-utils is installed by scripts/deps.sh)"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn squeeze(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A client that is neither sample: the Taizhou sample under another name,
/// code and figures.
fn hidden_profile(dir: &Path) -> std::path::PathBuf {
    let mut p: Value = serde_json::from_str(&std::fs::read_to_string("samples/taizhou-sample.json").unwrap()).unwrap();
    let first17 = "91331082MA2K7Q3R5";
    let check = butie::uscc::check_char(first17.as_bytes()).unwrap();
    p["company"]["uscc"] = format!("{first17}{check}").into();
    p["company"]["name"] = "临海市东湖出海贸易有限公司".into();
    p["company"]["district"] = "临海市".into();
    p["facts"]["intl_trademark_fee"] = "123456.78".into();
    p["facts"]["patent_application_fee"] = "9876.5".into();
    let f = dir.join("hidden.json");
    std::fs::write(&f, p.to_string()).unwrap();
    f
}

/// The outline's titles, in order (lopdf: Catalog /Outlines, First, Next…).
fn outline(pdf: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let catalog = doc.catalog().unwrap();
    let outlines = doc.get_dictionary(catalog.get(b"Outlines").unwrap().as_reference().unwrap()).unwrap();
    let mut next = outlines.get(b"First").ok().and_then(|o| o.as_reference().ok());
    let mut titles = Vec::new();
    while let Some(id) = next {
        let d = doc.get_dictionary(id).unwrap();
        let raw = d.get(b"Title").unwrap().as_str().unwrap();
        let units: Vec<u16> =
            raw.strip_prefix(&[0xFE, 0xFF][..]).unwrap_or(raw).chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        titles.push(String::from_utf16(&units).unwrap());
        next = d.get(b"Next").ok().and_then(|o| o.as_reference().ok());
    }
    titles
}

#[test]
fn the_packet_holds_every_figure_its_working_and_contents_that_point_at_the_right_pages() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let profile = hidden_profile(dir.path());
    ok(&ws, &["import", s(&profile)]);
    let evidence = dir.path().join("商标注册发票.pdf");
    std::fs::write(&evidence, b"%PDF-1.4 an invoice for the trade mark fee").unwrap();
    let sha = butie_store::sha256_hex(&std::fs::read(&evidence).unwrap());
    let added =
        ok(&ws, &["evidence", "add", "--company", "1", "--year", "2025", "--clause", "tz.brand.trademark", "--item", "3", s(&evidence)]);
    assert!(added.contains(&sha), "{added}");
    ok(
        &ws,
        &["materials", "set", "--company", "1", "--year", "2025", "--clause", "tz.brand.trademark", "--item", "1", "--status", "已准备"],
    );
    ok(
        &ws,
        &[
            "materials",
            "set",
            "--company",
            "1",
            "--year",
            "2025",
            "--clause",
            "tz.brand.patent",
            "--item",
            "2",
            "--status",
            "not_applicable",
        ],
    );
    // A rejected claim is not filed again.
    ok(&ws, &["claim", "set", "--company", "1", "--year", "2025", "--clause", "tz.platform.livestream", "--status", "rejected"]);
    let shown = ok(&ws, &["materials", "show", "--company", "1", "--year", "2025"]);
    assert!(shown.contains("tz.brand.trademark 商标国际注册一次性扶持（2/3）"), "{shown}");
    assert!(!shown.contains("tz.platform.livestream"), "{shown}");

    let pdf = dir.path().join("packet.pdf");
    let report = ok(&ws, &["packet", "--company", "1", "--year", "2025", "--out", s(&pdf)]);
    assert!(report.contains("9 项申报"), "{report}");
    let ev: Value = serde_json::from_str(&ok(&ws, &["evaluate", "--company", "1", "--year", "2025", "--json"])).unwrap();
    let filed: Vec<&Value> =
        ev["clauses"].as_array().unwrap().iter().filter(|c| c["status"] == "eligible" && c["id"] != "tz.platform.livestream").collect();
    assert_eq!(filed.len(), 9);

    let text = tool("pdftotext", &["-layout", s(&pdf), "-"]);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let all = squeeze(&text);
    for needle in ["临海市东湖出海贸易有限公司", "91331082MA2K7Q3R5", "目录", "测算说明", "材料清单", "承诺书", "【解释】", &sha]
    {
        assert!(all.contains(&squeeze(needle)), "{needle} missing");
    }
    assert!(!all.contains("跨境直播合作支持申报表"), "the rejected clause is not filed");
    let packs = butie::bundled_packs().unwrap();
    for c in &filed {
        let (_, clause) = butie::engine::find_clause(&packs, c["id"].as_str().unwrap()).unwrap();
        assert!(all.contains(&squeeze(&clause.quote)), "the quote of {}", clause.id);
        if let Some(a) = c["amount"].as_str() {
            let d: rust_decimal::Decimal = a.parse().unwrap();
            assert!(all.contains(&squeeze(&butie::money::fmt_grouped(d))), "{a} in figures");
            assert!(all.contains(&butie::money::to_chinese_upper(d)), "{a} in 大写");
        }
    }
    assert!(all.contains("123,456.78元×50%=61,728.39元"), "the working of the trade mark fee");

    // The contents: each entry's page is the page its heading is on.
    let toc = pages[1];
    let mut part = 0;
    let mut checked = 0;
    for line in toc.lines() {
        let l = line.trim();
        let Some(num) = l.split_whitespace().last().and_then(|n| n.parse::<usize>().ok()) else { continue };
        let title: String = l.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end().trim_end_matches(['·', ' ']).to_string();
        let heading = if let Some(rest) = title.strip_prefix("第") {
            part += 1;
            squeeze(&format!("第{rest}"))
        } else {
            match part {
                1 => squeeze(title.split_once(". ").map(|x| x.1).unwrap_or(&title)),
                2 => squeeze(&format!("测算说明 {title}")),
                3 => squeeze(&format!("材料清单 {title}")),
                _ => panic!("an entry outside the parts: {l}"),
            }
        };
        let found = pages.iter().enumerate().skip(2).find(|(_, p)| squeeze(p).contains(&heading)).map(|(i, _)| i + 1);
        assert_eq!(found, Some(num), "“{heading}” is listed on page {num}");
        checked += 1;
    }
    assert_eq!(checked, 4 + 3 * 9, "every part and clause is in the contents:\n{toc}");
    // Page numbers run over the whole packet.
    let n = pages.iter().filter(|p| !p.trim().is_empty()).count();
    assert!(squeeze(pages[n - 1]).contains(&format!("第{n}页/共{n}页")), "last page says 第 {n} 页 / 共 {n} 页");

    let info = tool("pdfinfo", &[s(&pdf)]);
    assert!(info.contains("临海市东湖出海贸易有限公司 2025 年度跨境电商补贴申报材料"), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Author:") && l.contains("临海市东湖出海贸易有限公司")), "{info}");
    assert!(info.lines().any(|l| l.starts_with("Creator:") && l.contains("补贴通 Butie")), "{info}");
    assert!(info.contains("2025"), "the creation date from SOURCE_DATE_EPOCH: {info}");

    let marks = outline(&pdf);
    // Parts, clauses three times, and 通用材料 (营业执照复印件, shared).
    assert_eq!(marks.len(), 2 + 4 + 3 * 9 + 1, "{marks:?}");
    assert_eq!(&marks[..3], ["01 封面", "02 目录", "03 第一部分 申报表"]);
    assert!(marks.iter().any(|m| m.ends_with("测算说明 2. 商标国际注册一次性扶持")), "{marks:?}");
    assert!(marks.last().unwrap().ends_with("第四部分 承诺书"), "{marks:?}");

    // The same inputs and SOURCE_DATE_EPOCH give the same bytes.
    let again = dir.path().join("again.pdf");
    ok(&ws, &["packet", "--company", "1", "--year", "2025", "--out", s(&again)]);
    assert_eq!(std::fs::read(&pdf).unwrap(), std::fs::read(&again).unwrap());
    // A profile file makes a packet too (materials all 未准备).
    let from_file = dir.path().join("file.pdf");
    ok(&ws, &["packet", "--profile", s(&profile), "--out", s(&from_file)]);
    assert!(squeeze(&tool("pdftotext", &[s(&from_file), "-"])).contains("【未准备】"));
}

/// Issue 24, item 12: 营业执照复印件, asked by every clause filed, is
/// attached once and listed once in the 材料清单 with the clauses it serves.
#[test]
fn a_document_several_clauses_ask_for_is_attached_once_and_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    let profile = hidden_profile(dir.path());
    ok(&ws, &["import", s(&profile)]);
    let licence = dir.path().join("营业执照副本.pdf");
    std::fs::write(&licence, b"%PDF-1.4 the business licence").unwrap();
    let sha = butie_store::sha256_hex(&std::fs::read(&licence).unwrap());
    ok(&ws, &["evidence", "add", "--company", "1", "--year", "2025", "--clause", "tz.brand.trademark", "--item", "1", s(&licence)]);
    // Every clause that lists it sees it ready with the one file.
    let m: Value = serde_json::from_str(&ok(&ws, &["materials", "show", "--company", "1", "--year", "2025", "--json"])).unwrap();
    let clauses = m.as_array().unwrap();
    assert_eq!(clauses.len(), 10, "the trade mark, the patent… (none rejected here)");
    let with: Vec<&Value> =
        clauses.iter().filter_map(|c| c["materials"].as_array().unwrap().iter().find(|i| i["item"] == "营业执照复印件")).collect();
    assert!(with.len() >= 2, "{m}");
    for i in &with {
        assert_eq!(i["status"], "ready");
        assert_eq!(i["shared"], "营业执照复印件");
        assert_eq!(i["evidence"].as_array().unwrap().len(), 1);
        assert_eq!(i["evidence"][0]["sha256"], sha.as_str());
    }

    let pdf = dir.path().join("packet.pdf");
    ok(&ws, &["packet", "--company", "1", "--year", "2025", "--out", s(&pdf)]);
    let all = squeeze(&tool("pdftotext", &["-layout", s(&pdf), "-"]));
    let list = &all[all.rfind("第三部分").unwrap()..all.rfind("第四部分").unwrap()];
    assert_eq!(list.matches("营业执照复印件").count(), 1, "listed once:\n{list}");
    assert_eq!(all.matches(&sha).count(), 1, "its file once");
    assert!(list.contains("通用材料1.营业执照复印件【已准备】"), "{list}");
    assert!(list.contains(&format!("用于{}项申报：", with.len())), "{list}");
    assert!(list.contains("商标国际注册一次性扶持（tz.brand.trademark）"), "the clauses it serves, by title and id: {list}");
    assert_eq!(list.matches("见通用材料1【已准备】").count(), with.len(), "each clause's list points at it");

    // Removed once: gone from every clause.
    let id = with[0]["evidence"][0]["id"].as_i64().unwrap().to_string();
    ok(&ws, &["evidence", "remove", "--id", &id]);
    let m: Value = serde_json::from_str(&ok(&ws, &["materials", "show", "--company", "1", "--year", "2025", "--json"])).unwrap();
    assert!(m.to_string().matches("\"evidence\":[]").count() >= with.len(), "{m}");
    assert!(!m.to_string().contains(&sha));
}

#[test]
fn evidence_survives_backup_restore_export_and_import_and_a_big_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/taizhou-sample.json"]);
    // 10 MB of varied bytes.
    let big: Vec<u8> = (0..10 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let f = dir.path().join("合同扫描件.bin");
    std::fs::write(&f, &big).unwrap();
    let sha = butie_store::sha256_hex(&big);
    ok(
        &ws,
        &["evidence", "add", "--company", "1", "--year", "2025", "--clause", "tz.brand.trademark", "--item", "商标国际注册证书", s(&f)],
    );

    let too_big = dir.path().join("录像.mp4");
    let file = std::fs::File::create(&too_big).unwrap();
    file.set_len(60 * 1024 * 1024).unwrap();
    let (code, _, err) = butie_env(
        &[
            "--workspace",
            s(&ws),
            "evidence",
            "add",
            "--company",
            "1",
            "--year",
            "2025",
            "--clause",
            "tz.brand.trademark",
            "--item",
            "1",
            s(&too_big),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("60.0 MB") && err.contains("50.0 MB") && err.lines().count() == 1, "{err}");

    let check = |w: &Path| {
        let m: Value = serde_json::from_str(&ok(w, &["materials", "show", "--company", "1", "--year", "2025", "--json"])).unwrap();
        let tm = m.as_array().unwrap().iter().find(|c| c["clause"] == "tz.brand.trademark").unwrap();
        let item = &tm["materials"][1];
        assert_eq!(item["status"], "ready", "attaching marks it ready");
        assert_eq!(item["evidence"][0]["sha256"], sha.as_str());
        let id = item["evidence"][0]["id"].as_i64().unwrap().to_string();
        let out = w.with_extension(format!("{id}.bin"));
        ok(w, &["evidence", "save", "--id", &id, "--out", s(&out)]);
        assert_eq!(std::fs::read(&out).unwrap(), big, "the bytes come back intact");
    };
    check(&ws);

    let backup = dir.path().join("backup.sqlite");
    ok(&ws, &["backup", "--out", s(&backup)]);
    let fresh = dir.path().join("fresh.sqlite");
    ok(&fresh, &["restore", s(&backup)]);
    check(&fresh);

    let export = dir.path().join("all.json");
    ok(&ws, &["export", "--all", "--out", s(&export)]);
    let other = dir.path().join("other.sqlite");
    ok(&other, &["import", s(&export)]);
    check(&other);
    // A damaged export (one byte of the evidence changed) imports nothing.
    let text = std::fs::read_to_string(&export).unwrap();
    let i = text.find("\"data_base64\": \"").unwrap() + 20;
    let mut bad = text.into_bytes();
    bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
    let bad_file = dir.path().join("bad.json");
    std::fs::write(&bad_file, bad).unwrap();
    let third = dir.path().join("third.sqlite");
    let (code, _, err) = butie_env(&["--workspace", s(&third), "import", s(&bad_file)], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("SHA-256"), "{err}");
}

#[test]
fn filing_windows_are_listed_with_the_days_left_and_bad_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/taizhou-sample.json"]);
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    let say = ok(
        &ws,
        &[
            "deadline",
            "set",
            "--company",
            "1",
            "--year",
            "2025",
            "--pack",
            "taizhou-cbec-2025",
            "--start",
            "2099-01-01",
            "--end",
            "2099-03-31",
            "--notice",
            "关于组织申报2025年度跨境电商扶持资金的通知",
        ],
    );
    assert!(say.contains("2099-03-31") && say.contains("还剩"), "{say}");
    ok(
        &ws,
        &[
            "deadline",
            "set",
            "--company",
            "2",
            "--year",
            "2024",
            "--pack",
            "chengdu-cbec-2023",
            "--end",
            "2020-06-30",
            "--notice",
            "成都市商务局通知",
        ],
    );
    let all = ok(&ws, &["deadlines"]);
    let lines: Vec<&str> = all.lines().collect();
    assert_eq!(lines.len(), 2, "{all}");
    assert!(lines[0].contains("2020-06-30") && lines[0].contains("已逾期"), "soonest first, overdue said: {all}");
    let soon = ok(&ws, &["deadlines", "--within", "30"]);
    assert!(soon.contains("成都") && !soon.contains("台州"), "{soon}");
    let json: Value = serde_json::from_str(&ok(&ws, &["deadlines", "--json"])).unwrap();
    assert!(json[0]["days_left"].as_i64().unwrap() < 0);

    for (args, want) in [
        (vec!["--end", "2025-02-30", "--notice", "x"], "不是有效日期"),
        (vec!["--start", "2025-06-01", "--end", "2025-05-01", "--notice", "x"], "早于开始日期"),
        (vec!["--end", "2025-05-01", "--notice", " "], "deadline.notice"),
    ] {
        let mut a = vec!["--workspace", s(&ws), "deadline", "set", "--company", "1", "--year", "2025", "--pack", "taizhou-cbec-2025"];
        a.extend(args);
        let (code, _, err) = butie_env(&a, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want) && err.lines().count() == 1, "{want}: {err}");
    }
    let (code, _, err) = butie_env(
        &[
            "--workspace",
            s(&ws),
            "deadline",
            "set",
            "--company",
            "1",
            "--year",
            "2025",
            "--pack",
            "nope",
            "--end",
            "2025-05-01",
            "--notice",
            "x",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("taizhou-cbec-2025"), "the packs known are named: {err}");
}

/// What a careless or hostile clerk found (issue 13's review).
#[test]
fn the_packet_files_what_evaluate_counts_and_papers_stay_with_filed_clauses() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/chengdu-sample.json"]);
    ok(&ws, &["import", "samples/taizhou-sample.json"]);
    // 就高不重复: the clause set aside is not filed, and the total is evaluate's.
    let pdf = dir.path().join("cd.pdf");
    ok(&ws, &["packet", "--company", "1", "--year", "2024", "--out", s(&pdf)]);
    let text = squeeze(&tool("pdftotext", &[s(&pdf), "-"]));
    assert!(text.contains("测算金额合计：人民币3,944,000.00元"), "the cover's total is evaluate's");
    assert!(!text.contains("“四川造”跨境电商出口奖励申报表"), "the lower award is not filed");
    // Papers only for clauses filed this year, packs that apply.
    let f = dir.path().join("x.pdf");
    std::fs::write(&f, b"%PDF-1.4 x").unwrap();
    for args in [
        vec!["evidence", "add", "--company", "1", "--year", "2024", "--clause", "cd.transform.sichuan_made", "--item", "1", s(&f)],
        vec!["materials", "set", "--company", "2", "--year", "2025", "--clause", "tz.entity.new_store", "--item", "1", "--status", "ready"],
        vec!["deadline", "set", "--company", "2", "--year", "2025", "--pack", "chengdu-cbec-2023", "--end", "2026-03-31", "--notice", "x"],
        vec!["deadline", "set", "--company", "2", "--year", "2030", "--pack", "taizhou-cbec-2025", "--end", "2031-03-31", "--notice", "x"],
    ] {
        let mut a = vec!["--workspace", s(&ws)];
        a.extend(args.iter().copied());
        let (code, _, err) = butie_env(&a, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    // An empty file proves nothing.
    let empty = dir.path().join("empty.pdf");
    std::fs::write(&empty, b"").unwrap();
    let (code, _, err) = butie_env(
        &[
            "--workspace",
            s(&ws),
            "evidence",
            "add",
            "--company",
            "2",
            "--year",
            "2025",
            "--clause",
            "tz.brand.trademark",
            "--item",
            "1",
            s(&empty),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("空文件"), "{err}");
    // SOURCE_DATE_EPOCH dates documents, not today.
    ok(
        &ws,
        &["deadline", "set", "--company", "2", "--year", "2025", "--pack", "taizhou-cbec-2025", "--end", "2020-01-01", "--notice", "通知"],
    );
    let (_, out, _) = butie_env(&["--workspace", s(&ws), "deadlines"], &[("SOURCE_DATE_EPOCH", "0")]);
    assert!(out.contains("已逾期"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_an_error_not_a_crash() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.sqlite");
    ok(&ws, &["import", "samples/taizhou-sample.json"]);
    // 发票.pdf in GBK, as unzipped from a Windows archive.
    let name = std::ffi::OsStr::from_bytes(b"\xb7\xa2\xc6\xb1.pdf");
    let f = dir.path().join(name);
    std::fs::write(&f, b"%PDF-1.4 gbk").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_butie"))
        .args([
            "--workspace",
            s(&ws),
            "evidence",
            "add",
            "--company",
            "1",
            "--year",
            "2025",
            "--clause",
            "tz.brand.trademark",
            "--item",
            "3",
        ])
        .arg(&f)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(101), "no panic: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.code().is_some());
}

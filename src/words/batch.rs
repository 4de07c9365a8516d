//! Words for a `butie batch` run: what it did (stdout), the rows refused
//! and the notes (stderr).

use super::say;
use crate::ops::batch::{BatchOutcome, RegionNote, RowError};
use crate::ops::files::shown;
use butie_core::policy::Lang;
use butie_store::RowSaved;

/// A refused row: row, column, message.
pub fn error_line(e: &RowError, lang: Lang) -> String {
    say(lang, format!("第{}行 {}: {}", e.row, e.column, e.message), format!("row {}, {}: {}", e.row, e.column, e.message))
}

/// A row whose credit code names another place.
pub fn note_line(n: &RegionNote, lang: Lang) -> String {
    let (row, column, place, city, district) = (n.row, &n.column, &n.code_place, &n.city, &n.district);
    say(
        lang,
        format!("第{row}行 {column}: 提示：信用代码的行政区划码对应{place}，与所填{city}{district}不一致，请核对（仍按所填测算）"),
        format!("row {row}, {column}: note: the credit code's division is {place}, not {city} {district} as given; please check (evaluated as given)"),
    )
}

fn saved_word(what: &RowSaved, lang: Lang) -> String {
    match what {
        RowSaved::Added(id) => say(lang, format!("新增企业 #{id}"), format!("added company #{id}")),
        RowSaved::Updated(id) => say(lang, format!("已更新企业 #{id}"), format!("updated company #{id}")),
        RowSaved::Unchanged(id) => {
            say(lang, format!("企业 #{id} 已是这些内容，未改动"), format!("company #{id} unchanged (already holds this)"))
        }
    }
}

/// What the run did, for stdout, and the lines for stderr.
pub fn report(o: &BatchOutcome, lang: Lang) -> (String, Vec<String>) {
    let mut stdout = String::new();
    let mut stderr: Vec<String> = o.errors.iter().map(|e| error_line(e, lang)).collect();
    stderr.extend(o.notes.iter().map(|n| note_line(n, lang)));
    if o.unlisted > 0 {
        stderr.push(crate::ops::batch::unlisted_line(o.unlisted, lang));
    }
    if let Some(ws) = &o.created_workspace {
        stdout.push_str(&say(lang, format!("已新建工作区 {}\n", shown(ws)), format!("created the workspace {}\n", shown(ws))));
    }
    if let Some((ws, saved)) = &o.saved {
        for s in saved {
            let (row, who, year, what) = (s.row, &s.who, s.year, saved_word(&s.saved, lang));
            stdout.push_str(&say(lang, format!("第{row}行 {who}（{year} 年度）：{what}\n"), format!("row {row} {who} ({year}): {what}\n")));
        }
        let list: Vec<RowSaved> = saved.iter().map(|s| s.saved).collect();
        let (added, updated, same) = crate::ops::batch::count_companies(&list);
        let ws = shown(ws);
        stdout.push_str(&say(
            lang,
            format!("已保存到工作区 {ws}：新增 {added} 家，更新 {updated} 家，未改动 {same} 家（一次事务）\n"),
            format!("saved in the workspace {ws}: {added} added, {updated} updated, {same} unchanged (one transaction)\n"),
        ));
    }
    if let Some(p) = &o.pdf {
        for (row, e) in &p.failed {
            let m = e.message(lang);
            stderr.push(say(lang, format!("第{row}行 PDF 未写出: {m}"), format!("row {row}: PDFs not written: {m}")));
        }
        let (n, files, dir) = (p.companies, p.files, shown(&p.dir));
        stdout.push_str(&say(
            lang,
            format!("PDF：{n} 家企业，{files} 个文件，写入 {dir}\n"),
            format!("PDFs: {n} companies, {files} files, in {dir}\n"),
        ));
    }
    let (done, refused, read, out) = (o.evaluated, o.read - o.evaluated, o.read, shown(&o.out));
    stdout.push_str(&say(
        lang,
        format!("已测算 {done} 行，拒绝 {refused} 行（共 {read} 行）；结果写入 {out}\n"),
        format!("evaluated {done} rows, rejected {refused} (of {read}); results in {out}\n"),
    ));
    (stdout, stderr)
}

//! The application packet: one bound PDF with a cover, a table of contents
//! whose page numbers are those where each part really starts, one form per
//! clause filed, the calculation annex (the quoted text, the working step
//! by step, the interpretations marked), the materials with their status
//! and evidence files (name, size, SHA-256), and one signed commitment.
//! Bookmarks for every part and clause; title, author, creator and
//! creation date in the document information.
//!
//! Laid out in one pass: the cover, then as many empty pages as the
//! contents will take (every entry is one line, so that is known before),
//! then the body, noting the page each heading lands on; the contents are
//! drawn last into the pages kept for them.

use crate::layout::{Column, Writer, LEFT, RIGHT, TOP, WIDTH};
use crate::{
    amount_lines, applicant_cols, applicant_rows, commitment_text, new_doc, save, signature_boxes, write_form, Evaluated, Fonts, PdfError,
};
use butie_core::engine::{ClauseResult, Evaluation, Status};
use butie_core::explain;
use butie_core::money::fmt_grouped;
use butie_core::policy::{Clause, Lang, Pack};
use butie_core::profile::Profile;
use printpdf::PdfDocument;
use rust_decimal::Decimal;

/// Where one material stands, as the packet prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialLine {
    pub item: String,
    /// 已准备 / 未准备 / 不适用.
    pub status: String,
    /// (file name, size in bytes, SHA-256 hex) of each evidence file.
    pub files: Vec<(String, u64, String)>,
    /// In a clause's list: the shared document it is (its place, from 0,
    /// in [`PacketInput::shared`]), printed there once, not again here.
    pub shared: Option<usize>,
}

/// What the packet needs beyond the evaluation.
#[derive(Debug, Clone, Default)]
pub struct PacketInput {
    /// The clauses filed, in order (eligible ones; the caller leaves out
    /// those the ledger marks rejected or withdrawn).
    pub filed: Vec<String>,
    /// Per clause filed, its materials in the policy file's order.
    pub materials: Vec<(String, Vec<MaterialLine>)>,
    /// The documents several clauses share (营业执照复印件), each once, with
    /// the ids of the clauses filed that it serves.
    pub shared: Vec<(MaterialLine, Vec<String>)>,
    /// The creation time written into the document (Unix seconds, UTC).
    pub created_unix: i64,
    /// The date printed on the cover: "2026 年 11 月 26 日".
    pub date_text: String,
    pub version: String,
}

/// The contents' lines per page (each entry is one line).
const TOC_LINES: usize = 34;
const TOC_LH: f32 = 19.0;

struct Entry {
    text: String,
    page: usize,
    sub: bool,
}

/// A clause filed: its result, its pack and the clause itself.
type Filed<'a> = (&'a ClauseResult<'a>, &'a Pack, &'a Clause);

/// Where each part and clause starts: the entries of the contents and the
/// bookmarks, in the order they are laid out.
struct Outline {
    entries: Vec<Entry>,
    marks: Vec<(String, usize)>,
}

impl Outline {
    fn new(toc_first: usize) -> Self {
        Outline { entries: Vec::new(), marks: vec![("01 封面".into(), 1), ("02 目录".into(), toc_first)] }
    }

    /// A bookmark, numbered in order.
    fn mark(&mut self, name: String, page: usize) {
        let k = self.marks.len() + 1;
        self.marks.push((format!("{k:02} {name}"), page));
    }

    /// A clause's line in the contents and its bookmark.
    fn clause(&mut self, text: String, mark: String, page: usize) {
        self.entries.push(Entry { text, page, sub: true });
        self.mark(mark, page);
    }
}

/// The packet as PDF bytes.
pub fn packet(fonts: &Fonts, cx: &Evaluated, input: &PacketInput) -> Result<Vec<u8>, PdfError> {
    let ev = cx.evaluation;
    let p = cx.profile;
    let filed = filed_clauses(ev, input)?;
    let title = format!("{} {} 年度跨境电商补贴申报材料", p.company.name, ev.year);
    let (mut doc, mut w) = new_doc(fonts, &title, footer(ev, &filed));
    document_info(&mut doc, p, ev.year, input)?;
    cover(&mut w, p, ev.year, input, &filed);
    let (toc_first, toc_pages) = keep_contents_pages(&mut w, filed.len());
    let mut outline = Outline::new(toc_first);
    forms(&mut w, cx, &filed, &mut outline);
    annex(&mut w, ev, &filed, &mut outline);
    materials(&mut w, input, &filed, &mut outline);
    commitment(&mut w, p, &filed, &mut outline);
    contents(&mut w, &outline.entries, toc_first, toc_pages);
    for (name, page) in &outline.marks {
        doc.add_bookmark(name, *page);
    }
    Ok(save(doc, w))
}

/// The clauses to file, each eligible; at least one.
fn filed_clauses<'a>(ev: &'a Evaluation, input: &PacketInput) -> Result<Vec<Filed<'a>>, PdfError> {
    let mut filed = Vec::new();
    for id in &input.filed {
        let r = ev.clause(id).ok_or_else(|| PdfError::NoSuchClause { clause: id.to_string() })?;
        if r.status != Status::Eligible {
            return Err(PdfError::NotInPacket { clause: id.to_string() });
        }
        let (pack, clause) = (r.pack, r.clause);
        filed.push((r, pack, clause));
    }
    if filed.is_empty() {
        return Err(PdfError::NothingToFile);
    }
    Ok(filed)
}

/// Every page's footer: the reservation, and the packs the filed clauses come from.
fn footer(ev: &Evaluation, filed: &[Filed]) -> String {
    format!(
        "补贴通生成 · 测算结果仅供参考，以主管部门核定为准 · {}",
        ev.packs
            .iter()
            .map(|pr| pr.pack)
            .filter(|k| filed.iter().any(|(_, pk, _)| pk.id == k.id))
            .map(crate::pack_stamp)
            .collect::<Vec<_>>()
            .join("；")
    )
}

/// Author, subject, creator and dates in the document information.
fn document_info(doc: &mut PdfDocument, p: &Profile, year: i32, input: &PacketInput) -> Result<(), PdfError> {
    let info = &mut doc.metadata.info;
    info.author = p.company.name.clone();
    info.subject = format!("{year} 年度跨境电商补贴申报");
    info.creator = format!("补贴通 Butie {}", input.version);
    let when =
        printpdf::OffsetDateTime::from_unix_timestamp(input.created_unix).map_err(|e| PdfError::BadDate { detail: e.to_string() })?;
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;
    Ok(())
}

/// The cover: the applicant, the clauses filed with their figures, the total.
fn cover(w: &mut Writer, p: &Profile, year: i32, input: &PacketInput, filed: &[Filed]) {
    let total: Decimal = filed.iter().filter_map(|(r, _, _)| r.amount).sum();
    w.space(90.0);
    w.centered("跨境电商补贴申报材料", 24.0, true);
    w.space(10.0);
    w.centered(&format!("{year} 年度"), 14.0, false);
    w.space(40.0);
    let cover_rows = vec![
        vec!["申报单位".to_string(), p.company.name.clone()],
        vec!["统一社会信用代码".to_string(), p.company.uscc.clone().unwrap_or_default()],
        vec!["申报年度".to_string(), format!("{year} 年度")],
        vec!["联系人".to_string(), p.company.contact.clone().unwrap_or_default()],
        vec!["联系电话".to_string(), p.company.phone.clone().unwrap_or_default()],
        vec!["日期".to_string(), input.date_text.clone()],
    ];
    let cols = vec![
        Column { title: String::new(), width: 120.0, right: false },
        Column { title: String::new(), width: WIDTH - 120.0, right: false },
    ];
    w.table(&cols, &cover_rows, 11.0, false);
    w.space(16.0);
    w.para("申报项目：", 11.0, true, 0.0);
    let item_cols = vec![
        Column { title: "序号".into(), width: 34.0, right: false },
        Column { title: "申报项目".into(), width: WIDTH - 34.0 - 110.0 - 120.0, right: false },
        Column { title: "条款".into(), width: 110.0, right: false },
        Column { title: "测算金额（元）".into(), width: 120.0, right: true },
    ];
    let items: Vec<Vec<String>> = filed
        .iter()
        .enumerate()
        .map(|(i, (r, _, c))| {
            let amount = match (r.amount, r.amount_max) {
                (Some(a), _) => fmt_grouped(a),
                (None, Some(m)) => format!("最高 {}", fmt_grouped(m)),
                (None, None) => "由主管部门核定".into(),
            };
            vec![format!("{}", i + 1), c.title.zh.clone(), c.place.clone(), amount]
        })
        .collect();
    w.table(&item_cols, &items, 9.5, true);
    w.space(6.0);
    if total.is_zero() && filed.iter().all(|(r, _, _)| r.amount_max.is_none()) {
        w.para(crate::NO_FIGURE_TOTAL, 11.0, true, 0.0);
    } else {
        crate::total_lines(w, total);
    }
    w.space(10.0);
    w.para("本材料由补贴通根据企业填报的数据和政策原文测算生成，测算结果仅供参考，以主管部门核定为准。", 8.5, false, 0.0);
}

/// Pages kept for the contents, one line per entry: the first one's number
/// and how many.
fn keep_contents_pages(w: &mut Writer, filed: usize) -> (usize, usize) {
    let entries_count = 4 + 3 * filed;
    let toc_pages = entries_count.div_ceil(TOC_LINES);
    w.new_page();
    let toc_first = w.page_number();
    for _ in 0..toc_pages {
        w.new_page();
    }
    (toc_first, toc_pages)
}

/// A part's title at the top of the page, with its entry and bookmark.
fn part_title(w: &mut Writer, outline: &mut Outline, title: &str) {
    let page = w.page_number();
    outline.entries.push(Entry { text: title.into(), page, sub: false });
    // The bookmark takes a plain space where the page has an ideographic one.
    outline.mark(title.replace('　', " "), page);
    w.centered(title, 16.0, true);
}

/// Part one: the forms, each on its own pages.
fn forms(w: &mut Writer, cx: &Evaluated, filed: &[Filed], outline: &mut Outline) {
    for (i, (r, pack, clause)) in filed.iter().enumerate() {
        w.fresh_page();
        let page = w.page_number();
        if i == 0 {
            part_title(w, outline, "第一部分　申报表");
            w.space(6.0);
        }
        outline.clause(format!("{}. {}申报表", i + 1, clause.title.zh), format!("申报表 {}. {}", i + 1, clause.title.zh), page);
        write_form(w, cx, r, pack, clause, false);
    }
}

/// Part two: how each figure was reached.
fn annex(w: &mut Writer, ev: &Evaluation, filed: &[Filed], outline: &mut Outline) {
    w.fresh_page();
    part_title(w, outline, "第二部分　测算说明");
    w.para(
        "以下逐项列出测算所依据的政策原文、计算过程（含封顶和舍入）及测算所依据的解释。金额按政策原文和企业填报数据计算，仅供参考，以主管部门核定为准。",
        9.0,
        false,
        0.0,
    );
    for (i, (r, pack, clause)) in filed.iter().enumerate() {
        w.ensure(120.0);
        w.space(6.0);
        let heading = format!("测算说明 {}. {}", i + 1, clause.title.zh);
        // The heading and its first lines stay together on one page.
        w.ensure(60.0);
        let page = w.page_number();
        w.section(&heading);
        outline.clause(format!("{}. {}", i + 1, clause.title.zh), heading, page);
        w.para(&format!("政策依据：《{}》{}（条款 {}）", pack.document.zh, clause.place, clause.id), 9.5, true, 0.0);
        w.para(&format!("原文：“{}”", clause.quote), 9.0, false, 8.0);
        w.para("计算过程：", 9.5, true, 0.0);
        for (k, t) in explain::trace(ev, r, Lang::Zh).iter().enumerate() {
            w.para(&format!("{}. {t}", k + 1), 9.0, false, 8.0);
        }
        for line in amount_lines(clause, r) {
            w.para(&line, 10.0, true, 0.0);
        }
        let interpretations = explain::interpretations(ev, r, Lang::Zh);
        if interpretations.is_empty() {
            w.para("本项测算未依据任何解释，按原文直接计算。", 8.5, false, 0.0);
        } else {
            w.para("【解释】本项测算依据以下对原文的解释（原文不明确之处所作的一种理解，请以主管部门口径为准）：", 9.0, true, 0.0);
            for t in interpretations {
                w.para(&format!("【解释】{t}"), 9.0, false, 8.0);
            }
        }
    }
}

/// Part three: the materials, with their evidence: first the documents
/// several clauses share, each once with the clauses it serves, then each
/// clause's list, where a shared document is a reference to its number.
fn materials(w: &mut Writer, input: &PacketInput, filed: &[Filed], outline: &mut Outline) {
    w.fresh_page();
    part_title(w, outline, "第三部分　材料清单");
    w.para(
        "每项材料的准备情况；已附证明文件的，列出文件名、大小和 SHA-256 校验值，供核对所附文件与工作区中保存的是否一致。",
        9.0,
        false,
        0.0,
    );
    shared_materials(w, input, filed, outline);
    for (i, (_, _, clause)) in filed.iter().enumerate() {
        w.ensure(80.0);
        let heading = format!("材料清单 {}. {}", i + 1, clause.title.zh);
        let page = w.page_number();
        w.section(&heading);
        outline.clause(format!("{}. {}", i + 1, clause.title.zh), heading, page);
        let lines = input.materials.iter().find(|(c, _)| *c == clause.id).map(|(_, l)| l.as_slice()).unwrap_or(&[]);
        if lines.is_empty() {
            w.para("政策文件未列出该项的申报材料，请按申报通知准备。", 9.0, false, 0.0);
        }
        let (ready, total) = (lines.iter().filter(|m| m.status == "已准备").count(), lines.iter().filter(|m| m.status != "不适用").count());
        if !lines.is_empty() {
            w.para(&format!("已准备 {ready} / {total} 项（不适用的不计）"), 9.0, true, 0.0);
        }
        for (k, m) in lines.iter().enumerate() {
            match m.shared {
                Some(n) => w.para(&format!("{}. 见通用材料 {}　【{}】", k + 1, n + 1, m.status), 9.5, false, 0.0),
                None => material_entry(w, &format!("{}. {}", k + 1, m.item), m),
            }
        }
    }
}

/// The shared documents, once each, with the clauses filed they serve.
fn shared_materials(w: &mut Writer, input: &PacketInput, filed: &[Filed], outline: &mut Outline) {
    if input.shared.is_empty() {
        return;
    }
    w.ensure(80.0);
    let page = w.page_number();
    w.section("通用材料");
    outline.mark("通用材料".into(), page);
    w.para("以下材料为多项申报共用，只提交一份；各条款清单中以“见通用材料 N”指明。", 9.0, false, 0.0);
    for (n, (m, clauses)) in input.shared.iter().enumerate() {
        w.ensure(60.0);
        material_entry(w, &format!("通用材料 {}. {}", n + 1, m.item), m);
        let serves: Vec<String> = clauses
            .iter()
            .map(|id| match filed.iter().position(|(_, _, c)| c.id == *id) {
                Some(i) => format!("{}. {}（{id}）", i + 1, filed[i].2.title.zh),
                None => id.clone(),
            })
            .collect();
        w.para(&format!("用于 {} 项申报：{}", clauses.len(), serves.join("；")), 8.5, false, 16.0);
    }
}

/// A material's line, then each of its evidence files with its hash.
fn material_entry(w: &mut Writer, label: &str, m: &MaterialLine) {
    w.para(&format!("{label}　【{}】", m.status), 9.5, false, 0.0);
    for (name, size, sha) in &m.files {
        // A file's name and its hash on one page.
        w.ensure(8.5 * 1.55 * 2.0 + 8.0 * 1.55);
        w.para(&format!("证明文件：{name}（{} 字节）", fmt_bytes(*size)), 8.5, false, 16.0);
        w.para(&format!("SHA-256：{sha}"), 8.0, false, 16.0);
    }
}

/// Part four: one commitment for everything filed.
fn commitment(w: &mut Writer, p: &Profile, filed: &[Filed], outline: &mut Outline) {
    w.fresh_page();
    part_title(w, outline, "第四部分　承诺书");
    w.space(10.0);
    let list: Vec<String> = filed.iter().map(|(_, _, c)| format!("“{}”", c.title.zh)).collect();
    w.para(&commitment_text(&list.join("、")), 10.5, false, 0.0);
    w.space(8.0);
    w.table(&applicant_cols(), &applicant_rows(p), 9.5, false);
    signature_boxes(w);
}

/// The contents, drawn last into the `toc_pages` pages kept for them from
/// page `toc_first`.
fn contents(w: &mut Writer, entries: &[Entry], toc_first: usize, toc_pages: usize) {
    let mut t = w.sibling();
    for (k, chunk) in entries.chunks(TOC_LINES).enumerate() {
        if k > 0 {
            t.new_page();
        }
        if k == 0 {
            t.centered("目　录", 18.0, true);
            t.space(10.0);
        }
        for e in chunk {
            t.y -= TOC_LH;
            let size = if e.sub { 10.0 } else { 11.0 };
            let x = if e.sub { LEFT + 22.0 } else { LEFT };
            let num = e.page.to_string();
            let num_w = t.faces.width(&num, size, false);
            let room = RIGHT - x - num_w - 40.0;
            let text = fit(&t, &e.text, size, !e.sub, room);
            t.text_at(x, t.y, &text, size, !e.sub);
            // Dot leaders from the entry to its page number.
            let start = x + t.faces.width(&text, size, !e.sub) + 6.0;
            let dot_w = t.faces.width("·", size, false).max(1.0);
            let count = ((RIGHT - num_w - 6.0 - start) / dot_w).floor().max(0.0) as usize;
            t.text_at(start, t.y, &"·".repeat(count), size, false);
            t.text_at(RIGHT - num_w, t.y, &num, size, false);
        }
    }
    debug_assert!(t.y <= TOP);
    for (k, ops) in t.into_raw_pages().into_iter().enumerate().take(toc_pages) {
        w.put_page(toc_first + k, ops);
    }
}

/// `text` cut with "…" to fit `room` points.
fn fit(w: &Writer, text: &str, size: f32, bold: bool, room: f32) -> String {
    if w.faces.width(text, size, bold) <= room {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if w.faces.width(&format!("{out}{c}…"), size, bold) > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn fmt_bytes(n: u64) -> String {
    fmt_grouped(Decimal::from(n)).trim_end_matches(".00").to_string()
}

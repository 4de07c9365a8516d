//! Butie's PDFs: one application form (申报表) per eligible clause and one
//! summary report per company and year, in Chinese, on A4, written with
//! printpdf. The CJK font ships with the app (assets/fonts, OFL) and is
//! embedded as a subset, so every machine prints the same pages.
//!
//! Amounts arrive as `Decimal` from the engine and are only formatted here
//! (grouped 元 and 大写); nothing is recomputed.

mod glyphs;
mod layout;
mod packet;

use butie_core::engine::{ClauseResult, Evaluation, Status};
use butie_core::explain;
use butie_core::money::{fmt_grouped, fmt_wan, to_chinese_upper};
use butie_core::policy::{Clause, FactKind, Figure, Frequency, Lang, Pack};
use butie_core::profile::{FactValue, Profile};
use layout::{Column, Faces, Writer, LEFT, RIGHT, WIDTH};
use printpdf::{ParsedFont, PdfDocument, PdfSaveOptions};
use std::fmt;
use std::path::{Path, PathBuf};

pub use glyphs::{drawable, Instead, SUBSTITUTES};
pub use layout::{PAGE_H, PAGE_W};
pub use packet::{packet, MaterialLine, PacketInput};

/// Why a PDF cannot be made, with its data; `message` says it in either
/// language.
#[derive(Debug)]
pub enum PdfError {
    /// A font file that is not a font the writer can read.
    FontUnparsable { name: &'static str },
    /// A font file that cannot be read.
    FontUnreadable { path: PathBuf, source: std::io::Error },
    /// A font file larger than any font the writer takes ([`MAX_FONT_BYTES`]),
    /// or not a regular file: refused before it is read.
    FontTooLarge { path: PathBuf, limit: u64 },
    /// The fonts that come with the program are nowhere to be found.
    FontsNotFound { file: &'static str },
    /// The evaluation has no such clause.
    NoSuchClause { clause: String },
    /// A form or packet part asked for a clause that is not eligible.
    NotEligible { clause: String },
    /// The packet was asked to file a clause that is not eligible.
    NotInPacket { clause: String },
    /// No policy pack was given.
    NoPacks,
    /// A packet without one clause that can be filed.
    NothingToFile,
    /// The document date is not a date.
    BadDate { detail: String },
}

impl PdfError {
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            PdfError::FontUnparsable { name } => {
                if zh {
                    format!("字体文件无法解析: {name}")
                } else {
                    format!("the font file cannot be read as a font: {name}")
                }
            }
            PdfError::FontUnreadable { path, source } => {
                if zh {
                    format!("字体文件 {} 无法读取: {source}", path.display())
                } else {
                    format!("the font file {} cannot be read: {source}", path.display())
                }
            }
            PdfError::FontTooLarge { path, limit } => {
                if zh {
                    format!("字体文件 {} 不是普通文件或超过 {} MB，未读取", path.display(), limit / (1024 * 1024))
                } else {
                    format!("the font file {} is not a regular file or is over {} MB; not read", path.display(), limit / (1024 * 1024))
                }
            }
            PdfError::FontsNotFound { file } => {
                if zh {
                    format!("找不到随程序附带的字体 {file}（可用环境变量 BUTIE_FONT_DIR 指定字体目录）")
                } else {
                    format!("the fonts that come with the program ({file}) are not found (BUTIE_FONT_DIR names a fonts folder)")
                }
            }
            PdfError::NoSuchClause { clause } => {
                if zh {
                    format!("测算结果中没有条款 {clause}")
                } else {
                    format!("the evaluation has no clause {clause}")
                }
            }
            PdfError::NotEligible { clause } => {
                if zh {
                    format!("条款 {clause} 不符合条件，不生成申报表")
                } else {
                    format!("clause {clause} is not eligible; no form is made for it")
                }
            }
            PdfError::NotInPacket { clause } => {
                if zh {
                    format!("条款 {clause} 不符合条件，不列入申报材料")
                } else {
                    format!("clause {clause} is not eligible; it is not put in the packet")
                }
            }
            PdfError::NoPacks => (if zh { "没有政策包" } else { "no policy pack" }).to_string(),
            PdfError::NothingToFile => (if zh {
                "没有可申报的条款：申报材料至少要有一项符合条件且未被驳回或撤回的条款"
            } else {
                "nothing to file: the packet needs at least one eligible clause that was not rejected or withdrawn"
            })
            .to_string(),
            PdfError::BadDate { detail } => {
                if zh {
                    format!("文档日期无效: {detail}")
                } else {
                    format!("the document date is not valid: {detail}")
                }
            }
        }
    }
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for PdfError {}

/// The fonts folder of the desktop app's bundle (Tauri's resource path),
/// set once at start-up by the shell: the PDF writer does no path lookups
/// of its own through Tauri.
static RESOURCE_DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Say where the app's bundle keeps its fonts (first call wins).
pub fn set_resource_dir(dir: PathBuf) {
    let _ = RESOURCE_DIR.set(dir);
}

pub const REGULAR_FILE: &str = "NotoSansSC-Regular.otf";
pub const BOLD_FILE: &str = "NotoSansSC-Bold.otf";

/// The shipped faces, parsed once and reused for every document.
pub struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// The largest font file read (the shipped faces are a few MB each).
pub const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

impl Fonts {
    pub fn from_bytes(regular: &[u8], bold: &[u8]) -> Result<Self, PdfError> {
        let parse = |b: &[u8], name: &'static str| ParsedFont::from_bytes(b, 0, &mut Vec::new()).ok_or(PdfError::FontUnparsable { name });
        Ok(Fonts { regular: parse(regular, REGULAR_FILE)?, bold: parse(bold, BOLD_FILE)? })
    }

    /// Load the faces from a folder holding the two shipped files.
    pub fn load_dir(dir: &Path) -> Result<Self, PdfError> {
        let read = |f: &str| -> Result<Vec<u8>, PdfError> {
            let path = dir.join(f);
            // Looked at before it is read: a 4 GB file (or a FIFO) is refused at once.
            let meta = std::fs::metadata(&path).map_err(|source| PdfError::FontUnreadable { path: path.clone(), source })?;
            if !meta.is_file() || meta.len() > MAX_FONT_BYTES {
                return Err(PdfError::FontTooLarge { path, limit: MAX_FONT_BYTES });
            }
            std::fs::read(&path).map_err(|source| PdfError::FontUnreadable { path, source })
        };
        Self::from_bytes(&read(REGULAR_FILE)?, &read(BOLD_FILE)?)
    }

    /// Find the app's own font folder, in this order: `$BUTIE_FONT_DIR`;
    /// the folder the desktop app's bundle put them in (its resource path,
    /// see [`set_resource_dir`]); `fonts/` beside the executable (a copied
    /// or Windows build); `../share/butie/fonts` and `../lib/butie/fonts`
    /// from it (an installed CLI). Only a program built in this source tree
    /// and run from its own `target/` folder also looks at the tree's
    /// `assets/fonts`: an installed or copied binary never walks up to
    /// wherever it was built.
    pub fn locate() -> Option<PathBuf> {
        let mut candidates = Vec::new();
        if let Some(d) = std::env::var_os("BUTIE_FONT_DIR") {
            candidates.push(PathBuf::from(d));
        }
        if let Some(d) = RESOURCE_DIR.get() {
            candidates.push(d.clone());
        }
        let exe = std::env::current_exe().ok();
        if let Some(dir) = exe.as_deref().and_then(Path::parent) {
            candidates.push(dir.join("fonts"));
            candidates.push(dir.join("../share/butie/fonts"));
            candidates.push(dir.join("../lib/butie/fonts"));
        }
        let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        if let (Some(exe), Ok(target)) = (exe.as_deref(), tree.join("target").canonicalize()) {
            let built_here = exe.canonicalize().is_ok_and(|e| e.starts_with(&target))
                || std::env::var_os("CARGO_TARGET_DIR").is_some_and(|t| Path::new(&t).canonicalize().is_ok_and(|t| exe.starts_with(t)));
            if built_here {
                candidates.push(tree.join("assets/fonts"));
            }
        }
        candidates.into_iter().find(|d| d.join(REGULAR_FILE).is_file() && d.join(BOLD_FILE).is_file())
    }

    pub fn load_default() -> Result<Self, PdfError> {
        let dir = Self::locate().ok_or(PdfError::FontsNotFound { file: REGULAR_FILE })?;
        Self::load_dir(&dir)
    }

    /// The characters of `text` that would print as a crossed box: those
    /// that, after [`SUBSTITUTES`], the regular or the bold face has no
    /// glyph for (each once, in order). A line break is not drawn (the
    /// layout breaks the line there), so it is never reported.
    pub fn undrawable(&self, text: &str) -> Vec<char> {
        let mut out = Vec::new();
        for c in drawable(text).chars() {
            if c != '\n' && !self.has_glyph(c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// Whether both faces have a glyph for `c` as it is (no substitution).
    pub fn has_glyph(&self, c: char) -> bool {
        [&self.regular, &self.bold].iter().all(|f| f.lookup_glyph_index(c as u32).is_some())
    }
}

/// Everything a document needs about one evaluation.
pub struct Evaluated<'a> {
    pub packs: &'a [Pack],
    pub profile: &'a Profile,
    pub evaluation: &'a Evaluation<'a>,
}

fn new_doc<'f>(fonts: &'f Fonts, title: &str, footer: String) -> (PdfDocument, Writer<'f>) {
    let mut doc = PdfDocument::new(title);
    // The producer is how a later run knows a PDF in the folder as one of
    // Butie's own (see `is_ours`).
    doc.metadata.info.producer = PRODUCER.to_string();
    doc.metadata.info.creator = format!("补贴通 Butie {}", env!("CARGO_PKG_VERSION"));
    let regular_id = doc.add_font(&fonts.regular);
    let bold_id = doc.add_font(&fonts.bold);
    let w = Writer::new(Faces { regular: &fonts.regular, bold: &fonts.bold, regular_id, bold_id, advances: Default::default() }, footer);
    (doc, w)
}

fn save(mut doc: PdfDocument, w: Writer) -> Vec<u8> {
    let pages = w.finish();
    let opts = PdfSaveOptions { subset_fonts: true, ..PdfSaveOptions::default() };
    doc.with_pages(pages).save(&opts, &mut Vec::new())
}

fn or_blank(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn applicant_rows(p: &Profile) -> Vec<Vec<String>> {
    let c = &p.company;
    vec![
        vec!["企业名称".into(), c.name.clone(), "统一社会信用代码".into(), or_blank(&c.uscc)],
        vec!["注册地".into(), format!("{}{}", c.city, c.district), "法定代表人".into(), or_blank(&c.legal_rep)],
        vec!["联系人".into(), or_blank(&c.contact), "联系电话".into(), or_blank(&c.phone)],
        vec!["开户银行".into(), or_blank(&c.bank), "银行账号".into(), or_blank(&c.bank_account)],
    ]
}

fn applicant_cols() -> Vec<Column> {
    vec![
        // Wide enough for 统一社会信用代码 on one line.
        Column { title: String::new(), width: 62.0, right: false },
        Column { title: String::new(), width: 190.0, right: false },
        Column { title: String::new(), width: 94.0, right: false },
        Column { title: String::new(), width: WIDTH - 346.0, right: false },
    ]
}

fn show_fact(pack: &Pack, key: &str, v: &FactValue) -> String {
    let Some(def) = pack.facts.get(key) else { return String::new() };
    match v {
        FactValue::Bool(b) => if *b { "是" } else { "否" }.into(),
        FactValue::Enum(s) => def.options.get(s).map(|o| o.zh.clone()).unwrap_or_else(|| s.clone()),
        FactValue::Num(d) => match def.kind {
            FactKind::Money => format!("{} 元", fmt_grouped(*d)),
            FactKind::MoneyUsd => format!("{} 美元", fmt_grouped(*d)),
            _ => format!("{} {}", butie_core::money::fmt_number(*d), def.unit.zh).trim().to_string(),
        },
        FactValue::List(items) => {
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, rec)| {
                    let fields: Vec<String> = rec
                        .iter()
                        .map(|(k, d)| {
                            let fd = def.fields.get(k);
                            let label = fd.map(|f| f.label.zh.as_str()).unwrap_or(k);
                            let val = match fd.map(|f| f.kind) {
                                Some(FactKind::Money) => format!("{} 元", fmt_grouped(*d)),
                                _ => format!("{} {}", butie_core::money::fmt_number(*d), fd.map(|f| f.unit.zh.as_str()).unwrap_or("")),
                            };
                            format!("{label} {}", val.trim())
                        })
                        .collect();
                    format!("#{}：{}", i + 1, fields.join("，"))
                })
                .collect();
            if parts.is_empty() {
                "（无）".into()
            } else {
                parts.join("\n")
            }
        }
    }
}

fn footer(pack: &Pack) -> String {
    format!(
        "补贴通生成 · 测算结果仅供参考，以主管部门核定为准 · 政策包 {} 版本 {} · sha256:{}{}",
        pack.id,
        pack.version,
        butie_core::short_hash(&pack.content_hash),
        unverified_mark(pack)
    )
}

/// A pack as a footer names it: id, version, short SHA-256 and its marks.
fn pack_stamp(k: &Pack) -> String {
    format!("{} {} sha256:{}{}", k.id, k.version, butie_core::short_hash(&k.content_hash), unverified_mark(k))
}

/// " · 未验证" for an imported pack no trusted key signed, " · 征求意见稿"
/// for a draft for comments.
fn unverified_mark(pack: &Pack) -> &'static str {
    match (pack.unverified, pack.draft.is_some()) {
        (true, true) => " · 未验证（无受信任的签名） · 征求意见稿（尚未正式印发）",
        (true, false) => " · 未验证（无受信任的签名）",
        (false, true) => " · 征求意见稿（尚未正式印发）",
        (false, false) => "",
    }
}

/// What a total says when every eligible clause publishes no figure.
pub(crate) const NO_FIGURE_TOTAL: &str = "测算金额合计：符合条件的措施均未公布具体标准，金额由主管部门核定（本程序不测算金额）";

/// A total in 元 and 万元, then in 大写.
pub(crate) fn total_lines(w: &mut Writer, total: rust_decimal::Decimal) {
    w.para(&format!("测算金额合计：人民币 {} 元（{} 万元）", fmt_grouped(total), fmt_wan(total)), 11.0, true, 0.0);
    w.para(&format!("大写：人民币{}", to_chinese_upper(total)), 10.0, false, 0.0);
}

/// The claim block's amount lines, in 元 and in 大写.
fn amount_lines(clause: &Clause, r: &ClauseResult) -> Vec<String> {
    match (clause.figure, r.amount, r.amount_max) {
        (Figure::Exact, Some(a), Some(m)) if m > a => vec![
            format!("测算申请金额：人民币 {} 元（{} 万元），尚有未填数据，最高可达 {} 元", fmt_grouped(a), fmt_wan(a), fmt_grouped(m)),
            format!("大写：人民币{}", to_chinese_upper(a)),
        ],
        (Figure::Exact, Some(a), _) => vec![
            format!("测算申请金额：人民币 {} 元（{} 万元）", fmt_grouped(a), fmt_wan(a)),
            format!("大写：人民币{}", to_chinese_upper(a)),
        ],
        (_, _, Some(m)) => vec![
            format!("最高可申请金额：人民币 {} 元（{} 万元），实际金额以主管部门核定为准", fmt_grouped(m), fmt_wan(m)),
            format!("大写：人民币{}", to_chinese_upper(m)),
        ],
        _ => vec!["政策未公布具体金额，由主管部门核定。".into()],
    }
}

/// One application form for one eligible clause.
pub fn application_form(fonts: &Fonts, cx: &Evaluated, clause_id: &str) -> Result<Vec<u8>, PdfError> {
    let (doc, w) = form_pages(fonts, cx, clause_id)?;
    Ok(save(doc, w))
}

/// The form laid out, not yet saved.
fn form_pages<'f>(fonts: &'f Fonts, cx: &Evaluated, clause_id: &str) -> Result<(PdfDocument, Writer<'f>), PdfError> {
    let r = cx.evaluation.clause(clause_id).ok_or_else(|| PdfError::NoSuchClause { clause: clause_id.to_string() })?;
    if r.status != Status::Eligible {
        return Err(PdfError::NotEligible { clause: clause_id.to_string() });
    }
    // The version that computed this year (Pack::for_year), not merely the newest.
    let (pack, clause) = (r.pack, r.clause);
    let title = format!("{}申报表", clause.title.zh);
    let (doc, mut w) = new_doc(fonts, &title, footer(pack));
    write_form(&mut w, cx, r, pack, clause, true);
    Ok((doc, w))
}

/// One clause's form into `w`: applicant, the claim with its working, the
/// policy basis, the materials and (`commitment`) the signed commitment.
fn write_form(w: &mut Writer, cx: &Evaluated, r: &ClauseResult, pack: &Pack, clause: &Clause, commitment: bool) {
    let ev = cx.evaluation;
    let p = cx.profile;
    let title = format!("{}申报表", clause.title.zh);

    w.centered(&pack.document.zh, 10.0, false);
    w.centered(&title, 17.0, true);
    w.centered(&format!("条款：{}（{}）　　测算年度：{} 年度", clause.place, clause.id, ev.year), 9.5, false);
    w.space(4.0);

    w.section("一、申报单位信息");
    w.table(&applicant_cols(), &applicant_rows(p), 9.5, false);
    if let Some(a) = &clause.applicant {
        w.space(2.0);
        w.para(&format!("申报主体：{}", a.zh), 9.0, false, 0.0);
    }

    w.section("二、申报事项");
    w.para(&format!("申报事项：{}", clause.title.zh), 10.0, true, 0.0);
    let facts: Vec<Vec<String>> = clause
        .fact_keys()
        .into_iter()
        .filter_map(|k| {
            let v = p.facts.get(k)?;
            let label = pack.facts.get(k).map(|d| d.label.zh.clone()).unwrap_or_else(|| k.to_string());
            Some(vec![label, show_fact(pack, k, v)])
        })
        .collect();
    if !facts.is_empty() {
        w.space(4.0);
        let cols = vec![
            Column { title: "申报数据".into(), width: WIDTH * 0.55, right: false },
            Column { title: "填报值".into(), width: WIDTH * 0.45, right: true },
        ];
        w.table(&cols, &facts, 9.5, true);
    }
    w.space(4.0);
    w.para("计算过程：", 10.0, true, 0.0);
    for t in explain::trace(ev, r, Lang::Zh) {
        w.para(&format!("· {t}"), 9.0, false, 8.0);
    }
    w.space(4.0);
    for line in amount_lines(clause, r) {
        w.para(&line, 11.0, true, 0.0);
    }
    for reason in explain::reasons(ev, r, Lang::Zh).iter().skip(1) {
        w.para(reason, 9.0, false, 0.0);
    }
    if let Some(x) = r.excluded_by.map(|s| &s.winner.id) {
        w.para(&format!("注意：本项与 {x} 不重复享受，按就高原则建议申报金额较高的一项。"), 9.0, true, 0.0);
    }

    w.section("三、政策依据");
    w.para(&format!("《{}》{}：", pack.document.zh, clause.place), 9.5, true, 0.0);
    w.para(&format!("“{}”", clause.quote), 9.5, false, 8.0);
    w.para(&format!("发文单位：{}（{}）；有效期 {} 至 {}。", pack.issuer, pack.issued, pack.valid_from, pack.valid_to), 8.5, false, 0.0);
    let frequency = match clause.frequency {
        Frequency::OneTime => "一次性（原文写明）",
        Frequency::Annual => "按年度（原文写明）",
        Frequency::NotStated => "原文未规定",
    };
    w.para(&format!("频次：{frequency}。"), 8.5, false, 0.0);

    w.section("四、申报材料清单");
    w.checklist(&clause.attachments, 9.5);
    if let Some(a) = &pack.application {
        w.space(2.0);
        w.para(&a.zh, 8.5, false, 0.0);
    }
    if !commitment {
        return;
    }

    // The commitment letter with signature and seal boxes stays on one page.
    w.ensure(250.0);
    w.section("五、承诺书");
    w.para(&commitment_text(&format!("“{}”", clause.title.zh)), 10.0, false, 0.0);
    signature_boxes(w);
}

fn commitment_text(what: &str) -> String {
    format!(
        "本单位郑重承诺：本次申报{what}所填报的信息及提交的材料真实、准确、完整，\
         不存在虚报、冒领、重复申报等行为；本单位未列入严重失信名单、联合惩戒目录等名单；\
         同一事项不重复享受财政奖补。如有不实，本单位愿承担相应法律责任，并退回已获得的资金。"
    )
}

/// Signature and seal boxes, then the date line.
fn signature_boxes(w: &mut Writer) {
    w.space(14.0);
    let top = w.y;
    let box_w = (WIDTH - 20.0) / 2.0;
    w.rect(LEFT, top, box_w, 120.0, None);
    w.text_at(LEFT + 8.0, top - 18.0, "法定代表人（签字）：", 10.0, false);
    w.rect(LEFT + box_w + 20.0, top, box_w, 120.0, None);
    w.text_at(LEFT + box_w + 28.0, top - 18.0, "单位（盖章）：", 10.0, false);
    w.y = top - 120.0;
    w.space(22.0);
    w.text_at(RIGHT - 170.0, w.y, "日期：        年      月      日", 10.0, false);
    w.space(6.0);
}

fn status_label(r: &ClauseResult) -> String {
    if let Some(x) = r.excluded_by.map(|s| &s.winner.id) {
        return format!("就高排除（取 {x}）");
    }
    explain::status_word(r.status, false, Lang::Zh).into()
}

/// The summary report of a company and year: every clause with status,
/// amount, ceiling and reason; interpretations marked; totals.
pub fn summary_report(fonts: &Fonts, cx: &Evaluated) -> Result<Vec<u8>, PdfError> {
    let (doc, w) = summary_pages(fonts, cx)?;
    Ok(save(doc, w))
}

/// The summary laid out, not yet saved.
fn summary_pages<'f>(fonts: &'f Fonts, cx: &Evaluated) -> Result<(PdfDocument, Writer<'f>), PdfError> {
    let ev = cx.evaluation;
    let p = cx.profile;
    let title = format!("{} 年度跨境电商补贴测算汇总", ev.year);
    if cx.packs.is_empty() {
        return Err(PdfError::NoPacks);
    }
    let foot = format!(
        "补贴通生成 · 测算结果仅供参考，以主管部门核定为准 · {}",
        // The packs that gave this company's figures, in the versions used.
        ev.packs.iter().filter(|pr| pr.status.applies()).map(|pr| pr.pack).map(pack_stamp).collect::<Vec<_>>().join("；")
    );
    let (doc, mut w) = new_doc(fonts, &title, foot);
    w.centered(&p.company.name, 11.0, false);
    w.centered(&title, 17.0, true);
    w.space(4.0);

    w.section("一、企业信息");
    w.table(&applicant_cols(), &applicant_rows(p), 9.5, false);

    w.section("二、政策适用情况");
    for pr in &ev.packs {
        let name = &pr.pack.document.zh;
        // The note says the status in its own words (适用：…, 本政策只适用于…,
        // …不在有效期内): no second status word before it.
        w.para(&format!("《{name}》：{}", explain::pack_note(ev, pr, Lang::Zh)), 9.0, false, 0.0);
        if let Some(rule) = explain::principle(pr, Lang::Zh) {
            w.para(&rule, 9.0, true, 8.0);
        }
    }

    w.section("三、逐条测算结果");
    let cols = vec![
        Column { title: "条款".into(), width: 124.0, right: false },
        Column { title: "状态".into(), width: 50.0, right: false },
        Column { title: "测算金额(元)".into(), width: 72.0, right: true },
        Column { title: "上限(元)".into(), width: 72.0, right: true },
        Column { title: "理由".into(), width: WIDTH - 318.0, right: false },
    ];
    let mut rows = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for pr in ev.packs.iter().filter(|pr| pr.status.applies()) {
        for r in ev.clauses.iter().filter(|c| c.pack.id == pr.pack.id) {
            let clause = r.clause;
            let interpretations = explain::interpretations(ev, r, Lang::Zh);
            let mark = if interpretations.is_empty() { "" } else { " ※" };
            let amount = match (r.status, r.amount, r.amount_max) {
                (Status::Eligible, Some(a), _) => fmt_grouped(a),
                (Status::Eligible, None, Some(_)) => "由主管部门核定".into(),
                (Status::Eligible, None, None) if !clause.monetary => "不涉及资金".into(),
                (Status::Eligible, None, None) => "未公布".into(),
                _ => String::new(),
            };
            let max = r.amount_max.map(fmt_grouped).unwrap_or_default();
            let why = match r.status {
                Status::Eligible => explain::headline(ev, r, Lang::Zh),
                _ => explain::reasons(ev, r, Lang::Zh).join("；"),
            };
            rows.push(vec![format!("{}{mark}\n{} {}", clause.title.zh, clause.place, clause.id), status_label(r), amount, max, why]);
            for i in &interpretations {
                notes.push(format!("※ {}（{}）：{i}", clause.title.zh, clause.id));
            }
        }
    }
    w.table(&cols, &rows, 8.0, true);

    w.section("四、合计");
    let eligible_without_figures = ev.clauses.iter().any(|c| c.status == Status::Eligible && c.amount_max.is_none());
    if ev.total_max.is_zero() && eligible_without_figures {
        // Only clauses that publish no figure (reference packs): 零元整 on a
        // page to be signed would read as "nothing is due".
        w.para(NO_FIGURE_TOTAL, 11.0, true, 0.0);
    } else {
        total_lines(&mut w, ev.total);
    }
    w.para(
        &format!(
            "含“只规定上限”条款的最高合计：人民币 {} 元（{} 万元）；大写：人民币{}",
            fmt_grouped(ev.total_max),
            fmt_wan(ev.total_max),
            to_chinese_upper(ev.total_max)
        ),
        9.5,
        false,
        0.0,
    );
    w.para("被“就高不重复”原则排除的条款、不符合及待补充的条款不计入合计。", 8.5, false, 0.0);

    let open = butie_core::engine::open_questions(ev);
    if !open.is_empty() {
        w.section("五、待补充的信息");
        let labels: Vec<String> = open
            .iter()
            .map(|k| cx.packs.iter().find_map(|pk| pk.facts.get(*k)).map(|d| d.label.zh.clone()).unwrap_or_else(|| k.to_string()))
            .collect();
        w.checklist(&labels, 9.0);
    }
    if !notes.is_empty() {
        w.section("附：对政策原文的解释（※）");
        for n in &notes {
            w.para(n, 8.5, false, 0.0);
        }
    }
    Ok((doc, w))
}

/// Every piece of text the documents of [`render_all`] draw (the summary,
/// then each eligible clause's form, footers and page numbers included),
/// exactly as handed to the font, without saving anything. For checks such
/// as glyph coverage ([`Fonts::undrawable`]).
pub fn drawn_texts(fonts: &Fonts, cx: &Evaluated) -> Result<Vec<String>, PdfError> {
    let mut writers = vec![summary_pages(fonts, cx)?.1];
    for r in cx.evaluation.clauses.iter().filter(|c| c.status == Status::Eligible) {
        writers.push(form_pages(fonts, cx, &r.clause.id)?.1);
    }
    let mut out = Vec::new();
    for w in writers {
        for page in w.finish() {
            for op in page.ops {
                if let printpdf::Op::ShowText { items } = op {
                    out.extend(items.into_iter().filter_map(|i| match i {
                        printpdf::TextItem::Text(t) => Some(t),
                        _ => None,
                    }));
                }
            }
        }
    }
    Ok(out)
}

/// Make a file name part safe on every OS while keeping Chinese readable:
/// path separators and characters Windows forbids become `_`; control
/// characters and bidirectional-text controls (U+200E/F, U+202A–U+202E,
/// U+2066–U+2069, U+061C, which can make `gpj.exe` read as `exe.jpg`) are
/// removed; leading and trailing dots and spaces are trimmed; at most
/// [`MAX_NAME_BYTES`] bytes, cut on a character boundary.
pub fn safe_file_name(s: &str) -> String {
    let cleaned: String =
        s.chars().filter(|c| !butie_core::profile::is_control_char(*c)).map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
    let trimmed = cleaned.trim().trim_matches('.').trim();
    cut_bytes(trimmed, MAX_NAME_BYTES).trim_end_matches(['.', ' ']).to_string()
}

/// The longest file name this crate makes, in bytes (file systems allow
/// 255; the writer adds a temporary prefix and suffix).
pub const MAX_NAME_BYTES: usize = 150;
/// The company's share of a form's file name, in bytes (21 Chinese characters).
const COMPANY_BYTES: usize = 63;
/// The clause title's share of a form's file name, in bytes.
const TITLE_BYTES: usize = 60;

/// `s` cut to at most `max` bytes on a character boundary.
fn cut_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// FNV-1a: a short, stable tag for a name (not for security).
fn fnv1a(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x100000001b3))
}

/// A rendered document and the file name it is written under.
pub struct Rendered {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// `stem.ext`, at most [`MAX_NAME_BYTES`] bytes, different (ignoring case,
/// as Windows and macOS do) from every name in `taken`.
fn unique_name(stem: &str, ext: &str, taken: &mut Vec<String>) -> String {
    for n in 1.. {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        let room = MAX_NAME_BYTES - ext.len() - suffix.len();
        let name = format!("{}{suffix}{ext}", cut_bytes(stem, room).trim_end_matches(['.', ' ']));
        let key = name.to_lowercase();
        if !taken.contains(&key) {
            taken.push(key);
            return name;
        }
    }
    unreachable!("some suffix is free")
}

const PRODUCER: &str = concat!("Butie ", env!("CARGO_PKG_VERSION"));

/// Whether PDF bytes were written by Butie (any version).
pub fn is_ours(bytes: &[u8]) -> bool {
    // printpdf writes the producer as UTF-16 in hex: "Butie " is this.
    const MARK: &[u8] = b"/Producer<FEFF004200750074006900650020";
    bytes.starts_with(b"%PDF-") && bytes.windows(MARK.len()).any(|w| w == MARK)
}

/// The start every file name of a company-year's PDF set shares:
/// `2025-公司名-` (the name made safe and cut as [`render_all`] does).
pub fn file_prefix(profile: &Profile, year: i32) -> String {
    format!("{year}-{}-", company_part(profile))
}

/// Whether `name` is a form file name this company-year's set could have
/// had: its prefix, two digits, a clause title of `packs` as forms name it
/// (or its start, when the name was cut), `-申报表`, an optional `-N`,
/// `.pdf`. Another company whose name begins with this one's and a dash
/// (甲 / 甲-分公司, ACME / ACME-Export) never matches.
pub fn is_form_name_of(name: &str, profile: &Profile, year: i32, packs: &[Pack]) -> bool {
    let Some(rest) = name.strip_prefix(&file_prefix(profile, year)).and_then(|r| r.strip_suffix(".pdf")) else { return false };
    let rest = match rest.rsplit_once('-') {
        Some((stem, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && stem.ends_with("-申报表") => stem,
        _ => rest,
    };
    let Some((nn, title)) = rest.strip_suffix("-申报表").and_then(|r| r.split_once('-')) else { return false };
    if nn.len() != 2 || !nn.bytes().all(|b| b.is_ascii_digit()) || title.is_empty() {
        return false;
    }
    packs.iter().flat_map(|p| &p.clauses).any(|c| {
        let full = safe_file_name(&c.title.zh);
        cut_bytes(&full, TITLE_BYTES).trim_end_matches(['.', ' ']).starts_with(title)
    })
}

fn company_part(profile: &Profile) -> String {
    let full = safe_file_name(&profile.company.name);
    let mut company = cut_bytes(&full, COMPANY_BYTES).trim_end_matches(['.', ' ']).to_string();
    if company.len() < full.len() {
        // Two long names that begin alike must not share files in one folder:
        // a cut name carries the credit code's tail, or a hash of the name.
        let tag = match &profile.company.uscc {
            Some(u) => u.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect::<String>(),
            None => format!("{:08x}", fnv1a(profile.company.name.as_bytes()) as u32),
        };
        company = format!("{}~{tag}", cut_bytes(&company, COMPANY_BYTES - 9).trim_end_matches(['.', ' ']));
    }
    if company.is_empty() {
        company = "企业".into();
    }
    company
}

/// Render the summary and one form per eligible clause in memory, with
/// their file names (safe, at most [`MAX_NAME_BYTES`] bytes, unique within
/// the set), summary first. Nothing is written: the caller writes each file
/// atomically once everything has rendered.
pub fn render_all(fonts: &Fonts, cx: &Evaluated) -> Result<Vec<Rendered>, PdfError> {
    let ev = cx.evaluation;
    let company = company_part(cx.profile);
    let mut taken = Vec::new();
    let mut out = Vec::new();
    let name = unique_name(&format!("{}-{company}-补贴测算汇总", ev.year), ".pdf", &mut taken);
    out.push(Rendered { file_name: name, bytes: summary_report(fonts, cx)? });
    // A measure each county sets the terms of is applied for locally: the
    // summary says where; no city-level form is made up for it.
    for (i, r) in ev.clauses.iter().filter(|c| c.status == Status::Eligible && c.clause.applied_locally.is_none()).enumerate() {
        let clause = r.clause;
        let bytes = application_form(fonts, cx, &clause.id)?;
        let title = safe_file_name(&clause.title.zh);
        let title = cut_bytes(&title, TITLE_BYTES).trim_end_matches(['.', ' ']);
        let name = unique_name(&format!("{}-{company}-{:02}-{title}-申报表", ev.year, i + 1), ".pdf", &mut taken);
        out.push(Rendered { file_name: name, bytes });
    }
    Ok(out)
}

#[cfg(test)]
mod error_tests {
    use super::*;

    #[test]
    fn a_huge_font_file_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        for f in [REGULAR_FILE, BOLD_FILE] {
            let file = std::fs::File::create(dir.path().join(f)).unwrap();
            // Sparse: 4 GB claimed, nothing written.
            file.set_len(4 * 1024 * 1024 * 1024).unwrap();
        }
        assert!(matches!(Fonts::load_dir(dir.path()), Err(PdfError::FontTooLarge { .. })));
    }

    #[test]
    fn every_error_reads_in_both_languages_on_one_line() {
        let all = [
            PdfError::FontUnparsable { name: REGULAR_FILE },
            PdfError::FontUnreadable { path: PathBuf::from("/f/x.ttf"), source: std::io::Error::from(std::io::ErrorKind::NotFound) },
            PdfError::FontsNotFound { file: REGULAR_FILE },
            PdfError::FontTooLarge { path: PathBuf::from("/f/x.ttf"), limit: MAX_FONT_BYTES },
            PdfError::NoSuchClause { clause: "tz.x".into() },
            PdfError::NotEligible { clause: "tz.x".into() },
            PdfError::NotInPacket { clause: "tz.x".into() },
            PdfError::NoPacks,
            PdfError::NothingToFile,
            PdfError::BadDate { detail: "x".into() },
        ];
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for e in &all {
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            assert!(cjk(&zh) && !zh.contains('\n'), "{e:?}: {zh}");
            assert!(!cjk(&en) && !en.contains('\n') && !en.is_empty(), "{e:?}: {en}");
        }
    }
}

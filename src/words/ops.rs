//! Words for the shared operations' [`Error`]: one line in the user's
//! language, one small function per kind; `message` only dispatches.

use super::say;
use crate::ops::batch::{RegionNote, RowError};
use crate::ops::files::shown;
use crate::ops::{Error, FileRole, Output, PackRefusal, SheetProblem};
use butie_core::policy::Lang;
use std::path::Path;

impl Error {
    /// One line (or, for a batch not saved, the notes then one line) in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::Store(e) => crate::words::store::store_message(e, lang),
            Error::File { role, error } => file(*role, error, lang),
            Error::Input(e) => e.message(lang),
            Error::Policy(e) => e.message(lang),
            Error::Pdf(e) => e.message(lang),
            Error::Sheet { path, problem } => format!("{}: {}", shown(path), sheet(problem, lang)),
            Error::Pack { name, refusal } => format!("{name}: {}", pack(refusal, lang)),
            Error::KeptPackChanged { pack, version } => kept_pack_changed(pack, version),
            Error::NothingToFile { year } => nothing_to_file(*year, lang),
            Error::NotFiled { clause, year } => not_filed(clause, *year, lang),
            Error::PackNotApplies { pack, year, applying } => pack_not_applies(pack, *year, applying, lang),
            Error::NotPdfName { path } => say(
                lang,
                format!("{}：申报材料应保存为 .pdf 文件", shown(path)),
                format!("{}: the packet is saved as a .pdf file", shown(path)),
            ),
            Error::NotOurs { path, kind } => not_ours(path, *kind, lang),
            Error::OutKind { flag, expected } => {
                say(lang, format!("{flag}: 应以 {} 结尾", zh_or_list(expected)), format!("{flag}: must end in {}", or_list(expected)))
            }
            Error::OutIsInput => say(lang, "--out 与 --in 是同一个文件，不会覆盖输入", "--out is the input file; it is not overwritten"),
            Error::NoJobs => say(lang, "--jobs: 至少为 1", "--jobs: at least 1"),
            Error::TooManyForXlsx { rows, per_row, max_rows } => too_many_for_xlsx(*rows, *per_row, *max_rows, lang),
            Error::Writer { what, detail } => format!("{what}: {detail}"),
            Error::ScratchFull { dir } => say(
                lang,
                format!("写表格时临时文件夹 {} 空间不足（或超出文件大小限制），未写出任何文件；请清理磁盘后重试", dir.display()),
                format!(
                    "the temporary folder {} ran out of space (or a file-size limit was hit) while writing the spreadsheet; nothing was written; free some space and try again",
                    dir.display()
                ),
            ),
            Error::NotSaved { out, rejected, notes, source } => not_saved(out, rejected, notes, source, lang),
        }
    }
    /// The exit code a command ends with: 2, the user's input or files.
    pub fn code(&self) -> i32 {
        2
    }
}

/// `.jsonl、.csv 或 .xlsx`
fn zh_or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} 或 {last}", init.join("、")),
    }
}

/// `.jsonl, .csv or .xlsx`
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The file's role said before the file's own problem ("profile x.json: no such file").
pub fn role_word(role: FileRole, lang: Lang) -> &'static str {
    let (zh, en) = match role {
        FileRole::Plain => ("", ""),
        FileRole::Profile => ("企业资料文件", "profile"),
        FileRole::Spreadsheet => ("表格文件", "spreadsheet"),
        FileRole::PackFile => ("政策包文件", "pack file"),
        FileRole::Signature => ("签名文件", "signature file"),
        FileRole::Evidence => ("证明文件", "evidence file"),
        FileRole::Policy => ("政策文件", "policy"),
        FileRole::Import => ("导入文件", "import file"),
        FileRole::CompanyJson => ("企业资料文件", "company JSON"),
        FileRole::FactsJson => ("事实文件", "facts JSON"),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

fn file(role: FileRole, e: &crate::ops::files::FileError, lang: Lang) -> String {
    use crate::ops::files::FileError as F;
    let what = role_word(role, lang);
    match e {
        // These name their own subject.
        F::Policy(_) | F::Pdf(_) | F::PolicyDirUnreadable { .. } | F::NoPolicyFiles { .. } => e.message(lang),
        _ if what.is_empty() => e.message(lang),
        _ => format!("{what} {}", e.message(lang)),
    }
}

fn sheet(p: &SheetProblem, lang: Lang) -> String {
    match p {
        SheetProblem::NotSpreadsheet => say(lang, "不是表格文件（应为 .xlsx 或 .csv）", "not a spreadsheet (.xlsx or .csv expected)"),
        SheetProblem::CsvNotUtf8 => say(
            lang,
            "不是 UTF-8 编码的 CSV（请在表格软件中另存为“CSV UTF-8（逗号分隔）”）",
            "not a UTF-8 CSV file (save it as \"CSV UTF-8\" in your spreadsheet program)",
        ),
        SheetProblem::Csv { detail } => say(lang, format!("无法按 CSV 读取（{detail}）"), format!("cannot be read as CSV ({detail})")),
        SheetProblem::FormulaWithoutValue { cell } => say(
            lang,
            format!("单元格 {cell} 是公式，但文件中没有它的计算结果（由不计算公式的程序写出）；请在表格软件中打开并保存后再导入"),
            format!("cell {cell} holds a formula saved without its result (written by a program that does not calculate); open and save the file in a spreadsheet program, then import it"),
        ),
        SheetProblem::XlsxTooLargeUnpacked { limit } => say(
            lang,
            format!("表格解压后超过 {} MB（或其中一部分超过 {} MB），未读取；请把企业分成几个表格导入", limit / (1024 * 1024), crate::ops::batch::XLSX_PART_LIMIT / (1024 * 1024)),
            format!(
                "the spreadsheet would unpack to more than {} MB (or one of its parts to more than {} MB); not read; split the companies over several sheets",
                limit / (1024 * 1024),
                crate::ops::batch::XLSX_PART_LIMIT / (1024 * 1024)
            ),
        ),
        SheetProblem::XlsxDamaged => say(
            lang,
            "不是可读取的 .xlsx 表格文件（文件已损坏，或是其他格式改成了 .xlsx 扩展名；请在表格软件中另存为 Excel 工作簿）",
            "not a readable .xlsx workbook (damaged, or another format renamed to .xlsx; save it as an Excel workbook)",
        ),
        SheetProblem::Xlsx { detail } => {
            say(lang, format!("不是可读取的 .xlsx 表格文件（{detail}）"), format!("not a readable .xlsx workbook ({detail})"))
        }
        SheetProblem::NoSheet => say(lang, "工作簿中没有工作表", "the workbook has no sheet"),
        SheetProblem::NoHeader => say(lang, "没有表头行（第一行应为列名）", "no header row (the first row names the columns)"),
        SheetProblem::HeaderlessColumn { column, row } => say(
            lang,
            format!("{column}列没有表头，但第{row}行在该列有内容"),
            format!("column {column} has no header but row {row} has something in it"),
        ),
        SheetProblem::UnknownColumn { text, column, suggestion } => {
            let (zh, en) = match suggestion {
                Some(s) => (format!("；是否想写 {s}？"), format!("; did you mean {s}?")),
                None => (
                    "（butie template 可生成带全部列的模板）".to_string(),
                    " (butie template writes a template with every column)".to_string(),
                ),
            };
            say(lang, format!("未知的列“{text}”（{column}列）{zh}"), format!("unknown column \"{text}\" (column {column}){en}"))
        }
        SheetProblem::DuplicateColumn { first, second, key } => say(
            lang,
            format!("{first}列和{second}列都是 {key}，只能有一列"),
            format!("columns {first} and {second} are both {key}; keep one"),
        ),
        SheetProblem::MissingColumn { key, label } => {
            say(lang, format!("缺少必需的列 {key}（{label}）"), format!("the column {key} is missing (it is required)"))
        }
        SheetProblem::NoUsccColumn => say(
            lang,
            "缺少 uscc（统一社会信用代码）列；保存时按信用代码匹配企业",
            "the uscc (credit code) column is missing; saving matches companies by it",
        ),
        SheetProblem::ChangedWhileRead => say(
            lang,
            "文件在读取过程中被改动了（可能仍在表格软件中保存）；结果未写出，请待文件保存完毕后重试",
            "the file changed while it was being read (perhaps still being saved); no results written; try again once it is saved",
        ),
        SheetProblem::UnclosedQuote { row } => say(
            lang,
            format!("第{row}行有一个引号没有闭合：其后各行都被读进了这一格，未测算；请检查该行的引号（单元格内不能换行）"),
            format!("row {row} opens a quote that is never closed: every line after it was read into that cell; nothing evaluated; check the quotes of that row (a cell cannot hold a line break)"),
        ),
        SheetProblem::RowTooLarge { row, limit } => say(
            lang,
            format!("第{row}行超过 {} MB（可能缺少一个结尾引号），未读取", limit / (1024 * 1024)),
            format!("row {row} is longer than {} MB (perhaps a closing quote is missing); not read", limit / (1024 * 1024)),
        ),
    }
}

fn pack(r: &PackRefusal, lang: Lang) -> String {
    match r {
        PackRefusal::SignatureNotMinisign => say(
            lang,
            "签名文件不是 minisign 签名（空、损坏或其他格式）；未导入",
            "the signature file is not a minisign signature (empty, damaged or another format); not imported",
        ),
        PackRefusal::BadSignature => say(
            lang,
            "签名无效：文件或签名中的可信注释在签名后被改动过，或签名属于另一个文件；未导入",
            "bad signature: the file or the signature's trusted comment was changed after signing, or the signature is another file's; not imported",
        ),
        PackRefusal::UnknownKey { key_id } => say(
            lang,
            format!("签名来自未受信任的公钥 {key_id}；如确认来源可靠，请先用 butie keys add 添加该公钥，或加 --allow-unsigned 以“未验证”导入"),
            format!("signed by a key this workspace does not trust ({key_id}); add it with butie keys add, or import it as unverified with --allow-unsigned"),
        ),
        PackRefusal::Unsigned => say(
            lang,
            "没有签名（.minisig）；如确认来源可靠，请加 --allow-unsigned 以“未验证”导入，其测算结果会标明“未验证”",
            "no signature (.minisig); to import it anyway add --allow-unsigned: its figures are then marked unverified",
        ),
        PackRefusal::NotSignatureFile => say(lang, "不是签名文件", "not a signature file"),
        PackRefusal::VersionNotDate { version } => say(
            lang,
            format!("版本 {version:?} 应为发布日期 YYYY-MM-DD（版本按日期比较新旧）；未导入"),
            format!("version {version:?} must be the issue date, YYYY-MM-DD (versions are compared as dates); not imported"),
        ),
        PackRefusal::CasesFail { failed, total, first } => say(
            lang,
            format!("政策包自带的 {total} 个测试用例中有 {failed} 个不通过，未导入：{}", first.join("；")),
            format!("{failed} of its {total} embedded cases fail; not imported: {}", first.join("; ")),
        ),
        PackRefusal::NotPublicKey => say(
            lang,
            "不是 minisign 公钥（应为 minisign.pub 文件或其中以 RW 开头的一行）",
            "not a minisign public key (a minisign.pub file or its line starting RW)",
        ),
        PackRefusal::NoSuchVersion { pack, which } => say(
            lang,
            format!("没有政策包 {pack} 的版本 {which}（butie policies versions 列出保存的版本）"),
            format!("no version {which} of pack {pack} (butie policies versions lists the versions kept)"),
        ),
    }
}

/// Said in both languages at once: it is found when the workspace is read,
/// before a language may be known to the caller.
fn kept_pack_changed(pack: &str, version: &str) -> String {
    format!(
        "政策包 {pack} 版本 {version} 在工作区中保存的内容与其 SHA-256 不符（工作区文件被改动过），请从备份恢复或重新导入 / the text kept for pack {pack} {version} does not match its SHA-256"
    )
}

fn nothing_to_file(year: i32, lang: Lang) -> String {
    say(
        lang,
        format!("{year} 年度没有可申报的条款：申报材料至少要有一项符合条件且未被驳回或撤回的条款"),
        format!("nothing to file for {year}: a packet needs at least one eligible clause that was not rejected or withdrawn"),
    )
}

fn not_filed(clause: &str, y: i32, lang: Lang) -> String {
    say(
        lang,
        format!(
            "{clause}：{y} 年度不在本企业的申报之列（不符合条件、不适用、被就高排除，或已被驳回/撤回），无需为它准备材料；butie materials show 列出要准备的条款"
        ),
        format!(
            "{clause} is not among this company's filings for {y} (not eligible, not applicable, set aside as the lower award, or rejected/withdrawn); butie materials show lists the clauses to prepare"
        ),
    )
}

fn pack_not_applies(pack: &str, y: i32, applying: &[String], lang: Lang) -> String {
    say(
        lang,
        format!(
            "{pack} 不适用于本企业的 {y} 年度（地区或有效期不符）；适用的政策包：{}",
            if applying.is_empty() { "无".to_string() } else { applying.join("、") }
        ),
        format!(
            "{pack} does not apply to this company in {y} (place or term); packs that apply: {}",
            if applying.is_empty() { "none".to_string() } else { applying.join(", ") }
        ),
    )
}

fn not_ours(path: &Path, kind: Output, lang: Lang) -> String {
    let (zh, en) = match kind {
        Output::BatchResult => ("补贴通批量测算结果", "a Butie batch result"),
        Output::Template => ("空白的补贴通模板（可能已填有企业数据）", "an empty Butie template (it may hold clients' data)"),
    };
    say(lang, format!("{}: 已存在且不是{zh}文件，未覆盖", shown(path)), format!("{}: exists and is not {en}; not replaced", shown(path)))
}

fn too_many_for_xlsx(rows: usize, per_row: usize, max: usize, lang: Lang) -> String {
    let each = (max - 1) / per_row.max(1);
    say(
        lang,
        format!("--out: {rows} 行 × {per_row} 条款的明细超过 Excel 一个工作表的 {max} 行上限；请改用 .jsonl 或 .csv，或把表格分成几份（每份不超过 {each} 行）"),
        format!("--out: {rows} rows × {per_row} clauses exceed the {max} rows of one Excel sheet; use .jsonl or .csv, or split the sheet (at most {each} rows each)"),
    )
}

fn not_saved(out: &Path, rejected: &[RowError], notes: &[RegionNote], source: &Error, lang: Lang) -> String {
    let notes: Vec<String> =
        rejected.iter().map(|e| super::batch::error_line(e, lang)).chain(notes.iter().map(|n| super::batch::note_line(n, lang))).collect();
    let mut m = source.message(lang);
    m.push_str(&say(
        lang,
        format!("（结果已写入 {}，但没有保存到工作区）", shown(out)),
        format!(" (the results are in {}, but nothing was saved in the workspace)", shown(out)),
    ));
    for l in notes.iter().rev() {
        m = format!("{l}\n{m}");
    }
    m
}

/// The line that says what an import did.
pub fn imported_line(i: &crate::ops::packs::Imported, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let trust = match (&i.signer, zh) {
        (Some(s), true) => format!("已验证：{s} 签名"),
        (Some(s), false) => format!("verified: signed by {s}"),
        (None, true) => "未验证（没有受信任的签名），测算结果将标明“未验证”".to_string(),
        (None, false) => "unverified (no trusted signature); its figures are marked unverified".to_string(),
    };
    let again = match (i.new, zh) {
        (true, _) => "",
        (false, true) => "（此版本已在工作区中）",
        (false, false) => " (this version was already in the workspace)",
    };
    let not_used = match (&i.still_in_use, zh) {
        (None, _) => String::new(),
        (Some(v), true) => format!("；注意：使用中的仍是版本 {v}，因为它的版本日期更新，或同一日期的已验证版本优先"),
        (Some(v), false) => format!("; note: version {v} stays in use (a newer date, or a verified text of the same date)"),
    };
    let hash = butie_core::short_hash(&i.content_hash);
    let (id, version, clauses, cases, from, to) = (&i.pack, &i.version, i.clauses, i.cases, &i.valid_from, &i.valid_to);
    say(
        lang,
        format!("已导入政策包 {id} 版本 {version}（{clauses} 条，{cases} 个用例通过；有效期 {from} 至 {to}；sha256:{hash}）{again}；{trust}"),
        format!("imported pack {id} version {version} ({clauses} clauses, {cases} cases pass; in force {from} to {to}; sha256:{hash}){again}; {trust}"),
    ) + &not_used
}

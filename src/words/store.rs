//! The words for workspace errors. `butie_store` reports what went wrong as
//! data (`StoreError`); this is the one place that turns it into a sentence,
//! in Chinese or English, for the CLI's error line and the window.
//!
//! Like `InputError`, there are two forms: `store_message`, the CLI's line,
//! starts with the field the error belongs to (`StoreError::field`) and ends
//! with the command-line flag that gets past a refusal (`--replace`,
//! `--archive`); `store_detail` is the words alone, for a window that shows
//! them beside that field and has no flags.
//!
//! Every message is one line. SQLite's own message text (which can quote SQL)
//! and Rust's debug output never reach the user: a database error is told by
//! its SQLite error code and a short description.
//!
//! `store_detail` only dispatches: each kind of error (or a few that share
//! their wording) has its own small function below, which writes the Chinese
//! and the English side by side and lets [`say`] keep the one asked for.

use super::say;
use butie_core::policy::Lang;
use butie_core::profile::ClaimStatus;
use butie_store::rusqlite::{self, ErrorCode};
use butie_store::{CompanyKey, FileKind, IoAction, NotWorkspaceWhy, StoreError, Table};
use std::path::Path;

/// The CLI's line, in `lang`: the field (when the error belongs to one),
/// the problem, and the flag that gets past a refusal.
pub fn store_message(e: &StoreError, lang: Lang) -> String {
    if let StoreError::Input(ie) = e {
        return ie.message(lang);
    }
    let mut line = if e.field().is_empty() { store_detail(e, lang) } else { format!("{}: {}", e.field(), store_detail(e, lang)) };
    line.push_str(&cli_hint(e, lang));
    line
}

/// What the CLI adds after a refusal: the flag that gets past it, or how a
/// missing workspace comes to be; nothing for other errors.
fn cli_hint(e: &StoreError, lang: Lang) -> String {
    match e {
        StoreError::ImportUsccTaken { .. } => {
            say(lang, "；如要用导入文件覆盖，请加 --replace", "; add --replace to overwrite it with the imported data")
        }
        StoreError::HasEvaluations { .. } | StoreError::HasClaims { .. } | StoreError::HasEvidence { .. } => {
            say(lang, "；如需从列表中移除，请使用 --archive 归档", "; use --archive to remove it from the list")
        }
        StoreError::WorkspaceMissing { .. } => say(
            lang,
            "；添加企业（company add）或导入（import）时会新建工作区",
            "; adding a company (company add) or importing (import) creates one",
        ),
        _ => String::new(),
    }
}

/// A claim's status in words: 计划申报 / 已申报 / 已批准 / 未获批 / 已撤回.
pub fn claim_status_label(s: ClaimStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (ClaimStatus::Planned, Lang::Zh) => "计划申报",
        (ClaimStatus::Submitted, Lang::Zh) => "已申报",
        (ClaimStatus::Approved, Lang::Zh) => "已批准",
        (ClaimStatus::Rejected, Lang::Zh) => "未获批",
        (ClaimStatus::Withdrawn, Lang::Zh) => "已撤回",
        (ClaimStatus::Planned, Lang::En) => "planned",
        (ClaimStatus::Submitted, Lang::En) => "submitted",
        (ClaimStatus::Approved, Lang::En) => "approved",
        (ClaimStatus::Rejected, Lang::En) => "rejected",
        (ClaimStatus::Withdrawn, Lang::En) => "withdrawn",
    }
}

/// What went wrong, in `lang`, without the field name.
pub fn store_detail(e: &StoreError, lang: Lang) -> String {
    use StoreError as E;
    match e {
        E::Input(ie) => ie.detail(lang),
        E::CompanyNotFound { key } => company_not_found(key, lang),
        E::HasEvidence { id, count } => has_evidence(*id, *count, lang),
        E::UnknownMaterial { item, count } => unknown_material(item, *count, lang),
        E::UnknownSharedMaterial { item } => say(
            lang,
            format!("没有通用材料 {item:?}：政策文件未将它列为多个条款共用的材料"),
            format!("no shared material {item:?}: no policy file lists it as a document several clauses share"),
        ),
        E::BadEvidenceName { name } => bad_evidence_name(name, lang),
        E::EvidenceEmpty { name } => evidence_empty(name, lang),
        E::EvidenceTooLarge { name, size, limit } => evidence_too_large(name, *size, *limit, lang),
        E::KeyNameTaken { name, other } => key_name_taken(name, other, lang),
        E::KeyNotFound { key } => key_not_found(key, lang),
        E::EvidenceNotFound { id } => evidence_not_found(*id, lang),
        E::EvidenceDamaged { id, name } => evidence_damaged(*id, name, lang),
        E::EvidenceMismatch { name, .. } => evidence_mismatch(name, lang),
        E::UnknownPack { pack, known } => unknown_pack(pack, known, lang),
        E::DeadlineBeforeStart { start, end } => deadline_before_start(start, end, lang),
        E::EvaluationNotFound { id } => evaluation_not_found(*id, lang),
        E::FileNotFound { path } => file_not_found(path, lang),
        E::WorkspaceMissing { path } => workspace_missing(path, lang),
        E::ReadOnly { path } => read_only(path, lang),
        E::DiskFull { path } => disk_full(path, lang),
        E::BackupDamaged { path, table, rowid, column } => backup_damaged(path, *table, *rowid, column, lang),
        E::BackupNotOurs { path, kind, name, problem } => backup_not_ours(path, kind, name, *problem, lang),
        E::UsccTaken { uscc, other_id, other_name } | E::ImportUsccTaken { uscc, other_id, other_name } => {
            uscc_taken(uscc, *other_id, other_name, lang)
        }
        E::DuplicateUsccInImport { uscc } => duplicate_uscc_in_import(uscc, lang),
        E::HasEvaluations { id, count } => has_evaluations(*id, *count, lang),
        E::HasClaims { id, count } => has_claims(*id, *count, lang),
        E::UnknownClause { clause, .. } => unknown_clause(clause, lang),
        E::ClaimOutsideTerm { clause, year, valid_from, valid_to, .. } => claim_outside_term(clause, *year, valid_from, valid_to, lang),
        E::ClaimOtherPlace { clause, pack_area, city, district, .. } => claim_other_place(clause, pack_area, city, district, lang),
        E::ClaimNotInCityPlan { clause, cities, city, .. } => claim_not_in_city_plan(clause, cities, city, lang),
        E::ClaimAmountNotAllowed { status, .. } => claim_amount_not_allowed(*status, lang),
        E::ClaimAmountRequired { status, .. } => claim_amount_required(*status, lang),
        E::BadClaimDate { date, .. } => bad_claim_date(date, lang),
        E::ClaimDateNotAllowed { status, date, .. } => claim_date_not_allowed(*status, date, lang),
        E::ApprovedBeforeSubmitted { submitted_on, approved_on, .. } => approved_before_submitted(submitted_on, approved_on, lang),
        E::BadClaimTime { time, .. } => bad_claim_time(time, lang),
        E::NotAWorkspace { path, why } => not_a_workspace(path, why, lang),
        E::NewerVersion { path, found, supported } => newer_version(path, *found, *supported, lang),
        E::CannotOpen { path, source } => cannot_open(path, source, lang),
        E::BackupExists { path } => backup_exists(path, lang),
        E::CannotCreateBackup { path, source } => cannot_create_backup(path, source, lang),
        E::Io { path, action, source } => io_failed(path, *action, source, lang),
        E::CorruptFact { company_id, year, key, .. } => corrupt_fact(*company_id, *year, key, lang),
        E::Sql(e) => sql(e, lang),
    }
}

// Companies and import files.

fn company_not_found(key: &CompanyKey, lang: Lang) -> String {
    match key {
        CompanyKey::Id(id) => say(lang, format!("找不到企业 #{id}"), format!("company #{id} not found in the workspace")),
        CompanyKey::Uscc(k) => say(lang, format!("找不到企业 {k}"), format!("company {k} not found in the workspace")),
    }
}

/// `UsccTaken` (adding or editing) and `ImportUsccTaken` (importing) read
/// the same; only the CLI's hint differs.
fn uscc_taken(uscc: &str, other_id: i64, other_name: &str, lang: Lang) -> String {
    say(
        lang,
        format!("统一社会信用代码 {uscc} 已属于工作区中的企业 #{other_id}（{other_name}）"),
        format!("USCC {uscc} already belongs to company #{other_id} ({other_name}) in this workspace"),
    )
}

fn duplicate_uscc_in_import(uscc: &str, lang: Lang) -> String {
    say(lang, format!("导入文件中统一社会信用代码 {uscc} 出现了不止一次"), format!("USCC {uscc} appears more than once in the import file"))
}

fn has_evaluations(id: i64, count: i64, lang: Lang) -> String {
    let noun = if count == 1 { "evaluation" } else { "evaluations" };
    say(
        lang,
        format!("企业 #{id} 有 {count} 条已保存的测算记录，不能删除（测算记录永久保留）"),
        format!("company #{id} has {count} saved {noun} and cannot be deleted (saved evaluations are kept for good)"),
    )
}

fn has_claims(id: i64, count: i64, lang: Lang) -> String {
    let noun = if count == 1 { "claim" } else { "claims" };
    say(
        lang,
        format!("企业 #{id} 有 {count} 条申报记录，不能删除（申报记录及其变更永久保留）"),
        format!("company #{id} has {count} {noun} in its filing ledger and cannot be deleted (claims and their changes are kept for good)"),
    )
}

fn has_evidence(id: i64, count: i64, lang: Lang) -> String {
    say(
        lang,
        format!("企业 #{id} 存有 {count} 个证明材料文件，不能直接删除"),
        format!("company #{id} keeps {count} evidence files and cannot simply be deleted"),
    )
}

fn evaluation_not_found(id: i64, lang: Lang) -> String {
    say(lang, format!("找不到测算记录 #{id}"), format!("saved evaluation #{id} not found"))
}

fn corrupt_fact(company_id: i64, year: i32, key: &str, lang: Lang) -> String {
    say(
        lang,
        format!("工作区中企业 #{company_id} {year} 年度保存的 facts.{key} 已损坏，无法读取"),
        format!("the value of facts.{key} saved for company #{company_id}, {year} is damaged and cannot be read"),
    )
}

// Evidence files.

fn unknown_material(item: &str, count: usize, lang: Lang) -> String {
    say(
        lang,
        format!("没有材料 {item:?}：该条款列有 {count} 项材料，请写编号 1–{count} 或材料名称"),
        format!("no material {item:?}: the clause lists {count}; give a number 1–{count} or the material's text"),
    )
}

fn bad_evidence_name(name: &str, lang: Lang) -> String {
    say(
        lang,
        format!("文件名 {name:?} 不可用（空、超过 255 个字符，或含控制字符、文字方向控制字符）；请改名后再添加"),
        format!(
            "the file name {name:?} cannot be kept (empty, over 255 characters, or with control or text-direction characters); rename it first"
        ),
    )
}

fn evidence_empty(name: &str, lang: Lang) -> String {
    say(lang, format!("{name} 是空文件（0 字节），不能作为证明材料"), format!("{name} is empty (0 bytes) and proves nothing"))
}

fn evidence_too_large(name: &str, size: u64, limit: u64, lang: Lang) -> String {
    // Bytes where the rounded sizes would read the same.
    let tenths = |b: u64| (b as f64 / 1_048_576.0 * 10.0).round();
    let in_bytes = tenths(size) == tenths(limit);
    let mb = |b: u64| if in_bytes { format!("{b} {}", say(lang, "字节", "bytes")) } else { format!("{:.1} MB", b as f64 / 1_048_576.0) };
    let (size, limit) = (mb(size), mb(limit));
    say(
        lang,
        format!("{name} 有 {size}，超过单个文件 {limit} 的上限，未保存（请压缩或拆分后再添加）"),
        format!("{name} is {size}, above the {limit} limit for one file; not kept (compress or split it)"),
    )
}

fn evidence_not_found(id: i64, lang: Lang) -> String {
    say(lang, format!("找不到证明材料文件 #{id}"), format!("evidence file #{id} not found"))
}

fn evidence_damaged(id: i64, name: &str, lang: Lang) -> String {
    say(
        lang,
        format!("证明材料文件 #{id} {name} 的内容与保存时的 SHA-256 不符（工作区可能已损坏），未取出"),
        format!("evidence file #{id} {name} no longer matches the SHA-256 recorded (the workspace may be damaged); not read"),
    )
}

fn evidence_mismatch(name: &str, lang: Lang) -> String {
    say(
        lang,
        format!("{name} 的内容与文件中记录的大小或 SHA-256 不符（文件可能在传输中损坏），未导入任何内容"),
        format!("{name}: the data does not match the size or SHA-256 written beside it (damaged in transit?); nothing imported"),
    )
}

// Trusted keys, policy packs and filing windows.

fn key_name_taken(name: &str, other: &str, lang: Lang) -> String {
    say(
        lang,
        format!("名称 {name:?} 已用于公钥 {other}（或是它的编号），请换一个名称"),
        format!("the name {name:?} is already key {other}'s (or its id); choose another"),
    )
}

fn key_not_found(key: &str, lang: Lang) -> String {
    say(
        lang,
        format!("没有名为或编号为 {key:?} 的受信任公钥（butie keys list 列出全部）"),
        format!("no trusted key named or numbered {key:?} (butie keys list shows them)"),
    )
}

fn unknown_pack(pack: &str, known: &[String], lang: Lang) -> String {
    say(lang, format!("没有政策包 {pack:?}；可用：{}", known.join("、")), format!("no policy pack {pack:?}; known: {}", known.join(", ")))
}

fn deadline_before_start(start: &str, end: &str, lang: Lang) -> String {
    say(lang, format!("截止日期 {end} 早于开始日期 {start}"), format!("the end {end} is before the start {start}"))
}

// Claims.

fn unknown_clause(clause: &str, lang: Lang) -> String {
    say(
        lang,
        format!("未知的条款 id {clause:?}（butie policies 可列出所有条款）"),
        format!("unknown clause id {clause:?} (butie policies lists them)"),
    )
}

fn claim_outside_term(
    clause: &str,
    year: i32,
    valid_from: &butie_core::policy::Date,
    valid_to: &butie_core::policy::Date,
    lang: Lang,
) -> String {
    say(
        lang,
        format!("{clause} 所属政策的有效期为 {valid_from} 至 {valid_to}，{year} 年度不在有效期内，不能记录这一申报"),
        format!("{clause} belongs to a policy in force from {valid_from} to {valid_to}; {year} is outside it, so no claim can be recorded"),
    )
}

fn claim_other_place(clause: &str, pack_area: &str, city: &str, district: &str, lang: Lang) -> String {
    say(
        lang,
        format!("{clause} 所属政策只适用于{pack_area}，企业注册地为{city}{district}，不能记录这一申报"),
        // Place names are Chinese data: the English line names the clause only.
        format!("{clause} belongs to a policy that does not cover the company's city and district, so no claim can be recorded"),
    )
}

fn claim_not_in_city_plan(clause: &str, cities: &[String], city: &str, lang: Lang) -> String {
    say(
        lang,
        format!("{clause} 只见于{}的实施方案，{city}的方案没有此项，不能记录这一申报", cities.join("、")),
        // Place names are Chinese data, as above.
        format!("{clause} is stated only in other cities' plans, not in the plan of the company's city, so no claim can be recorded"),
    )
}

fn claim_amount_not_allowed(status: ClaimStatus, lang: Lang) -> String {
    let label = claim_status_label(status, lang);
    say(
        lang,
        format!("状态为“{label}”的申报不填金额（金额只用于已申报的申报金额和已批准的批准金额）"),
        format!("a {label} claim takes no amount (an amount is what was applied for when submitted, or what was approved)"),
    )
}

fn claim_amount_required(status: ClaimStatus, lang: Lang) -> String {
    if status == ClaimStatus::Approved {
        return say(lang, "已批准的申报须填写批准金额", "an approved claim needs the approved amount");
    }
    let label = claim_status_label(status, lang);
    say(
        lang,
        format!("该条款对单家企业累计封顶，状态为“{label}”的申报须填写申报金额"),
        format!("this clause caps the total per company, so a {label} claim needs the amount applied for"),
    )
}

fn bad_claim_date(date: &str, lang: Lang) -> String {
    say(
        lang,
        format!("{date:?} 不是有效日期，请写成 YYYY-MM-DD（如 2025-06-30）"),
        format!("{date:?} is not a real date written YYYY-MM-DD (such as 2025-06-30)"),
    )
}

fn claim_date_not_allowed(status: ClaimStatus, date: &str, lang: Lang) -> String {
    let label = claim_status_label(status, lang);
    say(
        lang,
        format!("状态为“{label}”的申报没有批准日期（{date}）：批准日期只记在已批准的申报上"),
        format!("a {label} claim has no approval date ({date}): only an approved claim keeps one"),
    )
}

fn approved_before_submitted(submitted_on: &str, approved_on: &str, lang: Lang) -> String {
    say(
        lang,
        format!("批准日期 {approved_on} 早于申报日期 {submitted_on}，请核对"),
        format!("the approval date {approved_on} is before the submission date {submitted_on}; please check"),
    )
}

fn bad_claim_time(time: &str, lang: Lang) -> String {
    say(
        lang,
        format!("{time:?} 不是有效时间（应为 YYYY-MM-DDTHH:MM:SS.sssZ，如补贴通导出时所写）"),
        format!("{time:?} is not a valid time (YYYY-MM-DDTHH:MM:SS.sssZ, as Butie exports write it)"),
    )
}

// The workspace file.

fn file_not_found(path: &Path, lang: Lang) -> String {
    let p = path.display();
    say(lang, format!("找不到文件 {p}"), format!("file not found: {p}"))
}

fn workspace_missing(path: &Path, lang: Lang) -> String {
    let p = path.display();
    say(lang, format!("找不到工作区文件 {p}"), format!("no workspace at {p}"))
}

fn read_only(path: &Path, lang: Lang) -> String {
    let p = path_prefix(path);
    say(lang, format!("{p}工作区文件只读，无法保存"), format!("{p}the workspace file is read-only; nothing was saved"))
}

fn disk_full(path: &Path, lang: Lang) -> String {
    let p = path_prefix(path);
    say(lang, format!("{p}磁盘已满，未能保存"), format!("{p}the disk is full; nothing was saved"))
}

fn not_a_workspace(path: &Path, why: &NotWorkspaceWhy, lang: Lang) -> String {
    let (p, why) = (path.display(), not_workspace_why(why, lang));
    say(lang, format!("{p} 不是可用的补贴通工作区: {why}"), format!("{p} is not a usable Butie workspace: {why}"))
}

/// Why a file is not a usable workspace: the words after the colon.
fn not_workspace_why(why: &NotWorkspaceWhy, lang: Lang) -> String {
    use NotWorkspaceWhy as W;
    match why {
        W::Unreadable(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseCorrupt) => say(lang, "文件已损坏", "the file is damaged"),
        W::Unreadable(_) => say(lang, "不是 SQLite 数据库文件", "it is not an SQLite database file"),
        W::Empty => say(lang, "文件是空的", "the file is empty"),
        W::OtherApplication { application_id } => say(
            lang,
            format!("这是其他程序的数据库文件（application_id {application_id:#010x}）"),
            format!("it is another program's database file (application_id {application_id:#010x})"),
        ),
        W::Damaged { .. } => say(lang, "完整性检查失败，文件已损坏", "its integrity check failed; the file is damaged"),
        W::UnknownVersion { found } => {
            say(lang, format!("不是补贴通创建的文件（结构版本 {found}）"), format!("it was not made by Butie (schema version {found})"))
        }
        W::MissingTables => say(lang, "缺少数据表", "its tables are missing"),
        W::NotAFile { kind } => not_a_file(*kind, lang),
    }
}

fn not_a_file(kind: FileKind, lang: Lang) -> String {
    match kind {
        FileKind::Folder => say(lang, "这是一个文件夹，不是工作区文件", "it is a folder, not a workspace file"),
        FileKind::Fifo => say(lang, "这是一个命名管道（FIFO），不是工作区文件", "it is a named pipe (FIFO), not a workspace file"),
        FileKind::Device => say(lang, "这是一个设备文件，不是工作区文件", "it is a device, not a workspace file"),
        FileKind::Other => say(lang, "不是普通文件", "it is not a regular file"),
    }
}

fn newer_version(path: &Path, found: i64, supported: i64, lang: Lang) -> String {
    let p = path_prefix(path);
    say(
        lang,
        format!("{p}工作区结构版本 {found} 比本程序（{supported}）新，请升级补贴通"),
        format!("{p}the workspace's schema version {found} is newer than this program supports ({supported}); please update Butie"),
    )
}

fn cannot_open(path: &Path, source: &rusqlite::Error, lang: Lang) -> String {
    let (p, why) = (path.display(), sqlite_why(source, lang));
    say(lang, format!("无法打开工作区 {p}: {why}"), format!("cannot open the workspace {p}: {why}"))
}

// Backups.

fn backup_exists(path: &Path, lang: Lang) -> String {
    let p = path.display();
    say(lang, format!("备份文件 {p} 已存在，不会覆盖"), format!("backup file {p} already exists; it will not be overwritten"))
}

fn cannot_create_backup(path: &Path, source: &rusqlite::Error, lang: Lang) -> String {
    let (p, why) = (path.display(), sqlite_why(source, lang));
    say(lang, format!("无法创建备份 {p}: {why}"), format!("cannot create the backup {p}: {why}"))
}

fn backup_not_ours(path: &Path, kind: &str, name: &str, problem: butie_store::SchemaProblem, lang: Lang) -> String {
    use butie_store::SchemaProblem as S;
    let p = path.display();
    let what_zh = match kind {
        "trigger" => "触发器",
        "table" => "数据表",
        "index" => "索引",
        "view" => "视图",
        _ => "数据库对象",
    };
    let (zh, en) = match problem {
        S::Extra => ("多出", "has an extra"),
        S::Missing => ("缺少", "lacks the"),
        S::Changed => ("改动了", "has a changed"),
    };
    say(
        lang,
        format!("备份文件 {p} 的数据库结构不是补贴通的：{zh}{what_zh} {name}；备份只按数据恢复，未做任何恢复"),
        format!("the backup {p} is not Butie's own schema: it {en} {kind} {name}; nothing was restored"),
    )
}

fn backup_damaged(path: &Path, table: Table, rowid: i64, column: &str, lang: Lang) -> String {
    let p = path.display();
    // The row, as the Chinese puts it before the column and the English after.
    let row = match table {
        Table::Companies => say(lang, format!("企业 #{rowid} 的"), format!("company #{rowid}")),
        Table::Facts => say(lang, format!("第 {rowid} 条年度数据的"), format!("stored fact {rowid}")),
        Table::Evaluations => say(lang, format!("测算记录 #{rowid} 的"), format!("saved evaluation #{rowid}")),
        Table::Claims => say(lang, format!("申报记录 #{rowid} 的"), format!("claim #{rowid}")),
        Table::ClaimEvents => say(lang, format!("第 {rowid} 条申报变更记录的"), format!("claim change {rowid}")),
        Table::PackTexts => say(lang, format!("第 {rowid} 个政策包文本的"), format!("kept pack text {rowid}")),
    };
    say(
        lang,
        format!("备份文件 {p} 已损坏：{row} {column} 无法读取；未做任何恢复"),
        format!("the backup {p} is damaged: {column} of {row} cannot be read; nothing was restored"),
    )
}

// The file system and the database.

fn io_failed(path: &Path, action: IoAction, source: &std::io::Error, lang: Lang) -> String {
    let (p, why) = (path.display(), io_why(source, lang));
    match action {
        IoAction::CreateDir => {
            say(lang, format!("无法创建工作区目录 {p}: {why}"), format!("cannot create the workspace folder {p}: {why}"))
        }
        IoAction::Inspect => say(lang, format!("无法查看 {p}: {why}"), format!("cannot look at {p}: {why}")),
        IoAction::CreateTemp => say(
            lang,
            format!("无法在 {p} 所在的文件夹中写入临时文件: {why}"),
            format!("cannot write a temporary file in the folder of {p}: {why}"),
        ),
        IoAction::Sync => say(lang, format!("无法将 {p} 写入磁盘: {why}"), format!("cannot flush {p} to disk: {why}")),
        IoAction::Place => say(lang, format!("无法保存为 {p}: {why}"), format!("cannot save it as {p}: {why}")),
    }
}

fn sql(e: &rusqlite::Error, lang: Lang) -> String {
    let why = sqlite_why(e, lang);
    say(lang, format!("工作区数据库错误: {why}"), format!("the workspace database reported an error: {why}"))
}

/// `"<path>: "`, or nothing when the path is unknown (an in-memory database).
fn path_prefix(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}: ", path.display())
    }
}

/// SQLite's error as a short description and its code; never SQLite's
/// message text, which can quote SQL.
fn sqlite_why(e: &rusqlite::Error, lang: Lang) -> String {
    let Some(f) = e.sqlite_error() else {
        // Not an SQLite failure: the binding could not read a value as the
        // expected type, or a program error.
        return match e {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::Utf8Error(_) => say(lang, "读到了无法识别的数据", "it holds data this program cannot read"),
            _ => say(lang, "程序内部错误", "internal error"),
        };
    };
    let (zh, en) = match f.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => ("文件正被其他程序使用", "the file is in use by another program"),
        ErrorCode::ReadOnly => ("文件只读，无法写入", "the file is read-only"),
        ErrorCode::PermissionDenied => ("没有访问权限", "permission denied"),
        ErrorCode::CannotOpen => ("无法打开文件", "the file cannot be opened"),
        ErrorCode::DiskFull => ("磁盘已满", "the disk is full"),
        ErrorCode::SystemIoFailure => ("磁盘读写出错", "a disk read or write failed"),
        ErrorCode::DatabaseCorrupt => ("文件已损坏", "the file is damaged"),
        ErrorCode::NotADatabase => ("不是数据库文件", "not a database file"),
        ErrorCode::ConstraintViolation => ("数据不符合约束", "a data constraint was violated"),
        ErrorCode::TooBig => ("数据过大", "a value is too large"),
        ErrorCode::OutOfMemory => ("内存不足", "out of memory"),
        ErrorCode::NoLargeFileSupport => ("系统不支持大文件", "the system does not support large files"),
        ErrorCode::FileLockingProtocolFailed => ("文件加锁失败", "file locking failed"),
        _ => ("操作失败", "the operation failed"),
    };
    let n = f.extended_code;
    say(lang, format!("{zh}（SQLite 错误码 {n}）"), format!("{en} (SQLite error code {n})"))
}

/// A file-system error in words; the OS's own text only when it is none of
/// the usual cases.
fn io_why(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    // EROFS (Linux, macOS, the BSDs): `ErrorKind::ReadOnlyFilesystem` is newer than the MSRV.
    if cfg!(unix) && e.raw_os_error() == Some(30) {
        return say(lang, "文件系统只读", "the file system is read-only");
    }
    match e.kind() {
        K::NotFound => say(lang, "路径不存在", "no such file or folder"),
        K::PermissionDenied => say(lang, "没有权限", "permission denied"),
        K::AlreadyExists => say(lang, "已存在同名文件", "a file of that name already exists"),
        _ => say(lang, format!("无法完成（{e}）"), format!("failed ({e})")),
    }
}

/// The warning kept with a claim whose approved amount is above the most
/// the clause can pay that year.
pub fn above_most_warning(c: &butie_store::ClaimRecord, lang: Lang) -> Option<String> {
    let (most, approved) = (c.above_most?, c.approved?);
    let (approved, most, year) = (butie_core::money::fmt_grouped(approved), butie_core::money::fmt_grouped(most), c.year);
    Some(say(
        lang,
        format!(
            "提示：批准金额 {approved} 元超过本条 {year} 年度最多可得的 {most} 元（政策上限扣除此前已获部分）；已照录并记下此提示，请核对批复文件"
        ),
        format!(
            "warning: the approved {approved} yuan is above the most this clause can pay in {year} ({most} yuan: the policy's cap less earlier awards); recorded as given, with this warning; please check the decision"
        ),
    ))
}

/// After an import: the claims whose newer ledger state was kept (an older
/// export never rewinds the ledger); empty when there were none.
pub fn kept_newer_line(kept: &[butie_store::KeptClaim], lang: Lang) -> String {
    if kept.is_empty() {
        return String::new();
    }
    let list = kept.iter().map(|k| format!("#{} {} {}", k.company_id, k.year, k.clause)).collect::<Vec<_>>().join(", ");
    say(
        lang,
        format!("{} 项申报记录在工作区中比文件中的更新，保留工作区的状态（文件中的变更已并入其历史）：{list}\n", kept.len()),
        format!("{} claims changed in the workspace after the file was made kept their state (the file's changes are added to their history): {list}\n", kept.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}'))
    }

    fn sqlite(code: i32, msg: &str) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(msg.to_string()))
    }

    #[test]
    fn every_variant_is_one_line_in_both_languages_and_english_has_no_chinese() {
        let p = PathBuf::from("/tmp/ws.sqlite");
        let io = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let json_err = || serde_json::from_str::<serde_json::Value>("{x").unwrap_err();
        let all = vec![
            StoreError::CompanyNotFound { key: CompanyKey::Id(7) },
            StoreError::CompanyNotFound { key: CompanyKey::Uscc("91331002MA2A8K5L0Y".into()) },
            StoreError::EvaluationNotFound { id: 3 },
            StoreError::FileNotFound { path: p.clone() },
            StoreError::WorkspaceMissing { path: p.clone() },
            StoreError::ReadOnly { path: p.clone() },
            StoreError::ReadOnly { path: PathBuf::new() },
            StoreError::DiskFull { path: p.clone() },
            StoreError::BackupDamaged { path: p.clone(), table: Table::Companies, rowid: 3, column: "name" },
            StoreError::BackupDamaged { path: p.clone(), table: Table::Facts, rowid: 9, column: "value_json" },
            StoreError::BackupDamaged { path: p.clone(), table: Table::Evaluations, rowid: 2, column: "result_json" },
            StoreError::UsccTaken { uscc: "91331002MA2A8K5L0Y".into(), other_id: 2, other_name: "Acme".into() },
            StoreError::ImportUsccTaken { uscc: "91331002MA2A8K5L0Y".into(), other_id: 2, other_name: "Acme".into() },
            StoreError::DuplicateUsccInImport { uscc: "91331002MA2A8K5L0Y".into() },
            StoreError::HasEvaluations { id: 1, count: 1 },
            StoreError::HasEvaluations { id: 1, count: 4 },
            StoreError::HasClaims { id: 1, count: 1 },
            StoreError::HasClaims { id: 1, count: 2 },
            StoreError::UnknownClause { field: "claim.clause".into(), clause: "tz.nope".into() },
            StoreError::ClaimOutsideTerm {
                field: "claim.year".into(),
                clause: "tz.brand.trademark".into(),
                year: 2024,
                valid_from: butie_core::policy::Date { y: 2025, m: 1, d: 1 },
                valid_to: butie_core::policy::Date { y: 2027, m: 12, d: 31 },
            },
            StoreError::ClaimOtherPlace {
                field: "claim.clause".into(),
                clause: "cd.park".into(),
                pack_area: "成都市".into(),
                city: "台州市".into(),
                district: "椒江区".into(),
            },
            StoreError::ClaimNotInCityPlan {
                field: "claim.clause".into(),
                clause: "sd.online.independent_site".into(),
                cities: vec!["德州市".into()],
                city: "济宁市".into(),
            },
            StoreError::ClaimAmountNotAllowed { field: "claim.amount".into(), status: ClaimStatus::Planned },
            StoreError::ClaimAmountNotAllowed { field: "claim.amount".into(), status: ClaimStatus::Withdrawn },
            StoreError::ClaimAmountRequired { field: "claim.amount".into(), status: ClaimStatus::Approved },
            StoreError::ClaimAmountRequired { field: "claim.amount".into(), status: ClaimStatus::Submitted },
            StoreError::BadClaimDate { field: "claim.date".into(), date: "2025-02-30".into() },
            StoreError::ClaimDateNotAllowed {
                field: "claim.approved_on".into(),
                status: ClaimStatus::Submitted,
                date: "2026-03-31".into(),
            },
            StoreError::ApprovedBeforeSubmitted {
                field: "claim.approved_on".into(),
                submitted_on: "2026-03-31".into(),
                approved_on: "2026-03-01".into(),
            },
            StoreError::BadClaimTime { field: "claims[0].events[0].at".into(), time: "yesterday".into() },
            StoreError::BackupDamaged { path: p.clone(), table: Table::Claims, rowid: 2, column: "status" },
            StoreError::BackupDamaged { path: p.clone(), table: Table::ClaimEvents, rowid: 5, column: "estimate" },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::Unreadable(sqlite(26, "file is not a database")) },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::Unreadable(sqlite(11, "malformed")) },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::Damaged { report: "*** in database main ***".into() } },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::UnknownVersion { found: 0 } },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::MissingTables },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::Empty },
            StoreError::NotAWorkspace { path: p.clone(), why: NotWorkspaceWhy::OtherApplication { application_id: 0x1234_5678 } },
            StoreError::NewerVersion { path: p.clone(), found: 9, supported: 2 },
            StoreError::NewerVersion { path: PathBuf::new(), found: 9, supported: 2 },
            StoreError::CannotOpen { path: p.clone(), source: sqlite(5, "database is locked") },
            StoreError::BackupExists { path: p.clone() },
            StoreError::CannotCreateBackup { path: p.clone(), source: sqlite(14, "unable to open database file") },
            StoreError::Io { path: p.clone(), action: IoAction::CreateDir, source: io() },
            StoreError::Io { path: p.clone(), action: IoAction::Inspect, source: io() },
            StoreError::Io { path: p.clone(), action: IoAction::CreateTemp, source: io() },
            StoreError::Io { path: p.clone(), action: IoAction::Sync, source: io() },
            StoreError::Io { path: p.clone(), action: IoAction::Place, source: io() },
            StoreError::Io { path: p.clone(), action: IoAction::Place, source: std::io::Error::from_raw_os_error(30) },
            StoreError::CorruptFact { company_id: 1, year: 2025, key: "cbec_volume".into(), source: json_err() },
            StoreError::Sql(sqlite(2067, "UNIQUE constraint failed: companies.uscc")),
            StoreError::Sql(rusqlite::Error::InvalidColumnType(0, "year".into(), rusqlite::types::Type::Text)),
            StoreError::Sql(rusqlite::Error::QueryReturnedNoRows),
        ];
        for e in &all {
            for lang in [Lang::Zh, Lang::En] {
                let (m, d) = (store_message(e, lang), store_detail(e, lang));
                assert!(m.contains(&d), "{e:?}: {m}");
                assert!(!m.is_empty() && !m.contains('\n'), "{e:?}: {m}");
                assert!(!m.contains("Error {") && !m.contains("SqliteFailure") && !m.contains("Some("), "debug output: {m}");
            }
            let en = store_message(e, Lang::En);
            assert!(!has_cjk(&en), "{e:?}: {en}");
            assert!(has_cjk(&store_message(e, Lang::Zh)), "{e:?}");
        }
    }

    #[test]
    fn database_errors_give_the_code_never_the_sql() {
        let e = StoreError::Sql(sqlite(2067, "UNIQUE constraint failed: companies.uscc"));
        assert_eq!(
            store_message(&e, Lang::En),
            "the workspace database reported an error: a data constraint was violated (SQLite error code 2067)"
        );
        assert_eq!(store_message(&e, Lang::Zh), "工作区数据库错误: 数据不符合约束（SQLite 错误码 2067）");
        let e = StoreError::CannotOpen { path: "w.sqlite".into(), source: sqlite(5, "database is locked") };
        assert_eq!(
            store_message(&e, Lang::En),
            "cannot open the workspace w.sqlite: the file is in use by another program (SQLite error code 5)"
        );
    }

    #[test]
    fn workspace_file_problems_in_both_languages() {
        let p = PathBuf::from("/data/ws.sqlite");
        let e = StoreError::WorkspaceMissing { path: p.clone() };
        assert_eq!(store_detail(&e, Lang::Zh), "找不到工作区文件 /data/ws.sqlite");
        assert_eq!(store_detail(&e, Lang::En), "no workspace at /data/ws.sqlite");
        assert!(store_message(&e, Lang::En).ends_with("; adding a company (company add) or importing (import) creates one"));
        let e = StoreError::ReadOnly { path: p.clone() };
        assert_eq!(store_message(&e, Lang::Zh), "/data/ws.sqlite: 工作区文件只读，无法保存");
        assert_eq!(store_message(&e, Lang::En), "/data/ws.sqlite: the workspace file is read-only; nothing was saved");
        let e = StoreError::DiskFull { path: p.clone() };
        assert_eq!(store_message(&e, Lang::Zh), "/data/ws.sqlite: 磁盘已满，未能保存");
        assert_eq!(store_message(&e, Lang::En), "/data/ws.sqlite: the disk is full; nothing was saved");
        for e in [
            StoreError::WorkspaceMissing { path: p.clone() },
            StoreError::ReadOnly { path: p.clone() },
            StoreError::DiskFull { path: p.clone() },
            StoreError::BackupDamaged { path: p.clone(), table: Table::Facts, rowid: 1, column: "value_json" },
        ] {
            assert_eq!(e.field(), "", "{e:?}");
        }
        let e = StoreError::NotAWorkspace { path: p, why: NotWorkspaceWhy::OtherApplication { application_id: 0x1234_5678 } };
        assert_eq!(
            store_message(&e, Lang::En),
            "/data/ws.sqlite is not a usable Butie workspace: it is another program's database file (application_id 0x12345678)"
        );
    }

    #[test]
    fn claim_errors_name_their_field_in_both_languages() {
        let e = StoreError::ClaimAmountNotAllowed { field: "claim.amount".into(), status: ClaimStatus::Planned };
        assert_eq!(e.field(), "claim.amount");
        assert_eq!(
            store_message(&e, Lang::Zh),
            "claim.amount: 状态为“计划申报”的申报不填金额（金额只用于已申报的申报金额和已批准的批准金额）"
        );
        assert!(store_message(&e, Lang::En).starts_with("claim.amount: a planned claim takes no amount"));
        let e = StoreError::ClaimAmountRequired { field: "claim.amount".into(), status: ClaimStatus::Approved };
        assert_eq!(store_message(&e, Lang::Zh), "claim.amount: 已批准的申报须填写批准金额");
        assert_eq!(store_message(&e, Lang::En), "claim.amount: an approved claim needs the approved amount");
        let e = StoreError::UnknownClause { field: "companies[0].claims[1].clause".into(), clause: "tz.nope".into() };
        assert_eq!(store_message(&e, Lang::En), "companies[0].claims[1].clause: unknown clause id \"tz.nope\" (butie policies lists them)");
        let e = StoreError::BadClaimDate { field: "claim.date".into(), date: "2025-02-30".into() };
        assert_eq!(store_message(&e, Lang::Zh), "claim.date: \"2025-02-30\" 不是有效日期，请写成 YYYY-MM-DD（如 2025-06-30）");
        let e = StoreError::ApprovedBeforeSubmitted {
            field: "claim.approved_on".into(),
            submitted_on: "2026-03-31".into(),
            approved_on: "2026-03-01".into(),
        };
        assert_eq!(e.field(), "claim.approved_on");
        assert_eq!(store_message(&e, Lang::Zh), "claim.approved_on: 批准日期 2026-03-01 早于申报日期 2026-03-31，请核对");
        assert_eq!(
            store_message(&e, Lang::En),
            "claim.approved_on: the approval date 2026-03-01 is before the submission date 2026-03-31; please check"
        );
        let e = StoreError::HasClaims { id: 3, count: 2 };
        assert_eq!(e.field(), "");
        assert!(store_message(&e, Lang::Zh).ends_with("；如需从列表中移除，请使用 --archive 归档"));
        for s in ClaimStatus::ALL {
            assert_eq!(claim_status_label(s, Lang::En), s.as_str());
            assert!(has_cjk(claim_status_label(s, Lang::Zh)));
        }
    }

    #[test]
    fn chinese_wording_is_kept() {
        let e = StoreError::UsccTaken { uscc: "91331002MA2A8K5L0Y".into(), other_id: 1, other_name: "海跃".into() };
        assert_eq!(store_message(&e, Lang::Zh), "company.uscc: 统一社会信用代码 91331002MA2A8K5L0Y 已属于工作区中的企业 #1（海跃）");
        assert_eq!(store_detail(&e, Lang::Zh), "统一社会信用代码 91331002MA2A8K5L0Y 已属于工作区中的企业 #1（海跃）");
        assert_eq!(
            store_message(&e, Lang::En),
            "company.uscc: USCC 91331002MA2A8K5L0Y already belongs to company #1 (海跃) in this workspace"
        );
        let e = StoreError::ImportUsccTaken { uscc: "91331002MA2A8K5L0Y".into(), other_id: 1, other_name: "海跃".into() };
        assert!(store_message(&e, Lang::Zh).starts_with("import: 统一社会信用代码 91331002MA2A8K5L0Y 已属于"));
        assert!(store_message(&e, Lang::Zh).ends_with("（海跃）；如要用导入文件覆盖，请加 --replace"));
        assert!(!store_detail(&e, Lang::En).contains("--replace"), "the window has no flags");
        let e = StoreError::HasEvaluations { id: 2, count: 1 };
        assert_eq!(
            store_message(&e, Lang::Zh),
            "企业 #2 有 1 条已保存的测算记录，不能删除（测算记录永久保留）；如需从列表中移除，请使用 --archive 归档"
        );
        assert!(store_message(&e, Lang::En).ends_with("; use --archive to remove it from the list"));
        assert!(!store_detail(&e, Lang::En).contains("--archive"));
        assert!(store_message(&e, Lang::Zh).starts_with("企业 #2 有 1 条已保存的测算记录，不能删除"));
        assert!(store_message(&e, Lang::En).starts_with("company #2 has 1 saved evaluation and cannot be deleted"));
    }
}

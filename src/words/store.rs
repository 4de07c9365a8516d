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
    let hint = match (e, lang) {
        (StoreError::ImportUsccTaken { .. }, Lang::Zh) => "；如要用导入文件覆盖，请加 --replace",
        (StoreError::ImportUsccTaken { .. }, Lang::En) => "; add --replace to overwrite it with the imported data",
        (StoreError::HasEvaluations { .. }, Lang::Zh) => "；如需从列表中移除，请使用 --archive 归档",
        (StoreError::HasEvaluations { .. }, Lang::En) => "; use --archive to remove it from the list",
        (StoreError::HasClaims { .. }, Lang::Zh) => "；如需从列表中移除，请使用 --archive 归档",
        (StoreError::HasClaims { .. }, Lang::En) => "; use --archive to remove it from the list",
        (StoreError::HasEvidence { .. }, Lang::Zh) => "；如需从列表中移除，请使用 --archive 归档",
        (StoreError::HasEvidence { .. }, Lang::En) => "; use --archive to remove it from the list",
        (StoreError::WorkspaceMissing { .. }, Lang::Zh) => "；添加企业（company add）或导入（import）时会新建工作区",
        (StoreError::WorkspaceMissing { .. }, Lang::En) => "; adding a company (company add) or importing (import) creates one",
        _ => "",
    };
    line.push_str(hint);
    line
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
    let zh = lang == Lang::Zh;
    match e {
        StoreError::Input(ie) => ie.detail(lang),
        StoreError::CompanyNotFound { key } => match (key, zh) {
            (CompanyKey::Id(id), true) => format!("找不到企业 #{id}"),
            (CompanyKey::Id(id), false) => format!("company #{id} not found in the workspace"),
            (CompanyKey::Uscc(k), true) => format!("找不到企业 {k}"),
            (CompanyKey::Uscc(k), false) => format!("company {k} not found in the workspace"),
        },
        StoreError::HasEvidence { id, count } => {
            if zh {
                format!("企业 #{id} 存有 {count} 个证明材料文件，不能直接删除")
            } else {
                format!("company #{id} keeps {count} evidence files and cannot simply be deleted")
            }
        }
        StoreError::UnknownMaterial { item, count } => {
            if zh {
                format!("没有材料 {item:?}：该条款列有 {count} 项材料，请写编号 1–{count} 或材料名称")
            } else {
                format!("no material {item:?}: the clause lists {count}; give a number 1–{count} or the material's text")
            }
        }
        StoreError::BadEvidenceName { name } => {
            if zh {
                format!("文件名 {name:?} 不可用（空、超过 255 个字符，或含控制字符、文字方向控制字符）；请改名后再添加")
            } else {
                format!("the file name {name:?} cannot be kept (empty, over 255 characters, or with control or text-direction characters); rename it first")
            }
        }
        StoreError::EvidenceEmpty { name } => {
            if zh {
                format!("{name} 是空文件（0 字节），不能作为证明材料")
            } else {
                format!("{name} is empty (0 bytes) and proves nothing")
            }
        }
        StoreError::EvidenceTooLarge { name, size, limit } => {
            // Bytes where the rounded sizes would read the same.
            let mb = |b: u64| {
                if (*size as f64 / 1_048_576.0 * 10.0).round() == (*limit as f64 / 1_048_576.0 * 10.0).round() {
                    format!("{b} {}", if zh { "字节" } else { "bytes" })
                } else {
                    format!("{:.1} MB", b as f64 / 1_048_576.0)
                }
            };
            if zh {
                format!("{name} 有 {}，超过单个文件 {} 的上限，未保存（请压缩或拆分后再添加）", mb(*size), mb(*limit))
            } else {
                format!("{name} is {}, above the {} limit for one file; not kept (compress or split it)", mb(*size), mb(*limit))
            }
        }
        StoreError::KeyNameTaken { name, other } => {
            if zh {
                format!("名称 {name:?} 已用于公钥 {other}（或是它的编号），请换一个名称")
            } else {
                format!("the name {name:?} is already key {other}'s (or its id); choose another")
            }
        }
        StoreError::KeyNotFound { key } => {
            if zh {
                format!("没有名为或编号为 {key:?} 的受信任公钥（butie keys list 列出全部）")
            } else {
                format!("no trusted key named or numbered {key:?} (butie keys list shows them)")
            }
        }
        StoreError::EvidenceNotFound { id } => {
            if zh {
                format!("找不到证明材料文件 #{id}")
            } else {
                format!("evidence file #{id} not found")
            }
        }
        StoreError::EvidenceDamaged { id, name } => {
            if zh {
                format!("证明材料文件 #{id} {name} 的内容与保存时的 SHA-256 不符（工作区可能已损坏），未取出")
            } else {
                format!("evidence file #{id} {name} no longer matches the SHA-256 recorded (the workspace may be damaged); not read")
            }
        }
        StoreError::EvidenceMismatch { name, .. } => {
            if zh {
                format!("{name} 的内容与文件中记录的大小或 SHA-256 不符（文件可能在传输中损坏），未导入任何内容")
            } else {
                format!("{name}: the data does not match the size or SHA-256 written beside it (damaged in transit?); nothing imported")
            }
        }
        StoreError::UnknownPack { pack, known } => {
            if zh {
                format!("没有政策包 {pack:?}；可用：{}", known.join("、"))
            } else {
                format!("no policy pack {pack:?}; known: {}", known.join(", "))
            }
        }
        StoreError::DeadlineBeforeStart { start, end } => {
            if zh {
                format!("截止日期 {end} 早于开始日期 {start}")
            } else {
                format!("the end {end} is before the start {start}")
            }
        }
        StoreError::EvaluationNotFound { id } => {
            if zh {
                format!("找不到测算记录 #{id}")
            } else {
                format!("saved evaluation #{id} not found")
            }
        }
        StoreError::FileNotFound { path } => {
            if zh {
                format!("找不到文件 {}", path.display())
            } else {
                format!("file not found: {}", path.display())
            }
        }
        StoreError::WorkspaceMissing { path } => {
            if zh {
                format!("找不到工作区文件 {}", path.display())
            } else {
                format!("no workspace at {}", path.display())
            }
        }
        StoreError::ReadOnly { path } => {
            if zh {
                format!("{}工作区文件只读，无法保存", path_prefix(path))
            } else {
                format!("{}the workspace file is read-only; nothing was saved", path_prefix(path))
            }
        }
        StoreError::DiskFull { path } => {
            if zh {
                format!("{}磁盘已满，未能保存", path_prefix(path))
            } else {
                format!("{}the disk is full; nothing was saved", path_prefix(path))
            }
        }
        StoreError::BackupDamaged { path, table, rowid, column } => {
            let p = path.display();
            match (table, zh) {
                (Table::Companies, true) => format!("备份文件 {p} 已损坏：企业 #{rowid} 的 {column} 无法读取；未做任何恢复"),
                (Table::Companies, false) => {
                    format!("the backup {p} is damaged: {column} of company #{rowid} cannot be read; nothing was restored")
                }
                (Table::Facts, true) => format!("备份文件 {p} 已损坏：第 {rowid} 条年度数据的 {column} 无法读取；未做任何恢复"),
                (Table::Facts, false) => {
                    format!("the backup {p} is damaged: {column} of stored fact {rowid} cannot be read; nothing was restored")
                }
                (Table::Evaluations, true) => format!("备份文件 {p} 已损坏：测算记录 #{rowid} 的 {column} 无法读取；未做任何恢复"),
                (Table::Evaluations, false) => {
                    format!("the backup {p} is damaged: {column} of saved evaluation #{rowid} cannot be read; nothing was restored")
                }
                (Table::Claims, true) => format!("备份文件 {p} 已损坏：申报记录 #{rowid} 的 {column} 无法读取；未做任何恢复"),
                (Table::Claims, false) => {
                    format!("the backup {p} is damaged: {column} of claim #{rowid} cannot be read; nothing was restored")
                }
                (Table::ClaimEvents, true) => format!("备份文件 {p} 已损坏：第 {rowid} 条申报变更记录的 {column} 无法读取；未做任何恢复"),
                (Table::ClaimEvents, false) => {
                    format!("the backup {p} is damaged: {column} of claim change {rowid} cannot be read; nothing was restored")
                }
            }
        }
        StoreError::UsccTaken { uscc, other_id, other_name } => {
            if zh {
                format!("统一社会信用代码 {uscc} 已属于工作区中的企业 #{other_id}（{other_name}）")
            } else {
                format!("USCC {uscc} already belongs to company #{other_id} ({other_name}) in this workspace")
            }
        }
        StoreError::ImportUsccTaken { uscc, other_id, other_name } => {
            if zh {
                format!("统一社会信用代码 {uscc} 已属于工作区中的企业 #{other_id}（{other_name}）")
            } else {
                format!("USCC {uscc} already belongs to company #{other_id} ({other_name}) in this workspace")
            }
        }
        StoreError::DuplicateUsccInImport { uscc } => {
            if zh {
                format!("导入文件中统一社会信用代码 {uscc} 出现了不止一次")
            } else {
                format!("USCC {uscc} appears more than once in the import file")
            }
        }
        StoreError::HasEvaluations { id, count } => {
            if zh {
                format!("企业 #{id} 有 {count} 条已保存的测算记录，不能删除（测算记录永久保留）")
            } else {
                let noun = if *count == 1 { "evaluation" } else { "evaluations" };
                format!("company #{id} has {count} saved {noun} and cannot be deleted (saved evaluations are kept for good)")
            }
        }
        StoreError::HasClaims { id, count } => {
            if zh {
                format!("企业 #{id} 有 {count} 条申报记录，不能删除（申报记录及其变更永久保留）")
            } else {
                let noun = if *count == 1 { "claim" } else { "claims" };
                format!("company #{id} has {count} {noun} in its filing ledger and cannot be deleted (claims and their changes are kept for good)")
            }
        }
        StoreError::UnknownClause { clause, .. } => {
            if zh {
                format!("未知的条款 id {clause:?}（butie policies 可列出所有条款）")
            } else {
                format!("unknown clause id {clause:?} (butie policies lists them)")
            }
        }
        StoreError::ClaimOutsideTerm { clause, year, valid_from, valid_to, .. } => {
            if zh {
                format!("{clause} 所属政策的有效期为 {valid_from} 至 {valid_to}，{year} 年度不在有效期内，不能记录这一申报")
            } else {
                format!("{clause} belongs to a policy in force from {valid_from} to {valid_to}; {year} is outside it, so no claim can be recorded")
            }
        }
        StoreError::ClaimOtherPlace { clause, pack_area, city, district, .. } => {
            if zh {
                format!("{clause} 所属政策只适用于{pack_area}，企业注册地为{city}{district}，不能记录这一申报")
            } else {
                // Place names are Chinese data: the English line names the clause only.
                let _ = (pack_area, city, district);
                format!("{clause} belongs to a policy that does not cover the company's city and district, so no claim can be recorded")
            }
        }
        StoreError::ClaimNotInCityPlan { clause, cities, city, .. } => {
            if zh {
                format!("{clause} 只见于{}的实施方案，{city}的方案没有此项，不能记录这一申报", cities.join("、"))
            } else {
                format!(
                    "{clause} is stated only in other cities' plans, not in the plan of the company's city, so no claim can be recorded"
                )
            }
        }
        StoreError::ClaimAmountNotAllowed { status, .. } => {
            let label = claim_status_label(*status, lang);
            if zh {
                format!("状态为“{label}”的申报不填金额（金额只用于已申报的申报金额和已批准的批准金额）")
            } else {
                format!("a {label} claim takes no amount (an amount is what was applied for when submitted, or what was approved)")
            }
        }
        StoreError::ClaimAmountRequired { status: ClaimStatus::Approved, .. } => {
            if zh {
                "已批准的申报须填写批准金额".to_string()
            } else {
                "an approved claim needs the approved amount".to_string()
            }
        }
        StoreError::ClaimAmountRequired { status, .. } => {
            let label = claim_status_label(*status, lang);
            if zh {
                format!("该条款对单家企业累计封顶，状态为“{label}”的申报须填写申报金额")
            } else {
                format!("this clause caps the total per company, so a {label} claim needs the amount applied for")
            }
        }
        StoreError::BadClaimDate { date, .. } => {
            if zh {
                format!("{date:?} 不是有效日期，请写成 YYYY-MM-DD（如 2025-06-30）")
            } else {
                format!("{date:?} is not a real date written YYYY-MM-DD (such as 2025-06-30)")
            }
        }
        StoreError::BadClaimTime { time, .. } => {
            if zh {
                format!("{time:?} 不是有效时间（应为 YYYY-MM-DDTHH:MM:SS.sssZ，如补贴通导出时所写）")
            } else {
                format!("{time:?} is not a valid time (YYYY-MM-DDTHH:MM:SS.sssZ, as Butie exports write it)")
            }
        }
        StoreError::NotAWorkspace { path, why } => {
            let why = match (why, zh) {
                (NotWorkspaceWhy::Unreadable(e), _) if e.sqlite_error_code() == Some(ErrorCode::DatabaseCorrupt) => {
                    if zh {
                        "文件已损坏".to_string()
                    } else {
                        "the file is damaged".to_string()
                    }
                }
                (NotWorkspaceWhy::Unreadable(_), true) => "不是 SQLite 数据库文件".to_string(),
                (NotWorkspaceWhy::Unreadable(_), false) => "it is not an SQLite database file".to_string(),
                (NotWorkspaceWhy::Empty, true) => "文件是空的".to_string(),
                (NotWorkspaceWhy::Empty, false) => "the file is empty".to_string(),
                (NotWorkspaceWhy::OtherApplication { application_id }, true) => {
                    format!("这是其他程序的数据库文件（application_id {application_id:#010x}）")
                }
                (NotWorkspaceWhy::OtherApplication { application_id }, false) => {
                    format!("it is another program's database file (application_id {application_id:#010x})")
                }
                (NotWorkspaceWhy::Damaged { .. }, true) => "完整性检查失败，文件已损坏".to_string(),
                (NotWorkspaceWhy::Damaged { .. }, false) => "its integrity check failed; the file is damaged".to_string(),
                (NotWorkspaceWhy::UnknownVersion { found }, true) => format!("不是补贴通创建的文件（结构版本 {found}）"),
                (NotWorkspaceWhy::UnknownVersion { found }, false) => format!("it was not made by Butie (schema version {found})"),
                (NotWorkspaceWhy::MissingTables, true) => "缺少数据表".to_string(),
                (NotWorkspaceWhy::MissingTables, false) => "its tables are missing".to_string(),
                (NotWorkspaceWhy::NotAFile { kind }, true) => match kind {
                    FileKind::Folder => "这是一个文件夹，不是工作区文件".to_string(),
                    FileKind::Fifo => "这是一个命名管道（FIFO），不是工作区文件".to_string(),
                    FileKind::Device => "这是一个设备文件，不是工作区文件".to_string(),
                    FileKind::Other => "不是普通文件".to_string(),
                },
                (NotWorkspaceWhy::NotAFile { kind }, false) => match kind {
                    FileKind::Folder => "it is a folder, not a workspace file".to_string(),
                    FileKind::Fifo => "it is a named pipe (FIFO), not a workspace file".to_string(),
                    FileKind::Device => "it is a device, not a workspace file".to_string(),
                    FileKind::Other => "it is not a regular file".to_string(),
                },
            };
            if zh {
                format!("{} 不是可用的补贴通工作区: {why}", path.display())
            } else {
                format!("{} is not a usable Butie workspace: {why}", path.display())
            }
        }
        StoreError::NewerVersion { path, found, supported } => {
            if zh {
                format!("{}工作区结构版本 {found} 比本程序（{supported}）新，请升级补贴通", path_prefix(path))
            } else {
                format!(
                    "{}the workspace's schema version {found} is newer than this program supports ({supported}); please update Butie",
                    path_prefix(path)
                )
            }
        }
        StoreError::CannotOpen { path, source } => {
            if zh {
                format!("无法打开工作区 {}: {}", path.display(), sqlite_why(source, lang))
            } else {
                format!("cannot open the workspace {}: {}", path.display(), sqlite_why(source, lang))
            }
        }
        StoreError::BackupExists { path } => {
            if zh {
                format!("备份文件 {} 已存在，不会覆盖", path.display())
            } else {
                format!("backup file {} already exists; it will not be overwritten", path.display())
            }
        }
        StoreError::CannotCreateBackup { path, source } => {
            if zh {
                format!("无法创建备份 {}: {}", path.display(), sqlite_why(source, lang))
            } else {
                format!("cannot create the backup {}: {}", path.display(), sqlite_why(source, lang))
            }
        }
        StoreError::Io { path, action, source } => {
            let why = io_why(source, lang);
            let p = path.display();
            match (action, zh) {
                (IoAction::CreateDir, true) => format!("无法创建工作区目录 {p}: {why}"),
                (IoAction::CreateDir, false) => format!("cannot create the workspace folder {p}: {why}"),
                (IoAction::Inspect, true) => format!("无法查看 {p}: {why}"),
                (IoAction::Inspect, false) => format!("cannot look at {p}: {why}"),
                (IoAction::CreateTemp, true) => format!("无法在 {p} 所在的文件夹中写入临时文件: {why}"),
                (IoAction::CreateTemp, false) => format!("cannot write a temporary file in the folder of {p}: {why}"),
                (IoAction::Sync, true) => format!("无法将 {p} 写入磁盘: {why}"),
                (IoAction::Sync, false) => format!("cannot flush {p} to disk: {why}"),
                (IoAction::Place, true) => format!("无法保存为 {p}: {why}"),
                (IoAction::Place, false) => format!("cannot save it as {p}: {why}"),
            }
        }
        StoreError::CorruptFact { company_id, year, key, .. } => {
            if zh {
                format!("工作区中企业 #{company_id} {year} 年度保存的 facts.{key} 已损坏，无法读取")
            } else {
                format!("the value of facts.{key} saved for company #{company_id}, {year} is damaged and cannot be read")
            }
        }
        StoreError::Sql(e) => {
            if zh {
                format!("工作区数据库错误: {}", sqlite_why(e, lang))
            } else {
                format!("the workspace database reported an error: {}", sqlite_why(e, lang))
            }
        }
    }
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
    let zh = lang == Lang::Zh;
    let Some(f) = e.sqlite_error() else {
        // Not an SQLite failure: the binding could not read a value as the
        // expected type, or a program error.
        return match e {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::Utf8Error(_) => {
                if zh {
                    "读到了无法识别的数据".to_string()
                } else {
                    "it holds data this program cannot read".to_string()
                }
            }
            _ => {
                if zh {
                    "程序内部错误".to_string()
                } else {
                    "internal error".to_string()
                }
            }
        };
    };
    let (zh_text, en_text) = match f.code {
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
    if zh {
        format!("{zh_text}（SQLite 错误码 {n}）")
    } else {
        format!("{en_text} (SQLite error code {n})")
    }
}

/// A file-system error in words; the OS's own text only when it is none of
/// the usual cases.
fn io_why(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let zh = lang == Lang::Zh;
    // EROFS (Linux, macOS, the BSDs): `ErrorKind::ReadOnlyFilesystem` is newer than the MSRV.
    if cfg!(unix) && e.raw_os_error() == Some(30) {
        return if zh { "文件系统只读".to_string() } else { "the file system is read-only".to_string() };
    }
    let s = match (e.kind(), zh) {
        (K::NotFound, true) => "路径不存在",
        (K::NotFound, false) => "no such file or folder",
        (K::PermissionDenied, true) => "没有权限",
        (K::PermissionDenied, false) => "permission denied",
        (K::AlreadyExists, true) => "已存在同名文件",
        (K::AlreadyExists, false) => "a file of that name already exists",
        (_, true) => return format!("无法完成（{e}）"),
        (_, false) => return format!("failed ({e})"),
    };
    s.to_string()
}

/// The warning kept with a claim whose approved amount is above the most
/// the clause can pay that year.
pub fn above_most_warning(c: &butie_store::ClaimRecord, lang: Lang) -> Option<String> {
    let (most, approved) = (c.above_most?, c.approved?);
    Some(match lang {
        Lang::Zh => format!(
            "提示：批准金额 {} 元超过本条 {} 年度最多可得的 {} 元（政策上限扣除此前已获部分）；已照录并记下此提示，请核对批复文件",
            butie_core::money::fmt_grouped(approved),
            c.year,
            butie_core::money::fmt_grouped(most)
        ),
        Lang::En => format!(
            "warning: the approved {} yuan is above the most this clause can pay in {} ({} yuan: the policy's cap less earlier awards); recorded as given, with this warning; please check the decision",
            butie_core::money::fmt_grouped(approved),
            c.year,
            butie_core::money::fmt_grouped(most)
        ),
    })
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

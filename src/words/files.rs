//! Words for file errors: one line in the user's language for each
//! [`FileError`] kind (reading, writing, policy folders).

use crate::ops::files::{shown, FileError};
use butie_core::policy::Lang;

/// A size in whole MB, rounded up (559 MB).
fn mb_round(n: u64) -> String {
    format!("{} MB", n.div_ceil(1024 * 1024))
}

fn mb(limit: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if limit >= MIB && limit & (MIB - 1) == 0 {
        format!("{} MB", limit / MIB)
    } else {
        format!("{limit} bytes")
    }
}

impl FileError {
    /// One line in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let pick = |z: String, e: String| if zh { z } else { e };
        let io = |e: &std::io::Error| io_words(e, lang);
        match self {
            FileError::NotFound { path } => pick(format!("{}: 文件不存在", shown(path)), format!("{}: no such file", shown(path))),
            FileError::PermissionDenied { path } => {
                pick(format!("{}: 没有读取权限", shown(path)), format!("{}: permission denied", shown(path)))
            }
            FileError::Unreadable { path, source } => {
                let source = io(source);
                pick(format!("{}: 无法读取（{source}）", shown(path)), format!("{}: cannot read ({source})", shown(path)))
            }
            FileError::NotUtf8 { path } => {
                pick(format!("{}: 不是 UTF-8 编码的文本", shown(path)), format!("{}: not UTF-8 text", shown(path)))
            }
            FileError::NotRegular { path, kind } => pick(
                format!("{}: 不是普通文件（{}），未读取", shown(path), kind.name(true)),
                format!("{}: not a regular file ({}); not read", shown(path), kind.name(false)),
            ),
            FileError::TooLarge { path, limit } => pick(
                format!("{}: 文件太大（上限 {}），未读取", shown(path), mb(*limit)),
                format!("{}: file too large (the limit is {}); not read", shown(path), mb(*limit)),
            ),
            FileError::ExportTooLarge { path, size, limit } => pick(
                format!(
                    "{}: 导出文件将有 {}，超过导入上限 {}，导出后无法再导入；未写出。请按企业分别导出（export --company …）",
                    shown(path),
                    mb_round(*size),
                    mb(*limit)
                ),
                format!(
                    "{}: the export would be {}, above the {} that import reads, so it could not be imported again; nothing written. Export company by company (export --company …)",
                    shown(path),
                    mb_round(*size),
                    mb(*limit)
                ),
            ),
            FileError::Empty { path } => pick(format!("{}: 文件是空的", shown(path)), format!("{}: the file is empty", shown(path))),
            FileError::PolicyDirUnreadable { dir, source } => {
                let source = io(source);
                pick(
                    format!("政策目录 {}: 无法打开（{source}）", shown(dir)),
                    format!("policy directory {}: cannot open ({source})", shown(dir)),
                )
            }
            FileError::NoPolicyFiles { dir } => pick(
                format!("政策目录 {}: 没有 .toml 政策文件", shown(dir)),
                format!("policy directory {}: no .toml policy files", shown(dir)),
            ),
            FileError::Policy(e) => e.message(lang),
            FileError::Pdf(e) => e.message(lang),
            FileError::TargetIsLink { path } => pick(
                format!("{}: 是符号链接，不写入（不跟随链接）", shown(path)),
                format!("{}: is a symbolic link; not written (links are never followed)", shown(path)),
            ),
            FileError::TargetIsDirectory { path } => {
                pick(format!("{}: 是文件夹，不能写成文件", shown(path)), format!("{}: is a folder; not written", shown(path)))
            }
            FileError::TargetNotRegular { path, kind } => pick(
                format!("{}: 不是普通文件（{}），不写入", shown(path), kind.name(true)),
                format!("{}: not a regular file ({}); not written", shown(path), kind.name(false)),
            ),
            FileError::TargetIsDatabase { path } => pick(
                format!("{}: 是 SQLite 数据库文件，不会被覆盖", shown(path)),
                format!("{}: is an SQLite database; it is never overwritten", shown(path)),
            ),
            FileError::TargetIsWorkspace { path } => pick(
                format!("{}: 是正在使用的工作区，不会被覆盖", shown(path)),
                format!("{}: is the open workspace; it is never overwritten", shown(path)),
            ),
            FileError::TargetExists { path } => {
                pick(format!("{}: 文件已存在，未覆盖", shown(path)), format!("{}: already exists; not replaced", shown(path)))
            }
            FileError::TargetNotSameKind { path, expected } => pick(
                format!("{}: 已存在且不是{}文件，未覆盖", shown(path), expected.name(true)),
                format!("{}: exists and is not a {} file; not replaced", shown(path), expected.name(false)),
            ),
            FileError::TargetReadOnly { path } => {
                pick(format!("{}: 是只读文件，未覆盖", shown(path)), format!("{}: is read-only; not replaced", shown(path)))
            }
            FileError::FolderNotFound { dir } => pick(
                format!("{}: 文件夹不存在，文件未写入", shown(dir)),
                format!("{}: no such folder; the file was not written", shown(dir)),
            ),
            FileError::NotAFolder { dir } => pick(
                format!("{}: 不是文件夹，无法在其中写入文件", shown(dir)),
                format!("{}: not a folder; nothing was written", shown(dir)),
            ),
            FileError::CannotCreateFolder { dir, source } => {
                let source = io(source);
                pick(format!("{}: 无法创建文件夹（{source}）", shown(dir)), format!("{}: cannot create the folder ({source})", shown(dir)))
            }
            FileError::DiskFull { path } => pick(
                format!("{}: 磁盘已满，文件未写入", shown(path)),
                format!("{}: the disk is full; the file was not written", shown(path)),
            ),
            FileError::WriteFailed { path, source } => {
                let source = io(source);
                pick(
                    format!("{}: 无法写入（{source}），文件未写入", shown(path)),
                    format!("{}: cannot write ({source}); the file was not written", shown(path)),
                )
            }
        }
    }
}

/// What the system said, in the user's words for the kinds a user meets;
/// anything rarer as the system's own text without its "(os error N)".
pub fn io_words(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let (zh, en) = match e.kind() {
        K::NotFound => ("不存在", "does not exist"),
        K::PermissionDenied => ("没有权限", "permission denied"),
        K::NotADirectory => ("不是文件夹", "not a folder"),
        K::IsADirectory => ("是文件夹", "is a folder"),
        K::ReadOnlyFilesystem => ("磁盘为只读", "read-only disk"),
        K::StorageFull => ("磁盘已满", "disk full"),
        K::AlreadyExists => ("已存在", "already exists"),
        _ => {
            let text = e.to_string();
            return match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
        }
    };
    if lang == Lang::Zh {
        zh.to_string()
    } else {
        en.to_string()
    }
}

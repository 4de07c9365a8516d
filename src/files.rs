//! Files the front ends read and write on the user's behalf: text files
//! (profiles, imports, policy folders) and the PDF set. Shared by the CLI
//! and the app; errors are data, worded by `FileError::message`.

use butie_core::policy::{Lang, Pack, PolicyError};
use butie_core::profile::Profile;
use butie_core::Evaluation;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum FileError {
    NotFound { path: PathBuf },
    PermissionDenied { path: PathBuf },
    Unreadable { path: PathBuf, source: std::io::Error },
    NotUtf8 { path: PathBuf },
    PolicyDirUnreadable { dir: PathBuf, source: std::io::Error },
    NoPolicyFiles { dir: PathBuf },
    Policy(PolicyError),
    Pdf(butie_pdf::PdfError),
}

impl FileError {
    /// One line in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            FileError::NotFound { path } => {
                if zh {
                    format!("{}: 文件不存在", path.display())
                } else {
                    format!("{}: no such file", path.display())
                }
            }
            FileError::PermissionDenied { path } => {
                if zh {
                    format!("{}: 没有读取权限", path.display())
                } else {
                    format!("{}: permission denied", path.display())
                }
            }
            FileError::Unreadable { path, source } => {
                if zh {
                    format!("{}: 无法读取（{source}）", path.display())
                } else {
                    format!("{}: cannot read ({source})", path.display())
                }
            }
            FileError::NotUtf8 { path } => {
                if zh {
                    format!("{}: 不是 UTF-8 编码的文本", path.display())
                } else {
                    format!("{}: not UTF-8 text", path.display())
                }
            }
            FileError::PolicyDirUnreadable { dir, source } => {
                if zh {
                    format!("政策目录 {}: 无法打开（{source}）", dir.display())
                } else {
                    format!("policy directory {}: cannot open ({source})", dir.display())
                }
            }
            FileError::NoPolicyFiles { dir } => {
                if zh {
                    format!("政策目录 {}: 没有 .toml 政策文件", dir.display())
                } else {
                    format!("policy directory {}: no .toml policy files", dir.display())
                }
            }
            FileError::Policy(e) => e.to_string(),
            FileError::Pdf(e) => e.0.clone(),
        }
    }
}

/// Read a text file.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FileError::NotFound { path: path.to_path_buf() },
        std::io::ErrorKind::PermissionDenied => FileError::PermissionDenied { path: path.to_path_buf() },
        _ => FileError::Unreadable { path: path.to_path_buf(), source: e },
    })?;
    String::from_utf8(bytes).map_err(|_| FileError::NotUtf8 { path: path.to_path_buf() })
}

/// The bundled packs, or every `*.toml` in `dir` (sorted by name).
pub fn load_policies(dir: Option<&Path>) -> Result<Vec<Pack>, FileError> {
    match dir {
        None => butie_core::bundled_packs().map_err(FileError::Policy),
        Some(d) => {
            let files = policy_files(d)?;
            let mut texts = Vec::new();
            for f in &files {
                texts.push((f.display().to_string(), read_text(f)?));
            }
            butie_core::load_packs(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(FileError::Policy)
        }
    }
}

/// The `*.toml` files of a policy folder, sorted by name.
pub fn policy_files(d: &Path) -> Result<Vec<PathBuf>, FileError> {
    let rd = std::fs::read_dir(d).map_err(|e| FileError::PolicyDirUnreadable { dir: d.to_path_buf(), source: e })?;
    let mut files: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    if files.is_empty() {
        return Err(FileError::NoPolicyFiles { dir: d.to_path_buf() });
    }
    Ok(files)
}

/// Write the summary report and one application form per eligible clause;
/// returns the files written.
pub fn write_pdfs(packs: &[Pack], profile: &Profile, ev: &Evaluation, out: &Path) -> Result<Vec<PathBuf>, FileError> {
    let fonts = butie_pdf::Fonts::load_default().map_err(FileError::Pdf)?;
    let cx = butie_pdf::Context { packs, profile, evaluation: ev };
    butie_pdf::write_all(&fonts, &cx, out).map_err(FileError::Pdf)
}

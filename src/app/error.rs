//! The app layer's errors: one typed enum, [`AppError`], that wraps the
//! typed errors of the layers below (with their data) and names the app's
//! own, so that `Session`'s methods use plain `?`. The words are made once,
//! at the window's edge, in the session's language: [`AppError::to_api`]
//! (called by `Session::word`) gives the one `ApiError { field, message }`
//! the page shows beside the field it names.

use super::UiLang;
use crate::files::FileError;
use crate::store_messages::store_detail;
use butie_core::policy::{Lang, PolicyError};
use butie_core::profile::InputError;
use butie_pdf::PdfError;
use butie_store::StoreError;
use serde::Serialize;
use std::path::PathBuf;

/// Every error the window gets: the form field it belongs to ("" for none)
/// and one line in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    pub fn general(message: impl Into<String>) -> Self {
        ApiError { field: String::new(), message: message.into() }
    }
}

/// What went wrong in one of the window's operations, as data.
#[derive(Debug)]
pub enum AppError {
    /// The workspace refused or failed (its `field()` names the form field).
    Store(StoreError),
    /// A value typed into a form field (its `field` names it).
    Input(InputError),
    /// A file read or written for the user.
    File(FileError),
    /// The PDF writer.
    Pdf(PdfError),
    /// A policy pack file that does not load.
    Policy(PolicyError),
    /// A workspace file to import that is not one: said whole (a duplicate
    /// key or a format version names a place in the file, not a form field).
    Import(InputError),
    /// A shared operation of `src/ops`, with the form field it belongs to
    /// ("" for none; a store error names its own).
    Ops { field: &'static str, error: Box<crate::ops::Error> },
    /// A material status that is none of the three.
    MaterialStatus { status: String },
    /// `save_sheet` without a spreadsheet previewed (or saved already).
    NoSheetWaiting,
    /// The spreadsheet previewed has no row that can be saved.
    SheetEmpty,
    /// Exporting the overview onto a file that is not a workbook.
    NotAWorkbook { file: PathBuf },
    /// Comparing a pack file with a pack that is not in use.
    NoPackToCompare { pack: String },
    /// Another PDF run is still going.
    PdfJobRunning,
    /// The workspace could not be opened (the window shows why instead).
    NoWorkspace,
    /// Writing an export as JSON.
    Json(serde_json::Error),
    /// A folder for files to be opened could not be made.
    Io(std::io::Error),
    /// What the window's shell reports (a native dialog, the system's
    /// opener), in its own words.
    System(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A shared operation's error, for `field`.
    pub fn ops(field: &'static str) -> impl FnOnce(crate::ops::Error) -> AppError {
        move |error| AppError::Ops { field, error: Box::new(error) }
    }

    /// The error as the window shows it, in `lang`: the field it belongs to
    /// and one line that never repeats the field's name.
    pub fn to_api(&self, lang: UiLang) -> ApiError {
        let l = Lang::from(lang);
        let say = |field: &str, message: String| ApiError { field: field.to_string(), message };
        let pick = |zh: String, en: String| if l == Lang::Zh { zh } else { en };
        match self {
            AppError::Input(e) => say(&e.field, e.detail(l)),
            AppError::Store(e) => store_api(e, l),
            AppError::File(e) => say("", e.message(l)),
            AppError::Pdf(e) => say("", e.message(l)),
            AppError::Policy(e) => say("", e.message(l)),
            AppError::Import(e) => say("import", if e.field == "import" { e.detail(l) } else { e.message(l) }),
            AppError::Ops { field, error } => match &**error {
                // A store error names its field unless the operation's does.
                crate::ops::Error::Store(e) => {
                    let mut a = store_api(e, l);
                    if !field.is_empty() {
                        a.field = field.to_string();
                    }
                    a
                }
                e => say(field, e.message(l)),
            },
            AppError::MaterialStatus { status } => say("material.status", format!("{status:?}")),
            AppError::NoSheetWaiting => {
                say("", pick("没有待保存的表格，请重新导入".into(), "no spreadsheet waiting to be saved; import it again".into()))
            }
            AppError::SheetEmpty => say("", pick("表格中没有可保存的行".into(), "the spreadsheet has no row that can be saved".into())),
            AppError::NotAWorkbook { file } => say(
                "",
                pick(
                    format!("{}：已存在且不是 Excel 工作簿，未覆盖", file.display()),
                    format!("{}: exists and is not an Excel workbook; not replaced", file.display()),
                ),
            ),
            AppError::NoPackToCompare { pack } => {
                say("", pick(format!("没有正在使用的政策包 {pack}，无从比较"), format!("no pack {pack} in use to compare with")))
            }
            AppError::PdfJobRunning => say("", pick("正在生成 PDF，请等它完成或取消".into(), "PDFs are already being generated".into())),
            AppError::NoWorkspace => say("", "workspace not open".into()),
            AppError::Json(e) => say("", e.to_string()),
            AppError::Io(e) => say("", e.to_string()),
            AppError::System(m) => say("", m.clone()),
        }
    }
}

/// A store error beside the form field it names.
fn store_api(e: &StoreError, l: Lang) -> ApiError {
    match e {
        StoreError::Input(i) => ApiError { field: i.field.clone(), message: i.detail(l) },
        _ => ApiError { field: e.field().to_string(), message: store_detail(e, l) },
    }
}

impl std::fmt::Display for AppError {
    /// In Chinese, the filing language (logs and tests; the window gets
    /// [`AppError::to_api`] in its own language).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_api(UiLang::Zh).fmt(f)
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

impl From<InputError> for AppError {
    fn from(e: InputError) -> Self {
        AppError::Input(e)
    }
}

impl From<FileError> for AppError {
    fn from(e: FileError) -> Self {
        AppError::File(e)
    }
}

impl From<PdfError> for AppError {
    fn from(e: PdfError) -> Self {
        AppError::Pdf(e)
    }
}

impl From<PolicyError> for AppError {
    fn from(e: PolicyError) -> Self {
        AppError::Policy(e)
    }
}

impl From<crate::ops::Error> for AppError {
    fn from(error: crate::ops::Error) -> Self {
        AppError::Ops { field: "", error: Box::new(error) }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Json(e)
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Io(e)
    }
}

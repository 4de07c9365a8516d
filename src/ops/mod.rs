//! The operations both front ends share: files (reading text and policy
//! folders, writing PDF sets), policy pack files (signatures, import, the
//! set in use, verify, diff), the packet's inputs, spreadsheets. They
//! return [`Error`], never words of their own, and import nothing of the
//! command line or the window.

pub mod batch;
pub mod error;
pub mod files;
pub mod packet;
pub mod packs;

pub use error::{Error, FileRole, Output, PackRefusal, SheetProblem};

use butie_core::policy::{Lang, Pack};
use butie_store::Workspace;
use std::path::PathBuf;

/// Whether an operation may create the workspace. Only operations that add
/// data (`company add`, `import`; `restore` too, through
/// `Workspace::restore`) make a new one; every other needs an existing
/// workspace, so a mistyped `--workspace` says "no workspace at …" instead
/// of quietly starting an empty one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// The workspace must exist.
    Existing,
    /// Create the folder and an empty workspace if there is none.
    CreateIfMissing,
}

/// Where an operation finds the policies and the workspace, and the
/// language of what it writes (a workbook's labels, a PDF's reasons).
#[derive(Debug, Clone, Default)]
pub struct Setup {
    pub lang: Lang,
    pub policies: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
}

impl Setup {
    /// The workspace file: the one named, then `$BUTIE_WORKSPACE` (as the
    /// app reads it), then the default one.
    pub fn workspace_path(&self) -> PathBuf {
        self.workspace
            .clone()
            .or_else(|| std::env::var_os("BUTIE_WORKSPACE").filter(|v| !v.is_empty()).map(PathBuf::from))
            .unwrap_or_else(butie_store::default_path)
    }
    pub fn open(&self, mode: OpenMode) -> Result<Workspace, Error> {
        let path = self.workspace_path();
        Ok(match mode {
            OpenMode::Existing => Workspace::open(&path),
            OpenMode::CreateIfMissing => Workspace::open_or_create(&path),
        }?)
    }
    /// Open the (existing) workspace and find a company by number or USCC.
    pub fn company(&self, key: &str) -> Result<(Workspace, i64), Error> {
        let w = self.open(OpenMode::Existing)?;
        let id = w.find_company(key)?;
        Ok((w, id))
    }
    /// The packs in use: the policy folder if one is named; else the
    /// built-in ones with the versions imported into the workspace (when
    /// there is one).
    pub fn packs(&self) -> Result<Vec<Pack>, Error> {
        if self.policies.is_none() {
            let path = self.workspace_path();
            if path.exists() {
                if let Ok(w) = Workspace::open(&path) {
                    return packs::packs_with(&w);
                }
            }
        }
        let mut packs = files::load_policies(self.policies.as_deref())?;
        // Files from a folder carry no signature: unless a file is the very
        // text built into this program, its figures are 未验证.
        if self.policies.is_some() {
            let builtin: Vec<String> =
                butie_core::bundled_packs().map(|b| b.into_iter().map(|p| p.content_hash).collect()).unwrap_or_default();
            for p in &mut packs {
                p.unverified = !builtin.contains(&p.content_hash);
            }
        }
        Ok(packs)
    }
}

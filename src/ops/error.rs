//! The one error of the shared operations: what went wrong, with its data.
//! Nothing here is worded; each front end turns an [`Error`] into its own
//! words (`crate::words::ops` for both, today).

use crate::ops::batch::{RegionNote, RowError};
use crate::ops::files::FileError;
use butie_core::policy::PolicyError;
use butie_core::profile::InputError;
use butie_pdf::PdfError;
use butie_store::StoreError;
use std::path::PathBuf;

/// Everything an operation of `ops` can fail with.
#[derive(Debug)]
pub enum Error {
    Store(StoreError),
    /// A file the user named, with the role it plays (said before the
    /// file's own problem).
    File {
        role: FileRole,
        error: FileError,
    },
    Input(InputError),
    Policy(PolicyError),
    Pdf(PdfError),
    /// A spreadsheet that cannot be used at all.
    Sheet {
        path: PathBuf,
        problem: SheetProblem,
    },
    /// A pack file (and its signature) refused at import.
    Pack {
        name: String,
        refusal: PackRefusal,
    },
    /// A text kept in the workspace for a pack no longer matches its SHA-256.
    KeptPackChanged {
        pack: String,
        version: String,
    },
    /// No clause is eligible and still to be filed: nothing for a packet.
    NothingToFile {
        year: i32,
    },
    /// Materials and evidence belong to a clause the company files that year.
    NotFiled {
        clause: String,
        year: i32,
    },
    /// A filing window belongs to a pack that applies to the company that year.
    PackNotApplies {
        pack: String,
        year: i32,
        applying: Vec<String>,
    },
    /// The packet is written to a `.pdf` file.
    NotPdfName {
        path: PathBuf,
    },
    /// An output file that exists and was not written by this command.
    NotOurs {
        path: PathBuf,
        kind: Output,
    },
    /// The output's name does not say a kind this command writes.
    OutKind {
        flag: &'static str,
        expected: &'static [&'static str],
    },
    /// An output the same file as the input.
    OutIsInput,
    /// `--jobs 0`.
    NoJobs,
    /// Too many detail rows for one Excel sheet.
    TooManyForXlsx {
        rows: usize,
        per_row: usize,
        max_rows: usize,
    },
    /// The spreadsheet writer could not write its temporary file (the
    /// temporary folder `dir` is full, or a file-size limit): nothing written.
    ScratchFull {
        dir: PathBuf,
    },
    /// Writing a spreadsheet failed inside the writer library.
    Writer {
        what: &'static str,
        detail: String,
    },
    /// A batch's results were written but saving them failed; the rows
    /// refused and the notes are said again so that nothing is lost from
    /// the screen.
    NotSaved {
        out: PathBuf,
        rejected: Vec<RowError>,
        notes: Vec<RegionNote>,
        source: Box<Error>,
    },
}

/// What a file is to the operation that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// Said by the file's own error alone.
    Plain,
    Profile,
    Spreadsheet,
    PackFile,
    Signature,
    Evidence,
    Policy,
    Import,
    CompanyJson,
    FactsJson,
}

/// What an existing output file was expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    BatchResult,
    Template,
}

/// Why a spreadsheet cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetProblem {
    NotSpreadsheet,
    CsvNotUtf8,
    Csv {
        detail: String,
    },
    XlsxDamaged,
    /// A formula cell saved without its calculated value (`cell` as B3).
    FormulaWithoutValue {
        cell: String,
    },
    /// An `.xlsx` that would unpack to more than the reader takes (a
    /// spreadsheet bomb, or one part holding a huge cell): refused from its
    /// zip directory, before anything is unpacked.
    XlsxTooLargeUnpacked {
        limit: u64,
    },
    Xlsx {
        detail: String,
    },
    NoSheet,
    NoHeader,
    /// A column without a header that holds something.
    HeaderlessColumn {
        column: String,
        row: u32,
    },
    UnknownColumn {
        text: String,
        column: String,
        suggestion: Option<String>,
    },
    DuplicateColumn {
        first: String,
        second: String,
        key: String,
    },
    MissingColumn {
        key: String,
        label: String,
    },
    NoUsccColumn,
    /// The file changed between two readings of one run.
    ChangedWhileRead,
    /// The last `.csv` record, from row `row`, holds a line break: a quote
    /// that was never closed.
    UnclosedQuote {
        row: u32,
    },
    /// A `.csv` record (from row `row` on) longer than `limit` bytes.
    RowTooLarge {
        row: u32,
        limit: u64,
    },
}

/// Why a pack file was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackRefusal {
    SignatureNotMinisign,
    BadSignature,
    UnknownKey { key_id: String },
    Unsigned,
    NotSignatureFile,
    VersionNotDate { version: String },
    CasesFail { failed: usize, total: usize, first: Vec<String> },
    NotPublicKey,
    NoSuchVersion { pack: String, which: String },
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Store(e)
    }
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        Error::Policy(e)
    }
}

impl From<PdfError> for Error {
    fn from(e: PdfError) -> Self {
        Error::Pdf(e)
    }
}

impl From<FileError> for Error {
    fn from(e: FileError) -> Self {
        Error::File { role: FileRole::Plain, error: e }
    }
}

impl Error {
    /// A file error with the role of the file.
    pub fn file(role: FileRole) -> impl Fn(FileError) -> Error {
        move |error| Error::File { role, error }
    }
    pub fn sheet(path: &std::path::Path, problem: SheetProblem) -> Error {
        Error::Sheet { path: path.to_path_buf(), problem }
    }
}

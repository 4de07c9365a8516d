//! 补贴通 desktop shell. Each command forwards to `butie::app_api::Session`,
//! which uses the same core, store and PDF functions as the CLI. The only
//! things done here are what needs the window: the native folder and file
//! dialogs, and opening the output folder.
//!
//! The window's language lives in the session (`set_lang`); errors come
//! back from the session typed (`AppError`) and are worded here, once per
//! command, in that language (`Session::word`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use butie::app_api::{
    ApiError, AppError, ClaimsView, CompanyRow, CompanyView, Copied, CoverageView, Deleted, EvaluationView, FilingClause, FilingForm,
    HistoryEntry, Meta, OpenFailure, OverviewRow, OverviewSort, PackDiffView, PackImported, PackInUse, PapersView, PdfJob, PdfJobStatus,
    Saved, Session, SheetPreview, SheetSaved, UiLang, Understood, UsccOk, Written,
};
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

type R<T> = Result<T, ApiError>;

/// The window's language, for every command from now on (the window calls
/// this at start-up with the saved choice, and when the user switches).
#[tauri::command]
fn set_lang(s: State<Session>, lang: UiLang) {
    s.set_lang(lang)
}

#[tauri::command]
fn meta(s: State<Session>) -> Meta {
    s.meta()
}

#[tauri::command]
fn list_companies(s: State<Session>, search: String) -> R<Vec<CompanyRow>> {
    s.companies(&search).map_err(|e| s.word(e))
}

#[tauri::command]
fn get_company(s: State<Session>, id: i64) -> R<CompanyView> {
    s.get_company(id).map_err(|e| s.word(e))
}

/// The overview of a year, in the order the window's sort asks for.
#[tauri::command]
fn overview(s: State<Session>, year: i64, sort: OverviewSort) -> R<Vec<OverviewRow>> {
    s.overview(year, sort).map_err(|e| s.word(e))
}

#[tauri::command]
fn copy_facts(s: State<Session>, id: i64, from: i64, to: i64) -> R<Copied> {
    s.copy_facts(id, from, to).map_err(|e| s.word(e))
}

#[tauri::command]
fn read_number(s: State<Session>, key: String, text: String, id: Option<i64>, year: Option<i64>) -> R<Understood> {
    s.read_number(&key, &text, id.zip(year)).map_err(|e| s.word(e))
}

#[tauri::command]
fn check_uscc(s: State<Session>, uscc: String) -> R<UsccOk> {
    s.check_uscc(&uscc).map_err(|e| s.word(e))
}

#[tauri::command]
fn save_company(s: State<Session>, id: Option<i64>, fields: Value) -> R<Saved> {
    s.add_or_update_company(id, &fields).map_err(|e| s.word(e))
}

#[tauri::command]
fn delete_company(s: State<Session>, id: i64) -> R<Deleted> {
    s.delete_company(id).map_err(|e| s.word(e))
}

#[tauri::command]
fn set_fact(s: State<Session>, id: i64, year: i64, key: String, value: Value) -> R<EvaluationView> {
    s.set_fact(id, year, &key, &value).map_err(|e| s.word(e))
}

#[tauri::command]
fn evaluate(s: State<Session>, id: i64, year: i64) -> R<EvaluationView> {
    s.evaluate(id, year).map_err(|e| s.word(e))
}

#[tauri::command]
fn save_evaluation(s: State<Session>, id: i64, year: i64) -> R<Saved> {
    s.save_evaluation(id, year).map_err(|e| s.word(e))
}

#[tauri::command]
fn history(s: State<Session>, id: i64) -> R<Vec<HistoryEntry>> {
    s.history(id).map_err(|e| s.word(e))
}

/// Where a clause's claim for a year stands; answers the year's evaluation.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
fn set_claim(
    s: State<Session>,
    id: i64,
    year: i64,
    clause: String,
    status: String,
    amount: Option<String>,
    date: Option<String>,
    note: Option<String>,
) -> R<EvaluationView> {
    s.set_claim(id, year, &clause, &status, amount.as_deref(), date.as_deref(), note.as_deref()).map_err(|e| s.word(e))
}

#[tauri::command]
fn claims(s: State<Session>, id: i64) -> R<ClaimsView> {
    s.claims(id).map_err(|e| s.word(e))
}

/// A filing as the 申报记录 form sets it; answers the ledger.
#[tauri::command]
fn save_filing(s: State<Session>, id: i64, filing: FilingForm) -> R<ClaimsView> {
    s.save_filing(id, &filing).map_err(|e| s.word(e))
}

/// The clauses a filing can be added for in a year.
#[tauri::command]
fn filing_clauses(s: State<Session>, id: i64, year: i64) -> R<Vec<FilingClause>> {
    s.filing_clauses(id, year).map_err(|e| s.word(e))
}

/// End-to-end tests set BUTIE_E2E_DIR: native dialogs cannot be driven by
/// WebDriver, so the tests name the folder instead.
fn e2e_dir() -> Option<PathBuf> {
    std::env::var_os("BUTIE_E2E_DIR").map(PathBuf::from)
}

/// What a native dialog led to: the command's answer, or the user cancelled.
#[derive(Serialize)]
#[serde(untagged)]
enum Picked<T = Written> {
    Done(T),
    Cancelled { cancelled: bool },
}

#[allow(non_upper_case_globals)]
const CANCELLED: Picked = Picked::Cancelled { cancelled: true };

fn cancelled<T>() -> Picked<T> {
    Picked::Cancelled { cancelled: true }
}

fn dialog_path(s: &Session, p: tauri_plugin_dialog::FilePath) -> R<PathBuf> {
    p.into_path().map_err(|e| s.word(AppError::System(e.to_string())))
}

/// A dialog's title or file name in the window's language.
fn say(s: &Session, zh: &str, en: &str) -> String {
    if s.lang() == UiLang::En { en } else { zh }.to_string()
}

#[tauri::command]
async fn generate_pdfs(app: AppHandle, id: i64, year: i64) -> R<Picked> {
    let s = app.state::<Session>();
    let dir = match e2e_dir() {
        Some(d) => d.join("pdf"),
        None => match app.dialog().file().set_title(say(&s, "选择保存 PDF 的文件夹", "Save PDFs into…")).blocking_pick_folder() {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(CANCELLED),
        },
    };
    let out = s.write_pdfs(id, year, &dir).map_err(|e| s.word(e))?;
    if e2e_dir().is_none() {
        let _ = app.opener().open_path(dir.to_string_lossy(), None::<&str>);
    }
    Ok(Picked::Done(out))
}

#[tauri::command]
async fn export_company(app: AppHandle, id: i64, name: String) -> R<Picked> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("export.json"),
        None => match app.dialog().file().set_file_name(format!("{name}.json")).add_filter("JSON", &["json"]).blocking_save_file() {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(CANCELLED),
        },
    };
    s.export_company_to(id, &file).map(Picked::Done).map_err(|e| s.word(e))
}

#[tauri::command]
async fn import_company(app: AppHandle) -> R<Picked> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("import.json"),
        None => match app.dialog().file().add_filter("JSON", &["json"]).blocking_pick_file() {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(CANCELLED),
        },
    };
    s.import_companies(&file).map(Picked::Done).map_err(|e| s.word(e))
}

/// Read a spreadsheet chosen in the open dialog and show what saving it
/// would do; `save_sheet` then saves the accepted rows.
#[tauri::command]
async fn import_sheet(app: AppHandle, year: i64) -> R<Picked<SheetPreview>> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("import.xlsx"),
        None => match app
            .dialog()
            .file()
            .set_title(say(&s, "导入表格", "Import a spreadsheet"))
            .add_filter(say(&s, "表格", "Spreadsheet"), &["xlsx", "csv"])
            .blocking_pick_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(cancelled()),
        },
    };
    s.preview_sheet(&file, year).map(Picked::Done).map_err(|e| s.word(e))
}

#[tauri::command]
async fn save_template(app: AppHandle, city: Option<String>) -> R<Picked> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("template.xlsx"),
        None => match app
            .dialog()
            .file()
            .set_file_name(say(&s, "补贴通导入模板.xlsx", "butie-template.xlsx"))
            .add_filter("Excel", &["xlsx"])
            .blocking_save_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(CANCELLED),
        },
    };
    s.save_template(&file, city.as_deref()).map(Picked::Done).map_err(|e| s.word(e))
}

#[tauri::command]
fn save_sheet(s: State<Session>) -> R<SheetSaved> {
    s.save_sheet().map_err(|e| s.word(e))
}

#[tauri::command]
fn discard_sheet(s: State<Session>) {
    s.discard_sheet()
}

#[tauri::command]
async fn export_overview(app: AppHandle, ids: Vec<i64>, year: i64) -> R<Picked> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("overview.xlsx"),
        None => match app
            .dialog()
            .file()
            .set_file_name(say(&s, &format!("客户总览-{year}.xlsx"), &format!("clients-{year}.xlsx")))
            .add_filter("Excel", &["xlsx"])
            .blocking_save_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(CANCELLED),
        },
    };
    s.export_overview(&ids, year, &file).map(Picked::Done).map_err(|e| s.word(e))
}

/// Start writing the listed companies' PDFs into a chosen folder on a
/// thread of its own; the window polls `pdf_job` and may `cancel_pdf_job`.
#[tauri::command]
async fn portfolio_pdfs(app: AppHandle, ids: Vec<i64>, year: i64) -> R<Picked<PdfJobStatus>> {
    let s = app.state::<Session>();
    let job = app.state::<Arc<PdfJob>>().inner().clone();
    if job.running.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(s.word(AppError::PdfJobRunning));
    }
    let dir = match e2e_dir() {
        Some(d) => d.join("portfolio"),
        None => match app
            .dialog()
            .file()
            .set_title(say(&s, "选择保存各企业 PDF 的文件夹", "Save every company's PDFs into…"))
            .blocking_pick_folder()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(cancelled()),
        },
    };
    if !job.start(ids.len()) {
        return Err(s.word(AppError::PdfJobRunning));
    }
    let worker = job.clone();
    let handle = app.clone();
    std::thread::spawn(move || {
        let out = match handle.try_state::<Session>() {
            Some(s) => s.portfolio_pdfs(&ids, year, &dir, &worker).map_err(|e| s.word(e)),
            None => Err(AppError::NoWorkspace.to_api(UiLang::default())),
        };
        let open = out.as_ref().is_ok_and(|v| v.files > 0) && e2e_dir().is_none();
        worker.finish(out);
        if open {
            let _ = handle.opener().open_path(dir.to_string_lossy(), None::<&str>);
        }
    });
    Ok(Picked::Done(job.status()))
}

#[tauri::command]
fn pdf_job(job: State<Arc<PdfJob>>) -> PdfJobStatus {
    job.status()
}

#[tauri::command]
fn cancel_pdf_job(job: State<Arc<PdfJob>>) {
    job.cancel.store(true, std::sync::atomic::Ordering::SeqCst);
}

#[tauri::command]
fn papers(s: State<Session>, id: i64, year: i64) -> R<PapersView> {
    s.papers(id, year).map_err(|e| s.word(e))
}

#[tauri::command]
fn set_material(s: State<Session>, id: i64, year: i64, clause: String, item: usize, status: String) -> R<PapersView> {
    s.set_material(id, year, &clause, item, &status).map_err(|e| s.word(e))
}

/// Attach a file chosen in the open dialog to a material.
#[tauri::command]
async fn attach_evidence(app: AppHandle, id: i64, year: i64, clause: String, item: usize) -> R<Picked<PapersView>> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("evidence.pdf"),
        None => match app
            .dialog()
            .file()
            .set_title(say(&s, "选择要附上的证明文件（不超过 50 MB）", "Attach a file (at most 50 MB)"))
            .blocking_pick_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(cancelled()),
        },
    };
    s.add_evidence(id, year, &clause, item, &file).map(Picked::Done).map_err(|e| s.word(e))
}

#[tauri::command]
fn remove_evidence(s: State<Session>, id: i64, year: i64, evidence: i64) -> R<PapersView> {
    s.remove_evidence(id, year, evidence).map_err(|e| s.word(e))
}

/// Open a kept evidence file with the system's program for it: its bytes
/// (checked against their SHA-256) are written to a folder of the app's
/// own in the temporary directory first.
#[tauri::command]
fn open_evidence(app: AppHandle, evidence: i64) -> R<Written> {
    let s = app.state::<Session>();
    let dir = match e2e_dir() {
        Some(d) => d.join("opened"),
        None => std::env::temp_dir().join("butie-evidence"),
    };
    let file = s.evidence_copy(evidence, &dir).map_err(|e| s.word(e))?;
    if e2e_dir().is_none() {
        app.opener().open_path(file.to_string_lossy(), None::<&str>).map_err(|e| s.word(AppError::System(e.to_string())))?;
    }
    Ok(Written::File { file: file.display().to_string() })
}

#[tauri::command]
fn set_deadline(s: State<Session>, id: i64, year: i64, pack: String, start: Option<String>, end: String, notice: String) -> R<PapersView> {
    s.set_deadline(id, year, &pack, start.as_deref(), &end, &notice).map_err(|e| s.word(e))
}

#[tauri::command]
fn clear_deadline(s: State<Session>, id: i64, year: i64, pack: String) -> R<PapersView> {
    s.clear_deadline(id, year, &pack).map_err(|e| s.word(e))
}

/// The application packet, saved where the save dialog says.
#[tauri::command]
async fn generate_packet(app: AppHandle, id: i64, year: i64, name: String) -> R<Picked> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("packet.pdf"),
        None => match app
            .dialog()
            .file()
            .set_file_name(say(&s, &format!("{name}-{year}年度-申报材料.pdf"), &format!("{name}-{year}-application.pdf")))
            .add_filter("PDF", &["pdf"])
            .blocking_save_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(CANCELLED),
        },
    };
    let out = s.write_packet(id, year, &file).map_err(|e| s.word(e))?;
    if e2e_dir().is_none() {
        let _ = app.opener().open_path(file.to_string_lossy(), None::<&str>);
    }
    Ok(Picked::Done(out))
}

#[tauri::command]
fn packs_in_use(s: State<Session>) -> R<Vec<PackInUse>> {
    s.packs_in_use().map_err(|e| s.word(e))
}

#[tauri::command]
fn coverage(s: State<Session>, id: i64, year: i64) -> R<Vec<CoverageView>> {
    s.coverage(id, year).map_err(|e| s.word(e))
}

/// Choose a pack file in the open dialog (nothing is read yet).
#[tauri::command]
async fn pick_pack_file(app: AppHandle) -> R<Picked<Written>> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("pack.toml"),
        None => match app
            .dialog()
            .file()
            .set_title(say(&s, "导入政策包", "Import a policy pack"))
            .add_filter(say(&s, "政策包", "Policy pack"), &["toml"])
            .blocking_pick_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(cancelled()),
        },
    };
    Ok(Picked::Done(Written::File { file: file.display().to_string() }))
}

/// Import the pack file chosen (its `.minisig` beside it); the window asks
/// before calling again with `allow_unsigned` for a pack without a trusted
/// signature.
#[tauri::command]
fn import_pack(s: State<Session>, file: String, allow_unsigned: bool) -> R<PackImported> {
    s.import_pack(std::path::Path::new(&file), allow_unsigned).map_err(|e| s.word(e))
}

/// Compare a pack file chosen in the open dialog with the version in use.
#[tauri::command]
async fn diff_pack(app: AppHandle) -> R<Picked<PackDiffView>> {
    let s = app.state::<Session>();
    let file = match e2e_dir() {
        Some(d) => d.join("diff.toml"),
        None => match app
            .dialog()
            .file()
            .set_title(say(&s, "选择要比较的政策包文件", "Compare with a pack file"))
            .add_filter(say(&s, "政策包", "Policy pack"), &["toml"])
            .blocking_pick_file()
        {
            Some(p) => dialog_path(&s, p)?,
            None => return Ok(cancelled()),
        },
    };
    s.diff_pack(&file).map(Picked::Done).map_err(|e| s.word(e))
}

/// Why the workspace could not be opened, if it could not; the window asks
/// first and shows it instead of the app. There is no session then: the
/// language comes with the call.
struct Startup(Option<OpenFailure>);

#[tauri::command]
fn startup_error(st: State<Startup>, lang: UiLang) -> Option<ApiError> {
    st.0.as_ref().map(|f| f.to_api(lang))
}

/// `--workspace PATH`, then `$BUTIE_WORKSPACE`, then the default workspace.
fn workspace_path() -> PathBuf {
    let mut args = std::env::args_os().skip(1);
    while let Some(a) = args.next() {
        if a == "--workspace" {
            if let Some(p) = args.next() {
                return PathBuf::from(p);
            }
        }
    }
    butie::app::default_workspace()
}

fn main() {
    let path = workspace_path();
    let mut builder = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(Arc::new(PdfJob::default()))
        // The PDF fonts ship as bundle resources (tauri.conf.json); an
        // installed app finds them through Tauri's resource path.
        .setup(|app| {
            if let Ok(dir) = app.path().resource_dir() {
                butie::app::set_font_dir(dir.join("fonts"));
            }
            Ok(())
        });
    builder = match Session::open(&path) {
        Ok(s) => builder.manage(s).manage(Startup(None)),
        Err(e) => {
            eprintln!("butie-app: {}", e.to_api(UiLang::Zh));
            builder.manage(Startup(Some(e)))
        }
    };
    builder
        .invoke_handler(tauri::generate_handler![
            startup_error,
            set_lang,
            meta,
            list_companies,
            get_company,
            check_uscc,
            read_number,
            copy_facts,
            overview,
            save_company,
            delete_company,
            set_fact,
            evaluate,
            save_evaluation,
            history,
            set_claim,
            claims,
            save_filing,
            filing_clauses,
            generate_pdfs,
            export_company,
            import_company,
            import_sheet,
            save_sheet,
            save_template,
            discard_sheet,
            export_overview,
            portfolio_pdfs,
            pdf_job,
            cancel_pdf_job,
            papers,
            set_material,
            attach_evidence,
            remove_evidence,
            open_evidence,
            set_deadline,
            clear_deadline,
            generate_packet,
            packs_in_use,
            coverage,
            pick_pack_file,
            import_pack,
            diff_pack
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("butie-app: {e}");
            std::process::exit(1);
        });
}

//! 补贴通 desktop shell. Each command forwards to `butie::app_api::Session`,
//! which uses the same core, store and PDF functions as the CLI. The only
//! things done here are what needs the window: the native folder and file
//! dialogs, and opening the output folder.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use butie::app_api::Session;
use serde_json::Value;
use std::path::PathBuf;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

type R = Result<Value, String>;

#[tauri::command]
fn meta(s: State<Session>, lang: String) -> R {
    s.meta(&lang)
}

#[tauri::command]
fn list_companies(s: State<Session>, search: String, lang: String) -> R {
    s.list_companies(&search, &lang)
}

#[tauri::command]
fn get_company(s: State<Session>, id: i64, lang: String) -> R {
    s.get_company(id, &lang)
}

#[tauri::command]
fn check_uscc(s: State<Session>, uscc: String, lang: String) -> R {
    s.check_uscc(&uscc, &lang)
}

#[tauri::command]
fn save_company(s: State<Session>, id: Option<i64>, fields: Value, lang: String) -> R {
    s.save_company(id, &fields, &lang)
}

#[tauri::command]
fn delete_company(s: State<Session>, id: i64, lang: String) -> R {
    s.delete_company(id, &lang)
}

#[tauri::command]
fn set_fact(s: State<Session>, id: i64, year: i64, key: String, value: Value, lang: String) -> R {
    s.set_fact(id, year, &key, &value, &lang)
}

#[tauri::command]
fn evaluate(s: State<Session>, id: i64, year: i64, lang: String) -> R {
    s.evaluate(id, year, &lang)
}

#[tauri::command]
fn save_evaluation(s: State<Session>, id: i64, year: i64, lang: String) -> R {
    s.save_evaluation(id, year, &lang)
}

#[tauri::command]
fn history(s: State<Session>, id: i64, lang: String) -> R {
    s.history(id, &lang)
}

/// End-to-end tests set BUTIE_E2E_DIR: native dialogs cannot be driven by
/// WebDriver, so the tests name the folder instead.
fn e2e_dir() -> Option<PathBuf> {
    std::env::var_os("BUTIE_E2E_DIR").map(PathBuf::from)
}

#[tauri::command]
async fn generate_pdfs(app: AppHandle, id: i64, year: i64, lang: String) -> R {
    let dir = match e2e_dir() {
        Some(d) => d.join("pdf"),
        None => match app
            .dialog()
            .file()
            .set_title(if lang == "en" { "Save PDFs into…" } else { "选择保存 PDF 的文件夹" })
            .blocking_pick_folder()
        {
            Some(p) => p.into_path().map_err(|e| e.to_string())?,
            None => return Ok(serde_json::json!({"cancelled": true})),
        },
    };
    let s = app.state::<Session>();
    let out = s.generate_pdfs(id, year, &dir, &lang)?;
    if e2e_dir().is_none() {
        let _ = app.opener().open_path(dir.to_string_lossy(), None::<&str>);
    }
    Ok(out)
}

#[tauri::command]
async fn export_company(app: AppHandle, id: i64, name: String, lang: String) -> R {
    let file = match e2e_dir() {
        Some(d) => d.join("export.json"),
        None => match app.dialog().file().set_file_name(format!("{name}.json")).add_filter("JSON", &["json"]).blocking_save_file() {
            Some(p) => p.into_path().map_err(|e| e.to_string())?,
            None => return Ok(serde_json::json!({"cancelled": true})),
        },
    };
    app.state::<Session>().export_company(id, &file, &lang)
}

#[tauri::command]
async fn import_company(app: AppHandle, lang: String) -> R {
    let file = match e2e_dir() {
        Some(d) => d.join("import.json"),
        None => match app.dialog().file().add_filter("JSON", &["json"]).blocking_pick_file() {
            Some(p) => p.into_path().map_err(|e| e.to_string())?,
            None => return Ok(serde_json::json!({"cancelled": true})),
        },
    };
    app.state::<Session>().import_file(&file, &lang)
}

fn main() {
    let path = std::env::var_os("BUTIE_WORKSPACE").map(PathBuf::from).unwrap_or_else(butie_store::default_path);
    let session = match Session::open(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("butie-app: {e}");
            std::process::exit(2);
        }
    };
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(session)
        .invoke_handler(tauri::generate_handler![
            meta,
            list_companies,
            get_company,
            check_uscc,
            save_company,
            delete_company,
            set_fact,
            evaluate,
            save_evaluation,
            history,
            generate_pdfs,
            export_company,
            import_company
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("butie-app: {e}");
            std::process::exit(1);
        });
}

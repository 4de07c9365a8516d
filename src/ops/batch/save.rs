//! `--save`: rows merged with the companies already in the workspace, and saved.

use super::*;

/// With `--save`, each row of a company already in the workspace is
/// evaluated as it will be saved: what the row gives over what is saved
/// (an empty cell keeps the saved answer), with the company's filing
/// history — the same figures the app then shows for it.
pub(super) fn merge_saved(w: &butie_store::Workspace, packs: &[Pack], rows: &mut [Accepted]) {
    for r in rows.iter_mut() {
        let Some(u) = r.profile.company.uscc.clone() else { continue };
        let Ok(id) = w.find_company(&u) else { continue };
        let Ok(stored) = w.profile(id, r.year, packs) else { continue };
        let mut company = r.profile.company.clone();
        butie_store::keep_fields(&mut company, &stored.company, &r.keep);
        let mut facts = stored.facts.clone();
        facts.remove(COMPANY_STATUS_FACT);
        for (k, v) in &r.profile.facts {
            if k != COMPANY_STATUS_FACT {
                facts.insert(k.clone(), v.clone());
            }
        }
        let mut p = Profile::new(company, Some(r.year), facts);
        p.history = stored.history;
        p.previous_year = stored.previous_year;
        r.profile = p;
    }
    // A row of the year before in the same file is saved with it: its
    // figures are that year's, whatever the workspace held.
    let by_year: HashMap<(String, i32), usize> =
        rows.iter().enumerate().filter_map(|(i, r)| r.profile.company.uscc.clone().map(|u| ((u, r.year), i))).collect();
    for i in 0..rows.len() {
        let Some(u) = rows[i].profile.company.uscc.clone() else { continue };
        let Some(&j) = by_year.get(&(u, rows[i].year - 1)) else { continue };
        if let Some(prev) = butie_core::profile::previous_year_from(packs, rows[j].year, &rows[j].profile.facts) {
            rows[i].profile.previous_year = Some(prev);
        }
    }
}

pub(super) fn sheet_rows(rows: &[Accepted]) -> Vec<SheetRow> {
    rows.iter()
        .map(|r| {
            let mut facts = r.profile.facts.clone();
            facts.remove(COMPANY_STATUS_FACT);
            SheetRow { company: r.profile.company.clone(), keep: r.keep.clone(), year: r.year, facts, clear: Vec::new() }
        })
        .collect()
}

/// Companies (not rows: one company may have a row per year) added,
/// updated and left unchanged by a save.
pub fn count_companies(saved: &[RowSaved]) -> (usize, usize, usize) {
    let mut by_id: BTreeMap<i64, u8> = BTreeMap::new();
    for s in saved {
        let (id, rank) = match s {
            RowSaved::Added(id) => (*id, 2),
            RowSaved::Updated(id) => (*id, 1),
            RowSaved::Unchanged(id) => (*id, 0),
        };
        let e = by_id.entry(id).or_insert(rank);
        *e = (*e).max(rank);
    }
    let n = |r: u8| by_id.values().filter(|&&x| x == r).count();
    (n(2), n(1), n(0))
}

/// The `--pdf` folder (or the window's chosen one) made and proved
/// writable before any work: an unusable folder is said at once.
pub fn check_pdf_dir(dir: &Path) -> Result<(), Error> {
    let err = Error::from;
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(m) if m.file_type().is_symlink() && std::fs::metadata(dir).is_ok_and(|t| t.is_dir()) => {}
        Ok(_) => return Err(err(FileError::NotAFolder { dir: dir.to_path_buf() })),
        Err(_) => std::fs::create_dir_all(dir).map_err(|e| err(FileError::CannotCreateFolder { dir: dir.to_path_buf(), source: e }))?,
    }
    let probe = dir.join(format!(".butie-probe-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(err(FileError::PermissionDenied { path: dir.to_path_buf() })),
        Err(e) => Err(err(FileError::CannotCreateFolder { dir: dir.to_path_buf(), source: e })),
    }
}

//! Evaluating the accepted rows on worker threads, in row order.

use super::*;

#[derive(Clone)]
pub(super) struct ClauseLine {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) status: Status,
    pub(super) amount: Option<Decimal>,
    pub(super) amount_max: Option<Decimal>,
    pub(super) excluded_by: Option<String>,
    pub(super) missing: Vec<String>,
    pub(super) reasons: Vec<String>,
    /// Of a pack for another place than the company's (kept in the `.csv`,
    /// one row per clause as the catalogue says; left out of 明细).
    pub(super) elsewhere: bool,
}

/// One row's results, made by a worker.
pub(super) struct Done {
    pub(super) total: Decimal,
    pub(super) total_max: Decimal,
    pub(super) clauses: Vec<ClauseLine>,
    /// PDFs written (how many), or why not.
    pub(super) pdf: Option<Result<usize, FileError>>,
}

/// A clause's line of 明细 (and of the portfolio workbook).
pub(super) fn clause_line(ev: &butie_core::Evaluation, c: &butie_core::ClauseResult, lang: Lang) -> ClauseLine {
    ClauseLine {
        id: c.clause.id.clone(),
        title: c.clause.title.get(lang).to_string(),
        status: c.status,
        amount: c.amount,
        amount_max: c.amount_max,
        excluded_by: c.excluded_by.map(|x| x.winner.id.clone()),
        missing: ev.missing(c).iter().map(|s| s.to_string()).collect(),
        reasons: explain::reasons(ev, c, lang),
        elsewhere: !of_place(ev, c),
    }
}

/// Whether a clause belongs to a pack of the company's own place (in force
/// or not); other places' packs are only a status line in a batch's output.
pub(super) fn of_place(ev: &butie_core::Evaluation, c: &butie_core::ClauseResult) -> bool {
    ev.packs.iter().any(|p| std::ptr::eq(p.pack, c.pack) && p.status != butie_core::PackStatus::OtherCity)
}

/// The 明细 lines a company of `city` makes: every clause of its place's packs.
pub(super) fn detail_lines(packs: &[Pack], city: &str) -> usize {
    packs.iter().filter(|p| p.covers_city(city)).map(|p| p.clauses.len()).sum()
}

/// A company's PDFs in its folder. The folder is Butie's to make inside
/// the chosen one: a link planted there (pointing anywhere) is refused,
/// never written through.
pub(super) fn write_company_pdfs(
    cx: &Setup,
    packs: &[Pack],
    a: &Accepted,
    ev: &butie_core::Evaluation,
    fonts: &butie_pdf::Fonts,
    dir: PathBuf,
) -> Result<usize, FileError> {
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FileError::TargetIsLink { path: dir });
    }
    let ws = cx.workspace_path();
    write_pdf_set_with(fonts, packs, &a.profile, ev, &dir, Some(&ws)).map(|v| v.len())
}

pub(super) fn work(cx: &Setup, packs: &[Pack], a: &Accepted, pdf: Option<(&butie_pdf::Fonts, PathBuf)>) -> Done {
    let ev = evaluate(packs, &a.profile, a.year);
    let clauses = ev.clauses.iter().map(|c| clause_line(&ev, c, cx.lang)).collect();
    let pdf = pdf.map(|(fonts, dir)| write_company_pdfs(cx, packs, a, &ev, fonts, dir));
    Done { total: ev.total, total_max: ev.total_max, clauses, pdf }
}

/// One folder per company under `dir`: its name made safe, and told apart
/// from another company's of the same name by the credit code.
pub(super) fn pdf_folders(dir: &Path, rows: &[Accepted]) -> Vec<PathBuf> {
    let mut by_company: HashMap<String, String> = HashMap::new();
    let mut taken: HashMap<String, String> = HashMap::new();
    rows.iter()
        .map(|a| {
            let c = &a.profile.company;
            let id = c.uscc.clone().unwrap_or_else(|| format!("name:{}", c.name));
            let name = by_company.entry(id.clone()).or_insert_with(|| {
                let mut base = butie_pdf::safe_file_name(&c.name);
                if base.is_empty() {
                    base = "企业".into();
                }
                let mut name = base.clone();
                let mut n = 1;
                while taken.get(&name.to_lowercase()).is_some_and(|owner| *owner != id) {
                    n += 1;
                    name = match &c.uscc {
                        Some(u) if n == 2 => butie_pdf::safe_file_name(&format!("{base}-{u}")),
                        _ => format!("{base}-{n}"),
                    };
                }
                taken.insert(name.to_lowercase(), id.clone());
                name
            });
            dir.join(name.as_str())
        })
        .collect()
}

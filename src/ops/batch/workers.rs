//! Evaluating the accepted rows on worker threads, in row order.

use super::*;

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
    pub(super) json: Option<String>,
    pub(super) total: Decimal,
    pub(super) total_max: Decimal,
    pub(super) clauses: Vec<ClauseLine>,
    /// PDFs written (how many), or why not.
    pub(super) pdf: Option<Result<usize, FileError>>,
}

pub(super) fn work(cx: &Setup, packs: &[Pack], a: &Accepted, json: bool, pdf: Option<(&butie_pdf::Fonts, PathBuf)>) -> Done {
    let ev = evaluate(packs, &a.profile, a.year);
    let json = json.then(|| {
        let body = serde_json::to_string(&Catalogue { ev: &ev, lang: cx.lang }).unwrap_or_default();
        let uscc = serde_json::to_string(&a.profile.company.uscc).unwrap_or_default();
        format!("{{\"row\":{},\"uscc\":{uscc},{}", a.row, body.strip_prefix('{').unwrap_or(&body))
    });
    let clauses = ev
        .clauses
        .iter()
        .map(|c| ClauseLine {
            id: c.clause.id.clone(),
            title: c.clause.title.get(cx.lang).to_string(),
            status: c.status,
            amount: c.amount,
            amount_max: c.amount_max,
            excluded_by: c.excluded_by.map(|x| x.winner.id.clone()),
            missing: ev.missing(c).iter().map(|s| s.to_string()).collect(),
            reasons: explain::reasons(&ev, c, cx.lang),
            elsewhere: ev.pack_result(&c.pack.id).is_some_and(|p| p.status == butie_core::PackStatus::OtherCity),
        })
        .collect();
    let pdf = pdf.map(|(fonts, dir)| {
        // A company's folder is Butie's to make inside the chosen one: a link
        // planted there (pointing anywhere) is refused, never written through.
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(FileError::TargetIsLink { path: dir });
        }
        let ws = cx.workspace_path();
        write_pdf_set_with(fonts, packs, &a.profile, &ev, &dir, Some(&ws)).map(|v| v.len())
    });
    Done { json, total: ev.total, total_max: ev.total_max, clauses, pdf }
}

/// Evaluate every accepted row on `jobs` threads; results in row order.
pub(super) fn run_all(
    cx: &Setup,
    packs: &[Pack],
    rows: &[Accepted],
    jobs: usize,
    json: bool,
    pdf: Option<(&butie_pdf::Fonts, &[PathBuf])>,
) -> Vec<Done> {
    use std::io::IsTerminal;
    let n = rows.len();
    let bar = if std::io::stderr().is_terminal() && n > 0 {
        let b = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(if cx.lang == Lang::Zh {
            "{bar:40} {pos}/{len} 行  {elapsed_precise}"
        } else {
            "{bar:40} {pos}/{len} rows  {elapsed_precise}"
        }) {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let jobs = jobs.clamp(1, n.max(1));
    let mut out: Vec<Option<Done>> = (0..n).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let p = pdf.map(|(f, dirs)| (f, dirs[i].clone()));
                        mine.push((i, work(cx, packs, &rows[i], json, p)));
                        bar.inc(1);
                    }
                    mine
                })
            })
            .collect();
        for h in handles {
            for (i, d) in h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                out[i] = Some(d);
            }
        }
    });
    bar.finish_and_clear();
    out.into_iter().flatten().collect()
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

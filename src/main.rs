//! `butie`: the command-line front end. Every operation is a function in
//! `butie::cli` or `butie::store_cli`; this file only parses arguments and
//! prints.

// mimalloc: rendering makes many small strings (traces, reasons); see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use butie::cli::{check_policies_cmd, evaluate_cmd, pdf_cmd, policies_cmd, CliError, Context};
use butie::store_cli::{self as sc, ClaimArgs, CompanyFields};
use butie::Lang;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "butie", version, about = "补贴通：台州、成都跨境电商补贴测算 (offline)")]
struct Cli {
    /// Language of messages and reasons.
    #[arg(long, value_enum, global = true, default_value = "zh")]
    lang: LangArg,
    /// Load policy packs from this directory instead of the bundled ones.
    #[arg(long, global = true)]
    policies: Option<PathBuf>,
    /// Workspace file (default: the OS's app data directory).
    #[arg(long, global = true)]
    workspace: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a profile file, or a saved company, for a data year.
    Evaluate {
        /// A profile JSON file (catalogue format; UTF-8, at most 20 MB; a byte-order mark is fine).
        #[arg(long, conflicts_with = "company", required_unless_present = "company")]
        profile: Option<PathBuf>,
        /// A company in the workspace: its number or USCC.
        #[arg(long)]
        company: Option<String>,
        /// Data year (defaults to the profile's "year").
        #[arg(long)]
        year: Option<i64>,
        /// Save the evaluation in the workspace (with --company).
        #[arg(long)]
        save: bool,
        /// The catalogue's JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Show the arithmetic and quoted policy text of each eligible clause.
        #[arg(long)]
        explain: bool,
    },
    /// List policy packs, their clauses and fact keys.
    Policies {
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        cmd: Option<PoliciesCmd>,
    },
    /// The publishers' public keys this workspace trusts for signed policy packs.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Validate the policy files in DIR and run their embedded test cases.
    CheckPolicies { dir: PathBuf },
    /// Write application forms (one per eligible clause) and the summary as PDF.
    Pdf {
        #[arg(long, conflicts_with = "company", required_unless_present = "company")]
        profile: Option<PathBuf>,
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        year: Option<i64>,
        /// Folder to write into (created if missing). Same-named PDFs there are replaced, each written
        /// whole; if any target is a symbolic link, a folder or not a PDF, nothing is written.
        #[arg(long)]
        out: PathBuf,
    },
    /// The application packet: one PDF with cover, contents, every form filed, the calculation
    /// annex, the materials checklist with evidence hashes, and the commitment.
    Packet {
        #[arg(long, conflicts_with = "company", required_unless_present = "company")]
        profile: Option<PathBuf>,
        /// A company in the workspace: its number or USCC (its materials and filings are used).
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        year: Option<i64>,
        /// The PDF file to write (a new file, or a PDF it replaces whole).
        #[arg(long)]
        out: PathBuf,
    },
    /// The materials each eligible clause asks for, with status and evidence files.
    #[command(subcommand)]
    Materials(MaterialsCmd),
    /// Evidence files kept in the workspace with a clause's material.
    #[command(subcommand)]
    Evidence(EvidenceCmd),
    /// A filing window from the notice received (per company, year and policy pack).
    #[command(subcommand)]
    Deadline(DeadlineCmd),
    /// Every filing window recorded, soonest first, with the days left.
    Deadlines {
        /// Only windows ending within N days (and those already past).
        #[arg(long)]
        within: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Companies in the workspace.
    #[command(subcommand)]
    Company(CompanyCmd),
    /// A company's facts for a year.
    #[command(subcommand)]
    Facts(FactsCmd),
    /// Record where a company's claim for a clause and year stands (the filing ledger).
    #[command(subcommand)]
    Claim(ClaimCmd),
    /// A company's claims year by year: estimate, approved amount, difference, with totals.
    Claims {
        #[arg(long)]
        company: String,
        /// Only this year's claims.
        #[arg(long)]
        year: Option<i64>,
        /// A JSON list (with every claim's changes) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Saved evaluations of a company, or one of them in full.
    History {
        #[arg(long, required_unless_present_any = ["show", "verify"])]
        company: Option<String>,
        /// Recompute every saved evaluation with the pack versions it names and report any that differ.
        #[arg(long, conflicts_with_all = ["company", "show"])]
        verify: bool,
        /// Show one saved evaluation (inputs, pack versions, result).
        #[arg(long)]
        show: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Export a company (all years, or one year as a profile) or the whole workspace as JSON.
    Export {
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        company: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long, requires = "company")]
        year: Option<i64>,
        /// File to write, whole or not at all (a new file renamed into place). An existing JSON file
        /// there is replaced; a symbolic link, a folder, a device, an SQLite database (such as the
        /// workspace) or a file that is not JSON is never replaced.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a profile, company or workspace JSON file (all or nothing). A workspace export must
    /// carry "butie_workspace": 1 (as export --all writes it); a missing or newer version is refused.
    Import {
        file: PathBuf,
        /// Overwrite companies whose USCC already exists.
        #[arg(long)]
        replace: bool,
    },
    /// Copy the workspace to a backup file (SQLite online backup).
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the workspace (checked first; the workspace as it
    /// was is kept as a new, dated safety copy beside it).
    Restore { file: PathBuf },
    /// Evaluate every row of a spreadsheet (.xlsx or .csv: a header row, then one row per
    /// company-year). Exit 0: all rows evaluated; 3: some rows rejected (row, column and
    /// message on stderr), the rest written; 2: the file is unusable.
    Batch {
        /// The spreadsheet: .xlsx (first sheet) or .csv (UTF-8).
        #[arg(long = "in")]
        input: PathBuf,
        /// Data year of rows without a `year` column or cell.
        #[arg(long)]
        year: i64,
        /// Results: .jsonl (one line per row), .csv (per clause) or .xlsx (汇总, 明细, 错误).
        #[arg(long)]
        out: PathBuf,
        /// Rows in full: every clause of every pack with its citation and working (the
        /// catalogue JSON of `evaluate --json`); otherwise the clauses of the company's own
        /// place, without citation and working.
        #[arg(long)]
        explain: bool,
        /// Also write each company's application forms and summary, one folder per company.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// Save the companies and facts in the workspace (matched by USCC and year).
        #[arg(long)]
        save: bool,
        /// Worker threads (default: one per core); the results are the same for any number.
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Write an Excel template for `butie batch`, made from the policy files.
    Template {
        #[arg(long)]
        out: PathBuf,
        /// Only the columns of the policies covering this city (e.g. 台州市).
        #[arg(long)]
        city: Option<String>,
    },
}

#[derive(Args, Default)]
struct FieldArgs {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    uscc: Option<String>,
    #[arg(long)]
    city: Option<String>,
    #[arg(long)]
    district: Option<String>,
    #[arg(long)]
    legal_rep: Option<String>,
    #[arg(long)]
    contact: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    bank: Option<String>,
    #[arg(long)]
    bank_account: Option<String>,
    /// Listed as seriously dishonest (严重失信).
    #[arg(long)]
    dishonest: Option<bool>,
    /// Read the fields from a JSON file (a profile or its "company" object).
    #[arg(long)]
    from_json: Option<PathBuf>,
}

impl FieldArgs {
    fn fields(&self) -> CompanyFields {
        CompanyFields {
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            city: self.city.clone(),
            district: self.district.clone(),
            legal_rep: self.legal_rep.clone(),
            contact: self.contact.clone(),
            phone: self.phone.clone(),
            bank: self.bank.clone(),
            bank_account: self.bank_account.clone(),
            dishonest: self.dishonest,
            from_json: self.from_json.clone(),
        }
    }
}

#[derive(Subcommand)]
enum CompanyCmd {
    /// Add a company; prints its number.
    Add(FieldArgs),
    /// List companies, optionally matching name, USCC or district.
    List {
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a company with all its years of facts.
    Show { company: String },
    /// Change some fields of a company.
    Edit {
        company: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Delete a company (one with saved evaluations can only be archived).
    Delete {
        company: String,
        #[arg(long)]
        archive: bool,
    },
}

#[derive(Subcommand)]
enum PoliciesCmd {
    /// Import a policy pack file (new versions arrive as files), checked and its cases run first.
    Import {
        file: PathBuf,
        /// Its minisign signature (default: FILE.minisig beside it, if there).
        #[arg(long)]
        sig: Option<PathBuf>,
        /// Import without a signature from a trusted key; its figures are marked 未验证.
        #[arg(long)]
        allow_unsigned: bool,
    },
    /// What changes between two versions of a pack: clauses, conditions, rates, caps, tiers,
    /// validity, quoted text; with --impact, the workspace's companies whose figures change.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        impact: bool,
        /// The data year for --impact (default: every year each company has).
        #[arg(long)]
        year: Option<i64>,
    },
    /// Every pack version kept in the workspace, with where it came from and whether it is verified.
    Versions,
    /// Use one kept (or built-in) version of a pack, given by version date or SHA-256 prefix, whatever is newer.
    Pin { pack: String, version: String },
    /// Go back to the newest version of a pack.
    Unpin { pack: String },
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Trust a publisher's key: NAME and a minisign.pub file (or its RW… line).
    Add {
        name: String,
        key: String,
    },
    List,
    /// Stop trusting a key (by its id or name).
    Remove {
        key: String,
    },
}

#[derive(Subcommand)]
enum MaterialsCmd {
    /// List every eligible clause's materials for a year.
    Show {
        /// The company: its number or USCC.
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        json: bool,
    },
    /// Mark one material ready, not ready or not applicable.
    Set {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        /// A clause id (butie policies lists them).
        #[arg(long)]
        clause: String,
        /// The material's number in the clause's list (from 1) or its text.
        #[arg(long)]
        item: String,
        /// ready|not_ready|not_applicable (or 已准备/未准备/不适用).
        #[arg(long)]
        status: String,
    },
}

#[derive(Subcommand)]
enum EvidenceCmd {
    /// Keep a copy of a file (at most 50 MB) with a material; the material becomes ready.
    Add {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        clause: String,
        /// The material's number (from 1) or its text.
        #[arg(long)]
        item: String,
        file: PathBuf,
    },
    /// Remove a kept file (its number from `butie materials show`).
    Remove {
        #[arg(long)]
        id: i64,
    },
    /// Write a kept file out (never over an existing file).
    Save {
        #[arg(long)]
        id: i64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum DeadlineCmd {
    /// Record the filing window the notice gives.
    Set {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        /// The policy pack's id (butie policies lists them).
        #[arg(long)]
        pack: String,
        /// First day of the window, YYYY-MM-DD (optional).
        #[arg(long)]
        start: Option<String>,
        /// Last day of the window, YYYY-MM-DD.
        #[arg(long)]
        end: String,
        /// The notice's title, as the source of the dates.
        #[arg(long)]
        notice: String,
    },
    /// Forget a filing window.
    Clear {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        pack: String,
    },
}

#[derive(Subcommand)]
enum FactsCmd {
    /// Set facts: KEY=VALUE ... (and/or --from-json FILE).
    Set {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        from_json: Option<PathBuf>,
        pairs: Vec<String>,
    },
    /// Copy last year's standing answers (recognitions, business types,
    /// leases — the facts the policy files mark as carrying over) into
    /// another year; facts already set there are kept.
    Copy {
        /// The company: its number or USCC.
        #[arg(long)]
        company: String,
        /// The earlier year whose standing answers are copied.
        #[arg(long)]
        from: i64,
        /// The later year they are copied into (answers it has are kept).
        #[arg(long)]
        to: i64,
    },
    /// Remove facts (they become unknown again).
    Unset {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        keys: Vec<String>,
    },
    Show {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ClaimCmd {
    /// Set the status of a company's claim for a clause and year; every change is kept.
    Set {
        #[arg(long)]
        company: String,
        #[arg(long)]
        year: i64,
        /// A clause id (butie policies lists them).
        #[arg(long)]
        clause: String,
        /// planned|submitted|approved|rejected|withdrawn (or 计划申报/已申报/已批准/未获批/已撤回).
        #[arg(long)]
        status: String,
        /// Submitted: the amount applied for; approved: the approved amount (required). Not for the other statuses.
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<String>,
        /// The amount applied for (the estimate), on any status: e.g. corrected on an approved claim.
        #[arg(long, allow_hyphen_values = true)]
        estimate: Option<String>,
        /// The date of this step, YYYY-MM-DD: the submission date of a submitted claim, the approval date of an approved one.
        #[arg(long)]
        date: Option<String>,
        /// The submission date, YYYY-MM-DD ("" clears it; left out, the recorded one stays).
        #[arg(long)]
        submitted_on: Option<String>,
        /// The approval date, YYYY-MM-DD, of an approved claim ("" clears it; left out, the recorded one stays).
        #[arg(long)]
        approved_on: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
}

/// The language asked for on the command line, read before clap so that
/// clap's own errors can be worded in it too.
fn lang_from_args() -> Lang {
    // args_os: an argument that is not UTF-8 (a GBK file name) must not panic here.
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let en = args.windows(2).any(|w| w[0] == "--lang" && w[1] == "en") || args.iter().any(|a| a == "--lang=en");
    if en {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// A command-line mistake as one line in the user's language (clap's own
/// report is several lines of English with a usage block).
fn usage_error(e: &clap::Error, lang: Lang) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let zh = lang == Lang::Zh;
    let arg = ctx(ContextKind::InvalidArg);
    let value = ctx(ContextKind::InvalidValue);
    let msg = match e.kind() {
        ErrorKind::UnknownArgument if zh => format!("未知参数 {arg}"),
        ErrorKind::UnknownArgument => format!("unknown argument {arg}"),
        ErrorKind::InvalidSubcommand if zh => format!("未知命令 {}", ctx(ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidSubcommand => format!("unknown command {}", ctx(ContextKind::InvalidSubcommand)),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if zh => {
            let valid = ctx(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("{arg}: 值 {value:?} 无效")
            } else {
                format!("{arg}: 值 {value:?} 无效；可选: {valid}")
            }
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let valid = ctx(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("{arg}: invalid value {value:?}")
            } else {
                format!("{arg}: invalid value {value:?}; choose one of: {valid}")
            }
        }
        ErrorKind::MissingRequiredArgument if zh => format!("缺少必填参数: {arg}"),
        ErrorKind::MissingRequiredArgument => format!("missing required argument: {arg}"),
        ErrorKind::ArgumentConflict if zh => format!("{arg} 不能与 {} 同时使用", ctx(ContextKind::PriorArg)),
        ErrorKind::ArgumentConflict => format!("{arg} cannot be used with {}", ctx(ContextKind::PriorArg)),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if zh => "缺少命令".to_string(),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "missing command".to_string(),
        _ => {
            // Other kinds: clap's first line, without its "error: " prefix.
            let text = e.render().to_string();
            text.lines().next().unwrap_or_default().trim_start_matches("error: ").to_string()
        }
    };
    let hint = if zh { "（butie --help 列出用法）" } else { " (butie --help shows the usage)" };
    format!("{msg}{hint}")
}

/// Print what a command produced. A reader that went away (`| head`) ends
/// the program quietly; a full disk or another write failure is an error.
fn emit(out: &str, lang: Lang, saved: bool) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let mut why = if e.raw_os_error() == Some(28) {
                if lang == Lang::Zh { "磁盘已满，输出未写完" } else { "the disk is full; the output is incomplete" }.to_string()
            } else if lang == Lang::Zh {
                format!("无法写出结果（{e}）")
            } else {
                format!("cannot write the output ({e})")
            };
            // The change itself was made: say so, so nobody repeats it.
            if saved {
                why = if lang == Lang::Zh {
                    format!("已保存到工作区，但{why}")
                } else {
                    format!("saved in the workspace, but {why}")
                };
            }
            let prefix = if lang == Lang::Zh { "butie: 错误: " } else { "butie: error: " };
            let _ = writeln!(std::io::stderr(), "{prefix}{why}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let lang = lang_from_args();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                return emit(&e.render().to_string(), lang, false);
            }
            let prefix = if lang == Lang::Zh { "butie: 错误: " } else { "butie: error: " };
            eprintln!("{prefix}{}", usage_error(&e, lang));
            return ExitCode::from(2);
        }
    };
    let cx = Context {
        lang: match cli.lang {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        },
        policies: cli.policies.clone(),
        workspace: cli.workspace.clone(),
    };
    let lang = cx.lang;
    if let Command::Batch { input, year, out, pdf, save, jobs, explain } = &cli.command {
        let a = butie::batch::BatchArgs {
            input: input.to_path_buf(),
            year: *year,
            out: out.to_path_buf(),
            pdf: pdf.clone(),
            save: *save,
            jobs: *jobs,
            explain: *explain,
        };
        return batch(&cx, &a);
    }
    let result = run(&cx, &cli.command);
    match result {
        Ok(out) => emit(&out, lang, saves(&cli.command)),
        Err(e) => {
            let prefix = if lang == Lang::Zh { "butie: 错误: " } else { "butie: error: " };
            if e.code == 1 {
                eprint!("{}", e.message);
            } else {
                eprintln!("{prefix}{}", e.message);
            }
            ExitCode::from(e.code as u8)
        }
    }
}

/// Every command but `batch`: its output, or the error to print.
fn run(cx: &Context, command: &Command) -> Result<String, CliError> {
    match command {
        Command::Evaluate { profile: Some(_), save: true, .. } => Err(CliError::usage(
            cx.say(
                "--save 只能与 --company 一起使用（保存到工作区中的企业）",
                "--save works only with --company (it saves to a company in the workspace)",
            )
            .into(),
        )),
        Command::Evaluate { profile: Some(p), year, json, explain, .. } => evaluate_cmd(cx, p, *year, *json, *explain),
        Command::Evaluate { company: Some(c), year, save, json, explain, .. } => {
            need_year(cx, *year).and_then(|y| sc::evaluate_company(cx, c, y, *save, sc::Show { json: *json, explain: *explain }))
        }
        Command::Evaluate { .. } => Err(CliError::usage("--profile or --company".into())),
        Command::Policies { json, cmd: None } => policies_cmd(cx, *json),
        Command::Policies { cmd: Some(PoliciesCmd::Import { file, sig, allow_unsigned }), .. } => {
            butie::cli::packs::import_cmd(cx, file, sig.as_deref(), *allow_unsigned)
        }
        Command::Policies { cmd: Some(PoliciesCmd::Diff { old, new, impact, year }), .. } => {
            butie::cli::packs::diff_cmd(cx, old, new, *impact, *year)
        }
        Command::Policies { cmd: Some(PoliciesCmd::Versions), .. } => butie::cli::packs::versions_cmd(cx),
        Command::Policies { cmd: Some(PoliciesCmd::Pin { pack, version }), .. } => butie::cli::packs::pin_cmd(cx, pack, version),
        Command::Policies { cmd: Some(PoliciesCmd::Unpin { pack }), .. } => butie::cli::packs::unpin_cmd(cx, pack),
        Command::Keys(KeysCmd::Add { name, key }) => butie::cli::packs::keys_add(cx, name, key),
        Command::Keys(KeysCmd::List) => butie::cli::packs::keys_list(cx),
        Command::Keys(KeysCmd::Remove { key }) => butie::cli::packs::keys_remove(cx, key),
        Command::History { verify: true, .. } => butie::cli::packs::history_verify(cx),
        Command::CheckPolicies { dir } => check_policies_cmd(cx, dir),
        Command::Pdf { profile: Some(p), year, out, .. } => pdf_cmd(cx, p, *year, out),
        Command::Pdf { company: Some(c), year, out, .. } => need_year(cx, *year).and_then(|y| sc::pdf_company(cx, c, y, out)),
        Command::Pdf { .. } => Err(CliError::usage("--profile or --company".into())),
        Command::Template { out, city } => butie::cli::template_cmd(cx, out, city.as_deref()),
        Command::Batch { .. } => unreachable!("handled above"),

        Command::Company(_)
        | Command::Facts(_)
        | Command::Claim(_)
        | Command::Claims { .. }
        | Command::History { .. }
        | Command::Export { .. }
        | Command::Import { .. }
        | Command::Backup { .. }
        | Command::Restore { .. } => workspace_command(cx, command),
        Command::Packet { .. } | Command::Materials(_) | Command::Evidence(_) | Command::Deadline(_) | Command::Deadlines { .. } => {
            packet_command(cx, command)
        }
    }
}

/// The commands on the workspace: companies, facts, the ledger, history, export, import, backup.
fn workspace_command(cx: &Context, command: &Command) -> Result<String, CliError> {
    match command {
        Command::Company(CompanyCmd::Add(f)) => sc::company_add(cx, &f.fields()),
        Command::Company(CompanyCmd::List { search, json }) => sc::company_list(cx, search.as_deref(), *json),
        Command::Company(CompanyCmd::Show { company }) => sc::company_show(cx, company),
        Command::Company(CompanyCmd::Edit { company, fields }) => sc::company_edit(cx, company, &fields.fields()),
        Command::Company(CompanyCmd::Delete { company, archive }) => sc::company_delete(cx, company, *archive),
        Command::Facts(FactsCmd::Set { company, year, from_json, pairs }) => sc::facts_set(cx, company, *year, pairs, from_json.as_deref()),
        Command::Facts(FactsCmd::Unset { company, year, keys }) => sc::facts_unset(cx, company, *year, keys),
        Command::Facts(FactsCmd::Copy { company, from, to }) => sc::facts_copy(cx, company, *from, *to),
        Command::Facts(FactsCmd::Show { company, year, json }) => sc::facts_show(cx, company, *year, *json),
        Command::Claim(ClaimCmd::Set { company, year, clause, status, amount, estimate, date, submitted_on, approved_on, note }) => {
            let a = ClaimArgs {
                clause: clause.clone(),
                status: status.clone(),
                amount: amount.clone(),
                estimate: estimate.clone(),
                date: date.clone(),
                submitted_on: submitted_on.clone(),
                approved_on: approved_on.clone(),
                note: note.clone(),
            };
            sc::claim_set(cx, company, *year, &a)
        }
        Command::Claims { company, year, json } => sc::claims(cx, company, *year, *json),
        Command::History { show: Some(id), .. } => sc::history_show(cx, *id),
        Command::History { company: Some(c), json, .. } => sc::history(cx, c, *json),
        Command::History { .. } => Err(CliError::usage("--company or --show".into())),
        Command::Export { company, year, out, .. } => sc::export(cx, company.as_deref(), *year, out),
        Command::Import { file, replace } => sc::import(cx, file, *replace),
        Command::Backup { out } => sc::backup(cx, out),
        Command::Restore { file } => sc::restore(cx, file),
        _ => unreachable!("not a workspace command"),
    }
}

/// The commands on the packet, its materials and the filing windows.
fn packet_command(cx: &Context, command: &Command) -> Result<String, CliError> {
    match command {
        Command::Packet { profile: Some(p), year, out, .. } => butie::cli::packet::packet_profile(cx, p, *year, out),
        Command::Packet { company: Some(c), year, out, .. } => {
            need_year(cx, *year).and_then(|y| butie::cli::packet::packet_company(cx, c, y, out))
        }
        Command::Packet { .. } => Err(CliError::usage("--profile or --company".into())),
        Command::Materials(MaterialsCmd::Show { company, year, json }) => butie::cli::packet::materials_show(cx, company, *year, *json),
        Command::Materials(MaterialsCmd::Set { company, year, clause, item, status }) => {
            butie::cli::packet::materials_set(cx, company, *year, clause, item, status)
        }
        Command::Evidence(EvidenceCmd::Add { company, year, clause, item, file }) => {
            butie::cli::packet::evidence_add(cx, company, *year, clause, item, file)
        }
        Command::Evidence(EvidenceCmd::Remove { id }) => butie::cli::packet::evidence_remove(cx, *id),
        Command::Evidence(EvidenceCmd::Save { id, out }) => butie::cli::packet::evidence_save(cx, *id, out),
        Command::Deadline(DeadlineCmd::Set { company, year, pack, start, end, notice }) => {
            butie::cli::packet::deadline_set(cx, company, *year, pack, start.as_deref(), end, notice)
        }
        Command::Deadline(DeadlineCmd::Clear { company, year, pack }) => butie::cli::packet::deadline_clear(cx, company, *year, pack),
        Command::Deadlines { within, json } => butie::cli::packet::deadlines_list(cx, *within, *json),
        _ => unreachable!("not a packet command"),
    }
}

/// Whether a command changes the workspace (its output may fail after the change).
fn saves(command: &Command) -> bool {
    matches!(
        command,
        Command::Evaluate { save: true, .. }
            | Command::Company(CompanyCmd::Add(_) | CompanyCmd::Edit { .. } | CompanyCmd::Delete { .. })
            | Command::Facts(FactsCmd::Set { .. } | FactsCmd::Unset { .. } | FactsCmd::Copy { .. })
            | Command::Claim(_)
            | Command::Materials(MaterialsCmd::Set { .. })
            | Command::Evidence(EvidenceCmd::Add { .. } | EvidenceCmd::Remove { .. })
            | Command::Deadline(_)
            | Command::Import { .. }
            | Command::Restore { .. }
            | Command::Keys(KeysCmd::Add { .. } | KeysCmd::Remove { .. })
            | Command::Policies { cmd: Some(PoliciesCmd::Import { .. } | PoliciesCmd::Pin { .. } | PoliciesCmd::Unpin { .. }), .. }
    )
}

/// `butie batch`: the run's outcome worded, the exit code its own.
fn batch(cx: &Context, a: &butie::batch::BatchArgs) -> ExitCode {
    let lang = cx.lang;
    match butie::batch::run(&cx.setup(), a) {
        Ok(o) => {
            let (stdout, stderr) = butie::words::batch::report(&o, lang);
            for line in &stderr {
                eprintln!("{line}");
            }
            let code = emit(&stdout, lang, a.save);
            if o.code() == 0 {
                code
            } else {
                ExitCode::from(o.code())
            }
        }
        Err(e) => {
            let prefix = if lang == Lang::Zh { "butie: 错误: " } else { "butie: error: " };
            eprintln!("{prefix}{}", e.message(lang));
            ExitCode::from(e.code() as u8)
        }
    }
}

/// `--year`, which these commands need.
fn need_year(cx: &Context, year: Option<i64>) -> Result<i64, CliError> {
    year.ok_or_else(|| CliError::usage(cx.say("--year: 必填", "--year: required").into()))
}

//! `butie`: the command-line front end. Every operation is a function in
//! `butie::cli` or `butie::store_cli`; this file only parses arguments and
//! prints.

// mimalloc: rendering makes many small strings (traces, reasons); see Cargo.toml.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use butie::cli::{check_policies_cmd, evaluate_cmd, pdf_cmd, policies_cmd, CliError, Context};
use butie::store_cli::{self as sc, CompanyFields};
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
        /// A profile JSON file (catalogue format).
        #[arg(long, conflicts_with = "company", required_unless_present = "company")]
        profile: Option<PathBuf>,
        /// A company in the workspace: its number or USCC.
        #[arg(long)]
        company: Option<String>,
        /// Data year (defaults to the profile's "year").
        #[arg(long)]
        year: Option<i64>,
        /// Save the evaluation in the workspace (with --company).
        #[arg(long, requires = "company")]
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
    },
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
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Companies in the workspace.
    #[command(subcommand)]
    Company(CompanyCmd),
    /// A company's facts for a year.
    #[command(subcommand)]
    Facts(FactsCmd),
    /// Saved evaluations of a company, or one of them in full.
    History {
        #[arg(long, required_unless_present = "show")]
        company: Option<String>,
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
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a profile, company or workspace JSON file (all or nothing).
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
    /// Replace the workspace with a backup file (the old one is kept as .bak).
    Restore { file: PathBuf },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cx = Context {
        lang: match cli.lang {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        },
        policies: cli.policies.clone(),
        workspace: cli.workspace.clone(),
    };
    let lang = cx.lang;
    let need_year = |year: Option<i64>| year.ok_or_else(|| CliError::usage(cx.say("--year: 必填", "--year: required").into()));
    let result: Result<String, CliError> = match &cli.command {
        Command::Evaluate { profile: Some(p), year, json, explain, .. } => evaluate_cmd(&cx, p, *year, *json, *explain),
        Command::Evaluate { company: Some(c), year, save, json, explain, .. } => {
            need_year(*year).and_then(|y| sc::evaluate_company(&cx, c, y, *save, sc::Show { json: *json, explain: *explain }))
        }
        Command::Evaluate { .. } => Err(CliError::usage("--profile or --company".into())),
        Command::Policies { json } => policies_cmd(&cx, *json),
        Command::CheckPolicies { dir } => check_policies_cmd(&cx, dir),
        Command::Pdf { profile: Some(p), year, out, .. } => pdf_cmd(&cx, p, *year, out),
        Command::Pdf { company: Some(c), year, out, .. } => need_year(*year).and_then(|y| sc::pdf_company(&cx, c, y, out)),
        Command::Pdf { .. } => Err(CliError::usage("--profile or --company".into())),
        Command::Company(CompanyCmd::Add(f)) => sc::company_add(&cx, &f.fields()),
        Command::Company(CompanyCmd::List { search, json }) => sc::company_list(&cx, search.as_deref(), *json),
        Command::Company(CompanyCmd::Show { company }) => sc::company_show(&cx, company),
        Command::Company(CompanyCmd::Edit { company, fields }) => sc::company_edit(&cx, company, &fields.fields()),
        Command::Company(CompanyCmd::Delete { company, archive }) => sc::company_delete(&cx, company, *archive),
        Command::Facts(FactsCmd::Set { company, year, from_json, pairs }) => {
            sc::facts_set(&cx, company, *year, pairs, from_json.as_deref())
        }
        Command::Facts(FactsCmd::Unset { company, year, keys }) => sc::facts_unset(&cx, company, *year, keys),
        Command::Facts(FactsCmd::Show { company, year, json }) => sc::facts_show(&cx, company, *year, *json),
        Command::History { show: Some(id), .. } => sc::history_show(&cx, *id),
        Command::History { company: Some(c), json, .. } => sc::history(&cx, c, *json),
        Command::History { .. } => Err(CliError::usage("--company or --show".into())),
        Command::Export { company, year, out, .. } => sc::export(&cx, company.as_deref(), *year, out),
        Command::Import { file, replace } => sc::import(&cx, file, *replace),
        Command::Backup { out } => sc::backup(&cx, out),
        Command::Restore { file } => sc::restore(&cx, file),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
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

//! `butie`: the command-line front end. Every operation is a function in
//! `butie::cli`; this file only parses arguments and prints.

use butie::cli::{check_policies_cmd, evaluate_cmd, pdf_cmd, policies_cmd, CliError};
use butie::Lang;
use clap::{Parser, Subcommand, ValueEnum};
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
    /// Evaluate a profile for a data year against every policy pack.
    Evaluate {
        #[arg(long)]
        profile: PathBuf,
        /// Data year (defaults to the profile's "year").
        #[arg(long)]
        year: Option<i64>,
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
        #[arg(long)]
        profile: PathBuf,
        #[arg(long)]
        year: Option<i64>,
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = match cli.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let policies = cli.policies.as_deref();
    let result: Result<String, CliError> = match &cli.command {
        Command::Evaluate { profile, year, json, explain } => {
            evaluate_cmd(profile, *year, *json, *explain, policies, lang)
        }
        Command::Policies { json } => policies_cmd(policies, *json, lang),
        Command::CheckPolicies { dir } => check_policies_cmd(dir, lang),
        Command::Pdf { profile, year, out } => pdf_cmd(profile, *year, out, policies, lang),
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

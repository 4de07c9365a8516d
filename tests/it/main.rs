//! Integration tests of the `butie` package, in one test binary (linking one
//! binary instead of eight is a large share of CI time on two cores).

mod audit;
mod batch;
mod claims;
mod cli_errors;
mod fuzz_no_panic;
mod generate;
mod golden;
mod hints;
mod hostile;
mod hostile2;
mod packet;
mod packs;
mod pdf;
mod pdf_glyphs;
mod policy_cases;
mod samples;
mod store_cli;
mod tidy;

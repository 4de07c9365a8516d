//! `butie`: the core library (re-exported from `butie-core`) and the
//! command-line front end's building blocks, so integration tests and the
//! desktop shell use the very functions the `butie` binary uses.

pub use butie_core::*;

pub mod app_api;
pub mod batch;
pub mod cli;
pub mod files;
pub mod packet;
pub mod packs;
pub mod store_cli;
pub mod store_messages;
pub mod table;

//! `butie`: the core library (re-exported from `butie-core`) and the layer
//! around it, so integration tests and the desktop shell use the very
//! functions the `butie` binary uses.
//!
//! - [`ops`]: the operations both front ends share — files written and
//!   read, policy pack files, the packet, spreadsheets.
//! - [`cli`]: the command line (`Context`, the commands, the terminal table).
//! - [`app`]: the window's API (`Session`, its views and `ApiError`).
//! - [`words`]: the outer layer's sentences (store errors, claim statuses).

pub use butie_core::*;

pub mod app;
pub mod cli;
pub mod ops;
pub mod words;

// The paths these modules had before they were grouped by role.
pub use app as app_api;
pub use cli::{store as store_cli, table};
pub use ops::{batch, files, packet, packs};
pub use words::store as store_messages;

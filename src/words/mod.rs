//! The outer layer's words: store errors and claim statuses in the user's
//! language (results and input errors are worded by the core's `explain`).

pub mod store;

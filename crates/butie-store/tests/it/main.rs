//! The store's integration tests, in one test binary: behaviour on disk
//! (`store`) and crash safety under SIGKILL (`crash`).

mod crash;
mod store;

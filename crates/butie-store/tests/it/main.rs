//! The store's integration tests, in one test binary: behaviour on disk
//! (`store`), crash safety under SIGKILL (`crash`, `restore_crash`) and
//! several programs writing one workspace at once (`concurrent`).

mod concurrent;
mod crash;
mod restore_crash;
mod store;

//! The store's integration tests, in one test binary: behaviour on disk
//! (`store`), the claims ledger (`claims`), crash safety under SIGKILL (`crash`, `restore_crash`) and
//! several programs writing one workspace at once (`concurrent`).

mod backup_hostile;
mod claims;
mod concurrent;
mod crash;
mod materials;
mod restore_crash;
mod store;

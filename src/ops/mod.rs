//! The operations both front ends share: files (reading text and policy
//! folders, writing PDF sets), policy pack files (signatures, import, the
//! set in use, verify, diff), the packet's inputs, spreadsheets.

pub mod batch;
pub mod files;
pub mod packet;
pub mod packs;

//! Butie core: the policy model, rule evaluation, amounts and explanations.
//!
//! Pure: no file, network or clock access. Callers hand in policy text and
//! profiles; they get back evaluations. The store, the PDF writer, the CLI
//! and the desktop shell are built around this crate.

pub mod cases;
pub mod diff;
pub mod engine;
pub mod explain;
pub mod money;
pub mod numbers;
pub mod policy;
pub mod profile;
pub mod sense;
pub mod uscc;

// The test-suite's profile generator (tests/it/generate.rs) names this crate `butie`.
#[cfg(test)]
extern crate self as butie;
#[cfg(test)]
#[path = "../../../tests/it/generate.rs"]
mod generate;

pub use engine::{evaluate, evaluate_own, Cause, ClauseResult, Evaluation, PackResult, PackStatus, Status, Step};
pub use explain::to_json;
pub use policy::{load_pack, Lang, Pack, PolicyError};
pub use profile::{parse_profile, Company, FactValue, Facts, InputError, Profile};

/// The policy files shipped with this build, embedded so that the app gives
/// the same answer on every machine and needs no files to start.
pub const BUNDLED_POLICIES: &[(&str, &str)] = &[
    ("taizhou-cbec-2025.toml", include_str!("../../../policies/taizhou-cbec-2025.toml")),
    ("chengdu-cbec-2023.toml", include_str!("../../../policies/chengdu-cbec-2023.toml")),
    // Reference packs: documents that name measures but publish no amounts.
    ("tianjin-cbec-2024.toml", include_str!("../../../policies/tianjin-cbec-2024.toml")),
    ("jiangsu-cbec-2021.toml", include_str!("../../../policies/jiangsu-cbec-2021.toml")),
    ("shandong-cbec-2023.toml", include_str!("../../../policies/shandong-cbec-2023.toml")),
];

/// Load the bundled packs. They are checked by the test suite, so failure
/// here is a build defect; callers still get an error, never a panic.
pub fn bundled_packs() -> Result<Vec<Pack>, PolicyError> {
    load_packs(BUNDLED_POLICIES.iter().map(|(n, t)| (*n, *t)))
}

/// Load several policy files as one set and check they agree with each other.
pub fn load_packs<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Vec<Pack>, PolicyError> {
    let mut packs = Vec::new();
    for (name, text) in files {
        packs.push(load_pack(name, text)?);
    }
    policy::check_set(&packs)?;
    Ok(packs)
}

/// The first 12 characters of a hash, for people (whole if shorter; never
/// splits a character, whatever a hand-edited file holds).
pub fn short_hash(h: &str) -> &str {
    h.char_indices().nth(12).map(|(i, _)| h.get(..i).unwrap_or(h)).unwrap_or(h)
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_hash_never_splits_a_character() {
        assert_eq!(super::short_hash("a01857268c29ffff"), "a01857268c29");
        assert_eq!(super::short_hash("abc"), "abc");
        // A hand-edited record with multi-byte text where the hash was.
        assert_eq!(super::short_hash("哈希值哈希值哈希值哈希值哈希值"), "哈希值哈希值哈希值哈希值");
    }
}

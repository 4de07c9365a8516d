//! Policy packs as files that travel: importing a pack file with its
//! minisign signature, the trusted publishers' keys, the set of packs in
//! use (the built-in ones and, for each pack id, a newer version imported
//! into the workspace), re-checking saved evaluations against the exact
//! pack versions they were made with, and what a new version changes.

use crate::ops::files::{read_limited, FileError};
use crate::ops::{Error, PackRefusal};
use base64::Engine;
use butie_core::cases::run_cases;
use butie_core::engine::evaluate;
use butie_core::policy::{Lang, Pack};
use butie_store::{PackOrigin, StoredPack, TrustedKey, Workspace};
use std::path::Path;

/// The largest pack file read, in bytes.
/// The same limit as a policy folder's files: one rule for every pack read.
const PACK_LIMIT: u64 = crate::ops::files::POLICY_LIMIT;

/// A pack file's text: at most [`PACK_LIMIT`] bytes of UTF-8.
pub fn read_pack_text(path: &Path) -> Result<String, FileError> {
    let bytes = read_limited(path, PACK_LIMIT)?;
    String::from_utf8(bytes).map_err(|_| FileError::NotUtf8 { path: path.to_path_buf() })
}

/// Where a pack file's signature is looked for: `FILE.minisig` beside it.
pub fn sig_beside(file: &Path) -> std::path::PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".minisig");
    std::path::PathBuf::from(s)
}

/// minisign's key id of a public key or signature line: bytes 2..10 of the
/// decoded line, shown as minisign shows it (the little-endian number in hex).
fn key_id(line: &str) -> Option<String> {
    let bin = base64::engine::general_purpose::STANDARD.decode(line.trim()).ok()?;
    let id = bin.get(2..10)?;
    Some(id.iter().rev().map(|b| format!("{b:02X}")).collect())
}

/// A public key as the user gives it: a `minisign.pub` file's text or its
/// base64 line. Returns (key id, base64 line).
pub fn parse_public_key(text: &str) -> Option<(String, String)> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))?;
    minisign_verify::PublicKey::from_base64(line).ok()?;
    Some((key_id(line)?, line.to_string()))
}

/// What a signature says of a pack file.
#[derive(Debug, Clone, PartialEq)]
pub enum SigCheck {
    /// Signed by this trusted key, and the file is exactly what it signed.
    Verified(TrustedKey),
    /// No signature given.
    Unsigned,
    /// Signed by a key the workspace does not trust.
    UnknownKey(String),
    /// The signature does not match the file (changed after signing), or
    /// it is not a minisign signature at all.
    Bad(String),
}

pub fn check_signature(bytes: &[u8], sig: Option<&str>, keys: &[TrustedKey]) -> SigCheck {
    let Some(sig) = sig else { return SigCheck::Unsigned };
    let Ok(s) = minisign_verify::Signature::decode(sig) else {
        return SigCheck::Bad("format".into());
    };
    let sig_key = sig.lines().nth(1).and_then(key_id).unwrap_or_default();
    for k in keys {
        let Ok(pk) = minisign_verify::PublicKey::from_base64(&k.public_key) else { continue };
        // Legacy (not pre-hashed) signatures are still minisign's: `minisign -V` accepts them.
        match pk.verify(bytes, &s, true) {
            Ok(()) => return SigCheck::Verified(k.clone()),
            Err(minisign_verify::Error::UnexpectedKeyId) => continue,
            Err(_) => return SigCheck::Bad("signature".into()),
        }
    }
    SigCheck::UnknownKey(sig_key)
}

/// The packs in use with a workspace: the built-in ones, each replaced by
/// the newest version of the same pack imported into the workspace (by
/// version, then by import), and imported packs of new ids added. Imported
/// packs without a trusted signature are marked unverified.
pub fn packs_with(ws: &Workspace) -> Result<Vec<Pack>, Error> {
    let builtin = butie_core::bundled_packs()?;
    let stored = ws.stored_packs()?;
    let imported: Vec<&StoredPack> = stored.iter().filter(|s| s.origin == PackOrigin::Imported).collect();
    let pins = ws.pack_pins()?;
    if imported.is_empty() && pins.is_empty() {
        return Ok(builtin);
    }
    let mut chosen: Vec<(String, String, String, bool)> =
        builtin.iter().map(|p| (p.id.clone(), p.version.clone(), p.text.to_string(), false)).collect();
    for s in imported {
        // A text that no longer matches the SHA-256 it was kept under was
        // changed inside the workspace: never used.
        if butie_store::sha256_hex(s.text.as_bytes()) != s.sha256 {
            return Err(Error::KeptPackChanged { pack: s.pack_id.clone(), version: s.version.clone() });
        }
        match chosen.iter_mut().find(|c| c.0 == s.pack_id) {
            // A newer date wins; on the same date a verified text beats an
            // unverified one, and among equals the later import.
            Some(c) if s.version > c.1 || (s.version == c.1 && (s.verified || c.3)) => {
                *c = (s.pack_id.clone(), s.version.clone(), s.text.clone(), !s.verified)
            }
            Some(_) => {}
            None => chosen.push((s.pack_id.clone(), s.version.clone(), s.text.clone(), !s.verified)),
        }
    }
    // A version the user pinned is used whatever is newer.
    for (id, sha) in &pins {
        let found = stored
            .iter()
            .find(|s| &s.sha256 == sha && butie_store::sha256_hex(s.text.as_bytes()) == s.sha256)
            .map(|s| (s.version.clone(), s.text.clone(), !s.verified))
            .or_else(|| builtin.iter().find(|b| &b.content_hash == sha).map(|b| (b.version.clone(), b.text.to_string(), false)));
        if let (Some((version, text, unverified)), Some(c)) = (found, chosen.iter_mut().find(|c| &c.0 == id)) {
            *c = (id.clone(), version, text, unverified);
        }
    }
    let mut packs = butie_core::load_packs(chosen.iter().map(|(id, _, text, _)| (id.as_str(), text.as_str())))?;
    for (p, c) in packs.iter_mut().zip(&chosen) {
        p.unverified = c.3;
        // Every other kept version stays at hand for the data years this
        // one's term does not cover; a pinned version is used for all years.
        if pins.iter().any(|(id, _)| *id == p.id) {
            continue;
        }
        let mut seen = vec![p.content_hash.clone()];
        let others = builtin.iter().filter(|b| b.id == p.id).map(|b| (b.content_hash.clone(), b.text.to_string(), false)).chain(
            stored
                .iter()
                .filter(|s| s.origin == PackOrigin::Imported && s.pack_id == p.id)
                .map(|s| (s.sha256.clone(), s.text.clone(), !s.verified)),
        );
        for (sha, text, unverified) in others {
            if seen.contains(&sha) {
                continue;
            }
            seen.push(sha);
            let mut alt = butie_core::load_pack(&p.id, &text)?;
            alt.unverified = unverified;
            p.alternates.push(alt);
        }
    }
    Ok(packs)
}

/// What an import did: the pack kept, whether it was new, and the version
/// that stays in use when it is not this one.
#[derive(Debug, Clone)]
pub struct Imported {
    pub pack: String,
    pub version: String,
    pub clauses: usize,
    pub cases: usize,
    pub valid_from: String,
    pub valid_to: String,
    pub content_hash: String,
    /// "name（key id）" of the trusted key that signed it; `None`: unverified.
    pub signer: Option<String>,
    /// False when this very text was kept already.
    pub new: bool,
    /// The version in use for the pack when it is not the one imported.
    pub still_in_use: Option<String>,
}

/// Validate a pack text, run its embedded cases, check it against the
/// packs it joins, and keep it: the one path the CLI and the window share.
pub fn accept(w: &mut Workspace, name: &str, text: &str, check: &SigCheck, allow_unsigned: bool) -> Result<Imported, Error> {
    let refuse = |refusal| Error::Pack { name: name.to_string(), refusal };
    let (signer, verified) = match check {
        SigCheck::Verified(k) => (Some(format!("{}（{}）", k.name, k.key_id)), true),
        SigCheck::Bad(why) if why == "format" => return Err(refuse(PackRefusal::SignatureNotMinisign)),
        SigCheck::Bad(_) => return Err(refuse(PackRefusal::BadSignature)),
        SigCheck::UnknownKey(id) if !allow_unsigned => return Err(refuse(PackRefusal::UnknownKey { key_id: id.clone() })),
        SigCheck::Unsigned if !allow_unsigned => return Err(refuse(PackRefusal::Unsigned)),
        SigCheck::UnknownKey(_) | SigCheck::Unsigned => (None, false),
    };
    let mut pack = butie_core::policy::load_pack(name, text)?;
    // Versions are dates: the newest is the one in use, so they must compare as dates.
    let real_date = pack.version.len() == 10 && butie_core::policy::Date::parse(&pack.version).is_some();
    if !real_date {
        return Err(refuse(PackRefusal::VersionNotDate { version: pack.version.clone() }));
    }
    // The same text kept already as verified stays verified.
    let (signer, verified) = match w.stored_pack(&pack.content_hash)? {
        Some(k) if k.verified && !verified => (k.signer, true),
        _ => (signer, verified),
    };
    let (n, failures) = run_cases(&pack);
    if !failures.is_empty() {
        let first = failures.iter().take(3).map(|f| f.to_string()).collect();
        return Err(refuse(PackRefusal::CasesFail { failed: failures.len(), total: n, first }));
    }
    pack.unverified = !verified;
    // It must also fit with the packs it joins (fact definitions agree).
    let mut set = packs_with(w)?;
    set.retain(|p| p.id != pack.id);
    set.push(pack.clone());
    butie_core::policy::check_set(&set)?;
    let new = w.keep_pack(&pack, PackOrigin::Imported, signer.as_deref(), verified)?;
    let in_use = packs_with(w)?;
    let still_in_use = in_use.iter().find(|p| p.id == pack.id && p.content_hash != pack.content_hash).map(|u| u.version.clone());
    Ok(Imported {
        pack: pack.id.clone(),
        version: pack.version.clone(),
        clauses: pack.clauses.len(),
        cases: n,
        valid_from: pack.valid_from.to_string(),
        valid_to: pack.valid_to.to_string(),
        content_hash: pack.content_hash.clone(),
        signer,
        new,
        still_in_use,
    })
}

/// One line per change between two versions of a pack, in words.
pub fn diff_lines(old: &Pack, new: &Pack, lang: Lang) -> Vec<String> {
    butie_core::explain::diff_lines(old, new, lang)
}

/// Every company-year of the workspace (or each company's `year`)
/// evaluated under two pack sets: how many were checked, and an
/// [`impact_line`] for each whose figures differ. The CLI's `--impact` and
/// the window's comparison both use it.
pub fn client_impact(
    w: &Workspace,
    before: &[Pack],
    after: &[Pack],
    year: Option<i32>,
    lang: Lang,
) -> Result<(usize, Vec<String>), butie_store::StoreError> {
    let mut changed = Vec::new();
    let mut seen = 0;
    for c in w.list_companies(None)? {
        let years = match year {
            Some(y) => vec![y],
            None => c.years.clone(),
        };
        for y in years {
            seen += 1;
            let (pa, pb) = (w.profile(c.id, y, before)?, w.profile(c.id, y, after)?);
            let (ea, eb) = (evaluate(before, &pa, y), evaluate(after, &pb, y));
            if (ea.total, ea.total_max) != (eb.total, eb.total_max) {
                changed.push(impact_line(c.id, &c.name, y, (ea.total, ea.total_max), (eb.total, eb.total_max), lang));
            }
        }
    }
    Ok((seen, changed))
}

/// "#3 某公司 2024: 100,000.00 → 150,000.00" (with the most it can be when
/// that is what changes).
pub fn impact_line(
    id: i64,
    name: &str,
    year: i32,
    old: (rust_decimal::Decimal, rust_decimal::Decimal),
    new: (rust_decimal::Decimal, rust_decimal::Decimal),
    lang: Lang,
) -> String {
    let g = butie_core::money::fmt_grouped;
    let mut line = format!("#{id} {name} {year}: {} → {}", g(old.0), g(new.0));
    if old.1 != new.1 {
        line.push_str(&match lang {
            Lang::Zh => format!("（最多 {} → {}）", g(old.1), g(new.1)),
            Lang::En => format!(" (at most {} → {})", g(old.1), g(new.1)),
        });
    }
    line
}

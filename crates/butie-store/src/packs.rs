//! Policy packs as files (schema 6).
//!
//! **Versions.** The text of every pack version an evaluation was saved
//! with, and of every pack imported, is kept by its SHA-256, so a saved
//! evaluation can be recomputed with exactly the rules it used even after
//! the app moved on to a newer version.
//!
//! **Trust.** The public keys of the publishers the user trusts (a
//! consultant's, an industrial park office's), in minisign's form, each
//! with the name the user gave it. Whether a pack's signature is good is
//! decided by the caller (the store holds no cryptography); the store keeps
//! what it was told: the signer's key id and name, or unverified.

use crate::clock::now_utc;
use crate::{Result, StoreError, Workspace};
use butie_core::policy::Pack;
use butie_core::profile::{InputError, Problem};
use rusqlite::{params, OptionalExtension};

/// Where a kept pack text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackOrigin {
    /// Built into the program that saved an evaluation with it.
    Bundled,
    /// Imported from a file by the user.
    Imported,
}

impl PackOrigin {
    fn as_str(self) -> &'static str {
        match self {
            PackOrigin::Bundled => "bundled",
            PackOrigin::Imported => "imported",
        }
    }
}

/// A pack version kept in the workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPack {
    pub sha256: String,
    pub pack_id: String,
    pub version: String,
    pub origin: PackOrigin,
    /// "name (key id)" of the trusted key that signed it, if one did.
    pub signer: Option<String>,
    pub verified: bool,
    pub added_at: String,
    pub text: String,
}

/// A publisher's public key the user trusts.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedKey {
    /// minisign's key id, 16 hex digits.
    pub key_id: String,
    pub name: String,
    /// The base64 public key line.
    pub public_key: String,
    pub added_at: String,
}

fn stored(r: &rusqlite::Row) -> rusqlite::Result<StoredPack> {
    Ok(StoredPack {
        sha256: r.get(0)?,
        pack_id: r.get(1)?,
        version: r.get(2)?,
        origin: if r.get::<_, String>(3)? == "imported" { PackOrigin::Imported } else { PackOrigin::Bundled },
        signer: r.get(4)?,
        verified: r.get::<_, i64>(5)? != 0,
        added_at: r.get(6)?,
        text: r.get(7)?,
    })
}

const PACK_COLUMNS: &str = "sha256, pack_id, version, origin, signer, verified, added_at, text";

impl Workspace {
    /// Keep a pack's text (nothing if that very text is kept already,
    /// except that a verified import upgrades an unverified one).
    pub fn keep_pack(&mut self, pack: &Pack, origin: PackOrigin, signer: Option<&str>, verified: bool) -> Result<bool> {
        if pack.text.is_empty() {
            return Ok(false);
        }
        self.write(|tx| {
            let now = now_utc(tx)?;
            let n = tx.execute(
                "INSERT INTO pack_texts (sha256, pack_id, version, text, origin, signer, verified, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (sha256) DO UPDATE SET signer = excluded.signer, verified = excluded.verified, origin = excluded.origin
                 WHERE excluded.verified > pack_texts.verified OR (excluded.origin = 'imported' AND pack_texts.origin = 'bundled')",
                params![pack.content_hash, pack.id, pack.version, &*pack.text, origin.as_str(), signer, verified as i64, now],
            )?;
            Ok(n > 0)
        })
    }

    /// Every pack version kept, oldest first.
    pub fn stored_packs(&self) -> Result<Vec<StoredPack>> {
        if !self.has_packs {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare_cached(&format!("SELECT {PACK_COLUMNS} FROM pack_texts ORDER BY added_at, rowid"))?;
        let rows = st.query_map([], stored)?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// One kept pack version by its SHA-256.
    pub fn stored_pack(&self, sha256: &str) -> Result<Option<StoredPack>> {
        if !self.has_packs {
            return Ok(None);
        }
        Ok(self.conn.query_row(&format!("SELECT {PACK_COLUMNS} FROM pack_texts WHERE sha256 = ?1"), [sha256], stored).optional()?)
    }

    /// Trust a publisher's key under a name; the same key again renames it.
    pub fn add_key(&mut self, key_id: &str, name: &str, public_key: &str) -> Result<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(InputError::new("key.name", Problem::Missing).into());
        }
        if name.chars().count() > 100 || name.chars().any(|c| c.is_control()) {
            return Err(InputError::new("key.name", Problem::NotText).into());
        }
        self.write(|tx| {
            // A name names one key, and is never another key's id.
            let clash: Option<String> = tx
                .query_row(
                    "SELECT key_id FROM trusted_keys WHERE (name = ?1 OR key_id = ?1) AND key_id <> ?2",
                    params![name, key_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = clash {
                return Err(StoreError::KeyNameTaken { name: name.to_string(), other });
            }
            let now = now_utc(tx)?;
            tx.execute(
                "INSERT INTO trusted_keys (key_id, name, public_key, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (key_id) DO UPDATE SET name = excluded.name",
                params![key_id, name, public_key, now],
            )?;
            Ok(())
        })
    }

    pub fn keys(&self) -> Result<Vec<TrustedKey>> {
        if !self.has_packs {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare_cached("SELECT key_id, name, public_key, added_at FROM trusted_keys ORDER BY added_at, key_id")?;
        let rows =
            st.query_map([], |r| Ok(TrustedKey { key_id: r.get(0)?, name: r.get(1)?, public_key: r.get(2)?, added_at: r.get(3)? }))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Stop trusting a key (by its id or name); packs imported under it stay
    /// as they were recorded.
    pub fn remove_key(&mut self, key: &str) -> Result<TrustedKey> {
        let key = key.trim().to_string();
        self.write(|tx| {
            let found = tx
                .query_row("SELECT key_id, name, public_key, added_at FROM trusted_keys WHERE key_id = ?1 OR name = ?1", [&key], |r| {
                    Ok(TrustedKey { key_id: r.get(0)?, name: r.get(1)?, public_key: r.get(2)?, added_at: r.get(3)? })
                })
                .optional()?
                .ok_or_else(|| StoreError::KeyNotFound { key: key.clone() })?;
            tx.execute("DELETE FROM trusted_keys WHERE key_id = ?1", [&found.key_id])?;
            // What it vouched for is no longer vouched for.
            tx.execute(
                "UPDATE pack_texts SET verified = 0, signer = NULL WHERE origin = 'imported' AND signer LIKE '%' || ?1 || '%'",
                [&found.key_id],
            )?;
            Ok(found)
        })
    }
}

impl Workspace {
    /// Use this kept version (by SHA-256) for its pack, whatever is newer.
    pub fn pin_pack(&mut self, pack_id: &str, sha256: &str) -> Result<()> {
        self.write(|tx| {
            let now = now_utc(tx)?;
            tx.execute(
                "INSERT INTO pack_pins (pack_id, sha256, pinned_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (pack_id) DO UPDATE SET sha256 = excluded.sha256, pinned_at = excluded.pinned_at",
                params![pack_id, sha256, now],
            )?;
            Ok(())
        })
    }

    /// Back to the newest version; true if a pin was removed.
    pub fn unpin_pack(&mut self, pack_id: &str) -> Result<bool> {
        self.write(|tx| Ok(tx.execute("DELETE FROM pack_pins WHERE pack_id = ?1", [pack_id])? > 0))
    }

    /// (pack id, SHA-256) of every pinned version.
    pub fn pack_pins(&self) -> Result<Vec<(String, String)>> {
        let exists: bool =
            self.conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'pack_pins'", [], |r| r.get(0))?;
        if !exists {
            return Ok(Vec::new());
        }
        let mut st = self.conn.prepare_cached("SELECT pack_id, sha256 FROM pack_pins ORDER BY pack_id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

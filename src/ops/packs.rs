//! Policy packs as files that travel: importing a pack file with its
//! minisign signature, the trusted publishers' keys, the set of packs in
//! use (the built-in ones and, for each pack id, a newer version imported
//! into the workspace), re-checking saved evaluations against the exact
//! pack versions they were made with, and what a new version changes.

use crate::cli::{CliError, Context};
use crate::files::{read_limited, shown, FileError};
use crate::store_cli::OpenMode;
use base64::Engine;
use butie_core::cases::run_cases;
use butie_core::engine::evaluate;
use butie_core::policy::{Lang, Pack};
use butie_store::{PackOrigin, StoredPack, TrustedKey, Workspace};
use std::path::Path;

/// The largest pack file read, in bytes.
const PACK_LIMIT: u64 = 4 * 1024 * 1024;

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
pub fn packs_with(ws: &Workspace) -> Result<Vec<Pack>, String> {
    let builtin = butie_core::bundled_packs().map_err(|e| e.to_string())?;
    let stored = ws.stored_packs().map_err(|e| e.to_string())?;
    let imported: Vec<&StoredPack> = stored.iter().filter(|s| s.origin == PackOrigin::Imported).collect();
    let pins = ws.pack_pins().map_err(|e| e.to_string())?;
    if imported.is_empty() && pins.is_empty() {
        return Ok(builtin);
    }
    let mut chosen: Vec<(String, String, String, bool)> =
        builtin.iter().map(|p| (p.id.clone(), p.version.clone(), p.text.to_string(), false)).collect();
    for s in imported {
        // A text that no longer matches the SHA-256 it was kept under was
        // changed inside the workspace: never used.
        if butie_store::sha256_hex(s.text.as_bytes()) != s.sha256 {
            return Err(format!(
                "政策包 {} 版本 {} 在工作区中保存的内容与其 SHA-256 不符（工作区文件被改动过），请从备份恢复或重新导入 / the text kept for pack {} {} does not match its SHA-256",
                s.pack_id, s.version, s.pack_id, s.version
            ));
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
    let mut packs =
        butie_core::load_packs(chosen.iter().map(|(id, _, text, _)| (id.as_str(), text.as_str()))).map_err(|e| e.to_string())?;
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
            let mut alt = butie_core::load_pack(&p.id, &text).map_err(|e| e.to_string())?;
            alt.unverified = unverified;
            p.alternates.push(alt);
        }
    }
    Ok(packs)
}

/// `butie policies import FILE [--sig FILE] [--allow-unsigned]`.
pub fn import_cmd(cx: &Context, file: &Path, sig: Option<&Path>, allow_unsigned: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let text = read_pack_text(file).map_err(|e| CliError::file(cx.say("政策包文件", "pack file"), &e, lang))?;
    let bytes = text.as_bytes();
    let sig_path = sig.map(Path::to_path_buf).or_else(|| {
        let p = sig_beside(file);
        p.exists().then_some(p)
    });
    let sig_text = match &sig_path {
        Some(p) => Some(
            String::from_utf8(read_limited(p, 64 * 1024).map_err(|e| CliError::file(cx.say("签名文件", "signature file"), &e, lang))?)
                .map_err(|_| CliError::usage(format!("{}: {}", shown(p), cx.say("不是签名文件", "not a signature file"))))?,
        ),
        None => None,
    };
    let mut w = cx.open(OpenMode::CreateIfMissing)?;
    let keys = w.keys().map_err(|e| cx.store_err(e))?;
    let check = check_signature(bytes, sig_text.as_deref(), &keys);
    let outcome = accept(&mut w, &file.display().to_string(), &text, &check, allow_unsigned, lang).map_err(CliError::usage)?;
    Ok(outcome + "\n")
}

/// Validate a pack text, run its embedded cases, check it against the
/// packs it joins, and keep it: the one path the CLI and the window share.
/// Returns the line that says what was imported.
pub fn accept(w: &mut Workspace, name: &str, text: &str, check: &SigCheck, allow_unsigned: bool, lang: Lang) -> Result<String, String> {
    let zh = lang == Lang::Zh;
    let (signer, verified) = match check {
        SigCheck::Verified(k) => (Some(format!("{}（{}）", k.name, k.key_id)), true),
        SigCheck::Bad(why) if why == "format" => {
            return Err(if zh {
                format!("{name}: 签名文件不是 minisign 签名（空、损坏或其他格式）；未导入")
            } else {
                format!("{name}: the signature file is not a minisign signature (empty, damaged or another format); not imported")
            })
        }
        SigCheck::Bad(_) => {
            return Err(if zh {
                format!("{name}: 签名无效：文件或签名中的可信注释在签名后被改动过，或签名属于另一个文件；未导入")
            } else {
                format!("{name}: bad signature: the file or the signature's trusted comment was changed after signing, or the signature is another file's; not imported")
            })
        }
        SigCheck::UnknownKey(id) if !allow_unsigned => {
            return Err(if zh {
                format!("{name}: 签名来自未受信任的公钥 {id}；如确认来源可靠，请先用 butie keys add 添加该公钥，或加 --allow-unsigned 以“未验证”导入")
            } else {
                format!("{name}: signed by a key this workspace does not trust ({id}); add it with butie keys add, or import it as unverified with --allow-unsigned")
            })
        }
        SigCheck::Unsigned if !allow_unsigned => {
            return Err(if zh {
                format!("{name}: 没有签名（.minisig）；如确认来源可靠，请加 --allow-unsigned 以“未验证”导入，其测算结果会标明“未验证”")
            } else {
                format!("{name}: no signature (.minisig); to import it anyway add --allow-unsigned: its figures are then marked unverified")
            })
        }
        SigCheck::UnknownKey(_) | SigCheck::Unsigned => (None, false),
    };
    let mut pack = butie_core::policy::load_pack(name, text).map_err(|e| e.to_string())?;
    // Versions are dates: the newest is the one in use, so they must compare as dates.
    let real_date = pack.version.len() == 10 && butie_core::policy::Date::parse(&pack.version).is_some();
    if !real_date {
        return Err(if zh {
            format!("{name}: 版本 {:?} 应为发布日期 YYYY-MM-DD（版本按日期比较新旧）；未导入", pack.version)
        } else {
            format!("{name}: version {:?} must be the issue date, YYYY-MM-DD (versions are compared as dates); not imported", pack.version)
        });
    }
    // The same text kept already as verified stays verified.
    let kept = w.stored_pack(&pack.content_hash).map_err(|e| crate::store_messages::store_message(&e, lang))?;
    let (signer, verified) = match kept {
        Some(k) if k.verified && !verified => (k.signer, true),
        _ => (signer, verified),
    };
    let (n, failures) = run_cases(&pack);
    if !failures.is_empty() {
        let list: Vec<String> = failures.iter().take(3).map(|f| f.to_string()).collect();
        return Err(if zh {
            format!("{name}: 政策包自带的 {} 个测试用例中有 {} 个不通过，未导入：{}", n, failures.len(), list.join("；"))
        } else {
            format!("{name}: {} of its {} embedded cases fail; not imported: {}", failures.len(), n, list.join("; "))
        });
    }
    pack.unverified = !verified;
    // It must also fit with the packs it joins (fact definitions agree).
    let mut set = packs_with(w).map_err(|e| e.to_string())?;
    set.retain(|p| p.id != pack.id);
    set.push(pack.clone());
    butie_core::policy::check_set(&set).map_err(|e| e.to_string())?;
    let new = w
        .keep_pack(&pack, PackOrigin::Imported, signer.as_deref(), verified)
        .map_err(|e| crate::store_messages::store_message(&e, lang))?;
    let trust = match (&signer, zh) {
        (Some(s), true) => format!("已验证：{s} 签名"),
        (Some(s), false) => format!("verified: signed by {s}"),
        (None, true) => "未验证（没有受信任的签名），测算结果将标明“未验证”".to_string(),
        (None, false) => "unverified (no trusted signature); its figures are marked unverified".to_string(),
    };
    let again = if new {
        ""
    } else if zh {
        "（此版本已在工作区中）"
    } else {
        " (this version was already in the workspace)"
    };
    let in_use = packs_with(w)?;
    let not_used = match in_use.iter().find(|p| p.id == pack.id) {
        Some(u) if u.content_hash != pack.content_hash => {
            if zh {
                format!("；注意：使用中的仍是版本 {}，因为它的版本日期更新，或同一日期的已验证版本优先", u.version)
            } else {
                format!("; note: version {} stays in use (a newer date, or a verified text of the same date)", u.version)
            }
        }
        _ => String::new(),
    };
    Ok(if zh {
        format!(
            "已导入政策包 {} 版本 {}（{} 条，{} 个用例通过；有效期 {} 至 {}；sha256:{}）{again}；{trust}",
            pack.id,
            pack.version,
            pack.clauses.len(),
            n,
            pack.valid_from,
            pack.valid_to,
            butie_core::short_hash(&pack.content_hash)
        ) + &not_used
    } else {
        format!(
            "imported pack {} version {} ({} clauses, {} cases pass; in force {} to {}; sha256:{}){again}; {trust}",
            pack.id,
            pack.version,
            pack.clauses.len(),
            n,
            pack.valid_from,
            pack.valid_to,
            butie_core::short_hash(&pack.content_hash)
        ) + &not_used
    })
}

/// `butie keys add NAME KEY`: KEY is a `minisign.pub` file or its base64 line.
pub fn keys_add(cx: &Context, name: &str, key: &str) -> Result<String, CliError> {
    let text = if Path::new(key).is_file() {
        String::from_utf8(read_limited(Path::new(key), 64 * 1024).map_err(|e| CliError::file("", &e, cx.lang))?).unwrap_or_default()
    } else {
        key.to_string()
    };
    let (id, line) = parse_public_key(&text).ok_or_else(|| {
        CliError::usage(
            cx.say(
                "不是 minisign 公钥（应为 minisign.pub 文件或其中以 RW 开头的一行）",
                "not a minisign public key (a minisign.pub file or its line starting RW)",
            )
            .into(),
        )
    })?;
    let mut w = cx.open(OpenMode::CreateIfMissing)?;
    w.add_key(&id, name, &line).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已信任公钥 {id}（{}）：由它签名的政策包导入时标为“已验证”\n", name.trim()),
        Lang::En => format!("trusting key {id} ({}): packs it signs import as verified\n", name.trim()),
    })
}

pub fn keys_list(cx: &Context) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    let keys = w.keys().map_err(|e| cx.store_err(e))?;
    if keys.is_empty() {
        return Ok(cx.say("没有受信任的公钥（内置政策包无需公钥）\n", "no trusted keys (the built-in packs need none)\n").into());
    }
    Ok(keys.iter().map(|k| format!("{}  {}  {}\n", k.key_id, k.name, k.public_key)).collect())
}

pub fn keys_remove(cx: &Context, key: &str) -> Result<String, CliError> {
    let mut w = cx.open(OpenMode::Existing)?;
    let k = w.remove_key(key).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("不再信任公钥 {}（{}）；已导入的政策包保持导入时的记录\n", k.key_id, k.name),
        Lang::En => format!("no longer trusting key {} ({}); packs already imported keep what was recorded\n", k.key_id, k.name),
    })
}

/// `butie history --verify`: recompute every saved evaluation with the
/// very pack versions it names (kept in the workspace by SHA-256) and say
/// which still give the same result.
pub fn history_verify(cx: &Context) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    let saved = w.all_evaluations().map_err(|e| cx.store_err(e))?;
    let builtin = butie_core::bundled_packs().unwrap_or_default();
    let mut out = String::new();
    let (mut same, mut differ, mut missing) = (0, 0, 0);
    for e in &saved {
        let mut texts = Vec::new();
        let mut lacking = Vec::new();
        for p in e.packs.as_array().into_iter().flatten() {
            let hash = p["content_hash"].as_str().unwrap_or_default();
            match w.stored_pack(hash).map_err(|e| cx.store_err(e))? {
                Some(s) => texts.push((s.pack_id, s.text)),
                None => match builtin.iter().find(|b| b.content_hash == hash) {
                    Some(b) => texts.push((b.id.clone(), b.text.to_string())),
                    None => lacking.push(format!("{} {}", p["id"].as_str().unwrap_or("?"), p["version"].as_str().unwrap_or("?"))),
                },
            }
        }
        if !lacking.is_empty() {
            missing += 1;
            out.push_str(&match cx.lang {
                Lang::Zh => format!("#{} 无法复算：缺少政策包 {}\n", e.id, lacking.join("、")),
                Lang::En => format!("#{} cannot be recomputed: pack {} is not kept\n", e.id, lacking.join(", ")),
            });
            continue;
        }
        let mut packs =
            butie_core::load_packs(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(|e| CliError::usage(e.message(cx.lang)))?;
        // As it was when saved: an unverified pack's notes say so.
        for (p, named) in packs.iter_mut().zip(e.packs.as_array().into_iter().flatten()) {
            p.unverified = named["unverified"].as_bool().unwrap_or(false);
        }
        let profile = butie_core::profile::profile_from_value(&e.inputs, &packs).map_err(|er| CliError::input(&er, cx.lang))?;
        let ev = evaluate(&packs, &profile, e.year);
        // Figures and outcomes are compared, never the words: a sentence
        // worded differently today is the same result.
        let (total, total_max) = (butie_core::money::fmt_yuan(ev.total), butie_core::money::fmt_yuan(ev.total_max));
        let columns_agree = e.total == total && e.total_max == total_max;
        let now = butie_store::SavedClause::of(&ev);
        if now == e.clauses && columns_agree {
            same += 1;
        } else {
            differ += 1;
            // Which clauses differ, so that the difference can be found.
            let mut which: Vec<String> = now.iter().filter(|c| !e.clauses.contains(c)).map(|c| c.clause.clone()).collect();
            which.extend(e.clauses.iter().filter(|c| !now.iter().any(|n| n.clause == c.clause)).map(|c| c.clause.clone()));
            if !columns_agree {
                which.push(if cx.lang == Lang::Zh {
                    format!("记录的合计 {}", e.total)
                } else {
                    format!("the recorded total {}", e.total)
                });
            }
            out.push_str(&match cx.lang {
                Lang::Zh => format!("#{} 复算结果不同：保存时合计 {}，现在 {}；不同之处：{}\n", e.id, e.total, total, which.join("、")),
                Lang::En => format!("#{} differs: total {} when saved, {} now; differing: {}\n", e.id, e.total, total, which.join(", ")),
            });
        }
    }
    out.push_str(&match cx.lang {
        Lang::Zh => {
            format!("共 {} 条测算记录：{same} 条按当时的政策包版本复算一致，{differ} 条不一致，{missing} 条缺少政策包\n", saved.len())
        }
        Lang::En => format!(
            "{} saved evaluations: {same} reproduce with the pack versions they name, {differ} differ, {missing} lack a pack\n",
            saved.len()
        ),
    });
    if differ + missing > 0 {
        return Err(CliError { code: 1, message: out });
    }
    Ok(out)
}

/// One line per change between two versions of a pack, in words.
pub fn diff_lines(old: &Pack, new: &Pack, lang: Lang) -> Vec<String> {
    butie_core::explain::diff_lines(old, new, lang)
}

fn read_pack_file(cx: &Context, path: &Path) -> Result<Pack, CliError> {
    let text = read_pack_text(path).map_err(|e| CliError::file(cx.say("政策包文件", "pack file"), &e, cx.lang))?;
    butie_core::policy::load_pack(&path.display().to_string(), &text).map_err(|e| CliError::usage(e.message(cx.lang)))
}

/// `butie policies diff OLD NEW [--impact] [--year Y]`.
pub fn diff_cmd(cx: &Context, old: &Path, new: &Path, impact: bool, year: Option<i64>) -> Result<String, CliError> {
    let (a, b) = (read_pack_file(cx, old)?, read_pack_file(cx, new)?);
    let lines = diff_lines(&a, &b, cx.lang);
    let mut out = String::new();
    if lines.is_empty() {
        out.push_str(
            cx.say(
                "两个版本的规则相同（条款、条件、比例、封顶、档次、有效期和原文都没有变化）\n",
                "the two versions have the same rules\n",
            ),
        );
    }
    for l in &lines {
        out.push_str(l);
        out.push('\n');
    }
    if !impact {
        return Ok(out);
    }
    let w = cx.open(OpenMode::Existing)?;
    let current = packs_with(&w).map_err(CliError::usage)?;
    let with = |p: &Pack| -> Vec<Pack> {
        let mut set: Vec<Pack> = current.iter().filter(|c| c.id != p.id).cloned().collect();
        set.push(p.clone());
        set
    };
    let (set_a, set_b) = (with(&a), with(&b));
    let year = year.map(|y| cx.year("--year", y)).transpose()?;
    let (seen, changed) = client_impact(&w, &set_a, &set_b, year, cx.lang).map_err(|e| cx.store_err(e))?;
    out.push_str(&match cx.lang {
        Lang::Zh => format!("对客户的影响：{seen} 个企业年度中有 {} 个的测算合计改变（旧 → 新，元）\n", changed.len()),
        Lang::En => format!("for your clients: {} of {seen} company-years change (old → new total, yuan)\n", changed.len()),
    });
    for l in changed {
        out.push_str(&l);
        out.push('\n');
    }
    Ok(out)
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

/// `butie policies versions`: every pack version kept, and which is in use.
pub fn versions_cmd(cx: &Context) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    let in_use = packs_with(&w).map_err(CliError::usage)?;
    let pins = w.pack_pins().map_err(|e| cx.store_err(e))?;
    let mut out = String::new();
    for p in &in_use {
        let pinned = pins.iter().any(|(id, sha)| *id == p.id && *sha == p.content_hash);
        out.push_str(&match cx.lang {
            Lang::Zh => format!(
                "使用中：{} 版本 {}（有效期 {} 至 {}）sha256:{}{}{}\n",
                p.id,
                p.version,
                p.valid_from,
                p.valid_to,
                butie_core::short_hash(&p.content_hash),
                if p.unverified { " 未验证" } else { "" },
                if pinned { " 已固定" } else { "" }
            ),
            Lang::En => format!(
                "in use: {} version {} (in force {} to {}) sha256:{}{}{}\n",
                p.id,
                p.version,
                p.valid_from,
                p.valid_to,
                butie_core::short_hash(&p.content_hash),
                if p.unverified { " unverified" } else { "" },
                if pinned { " pinned" } else { "" }
            ),
        });
    }
    for s in w.stored_packs().map_err(|e| cx.store_err(e))? {
        let origin = match (s.origin, cx.lang) {
            (PackOrigin::Bundled, Lang::Zh) => "内置",
            (PackOrigin::Bundled, Lang::En) => "built in",
            (PackOrigin::Imported, Lang::Zh) => "导入",
            (PackOrigin::Imported, Lang::En) => "imported",
        };
        let trust = match (&s.signer, s.verified, cx.lang) {
            (Some(k), _, Lang::Zh) => format!("已验证（{k}）"),
            (Some(k), _, Lang::En) => format!("verified ({k})"),
            (None, true, Lang::Zh) => "随程序提供".into(),
            (None, true, Lang::En) => "shipped with the program".into(),
            (None, false, Lang::Zh) => "未验证".into(),
            (None, false, Lang::En) => "unverified".into(),
        };
        out.push_str(&format!(
            "  {} {} sha256:{} · {origin} · {trust} · {}\n",
            s.pack_id,
            s.version,
            butie_core::short_hash(&s.sha256),
            s.added_at
        ));
    }
    Ok(out)
}

/// `butie policies pin PACK VERSION` (or the start of a SHA-256, 8 hex
/// digits at least): that kept or built-in version is used for the pack
/// from now on, whatever is newer; `unpin` goes back to the newest.
pub fn pin_cmd(cx: &Context, pack: &str, which: &str) -> Result<String, CliError> {
    let mut w = cx.open(OpenMode::Existing)?;
    let which = which.trim();
    let stored = w.stored_packs().map_err(|e| cx.store_err(e))?;
    let builtin = butie_core::bundled_packs().map_err(|e| CliError::usage(e.to_string()))?;
    let matches = |id: &str, version: &str, sha: &str| id == pack && (version == which || (which.len() >= 8 && sha.starts_with(which)));
    let found =
        stored.iter().find(|s| matches(&s.pack_id, &s.version, &s.sha256)).map(|s| (s.version.clone(), s.sha256.clone())).or_else(|| {
            builtin.iter().find(|b| matches(&b.id, &b.version, &b.content_hash)).map(|b| (b.version.clone(), b.content_hash.clone()))
        });
    let Some((version, sha)) = found else {
        return Err(CliError::usage(match cx.lang {
            Lang::Zh => format!("没有政策包 {pack} 的版本 {which}（butie policies versions 列出保存的版本）"),
            Lang::En => format!("no version {which} of pack {pack} (butie policies versions lists the versions kept)"),
        }));
    };
    w.pin_pack(pack, &sha).map_err(|e| cx.store_err(e))?;
    Ok(match cx.lang {
        Lang::Zh => format!("已固定：{pack} 使用版本 {version}（sha256:{}），即使有更新的版本；butie policies unpin {pack} 恢复使用最新版本\n", butie_core::short_hash(&sha)),
        Lang::En => format!("pinned: {pack} uses version {version} (sha256:{}) even when a newer one is kept; butie policies unpin {pack} goes back to the newest\n", butie_core::short_hash(&sha)),
    })
}

pub fn unpin_cmd(cx: &Context, pack: &str) -> Result<String, CliError> {
    let mut w = cx.open(OpenMode::Existing)?;
    let had = w.unpin_pack(pack).map_err(|e| cx.store_err(e))?;
    Ok(match (had, cx.lang) {
        (true, Lang::Zh) => format!("{pack} 恢复使用最新版本\n"),
        (true, Lang::En) => format!("{pack} uses the newest version again\n"),
        (false, Lang::Zh) => format!("{pack} 没有固定版本，未改动\n"),
        (false, Lang::En) => format!("{pack} was not pinned; nothing changed\n"),
    })
}

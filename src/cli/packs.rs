//! The command line on policy packs: `butie policies import|diff|versions|pin|unpin`,
//! `butie keys` and `butie history --verify`.

use crate::cli::store::OpenMode;
use crate::cli::{CliError, Context};
use crate::ops::files::{read_limited, shown};
use crate::ops::packs::*;
use crate::ops::FileRole;
use butie_core::engine::evaluate;
use butie_core::policy::{Lang, Pack};
use butie_store::PackOrigin;
use std::path::Path;

/// `butie policies import FILE [--sig FILE] [--allow-unsigned]`.
pub fn import_cmd(cx: &Context, file: &Path, sig: Option<&Path>, allow_unsigned: bool) -> Result<String, CliError> {
    let lang = cx.lang;
    let text = read_pack_text(file).map_err(|e| CliError::file(FileRole::PackFile, e, lang))?;
    let bytes = text.as_bytes();
    let sig_path = sig.map(Path::to_path_buf).or_else(|| {
        let p = sig_beside(file);
        p.exists().then_some(p)
    });
    let sig_text = match &sig_path {
        Some(p) => Some(
            String::from_utf8(read_limited(p, 64 * 1024).map_err(|e| CliError::file(FileRole::Signature, e, lang))?)
                .map_err(|_| CliError::usage(format!("{}: {}", shown(p), cx.say("不是签名文件", "not a signature file"))))?,
        ),
        None => None,
    };
    let imported = cx.with_new_workspace(|w| {
        let keys = w.keys().map_err(|e| cx.store_err(e))?;
        let check = check_signature(bytes, sig_text.as_deref(), &keys);
        accept(w, &file.display().to_string(), &text, &check, allow_unsigned).map_err(|e| match (e, &sig_path) {
            // A signature that is not one is the signature file's fault: named.
            (crate::ops::Error::Pack { refusal: crate::ops::PackRefusal::SignatureNotMinisign, .. }, Some(p)) => {
                cx.err(crate::ops::Error::Pack { name: shown(p), refusal: crate::ops::PackRefusal::SignatureNotMinisign })
            }
            (e, _) => cx.err(e),
        })
    })?;
    Ok(crate::words::ops::imported_line(&imported, lang) + "\n")
}

/// `butie keys add NAME KEY`: KEY is a `minisign.pub` file or its base64 line.
pub fn keys_add(cx: &Context, name: &str, key: &str) -> Result<String, CliError> {
    // What names a file (a path, a .pub) and is not there is said as a missing file.
    let looks_like_path = key.contains('/') || key.contains('\\') || key.ends_with(".pub");
    if looks_like_path && !Path::new(key).exists() {
        return Err(CliError::file(FileRole::Plain, crate::ops::files::FileError::NotFound { path: key.into() }, cx.lang));
    }
    let text = if Path::new(key).is_file() {
        String::from_utf8(read_limited(Path::new(key), 64 * 1024).map_err(|e| CliError::file(FileRole::Plain, e, cx.lang))?)
            .unwrap_or_default()
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
    cx.with_new_workspace(|w| w.add_key(&id, name, &line).map_err(|e| cx.store_err(e)))?;
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

fn read_pack_file(cx: &Context, path: &Path) -> Result<Pack, CliError> {
    let text = read_pack_text(path).map_err(|e| CliError::file(FileRole::PackFile, e, cx.lang))?;
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
    let current = packs_with(&w).map_err(|e| cx.err(e))?;
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

/// `butie policies versions`: every pack version kept, and which is in use.
pub fn versions_cmd(cx: &Context) -> Result<String, CliError> {
    let w = cx.open(OpenMode::Existing)?;
    let in_use = packs_with(&w).map_err(|e| cx.err(e))?;
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
    // Every text that answers to `which`, ranked: built in (0), verified (1),
    // unverified (2). The best wins; two different texts equally good are
    // not guessed between.
    let mut candidates: Vec<(u8, String, String)> = builtin
        .iter()
        .filter(|b| matches(&b.id, &b.version, &b.content_hash))
        .map(|b| (0, b.version.clone(), b.content_hash.clone()))
        .chain(stored.iter().filter(|s| matches(&s.pack_id, &s.version, &s.sha256)).map(|s| {
            let rank = match (s.origin, s.verified) {
                (butie_store::PackOrigin::Bundled, _) => 0,
                (_, true) => 1,
                (_, false) => 2,
            };
            (rank, s.version.clone(), s.sha256.clone())
        }))
        .collect();
    candidates.sort();
    candidates.dedup_by(|a, b| a.2 == b.2);
    let best = candidates.first().map(|c| c.0);
    let tied: Vec<&(u8, String, String)> = candidates.iter().filter(|c| Some(c.0) == best).collect();
    if tied.len() > 1 {
        let list = tied.iter().map(|c| butie_core::short_hash(&c.2).to_string()).collect::<Vec<_>>().join(", ");
        return Err(CliError::usage(match cx.lang {
            Lang::Zh => format!("政策包 {pack} 有多个版本 {which} 的文本（sha256: {list}）：请给出其 SHA-256 的开头（至少 8 位）"),
            Lang::En => format!(
                "pack {pack} has several texts of version {which} (sha256: {list}); give the start of its SHA-256 (8 hex digits at least)"
            ),
        }));
    }
    let found = tied.first().map(|c| (c.1.clone(), c.2.clone()));
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

//! Figures and times as the window shows them, made here so that the
//! window computes nothing: amounts in grouped digits (`money::fmt_grouped`,
//! the same function the CLI's table and the PDFs use) with their unit,
//! facts of a saved evaluation in words, and stored times in local time.

use butie_core::money::{fmt_grouped, Grouped};
use butie_core::policy::{FactDef, FactKind, Lang, Pack, Text2};
use butie_core::sense::{Doubt, CAP_TIMES};
use rust_decimal::Decimal;
use serde_json::Value;

/// An amount with its unit: "470,175.25 元" / "470,175.25 yuan".
pub(crate) fn yuan(d: Decimal, lang: Lang) -> String {
    format!("{} {}", fmt_grouped(d), if lang == Lang::Zh { "元" } else { "yuan" })
}

/// An amount the view already holds as its plain string ("470175.25"),
/// grouped ("470,175.25"); the text as it is when it is not a number.
pub(crate) fn grouped_text(plain: &str) -> String {
    plain.parse::<Decimal>().map_or_else(|_| plain.to_string(), fmt_grouped)
}

/// The unit shown after a fact's field or figure: 元 / yuan for money,
/// 美元 / USD, else the policy file's own ("" for none).
pub(crate) fn unit(kind: FactKind, own: &Text2, lang: Lang) -> &str {
    match (kind, lang) {
        (FactKind::Money, Lang::Zh) => "元",
        (FactKind::Money, Lang::En) => "yuan",
        (FactKind::MoneyUsd, Lang::Zh) => "美元",
        (FactKind::MoneyUsd, Lang::En) => "USD",
        _ => own.get(lang),
    }
}

/// A list field's column heading: "面积（平方米）", "金额（元）" / "amount (yuan)".
pub(crate) fn heading(label: &str, own_unit: &str, kind: FactKind, lang: Lang) -> String {
    if !own_unit.is_empty() {
        format!("{label}（{own_unit}）")
    } else if kind == FactKind::Money {
        format!("{label}{}", if lang == Lang::Zh { "（元）" } else { " (yuan)" })
    } else {
        label.to_string()
    }
}

/// The total when only measures that publish no figure apply.
pub(crate) fn no_figure(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "未公布具体标准",
        Lang::En => "no standard published",
    }
}

/// Between the names of a list: "、" / ", ".
pub(crate) fn enumeration(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    }
}

/// Between the parts of a line: "，" / ", ".
pub(crate) fn comma(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    }
}

/// A fact of a saved evaluation by its label (the key when no pack in use
/// declares it).
pub(crate) fn fact_label(key: &str, def: Option<&FactDef>, lang: Lang) -> String {
    match def {
        _ if key == "company" => (if lang == Lang::Zh { "企业主体" } else { "Company" }).to_string(),
        Some(d) => d.label.get(lang).to_string(),
        None => key.to_string(),
    }
}

/// A fact's saved value in words: yes / no, an option's label, an amount
/// grouped with its unit (as the interview reads it back), a list as its
/// JSON; anything else as it is.
pub(crate) fn fact_value(v: &Value, def: Option<&FactDef>, lang: Lang) -> String {
    let text = match v {
        Value::Bool(b) => {
            return (match (b, lang) {
                (true, Lang::Zh) => "是",
                (false, Lang::Zh) => "否",
                (true, Lang::En) => "Yes",
                (false, Lang::En) => "No",
            })
            .to_string()
        }
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        // A list answer: 没有, or each row's fields in words, one row after another.
        Value::Array(rows) if rows.is_empty() => return if lang == Lang::Zh { "没有" } else { "none" }.to_string(),
        Value::Array(rows) => {
            let row_text = |r: &Value| -> String {
                let Some(obj) = r.as_object() else { return r.to_string() };
                obj.iter()
                    .map(|(k, v)| {
                        let field = def.and_then(|d| d.fields.get(k));
                        let label = field.map_or(k.as_str(), |f| f.label.get(lang));
                        format!("{label} {}", fact_value(v, field, lang))
                    })
                    .collect::<Vec<_>>()
                    .join(comma(lang))
            };
            return rows.iter().map(row_text).collect::<Vec<_>>().join(if lang == Lang::Zh { "；" } else { "; " });
        }
        other => return other.to_string(),
    };
    let Some(d) = def else { return text };
    if d.kind == FactKind::Enum {
        return d.options.get(&text).map_or(text, |o| o.get(lang).to_string());
    }
    let unit = unit(d.kind, &d.unit, lang);
    let Ok(n) = text.parse::<Decimal>() else { return text };
    let figure = match d.kind {
        FactKind::Money | FactKind::MoneyUsd => Grouped::yuan(n),
        _ if !unit.is_empty() => Grouped::number(n),
        _ => return text,
    };
    format!("{figure} {unit}")
}

/// A stored time (UTC, ISO 8601: "2025-06-01T08:00:00.123Z") in the
/// machine's local time: "2025/06/01 16:00:00" / "01/06/2025, 16:00:00".
/// The text as it is when it is not such a time.
pub fn local_time(iso: &str, lang: Lang) -> String {
    let Some(t) = unix_seconds(iso) else { return iso.to_string() };
    let Some(c) = local(t) else { return iso.to_string() };
    match lang {
        Lang::Zh => format!("{}/{:02}/{:02} {:02}:{:02}:{:02}{}", c.y, c.mo, c.d, c.h, c.mi, c.s, c.zone),
        Lang::En => format!("{:02}/{:02}/{}, {:02}:{:02}:{:02}{}", c.d, c.mo, c.y, c.h, c.mi, c.s, c.zone),
    }
}

/// A calendar date and time of day; `zone` is said after it when it is
/// not the local time.
struct Civil {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    zone: &'static str,
}

/// Seconds since 1970 of `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]` (UTC when
/// no offset is given).
fn unix_seconds(iso: &str) -> Option<i64> {
    let b = iso.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = iso.get(r)?;
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &iso[19..];
    if let Some(r) = rest.strip_prefix('.') {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &r[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sign * (hm[..2].parse::<i64>().ok()? * 3600 + hm[2..].parse::<i64>().ok()? * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// Days since 1970-01-01 of a date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The local date and time of `t` (the C library's time zone: `TZ`, else
/// the system's).
#[cfg(unix)]
fn local(t: i64) -> Option<Civil> {
    // `time_t` is 32 bits on some targets.
    #[allow(clippy::useless_conversion)]
    let t: libc::time_t = t.try_into().ok()?;
    // SAFETY: `tm` is plain data that `localtime_r` fills in; it reads `t`
    // and writes only `tm` (the re-entrant form: no shared buffer).
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let done = unsafe { libc::localtime_r(&t, &mut tm) };
    if done.is_null() {
        return None;
    }
    let u = |x: libc::c_int| u32::try_from(x).ok();
    Some(Civil {
        y: i64::from(tm.tm_year) + 1900,
        mo: u(tm.tm_mon + 1)?,
        d: u(tm.tm_mday)?,
        h: u(tm.tm_hour)?,
        mi: u(tm.tm_min)?,
        s: u(tm.tm_sec)?,
        zone: "",
    })
}

/// Elsewhere the time zone is not read (no platform crate here): the UTC
/// time, said as such.
#[cfg(not(unix))]
fn local(t: i64) -> Option<Civil> {
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    // Civil from days (the inverse of `days_from_civil`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let u = |x: i64| u32::try_from(x).ok();
    Some(Civil { y, mo: u(m)?, d: u(d)?, h: u(secs / 3600)?, mi: u(secs % 3600 / 60)?, s: u(secs % 60)?, zone: " UTC" })
}

/// The question asked once before a money answer far outside what the
/// clauses expect is saved (`butie_core::sense`): what looks wrong, the
/// figure it is measured against, and a word on the unit.
pub(crate) fn doubt_text(d: &Doubt, def: &FactDef, value: Decimal, unit: &str, packs: &[Pack], lang: Lang) -> String {
    let label = def.label.get(lang);
    let typed = format!("{} {unit}", fmt_grouped(value));
    match d {
        Doubt::AboveCap { clause, cap, reaches_cap } => {
            let title = packs.iter().find_map(|p| p.clause(clause)).map_or(clause.as_str(), |c| c.title.get(lang));
            let (cap, reaches) = (format!("{} {unit}", fmt_grouped(*cap)), format!("{} {unit}", fmt_grouped(*reaches_cap)));
            match lang {
                Lang::Zh => format!(
                    "“{label}”填的是 {typed}，超过“{title}”达到上限（{cap}）所需金额 {reaches} 的 {CAP_TIMES} 倍。请核对单位（元 / 万元）。按 {typed} 保存吗？"
                ),
                Lang::En => format!(
                    "“{label}” is {typed}, more than {CAP_TIMES} times the {reaches} at which “{title}” reaches its cap ({cap}). Please check the unit (yuan / 万 = 10,000 yuan). Save {typed}?"
                ),
            }
        }
        Doubt::AboveWhole { whole, whole_value } => {
            let whole_label = packs.iter().find_map(|p| p.facts.get(whole)).map_or(whole.as_str(), |f| f.label.get(lang));
            let whole_typed = format!("{} {unit}", fmt_grouped(*whole_value));
            match lang {
                Lang::Zh => format!(
                    "“{label}”填的是 {typed}，比本年度的“{whole_label}”（{whole_typed}）还大。请核对单位（元 / 万元）。按 {typed} 保存吗？"
                ),
                Lang::En => format!(
                    "“{label}” is {typed}, more than this year's “{whole_label}” ({whole_typed}). Please check the unit (yuan / 万 = 10,000 yuan). Save {typed}?"
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_as_utc() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2025-06-01T08:00:00.123Z"), Some(1_748_764_800));
        assert_eq!(unix_seconds("2025-06-01 08:00:00"), Some(1_748_764_800));
        assert_eq!(unix_seconds("2025-06-01T16:00:00+08:00"), Some(1_748_764_800));
        assert_eq!(unix_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
        for bad in ["", "2025-06-01", "2025-13-01T00:00:00Z", "2025-06-01T08:00:00.Z", "2025-06-01T08:00:00+8", "２０２５-06-01T08:00:00Z"]
        {
            assert_eq!(unix_seconds(bad), None, "{bad}");
            assert_eq!(local_time(bad, Lang::Zh), bad);
        }
    }

    #[test]
    fn facts_in_words() {
        let packs = butie_core::bundled_packs().unwrap();
        let index = butie_core::profile::fact_index(&packs);
        let money = index.get("cbec_volume").copied();
        assert_eq!(fact_value(&Value::String("236500000".into()), money, Lang::Zh), "236,500,000.00 元");
        assert_eq!(fact_value(&Value::Bool(false), money, Lang::En), "No");
        assert_eq!(fact_label("cbec_volume", money, Lang::Zh), "年度跨境电商交易额");
        assert_eq!(fact_value(&Value::String("x".into()), None, Lang::En), "x");
        // A list answer in words: each row's fields, rows apart; none as such.
        assert_eq!(fact_value(&serde_json::json!([{ "a": "1" }, { "a": "2" }]), None, Lang::En), "a 1; a 2");
        assert_eq!(fact_value(&serde_json::json!([]), None, Lang::Zh), "没有");
        assert_eq!(heading("金额", "", FactKind::Money, Lang::Zh), "金额（元）");
        assert_eq!(heading("amount", "", FactKind::Money, Lang::En), "amount (yuan)");
        assert_eq!(heading("面积", "平方米", FactKind::Number, Lang::En), "面积（平方米）");
        assert_eq!(yuan(Decimal::new(47017525, 2), Lang::Zh), "470,175.25 元");
        assert_eq!(grouped_text("-3000.00"), "-3,000.00");
    }
}

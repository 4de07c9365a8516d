//! Money: parsing, the one rounding rule, and display.
//!
//! Every amount in Butie is a `Decimal` of 元. The catalogue fixes one rounding
//! rule: ROUND_HALF_UP to the fen, applied once at the end of each clause's
//! formula. `round_fen` is the only place that rounds.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::{self, Write as _};
use std::str::FromStr;

pub use crate::numbers::{read_amount, read_number};

/// ROUND_HALF_UP (half away from zero; amounts are never negative) to 2 places.
pub fn round_fen(d: Decimal) -> Decimal {
    // Most figures already have at most two places: nothing to round.
    if d.scale() <= 2 {
        return d;
    }
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The contract's money string: plain digits, exactly two places ("93000.00").
pub fn fmt_yuan(d: Decimal) -> String {
    let mut r = round_fen(d);
    r.rescale(2);
    r.to_string()
}

/// Thousands-grouped for people: "93,000.00".
pub fn fmt_grouped(d: Decimal) -> String {
    Grouped::yuan(d).to_string()
}

/// A plain number (area, head count, ratio) without forced decimals, grouped.
pub fn fmt_number(d: Decimal) -> String {
    Grouped::number(d).to_string()
}

/// A grouped number that formats straight into its destination, without
/// intermediate strings (explanations format many of them per clause).
#[derive(Clone, Copy, Debug)]
pub struct Grouped(Decimal);

impl Grouped {
    /// Rounded to the fen with two places: 93000 → "93,000.00".
    pub fn yuan(d: Decimal) -> Self {
        let mut r = round_fen(d);
        r.rescale(2);
        Grouped(r)
    }
    /// Exact, with at least two places: an intermediate figure before the
    /// one rounding (16666.665 → "16,666.665", 93000 → "93,000.00").
    pub fn exact(d: Decimal) -> Self {
        let mut r = d.normalize();
        if r.scale() < 2 {
            r.rescale(2);
        }
        Grouped(r)
    }
    /// As it is, without trailing zeros: 3000.0 → "3,000".
    pub fn number(d: Decimal) -> Self {
        Grouped(d.normalize())
    }
}

/// A `Decimal` as its `Display` writes it (no width or precision): the
/// same text, made from the mantissa's digits in a stack buffer (`Decimal`
/// divides its 96-bit mantissa by ten for every digit, which made number
/// formatting most of the time of rendering explanations).
#[derive(Clone, Copy)]
pub struct Plain {
    /// The digits, right-aligned; at least one before the point.
    digits: [u8; 40],
    start: usize,
    scale: usize,
    negative: bool,
}

impl Plain {
    pub fn new(d: Decimal) -> Plain {
        let mut p = Plain { digits: [b'0'; 40], start: 40, scale: d.scale() as usize, negative: d.is_sign_negative() };
        let m = d.mantissa().unsigned_abs();
        const E19: u128 = 10_000_000_000_000_000_000;
        match u64::try_from(m) {
            Ok(v) => p.push(v, 0),
            // At most 96 bits: below 10^29, so the high part fits a u64.
            Err(_) => {
                p.push((m % E19) as u64, 19);
                p.push((m / E19) as u64, 0);
            }
        }
        // Zeros up to one digit before the point ("0.05", "0").
        p.start = p.start.min(p.digits.len().saturating_sub(p.scale + 1));
        p
    }
    /// Writes `v`'s digits in front of those written, at least `width` of them.
    fn push(&mut self, mut v: u64, width: usize) {
        let end = self.start;
        while v > 0 || end - self.start < width {
            self.start -= 1;
            self.digits[self.start] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    pub fn sign(&self) -> &'static str {
        if self.negative {
            "-"
        } else {
            ""
        }
    }
    /// The digits before the point.
    pub fn int(&self) -> &str {
        self.ascii(self.start..self.digits.len() - self.scale)
    }
    /// The digits after the point (empty for none).
    pub fn frac(&self) -> &str {
        self.ascii(self.digits.len() - self.scale..self.digits.len())
    }
    fn ascii(&self, r: std::ops::Range<usize>) -> &str {
        // Only ASCII digits are written.
        self.digits.get(r).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default()
    }
}

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sign())?;
        f.write_str(self.int())?;
        if self.scale > 0 {
            f.write_char('.')?;
            f.write_str(self.frac())?;
        }
        Ok(())
    }
}

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = Plain::new(self.0);
        let int = p.int();
        f.write_str(p.sign())?;
        let first = int.len() % 3;
        f.write_str(&int[..first])?;
        for i in (first..int.len()).step_by(3) {
            if i > 0 {
                f.write_char(',')?;
            }
            f.write_str(&int[i..i + 3])?;
        }
        if p.scale > 0 {
            f.write_char('.')?;
            f.write_str(p.frac())?;
        }
        Ok(())
    }
}

fn group_digits(s: &str) -> String {
    let (sign, s) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", s));
    let (int, frac) = s.split_at(s.find('.').unwrap_or(s.len()));
    let mut out = String::with_capacity(sign.len() + s.len() + int.len() / 3);
    out.push_str(sign);
    // Digits are ASCII, so byte positions are char positions.
    let first = int.len() % 3;
    out.push_str(&int[..first]);
    for i in (first..int.len()).step_by(3) {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&int[i..i + 3]);
    }
    out.push_str(frac);
    out
}

/// 万元 figure, exact (no rounding beyond what the yuan amount has): 93000 → "9.3".
pub fn fmt_wan(d: Decimal) -> String {
    let w = d / Decimal::from(10_000);
    group_digits(&w.normalize().to_string())
}

/// Percent for explanations: 0.015 → "1.5%".
pub fn fmt_percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::from(100)).normalize())
}

/// Why a text could not be read as money or a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberProblem {
    NotANumber,
    Negative,
    TooManyDecimals {
        max: u32,
    },
    TooLarge,
    NotInteger,
    /// Thousands separators not between groups of three digits (`1,23`).
    BadGrouping,
    /// A figure given as about so much (`约8100万`, `8100万左右`).
    Approximate,
    /// `w`/`k` for 万/千 (`5w`, `20k`).
    LatinUnit {
        unit: char,
    },
    /// Chinese numerals (`五万`, `三千`).
    ChineseNumerals,
    /// Two units in one figure (`3万5千`).
    MixedUnits,
}

/// Largest amount accepted anywhere: 1e15 元 is far beyond any real figure and
/// keeps every product of amount × rate well inside `Decimal`'s range.
pub fn max_value() -> Decimal {
    Decimal::from(1_000_000_000_000_000i64)
}

/// Parse a decimal from text, strictly: optional sign, digits, optional
/// fraction. No exponents, no grouping commas, no spaces inside.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberProblem> {
    let t = text.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    let body = body.strip_prefix('+').unwrap_or(body);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(int) || frac.is_some_and(|f| !digits_ok(f)) {
        return Err(NumberProblem::NotANumber);
    }
    if int.len() > 18 || frac.is_some_and(|f| f.len() > 18) {
        return Err(NumberProblem::TooLarge);
    }
    let d = Decimal::from_str(t.strip_prefix('+').unwrap_or(t)).map_err(|_| NumberProblem::NotANumber)?;
    if d.abs() > max_value() {
        return Err(NumberProblem::TooLarge);
    }
    Ok(d)
}

/// A non-negative amount with at most `max_dp` decimal places, strictly
/// (plain digits only): for text written by programs and policy files.
/// What people type goes through [`read_amount`] / [`read_number`].
pub fn parse_non_negative(text: &str, max_dp: u32) -> Result<Decimal, NumberProblem> {
    let d = parse_decimal(text)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(NumberProblem::Negative);
    }
    let d = d.abs();
    if d.normalize().scale() > max_dp {
        if max_dp == 0 {
            return Err(NumberProblem::NotInteger);
        }
        return Err(NumberProblem::TooManyDecimals { max: max_dp });
    }
    Ok(d)
}

/// 大写金额 (Chinese capital numerals, as written on cheques and forms):
/// 1000000.05 → "壹佰万元零伍分". Rounds to the fen first with `round_fen`.
/// Per 《支付结算办法》: "整" after 元 when there are no 角/分; a single 零
/// stands for any run of zeros inside the number.
pub fn to_chinese_upper(d: Decimal) -> String {
    const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    let r = round_fen(d.abs());
    let fen_total = (r * Decimal::from(100)).trunc();
    let fen_total: u128 = fen_total.to_string().parse().unwrap_or(0);
    let int = fen_total / 100;
    let jiao = (fen_total / 10 % 10) as usize;
    let fen = (fen_total % 10) as usize;

    let mut out = String::new();
    if d.is_sign_negative() && !r.is_zero() {
        out.push('负');
    }
    if int > 0 {
        let mut groups = Vec::new();
        let mut n = int;
        while n > 0 {
            groups.push((n % 10_000) as usize);
            n /= 10_000;
        }
        let mut zero_pending = false;
        for (gi, &g) in groups.iter().enumerate().rev() {
            if g == 0 {
                zero_pending = true;
                continue;
            }
            let started = !out.is_empty() && out != "负";
            if started && (zero_pending || g < 1000) {
                out.push_str(DIGITS[0]);
            }
            zero_pending = false;
            let ds = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
            let mut inner_zero = false;
            let mut wrote = false;
            for (k, &dg) in ds.iter().enumerate() {
                if dg == 0 {
                    inner_zero = wrote;
                    continue;
                }
                if inner_zero {
                    out.push_str(DIGITS[0]);
                    inner_zero = false;
                }
                out.push_str(DIGITS[dg]);
                out.push_str(UNITS[3 - k]);
                wrote = true;
            }
            out.push_str(GROUPS[gi.min(3)]);
        }
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) if int == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        _ => {
            if jiao > 0 {
                out.push_str(DIGITS[jiao]);
                out.push('角');
            }
            if fen > 0 {
                if jiao == 0 && int > 0 {
                    out.push_str(DIGITS[0]);
                }
                out.push_str(DIGITS[fen]);
                out.push('分');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn plain_writes_what_decimal_display_writes() {
        let mut values: Vec<Decimal> =
            ["0", "-0", "0.00", "-0.00", "0.005", "1", "-1", "10", "93000.00", "16666.665", "0.0000000001", "123456789.123456789"]
                .iter()
                .map(|s| d(s))
                .collect();
        values.extend([
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(-5, 28),
            Decimal::new(5, 28),
            Decimal::from(u64::MAX),
            Decimal::from(i64::MIN),
        ]);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let lo = x as u32;
            let mid = (x >> 32) as u32;
            let hi = if x.is_multiple_of(3) { (x >> 40) as u32 } else { 0 };
            values.push(Decimal::from_parts(lo, if x.is_multiple_of(2) { mid } else { 0 }, hi, x.is_multiple_of(5), (x % 29) as u32));
        }
        for v in values {
            assert_eq!(Plain::new(v).to_string(), v.to_string(), "{v:?}");
            let grouped = group_digits(&v.to_string());
            assert_eq!(Grouped(v).to_string(), grouped, "{v:?}");
        }
    }
    #[test]
    fn rounding_is_half_up_to_the_fen() {
        assert_eq!(fmt_yuan(d("0.005")), "0.01");
        assert_eq!(fmt_yuan(d("0.004999")), "0.00");
        assert_eq!(fmt_yuan(d("1.015")), "1.02");
        assert_eq!(fmt_yuan(d("2.5")), "2.50");
        assert_eq!(fmt_yuan(d("93000")), "93000.00");
    }
    #[test]
    fn grouping_and_wan() {
        assert_eq!(fmt_grouped(d("1234567.5")), "1,234,567.50");
        assert_eq!(fmt_grouped(d("999")), "999.00");
        assert_eq!(fmt_wan(d("93000")), "9.3");
        assert_eq!(fmt_wan(d("5000000")), "500");
        assert_eq!(fmt_wan(d("75000.50")), "7.50005");
        assert_eq!(fmt_percent(d("0.015")), "1.5%");
        assert_eq!(fmt_number(d("3000.0")), "3,000");
    }
    #[test]
    fn strict_parsing() {
        assert_eq!(parse_non_negative("100.25", 2), Ok(d("100.25")));
        assert_eq!(parse_non_negative("100.250", 2), Ok(d("100.250")));
        assert_eq!(parse_non_negative("-1", 2), Err(NumberProblem::Negative));
        assert_eq!(parse_non_negative("-0", 2), Ok(d("0")));
        assert_eq!(parse_non_negative("1.005", 2), Err(NumberProblem::TooManyDecimals { max: 2 }));
        assert_eq!(parse_non_negative("1.5", 0), Err(NumberProblem::NotInteger));
        for bad in ["", "abc", "1e5", "1,000", "1..2", ".5", "5.", "NaN", " 1 2", "--1", "0x10"] {
            assert_eq!(parse_decimal(bad), Err(NumberProblem::NotANumber), "{bad}");
        }
        assert_eq!(parse_decimal("9999999999999999999"), Err(NumberProblem::TooLarge));
        assert_eq!(parse_decimal("1000000000000001"), Err(NumberProblem::TooLarge));
    }

    #[test]
    fn chinese_capital_numerals() {
        let cases = [
            ("0", "零元整"),
            ("10", "壹拾元整"),
            ("100000", "壹拾万元整"),
            ("1000000.05", "壹佰万元零伍分"),
            ("5000000.00", "伍佰万元整"),
            ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
            ("0.05", "伍分"),
            ("0.5", "伍角"),
            ("1.5", "壹元伍角"),
            ("10500", "壹万零伍佰元整"),
            ("100000005", "壹亿零伍元整"),
            ("100010000", "壹亿零壹万元整"),
            ("1010", "壹仟零壹拾元整"),
            ("1001", "壹仟零壹元整"),
            ("93000", "玖万叁仟元整"),
            ("21175.25", "贰万壹仟壹佰柒拾伍元贰角伍分"),
            ("2000000", "贰佰万元整"),
            ("120000000", "壹亿贰仟万元整"),
            ("0.005", "壹分"),
            ("1000000000000", "壹万亿元整"),
        ];
        for (n, want) in cases {
            assert_eq!(to_chinese_upper(d(n)), want, "{n}");
        }
    }
}

//! Numbers as people type them: the one reader behind every number a person
//! gives Butie (profile JSON strings, the CLI's `facts set` and `--amount`,
//! the window's fields, claim amounts, spreadsheet import).
//!
//! Besides plain digits (`236500000`, `236500000.00`) it accepts:
//! - thousands separators, well formed only: `236,500,000` (a first group of
//!   1–3 digits not starting with 0, then groups of exactly 3, before the
//!   point). `1,23`, `1,2345`, `,123`, `0,5`, `1,5` are refused as
//!   [`NumberProblem::BadGrouping`] rather than guessed at (`1,5` is a decimal
//!   comma in much of Europe);
//! - the suffixes 万 (× 10,000) and 亿 (× 100,000,000), once: `18200万`,
//!   `6.2万`, `1.5亿`. The decimal point is shifted exactly (no arithmetic), so
//!   `6.2万` is 62000 and `0.000001万` is 0.01; the field's decimal places and
//!   the upper limit ([`max_value`]) are checked on the value after scaling;
//! - full-width digits and punctuation (`３０００００００`, `１．５万`, `－5`),
//!   turned into ASCII before anything else is checked;
//! - white space around the number (any Unicode space, so also the
//!   ideographic space U+3000 and a pasted no-break space) and between the
//!   number, the 万/亿 and the unit;
//! - a trailing unit word when the caller names one (`元` for amounts in
//!   yuan: `100元`, `6.2万元`, `1.5亿元`).
//!
//! Decision on the full-width comma `，`: it is read as a thousands separator
//! exactly like `,`, under the same well-formedness rule. In running Chinese
//! text `，` also separates clauses, so alone it would be ambiguous; but a
//! number field holds one number, and the grouping rule refuses every reading
//! that is not a correctly grouped number (`1，2`, `12，34`), so an accepted
//! `２３６，５００，０００` can only mean 236500000. The ideographic full stop
//! `。` is not read as a decimal point (it ends sentences; `1。5` is refused).
//!
//! Everything else is refused with the existing problems: not a number
//! (`1e5`, `0x10`, `--5`, `1.2.3`, `12万万`, `万`, a unit the field does not
//! take), negative (`-5`, `－5`), too many decimals, too large. Never panics.

use crate::money::{max_value, NumberProblem};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a text that holds other characters than a number's is not one:
/// the ways people write a figure that are not an exact one get words of
/// their own (what to type instead), everything else is not a number.
fn why_not(text: &str) -> NumberProblem {
    let t = text.trim();
    if t.starts_with("约") || t.starts_with("大约") || t.starts_with("大概") || t.ends_with("左右") || t.ends_with('多') {
        return NumberProblem::Approximate;
    }
    const NUMERALS: &str = "零一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟";
    if t.chars().any(|c| NUMERALS.contains(c)) && !t.chars().any(|c| c.is_ascii_digit()) {
        return NumberProblem::ChineseNumerals;
    }
    let digits_then = |unit: char| {
        let mut seen_digit = false;
        for c in t.chars() {
            if c.is_ascii_digit() {
                seen_digit = true;
            } else if c == unit && seen_digit {
                return true;
            }
        }
        false
    };
    if (digits_then('万') || digits_then('亿')) && t.chars().any(|c| "千百十".contains(c)) {
        return NumberProblem::MixedUnits;
    }
    if let Some(unit) = t.trim_end_matches(['元', ' ']).chars().last().filter(|c| "wWkK".contains(*c)) {
        if t.chars().any(|c| c.is_ascii_digit()) {
            return NumberProblem::LatinUnit { unit };
        }
    }
    NumberProblem::NotANumber
}

/// 万 and 亿 as powers of ten.
const SUFFIXES: [(char, usize); 2] = [('万', 4), ('亿', 8)];

/// An amount in yuan as people type it (a trailing `元` is allowed), with at
/// most `max_dp` decimal places after 万/亿 scaling.
pub fn read_amount(text: &str, max_dp: u32) -> Result<Decimal, NumberProblem> {
    read_number(text, max_dp, Some("元"))
}

/// A non-negative number as people type it, with at most `max_dp` decimal
/// places after 万/亿 scaling; `unit`, when given, may follow the number
/// (`元` for yuan, `美元` for dollars). See the module documentation.
pub fn read_number(text: &str, max_dp: u32, unit: Option<&str>) -> Result<Decimal, NumberProblem> {
    let ascii = to_ascii(text);
    let mut s = ascii.trim();
    if let Some(u) = unit.filter(|u| !u.is_empty()) {
        if let Some(rest) = s.strip_suffix(u) {
            s = rest.trim_end();
        }
    }
    let mut shift = 0usize;
    for (ch, places) in SUFFIXES {
        if let Some(rest) = s.strip_suffix(ch) {
            s = rest.trim_end();
            shift = places;
            break;
        }
    }

    // Sign: at most one.
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    // From here on only ASCII digits, ',' and '.' are allowed, so byte
    // slicing below is safe.
    if !body.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.') {
        return Err(why_not(&ascii));
    }
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let has_digit = |t: &str| t.bytes().any(|b| b.is_ascii_digit());
    if !has_digit(int) || frac.is_some_and(|f| f.contains('.') || !has_digit(f)) {
        return Err(NumberProblem::NotANumber);
    }
    let frac = frac.unwrap_or("");
    if frac.contains(',') {
        return Err(NumberProblem::BadGrouping);
    }
    let int = if int.contains(',') { ungroup(int)? } else { int.to_string() };

    // Magnitude, on the digits (the same limits as the strict reader).
    if int.len() > 18 || frac.len() > 18 {
        return Err(NumberProblem::TooLarge);
    }
    let int_sig = int.trim_start_matches('0').len();
    if int_sig > 0 && int_sig + shift > 16 {
        return Err(NumberProblem::TooLarge);
    }
    // Decimal places after scaling, counted on the digits so that nothing is
    // rounded away before the check.
    let frac_sig = frac.trim_end_matches('0').len();
    let places = frac_sig.saturating_sub(shift);

    let d = Decimal::from_str(&shift_point(&int, frac, shift)).map_err(|_| NumberProblem::NotANumber)?;
    if d > max_value() {
        return Err(NumberProblem::TooLarge);
    }
    if negative && !d.is_zero() {
        return Err(NumberProblem::Negative);
    }
    if places > max_dp as usize {
        if max_dp == 0 {
            return Err(NumberProblem::NotInteger);
        }
        return Err(NumberProblem::TooManyDecimals { max: max_dp });
    }
    Ok(d)
}

/// Full-width digits, point, comma and signs (and the minus sign U+2212) as
/// ASCII; everything else unchanged.
fn to_ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' | '−' | '﹣' => '-',
            '＋' => '+',
            c => c,
        })
        .collect()
}

/// The digits of a comma-grouped integer part, if the groups are well formed.
fn ungroup(int: &str) -> Result<String, NumberProblem> {
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    let first_ok = (1..=3).contains(&first.len()) && !first.starts_with('0');
    let mut out = String::with_capacity(int.len());
    out.push_str(first);
    for g in groups {
        if g.len() != 3 || !first_ok {
            return Err(NumberProblem::BadGrouping);
        }
        out.push_str(g);
    }
    if !first_ok {
        return Err(NumberProblem::BadGrouping);
    }
    Ok(out)
}

/// `int.frac` with the point moved `shift` places to the right, as text.
/// The scale is what the digits give after the shift: `6.2`, 4 → `62000`;
/// `0.000001`, 4 → `0.01`; without a shift the text is unchanged, so plain
/// input reads exactly as the strict reader reads it (`100.250` keeps its
/// three places). Trailing fraction zeros are dropped only when the digits
/// would not fit a `Decimal`.
fn shift_point(int: &str, frac: &str, shift: usize) -> String {
    let int_sig = int.trim_start_matches('0').len();
    let frac = if int_sig + shift + frac.len() > 27 { frac.trim_end_matches('0') } else { frac };
    let mut s = String::with_capacity(int.len() + frac.len() + shift + 1);
    s.push_str(int);
    if frac.len() <= shift {
        s.push_str(frac);
        for _ in frac.len()..shift {
            s.push('0');
        }
    } else {
        s.push_str(&frac[..shift]);
        s.push('.');
        s.push_str(&frac[shift..]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{parse_non_negative, Grouped};
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn accepts_what_clerks_type() {
        let cases = [
            ("236500000", "236500000"),
            ("236500000.00", "236500000.00"),
            ("236,500,000", "236500000"),
            ("236,500,000.50", "236500000.50"),
            ("1,000", "1000"),
            ("999", "999"),
            ("18200万", "182000000"),
            ("6.2万", "62000"),
            ("6.20万", "62000"),
            ("1.5亿", "150000000"),
            ("0.000001万", "0.01"),
            ("1,820万", "18200000"),
            ("３０００００００", "30000000"),
            ("１．５万", "15000"),
            ("２３６，５００，０００", "236500000"),
            ("  236500000  ", "236500000"),
            ("\u{3000}６．２万元\u{3000}", "62000"),
            ("100元", "100"),
            ("6.2万元", "62000"),
            ("1.5亿元", "150000000"),
            ("6.2 万 元", "62000"),
            ("+5", "5"),
            ("-0", "0"),
            ("007", "7"),
            ("100.250", "100.250"),
            ("1000000000000000", "1000000000000000"),
            ("10000000亿", "1000000000000000"),
        ];
        for (text, want) in cases {
            let got = read_amount(text, 2);
            assert_eq!(got, Ok(d(want)), "{text:?}");
            // The digits as written are kept (no spurious scale from 万).
            assert_eq!(got.unwrap().to_string(), want, "{text:?}");
        }
    }

    #[test]
    fn refusals_are_specific() {
        use NumberProblem::*;
        let cases = [
            ("1,23", BadGrouping),
            ("1,2345", BadGrouping),
            (",123", BadGrouping),
            ("1,", BadGrouping),
            ("1,,000", BadGrouping),
            ("0,500", BadGrouping),
            ("1,5", BadGrouping),
            ("1234,567", BadGrouping),
            ("1.234,5", BadGrouping),
            ("1，2", BadGrouping),
            ("１２，３４", BadGrouping),
            ("12万万", NotANumber),
            ("万", NotANumber),
            ("元", NotANumber),
            ("万元", NotANumber),
            ("1.2.3", NotANumber),
            ("1e5", NotANumber),
            ("1E5", NotANumber),
            ("0x10", NotANumber),
            ("--5", NotANumber),
            ("+-5", NotANumber),
            ("５万元元", NotANumber),
            ("5元万", NotANumber),
            ("1.5万亿", NotANumber),
            ("1 000", NotANumber),
            ("1。5", NotANumber),
            ("", NotANumber),
            ("   ", NotANumber),
            (",", NotANumber),
            (".5", NotANumber),
            ("5.", NotANumber),
            ("NaN", NotANumber),
            ("十二万", ChineseNumerals),
            ("五万", ChineseNumerals),
            ("约8100万", Approximate),
            ("大约 8100万元", Approximate),
            ("8100万左右", Approximate),
            ("5w", LatinUnit { unit: 'w' }),
            ("20K", LatinUnit { unit: 'K' }),
            ("3万5千", MixedUnits),
            ("1亿2千万", MixedUnits),
            ("5美元", NotANumber),
            ("-5", Negative),
            ("－5", Negative),
            ("-5万元", Negative),
            ("−1,000", Negative),
            ("1.005", TooManyDecimals { max: 2 }),
            ("0.0000001万", TooManyDecimals { max: 2 }),
            ("1.2345678万", TooManyDecimals { max: 2 }),
            ("1000000000000001", TooLarge),
            ("1,000,000,000,000,001", TooLarge),
            ("10000000.01亿", TooLarge),
            ("100000000001万", TooLarge),
            ("9999999999999999999", TooLarge),
            ("99999999999999999999999999999999亿", TooLarge),
        ];
        for (text, want) in cases {
            assert_eq!(read_amount(text, 2), Err(want), "{text:?}");
        }
        assert_eq!(read_amount("1.234567万", 2), Ok(d("12345.67")));
        assert_eq!(read_amount("1.234567万", 1), Err(TooManyDecimals { max: 1 }));
        assert_eq!(read_number("1.5万", 0, None), Ok(d("15000")));
        assert_eq!(read_number("1.23456万", 0, None), Err(NotInteger));
        assert_eq!(read_number("100元", 2, None), Err(NotANumber));
        assert_eq!(read_number("5万美元", 2, Some("美元")), Ok(d("50000")));
        assert_eq!(read_number("0.0000001万", 6, None), Ok(d("0.001")));
    }

    /// Plain digits read exactly as the strict reader reads them (same value,
    /// same scale, same problem), so stored profiles and the golden catalogue
    /// do not change.
    #[test]
    fn plain_digits_read_as_before() {
        for t in ["0", "100.25", "100.250", "-0", "-1", "1.005", "1.5", "007", "1e5", "1..2", "9999999999999999999", "1000000000000001"] {
            for dp in [0, 2, 6] {
                let old = parse_non_negative(t, dp).map(|d| d.to_string());
                assert_eq!(read_number(t, dp, None).map(|d| d.to_string()), old, "{t} {dp}");
            }
        }
    }

    /// A human rendering of `d` (non-negative, at most 2 places).
    fn render(d: Decimal, style: u8, wide: bool, pad: u8, yuan: bool) -> String {
        let plain = d.to_string();
        let body = match style {
            0 => plain,
            1 => Grouped::number(d).to_string(),
            2 => {
                // As 万: exact whenever the shifted text has at most 2 places
                // after scaling back, which always holds for ≤ 2 places.
                format!("{}万", (d / Decimal::from(10_000)).normalize())
            }
            3 => format!("{}亿", (d / Decimal::from(100_000_000)).normalize()),
            _ => Grouped::yuan(d).to_string(),
        };
        let body = if wide {
            body.chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32('０' as u32 + (c as u32 - '0' as u32)).unwrap_or(c),
                    '.' => '．',
                    ',' => '，',
                    c => c,
                })
                .collect()
        } else {
            body
        };
        let unit = if yuan { "元" } else { "" };
        let (l, r) = match pad {
            0 => ("", ""),
            1 => (" ", "  "),
            2 => ("\u{3000}", "\u{3000}"),
            _ => ("\t", " \u{3000}"),
        };
        format!("{l}{body}{unit}{r}")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Every human rendering of an amount reads back as that amount.
        #[test]
        fn renderings_read_back(
            cents in 0i64..=100_000_000_000_000_000i64,
            style in 0u8..5,
            wide in any::<bool>(),
            pad in 0u8..4,
            yuan in any::<bool>(),
        ) {
            let d = Decimal::new(cents, 2);
            let text = render(d, style, wide, pad, yuan);
            prop_assert_eq!(read_amount(&text, 2), Ok(d), "{:?}", text);
        }

        /// Whole numbers (the 万 renderings that matter most: 18200万).
        #[test]
        fn whole_wan_read_back(n in 0i64..=100_000_000_000i64, wide in any::<bool>()) {
            let d = Decimal::from(n) * Decimal::from(10_000);
            let text = render(d, 2, wide, 0, false);
            prop_assert_eq!(read_number(&text, 0, None), Ok(d), "{:?}", text);
        }

        /// Grouping anywhere but every third digit from the point is refused.
        #[test]
        fn misgrouped_is_refused(n in 1_000u64..=999_999_999_999u64, last in prop::sample::select(vec![1usize, 2, 4, 5])) {
            let s = n.to_string();
            let last = if last < s.len() { last } else { 1 };
            let cut = s.len() - last;
            let text = format!("{},{}", &s[..cut], &s[cut..]);
            prop_assert_eq!(read_amount(&text, 2), Err(NumberProblem::BadGrouping), "{:?}", text);
        }

        /// Arbitrary text never panics, and whatever is accepted obeys the
        /// field's limits.
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,40}", dp in 0u32..8) {
            if let Ok(d) = read_amount(&s, dp) {
                prop_assert!(!d.is_sign_negative() || d.is_zero());
                prop_assert!(d <= max_value());
                prop_assert!(d.normalize().scale() <= dp);
            }
        }

        /// Text made of the characters the reader looks at never panics.
        #[test]
        fn number_like_text_never_panics(s in "[0-9０-９.,．，\\-－+ 　万亿元e]{0,30}", dp in 0u32..8) {
            if let Ok(d) = read_amount(&s, dp) {
                prop_assert!(d <= max_value() && d.normalize().scale() <= dp);
            }
        }
    }
}

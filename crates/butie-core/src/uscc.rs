//! 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet,
//! the last one a check character over the first 17.

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccProblem {
    Length(usize),
    BadChar { pos: usize, ch: char },
    CheckDigit { expected: char, found: char },
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters (caller ensures they are valid).
pub fn check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (i, &c) in first17.iter().enumerate().take(17) {
        sum += value_of(c)? * WEIGHTS[i];
    }
    let c = (31 - sum % 31) % 31;
    Some(ALPHABET[c as usize] as char)
}

/// The code as people paste it, made plain: spaces (any, including the
/// ideographic one) and hyphens dropped, full-width letters and digits made
/// ASCII, lower case made upper.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '－' | '‐' | '—'))
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Validate a code as pasted (see `normalize`); returns it plain.
pub fn validate(code: &str) -> Result<String, UsccProblem> {
    let up: String = normalize(code);
    let n = up.chars().count();
    if n != 18 {
        return Err(UsccProblem::Length(n));
    }
    for (pos, ch) in up.chars().enumerate() {
        if !ch.is_ascii() || value_of(ch as u8).is_none() {
            return Err(UsccProblem::BadChar { pos: pos + 1, ch });
        }
    }
    let b = up.as_bytes();
    let expected = check_char(&b[..17]).ok_or(UsccProblem::Length(n))?;
    let found = b[17] as char;
    if expected != found {
        return Err(UsccProblem::CheckDigit { expected, found });
    }
    Ok(up)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn known_codes() {
        // Published codes of real organisations.
        assert_eq!(validate("91350100M000100Y43"), Ok("91350100M000100Y43".into()));
        assert_eq!(validate("91350100m000100y43"), Ok("91350100M000100Y43".into()));
        assert_eq!(validate("91350100M000100Y44"), Err(UsccProblem::CheckDigit { expected: '3', found: '4' }));
        assert_eq!(validate("123"), Err(UsccProblem::Length(3)));
        assert_eq!(validate("9135010OM000100Y43"), Err(UsccProblem::BadChar { pos: 8, ch: 'O' }));
        assert_eq!(validate("91350100M000100Y4中"), Err(UsccProblem::BadChar { pos: 18, ch: '中' }));
    }
}

/// Where a credit code's administrative-division code (characters 3–8,
/// GB/T 2260) places the company among the packs' regions: the city, and
/// the district when the code names one. Codes registered at city level
/// (e.g. 510100) give the city only.
pub fn region_of<'p>(uscc: &str, packs: &'p [crate::policy::Pack]) -> Option<(&'p str, Option<&'p str>)> {
    let code = uscc.get(2..8)?;
    for p in packs {
        if let Some((d, _)) = p.district_codes.iter().find(|(_, c)| c.as_str() == code) {
            // A district code belongs to a one-city pack: its city.
            return Some((p.cities.first().map_or(p.city.as_str(), String::as_str), Some(d.as_str())));
        }
    }
    for p in packs {
        for (city, city_code) in &p.city_codes {
            // Same city: the first four digits (a code of the city's own districts not listed).
            if city_code.get(..4) == code.get(..4) {
                return Some((city.as_str(), None));
            }
        }
    }
    None
}

/// The place a company's credit code names, when it is not the place the
/// company gives: (city, district if the code names one). The given
/// district is read as the packs read it (a functional zone as its
/// district). `None` without a code, for a code of no known place, or
/// when they agree. Never a refusal: a company may have moved.
pub fn other_place<'p>(c: &crate::profile::Company, packs: &'p [crate::policy::Pack]) -> Option<(&'p str, Option<&'p str>)> {
    let (city, district) = region_of(c.uscc.as_deref()?, packs)?;
    let given = crate::profile::district_as(packs, &c.city, &c.district);
    (city != c.city || district.is_some_and(|d| d != given)).then_some((city, district))
}

#[cfg(test)]
mod normalize_tests {
    #[test]
    fn pasted_codes_are_read_plain() {
        for pasted in [
            "9151 0107 MA6D G8HL 5P",
            " 91510107ma6dg8hl5p ",
            "91510107-MA6DG8HL5P",
            "９１５１０１０７ＭＡ６ＤＧ８ＨＬ５Ｐ",
            "91510107\u{3000}MA6DG8HL5P",
        ] {
            assert_eq!(super::validate(pasted).as_deref(), Ok("91510107MA6DG8HL5P"), "{pasted}");
        }
    }
}

#[cfg(test)]
mod region_tests {
    use super::region_of;

    #[test]
    fn the_division_code_names_city_and_district() {
        let packs = crate::bundled_packs().unwrap();
        assert_eq!(region_of("91510107MA6DG8HL5P", &packs), Some(("成都市", Some("武侯区"))));
        assert_eq!(region_of("91331002MA2A8K5L0Y", &packs), Some(("台州市", Some("椒江区"))));
        assert_eq!(region_of("91510100MA6DG8HL5P", &packs), Some(("成都市", None)), "registered at city level");
        assert_eq!(region_of("91330106MA2A8K5L0Y", &packs), None, "杭州 is in no pack");
        assert_eq!(region_of("91", &packs), None);
    }
}

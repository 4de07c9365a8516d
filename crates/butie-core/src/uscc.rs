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

/// Validate a code; lower-case letters are accepted and read as upper case.
pub fn validate(code: &str) -> Result<String, UsccProblem> {
    let up: String = code.trim().to_ascii_uppercase();
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

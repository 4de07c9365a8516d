//! Characters the shipped faces cannot draw, and what the PDF draws instead.
//!
//! The fonts in assets/fonts are a reduced Noto Sans CJK SC (see its
//! README): a character outside their cmap would be written as glyph 0 and
//! print as a crossed box, which on a calculation line reads as "failed".
//! The core's words stay as they are (the catalogue JSON and the window show
//! them unchanged); only the PDF writer swaps a character here, for one both
//! faces have. Every piece of text goes through [`drawable`] both when it is
//! measured and when it is drawn, so widths and wrapping match what prints.
//!
//! `tests/it/pdf_glyphs.rs` checks every string a PDF can carry against
//! both faces' cmaps, after this table; a character it reports belongs here
//! (or in the font), never in a change to the core's wording.

use std::borrow::Cow;

/// (character the text may hold, what the PDF draws instead, why).
pub const SUBSTITUTES: &[(char, &str, &str)] = &[
    // explain's working lines begin "✓ " for a condition that holds
    // (Step::Met, Step::IsTrue, …). Noto Sans CJK has no U+2713 (nor the
    // heavy ✔ U+2714); √ U+221A is in both faces and is the tick people
    // write on Chinese forms (打√). It is a full-width glyph there.
    ('✓', "√", "U+2713 CHECK MARK is not in Noto Sans CJK SC; U+221A is, and reads as the usual 打√ tick"),
    ('✔', "√", "U+2714 HEAVY CHECK MARK: as ✓"),
];

fn substitute(c: char) -> Option<&'static str> {
    SUBSTITUTES.iter().find(|(from, _, _)| *from == c).map(|(_, to, _)| *to)
}

/// `text` as the PDF draws it: every character of [`SUBSTITUTES`] replaced.
pub fn drawable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| substitute(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match substitute(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::drawable;

    #[test]
    fn check_marks_become_the_radical_tick_and_nothing_else_changes() {
        assert_eq!(drawable("✓ 年出口额: 是"), "√ 年出口额: 是");
        assert_eq!(drawable("✔✓"), "√√");
        let plain = "→ min(1,000.00, 500.00) = 500.00 元 × ≤ ※【】";
        assert!(matches!(drawable(plain), std::borrow::Cow::Borrowed(_)));
    }
}

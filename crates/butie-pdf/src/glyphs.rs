//! Characters the shipped faces cannot draw, and what the PDF draws instead.
//!
//! The fonts in assets/fonts are a reduced Noto Sans CJK SC (see its
//! README): a character outside their cmap would be written as glyph 0 and
//! print as a crossed box, which on a calculation line reads as "failed".
//! The core's words stay as they are (the catalogue JSON and the window show
//! them unchanged); only the PDF writer draws something else here. Every
//! piece of text goes through [`runs`] both when it is measured and when it
//! is drawn, so widths and wrapping match what prints.
//!
//! `tests/it/pdf_glyphs.rs` checks every string a PDF can carry against
//! both faces' cmaps, after this table; a character it reports belongs here
//! (or in the font), never in a change to the core's wording.

use std::borrow::Cow;

/// What the PDF draws for a character the faces lack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instead {
    /// This text, which both faces have.
    Text(&'static str),
    /// A check mark drawn as two strokes, [`CHECK_ADVANCE`] em wide. The
    /// text layer carries an invisible [`CHECK_TEXT`] at the same place, so
    /// copying, searching and text extraction still find a tick.
    CheckMark,
}

/// The one place that says what replaces what, and why.
pub const SUBSTITUTES: &[(char, Instead)] = &[
    // U+2713 CHECK MARK: explain's working lines begin "✓ " for a condition
    // that holds (Step::Met, Step::IsTrue, …). Noto Sans CJK has no glyph
    // for it, and its nearest glyph, √ U+221A, is the radical sign with an
    // overbar: it reads as mathematics, not as "holds". So the mark is drawn.
    ('✓', Instead::CheckMark),
    // U+2714 HEAVY CHECK MARK: not written by the core today; missing for
    // the same reason, drawn the same way should it appear.
    ('✔', Instead::CheckMark),
];

/// Width of a drawn check mark, in em: that of the full-width glyphs
/// around it (and of the invisible √ under it).
pub const CHECK_ADVANCE: f32 = 1.0;

/// The invisible text under a drawn check mark (in both faces).
pub const CHECK_TEXT: &str = "√";

fn instead(c: char) -> Option<Instead> {
    SUBSTITUTES.iter().find(|(from, _)| *from == c).map(|(_, to)| *to)
}

/// A stretch of text as the PDF draws it.
#[derive(Debug, PartialEq, Eq)]
pub enum Run<'a> {
    /// Text for the font ([`Instead::Text`] substitutions applied).
    Text(Cow<'a, str>),
    /// One drawn check mark.
    CheckMark,
}

/// `text` split into what the font draws and what is drawn as shapes.
pub fn runs(text: &str) -> Vec<Run<'_>> {
    if !text.chars().any(|c| instead(c).is_some()) {
        return vec![Run::Text(Cow::Borrowed(text))];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        match instead(c) {
            None => cur.push(c),
            Some(Instead::Text(s)) => cur.push_str(s),
            Some(Instead::CheckMark) => {
                if !cur.is_empty() {
                    out.push(Run::Text(Cow::Owned(std::mem::take(&mut cur))));
                }
                out.push(Run::CheckMark);
            }
        }
    }
    if !cur.is_empty() {
        out.push(Run::Text(Cow::Owned(cur)));
    }
    out
}

/// All the text `text` puts in front of the font: its text runs, and
/// [`CHECK_TEXT`] for each drawn mark (invisible, but still a glyph).
pub fn drawable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| instead(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for r in runs(text) {
        out.push_str(match &r {
            Run::Text(t) => t,
            Run::CheckMark => CHECK_TEXT,
        });
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{drawable, runs, Run};
    use std::borrow::Cow;

    #[test]
    fn check_marks_are_drawn_and_nothing_else_changes() {
        assert_eq!(runs("✓ 年出口额: 是"), [Run::CheckMark, Run::Text(" 年出口额: 是".into())]);
        assert_eq!(runs("· ✔✓"), [Run::Text("· ".into()), Run::CheckMark, Run::CheckMark]);
        assert_eq!(drawable("✓ 是"), "√ 是");
        let plain = "→ min(1,000.00, 500.00) = 500.00 元 × ≤ ※【】";
        assert!(matches!(drawable(plain), Cow::Borrowed(_)));
        assert_eq!(runs(plain), [Run::Text(plain.into())]);
    }
}

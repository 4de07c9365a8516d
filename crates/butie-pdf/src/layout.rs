//! A small flowing layout on A4: wrapped paragraphs, bordered tables whose
//! rows move whole to the next page (with the header repeated), boxes, and
//! page numbers added once the page count is known.

use crate::glyphs::{runs, Run, CHECK_ADVANCE, CHECK_TEXT};
use printpdf::{
    Color, FontId, Line, LineCapStyle, LineJoinStyle, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfFontHandle, PdfPage, Point, Pt, Rect,
    Rgb, TextItem, TextRenderingMode,
};
use std::cell::RefCell;
use std::collections::HashMap;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const LEFT: f32 = 56.0;
pub const RIGHT: f32 = PAGE_W - 56.0;
pub const TOP: f32 = PAGE_H - 50.0;
pub const BOTTOM: f32 = 62.0;
pub const WIDTH: f32 = RIGHT - LEFT;

/// The shipped faces and their ids in the document being written.
pub struct Faces<'a> {
    pub regular: &'a ParsedFont,
    pub bold: &'a ParsedFont,
    pub regular_id: FontId,
    pub bold_id: FontId,
    /// Advances already looked up, in font units, by (character, bold):
    /// a cmap lookup parses the subtable each time, and wrapping measures
    /// the same few hundred characters over and over.
    pub advances: RefCell<HashMap<(char, bool), f32>>,
}

impl Faces<'_> {
    fn face(&self, bold: bool) -> &ParsedFont {
        if bold {
            self.bold
        } else {
            self.regular
        }
    }

    /// Advance width of `text` in points at `size`, as drawn (after
    /// [`crate::glyphs::SUBSTITUTES`]).
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        runs(text)
            .iter()
            .map(|r| match r {
                Run::Text(t) => self.text_width(t, size, bold),
                Run::CheckMark => CHECK_ADVANCE * size,
            })
            .sum()
    }

    /// Advance width of text the font draws as it is.
    fn text_width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let f = self.face(bold);
        let upem = f.pdf_font_metrics.units_per_em.max(1) as f32;
        let mut advances = self.advances.borrow_mut();
        text.chars()
            .map(|c| {
                *advances.entry((c, bold)).or_insert_with(|| {
                    let gid = f.lookup_glyph_index(c as u32).unwrap_or(0);
                    f.get_horizontal_advance(gid) as f32
                })
            })
            .sum::<f32>()
            * size
            / upem
    }

    /// Break `text` into lines no wider than `max` points. Chinese breaks
    /// between any two characters; runs of Latin letters and digits stay
    /// together unless longer than a line; closing punctuation never starts
    /// a line; explicit newlines are kept.
    pub fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        // Ordinary text wraps one em short of the edge so that closing
        // punctuation, which may not start a line, still fits inside it.
        let soft = (max - size).max(size);
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0;
            for token in tokens(para).into_iter().flat_map(|t| self.split_long(t, size, bold, soft)) {
                let w = self.width(&token, size, bold);
                // Closing punctuation stays on its line (hanging into the
                // em kept free), never starting the next one.
                let fits = if is_closing(&token) {
                    line_w + w <= max || (!line.is_empty() && line_w + w <= max + size)
                } else {
                    line_w + w <= soft
                };
                if fits || (line.is_empty() && w <= soft) {
                    line.push_str(&token);
                    line_w += w;
                    continue;
                }
                // Opening punctuation never ends a line: it goes on with what it opens.
                let mut carried = String::new();
                while line.chars().last().is_some_and(is_opening) {
                    carried.insert(0, line.pop().unwrap_or_default());
                }
                if !line.trim_end().is_empty() {
                    lines.push(std::mem::take(&mut line).trim_end().to_string());
                }
                line = carried;
                line_w = self.width(&line, size, bold);
                let token = if line.is_empty() { token.trim_start() } else { token.as_str() };
                if line_w + self.width(token, size, bold) <= soft {
                    line.push_str(token);
                    line_w += self.width(token, size, bold);
                    continue;
                }
                // A single run longer than a line: break it by character.
                for c in token.chars() {
                    let cw = self.width(c.encode_utf8(&mut [0; 4]), size, bold);
                    if line_w + cw > soft && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += cw;
                }
            }
            lines.push(line.trim_end().to_string());
        }
        lines
    }
}

impl Faces<'_> {
    /// A run longer than a line (a clause id such as
    /// `tz.logistics.consolidation_warehouse`) split after its `.`, `_`,
    /// `/` or `-`, so that it breaks between words rather than inside one.
    fn split_long(&self, token: String, size: f32, bold: bool, soft: f32) -> Vec<String> {
        if token.chars().count() < 2 || self.width(&token, size, bold) <= soft {
            return vec![token];
        }
        let mut parts = Vec::new();
        let mut part = String::new();
        for c in token.chars() {
            part.push(c);
            if "._/-".contains(c) {
                parts.push(std::mem::take(&mut part));
            }
        }
        if !part.is_empty() {
            parts.push(part);
        }
        parts
    }
}

fn is_opening(c: char) -> bool {
    "“‘（《「『【〔(".contains(c)
}

fn is_closing(t: &str) -> bool {
    t.chars().count() == 1 && "，。、；：？！）》」』”’〕】,.;:?!)%".contains(t)
}

fn tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || (".,-_%/:".contains(c) && !word.is_empty()) {
            word.push(c);
        } else {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

pub fn grey(v: f32) -> Color {
    Color::Rgb(Rgb { r: v, g: v, b: v, icc_profile: None })
}

pub struct Column {
    pub title: String,
    pub width: f32,
    pub right: bool,
}

/// The page-by-page writer.
pub struct Writer<'a> {
    pub faces: Faces<'a>,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Baseline position for the next content, in points from the bottom.
    pub y: f32,
    footer_left: String,
}

impl<'a> Writer<'a> {
    pub fn new(faces: Faces<'a>, footer_left: String) -> Self {
        Writer { faces, pages: Vec::new(), ops: Vec::new(), y: TOP, footer_left }
    }

    /// The page being written, from 1.
    pub fn page_number(&self) -> usize {
        self.pages.len() + 1
    }

    /// Start the next content on a page of its own (nothing if this page is still empty).
    pub fn fresh_page(&mut self) {
        if !self.ops.is_empty() || self.y < TOP {
            self.new_page();
        }
    }

    /// A writer for the same document (same font ids and footer), to lay
    /// out pages that are placed into this one later ([`Writer::put_page`]).
    pub fn sibling(&self) -> Writer<'a> {
        let f = &self.faces;
        let faces = Faces {
            regular: f.regular,
            bold: f.bold,
            regular_id: f.regular_id.clone(),
            bold_id: f.bold_id.clone(),
            advances: Default::default(),
        };
        Writer::new(faces, self.footer_left.clone())
    }

    /// The pages laid out so far, without footers.
    pub fn into_raw_pages(mut self) -> Vec<Vec<Op>> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        self.pages
    }

    /// Replace page `number` (from 1, already finished) with `ops`.
    pub fn put_page(&mut self, number: usize, ops: Vec<Op>) {
        if let Some(p) = self.pages.get_mut(number - 1) {
            *p = ops;
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = TOP;
    }

    /// Make room for `h` points, starting a new page if needed.
    pub fn ensure(&mut self, h: f32) {
        if self.y - h < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    pub fn space(&mut self, h: f32) {
        self.y -= h;
    }

    /// `text` with its baseline starting at (`x`, `y`); characters the
    /// faces lack are drawn as [`crate::glyphs::SUBSTITUTES`] says.
    pub fn text_at(&mut self, x: f32, y: f32, text: &str, size: f32, bold: bool) {
        if text.is_empty() {
            return;
        }
        let mut x = x;
        for run in runs(text) {
            match run {
                Run::Text(t) => {
                    self.show_text(x, y, &t, size, bold);
                    x += self.faces.text_width(&t, size, bold);
                }
                Run::CheckMark => {
                    self.check_mark(x, y, size, bold);
                    x += CHECK_ADVANCE * size;
                }
            }
        }
    }

    fn show_text(&mut self, x: f32, y: f32, text: &str, size: f32, bold: bool) {
        let id = if bold { self.faces.bold_id.clone() } else { self.faces.regular_id.clone() };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: grey(0.0) },
            Op::SetFont { font: PdfFontHandle::External(id), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_string())] },
            Op::EndTextSection,
        ]);
    }

    /// A check mark one em box wide on the baseline at `x`: a short stroke
    /// down and a long one up, round-capped, about as heavy as the face's
    /// own strokes. Under it, an invisible √ for text extraction.
    fn check_mark(&mut self, x: f32, y: f32, size: f32, bold: bool) {
        let em = |dx: f32, dy: f32| LinePoint { p: Point { x: Pt(x + dx * size), y: Pt(y + dy * size) }, bezier: false };
        let id = if bold { self.faces.bold_id.clone() } else { self.faces.regular_id.clone() };
        self.ops.extend([
            Op::SaveGraphicsState,
            Op::SetOutlineColor { col: grey(0.0) },
            Op::SetOutlineThickness { pt: Pt(size * if bold { 0.12 } else { 0.085 }) },
            Op::SetLineCapStyle { cap: LineCapStyle::Round },
            Op::SetLineJoinStyle { join: LineJoinStyle::Round },
            Op::DrawLine { line: Line { points: vec![em(0.16, 0.36), em(0.38, 0.12), em(0.84, 0.74)], is_closed: false } },
            Op::StartTextSection,
            Op::SetTextRenderingMode { mode: TextRenderingMode::Invisible },
            Op::SetFont { font: PdfFontHandle::External(id), size: Pt(size) },
            Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } },
            Op::ShowText { items: vec![TextItem::Text(CHECK_TEXT.to_string())] },
            Op::EndTextSection,
            Op::RestoreGraphicsState,
        ]);
    }

    pub fn rect(&mut self, x: f32, y_top: f32, w: f32, h: f32, fill: Option<f32>) {
        if let Some(g) = fill {
            self.ops.push(Op::SetFillColor { col: grey(g) });
        }
        self.ops.push(Op::SetOutlineColor { col: grey(0.25) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y_top - h),
                width: Pt(w),
                height: Pt(h),
                mode: Some(if fill.is_some() { PaintMode::FillStroke } else { PaintMode::Stroke }),
                winding_order: None,
            },
        });
    }

    pub fn hline(&mut self, x1: f32, x2: f32, y: f32, thickness: f32) {
        self.ops.push(Op::SetOutlineColor { col: grey(0.2) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint { p: Point { x: Pt(x1), y: Pt(y) }, bezier: false },
                    LinePoint { p: Point { x: Pt(x2), y: Pt(y) }, bezier: false },
                ],
                is_closed: false,
            },
        });
    }

    /// A wrapped paragraph at the cursor.
    pub fn para(&mut self, text: &str, size: f32, bold: bool, indent: f32) {
        let lh = size * 1.55;
        for line in self.faces.wrap(text, size, bold, WIDTH - indent) {
            self.ensure(lh);
            self.y -= lh;
            self.text_at(LEFT + indent, self.y + size * 0.3, &line, size, bold);
        }
    }

    pub fn centered(&mut self, text: &str, size: f32, bold: bool) {
        let lh = size * 1.6;
        for line in self.faces.wrap(text, size, bold, WIDTH) {
            self.ensure(lh);
            self.y -= lh;
            let w = self.faces.width(&line, size, bold);
            self.text_at(LEFT + (WIDTH - w) / 2.0, self.y + size * 0.3, &line, size, bold);
        }
    }

    pub fn section(&mut self, title: &str) {
        self.ensure(40.0);
        self.space(8.0);
        self.para(title, 12.5, true, 0.0);
        self.hline(LEFT, RIGHT, self.y - 2.0, 0.8);
        self.space(6.0);
    }

    /// A bordered table. Rows never split; a row that does not fit moves
    /// to the next page, where the header is drawn again.
    pub fn table(&mut self, cols: &[Column], rows: &[Vec<String>], size: f32, header: bool) {
        let pad = 4.0;
        let lh = size * 1.45;
        let draw_header = |w: &mut Writer| {
            if !header {
                return;
            }
            let h = lh + 2.0 * pad;
            let mut x = LEFT;
            for c in cols {
                w.rect(x, w.y, c.width, h, Some(0.92));
                w.text_at(x + pad, w.y - pad - size * 1.05, &c.title, size, true);
                x += c.width;
            }
            w.y -= h;
        };
        self.ensure(2.0 * (lh + 2.0 * pad));
        draw_header(self);
        for row in rows {
            let wrapped: Vec<Vec<String>> =
                cols.iter().zip(row).map(|(c, cell)| self.faces.wrap(cell, size, false, c.width - 2.0 * pad)).collect();
            let n = wrapped.iter().map(|l| l.len()).max().unwrap_or(1).max(1);
            let h = n as f32 * lh + 2.0 * pad;
            if self.y - h < BOTTOM {
                self.new_page();
                draw_header(self);
            }
            let mut x = LEFT;
            for (c, lines) in cols.iter().zip(&wrapped) {
                self.rect(x, self.y, c.width, h, None);
                for (i, line) in lines.iter().enumerate() {
                    let tx = if c.right { x + c.width - pad - self.faces.width(line, size, false) } else { x + pad };
                    self.text_at(tx, self.y - pad - size * 1.05 - i as f32 * lh, line, size, false);
                }
                x += c.width;
            }
            self.y -= h;
        }
    }

    /// A small empty square to tick by hand, then the wrapped item text.
    pub fn checklist(&mut self, items: &[String], size: f32) {
        let lh = size * 1.6;
        for item in items {
            let lines = self.faces.wrap(item, size, false, WIDTH - 20.0);
            self.ensure(lh * lines.len() as f32);
            for (i, line) in lines.iter().enumerate() {
                self.y -= lh;
                if i == 0 {
                    self.rect(LEFT + 4.0, self.y + size * 0.95, size * 0.8, size * 0.8, None);
                }
                self.text_at(LEFT + 20.0, self.y + size * 0.3, line, size, false);
            }
        }
    }

    /// Finish: footer and "第 i 页 / 共 n 页" on every page.
    pub fn finish(mut self) -> Vec<PdfPage> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        let n = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let footer = self.footer_left.clone();
        pages
            .into_iter()
            .enumerate()
            .map(|(i, mut ops)| {
                let num = format!("第 {} 页 / 共 {} 页", i + 1, n);
                self.ops = Vec::new();
                self.hline(LEFT, RIGHT, 44.0, 0.4);
                let w = self.faces.width(&num, 8.0, false);
                self.text_at(RIGHT - w, 32.0, &num, 8.0, false);
                let foot = self.faces.wrap(&footer, 7.0, false, WIDTH - w - 20.0);
                for (k, l) in foot.iter().take(2).enumerate() {
                    self.text_at(LEFT, 32.0 - k as f32 * 9.0, l, 7.0, false);
                }
                ops.append(&mut self.ops);
                PdfPage::new(Mm(210.0), Mm(297.0), ops)
            })
            .collect()
    }
}

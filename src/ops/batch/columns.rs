//! The columns a sheet may have: the company's fields, the year and every fact, with their labels; headers matched to them.

use super::*;

/// What a column holds.
#[derive(Clone, Copy)]
pub(super) enum Field<'p> {
    Company(&'static str, &'static str, &'static str),
    Year,
    Fact(&'p FactDef),
}

impl<'p> Field<'p> {
    pub(super) fn key(&self) -> &'p str {
        match *self {
            Field::Company(k, _, _) => k,
            Field::Year => YEAR_COLUMN.0,
            Field::Fact(d) => d.key.as_str(),
        }
    }
    pub(super) fn label(&self, lang: Lang) -> &'p str {
        match (*self, lang) {
            (Field::Company(_, zh, _), Lang::Zh) => zh,
            (Field::Company(_, _, en), Lang::En) => en,
            (Field::Year, Lang::Zh) => YEAR_COLUMN.1,
            (Field::Year, Lang::En) => YEAR_COLUMN.2,
            (Field::Fact(d), _) => d.label.get(lang),
        }
    }
    /// The unit: the policy file's, or for amounts 元 / 美元.
    pub(super) fn unit(&self, lang: Lang) -> &'p str {
        match (*self, lang) {
            (Field::Fact(d), _) if !d.unit.zh.is_empty() => d.unit.get(lang),
            (Field::Fact(d), Lang::Zh) if d.kind == FactKind::Money => "元",
            (Field::Fact(d), Lang::En) if d.kind == FactKind::Money => "yuan",
            (Field::Fact(d), Lang::Zh) if d.kind == FactKind::MoneyUsd => "美元",
            (Field::Fact(d), Lang::En) if d.kind == FactKind::MoneyUsd => "US dollars",
            _ => "",
        }
    }
    /// The template's label row text: the Chinese label, with its unit.
    pub(super) fn label_row_text(&self) -> String {
        with_unit(self.label(Lang::Zh), self.unit(Lang::Zh), Lang::Zh)
    }
}

/// A label with its unit, unless the label already says it
/// (“平台 GMV（美元）” is not made “平台 GMV（美元）（美元）”).
pub(super) fn with_unit(label: &str, unit: &str, lang: Lang) -> String {
    let said = !unit.is_empty()
        && [format!("（{unit}）"), format!("({unit})"), format!("（{unit}"), format!("({unit}")].iter().any(|u| label.contains(u.as_str()));
    match (unit.is_empty() || said, lang) {
        (true, _) => label.to_string(),
        (false, Lang::Zh) => format!("{label}（{unit}）"),
        (false, Lang::En) => format!("{label} ({unit})"),
    }
}

/// Every column a sheet may have, in the template's order: the company,
/// the year, then each pack's facts in the order its clauses read them.
pub(super) struct Columns<'p> {
    pub(super) fields: Vec<Field<'p>>,
    pub(super) by_name: HashMap<String, usize>,
}

impl<'p> Columns<'p> {
    pub(super) fn new(packs: &'p [Pack]) -> Self {
        let mut fields: Vec<Field<'p>> = COMPANY_FIELDS.iter().map(|f| Field::Company(f.key, f.zh, f.en)).collect();
        fields.push(Field::Year);
        let index = fact_index(packs);
        let mut seen: Vec<&str> = vec![COMPANY_STATUS_FACT];
        let mut push = |k: &'p str, fields: &mut Vec<Field<'p>>| {
            if !seen.contains(&k) {
                if let Some(d) = index.get(k) {
                    seen.push(k);
                    fields.push(Field::Fact(d));
                }
            }
        };
        for p in packs {
            for k in p.facts_in_order() {
                push(k, &mut fields);
            }
            for k in p.facts.keys() {
                push(k.as_str(), &mut fields);
            }
        }
        let mut by_name = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            let names = [
                f.key().to_string(),
                f.label(Lang::Zh).to_string(),
                f.label(Lang::En).to_string(),
                f.label_row_text(),
                with_unit(f.label(Lang::En), f.unit(Lang::En), Lang::En),
            ];
            for n in names {
                if !n.is_empty() {
                    by_name.entry(n).or_insert(i);
                }
            }
        }
        Columns { fields, by_name }
    }

    pub(super) fn find(&self, header: &str) -> Option<usize> {
        let h = header.trim();
        self.by_name.get(h).or_else(|| self.by_name.get(&h.to_ascii_lowercase())).copied()
    }

    /// The nearest known column to a header nothing matches, as `key（label）`.
    /// A key by the profile reader's typo rule; a Chinese header by a
    /// stricter one (one character in four may differ), since any two short
    /// Chinese names are a few edits apart.
    pub(super) fn suggestion(&self, header: &str) -> Option<String> {
        let h = header.trim();
        let near = if h.is_ascii() {
            let names = self.by_name.keys().map(|s| s.as_str()).filter(|n| n.is_ascii());
            suggest(&h.to_ascii_lowercase(), names)?
        } else {
            let n = h.chars().count();
            let names = self.by_name.keys().filter(|k| !k.is_ascii());
            let (d, name) = names.map(|k| (char_distance(h, k), k)).min()?;
            if d > (n / 4).max(1) {
                return None;
            }
            name.clone()
        };
        let f = self.fields[*self.by_name.get(&near)?];
        Some(format!("{}（{}）", f.key(), f.label(Lang::Zh)))
    }
}

/// Edit distance counted in characters.
pub(super) fn char_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().take(100).collect(), b.chars().take(100).collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column.
pub(super) fn col_letter(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

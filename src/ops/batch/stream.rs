//! The batch run as a stream: the sheet scanned once (header, duplicate
//! credit codes, rows counted), then read again row by row, each chunk of
//! rows read, evaluated and rendered on the worker threads, and the results
//! written in row order straight into the output's temporary file. Memory
//! holds a bounded number of chunks whatever the number of rows.

use super::*;
use std::io::Write;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Rows handed to a worker at once.
const CHUNK: usize = 256;
/// Chunks read ahead of the one being written, per worker.
const AHEAD_PER_JOB: usize = 4;

/// What the first reading found.
pub(super) struct Scan<'p> {
    pub(super) header: Header<'p>,
    pub(super) header_row: u32,
    /// Rows read (blank rows and the label row not counted).
    pub(super) read: usize,
    /// Each row whose (USCC, year) another row has too: the first such
    /// other row and the key, packed ([`unpack_key`] when said).
    pub(super) duplicates: HashMap<u32, (u32, u128)>,
    /// Lines of 明细 the rows would make (by each row's city cell), and the
    /// most one row makes: a workbook that cannot hold them is refused
    /// before anything is evaluated.
    pub(super) detail_lines: usize,
    pub(super) most_lines: usize,
}

/// Whether a data row is read at all: not blank, and not the template's
/// label row right under the header.
pub(super) fn counts(header: &Header, header_row: u32, row: u32, cells: &[Cell]) -> bool {
    !(cells.iter().all(|c| *c == Cell::Empty) || (row == header_row + 1 && is_label_row(header, cells)))
}

/// A (USCC, year) packed into one number: five bits per character of the
/// code (its alphabet has 31), the year below. Only codes that validate are packed.
fn pack_key(k: &RowKey) -> u128 {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let code = k.0.bytes().fold(0u128, |acc, b| (acc << 5) | ALPHABET.iter().position(|&a| a == b).unwrap_or(31) as u128);
    (code << 32) | u128::from(k.1 as u32)
}

/// The first reading: the header checked as [`read_header`] would (with
/// every row's width), each row's key collected to find duplicates.
pub(super) fn scan<'p>(
    path: &Path,
    sheet: &Sheet,
    columns: &Columns<'p>,
    lang: Lang,
    packs: &[Pack],
    year: i32,
) -> Result<Scan<'p>, Error> {
    let first_col = sheet.first_col();
    let mut head: Option<(u32, Vec<Cell>, Header<'p>)> = None;
    let mut width = 0usize;
    // The first row with something in each column the header leaves empty.
    let mut headerless: Vec<Option<u32>> = Vec::new();
    let mut keys: Vec<(u128, u32)> = Vec::new();
    let mut read = 0usize;
    let (mut detail_lines, mut most_lines) = (0usize, 0usize);
    let index = fact_index(packs);
    sheet.each_row(path, &mut |row, cells| {
        width = width.max(cells.len());
        let Some((header_row, head_cells, lenient)) = &head else {
            // Read leniently here (each column's field, if any); the header's
            // problems are said in column order once every row's width is known.
            let names: Vec<String> = cells.iter().map(|c| header_text(Some(c))).collect();
            let cols = names.iter().map(|n| columns.find(n).map(|i| columns.fields[i])).collect();
            head = Some((row, cells, Header { cols, names, first_col }));
            return Ok(true);
        };
        for (i, c) in cells.iter().enumerate() {
            if *c != Cell::Empty && header_text(head_cells.get(i)).is_empty() {
                if headerless.len() <= i {
                    headerless.resize(i + 1, None);
                }
                headerless[i].get_or_insert(row);
            }
        }
        if !counts(lenient, *header_row, row, &cells) {
            return Ok(true);
        }
        read += 1;
        if let Some(Cell::Text(city)) = lenient.cols.iter().position(|c| c.is_some_and(|f| f.key() == "city")).and_then(|i| cells.get(i)) {
            let lines = workers::detail_lines(packs, city.trim());
            detail_lines += lines;
            most_lines = most_lines.max(lines);
        }
        let reader = RowReader { lang, packs, index: &index, header: lenient, year, need_uscc: false };
        if let Some(k) = reader.row_key(row, &cells) {
            keys.push((pack_key(&k), row));
        }
        Ok(true)
    })?;
    let Some((header_row, head_cells, _)) = head else {
        return Err(Error::sheet(path, SheetProblem::NoHeader));
    };
    let header = header_of(path, &head_cells, width, first_col, |i| headerless.get(i).copied().flatten(), columns)?;
    // Sorted by key then row: equal keys are neighbours, in row order.
    keys.sort_unstable();
    let mut duplicates = HashMap::new();
    for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        let (first, second) = (run[0].1, run[1].1);
        for &(key, row) in run {
            duplicates.insert(row, (if row == first { second } else { first }, key));
        }
    }
    Ok(Scan { header, header_row, read, duplicates, detail_lines, most_lines })
}

fn unpack_key(k: u128) -> RowKey {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let year = (k & 0xFFFF_FFFF) as u32 as i32;
    let mut code = k >> 32;
    let mut chars = [0u8; 18];
    for c in chars.iter_mut().rev() {
        *c = ALPHABET.get((code & 31) as usize).copied().unwrap_or(b'?');
        code >>= 5;
    }
    (String::from_utf8_lossy(&chars).into_owned(), year)
}

/// A row on its way to a worker: as read from the sheet, or already read
/// (with `--save` or `--pdf`, whose rows are kept).
pub(super) enum Job {
    Cells(u32, Vec<Cell>),
    Read(Box<Accepted>, Option<PathBuf>),
}

/// One row of the 汇总 sheet and its lines of 明细.
pub(super) struct SheetLine {
    pub(super) who: Who,
    pub(super) city: String,
    pub(super) district: String,
    pub(super) total: Decimal,
    pub(super) total_max: Decimal,
    pub(super) lines: Vec<ClauseLine>,
}

/// What a worker made of one chunk, written by the writer in chunk order.
#[derive(Default)]
pub(super) struct ChunkOut {
    pub(super) bytes: Vec<u8>,
    pub(super) sheet: Vec<SheetLine>,
    pub(super) errors: Vec<RowError>,
    pub(super) notes: Vec<RegionNote>,
    pub(super) evaluated: usize,
    /// With `--pdf`: (row, folder, files written or why not).
    pub(super) pdf: Vec<(u32, PathBuf, Result<usize, FileError>)>,
}

/// What the workers share.
pub(super) struct Worker<'a> {
    pub(super) cx: &'a Setup,
    pub(super) packs: &'a [Pack],
    pub(super) reader: RowReader<'a>,
    pub(super) duplicates: &'a HashMap<u32, (u32, u128)>,
    pub(super) out: OutKind,
    pub(super) explain: bool,
    pub(super) fonts: Option<&'a butie_pdf::Fonts>,
    /// Output buffers given back by the writer, reused for later chunks
    /// (a fresh buffer per chunk costs the allocator fresh pages each time).
    pub(super) spare: Mutex<Vec<Vec<u8>>>,
}

impl Worker<'_> {
    pub(super) fn chunk(&self, jobs: Vec<Job>) -> ChunkOut {
        let mut out = ChunkOut::default();
        if matches!(self.out, OutKind::Jsonl | OutKind::Csv) {
            out.bytes = self.spare.lock().ok().and_then(|mut s| s.pop()).unwrap_or_else(|| Vec::with_capacity(CHUNK * 2048));
        }
        for job in jobs {
            match job {
                Job::Cells(row, cells) => {
                    let errs = match self.reader.read_row(row, &cells) {
                        Ok(a) if !self.duplicates.contains_key(&row) => {
                            self.row(&mut out, &a, None);
                            continue;
                        }
                        Ok(_) => Vec::new(),
                        Err(errs) => errs,
                    };
                    out.errors.extend(errs);
                    if let Some(&(other, key)) = self.duplicates.get(&row) {
                        let (u, y) = unpack_key(key);
                        out.errors.push(self.reader.duplicate_error(row, other, &u, y));
                    }
                }
                Job::Read(a, folder) => self.row(&mut out, &a, folder),
            }
        }
        out
    }

    fn row(&self, out: &mut ChunkOut, a: &Accepted, folder: Option<PathBuf>) {
        let (cx, packs, lang) = (self.cx, self.packs, self.cx.lang);
        let c = &a.profile.company;
        if let Some((city, district)) = butie_core::uscc::other_place(c, packs) {
            out.notes.push(RegionNote {
                row: a.row,
                column: self.reader.header.column_of("district", lang),
                code_place: format!("{city}{}", district.unwrap_or("")),
                city: c.city.clone(),
                district: c.district.clone(),
            });
        }
        // A compact row needs no working and no other place's clauses: the
        // lean evaluation, whose figures are the full one's.
        let lean = self.out == OutKind::Jsonl && !self.explain && self.fonts.is_none();
        let ev = if lean { butie_core::evaluate_own(packs, &a.profile, a.year) } else { evaluate(packs, &a.profile, a.year) };
        out.evaluated += 1;
        // A `.csv` line and a 明细 line for each clause of the company's own
        // place (in force or not); every clause with `--explain`.
        let own = |r: &&butie_core::ClauseResult| self.explain || of_place(&ev, r);
        match self.out {
            OutKind::Jsonl if self.explain => {
                // `{"row":…,"uscc":…,` and the catalogue JSON after its `{`.
                let _ = write!(out.bytes, "{{\"row\":{},\"uscc\":", a.row);
                let _ = serde_json::to_writer(&mut out.bytes, &c.uscc);
                out.bytes.push(b',');
                let at = out.bytes.len();
                explain::Catalogue { ev: &ev, lang }.write_json(&mut out.bytes);
                out.bytes.remove(at);
                out.bytes.push(b'\n');
            }
            OutKind::Jsonl => {
                let line = explain::BatchRow { row: a.row, uscc: c.uscc.as_deref(), ev: &ev };
                // Writing into a Vec fails only if the serializer does, which
                // these types never do.
                let _ = serde_json::to_writer(&mut out.bytes, &line);
                out.bytes.push(b'\n');
            }
            OutKind::Csv => {
                let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out.bytes);
                let (row, year, name) = (a.row.to_string(), a.year.to_string(), spreadsheet_safe(&c.name));
                for r in ev.clauses.iter().filter(own) {
                    let reasons = reasons_joined(&explain::reasons(&ev, r, lang), lang);
                    let _ = w.write_record([
                        row.as_str(),
                        c.uscc.as_deref().unwrap_or(""),
                        &name,
                        &year,
                        &r.clause.id,
                        r.status.as_str(),
                        &money(r.amount),
                        &money(r.amount_max),
                        &reasons,
                    ]);
                }
                let _ = w.flush();
            }
            OutKind::Xlsx => {
                let lines = ev.clauses.iter().filter(|r| of_place(&ev, r));
                out.sheet.push(SheetLine {
                    who: Who::of(a),
                    city: c.city.clone(),
                    district: c.district.clone(),
                    total: ev.total,
                    total_max: ev.total_max,
                    lines: lines.map(|r| clause_line(&ev, r, lang)).collect(),
                });
            }
        }
        if let (Some(fonts), Some(dir)) = (self.fonts, folder) {
            out.pdf.push((a.row, dir.clone(), write_company_pdfs(cx, packs, a, &ev, fonts, dir)));
        }
    }
}

impl Worker<'_> {
    /// A chunk's buffer, written out: kept for another chunk.
    pub(super) fn give_back(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        if let Ok(mut s) = self.spare.lock() {
            if s.len() < 64 {
                s.push(bytes);
            }
        }
    }
}

/// Run `work` over every job the feeder gives, on `jobs` threads, and hand
/// each result to `sink` in the order given. At most `jobs ×
/// AHEAD_PER_JOB` chunks are anywhere between the feeder and the sink, so
/// memory stays bounded however many rows there are. A failing sink stops
/// the feeder and the workers; the feeder's own error is returned after.
pub(super) fn ordered_pipeline<J: Send, O: Send>(
    jobs: usize,
    feed: impl FnOnce(&mut dyn FnMut(J) -> bool) -> Result<(), Error> + Send,
    work: impl Fn(J) -> O + Sync,
    mut sink: impl FnMut(O) -> Result<(), Error>,
) -> Result<(), Error> {
    let window = jobs * AHEAD_PER_JOB;
    let (job_tx, job_rx) = sync_channel::<(u64, J)>(window);
    let (out_tx, out_rx) = sync_channel::<(u64, O)>(window);
    // One ticket per chunk in flight: the feeder takes one before sending,
    // the sink gives it back once the chunk is written.
    let (ticket_tx, ticket_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        let _ = ticket_tx.send(());
    }
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|s| {
        let feeder = s.spawn(move || {
            let mut seq = 0u64;
            let mut give = |j: J| -> bool {
                if ticket_rx.recv().is_err() {
                    return false;
                }
                let sent = job_tx.send((seq, j)).is_ok();
                seq += 1;
                sent
            };
            feed(&mut give)
        });
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                let out_tx = out_tx.clone();
                let (job_rx, work) = (&job_rx, &work);
                s.spawn(move || loop {
                    let next = job_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, j))) = next else { return };
                    if out_tx.send((seq, work(j))).is_err() {
                        return;
                    }
                })
            })
            .collect();
        drop(out_tx);
        let sunk = drain_in_order(&out_rx, &ticket_tx, &mut sink);
        // On a sink error: no more tickets, no more results taken; the
        // feeder and the workers see their channels closed and stop.
        drop(ticket_tx);
        drop(out_rx);
        for w in workers {
            w.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
        let fed = feeder.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        sunk.and(fed)
    })
}

fn drain_in_order<O>(
    out_rx: &Receiver<(u64, O)>,
    tickets: &std::sync::mpsc::SyncSender<()>,
    sink: &mut impl FnMut(O) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut waiting: BTreeMap<u64, O> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, o) in out_rx.iter() {
        waiting.insert(seq, o);
        while let Some(o) = waiting.remove(&next) {
            sink(o)?;
            next += 1;
            let _ = tickets.send(());
        }
    }
    Ok(())
}

/// Feed the rows of a sheet as chunks of [`Job::Cells`] (the rows [`scan`]
/// counted, and no others); a sheet that reads differently the second time
/// is refused.
pub(super) fn feed_sheet(path: &Path, sheet: &Sheet, scan: &Scan, give: &mut dyn FnMut(Vec<Job>) -> bool) -> Result<(), Error> {
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut read = 0usize;
    let mut open = true;
    sheet.each_row(path, &mut |row, cells| {
        if row <= scan.header_row || !counts(&scan.header, scan.header_row, row, &cells) {
            return Ok(true);
        }
        read += 1;
        chunk.push(Job::Cells(row, cells));
        if chunk.len() == CHUNK {
            open = give(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
        }
        Ok(open)
    })?;
    if open && !chunk.is_empty() {
        open = give(chunk);
    }
    if open && read != scan.read {
        return Err(Error::sheet(path, SheetProblem::ChangedWhileRead));
    }
    Ok(())
}

/// Feed rows already read, with their PDF folders.
pub(super) fn feed_rows(rows: Vec<Accepted>, folders: Option<Vec<PathBuf>>, give: &mut dyn FnMut(Vec<Job>) -> bool) -> Result<(), Error> {
    let mut folders = folders.map(Vec::into_iter);
    let mut chunk = Vec::with_capacity(CHUNK);
    for a in rows {
        let folder = folders.as_mut().and_then(|f| f.next());
        chunk.push(Job::Read(Box::new(a), folder));
        if chunk.len() == CHUNK && !give(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))) {
            return Ok(());
        }
    }
    if !chunk.is_empty() {
        give(chunk);
    }
    Ok(())
}

//! PDF benchmarks (run: `cargo bench --bench pdf`). Aims: one application
//! form and one full summary each under 50 ms after the font is loaded;
//! under 200 KB per form. The application packet of a company with 9
//! eligible clauses (issue 13): under 300 ms and under 1 MB, the font
//! loaded with it (as `butie packet` does).

// The same allocator as the `butie` CLI (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use butie::engine::evaluate;
use butie::parse_profile;
use std::time::Instant;

fn main() {
    let packs = butie::bundled_packs().unwrap();
    let text = std::fs::read_to_string("samples/taizhou-sample.json").unwrap();
    let profile = parse_profile(&text, &packs).unwrap();
    let ev = evaluate(&packs, &profile, 2025);
    let t = Instant::now();
    let fonts = butie_pdf::Fonts::load_default().expect("fonts");
    println!("font load (regular + bold): {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let cx = butie_pdf::Evaluated { packs: &packs, profile: &profile, evaluation: &ev };
    let measure = |name: &str, f: &mut dyn FnMut() -> Vec<u8>| {
        let _ = f();
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..15 {
            let t = Instant::now();
            size = f().len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{name}: median {:.1} ms, max {:.1} ms, {} KB", times[times.len() / 2], times[times.len() - 1], size / 1024);
    };
    measure("application form (tz.brand.trademark)", &mut || butie_pdf::application_form(&fonts, &cx, "tz.brand.trademark").unwrap());
    measure("summary report (30 clauses)", &mut || butie_pdf::summary_report(&fonts, &cx).unwrap());

    // The Taizhou sample less its export credit insurance: 9 eligible clauses,
    // each with its materials, two with an evidence file listed.
    let mut nine = profile.clone();
    nine.facts.remove("export_credit_insurance_premium");
    let ev9 = evaluate(&packs, &nine, 2025);
    let filed = butie::packet::filed_clauses(&ev9, None).unwrap();
    assert_eq!(filed.len(), 9, "{filed:?}");
    let materials = filed
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (_, c) = butie::engine::find_clause(&packs, id).unwrap();
            let lines = c
                .attachments
                .iter()
                .map(|a| butie_pdf::MaterialLine {
                    item: a.clone(),
                    status: if i < 2 { "已准备".into() } else { "未准备".into() },
                    files: if i < 2 { vec![("发票.pdf".into(), 183_204, "ab".repeat(32))] } else { Vec::new() },
                    shared: None,
                })
                .collect();
            (id.clone(), lines)
        })
        .collect();
    let input = butie_pdf::PacketInput {
        filed,
        materials,
        shared: Vec::new(),
        created_unix: 1_764_115_200,
        date_text: "2025 年 11 月 26 日".into(),
        version: "bench".into(),
    };
    let cx9 = butie_pdf::Evaluated { packs: &packs, profile: &nine, evaluation: &ev9 };
    measure("packet, 9 clauses (font already loaded)", &mut || butie_pdf::packet(&fonts, &cx9, &input).unwrap());
    measure("packet, 9 clauses (font loaded with it)", &mut || {
        let fonts = butie_pdf::Fonts::load_default().unwrap();
        butie_pdf::packet(&fonts, &cx9, &input).unwrap()
    });
}

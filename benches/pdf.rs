//! PDF benchmarks (run: `cargo bench --bench pdf`). Aims: one application
//! form and one full summary each under 50 ms after the font is loaded;
//! under 200 KB per form.

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
    let cx = butie_pdf::Context { packs: &packs, profile: &profile, evaluation: &ev };
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
}

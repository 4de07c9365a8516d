//! "What would qualify you for more": hints appear when a threshold is near
//! (the gap is at most a quarter of the threshold), and not otherwise.

use butie::engine::{evaluate, hints};
use butie::explain::hint;
use butie::{parse_profile, Lang};

fn hints_for(facts: &str, lang: Lang) -> Vec<String> {
    let packs = butie::bundled_packs().unwrap();
    let text = format!(
        r#"{{"company": {{"name": "成都某跨境电商有限公司", "uscc": "91510107MA6DG8HL5P", "city": "成都市", "district": "武侯区",
            "serious_dishonesty_listed": false}}, "year": 2024, "facts": {{ {facts} }} }}"#
    );
    let profile = parse_profile(&text, &packs).unwrap();
    let ev = evaluate(&packs, &profile, 2024);
    hints(&ev).iter().map(|h| hint(h, lang)).collect()
}

#[test]
fn next_chengdu_volume_tier_within_reach() {
    // 180,000,000 with 28.6% growth: the 50,000,000 tier pays 500,000; the
    // next tier is "超过 200,000,000", 20,000,000 away (≤ a quarter of it).
    let h = hints_for(r#""cbec_volume": "180000000", "cbec_volume_prev_year": "140000000""#, Lang::Zh);
    let tier: Vec<_> = h.iter().filter(|x| x.starts_with("跨境电商交易额增长奖励")).collect();
    assert_eq!(tier.len(), 1, "{h:?}");
    assert_eq!(tier[0], "跨境电商交易额增长奖励：年度跨境电商交易额再增加超过 20,000,000.00 元即超过 200,000,000 元，可得 2,000,000.00 元");
    let en = hints_for(r#""cbec_volume": "180000000", "cbec_volume_prev_year": "140000000""#, Lang::En);
    assert!(en.iter().any(|x| x.contains("more than 20,000,000.00 yuan higher goes over")), "{en:?}");
}

#[test]
fn no_hint_when_the_next_tier_is_far() {
    // 100,000,000: the next tier is 100,000,000 away, half of 200,000,000.
    let h = hints_for(r#""cbec_volume": "100000000", "cbec_volume_prev_year": "80000000""#, Lang::Zh);
    assert!(!h.iter().any(|x| x.starts_with("跨境电商交易额增长奖励")), "{h:?}");
}

#[test]
fn exactly_at_an_exclusive_threshold_says_any_more_will_do() {
    // "超过 200,000,000" excludes the number itself: exactly at it, the
    // lower tier is paid and one fen more reaches the next one.
    let h = hints_for(r#""cbec_volume": "200000000", "cbec_volume_prev_year": "150000000""#, Lang::Zh);
    let tier: Vec<_> = h.iter().filter(|x| x.starts_with("跨境电商交易额增长奖励")).collect();
    assert_eq!(tier.len(), 1, "{h:?}");
    assert_eq!(tier[0], "跨境电商交易额增长奖励：年度跨境电商交易额再有任何增加即超过 200,000,000 元，可得 2,000,000.00 元");
}

#[test]
fn no_hint_when_growth_fails() {
    // Growth of 10% fails the "20% 以上" condition: a volume hint would mislead.
    let h = hints_for(r#""cbec_volume": "180000000", "cbec_volume_prev_year": "163636364""#, Lang::Zh);
    assert!(!h.iter().any(|x| x.starts_with("跨境电商交易额增长奖励") && x.contains("可得")), "{h:?}");
}

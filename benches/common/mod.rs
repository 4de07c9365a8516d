//! What the batch benches share (a folder, so that it is no bench of its own).

/// A valid 统一社会信用代码 for row `i` (武侯区 division code, check character computed).
pub fn uscc(i: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = String::from("91510107MA");
    let mut n = i;
    for _ in 0..7 {
        body.push(ALPHABET[n % 31] as char);
        n /= 31;
    }
    let check = butie::uscc::check_char(body.as_bytes()).unwrap();
    body.push(check);
    body
}

//! Numbers as text without `core::fmt`, which would add kilobytes to the
//! wasm for two call sites.

pub fn number(n: impl Into<u32>) -> String {
    let mut n: u32 = n.into();
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + u8::try_from(n % 10).unwrap_or_default());
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Pushed as chars: `String::from_utf8` would bring its validator.
    digits.iter().rev().map(|d| char::from(*d)).collect()
}

#[cfg(test)]
mod tests {
    use super::number;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn writes_decimal() {
        for n in [0_u32, 7, 10, 4000, 65_535, u32::MAX] {
            assert_eq!(number(n), n.to_string());
        }
    }
}

//! Payment-method rules: card checks made locally before the processor is asked.

/// The Luhn checksum over a string of digits.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 { dd - 9 } else { dd }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::luhn_valid;

    #[test]
    fn sandbox_cards_pass_and_typos_fail() {
        for ok in [
            "4111111111111111",
            "4007000000027",
            "5424000000000015",
            "370000000000002",
            "6011000000000012",
        ] {
            assert!(luhn_valid(ok), "{ok}");
        }
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("41x1"));
    }
}

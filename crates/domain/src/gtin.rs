//! GTINs: UPC-A (12 digits), EAN-13, GTIN-14 and EAN-8 are one number space once written as 14
//! digits, so "012345678905" (UPC-A) and "0012345678905" (EAN-13) are the same product.

use serde::Serialize;

/// A barcode written as GTIN-14, with whether its check digit is right. A wrong check digit is
/// kept and flagged, not dropped: the operator should see it and fix it at the source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Gtin {
    pub digits: String,
    pub check_digit_ok: bool,
}

/// Why a barcode cannot be read as a GTIN at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAGtin {
    Blank,
    /// Letters, punctuation, or a length that is none of 8, 12, 13, 14.
    Malformed,
}

/// A GTIN-14 as a number, which is how the matcher keeps hundreds of thousands of them: eight
/// bytes each and no allocation. Leading zeros carry no meaning in a GTIN-14, so nothing is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GtinNumber {
    pub value: u64,
    pub check_digit_ok: bool,
}

/// A GTIN-14 held as a number, as people read it: without its padding zeros.
pub fn unpadded(value: u64) -> String {
    if value == 0 { String::new() } else { value.to_string() }
}

/// Normalizes `raw` to GTIN-14. Spaces and hyphens, which people type into barcodes, are ignored.
pub fn normalize(raw: &str) -> Result<Gtin, NotAGtin> {
    let number = parse(raw)?;
    Ok(Gtin { digits: format!("{:014}", number.value), check_digit_ok: number.check_digit_ok })
}

/// [`normalize`] without the text: the same rules, read straight into a number.
pub fn parse(raw: &str) -> Result<GtinNumber, NotAGtin> {
    let (mut value, mut len) = (0u64, 0usize);
    for c in raw.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        let Some(digit) = c.to_digit(10) else { return Err(NotAGtin::Malformed) };
        len += 1;
        if len > 14 {
            return Err(NotAGtin::Malformed);
        }
        value = value * 10 + u64::from(digit);
    }
    match len {
        0 => Err(NotAGtin::Blank),
        8 | 12 | 13 | 14 => Ok(GtinNumber { value, check_digit_ok: check_digit_of_number(value / 10) == value % 10 }),
        _ => Err(NotAGtin::Malformed),
    }
}

/// The GS1 check digit of `body` (every digit but the last): weights 3, 1, 3, … from the right.
/// Leading zeros add nothing, which is why padding to 14 digits keeps the check digit valid.
pub fn check_digit(body: &str) -> u32 {
    let sum: u32 =
        body.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    (10 - sum % 10) % 10
}

/// [`check_digit`] of a body held as a number.
fn check_digit_of_number(mut body: u64) -> u64 {
    let (mut sum, mut weight) = (0, 3);
    while body > 0 {
        sum += body % 10 * weight;
        body /= 10;
        weight = 4 - weight;
    }
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upc_a_and_ean_13_with_a_leading_zero_are_the_same_gtin() {
        let upc = normalize("012345678905").unwrap();
        let ean = normalize("0012345678905").unwrap();
        assert_eq!(upc, ean, "12 vs 13 digits of the same product must compare equal");
        assert!(upc.check_digit_ok, "012345678905 is a valid UPC-A");
        assert_eq!(upc.digits, "00012345678905", "written as GTIN-14");
    }

    #[test]
    fn ean_8_and_gtin_14_are_accepted() {
        assert!(normalize("96385074").unwrap().check_digit_ok, "a valid EAN-8");
        assert!(normalize("10012345678902").unwrap().check_digit_ok, "a valid GTIN-14 with a packaging indicator");
    }

    #[test]
    fn a_bad_check_digit_is_flagged_not_dropped() {
        let g = normalize("012345678906").expect("a wrong check digit still reads as a GTIN");
        assert!(!g.check_digit_ok, "and is flagged so the operator sees it");
        assert_eq!(g.digits, "00012345678906", "the digits are kept as typed");
    }

    #[test]
    fn blanks_and_junk_are_not_gtins() {
        assert_eq!(normalize("  "), Err(NotAGtin::Blank), "blank is no barcode at all");
        assert_eq!(normalize("ABC-123"), Err(NotAGtin::Malformed), "letters are not a GTIN");
        assert_eq!(normalize("12345"), Err(NotAGtin::Malformed), "five digits is no GTIN length");
        assert_eq!(normalize("0 12345-67890 5").unwrap().digits, "00012345678905", "spaces and hyphens are ignored");
        assert_eq!(normalize("123456789012345"), Err(NotAGtin::Malformed), "fifteen digits is too long");
        assert_eq!(normalize("１２３４５６７８"), Err(NotAGtin::Malformed), "only ASCII digits count");
    }

    #[test]
    fn the_number_agrees_with_the_text() {
        for raw in ["012345678905", "012345678906", "96385074", "10012345678902", "00000000", "4006381333931"] {
            let (text, number) = (normalize(raw).unwrap(), parse(raw).unwrap());
            assert_eq!(text.digits, format!("{:014}", number.value), "{raw}: the same GTIN-14");
            assert_eq!(text.check_digit_ok, number.check_digit_ok, "{raw}: the same check digit verdict");
            assert_eq!(unpadded(number.value), text.digits.trim_start_matches('0'), "{raw}: shown without padding");
            assert_eq!(
                number.check_digit_ok,
                check_digit(&text.digits[..13]) == u32::from(text.digits.as_bytes()[13] - b'0'),
                "{raw}: the numeric check digit is the GS1 one"
            );
        }
    }
}

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

/// Normalizes `raw` to GTIN-14. Spaces and hyphens, which people type into barcodes, are ignored.
pub fn normalize(raw: &str) -> Result<Gtin, NotAGtin> {
    let cleaned: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if cleaned.is_empty() {
        return Err(NotAGtin::Blank);
    }
    if !cleaned.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 13, 14].contains(&cleaned.len()) {
        return Err(NotAGtin::Malformed);
    }
    let digits = format!("{cleaned:0>14}");
    let check_digit_ok = check_digit(&digits[..13]) == u32::from(digits.as_bytes()[13] - b'0');
    Ok(Gtin { digits, check_digit_ok })
}

/// The GS1 check digit of `body` (every digit but the last): weights 3, 1, 3, … from the right.
/// Leading zeros add nothing, which is why padding to 14 digits keeps the check digit valid.
pub fn check_digit(body: &str) -> u32 {
    let sum: u32 = body.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
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
    }
}

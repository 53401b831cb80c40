//! SKU normalization. The raw SKU is always kept; the normalized form is only a matching key.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Which differences between two SKUs do not matter. All on by default: " abc-1 " and "ABC-1"
/// are the same SKU typed twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SkuRules {
    pub trim: bool,
    pub case_fold: bool,
    pub collapse_whitespace: bool,
}

impl Default for SkuRules {
    fn default() -> SkuRules {
        SkuRules { trim: true, case_fold: true, collapse_whitespace: true }
    }
}

impl SkuRules {
    /// The matching key for `raw`, or None for a SKU that is blank once normalized.
    pub fn normalize(&self, raw: &str) -> Option<String> {
        self.normalize_borrowed(raw).map(Cow::into_owned)
    }

    /// [`Self::normalize`], borrowing `raw` when the rules leave it as it is, which is the common
    /// case in a tidy catalog: matching normalizes the SKUs of thousands of variants and should not
    /// copy each one.
    pub fn normalize_borrowed<'a>(&self, raw: &'a str) -> Option<Cow<'a, str>> {
        if self.leaves_unchanged(raw) {
            return Some(Cow::Borrowed(raw));
        }
        let mut s = if self.trim { raw.trim().to_string() } else { raw.to_string() };
        if self.collapse_whitespace {
            let leading = !self.trim && s.starts_with(char::is_whitespace);
            let trailing = !self.trim && s.ends_with(char::is_whitespace);
            let mut collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if leading {
                collapsed.insert(0, ' ');
            }
            if trailing {
                collapsed.push(' ');
            }
            s = collapsed;
        }
        if self.case_fold {
            s = s.to_lowercase();
        }
        (!s.trim().is_empty()).then_some(Cow::Owned(s))
    }

    /// True when no rule would change `raw` and it is not blank. Decided for printable ASCII with
    /// single inner spaces only; anything else (tabs, Unicode case) takes the full path.
    fn leaves_unchanged(&self, raw: &str) -> bool {
        let bytes = raw.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return false };
        first != b' '
            && last != b' '
            && bytes.iter().all(|&b| b == b' ' || (b.is_ascii_graphic() && !(self.case_fold && b.is_ascii_uppercase())))
            && !raw.contains("  ")
    }
}

/// A SKU is blank when it holds nothing but whitespace; blank SKUs never match anything.
pub fn is_blank(raw: &str) -> bool {
    raw.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_and_case_do_not_matter_by_default() {
        let r = SkuRules::default();
        assert_eq!(r.normalize(" abc-1 "), r.normalize("ABC-1"), "\" abc-1 \" and \"ABC-1\" are one SKU");
        assert_eq!(r.normalize("ABC  1"), Some("abc 1".into()), "inner runs of spaces collapse to one");
        assert_eq!(r.normalize("ABC-1\t"), Some("abc-1".into()), "a trailing tab is trimmed");
        assert_eq!(r.normalize("   "), None, "a blank SKU has no key");
    }

    #[test]
    fn a_sku_the_rules_leave_alone_is_borrowed_and_the_rest_agree_with_the_full_path() {
        let all_off = SkuRules { trim: false, case_fold: false, collapse_whitespace: false };
        let samples = ["abc-1", "ABC-1", "a b", "a  b", " a", "a ", "a\tb", "Ǆx", "ΣΑΣ", "", " ", "\u{a0}x"];
        for rules in [SkuRules::default(), all_off, SkuRules { case_fold: false, ..SkuRules::default() }] {
            for raw in samples {
                let borrowed = rules.normalize_borrowed(raw);
                if let Some(Cow::Borrowed(b)) = &borrowed {
                    assert_eq!(*b, raw, "a borrowed key is the raw SKU itself");
                }
                let full = {
                    let mut s = if rules.trim { raw.trim().to_string() } else { raw.to_string() };
                    if rules.collapse_whitespace {
                        let (leading, trailing) = (
                            !rules.trim && s.starts_with(char::is_whitespace),
                            !rules.trim && s.ends_with(char::is_whitespace),
                        );
                        s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                        if leading {
                            s.insert(0, ' ');
                        }
                        if trailing {
                            s.push(' ');
                        }
                    }
                    if rules.case_fold {
                        s = s.to_lowercase();
                    }
                    (!s.trim().is_empty()).then_some(s)
                };
                assert_eq!(
                    borrowed.map(Cow::into_owned),
                    full,
                    "{raw:?} under {rules:?}: the shortcut changes nothing"
                );
                assert_eq!(rules.normalize(raw).is_none(), is_blank(raw), "{raw:?}: only a blank SKU has no key");
            }
        }
        assert!(
            matches!(SkuRules::default().normalize_borrowed("tb-100-red"), Some(Cow::Borrowed(_))),
            "tidy SKUs are not copied"
        );
    }

    #[test]
    fn each_rule_can_be_turned_off() {
        let strict_case = SkuRules { case_fold: false, ..SkuRules::default() };
        assert_ne!(strict_case.normalize("abc-1"), strict_case.normalize("ABC-1"), "case matters when folding is off");
        let no_trim = SkuRules { trim: false, ..SkuRules::default() };
        assert_ne!(no_trim.normalize(" abc-1"), no_trim.normalize("abc-1"), "edges matter when trimming is off");
        let no_collapse = SkuRules { collapse_whitespace: false, ..SkuRules::default() };
        assert_ne!(
            no_collapse.normalize("a  b"),
            no_collapse.normalize("a b"),
            "inner spacing matters when collapsing is off"
        );
    }
}

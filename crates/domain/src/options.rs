//! Option names and values, normalized so "Colour / XL" and "Color / X-Large" compare equal.
//! The synonyms table is the operator's to edit; the defaults cover the common spellings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptionSynonyms {
    /// Alias → canonical option name, compared case-insensitively.
    pub names: BTreeMap<String, String>,
    /// Alias → canonical option value, compared case-insensitively.
    pub values: BTreeMap<String, String>,
}

impl Default for OptionSynonyms {
    fn default() -> OptionSynonyms {
        let pairs = |list: &[(&str, &str)]| list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        OptionSynonyms {
            names: pairs(&[("colour", "color"), ("colours", "color"), ("colors", "color"), ("sizes", "size")]),
            values: pairs(&[
                ("xs", "x-small"),
                ("extra small", "x-small"),
                ("s", "small"),
                ("m", "medium"),
                ("med", "medium"),
                ("l", "large"),
                ("xl", "x-large"),
                ("extra large", "x-large"),
                ("xxl", "xx-large"),
                ("2xl", "xx-large"),
                ("grey", "gray"),
            ]),
        }
    }
}

/// An option (name, value), normalized.
pub type OptionPair = (String, String);

fn fold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl OptionSynonyms {
    pub fn name(&self, raw: &str) -> String {
        let f = fold(raw);
        self.names.iter().find(|(alias, _)| fold(alias) == f).map_or(f, |(_, canon)| fold(canon))
    }

    pub fn value(&self, raw: &str) -> String {
        let f = fold(raw);
        self.values.iter().find(|(alias, _)| fold(alias) == f).map_or(f, |(_, canon)| fold(canon))
    }

    /// A variant's options as a sorted set of normalized pairs. Shopify's placeholder option
    /// "Title: Default Title" says only that there are no options, so it is dropped.
    pub fn normalize_set<'a>(&self, options: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<OptionPair> {
        let mut set: Vec<OptionPair> = options
            .into_iter()
            .map(|(n, v)| (self.name(n), self.value(v)))
            .filter(|(n, v)| !(n == "title" && v == "default title"))
            .collect();
        set.sort();
        set.dedup();
        set
    }

    /// Folds the table so lookups are exact map hits; used once per matching run.
    pub fn compiled(&self) -> OptionSynonyms {
        let fold_map = |m: &BTreeMap<String, String>| m.iter().map(|(a, c)| (fold(a), fold(c))).collect();
        OptionSynonyms { names: fold_map(&self.names), values: fold_map(&self.values) }
    }

    /// Lookup on a compiled table: one map access per name or value.
    pub fn normalize_set_compiled<'a>(&self, options: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<OptionPair> {
        let mut set: Vec<OptionPair> = options
            .into_iter()
            .map(|(n, v)| {
                let (n, v) = (fold(n), fold(v));
                (self.names.get(&n).cloned().unwrap_or(n), self.values.get(&v).cloned().unwrap_or(v))
            })
            .filter(|(n, v)| !(n == "title" && v == "default title"))
            .collect();
        set.sort();
        set.dedup();
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_xl_equals_color_x_large() {
        let s = OptionSynonyms::default();
        let bc = s.normalize_set([("Color", "Red"), ("Size", "XL")]);
        let sh = s.normalize_set([("Colour", "red"), ("Size", "X-Large")]);
        assert_eq!(bc, sh, "Colour/XL and Color/X-Large are the same options");
        assert_eq!(
            s.compiled().normalize_set_compiled([("Colour", "red"), ("Size", "X-Large")]),
            bc,
            "compiled lookups agree"
        );
    }

    #[test]
    fn default_title_means_no_options_and_unknown_words_pass_through() {
        let s = OptionSynonyms::default();
        assert!(s.normalize_set([("Title", "Default Title")]).is_empty(), "Shopify's placeholder is no option");
        assert_eq!(s.value("Teal"), "teal", "a word without a synonym is only case-folded");
        let mut custom = OptionSynonyms::default();
        custom.values.insert("Navy Blue".into(), "Navy".into());
        assert_eq!(custom.value("navy  blue"), "navy", "operator-added synonyms apply");
    }
}

//! Matching BigCommerce variants to Shopify variants.
//!
//! A pure function of (both catalogs, the operator's decisions, the rules) → a plan in which every
//! variant of both sides ends in exactly one record. Keys are tried in order: exact SKU, then
//! normalized SKU, then GTIN. Option values separate variants that share a key. Names are never
//! used: matching by name is how connectors overwrite the wrong product.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::gtin::{self, Gtin, NotAGtin};
use crate::options::{OptionPair, OptionSynonyms};
use crate::sku::SkuRules;

/// A BigCommerce variant as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BcVariantIn {
    pub product_id: i64,
    pub variant_id: i64,
    pub sku: String,
    /// UPC and GTIN fields, as typed; blanks are ignored.
    pub barcodes: Vec<String>,
    pub options: Vec<(String, String)>,
    pub title: String,
}

/// A Shopify variant as the matcher sees it; ids are GIDs, kept exactly as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShVariantIn {
    pub product_id: String,
    pub variant_id: String,
    pub sku: String,
    pub barcode: String,
    pub options: Vec<(String, String)>,
    pub title: String,
}

/// What the operator decided; automatic matching never overrides it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Decisions {
    /// (BigCommerce variant id, Shopify variant GID) pairs the operator linked or confirmed.
    pub links: BTreeSet<(i64, String)>,
    /// Pairs the operator said are not the same item.
    pub unlinks: BTreeSet<(i64, String)>,
    pub ignored_bigcommerce: BTreeSet<i64>,
    pub ignored_shopify: BTreeSet<String>,
    /// Pairs the last sync that wrote had matched. They stay paired while both variants exist and
    /// no decision above says otherwise, even when a synced field (a barcode) now differs: syncing
    /// that field is what closes the difference, so it must not turn the pair into a conflict.
    pub established: BTreeSet<(i64, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchRules {
    pub sku: SkuRules,
    pub synonyms: OptionSynonyms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchClass {
    Matched,
    Ambiguous,
    Conflict,
    Unmatched,
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    Sku,
    NormalizedSku,
    Gtin,
}

/// One pair (both sides) or singleton (one side). Sides are indices into the input slices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRecord {
    pub class: MatchClass,
    /// The key that paired the two sides; None for singletons and for the operator's own links.
    pub key: Option<MatchKey>,
    pub reason: String,
    pub bigcommerce: Option<usize>,
    pub shopify: Option<usize>,
    /// Problems worth showing even on a good match, such as a barcode with a bad check digit.
    pub flags: Vec<String>,
    /// True when the operator's decision produced this record.
    pub decided: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MatchCounts {
    pub matched: usize,
    pub ambiguous: usize,
    pub conflict: usize,
    pub unmatched: usize,
    pub ignored: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MatchPlan {
    pub records: Vec<MatchRecord>,
}

impl MatchPlan {
    pub fn counts(&self) -> MatchCounts {
        let mut c = MatchCounts::default();
        for r in &self.records {
            *match r.class {
                MatchClass::Matched => &mut c.matched,
                MatchClass::Ambiguous => &mut c.ambiguous,
                MatchClass::Conflict => &mut c.conflict,
                MatchClass::Unmatched => &mut c.unmatched,
                MatchClass::Ignored => &mut c.ignored,
            } += 1;
        }
        c
    }
}

/// A variant's matching facts, computed once.
struct Facts {
    sku_raw: String,
    sku_norm: Option<String>,
    gtins: Vec<Gtin>,
    flags: Vec<String>,
    options: Vec<OptionPair>,
}

fn facts<'a>(
    sku: &str,
    barcodes: impl IntoIterator<Item = &'a str>,
    options: &[(String, String)],
    rules: &MatchRules,
    synonyms: &OptionSynonyms,
    side: &str,
) -> Facts {
    let mut gtins = Vec::new();
    let mut flags = Vec::new();
    for raw in barcodes {
        match gtin::normalize(raw) {
            Ok(g) => {
                if !g.check_digit_ok {
                    flags.push(format!("{side} barcode {raw:?} has a wrong check digit"));
                }
                if !gtins.contains(&g) {
                    gtins.push(g);
                }
            }
            Err(NotAGtin::Blank) => {}
            Err(NotAGtin::Malformed) => flags.push(format!("{side} barcode {raw:?} is not a UPC, EAN or GTIN")),
        }
    }
    let trimmed = sku.trim();
    Facts {
        sku_raw: if trimmed.is_empty() { String::new() } else { sku.to_string() },
        sku_norm: rules.sku.normalize(sku),
        gtins,
        flags,
        options: synonyms.normalize_set_compiled(options.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
    }
}

/// Side index: 0 = BigCommerce, 1 = Shopify.
const BC: usize = 0;
const SH: usize = 1;

struct Matcher<'a> {
    bc: &'a [BcVariantIn],
    sh: &'a [ShVariantIn],
    facts: [Vec<Facts>; 2],
    resolved: [Vec<bool>; 2],
    unlinks: BTreeSet<(i64, &'a str)>,
    records: Vec<MatchRecord>,
}

pub fn match_catalogs(bc: &[BcVariantIn], sh: &[ShVariantIn], decisions: &Decisions, rules: &MatchRules) -> MatchPlan {
    let synonyms = rules.synonyms.compiled();
    let mut m = Matcher {
        bc,
        sh,
        facts: [
            bc.iter()
                .map(|v| {
                    facts(&v.sku, v.barcodes.iter().map(String::as_str), &v.options, rules, &synonyms, "BigCommerce")
                })
                .collect(),
            sh.iter().map(|v| facts(&v.sku, [v.barcode.as_str()], &v.options, rules, &synonyms, "Shopify")).collect(),
        ],
        resolved: [vec![false; bc.len()], vec![false; sh.len()]],
        unlinks: decisions.unlinks.iter().map(|(b, s)| (*b, s.as_str())).collect(),
        records: Vec::with_capacity(bc.len() + sh.len()),
    };
    m.apply_decisions(decisions);
    m.phase(MatchKey::Sku);
    m.phase(MatchKey::NormalizedSku);
    m.phase(MatchKey::Gtin);
    m.leftovers();
    let mut records = m.records;
    records.sort_by(|a, b| {
        let key =
            |r: &MatchRecord| (r.bigcommerce.map(|i| bc[i].variant_id), r.shopify.map(|i| sh[i].variant_id.as_str()));
        key(a).cmp(&key(b))
    });
    MatchPlan { records }
}

impl<'a> Matcher<'a> {
    fn apply_decisions(&mut self, d: &Decisions) {
        // Looked up by id, so a decision about a variant that no longer exists is simply stale.
        let bc_by_id: HashMap<i64, usize> = self.bc.iter().enumerate().map(|(i, v)| (v.variant_id, i)).collect();
        let sh_by_id: HashMap<&str, usize> =
            self.sh.iter().enumerate().map(|(i, v)| (v.variant_id.as_str(), i)).collect();
        for (b, s) in &d.links {
            let (Some(&bi), Some(&si)) = (bc_by_id.get(b), sh_by_id.get(s.as_str())) else { continue };
            if self.resolved[BC][bi] || self.resolved[SH][si] {
                continue;
            }
            let mut flags = self.flags(bi, si);
            flags.extend(self.disagreements(bi, si, None));
            self.push(MatchClass::Matched, None, "linked by you".into(), Some(bi), Some(si), flags, true);
        }
        for (i, v) in self.bc.iter().enumerate() {
            if !self.resolved[BC][i] && d.ignored_bigcommerce.contains(&v.variant_id) {
                self.push(MatchClass::Ignored, None, "ignored by you".into(), Some(i), None, vec![], true);
            }
        }
        for (i, v) in self.sh.iter().enumerate() {
            if !self.resolved[SH][i] && d.ignored_shopify.contains(&v.variant_id) {
                self.push(MatchClass::Ignored, None, "ignored by you".into(), None, Some(i), vec![], true);
            }
        }
        for (b, s) in &d.established {
            let (Some(&bi), Some(&si)) = (bc_by_id.get(b), sh_by_id.get(s.as_str())) else { continue };
            if self.resolved[BC][bi] || self.resolved[SH][si] || self.unlinks.contains(&(*b, s.as_str())) {
                continue;
            }
            let key = self.shared_key(bi, si);
            let problems = self.disagreements(bi, si, key);
            let mut reason = match key {
                Some(MatchKey::Sku) => format!("same SKU {:?}", self.bc[bi].sku),
                Some(MatchKey::NormalizedSku) => format!("same SKU {:?} (normalized)", self.bc[bi].sku),
                Some(MatchKey::Gtin) => "same barcode".to_string(),
                None => "paired at the last sync".to_string(),
            };
            if !problems.is_empty() {
                reason = format!("{reason}, paired at the last sync; since then {}", problems.join("; "));
            }
            let flags = self.flags(bi, si);
            self.push(MatchClass::Matched, key, reason, Some(bi), Some(si), flags, false);
        }
    }

    /// The first key, in matching order, that two variants share.
    fn shared_key(&self, bi: usize, si: usize) -> Option<MatchKey> {
        let (b, s) = (&self.facts[BC][bi], &self.facts[SH][si]);
        if !b.sku_raw.is_empty() && b.sku_raw == s.sku_raw {
            Some(MatchKey::Sku)
        } else if b.sku_norm.is_some() && b.sku_norm == s.sku_norm {
            Some(MatchKey::NormalizedSku)
        } else if b.gtins.iter().any(|g| s.gtins.contains(g)) {
            Some(MatchKey::Gtin)
        } else {
            None
        }
    }

    fn flags(&self, bi: usize, si: usize) -> Vec<String> {
        let mut f = self.facts[BC][bi].flags.clone();
        f.extend(self.facts[SH][si].flags.iter().cloned());
        f
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        class: MatchClass,
        key: Option<MatchKey>,
        reason: String,
        bc: Option<usize>,
        sh: Option<usize>,
        flags: Vec<String>,
        decided: bool,
    ) {
        if let Some(i) = bc {
            self.resolved[BC][i] = true;
        }
        if let Some(i) = sh {
            self.resolved[SH][i] = true;
        }
        self.records.push(MatchRecord { class, key, reason, bigcommerce: bc, shopify: sh, flags, decided });
    }

    fn keys(&self, side: usize, i: usize, key: MatchKey) -> Vec<String> {
        let f = &self.facts[side][i];
        match key {
            MatchKey::Sku => (!f.sku_raw.is_empty()).then(|| f.sku_raw.clone()).into_iter().collect(),
            MatchKey::NormalizedSku => f.sku_norm.clone().into_iter().collect(),
            MatchKey::Gtin => f.gtins.iter().map(|g| g.digits.clone()).collect(),
        }
    }

    /// What disagrees between two variants paired by `key`, if anything.
    fn disagreements(&self, bi: usize, si: usize, key: Option<MatchKey>) -> Vec<String> {
        let (b, s) = (&self.facts[BC][bi], &self.facts[SH][si]);
        let mut out = Vec::new();
        if key != Some(MatchKey::Gtin)
            && !b.gtins.is_empty()
            && !s.gtins.is_empty()
            && !b.gtins.iter().any(|g| s.gtins.contains(g))
        {
            let show = |g: &[Gtin]| {
                g.iter().map(|g| g.digits.trim_start_matches('0').to_string()).collect::<Vec<_>>().join("/")
            };
            out.push(format!("barcodes differ (BigCommerce {}, Shopify {})", show(&b.gtins), show(&s.gtins)));
        }
        if !b.options.is_empty() && !s.options.is_empty() && b.options != s.options {
            let show = |o: &[OptionPair]| o.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join(", ");
            out.push(format!("options differ (BigCommerce {}, Shopify {})", show(&b.options), show(&s.options)));
        }
        if key == Some(MatchKey::Gtin)
            && let (Some(bs), Some(ss)) = (&b.sku_norm, &s.sku_norm)
            && bs != ss
        {
            out.push(format!("SKUs differ (BigCommerce {:?}, Shopify {:?})", self.bc[bi].sku, self.sh[si].sku));
        }
        out
    }

    fn phase(&mut self, key: MatchKey) {
        let mut groups: HashMap<String, [Vec<usize>; 2]> = HashMap::new();
        for side in [BC, SH] {
            for i in 0..self.resolved[side].len() {
                if self.resolved[side][i] {
                    continue;
                }
                for k in self.keys(side, i, key) {
                    groups.entry(k).or_default()[side].push(i);
                }
            }
        }
        let mut keys: Vec<String> =
            groups.iter().filter(|(_, g)| !g[BC].is_empty() && !g[SH].is_empty()).map(|(k, _)| k.clone()).collect();
        keys.sort_unstable();
        for k in keys {
            let Some(group) = groups.remove(&k) else { continue };
            self.resolve_group(key, &k, group);
        }
    }

    fn resolve_group(&mut self, key: MatchKey, value: &str, group: [Vec<usize>; 2]) {
        // Members may have been resolved by an earlier group of the same phase (a variant with two barcodes).
        let [group_bc, group_sh] = group;
        let mut bcs: Vec<usize> = group_bc.into_iter().filter(|&i| !self.resolved[BC][i]).collect();
        let mut shs: Vec<usize> = group_sh.into_iter().filter(|&i| !self.resolved[SH][i]).collect();
        if bcs.is_empty() || shs.is_empty() {
            return;
        }
        // Sorting by id, not input position, makes the outcome independent of input order.
        bcs.sort_by_key(|&i| self.bc[i].variant_id);
        bcs.dedup();
        shs.sort_by(|&a, &b| self.sh[a].variant_id.cmp(&self.sh[b].variant_id));
        shs.dedup();
        let pairs: Vec<(usize, usize)> = if bcs.len() == 1 && shs.len() == 1 {
            vec![(bcs[0], shs[0])]
        } else {
            // Several variants share the key: pair those whose options single each other out.
            bcs.iter()
                .filter_map(|&b| {
                    let opts = &self.facts[BC][b].options;
                    if opts.is_empty() {
                        return None;
                    }
                    let mut same = shs.iter().filter(|&&s| &self.facts[SH][s].options == opts);
                    let (Some(&s), None) = (same.next(), same.next()) else { return None };
                    let back =
                        bcs.iter().filter(|&&b2| self.facts[BC][b2].options == self.facts[SH][s].options).count();
                    (back == 1).then_some((b, s))
                })
                .collect()
        };
        let label = match key {
            MatchKey::Sku => format!("SKU {value:?}"),
            MatchKey::NormalizedSku => format!("SKU {value:?} (normalized)"),
            MatchKey::Gtin => format!("barcode {}", value.trim_start_matches('0')),
        };
        for (b, s) in pairs {
            if self.unlinks.contains(&(self.bc[b].variant_id, self.sh[s].variant_id.as_str())) {
                continue; // the operator said these two differ; they stay open for other keys
            }
            let problems = self.disagreements(b, s, Some(key));
            let flags = self.flags(b, s);
            if problems.is_empty() {
                let separated = if bcs.len() > 1 || shs.len() > 1 { ", told apart by options" } else { "" };
                self.push(
                    MatchClass::Matched,
                    Some(key),
                    format!("same {label}{separated}"),
                    Some(b),
                    Some(s),
                    flags,
                    false,
                );
            } else {
                let reason = format!("same {label}, but {}", problems.join("; "));
                self.push(MatchClass::Conflict, Some(key), reason, Some(b), Some(s), flags, false);
            }
        }
        let open_bc: Vec<usize> = bcs.iter().copied().filter(|&i| !self.resolved[BC][i]).collect();
        let open_sh: Vec<usize> = shs.iter().copied().filter(|&i| !self.resolved[SH][i]).collect();
        if (bcs.len() > 1 || shs.len() > 1) && (!open_bc.is_empty() || !open_sh.is_empty()) {
            let reason = format!(
                "{label} is shared by {} BigCommerce and {} Shopify variants; link the right pair by hand",
                bcs.len(),
                shs.len()
            );
            for b in open_bc {
                let flags = self.facts[BC][b].flags.clone();
                self.push(MatchClass::Ambiguous, None, reason.clone(), Some(b), None, flags, false);
            }
            for s in open_sh {
                let flags = self.facts[SH][s].flags.clone();
                self.push(MatchClass::Ambiguous, None, reason.clone(), None, Some(s), flags, false);
            }
        }
    }

    fn leftovers(&mut self) {
        for i in 0..self.bc.len() {
            if !self.resolved[BC][i] {
                let reason = unmatched_reason(&self.facts[BC][i], "Shopify");
                let flags = self.facts[BC][i].flags.clone();
                self.push(MatchClass::Unmatched, None, reason, Some(i), None, flags, false);
            }
        }
        for i in 0..self.sh.len() {
            if !self.resolved[SH][i] {
                let reason = unmatched_reason(&self.facts[SH][i], "BigCommerce");
                let flags = self.facts[SH][i].flags.clone();
                self.push(MatchClass::Unmatched, None, reason, None, Some(i), flags, false);
            }
        }
    }
}

fn unmatched_reason(f: &Facts, other: &str) -> String {
    match (f.sku_norm.is_some(), f.gtins.is_empty()) {
        (false, true) => "blank SKU and no barcode: nothing to match on".into(),
        (true, true) => format!("no {other} variant has this SKU"),
        (false, false) => format!("blank SKU, and no {other} variant has this barcode"),
        (true, false) => format!("no {other} variant has this SKU or barcode"),
    }
}

//! Matching BigCommerce variants to Shopify variants.
//!
//! A pure function of (both catalogs, the operator's decisions, the rules) → a plan in which every
//! variant of both sides ends in exactly one record. Keys are tried in order: exact SKU, then
//! normalized SKU, then GTIN. Option values separate variants that share a key. Names are never
//! used: matching by name is how connectors overwrite the wrong product.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::gtin::{self, NotAGtin};

mod reach;
use crate::options::{OptionPair, OptionSynonyms};
use crate::sku::{self, SkuRules};
pub use reach::{KeyComponents, Reach};

/// What the matcher reads of a BigCommerce variant. Callers implement it for the rows they hold,
/// so a catalog of 100,000 variants is matched where it lies instead of being copied first.
pub trait BigCommerceVariant {
    fn variant_id(&self) -> i64;
    fn sku(&self) -> &str;
    /// UPC and GTIN fields, as typed; blanks are ignored.
    fn barcodes(&self) -> impl Iterator<Item = &str>;
    fn options(&self) -> &[(String, String)];
}

/// What the matcher reads of a Shopify variant; the id is the GID, kept exactly as read.
pub trait ShopifyVariant {
    fn variant_id(&self) -> &str;
    fn sku(&self) -> &str;
    fn barcode(&self) -> &str;
    fn options(&self) -> &[(String, String)];
}

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

impl BigCommerceVariant for BcVariantIn {
    fn variant_id(&self) -> i64 {
        self.variant_id
    }
    fn sku(&self) -> &str {
        &self.sku
    }
    fn barcodes(&self) -> impl Iterator<Item = &str> {
        self.barcodes.iter().map(String::as_str)
    }
    fn options(&self) -> &[(String, String)] {
        &self.options
    }
}

impl ShopifyVariant for ShVariantIn {
    fn variant_id(&self) -> &str {
        &self.variant_id
    }
    fn sku(&self) -> &str {
        &self.sku
    }
    fn barcode(&self) -> &str {
        &self.barcode
    }
    fn options(&self) -> &[(String, String)] {
        &self.options
    }
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

/// Side index: 0 = BigCommerce, 1 = Shopify.
const BC: usize = 0;
const SH: usize = 1;

/// The id of the empty option set in [`OptionSets`].
const NO_OPTIONS: usize = 0;

/// Normalized option sets, each kept once: equal sets share an id, so comparing two variants'
/// options compares two numbers. A catalog repeats a handful of option lists (Color × Size) across
/// all its variants, so each distinct raw list is normalized once too.
struct OptionSets<'a> {
    synonyms: OptionSynonyms,
    by_raw: HashMap<&'a [(String, String)], usize>,
    by_set: HashMap<Vec<OptionPair>, usize>,
    sets: Vec<Vec<OptionPair>>,
}

impl<'a> OptionSets<'a> {
    fn new(synonyms: &OptionSynonyms) -> Self {
        OptionSets {
            synonyms: synonyms.compiled(),
            by_raw: HashMap::new(),
            by_set: HashMap::from([(Vec::new(), NO_OPTIONS)]),
            sets: vec![Vec::new()],
        }
    }

    fn id(&mut self, raw: &'a [(String, String)]) -> usize {
        if let Some(&id) = self.by_raw.get(raw) {
            return id;
        }
        let set = self.synonyms.normalize_set_compiled(raw.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let id = match self.by_set.get(&set) {
            Some(&id) => id,
            None => {
                let id = self.sets.len();
                self.sets.push(set.clone());
                self.by_set.insert(set, id);
                id
            }
        };
        self.by_raw.insert(raw, id);
        id
    }

    fn show(&self, id: usize) -> String {
        self.sets[id].iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join(", ")
    }
}

/// One side's matching facts, computed once. Barcodes and flags of all variants share one vector
/// each, since most variants have one barcode and no flag and a vector apiece would cost more
/// than the values. SKUs are not copied: they are read from the input, and normalized only for
/// the variants the exact SKU leaves open.
#[derive(Default)]
struct SideFacts {
    /// GTIN-14s as numbers; variant i's are `gtins[gtin_ends[i - 1]..gtin_ends[i]]`.
    gtins: Vec<u64>,
    gtin_ends: Vec<usize>,
    flags: Vec<String>,
    flag_ends: Vec<usize>,
    /// Ids in [`OptionSets`].
    options: Vec<usize>,
}

fn span(ends: &[usize], i: usize) -> Range<usize> {
    (if i == 0 { 0 } else { ends[i - 1] })..ends[i]
}

impl SideFacts {
    fn with_capacity(variants: usize) -> Self {
        SideFacts {
            gtins: Vec::with_capacity(variants),
            gtin_ends: Vec::with_capacity(variants),
            flag_ends: Vec::with_capacity(variants),
            options: Vec::with_capacity(variants),
            ..SideFacts::default()
        }
    }

    fn push<'b>(&mut self, barcodes: impl IntoIterator<Item = &'b str>, options: usize, side: &str) {
        let first_gtin = self.gtins.len();
        for raw in barcodes {
            match gtin::parse(raw) {
                Ok(g) => {
                    if !g.check_digit_ok {
                        self.flags.push(format!("{side} barcode {raw:?} has a wrong check digit"));
                    }
                    if !self.gtins[first_gtin..].contains(&g.value) {
                        self.gtins.push(g.value);
                    }
                }
                Err(NotAGtin::Blank) => {}
                Err(NotAGtin::Malformed) => {
                    self.flags.push(format!("{side} barcode {raw:?} is not a UPC, EAN or GTIN"))
                }
            }
        }
        self.gtin_ends.push(self.gtins.len());
        self.flag_ends.push(self.flags.len());
        self.options.push(options);
    }

    fn gtins(&self, i: usize) -> &[u64] {
        &self.gtins[span(&self.gtin_ends, i)]
    }

    fn flags(&self, i: usize) -> &[String] {
        &self.flags[span(&self.flag_ends, i)]
    }
}

struct Matcher<'a, B, S> {
    bc: &'a [B],
    sh: &'a [S],
    sku_rules: SkuRules,
    facts: [SideFacts; 2],
    options: OptionSets<'a>,
    resolved: [Vec<bool>; 2],
    unlinks: BTreeSet<(i64, &'a str)>,
    records: Vec<MatchRecord>,
}

pub fn match_catalogs(bc: &[BcVariantIn], sh: &[ShVariantIn], decisions: &Decisions, rules: &MatchRules) -> MatchPlan {
    match_variants(bc, sh, decisions, rules)
}

/// [`match_catalogs`] over any variants the matcher can read, such as rows as a store keeps them.
pub fn match_variants<B: BigCommerceVariant, S: ShopifyVariant>(
    bc: &[B],
    sh: &[S],
    decisions: &Decisions,
    rules: &MatchRules,
) -> MatchPlan {
    let mut options = OptionSets::new(&rules.synonyms);
    let mut bc_facts = SideFacts::with_capacity(bc.len());
    for v in bc {
        let id = options.id(v.options());
        bc_facts.push(v.barcodes(), id, "BigCommerce");
    }
    let mut sh_facts = SideFacts::with_capacity(sh.len());
    for v in sh {
        let id = options.id(v.options());
        sh_facts.push([v.barcode()], id, "Shopify");
    }
    let mut m = Matcher {
        bc,
        sh,
        sku_rules: rules.sku,
        facts: [bc_facts, sh_facts],
        options,
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
        let key = |r: &MatchRecord| (r.bigcommerce.map(|i| bc[i].variant_id()), r.shopify.map(|i| sh[i].variant_id()));
        key(a).cmp(&key(b))
    });
    MatchPlan { records }
}

impl<'a, B: BigCommerceVariant, S: ShopifyVariant> Matcher<'a, B, S> {
    fn sku(&self, side: usize, i: usize) -> &'a str {
        let (bc, sh) = (self.bc, self.sh);
        if side == BC { bc[i].sku() } else { sh[i].sku() }
    }

    fn normalized_sku(&self, side: usize, i: usize) -> Option<Cow<'a, str>> {
        self.sku_rules.normalize_borrowed(self.sku(side, i))
    }

    fn apply_decisions(&mut self, d: &Decisions) {
        let (bc, sh) = (self.bc, self.sh);
        // Looked up by id, so a decision about a variant that no longer exists is simply stale.
        let by_id = (!d.links.is_empty() || !d.established.is_empty()).then(|| {
            let bc_by_id: HashMap<i64, usize> = bc.iter().enumerate().map(|(i, v)| (v.variant_id(), i)).collect();
            let sh_by_id: HashMap<&str, usize> = sh.iter().enumerate().map(|(i, v)| (v.variant_id(), i)).collect();
            (bc_by_id, sh_by_id)
        });
        let pair = |b: &i64, s: &String| {
            let (bc_by_id, sh_by_id) = by_id.as_ref()?;
            Some((*bc_by_id.get(b)?, *sh_by_id.get(s.as_str())?))
        };
        for (b, s) in &d.links {
            let Some((bi, si)) = pair(b, s) else { continue };
            if self.resolved[BC][bi] || self.resolved[SH][si] {
                continue;
            }
            let mut flags = self.flags(bi, si);
            flags.extend(self.disagreements(bi, si, None));
            self.push(MatchClass::Matched, None, "linked by you".into(), Some(bi), Some(si), flags, true);
        }
        for (i, v) in bc.iter().enumerate() {
            if !self.resolved[BC][i] && d.ignored_bigcommerce.contains(&v.variant_id()) {
                self.push(MatchClass::Ignored, None, "ignored by you".into(), Some(i), None, vec![], true);
            }
        }
        for (i, v) in sh.iter().enumerate() {
            if !self.resolved[SH][i] && d.ignored_shopify.contains(v.variant_id()) {
                self.push(MatchClass::Ignored, None, "ignored by you".into(), None, Some(i), vec![], true);
            }
        }
        for (b, s) in &d.established {
            let Some((bi, si)) = pair(b, s) else { continue };
            if self.resolved[BC][bi] || self.resolved[SH][si] || self.unlinks.contains(&(*b, s.as_str())) {
                continue;
            }
            let key = self.shared_key(bi, si);
            let problems = self.disagreements(bi, si, key);
            let mut reason = match key {
                Some(MatchKey::Sku) => format!("same SKU {:?}", bc[bi].sku()),
                Some(MatchKey::NormalizedSku) => format!("same SKU {:?} (normalized)", bc[bi].sku()),
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
        let (b, s) = (self.sku(BC, bi), self.sku(SH, si));
        let b_norm = self.normalized_sku(BC, bi);
        let (b_gtins, s_gtins) = (self.facts[BC].gtins(bi), self.facts[SH].gtins(si));
        if !sku::is_blank(b) && b == s {
            Some(MatchKey::Sku)
        } else if b_norm.is_some() && b_norm == self.normalized_sku(SH, si) {
            Some(MatchKey::NormalizedSku)
        } else if b_gtins.iter().any(|g| s_gtins.contains(g)) {
            Some(MatchKey::Gtin)
        } else {
            None
        }
    }

    fn flags(&self, bi: usize, si: usize) -> Vec<String> {
        [self.facts[BC].flags(bi), self.facts[SH].flags(si)].concat()
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

    /// What disagrees between two variants paired by `key`, if anything.
    fn disagreements(&self, bi: usize, si: usize, key: Option<MatchKey>) -> Vec<String> {
        let (b_gtins, s_gtins) = (self.facts[BC].gtins(bi), self.facts[SH].gtins(si));
        let (b_options, s_options) = (self.facts[BC].options[bi], self.facts[SH].options[si]);
        let mut out = Vec::new();
        if key != Some(MatchKey::Gtin)
            && !b_gtins.is_empty()
            && !s_gtins.is_empty()
            && !b_gtins.iter().any(|g| s_gtins.contains(g))
        {
            let show = |g: &[u64]| g.iter().map(|&g| gtin::unpadded(g)).collect::<Vec<_>>().join("/");
            out.push(format!("barcodes differ (BigCommerce {}, Shopify {})", show(b_gtins), show(s_gtins)));
        }
        if b_options != NO_OPTIONS && s_options != NO_OPTIONS && b_options != s_options {
            let (b, s) = (self.options.show(b_options), self.options.show(s_options));
            out.push(format!("options differ (BigCommerce {b}, Shopify {s})"));
        }
        if key == Some(MatchKey::Gtin)
            && let (Some(bs), Some(ss)) = (self.normalized_sku(BC, bi), self.normalized_sku(SH, si))
            && bs != ss
        {
            out.push(format!("SKUs differ (BigCommerce {:?}, Shopify {:?})", self.sku(BC, bi), self.sku(SH, si)));
        }
        out
    }

    /// The still open variants, both sides, as (side, index).
    fn open(&self) -> Vec<(usize, usize)> {
        [BC, SH]
            .into_iter()
            .flat_map(|side| {
                (0..self.resolved[side].len()).filter(move |&i| !self.resolved[side][i]).map(move |i| (side, i))
            })
            .collect()
    }

    fn phase(&mut self, key: MatchKey) {
        let open = self.open();
        match key {
            MatchKey::Sku => {
                let members = open
                    .into_iter()
                    .map(|(side, i)| (self.sku(side, i), side, i))
                    .filter(|(sku, _, _)| !sku::is_blank(sku))
                    .collect();
                self.resolve_groups(key, members, |sku| format!("SKU {sku:?}"));
            }
            MatchKey::NormalizedSku => {
                let members =
                    open.into_iter().filter_map(|(side, i)| Some((self.normalized_sku(side, i)?, side, i))).collect();
                self.resolve_groups(key, members, |sku| format!("SKU {sku:?} (normalized)"));
            }
            MatchKey::Gtin => {
                let members = open
                    .into_iter()
                    .flat_map(|(side, i)| self.facts[side].gtins(i).iter().map(move |&g| (g, side, i)))
                    .collect();
                self.resolve_groups(key, members, |&g| format!("barcode {}", gtin::unpadded(g)));
            }
        }
    }

    /// Resolves, in key order, each group of members sharing a key value that has both sides in it.
    /// Sorting (value, side, index) groups without a map from copied values to members.
    fn resolve_groups<K: Ord>(
        &mut self,
        key: MatchKey,
        mut members: Vec<(K, usize, usize)>,
        label: impl Fn(&K) -> String,
    ) {
        members.sort_unstable();
        for group in members.chunk_by(|a, b| a.0 == b.0) {
            let on = |side: usize| group.iter().filter(move |m| m.1 == side).map(|m| m.2).collect::<Vec<_>>();
            let (bcs, shs) = (on(BC), on(SH));
            if !bcs.is_empty() && !shs.is_empty() {
                self.resolve_group(key, || label(&group[0].0), bcs, shs);
            }
        }
    }

    fn resolve_group(
        &mut self,
        key: MatchKey,
        label: impl FnOnce() -> String,
        mut bcs: Vec<usize>,
        mut shs: Vec<usize>,
    ) {
        // Members may have been resolved by an earlier group of the same phase (a variant with two barcodes).
        bcs.retain(|&i| !self.resolved[BC][i]);
        shs.retain(|&i| !self.resolved[SH][i]);
        if bcs.is_empty() || shs.is_empty() {
            return;
        }
        let (bc, sh) = (self.bc, self.sh);
        // Sorting by id, not input position, makes the outcome independent of input order.
        bcs.sort_by_key(|&i| bc[i].variant_id());
        bcs.dedup();
        shs.sort_by(|&a, &b| sh[a].variant_id().cmp(sh[b].variant_id()));
        shs.dedup();
        let (bc_options, sh_options) = (&self.facts[BC].options, &self.facts[SH].options);
        let pairs: Vec<(usize, usize)> = if bcs.len() == 1 && shs.len() == 1 {
            vec![(bcs[0], shs[0])]
        } else {
            // Several variants share the key: pair those whose options single each other out.
            bcs.iter()
                .filter_map(|&b| {
                    let opts = bc_options[b];
                    if opts == NO_OPTIONS {
                        return None;
                    }
                    let mut same = shs.iter().filter(|&&s| sh_options[s] == opts);
                    let (Some(&s), None) = (same.next(), same.next()) else { return None };
                    let back = bcs.iter().filter(|&&b2| bc_options[b2] == sh_options[s]).count();
                    (back == 1).then_some((b, s))
                })
                .collect()
        };
        let label = label();
        for (b, s) in pairs {
            if self.unlinks.contains(&(bc[b].variant_id(), sh[s].variant_id())) {
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
                let flags = self.facts[BC].flags(b).to_vec();
                self.push(MatchClass::Ambiguous, None, reason.clone(), Some(b), None, flags, false);
            }
            for s in open_sh {
                let flags = self.facts[SH].flags(s).to_vec();
                self.push(MatchClass::Ambiguous, None, reason.clone(), None, Some(s), flags, false);
            }
        }
    }

    fn leftovers(&mut self) {
        let open = self.open();
        if open.is_empty() {
            return;
        }
        let look_alikes = LookAlikes::new(self);
        for (side, i) in open {
            let other = if side == BC { "Shopify" } else { "BigCommerce" };
            let has_sku = !sku::is_blank(self.sku(side, i));
            let reason = match look_alikes.explain(self, side, i) {
                Some(why) => why,
                None => unmatched_reason(has_sku, !self.facts[side].gtins(i).is_empty(), other),
            };
            let flags = self.facts[side].flags(i).to_vec();
            let (bc, sh) = if side == BC { (Some(i), None) } else { (None, Some(i)) };
            self.push(MatchClass::Unmatched, None, reason, bc, sh, flags, false);
        }
    }
}

/// Variants of the other side that an operator would take for a leftover's partner: the same
/// barcode, or a SKU equal once case and surrounding spaces are set aside. An unmatched variant's
/// reason names the one it would be taken for and what kept them apart, so "no variant has this
/// SKU" is only said when none has.
struct LookAlikes {
    /// Per side: loose SKU → variants with it, and GTIN → variants with it.
    by_sku: [HashMap<String, Vec<usize>>; 2],
    by_gtin: [HashMap<u64, Vec<usize>>; 2],
    /// Per side: the record each resolved variant is in so far.
    record_of: [Vec<Option<usize>>; 2],
}

/// A SKU without the differences a person does not see: case and spaces at either end.
fn loose_sku(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_lowercase())
}

impl LookAlikes {
    fn new<B: BigCommerceVariant, S: ShopifyVariant>(m: &Matcher<'_, B, S>) -> Self {
        let mut by_sku: [HashMap<String, Vec<usize>>; 2] = Default::default();
        let mut by_gtin: [HashMap<u64, Vec<usize>>; 2] = Default::default();
        for side in [BC, SH] {
            for i in 0..m.resolved[side].len() {
                if let Some(sku) = loose_sku(m.sku(side, i)) {
                    by_sku[side].entry(sku).or_default().push(i);
                }
                for &g in m.facts[side].gtins(i) {
                    by_gtin[side].entry(g).or_default().push(i);
                }
            }
        }
        let mut record_of = [vec![None; m.resolved[BC].len()], vec![None; m.resolved[SH].len()]];
        for (n, r) in m.records.iter().enumerate() {
            if let Some(i) = r.bigcommerce {
                record_of[BC][i] = Some(n);
            }
            if let Some(i) = r.shopify {
                record_of[SH][i] = Some(n);
            }
        }
        LookAlikes { by_sku, by_gtin, record_of }
    }

    /// Why variant `i` of `side` is unmatched although the other side has a look-alike; None when
    /// it has none.
    fn explain<B: BigCommerceVariant, S: ShopifyVariant>(
        &self,
        m: &Matcher<'_, B, S>,
        side: usize,
        i: usize,
    ) -> Option<String> {
        let o = 1 - side;
        let mut candidates: Vec<usize> = loose_sku(m.sku(side, i))
            .and_then(|s| self.by_sku[o].get(&s))
            .into_iter()
            .flatten()
            .copied()
            .chain(m.facts[side].gtins(i).iter().filter_map(|g| self.by_gtin[o].get(g)).flatten().copied())
            .collect();
        // By id, not input position, so the look-alike named does not depend on input order.
        if o == BC {
            candidates.sort_by_key(|&j| m.bc[j].variant_id());
        } else {
            candidates.sort_by(|&a, &b| m.sh[a].variant_id().cmp(m.sh[b].variant_id()));
        }
        candidates.dedup();
        let (this_store, other_store) =
            if side == BC { ("BigCommerce", "Shopify") } else { ("Shopify", "BigCommerce") };
        // The operator's own unlink explains the most, then a partner taken elsewhere, then a SKU
        // that differs only in what a person does not see.
        let mut best: Option<(u8, String)> = None;
        for j in candidates {
            let (own, theirs) = (m.sku(side, i), m.sku(o, j));
            let what = if !sku::is_blank(own) && own == theirs {
                "the same SKU".to_string()
            } else if m.facts[side].gtins(i).iter().any(|g| m.facts[o].gtins(j).contains(g)) {
                "the same barcode".to_string()
            } else {
                format!(
                    "SKU {}, which differs from {} only in {}",
                    shown(theirs),
                    shown(own),
                    loose_difference(own, theirs)
                )
            };
            let them = format!("{other_store} variant {}", shown(theirs));
            let (b, s) = if side == BC { (i, j) } else { (j, i) };
            let (rank, text) = if m.unlinks.contains(&(m.bc[b].variant_id(), m.sh[s].variant_id())) {
                (0, format!("{them} has {what}, but you unlinked the two"))
            } else {
                match self.record_of[o][j].map(|n| m.records[n].class) {
                    Some(MatchClass::Ignored) => (1, format!("{them} has {what}, but you ignored it")),
                    Some(MatchClass::Matched) | Some(MatchClass::Conflict) => {
                        (1, format!("{them} has {what}, but it is paired with another {this_store} variant"))
                    }
                    Some(MatchClass::Ambiguous) => {
                        (1, format!("{them} has {what}, but it is in an ambiguous group of its own"))
                    }
                    Some(MatchClass::Unmatched) | None => (
                        2,
                        format!("{them} has {what}; link the two by hand, or let the SKU rules ignore the difference"),
                    ),
                }
            };
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, text));
            }
        }
        best.map(|(_, text)| text)
    }
}

/// What sets two SKUs apart that are equal once case and surrounding spaces are set aside.
fn loose_difference(a: &str, b: &str) -> &'static str {
    if a.trim() == b.trim() {
        "spaces or tabs at the ends"
    } else if a.trim() == a && b.trim() == b {
        "case"
    } else {
        "case and spaces or tabs at the ends"
    }
}

/// A SKU or barcode quoted so that what a person cannot see is visible: a tab as ⇥, a space at
/// either end as ␣, other control characters escaped.
pub fn shown(raw: &str) -> String {
    let inner = raw.trim_matches(' ');
    let (lead, trail) = (raw.len() - raw.trim_start_matches(' ').len(), raw.len() - raw.trim_end_matches(' ').len());
    let mut out = String::from("\"");
    out.push_str(&"␣".repeat(if inner.is_empty() { raw.len() } else { lead }));
    for c in inner.chars() {
        match c {
            '\t' => out.push('⇥'),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    if !inner.is_empty() {
        out.push_str(&"␣".repeat(trail));
    }
    out.push('"');
    out
}

/// `has_sku` is whether the SKU is not blank, which is when it has a normalized form, whatever the rules.
fn unmatched_reason(has_sku: bool, has_gtin: bool, other: &str) -> String {
    match (has_sku, has_gtin) {
        (false, false) => "blank SKU and no barcode: nothing to match on".into(),
        (true, false) => format!("no {other} variant has this SKU"),
        (false, true) => format!("blank SKU, and no {other} variant has this barcode"),
        (true, true) => format!("no {other} variant has this SKU or barcode"),
    }
}

//! Which variants a decision can move. The matcher relates two variants only through a key they
//! share (the SKU, the normalized SKU, the SKU as a person reads it, a barcode) or through a
//! decision naming both, so a set of variants closed under both relations is matched the same
//! alone as within the whole catalog. A decision about one variant re-matches its set, a few
//! records, instead of the catalog, which at 100,000 variants takes seconds.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{BigCommerceVariant, MatchRules, ShopifyVariant, loose_sku};
use crate::gtin;
use crate::sku;

/// The variants of a snapshot grouped by the keys they share: two variants are in one component
/// when a chain of shared keys joins them. Decisions are not in it, since they change between
/// snapshots: [`KeyComponents::reach`] follows them as it goes.
#[derive(Debug, Clone, Default)]
pub struct KeyComponents {
    bc_ids: Vec<i64>,
    sh_ids: Vec<String>,
    bc_at: HashMap<i64, u32>,
    sh_at: HashMap<String, u32>,
    /// Node n's component; BigCommerce's variants are nodes 0.., Shopify's follow them.
    component: Vec<u32>,
    /// Every component's nodes, one component after another, and where each one's start.
    members: Vec<u32>,
    starts: Vec<u32>,
}

/// The variants a decision can move: re-match these, and only these records change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    pub bigcommerce: BTreeSet<i64>,
    pub shopify: BTreeSet<String>,
}

/// A key as a number: which kind, and its value. Two different keys with one hash join two
/// components that need not be joined, which costs a larger re-match and changes no record.
fn key_hash(kind: u8, value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

/// Every key the matcher or its unmatched reasons compare for a variant with this SKU and these
/// barcodes.
fn keys<'a>(sku: &'a str, barcodes: impl Iterator<Item = &'a str>, rules: &MatchRules) -> Vec<u64> {
    let mut out = Vec::with_capacity(4);
    if !sku::is_blank(sku) {
        out.push(key_hash(0, sku));
    }
    if let Some(normalized) = rules.sku.normalize_borrowed(sku) {
        out.push(key_hash(1, normalized.as_ref()));
    }
    if let Some(loose) = loose_sku(sku) {
        out.push(key_hash(2, loose));
    }
    out.extend(barcodes.filter_map(|raw| gtin::parse(raw).ok()).map(|g| key_hash(3, g.value)));
    out
}

fn find(parent: &mut [u32], mut n: u32) -> u32 {
    while parent[n as usize] != n {
        let up = parent[parent[n as usize] as usize];
        parent[n as usize] = up;
        n = up;
    }
    n
}

impl KeyComponents {
    pub fn new<B: BigCommerceVariant, S: ShopifyVariant>(bc: &[B], sh: &[S], rules: &MatchRules) -> Self {
        let nodes = bc.len() + sh.len();
        let mut parent: Vec<u32> = (0..nodes as u32).collect();
        let mut first_with: HashMap<u64, u32> = HashMap::with_capacity(nodes * 3);
        let node_keys = bc
            .iter()
            .map(|v| keys(v.sku(), v.barcodes(), rules))
            .chain(sh.iter().map(|v| keys(v.sku(), std::iter::once(v.barcode()), rules)));
        for (n, node_keys) in node_keys.enumerate() {
            for key in node_keys {
                let first = *first_with.entry(key).or_insert(n as u32);
                let (a, b) = (find(&mut parent, first), find(&mut parent, n as u32));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
        let roots: Vec<u32> = (0..nodes as u32).map(|n| find(&mut parent, n)).collect();
        // Numbered 0.. in order of first appearance, then laid out one after another.
        let mut number: HashMap<u32, u32> = HashMap::new();
        let component: Vec<u32> = roots
            .iter()
            .map(|root| {
                let next = number.len() as u32;
                *number.entry(*root).or_insert(next)
            })
            .collect();
        let mut starts = vec![0u32; number.len() + 1];
        for &c in &component {
            starts[c as usize + 1] += 1;
        }
        for c in 0..number.len() {
            starts[c + 1] += starts[c];
        }
        let mut fill = starts.clone();
        let mut members = vec![0u32; nodes];
        for (n, &c) in component.iter().enumerate() {
            members[fill[c as usize] as usize] = n as u32;
            fill[c as usize] += 1;
        }
        let bc_ids: Vec<i64> = bc.iter().map(|v| v.variant_id()).collect();
        let sh_ids: Vec<String> = sh.iter().map(|v| v.variant_id().to_string()).collect();
        KeyComponents {
            bc_at: bc_ids.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect(),
            sh_at: sh_ids.iter().enumerate().map(|(i, id)| (id.clone(), (bc.len() + i) as u32)).collect(),
            bc_ids,
            sh_ids,
            component,
            members,
            starts,
        }
    }

    /// How many variants the components hold.
    pub fn len(&self) -> usize {
        self.component.len()
    }

    pub fn is_empty(&self) -> bool {
        self.component.is_empty()
    }

    /// The variants sharing a chain of keys or decisions with the seeds: the seeds' components,
    /// then the components of every variant a decision pairs with one of them, until no decision
    /// leads further. `paired_with` answers the pairs (links, unlinks, pairs of the last sync) that
    /// name any of the given variants; ids not in the snapshot are left out, as the matcher leaves
    /// out a decision about a variant that no longer exists.
    pub fn reach<E>(
        &self,
        bigcommerce: impl IntoIterator<Item = i64>,
        shopify: impl IntoIterator<Item = String>,
        mut paired_with: impl FnMut(&Reach) -> Result<Vec<(i64, String)>, E>,
    ) -> Result<Reach, E> {
        let mut taken: BTreeSet<u32> = BTreeSet::new();
        let mut out = Reach::default();
        let mut next: Vec<u32> = bigcommerce
            .into_iter()
            .filter_map(|id| self.bc_at.get(&id).copied())
            .chain(shopify.into_iter().filter_map(|id| self.sh_at.get(&id).copied()))
            .map(|n| self.component[n as usize])
            .collect();
        while !next.is_empty() {
            let mut added = Reach::default();
            for c in next.drain(..) {
                if !taken.insert(c) {
                    continue;
                }
                let span = self.starts[c as usize] as usize..self.starts[c as usize + 1] as usize;
                for &n in &self.members[span] {
                    let n = n as usize;
                    if n < self.bc_ids.len() {
                        added.bigcommerce.insert(self.bc_ids[n]);
                    } else {
                        added.shopify.insert(self.sh_ids[n - self.bc_ids.len()].clone());
                    }
                }
            }
            if added.bigcommerce.is_empty() && added.shopify.is_empty() {
                break;
            }
            for (b, s) in paired_with(&added)? {
                for n in [self.bc_at.get(&b), self.sh_at.get(&s)].into_iter().flatten() {
                    let c = self.component[*n as usize];
                    if !taken.contains(&c) {
                        next.push(c);
                    }
                }
            }
            out.bigcommerce.append(&mut added.bigcommerce);
            out.shopify.append(&mut added.shopify);
        }
        Ok(out)
    }
}

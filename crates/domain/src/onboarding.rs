//! The first-run setup: seven steps, each done or not according to what already exists (the
//! connections, the POS orders settings, the location pairs, the field owners, the runs, the
//! schedule). Nothing records "step 3 finished": a step is done because its result is there, so
//! the setup stays true when the same thing is done from another screen or the command line.
//!
//! Also the location pairs the setup suggests: the same name on both stores, else the same address.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The setup's steps, in the order an operator takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OnboardingStep {
    /// Both stores connected (the demo connects its emulated stores itself).
    Connect,
    /// POS orders: whether to carry them, and from which Shopify locations.
    PosChannel,
    /// At least one BigCommerce location paired with a Shopify location.
    Locations,
    /// Which store owns each product field.
    Owners,
    /// A finished preview of the full sync.
    Preview,
    /// A finished full sync that wrote.
    FullSync,
    /// The morning full sync set (or deliberately left off).
    Schedule,
}

impl OnboardingStep {
    pub const ALL: [OnboardingStep; 7] = [
        OnboardingStep::Connect,
        OnboardingStep::PosChannel,
        OnboardingStep::Locations,
        OnboardingStep::Owners,
        OnboardingStep::Preview,
        OnboardingStep::FullSync,
        OnboardingStep::Schedule,
    ];
}

/// Where a step stands: done, the one to do now, or one that comes later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Current,
    Waiting,
}

/// What already exists, as the setup reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OnboardingFacts {
    pub bigcommerce_connected: bool,
    pub shopify_connected: bool,
    /// The POS orders settings were saved (by the operator, or by a first orders cycle).
    pub pos_orders_chosen: bool,
    pub location_pairs: u64,
    /// The field owners were saved at least once.
    pub owners_chosen: bool,
    pub preview_finished: bool,
    pub full_sync_finished: bool,
    /// A morning schedule was saved, on or off.
    pub schedule_chosen: bool,
}

impl OnboardingFacts {
    pub fn is_done(&self, step: OnboardingStep) -> bool {
        match step {
            OnboardingStep::Connect => self.bigcommerce_connected && self.shopify_connected,
            OnboardingStep::PosChannel => self.pos_orders_chosen,
            OnboardingStep::Locations => self.location_pairs > 0,
            OnboardingStep::Owners => self.owners_chosen,
            OnboardingStep::Preview => self.preview_finished,
            OnboardingStep::FullSync => self.full_sync_finished,
            OnboardingStep::Schedule => self.schedule_chosen,
        }
    }
}

/// Each step with its state. The current step is the first one not done; a later step already done
/// (a schedule set before the first sync) stays done, since the setup follows results, not clicks.
pub fn step_states(facts: &OnboardingFacts) -> Vec<(OnboardingStep, StepState)> {
    let mut current_given = false;
    OnboardingStep::ALL
        .iter()
        .map(|&step| {
            let state = if facts.is_done(step) {
                StepState::Done
            } else if current_given {
                StepState::Waiting
            } else {
                current_given = true;
                StepState::Current
            };
            (step, state)
        })
        .collect()
}

/// A location as the suggestions read it: its id in its store, its name and, when the store gives
/// one, its street address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
}

/// Why two locations are suggested as a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SuggestedBy {
    Name,
    Address,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceSuggestion {
    pub bigcommerce: String,
    pub shopify: String,
    pub by: SuggestedBy,
}

/// Lower case, letters and digits only, words separated by one space: "Main  Warehouse." and
/// "main warehouse" are the same place name; an empty result names nothing.
fn comparable(raw: &str) -> Option<String> {
    let words: Vec<String> =
        raw.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Pairs `bigcommerce` and `shopify` locations (the caller passes those not paired yet) by name,
/// then the rest by address. A key shared by more than one location on either side suggests
/// nothing, because picking one of two "Outlet"s would be a guess. Suggestions follow
/// `bigcommerce`'s order.
pub fn suggest_pairs(bigcommerce: &[Place], shopify: &[Place]) -> Vec<PlaceSuggestion> {
    let mut taken_bc = vec![false; bigcommerce.len()];
    let mut taken_sh = vec![false; shopify.len()];
    let mut found: Vec<(usize, PlaceSuggestion)> = Vec::new();
    for (by, key) in [
        (SuggestedBy::Name, (|p: &Place| comparable(&p.name)) as fn(&Place) -> Option<String>),
        (SuggestedBy::Address, |p: &Place| p.address.as_deref().and_then(comparable)),
    ] {
        let index = |places: &[Place], taken: &[bool]| {
            let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, p) in places.iter().enumerate().filter(|(i, _)| !taken[*i]) {
                if let Some(k) = key(p) {
                    by_key.entry(k).or_default().push(i);
                }
            }
            by_key
        };
        let bc_keys = index(bigcommerce, &taken_bc);
        let sh_keys = index(shopify, &taken_sh);
        for (k, bcs) in &bc_keys {
            if let ([b], Some([s])) = (bcs.as_slice(), sh_keys.get(k).map(Vec::as_slice)) {
                taken_bc[*b] = true;
                taken_sh[*s] = true;
                found.push((
                    *b,
                    PlaceSuggestion { bigcommerce: bigcommerce[*b].id.clone(), shopify: shopify[*s].id.clone(), by },
                ));
            }
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: &str, name: &str, address: Option<&str>) -> Place {
        Place { id: id.into(), name: name.into(), address: address.map(Into::into) }
    }

    fn states(facts: &OnboardingFacts) -> Vec<StepState> {
        step_states(facts).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn a_fresh_installation_starts_at_connecting_with_every_other_step_waiting() {
        let s = states(&OnboardingFacts::default());
        assert_eq!(s[0], StepState::Current, "nothing exists: connecting the stores comes first");
        assert!(s[1..].iter().all(|s| *s == StepState::Waiting), "every later step waits: {s:?}");
    }

    #[test]
    fn one_store_connected_is_not_enough_to_move_on() {
        let facts = OnboardingFacts { bigcommerce_connected: true, ..OnboardingFacts::default() };
        assert_eq!(states(&facts)[0], StepState::Current, "Shopify is still missing, so step 1 is not done");
    }

    #[test]
    fn the_current_step_is_the_first_not_done_and_later_results_stay_done() {
        let facts = OnboardingFacts {
            bigcommerce_connected: true,
            shopify_connected: true,
            pos_orders_chosen: true,
            schedule_chosen: true,
            ..OnboardingFacts::default()
        };
        let s = step_states(&facts);
        assert_eq!(s[2], (OnboardingStep::Locations, StepState::Current), "no pair yet: locations are next");
        assert_eq!(s[3].1, StepState::Waiting, "owners come after the locations");
        assert_eq!(s[6], (OnboardingStep::Schedule, StepState::Done), "a schedule set from Settings counts");
        assert_eq!(s.iter().filter(|(_, st)| *st == StepState::Current).count(), 1, "exactly one step is current");
    }

    #[test]
    fn every_result_present_leaves_no_current_step() {
        let facts = OnboardingFacts {
            bigcommerce_connected: true,
            shopify_connected: true,
            pos_orders_chosen: true,
            location_pairs: 2,
            owners_chosen: true,
            preview_finished: true,
            full_sync_finished: true,
            schedule_chosen: true,
        };
        assert!(states(&facts).iter().all(|s| *s == StepState::Done), "all seven steps are done");
    }

    #[test]
    fn locations_are_suggested_by_name_whatever_the_case_and_punctuation() {
        let bc = [place("1", "Main Warehouse", None), place("2", "Downtown  Store.", None)];
        let sh = [place("g2", "downtown store", None), place("g1", "MAIN WAREHOUSE", None)];
        let s = suggest_pairs(&bc, &sh);
        assert_eq!(
            s,
            vec![
                PlaceSuggestion { bigcommerce: "1".into(), shopify: "g1".into(), by: SuggestedBy::Name },
                PlaceSuggestion { bigcommerce: "2".into(), shopify: "g2".into(), by: SuggestedBy::Name },
            ],
            "each BigCommerce location finds the Shopify location of the same name, in BigCommerce's order"
        );
    }

    #[test]
    fn a_location_whose_name_differs_is_suggested_by_its_address() {
        let bc = [place("1", "Warehouse", Some("12 Harbour Street, Boston 02101"))];
        let sh = [place("g9", "Back room", Some("12 harbour street,  BOSTON 02101"))];
        let s = suggest_pairs(&bc, &sh);
        assert_eq!(s.len(), 1, "the same street address pairs them: {s:?}");
        assert_eq!(s[0].by, SuggestedBy::Address, "and the suggestion says why");
    }

    #[test]
    fn a_name_is_preferred_to_an_address_and_each_location_is_suggested_once() {
        let bc = [place("1", "Outlet", Some("1 Quay")), place("2", "Kiosk", Some("1 Quay"))];
        let sh = [place("g1", "Outlet", Some("1 Quay"))];
        let s = suggest_pairs(&bc, &sh);
        assert_eq!(s.len(), 1, "Shopify has one location, so one suggestion: {s:?}");
        assert_eq!((s[0].bigcommerce.as_str(), s[0].by), ("1", SuggestedBy::Name), "the name match wins");
    }

    #[test]
    fn an_ambiguous_name_or_address_suggests_nothing() {
        let bc = [place("1", "Outlet", Some("1 Quay")), place("2", "Outlet", Some("1 Quay"))];
        let sh = [place("g1", "Outlet", Some("1 Quay"))];
        assert!(suggest_pairs(&bc, &sh).is_empty(), "two BigCommerce Outlets at one address: no guess");
        let blank = [place("3", "  ", None)];
        let blank_sh = [place("g3", "", None)];
        assert!(suggest_pairs(&blank, &blank_sh).is_empty(), "blank names are not a match");
    }
}

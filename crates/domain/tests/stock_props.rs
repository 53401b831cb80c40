//! The stock planner against a simulated pair of stores, over random interleavings of POS sales,
//! online orders and manual edits on either side, our writes landing, failing, being retried,
//! superseded or losing their answer, stale BigCommerce reads, conflicts decided by a person, and
//! restarts. Whatever the order, once the dust settles both stores show the model: the initial
//! stock plus every change made outside Tillbridge, each counted exactly once.

use std::cell::RefCell;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use tillbridge_domain::stock::*;

/// How long a BigCommerce read may trail our writes, and how long the planner distrusts a read
/// that shows the value from before one. The window must outlast the lag, as it does in the
/// engine's settings.
const BIGCOMMERCE_LAG_S: i64 = 30;
const BIGCOMMERCE_ECHO_WINDOW_S: i64 = 60;

#[derive(Debug, Clone, Copy)]
enum Fate {
    Lands,
    /// Refused with a retryable error: the job waits and goes out again unless superseded.
    FailsRetryable,
    /// Refused for good: the job is dead and the next cycle plans the change again.
    FailsPermanently,
    /// While the write is on the wire, a plan that read the queue just before it was claimed
    /// runs, and plans the same change again; then the write lands.
    LandsAfterARacingPlan,
    /// The process died after sending: the store applied it, or did not, and nobody knows.
    AnswerLost {
        applied: bool,
    },
}

#[derive(Debug, Clone, Copy)]
enum Read {
    Fresh,
    /// BigCommerce shows its stock as it was before our writes of the last 30 s.
    Snapshot,
    /// BigCommerce shows every change but our writes of the last 30 s.
    WithoutOurWrites,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    /// A POS sale, an online order, or a refund's restock, made outside Tillbridge.
    Outside {
        side: Side,
        delta: i64,
    },
    Cycle(Read),
    Send {
        side: Side,
        fate: Fate,
    },
    /// A person settles the open conflict with "add both changes".
    DecideSum,
    Restart,
    Wait {
        seconds: i64,
    },
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::BigCommerce), Just(Side::Shopify)]
}

fn op() -> impl Strategy<Value = Op> {
    let fate = prop_oneof![
        4 => Just(Fate::Lands),
        1 => Just(Fate::LandsAfterARacingPlan),
        1 => Just(Fate::FailsRetryable),
        1 => Just(Fate::FailsPermanently),
        1 => any::<bool>().prop_map(|applied| Fate::AnswerLost { applied }),
    ];
    let read = prop_oneof![Just(Read::Fresh), Just(Read::Snapshot), Just(Read::WithoutOurWrites)];
    prop_oneof![
        4 => (side(), prop_oneof![-3i64..=-1, 1i64..=3]).prop_map(|(side, delta)| Op::Outside { side, delta }),
        4 => read.prop_map(Op::Cycle),
        5 => (side(), fate).prop_map(|(side, fate)| Op::Send { side, fate }),
        1 => Just(Op::DecideSum),
        1 => Just(Op::Restart),
        2 => (1i64..=45).prop_map(|seconds| Op::Wait { seconds }),
    ]
}

fn policy() -> impl Strategy<Value = PairPolicy> {
    let owner = prop_oneof![Just(Owner::Both), Just(Owner::BigCommerce), Just(Owner::Shopify)];
    let window = prop_oneof![Just(SameWindow::Merge), Just(SameWindow::Manual)];
    (owner, window, 0i64..=3, prop::option::of(0i64..=12)).prop_map(|(owner, same_window, hold_back, cap)| {
        let buffer = if owner == Owner::Both { Buffer::default() } else { Buffer { hold_back, cap } };
        PairPolicy { owner, same_window, buffer }
    })
}

/// One of our writes that BigCommerce has applied but may not show yet.
#[derive(Debug, Clone, Copy)]
struct Lagging {
    landed_at: DateTime<Utc>,
    adjust: i64,
    before: i64,
}

#[derive(Debug)]
struct World {
    policy: PairPolicy,
    key: CellKey,
    stores: SidePair<i64>,
    /// The model: the initial stock plus every change made outside Tillbridge.
    truth: i64,
    ledger: Ledger,
    /// The runtime's queue: at most one waiting write per (cell, store), the newest plan's.
    queued: SidePair<Option<StockWrite>>,
    /// Sent, with the answer lost; and whether the store applied it.
    in_doubt: SidePair<Option<(StockWrite, bool)>>,
    seen: Exercised,
    conflict: Option<ConflictSnapshot>,
    lagging: Vec<Lagging>,
    now: DateTime<Utc>,
    last: Outcome,
}

impl World {
    fn new(policy: PairPolicy, stock: i64) -> World {
        let stores = SidePair::new(policy.shown(Side::BigCommerce, stock), policy.shown(Side::Shopify, stock));
        World {
            policy,
            key: CellKey {
                pair: 1,
                bigcommerce_location: 1,
                shopify_location: "gid://shopify/Location/1".into(),
                bigcommerce_product: 1,
                bigcommerce_variant: 2,
                shopify_item: "gid://shopify/InventoryItem/3".into(),
                label: "TB-PROP".into(),
            },
            stores,
            truth: stock,
            ledger: Ledger { base: Some(stores), ..Ledger::default() },
            queued: SidePair::default(),
            in_doubt: SidePair::default(),
            conflict: None,
            lagging: vec![],
            seen: Exercised::default(),
            now: Utc.with_ymd_and_hms(2026, 12, 6, 7, 0, 0).single().unwrap_or_default(),
            last: Outcome::Writes,
        }
    }

    fn window(side: Side) -> Duration {
        match side {
            Side::BigCommerce => Duration::seconds(BIGCOMMERCE_ECHO_WINDOW_S),
            // Shopify reads an item's level directly, never from a lagging index.
            Side::Shopify => Duration::zero(),
        }
    }

    fn read_bigcommerce(&mut self, read: Read) -> i64 {
        let cutoff = self.now - Duration::seconds(BIGCOMMERCE_LAG_S);
        self.lagging.retain(|l| l.landed_at > cutoff);
        match (read, self.lagging.first()) {
            (Read::Fresh, _) | (_, None) => self.stores.bigcommerce,
            (Read::Snapshot, Some(first)) => first.before,
            (Read::WithoutOurWrites, Some(_)) => {
                self.stores.bigcommerce - self.lagging.iter().map(|l| l.adjust).sum::<i64>()
            }
        }
    }

    fn apply(&mut self, write: &StockWrite) {
        if write.side == Side::BigCommerce {
            self.lagging.push(Lagging { landed_at: self.now, adjust: write.adjust, before: self.stores.bigcommerce });
        }
        *self.stores.get_mut(write.side) += write.adjust;
    }

    fn land(&mut self, write: &StockWrite) {
        let landed = self.ledger.land(write, self.now, World::window(write.side));
        assert_eq!(landed, Ok(()), "a write the store applied is always admitted when its answer comes back");
    }

    fn cycle(&mut self, read: Read) {
        let seen = SidePair::new(Level::Stocked(self.read_bigcommerce(read)), Level::Stocked(self.stores.shopify));
        let input = CellInput {
            key: self.key.clone(),
            policy: self.policy,
            ledger: self.ledger.clone(),
            seen,
            in_flight: self.in_doubt.bigcommerce.is_some() || self.in_doubt.shopify.is_some(),
            open_conflict: self.conflict.is_some(),
        };
        let plan = plan_cell(&input, self.now);
        for note in &plan.notes {
            match note {
                Note::StaleRead { .. } => self.seen.stale_reads += 1,
                Note::Oversold { .. } => {
                    self.seen.oversold += 1;
                    if self.policy.owner == Owner::BigCommerce {
                        self.seen.clamped += 1;
                    }
                }
                _ => {}
            }
        }
        if matches!(plan.outcome, Outcome::Held(Hold::UnclearEcho { .. })) {
            self.seen.unclear_echoes += 1;
        }
        if let Some(ledger) = plan.ledger.clone() {
            self.ledger = ledger;
        }
        match &plan.outcome {
            Outcome::Held(_) => {}
            Outcome::Conflict(snapshot) => {
                // Writes queued before the conflict are superseded: the decision replaces them.
                self.conflict = Some(*snapshot);
                self.seen.conflicts += 1;
                self.queued = SidePair::default();
            }
            Outcome::InStep | Outcome::Writes => {
                for side in Side::BOTH {
                    if self.queued.get(side).is_some() {
                        self.seen.superseded += 1;
                    }
                    // A newer plan supersedes the waiting write, or cancels it when the cell
                    // needs none on that side any more.
                    *self.queued.get_mut(side) = plan.writes.iter().find(|w| w.side == side).cloned();
                }
            }
        }
        self.last = plan.outcome;
    }

    fn send(&mut self, side: Side, fate: Fate) {
        let Some(write) = self.queued.get_mut(side).take() else { return };
        if self.ledger.admits(&write).is_err() {
            self.seen.refused_stale += 1;
            return; // Stale: settled as superseded, and the next cycle plans again.
        }
        if side == Side::Shopify && self.stores.shopify != write.expect {
            self.seen.refused_cas += 1;
            return; // CHANGE_FROM_QUANTITY_STALE: re-read and re-plan, never force.
        }
        match fate {
            Fate::Lands => {
                self.apply(&write);
                self.land(&write);
            }
            Fate::LandsAfterARacingPlan => {
                self.cycle(Read::Fresh);
                self.apply(&write);
                self.land(&write);
            }
            Fate::FailsRetryable => {
                self.seen.retried += 1;
                *self.queued.get_mut(side) = Some(write);
            }
            Fate::FailsPermanently => {}
            Fate::AnswerLost { applied } => {
                if applied {
                    self.apply(&write);
                }
                self.seen.in_doubt += 1;
                *self.in_doubt.get_mut(side) = Some((write, applied));
            }
        }
    }

    /// A new process takes back the writes whose answers were lost.
    fn restart(&mut self) {
        for side in Side::BOTH {
            let Some((write, applied)) = self.in_doubt.get_mut(side).take() else { continue };
            // The stock is read back, on either store: a Shopify idempotency key covers a whole
            // request, whose rows may differ the second time, and BigCommerce adjustments are
            // relative. A read that shows neither value goes to a person, who looks the write up
            // in the store's history.
            let landed = match in_doubt(&write, *self.stores.get(side)) {
                InDoubt::Landed => true,
                InDoubt::NotLanded => false,
                InDoubt::Unclear => applied,
            };
            if landed != applied {
                // Outside changes added up to exactly what the write would have done (or undone),
                // so the store shows the value the check expected for the other answer: no read of
                // the level can tell. Counted, and the case left out of the equality below.
                self.seen.fooled += 1;
            }
            if landed {
                self.land(&write);
            } else {
                *self.queued.get_mut(side) = Some(write);
            }
        }
    }

    fn decide_sum(&mut self) {
        let Some(snapshot) = self.conflict.take() else { return };
        let stock = snapshot.chosen_stock(&self.policy, Resolution::Sum);
        self.ledger.decide(&self.policy, &snapshot, stock);
    }

    fn run(&mut self, op: Op) {
        match op {
            Op::Outside { side, delta } => {
                *self.stores.get_mut(side) += delta;
                self.truth += delta;
            }
            Op::Cycle(read) => self.cycle(read),
            Op::Send { side, fate } => self.send(side, fate),
            Op::DecideSum => self.decide_sum(),
            Op::Restart => self.restart(),
            Op::Wait { seconds } => self.now += Duration::seconds(seconds),
        }
    }

    /// Nothing more happens outside; time passes, a process restarts, a person decides what is
    /// open, and the runtime runs until the cell is in step.
    fn settle(&mut self) {
        self.now += Duration::seconds(BIGCOMMERCE_ECHO_WINDOW_S + 1);
        self.restart();
        for _ in 0..12 {
            self.decide_sum();
            self.cycle(Read::Fresh);
            // In step with no echo left to wait out: a read judged stale inside the window is
            // trusted only once the window is over.
            let echoes = self.ledger.echo.bigcommerce.is_some() || self.ledger.echo.shopify.is_some();
            if self.last == Outcome::InStep && !echoes {
                return;
            }
            for side in Side::BOTH {
                self.send(side, Fate::Lands);
            }
            self.now += Duration::seconds(BIGCOMMERCE_ECHO_WINDOW_S + 1);
        }
    }
}

impl Exercised {
    fn add(&mut self, other: &Exercised) {
        self.stale_reads += other.stale_reads;
        self.unclear_echoes += other.unclear_echoes;
        self.superseded += other.superseded;
        self.refused_stale += other.refused_stale;
        self.refused_cas += other.refused_cas;
        self.retried += other.retried;
        self.in_doubt += other.in_doubt;
        self.conflicts += other.conflicts;
        self.oversold += other.oversold;
        self.fooled += other.fooled;
        self.clamped += other.clamped;
    }
}

/// What the interleavings exercised, summed over all cases; each must be non-zero, or the
/// generator has stopped producing what the property is about.
#[derive(Debug, Default)]
struct Exercised {
    cases: u32,
    /// Cases whose final stock was compared with the model.
    checked: u32,
    stale_reads: u32,
    unclear_echoes: u32,
    superseded: u32,
    refused_stale: u32,
    refused_cas: u32,
    retried: u32,
    in_doubt: u32,
    conflicts: u32,
    oversold: u32,
    /// Oversells under BigCommerce ownership: BigCommerce stops at zero and the units sold
    /// beyond it are reported, not kept, so the model (which keeps them) no longer applies.
    clamped: u32,
    fooled: u32,
}

#[test]
fn every_outside_change_is_counted_exactly_once() {
    // Some cases cannot be compared with the model (see `clamped` and `fooled`); enough run that
    // at least 10,000 are.
    let cases = 14_000;
    let mut runner = TestRunner::new(ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() });
    let totals = RefCell::new(Exercised::default());
    let strategy = (policy(), 0i64..=20, prop::collection::vec(op(), 1..48));
    let result = runner.run(&strategy, |(policy, stock, ops)| {
        let mut world = World::new(policy, stock);
        for op in &ops {
            world.run(*op);
        }
        world.settle();
        let mut totals = totals.borrow_mut();
        totals.cases += 1;
        totals.add(&world.seen);
        if world.seen.clamped > 0 {
            return Ok(());
        }
        if world.seen.fooled > 0 {
            // BigCommerce cannot say whether an adjustment landed; see `restart`. Counted, and
            // left out of the equality, which no check could make true.
            return Ok(());
        }
        totals.checked += 1;
        prop_assert_eq!(&world.last, &Outcome::InStep, "the cell settles: {:?}", world);
        let primary = policy.primary();
        prop_assert_eq!(
            *world.stores.get(primary),
            world.truth,
            "the owning store holds the initial stock plus every outside change, once: {:?}",
            world
        );
        prop_assert_eq!(
            *world.stores.get(primary.other()),
            policy.shown(primary.other(), world.truth),
            "the other store shows that stock through its buffer: {:?}",
            world
        );
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let totals = totals.into_inner();
    eprintln!("stock interleavings: {totals:?}");
    assert!(totals.cases >= cases, "all {cases} interleavings ran");
    assert!(totals.checked >= 10_000, "at least 10,000 interleavings were compared with the model: {}", totals.checked);
    for (what, n) in [
        ("stale reads", totals.stale_reads),
        ("unclear echoes", totals.unclear_echoes),
        ("superseded writes", totals.superseded),
        ("writes refused as stale", totals.refused_stale),
        ("compare-and-set refusals", totals.refused_cas),
        ("retried writes", totals.retried),
        ("writes in doubt", totals.in_doubt),
        ("conflicts decided", totals.conflicts),
        ("oversells", totals.oversold),
    ] {
        assert!(n > 0, "no interleaving exercised {what}: the property says nothing about them");
    }
    assert!(totals.fooled < totals.in_doubt, "most in-doubt writes are settled by the check");
}

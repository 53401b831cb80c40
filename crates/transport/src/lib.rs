//! What the BigCommerce and Shopify clients share: how long to wait before a retry, whether an
//! error is worth retrying at all, and where each call is recorded.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
mod audit;

pub use audit::{AuditEntry, Direction, EndpointTemplate, NotATemplate, Outcome, System};

/// Whether repeating the same call can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A 5xx, a timeout, a reset connection, a rate limit: the same call may succeed later.
    Retryable,
    /// Bad input, a bad token, a missing scope: repeating changes nothing until a person acts.
    Permanent,
}

/// A source of uniform numbers in `[0, 1)` for jitter. Passed in, so tests are reproducible.
pub trait Jitter: Send + Sync + std::fmt::Debug {
    fn unit(&self) -> f64;
}

/// SplitMix64 behind a lock; seeded by the caller (the CLI seeds it from the clock).
#[derive(Debug)]
pub struct SeededJitter(Mutex<u64>);

impl SeededJitter {
    pub fn new(seed: u64) -> SeededJitter {
        SeededJitter(Mutex::new(seed))
    }
}

impl Jitter for SeededJitter {
    fn unit(&self) -> f64 {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Exponential backoff with "equal jitter": half the step is fixed, half random, so retries from
/// many tasks spread out without ever retrying immediately.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// BigCommerce asks for several retries with growing delays on 5xx; a minute cap keeps a
    /// sync moving while a store recovers.
    fn default() -> Backoff {
        Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(60), max_attempts: 6 }
    }
}

impl Backoff {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: u32, jitter: &dyn Jitter) -> Duration {
        let step = self.base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1))).min(self.cap);
        let half = step / 2;
        half + half.mul_f64(jitter.unit().clamp(0.0, 1.0))
    }

    pub fn gives_up_after(&self, attempt: u32) -> bool {
        attempt >= self.max_attempts
    }
}

/// The correlation id of the work a request belongs to, carried through a task so every audit row
/// of a job's requests names the job, however deep in a client the request is made.
pub mod correlation {
    use std::future::Future;

    tokio::task_local! {
        static CURRENT: String;
    }

    /// Runs `work` with `id` as the correlation id of every request it makes.
    pub async fn scope<F: Future>(id: String, work: F) -> F::Output {
        CURRENT.scope(id, work).await
    }

    /// The correlation id of the work in progress, if the caller set one.
    pub fn current() -> Option<String> {
        CURRENT.try_with(Clone::clone).ok()
    }
}

/// Where every API call is recorded. The local store implements it; tests use [`MemoryAudit`].
/// A sink must not fail the call it describes: it logs its own trouble instead.
pub trait AuditSink: Send + Sync + std::fmt::Debug {
    fn record(&self, entry: AuditEntry);
}

#[derive(Debug, Default, Clone)]
pub struct MemoryAudit(Arc<Mutex<Vec<AuditEntry>>>);

impl MemoryAudit {
    pub fn entries(&self) -> Vec<AuditEntry> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl AuditSink for MemoryAudit {
    fn record(&self, entry: AuditEntry) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
    }
}

/// Why a client holds its next request back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum WaitCause {
    /// A 5xx, a timeout or a cut connection: the same request goes again after a backoff.
    NotAnswering,
    /// The store's quota or cost bucket is spent (or it answered 429): the request waits for it.
    RateLimited,
}

/// Waits shorter than this are ordinary pacing, not worth telling a person about.
pub const ANNOUNCED_WAIT: Duration = Duration::from_secs(1);

/// Where a client says it is about to wait, so a run's progress can say what it waits on instead
/// of an estimate that stands still. Like [`AuditSink`], it must not fail the wait it hears of.
pub trait WaitSink: Send + Sync + std::fmt::Debug {
    fn waiting(&self, system: System, cause: WaitCause, wait: Duration);
}

/// A sink that hears nothing: for clients whose waits nobody watches (tests, benchmarks).
#[derive(Debug, Default, Clone, Copy)]
pub struct UnwatchedWaits;

impl WaitSink for UnwatchedWaits {
    fn waiting(&self, _: System, _: WaitCause, _: Duration) {}
}

/// Everything a store client needs besides the connection itself; shared by clones.
#[derive(Debug, Clone)]
pub struct ClientParts {
    pub audit: Arc<dyn AuditSink>,
    pub jitter: Arc<dyn Jitter>,
    pub clock: Arc<dyn WallClock>,
    pub backoff: Backoff,
    /// Per request, connect to last byte.
    pub timeout: Duration,
    /// Hears the waits worth telling a person about.
    pub waits: Arc<dyn WaitSink>,
}

impl ClientParts {
    /// Tells the wait sink about a wait of `system`'s client, when it is long enough to notice.
    pub fn announce_wait(&self, system: System, cause: WaitCause, wait: Duration) {
        if wait >= ANNOUNCED_WAIT {
            self.waits.waiting(system, cause, wait);
        }
    }

    /// The HTTP client both store clients use: the per-request timeout from these parts, a short
    /// connect timeout so an unreachable store fails fast, and a User-Agent naming Tillbridge, as
    /// BigCommerce asks integrations to send.
    pub fn http_client(&self) -> Result<reqwest::Client, String> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("Tillbridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

/// Where the clients get wall-clock time for audit rows. (Pacing uses tokio's monotonic clock.)
pub trait WallClock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Fixed(f64);
    impl Jitter for Fixed {
        fn unit(&self) -> f64 {
            self.0
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_never_retries_at_once() {
        let b = Backoff { base: Duration::from_millis(100), cap: Duration::from_millis(800), max_attempts: 5 };
        let lows: Vec<u128> = (1..=6).map(|a| b.delay(a, &Fixed(0.0)).as_millis()).collect();
        let highs: Vec<u128> = (1..=6).map(|a| b.delay(a, &Fixed(0.999_999)).as_millis()).collect();
        assert_eq!(lows, vec![50, 100, 200, 400, 400, 400], "half of each step is fixed, so no retry is immediate");
        assert!(
            highs.iter().zip([100, 200, 400, 800, 800, 800]).all(|(h, s)| *h <= s),
            "no delay exceeds its step or the cap"
        );
        assert!(b.gives_up_after(5) && !b.gives_up_after(4), "max_attempts counts the first attempt");
    }

    #[test]
    fn seeded_jitter_is_uniform_and_reproducible() {
        let a = SeededJitter::new(3);
        let b = SeededJitter::new(3);
        let xs: Vec<f64> = (0..1000).map(|_| a.unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)), "jitter stays in [0, 1)");
        assert_eq!(xs[..5], (0..5).map(|_| b.unit()).collect::<Vec<_>>()[..], "the same seed repeats");
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((0.45..0.55).contains(&mean), "roughly uniform, mean {mean}");
    }
}

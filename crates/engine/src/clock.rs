use chrono::{DateTime, Utc};

/// Where the engine gets the time. Tests pass a fixed or stepping clock so that retry times,
/// cursors and audit rows are reproducible.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

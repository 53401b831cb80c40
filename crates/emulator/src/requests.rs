//! Counts of requests by route and outcome, read by tests and benchmarks through the admin API.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Default)]
pub struct RequestLog {
    counts: Mutex<BTreeMap<(String, String), u64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteCount {
    /// "METHOD /path/template", or "graphql OperationName" for Shopify.
    pub route: String,
    /// The HTTP status, or a named outcome such as "THROTTLED".
    pub outcome: String,
    pub count: u64,
}

impl RequestLog {
    pub fn record(&self, route: &str, outcome: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry((route.to_string(), outcome.to_string())).or_default() += 1;
    }

    pub fn snapshot(&self) -> Vec<RouteCount> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .iter()
            .map(|((route, outcome), &count)| RouteCount { route: route.clone(), outcome: outcome.clone(), count })
            .collect()
    }

    pub fn total(&self) -> u64 {
        self.snapshot().iter().map(|c| c.count).sum()
    }

    pub fn with_outcome(&self, outcome: &str) -> u64 {
        self.snapshot().iter().filter(|c| c.outcome == outcome).map(|c| c.count).sum()
    }

    pub fn reset(&self) {
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

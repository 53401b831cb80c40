//! What one API call or webhook looks like in the audit trail. The clients produce these entries;
//! whoever implements [`crate::AuditSink`] (the local store, or [`crate::MemoryAudit`] in tests) keeps them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The two commerce systems Tillbridge talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum System {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    Shopify,
}

impl System {
    pub const ALL: [System; 2] = [System::BigCommerce, System::Shopify];

    pub fn as_str(self) -> &'static str {
        match self {
            System::BigCommerce => "bigcommerce",
            System::Shopify => "shopify",
        }
    }

    pub fn parse(s: &str) -> Option<System> {
        match s {
            "bigcommerce" => Some(System::BigCommerce),
            "shopify" => Some(System::Shopify),
            _ => None,
        }
    }
}

impl std::fmt::Display for System {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            System::BigCommerce => "BigCommerce",
            System::Shopify => "Shopify",
        })
    }
}

/// A concrete URL or value offered where an endpoint template belongs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not an endpoint template: templates name the route (\"/v3/catalog/products/{{id}}\"), never ids, emails or query values"
)]
pub struct NotATemplate(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// We called the store's API.
    Outbound,
    /// The store called us (a webhook).
    Inbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    RateLimited,
    RetryableError,
    PermanentError,
    /// An inbound call we refused: bad signature or malformed body.
    Rejected,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Outbound => "outbound",
            Direction::Inbound => "inbound",
        }
    }
    pub fn parse(s: &str) -> Direction {
        if s == "inbound" { Direction::Inbound } else { Direction::Outbound }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::RateLimited => "rate_limited",
            Outcome::RetryableError => "retryable_error",
            Outcome::PermanentError => "permanent_error",
            Outcome::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Outcome {
        match s {
            "success" => Outcome::Success,
            "rate_limited" => Outcome::RateLimited,
            "retryable_error" => Outcome::RetryableError,
            "rejected" => Outcome::Rejected,
            _ => Outcome::PermanentError,
        }
    }
}

/// A route or operation name with its variable parts left as `{placeholders}`.
///
/// The audit log is kept for years and shown to support staff; a concrete URL could carry a
/// customer id, an email or a search term. Construction refuses anything that looks like one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EndpointTemplate(String);

impl EndpointTemplate {
    pub fn new(template: impl Into<String>) -> Result<EndpointTemplate, NotATemplate> {
        let t: String = template.into();
        let looks_concrete = t.is_empty()
            || t.contains(['?', '@', '&', '='])
            || t.contains("gid://")
            || t.split(['/', ' ', ':']).any(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()));
        if looks_concrete { Err(NotATemplate(t)) } else { Ok(EndpointTemplate(t)) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One API call or webhook, as it is about to be appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub system: System,
    pub direction: Direction,
    pub method: String,
    pub endpoint: EndpointTemplate,
    pub status: Option<u16>,
    pub duration_ms: u64,
    pub attempt: u32,
    pub correlation_id: String,
    pub outcome: Outcome,
    /// Requests (BigCommerce) or cost points (Shopify) left after the call, when the API said.
    pub budget_left: Option<i64>,
}

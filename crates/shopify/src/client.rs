//! The request loop every Shopify call goes through: pace by cost, send, record, classify, retry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant as StdInstant;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tillbridge_secrets::Secret;
use tillbridge_transport::{AuditEntry, ClientParts, Direction, EndpointTemplate, Outcome, System, WaitCause};

use crate::error::ShopifyError;
use crate::governor::{Answer, CostGovernor, ThrottleStatus};

/// The Admin API version Tillbridge is written against.
pub const DEFAULT_API_VERSION: &str = "2026-10";

#[derive(Debug, Clone)]
pub struct ShopifyConnection {
    /// `https://{shop}.myshopify.com` in production; the emulator's address in tests.
    pub shop_url: String,
    pub api_version: String,
    pub token: Secret,
}

/// A named GraphQL document with the cost Tillbridge expects it to have before it has seen one.
///
/// `estimated_cost` is the requested cost of the largest call Tillbridge makes with it (full
/// pages, full id batches), worked out with Shopify's cost rules. The governor reserves the
/// larger of it and the cost Shopify last reported, so a smaller call never teaches it to
/// under-reserve for a bigger one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub name: &'static str,
    pub document: &'static str,
    pub estimated_cost: u32,
}

#[derive(Debug, Clone)]
pub struct ShopifyClient {
    inner: Arc<Inner>,
    correlation_id: Arc<str>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    url: String,
    version: String,
    token: Secret,
    governor: CostGovernor,
    /// The last requested cost Shopify reported per operation: the best estimate for the next call.
    learned_cost: Mutex<HashMap<&'static str, f64>>,
    /// Points the store charged this client (actual costs), for benchmarks and the status screen.
    points_spent: Mutex<f64>,
    parts: ClientParts,
}

/// How many THROTTLED answers in a row one call tolerates before giving up to the job queue.
const MAX_THROTTLED: u32 = 20;

impl ShopifyClient {
    pub fn new(conn: &ShopifyConnection, parts: ClientParts) -> Result<ShopifyClient, ShopifyError> {
        let http = parts.http_client().map_err(|detail| ShopifyError::Network { operation: "setup".into(), detail })?;
        let url = format!("{}/admin/api/{}/graphql.json", conn.shop_url.trim_end_matches('/'), conn.api_version);
        Ok(ShopifyClient {
            inner: Arc::new(Inner {
                http,
                url,
                version: conn.api_version.clone(),
                token: conn.token.clone(),
                governor: CostGovernor::default(),
                learned_cost: Mutex::default(),
                points_spent: Mutex::default(),
                parts,
            }),
            correlation_id: Arc::from("-"),
        })
    }

    /// The same client (same bucket) labelling its calls with `id` in the audit log.
    pub fn correlated(&self, id: &str) -> ShopifyClient {
        ShopifyClient { inner: self.inner.clone(), correlation_id: Arc::from(id) }
    }

    fn estimate(&self, op: &Operation) -> f64 {
        let learned = self.inner.learned_cost.lock().unwrap_or_else(|p| p.into_inner());
        learned.get(op.name).copied().unwrap_or(0.0).max(f64::from(op.estimated_cost))
    }

    /// The plain HTTP client, for downloads that must not carry the access token (bulk
    /// results live on a signed storage URL outside the shop).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Cost points the store has charged this client and its clones so far.
    pub fn points_spent(&self) -> f64 {
        *self.inner.points_spent.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn parts(&self) -> &ClientParts {
        &self.inner.parts
    }

    pub(crate) fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    /// Runs `op` and returns its `data`. Every operation Tillbridge sends is a read, an absolute
    /// set, or a mutation carrying an `@idempotent` key derived from the job, so resending after a
    /// failure cannot apply anything twice.
    pub async fn execute<V: Serialize, R: DeserializeOwned>(
        &self,
        op: &Operation,
        variables: &V,
    ) -> Result<R, ShopifyError> {
        let body = json!({ "query": op.document, "operationName": op.name, "variables": variables });
        let endpoint = EndpointTemplate::new(format!("graphql {}", op.name))
            .map_err(|e| ShopifyError::Rejected { operation: op.name.into(), message: e.to_string() })?;
        let backoff = self.inner.parts.backoff;
        let (mut failures, mut throttled, mut sends) = (0u32, 0u32, 0u32);
        loop {
            let cost = self.estimate(op);
            let parts = &self.inner.parts;
            let ticket = self
                .inner
                .governor
                .acquire_announcing(cost, |wait| parts.announce_wait(System::Shopify, WaitCause::RateLimited, wait))
                .await;
            sends += 1;
            let started = StdInstant::now();
            let result = self
                .inner
                .http
                .post(&self.inner.url)
                .header("X-Shopify-Access-Token", self.inner.token.expose())
                .json(&body)
                .send()
                .await;
            let response = match result {
                Ok(res) => {
                    let status = res.status();
                    res.text().await.map(|text| (status, text))
                }
                Err(e) => Err(e),
            };
            let (status, text) = match response {
                Ok(reply) => reply,
                // Not sent, or the reply was cut off. Safe to resend: see the note on `execute`.
                Err(e) => {
                    // A cut connection may still have run the query: count its cost as spent.
                    self.inner.governor.settle(ticket, Answer { status: None, spent: cost });
                    self.audit(&endpoint, None, started, sends, Outcome::RetryableError);
                    failures += 1;
                    if backoff.gives_up_after(failures) {
                        return Err(ShopifyError::Network { operation: op.name.into(), detail: scrub(&e) });
                    }
                    tracing::debug!(operation = op.name, attempt = sends, detail = %scrub(&e), "no answer from Shopify; resending the same request");
                    let delay = backoff.delay(failures, self.inner.parts.jitter.as_ref());
                    self.inner.parts.announce_wait(System::Shopify, WaitCause::NotAnswering, delay);
                    tokio::time::sleep(delay).await;
                    continue;
                }
            };
            let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let code = status.as_u16();
            let is_throttled = code == 429 || is_throttled_body(&parsed);
            let cost_ext = parsed.pointer("/extensions/cost");
            let throttle = cost_ext.and_then(throttle_status);
            // A throttled request ran nothing; otherwise Shopify says what it took, and without a
            // report (a 5xx page) we assume it took all it asked for.
            let spent = if is_throttled {
                0.0
            } else {
                cost_ext.and_then(|c| c.get("actualQueryCost")).and_then(Value::as_f64).unwrap_or(cost)
            };
            // Zero is what a throttled answer reports when it never priced the query; learning it
            // would let the next attempt go out unpaced.
            if let Some(requested) =
                cost_ext.and_then(|c| c.get("requestedQueryCost")).and_then(Value::as_f64).filter(|r| *r > 0.0)
            {
                self.inner.learned_cost.lock().unwrap_or_else(|p| p.into_inner()).insert(op.name, requested);
            }
            self.inner.governor.settle(ticket, Answer { status: throttle, spent });
            *self.inner.points_spent.lock().unwrap_or_else(|p| p.into_inner()) += spent;

            if is_throttled {
                throttled += 1;
                self.audit(&endpoint, Some(code), started, sends, Outcome::RateLimited);
                if throttled >= MAX_THROTTLED {
                    return Err(ShopifyError::Throttled { operation: op.name.into(), attempts: throttled });
                }
                tracing::debug!(
                    operation = op.name,
                    attempt = sends,
                    "Shopify throttled the request; waiting for the bucket to refill"
                );
                if throttle.is_none() {
                    // No bucket report (a 429 from the edge): back off rather than guess.
                    let delay = backoff.delay(throttled, self.inner.parts.jitter.as_ref());
                    self.inner.parts.announce_wait(System::Shopify, WaitCause::RateLimited, delay);
                    tokio::time::sleep(delay).await;
                }
                continue;
            }
            if status.is_server_error() {
                self.audit(&endpoint, Some(code), started, sends, Outcome::RetryableError);
                failures += 1;
                if backoff.gives_up_after(failures) {
                    return Err(ShopifyError::Server { operation: op.name.into(), status: code, attempts: failures });
                }
                tracing::debug!(
                    operation = op.name,
                    status = code,
                    attempt = sends,
                    "Shopify failed the request; retrying after a pause"
                );
                let delay = backoff.delay(failures, self.inner.parts.jitter.as_ref());
                self.inner.parts.announce_wait(System::Shopify, WaitCause::NotAnswering, delay);
                tokio::time::sleep(delay).await;
                continue;
            }
            let permanent = |e: ShopifyError| {
                self.audit(&endpoint, Some(code), started, sends, Outcome::PermanentError);
                Err(e)
            };
            match code {
                401 => return permanent(ShopifyError::Unauthorized),
                403 => {
                    return permanent(ShopifyError::AccessDenied {
                        operation: op.name.into(),
                        detail: first_message(&parsed),
                    });
                }
                404 => {
                    return permanent(ShopifyError::NotFound {
                        url: self.inner.url.clone(),
                        version: self.inner.version.clone(),
                    });
                }
                c if c >= 400 => {
                    return permanent(ShopifyError::Rejected {
                        operation: op.name.into(),
                        message: first_message(&parsed),
                    });
                }
                _ => {}
            }
            if let Some(errors) = parsed.get("errors").filter(|e| !e.is_null()) {
                let message = first_message(&parsed);
                let denied = errors.to_string().contains("ACCESS_DENIED");
                return permanent(if denied {
                    ShopifyError::AccessDenied { operation: op.name.into(), detail: message }
                } else {
                    ShopifyError::Rejected { operation: op.name.into(), message }
                });
            }
            self.audit(&endpoint, Some(code), started, sends, Outcome::Success);
            let data = parsed.get("data").cloned().unwrap_or(Value::Null);
            return serde_json::from_value(data)
                .map_err(|e| ShopifyError::Decode { operation: op.name.into(), detail: e.to_string() });
        }
    }

    fn audit(
        &self,
        endpoint: &EndpointTemplate,
        status: Option<u16>,
        started: StdInstant,
        attempt: u32,
        outcome: Outcome,
    ) {
        self.inner.parts.audit.record(AuditEntry {
            at: self.inner.parts.clock.now(),
            system: System::Shopify,
            direction: Direction::Outbound,
            method: "POST".into(),
            endpoint: endpoint.clone(),
            status,
            duration_ms: started.elapsed().as_millis() as u64,
            attempt,
            correlation_id: tillbridge_transport::correlation::current()
                .unwrap_or_else(|| self.correlation_id.to_string()),
            outcome,
            budget_left: self.inner.governor.available().map(|p| p.floor() as i64),
        });
    }

    /// One cheap query that proves the token works and can read locations, and names the shop and
    /// its time zone.
    pub async fn verify(&self) -> Result<ShopIdentity, ShopifyError> {
        #[derive(serde::Deserialize)]
        struct Data {
            shop: ShopIdentity,
        }
        let data: Data = self.execute(&VERIFY, &json!({})).await?;
        Ok(data.shop)
    }
}

/// Who a shop is: its display name, its permanent `*.myshopify.com` domain, and its time zone
/// (`ianaTimezone`, such as `America/Chicago`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShopIdentity {
    pub name: String,
    pub myshopify_domain: String,
    #[serde(default)]
    pub iana_timezone: Option<String>,
}

pub const VERIFY: Operation = Operation {
    name: "TillbridgeVerify",
    document: "query TillbridgeVerify { shop { name myshopifyDomain ianaTimezone } locations(first: 1) { nodes { id } } }",
    estimated_cost: 4,
};

fn throttle_status(cost: &Value) -> Option<ThrottleStatus> {
    let t = cost.get("throttleStatus")?;
    Some(ThrottleStatus {
        maximum_available: t.get("maximumAvailable")?.as_f64()?,
        currently_available: t.get("currentlyAvailable")?.as_f64()?,
        restore_rate: t.get("restoreRate")?.as_f64()?,
    })
}

fn error_code(body: &Value) -> Option<&str> {
    body.get("errors")?.as_array()?.iter().find_map(|e| e.pointer("/extensions/code")?.as_str())
}

/// THROTTLED by code, or by the bare "Throttled" message older API versions sent without one.
fn is_throttled_body(body: &Value) -> bool {
    error_code(body) == Some("THROTTLED")
        || body
            .get("errors")
            .and_then(Value::as_array)
            .is_some_and(|errors| errors.iter().any(|e| e.get("message").and_then(Value::as_str) == Some("Throttled")))
}

fn first_message(body: &Value) -> String {
    match body.get("errors") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(list)) => {
            list.iter().filter_map(|e| e.get("message")?.as_str()).collect::<Vec<_>>().join("; ")
        }
        _ => "no error message".into(),
    }
}

fn scrub(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        "the connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_recognised_with_and_without_its_code() {
        // shared/samples/shopify: the current shape, and the older one without extensions.code.
        let current = json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]});
        let legacy = json!({"errors": [{"message": "Throttled"}], "extensions": {"cost": {"requestedQueryCost": 202}}});
        let other = json!({"errors": [{"message": "Field 'skuu' doesn't exist on type 'ProductVariant'"}]});
        assert!(is_throttled_body(&current), "the documented THROTTLED code");
        assert!(is_throttled_body(&legacy), "a bare Throttled message is still a throttle, not a permanent refusal");
        assert!(!is_throttled_body(&other), "other errors are not throttles");
    }
}

//! The request loop every BigCommerce call goes through: pace, send, record, classify, retry.

use std::sync::Arc;
use std::time::{Duration, Instant as StdInstant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tillbridge_secrets::Secret;
use tillbridge_transport::{AuditEntry, ClientParts, Direction, EndpointTemplate, Outcome, System, WaitCause};

use crate::error::BcError;
use crate::governor::{Governor, QuotaReport};

/// Where a store lives and how to prove who we are.
#[derive(Debug, Clone)]
pub struct BcConnection {
    /// `https://api.bigcommerce.com` in production; the emulator's address in tests.
    pub api_url: String,
    pub store_hash: String,
    pub token: Secret,
}

/// Whether a call may simply be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// Reads, and writes that set a value (PUT): sending twice equals sending once.
    Safe,
    /// Creates and relative adjustments: sent twice, they apply twice. After a failure where the
    /// request may have arrived, the caller must check before sending again.
    OnlyIfUnsent,
}

#[derive(Debug, Clone)]
pub struct BigCommerceClient {
    pub(crate) inner: Arc<Inner>,
    correlation_id: Arc<str>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    http: reqwest::Client,
    base: String,
    token: Secret,
    governor: Governor,
    parts: ClientParts,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: bytes::Bytes,
}

/// How many 429s in a row one call tolerates before giving up to the job queue.
const MAX_RATE_LIMITED: u32 = 20;

impl BigCommerceClient {
    pub fn new(conn: &BcConnection, parts: ClientParts) -> Result<BigCommerceClient, BcError> {
        let http = parts.http_client().map_err(BcError::Invalid)?;
        let base = format!("{}/stores/{}", conn.api_url.trim_end_matches('/'), conn.store_hash);
        Ok(BigCommerceClient {
            inner: Arc::new(Inner { http, base, token: conn.token.clone(), governor: Governor::default(), parts }),
            correlation_id: Arc::from("-"),
        })
    }

    /// The API URL this client was built with (without the store path), for building a sibling client.
    #[doc(hidden)]
    pub fn base_url_for_tests(&self) -> String {
        self.inner.base.rsplit_once("/stores/").map(|(api, _)| api.to_string()).unwrap_or_default()
    }

    /// The same client (same quota, same connection) labelling its calls with `id` in the audit log.
    pub fn correlated(&self, id: &str) -> BigCommerceClient {
        BigCommerceClient { inner: self.inner.clone(), correlation_id: Arc::from(id) }
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        template: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<T>, BcError> {
        let reply = self.call(Method::GET, template, path, query, None, Resend::Safe).await?;
        if reply.status == StatusCode::NO_CONTENT || reply.body.is_empty() {
            return Ok(None);
        }
        decode(template, &reply.body).map(Some)
    }

    /// Sends one request, waiting for quota, retrying what is safe to retry, and writing one
    /// audit row per attempt.
    pub(crate) async fn call(
        &self,
        method: Method,
        template: &'static str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        resend: Resend,
    ) -> Result<Reply, BcError> {
        let endpoint = EndpointTemplate::new(template).map_err(|e| BcError::Invalid(e.to_string()))?;
        let url = format!("{}{}", self.inner.base, path);
        // `attempt` counts tries that can fail (429s are refusals, not tries); `sends` counts every
        // request put on the wire, for the audit log.
        let mut attempt = 0u32;
        let mut sends = 0u32;
        let mut rate_limited = 0u32;
        loop {
            attempt += 1;
            sends += 1;
            let parts = &self.inner.parts;
            self.inner
                .governor
                .acquire_announcing(|wait| parts.announce_wait(System::BigCommerce, WaitCause::RateLimited, wait))
                .await;
            let mut req = self
                .inner
                .http
                .request(method.clone(), &url)
                .header("X-Auth-Token", self.inner.token.expose())
                .header("Accept", "application/json")
                .query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            let started = StdInstant::now();
            let sent = req.send().await;
            let (status, headers, body_bytes) = match sent {
                Ok(res) => {
                    let status = res.status();
                    let headers = res.headers().clone();
                    match res.bytes().await {
                        Ok(b) => (status, headers, b),
                        Err(e) => {
                            // The headers came back, so the request arrived: the outcome is unknown for writes.
                            self.inner.governor.settle(quota_report(&headers));
                            self.audit(
                                &method,
                                &endpoint,
                                Some(status.as_u16()),
                                started,
                                sends,
                                Outcome::RetryableError,
                            );
                            if resend == Resend::OnlyIfUnsent {
                                return Err(BcError::OutcomeUnknown { endpoint: template.into() });
                            }
                            if self.give_up(attempt) {
                                return Err(BcError::Network { endpoint: template.into(), detail: scrub(&e) });
                            }
                            self.pause(attempt).await;
                            continue;
                        }
                    }
                }
                Err(e) => {
                    self.inner.governor.settle(None);
                    self.audit(&method, &endpoint, None, started, sends, Outcome::RetryableError);
                    if resend == Resend::OnlyIfUnsent && !e.is_connect() {
                        return Err(BcError::OutcomeUnknown { endpoint: template.into() });
                    }
                    if self.give_up(attempt) {
                        return Err(BcError::Network { endpoint: template.into(), detail: scrub(&e) });
                    }
                    self.pause(attempt).await;
                    continue;
                }
            };
            let report = quota_report(&headers);

            if status == StatusCode::TOO_MANY_REQUESTS {
                rate_limited += 1;
                attempt -= 1;
                self.audit(&method, &endpoint, Some(429), started, sends, Outcome::RateLimited);
                let reset = report.map(|r| r.reset_in);
                match reset {
                    Some(reset) => self.inner.governor.rate_limited(reset),
                    None => self.inner.governor.settle(None),
                }
                if rate_limited >= MAX_RATE_LIMITED {
                    return Err(BcError::RateLimited {
                        endpoint: template.into(),
                        attempts: rate_limited,
                        reset: reset.unwrap_or_default(),
                    });
                }
                if reset.is_none() {
                    // Platform load without quota headers: back off instead of waiting on a reset.
                    let delay = self.inner.parts.backoff.delay(rate_limited, self.inner.parts.jitter.as_ref());
                    self.inner.parts.announce_wait(System::BigCommerce, WaitCause::RateLimited, delay);
                    tokio::time::sleep(delay).await;
                }
                continue;
            }

            self.inner.governor.settle(report);
            if status.is_success() {
                self.audit(&method, &endpoint, Some(status.as_u16()), started, sends, Outcome::Success);
                return Ok(Reply { status, body: body_bytes });
            }
            if status.is_server_error() {
                self.audit(&method, &endpoint, Some(status.as_u16()), started, sends, Outcome::RetryableError);
                if resend == Resend::OnlyIfUnsent {
                    // A 5xx may come from a gateway after the store applied the write.
                    return Err(BcError::OutcomeUnknown { endpoint: template.into() });
                }
                if self.give_up(attempt) {
                    return Err(BcError::Server {
                        endpoint: template.into(),
                        status: status.as_u16(),
                        attempts: attempt,
                    });
                }
                self.pause(attempt).await;
                continue;
            }
            self.audit(&method, &endpoint, Some(status.as_u16()), started, sends, Outcome::PermanentError);
            return Err(client_error(template, status, &body_bytes));
        }
    }

    pub(crate) fn inner_backoff(&self) -> tillbridge_transport::Backoff {
        self.inner.parts.backoff
    }

    pub(crate) async fn pause_for(&self, attempt: u32) {
        self.pause(attempt).await;
    }

    fn give_up(&self, attempt: u32) -> bool {
        self.inner.parts.backoff.gives_up_after(attempt)
    }

    /// The backoff before resending to a store that did not answer.
    async fn pause(&self, attempt: u32) {
        let delay = self.inner.parts.backoff.delay(attempt, self.inner.parts.jitter.as_ref());
        self.inner.parts.announce_wait(System::BigCommerce, WaitCause::NotAnswering, delay);
        tokio::time::sleep(delay).await;
    }

    fn audit(
        &self,
        method: &Method,
        endpoint: &EndpointTemplate,
        status: Option<u16>,
        started: StdInstant,
        attempt: u32,
        outcome: Outcome,
    ) {
        self.inner.parts.audit.record(AuditEntry {
            at: self.inner.parts.clock.now(),
            system: System::BigCommerce,
            direction: Direction::Outbound,
            method: method.as_str().to_string(),
            endpoint: endpoint.clone(),
            status,
            duration_ms: started.elapsed().as_millis() as u64,
            attempt,
            correlation_id: tillbridge_transport::correlation::current()
                .unwrap_or_else(|| self.correlation_id.to_string()),
            outcome,
            budget_left: self.inner.governor.budget(),
        });
    }
}

/// reqwest's errors include the URL; ours never show query values, so keep only the kind.
fn scrub(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection refused or unreachable"
    } else if e.is_body() || e.is_decode() {
        "the response was cut off"
    } else {
        "the connection failed"
    };
    kind.to_string()
}

pub(crate) fn decode<T: DeserializeOwned>(template: &str, body: &[u8]) -> Result<T, BcError> {
    serde_json::from_slice(body).map_err(|e| BcError::Decode { endpoint: template.into(), detail: e.to_string() })
}

fn header_i64(h: &HeaderMap, name: &str) -> Option<i64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The four rate-limit headers, when all are present.
pub(crate) fn quota_report(h: &HeaderMap) -> Option<QuotaReport> {
    Some(QuotaReport {
        requests_left: header_i64(h, "x-rate-limit-requests-left")?,
        reset_in: Duration::from_millis(header_i64(h, "x-rate-limit-time-reset-ms")?.max(0) as u64),
        window: Duration::from_millis(header_i64(h, "x-rate-limit-time-window-ms")?.max(0) as u64),
        quota: header_i64(h, "x-rate-limit-requests-quota")?,
    })
}

/// A 4xx, turned into an error that names the problem; the v3 body is `{status, title, type, errors}`.
fn client_error(template: &str, status: StatusCode, body: &[u8]) -> BcError {
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    // v2 errors are arrays of {status, message}.
    let first = if parsed.is_array() { parsed.get(0).cloned().unwrap_or_default() } else { parsed };
    let title = first
        .get("title")
        .or_else(|| first.get("message"))
        .and_then(|t| t.as_str())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"))
        .to_string();
    let details = match first.get("errors") {
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect::<Vec<_>>()
            .join("; "),
        _ => first.get("detail").and_then(|d| d.as_str()).unwrap_or("").to_string(),
    };
    match status {
        StatusCode::UNAUTHORIZED => BcError::Unauthorized,
        StatusCode::FORBIDDEN => BcError::Forbidden { endpoint: template.into(), hint: scope_hint(template) },
        StatusCode::NOT_FOUND => BcError::NotFound { endpoint: template.into() },
        _ => BcError::Rejected { endpoint: template.into(), status: status.as_u16(), title, details },
    }
}

/// Which OAuth scope a route needs, so a 403 can name it.
fn scope_hint(template: &str) -> &'static str {
    if template.contains("/catalog/") {
        "Products: modify (store_v2_products)"
    } else if template.contains("/inventory/") {
        "Inventory: modify (store_inventory)"
    } else if template.contains("/orders") {
        "Orders: modify (store_v2_orders)"
    } else if template.contains("/customers") {
        "Customers: modify (store_v2_customers)"
    } else if template.contains("/channels") {
        "Channel Listings: modify (store_channel_listings)"
    } else if template.ends_with("/v2/store") {
        "Information & Settings: read-only (store_v2_information_read_only)"
    } else {
        "see the API account's scopes"
    }
}

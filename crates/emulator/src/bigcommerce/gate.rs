//! What every API request passes through before its handler: the store hash, the
//! `X-Auth-Token`, the store-wide rate-limit window (and fault storms), request counting,
//! and the injected faults.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::Shared;
use super::wire::ApiError;
use crate::faults::Faults;
use crate::net;

/// A fixed window shared by every client of the store, as BigCommerce's quota is.
#[derive(Debug)]
pub struct RateWindow {
    started: Instant,
    used: u32,
    /// When the current run of 429s began, and the latest reset time one of them gave.
    refused_at: Option<Instant>,
    reset_at: Option<Instant>,
    early: u64,
}

/// A request that arrives well after a 429 was answered but before the reset time that 429 gave is
/// early: the client did not wait as told. Requests already on their way when the 429 went out
/// (within [`EARLY_GRACE`] of it) are not counted.
pub const EARLY_GRACE: Duration = Duration::from_millis(100);

impl RateWindow {
    pub fn new() -> RateWindow {
        RateWindow { started: Instant::now(), used: 0, refused_at: None, reset_at: None, early: 0 }
    }

    /// Requests that came before a 429's reset time, since the stores started.
    pub fn early_requests(&self) -> u64 {
        self.early
    }

    /// Spends one unit of quota (or refuses during a storm) and says what to tell the client.
    pub fn admit(&mut self, quota: u32, window: Duration, storm: Option<Duration>) -> Ticket {
        let now = Instant::now();
        if let (Some(refused), Some(reset)) = (self.refused_at, self.reset_at)
            && now < reset
            && now > refused + EARLY_GRACE
        {
            self.early += 1;
        }
        let ticket = self.ticket(now, quota, window, storm);
        if ticket.refused {
            if self.reset_at.is_none_or(|r| r <= now) {
                self.refused_at = Some(now);
            }
            self.reset_at = Some(self.reset_at.map_or(now + ticket.reset, |r| r.max(now + ticket.reset)));
        }
        ticket
    }

    fn ticket(&mut self, now: Instant, quota: u32, window: Duration, storm: Option<Duration>) -> Ticket {
        if now.duration_since(self.started) >= window {
            self.started = now;
            self.used = 0;
        }
        self.used = self.used.saturating_add(1);
        let reset = window.saturating_sub(now.duration_since(self.started));
        if let Some(storm) = storm {
            return Ticket { window, reset: storm, quota, left: 0, refused: true };
        }
        Ticket { window, reset, quota, left: quota.saturating_sub(self.used), refused: self.used > quota }
    }

    pub fn reset(&mut self) {
        self.started = Instant::now();
        self.used = 0;
        self.refused_at = None;
        self.reset_at = None;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    pub window: Duration,
    pub reset: Duration,
    pub quota: u32,
    pub left: u32,
    pub refused: bool,
}

impl Ticket {
    fn stamp(&self, headers: &mut HeaderMap) {
        let pairs = [
            ("x-rate-limit-time-window-ms", self.window.as_millis().to_string()),
            ("x-rate-limit-time-reset-ms", self.reset.as_millis().to_string()),
            ("x-rate-limit-requests-quota", self.quota.to_string()),
            ("x-rate-limit-requests-left", self.left.to_string()),
        ];
        for (name, value) in pairs {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
    }

    fn too_many(&self) -> Response {
        let wait_ms = self.reset.as_millis();
        let mut res = ApiError::v3(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
            .with_detail(format!(
                "The store's quota of {} requests per {} ms is used up; wait X-Rate-Limit-Time-Reset-Ms ({wait_ms} ms) before sending the next request",
                self.quota,
                self.window.as_millis()
            ))
            .into_response();
        self.stamp(res.headers_mut());
        let retry_after_s = self.reset.as_millis().div_ceil(1000).max(1);
        if let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string()) {
            res.headers_mut().insert("x-retry-after", v);
        }
        res
    }
}

/// Records a request's outcome when it finishes, or "dropped" when its connection is cut
/// before a response is written (the future is dropped mid-flight).
struct Tally<'a> {
    shared: &'a Shared,
    route: String,
    done: bool,
}

impl Tally<'_> {
    fn finish(mut self, status: StatusCode) {
        self.shared.requests.record(&self.route, status.as_str());
        self.done = true;
    }
}

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.shared.requests.record(&self.route, "dropped");
        }
    }
}

/// Store hash, token, quota and counting for every API route.
pub async fn gate(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let route = net::route_of(&req);
    let tally = Tally { shared: &shared, route, done: false };
    let hash = req.uri().path().strip_prefix("/stores/").and_then(|rest| rest.split('/').next()).unwrap_or_default();
    if hash != shared.config.store_hash {
        let res = ApiError::v3(
            StatusCode::NOT_FOUND,
            format!(
                "No store with hash \"{hash}\" is served here; use /stores/{}/... as the base path",
                shared.config.store_hash
            ),
        )
        .into_response();
        tally.finish(res.status());
        return res;
    }
    let token = req.headers().get("x-auth-token").and_then(|v| v.to_str().ok());
    if token != Some(shared.config.access_token.as_str()) {
        let title = if token.is_none() {
            "Missing X-Auth-Token header; send the store API account's access token in X-Auth-Token"
        } else {
            "Invalid X-Auth-Token; the access token is not valid for this store, check the API account's token"
        };
        let res = ApiError::v3(StatusCode::UNAUTHORIZED, title).into_response();
        tally.finish(res.status());
        return res;
    }
    let (quota, window) = {
        let settings = shared.settings();
        (settings.quota, settings.window)
    };
    let ticket = shared.limiter().admit(quota, window, shared.faults.storm_remaining());
    if ticket.refused {
        let res = ticket.too_many();
        tally.finish(res.status());
        return res;
    }
    let mut res = next.run(req).await;
    ticket.stamp(res.headers_mut());
    tally.finish(res.status());
    res
}

/// Latency, injected 5xx and cut connections, after the gate so they count against the quota.
pub async fn faults(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    net::inject_faults(&faults, render_5xx, req, next).await
}

fn render_5xx(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    ApiError::v3(
        status,
        format!(
            "{} (injected fault); retry with increasing delays",
            status.canonical_reason().unwrap_or("Server error")
        ),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_before_a_429s_reset_time_is_counted_early_unless_it_was_already_on_its_way() {
        let mut w = RateWindow::new();
        let window = Duration::from_secs(30);
        assert!(!w.admit(1, window, None).refused, "the quota's one request");
        assert!(w.admit(1, window, None).refused, "the next is refused until the window resets");
        assert!(w.admit(1, window, None).refused, "one sent before the 429 came back");
        assert_eq!(w.early_requests(), 0, "requests already on their way when the 429 went out are not early");
        std::thread::sleep(EARLY_GRACE + Duration::from_millis(20));
        assert!(w.admit(1, window, None).refused);
        assert_eq!(w.early_requests(), 1, "one sent after the 429 was answered, before its reset time, is early");
    }
}

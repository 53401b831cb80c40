//! Who may use the panel.
//!
//! - **Host.** A browser sends the name it used in `Host`. A page elsewhere that rebinds its DNS
//!   name to this machine still sends its own name, so only this port's loopback names pass, plus
//!   the names the operator allowed with `--allowed-host`.
//! - **Origin.** A page on another site may POST here; browsers name its origin, and only the
//!   panel's own pages pass.
//! - **Token.** Reached from another machine (`--allowed-host`), every request needs the access
//!   token: as `Authorization: Bearer …`, or as the session cookie the login page sets. Without it
//!   an API call gets 401 and has no effect, and a page is sent to the login page.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tillbridge_engine::{ApiError, quoted};
use tillbridge_secrets::Secret;

use crate::HttpError;

/// The cookie the login page sets.
const SESSION_COOKIE: &str = "tillbridge_session";

/// What the guard checks every request against.
#[derive(Clone)]
pub(crate) struct Access {
    /// `host[:port]` values a request's `Host` may carry.
    hosts: Arc<Vec<String>>,
    /// Present when the panel is reached from other machines.
    token: Option<Arc<Secret>>,
}

impl Access {
    pub(crate) fn new(port: u16, allowed_hosts: &[String], token: Option<Secret>) -> Access {
        let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
        for name in allowed_hosts {
            let name = name.trim().to_ascii_lowercase();
            // Behind a proxy on the default port a browser sends the bare name.
            hosts.push(format!("{name}:{port}"));
            hosts.push(name);
        }
        Access { hosts: Arc::new(hosts), token: token.map(Arc::new) }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        self.hosts.iter().any(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
    }

    /// Whether the request carries the token, as a bearer header or the session cookie.
    fn presents_token(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.token else { return true };
        let expected = token.expose().as_bytes();
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| same(given.trim().as_bytes(), expected));
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == SESSION_COOKIE && same(value.as_bytes(), expected));
        bearer || cookie
    }

    fn check_token(&self, given: &str) -> bool {
        self.token.as_ref().is_some_and(|t| same(given.trim().as_bytes(), t.expose().as_bytes()))
    }
}

/// Compares in time that does not depend on where the first difference is.
fn same(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The guard in front of every route.
pub(crate) async fn guard(State(access): State<Access>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !access.host_allowed(host) {
        return HttpError(ApiError::invalid(format!(
            "this Tillbridge panel does not answer to the name {} (the request's Host); open it at http://{}/, or start it with --allowed-host NAME",
            quoted(host),
            access.hosts[0]
        )))
        .into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok())
        && !access.origin_allowed(origin)
    {
        return HttpError(ApiError::invalid(format!(
            "this Tillbridge panel takes requests only from its own pages (the request came from Origin {})",
            quoted(origin)
        )))
        .into_response();
    }
    let path = req.uri().path();
    if path != "/login" && !access.presents_token(headers) {
        if path.starts_with("/api/") {
            let error = ApiError::invalid(
                "this Tillbridge panel needs its access token: sign in at /login, or send Authorization: Bearer TOKEN (the token is printed by `tillbridge serve` and kept in its secret store)",
            );
            return (StatusCode::UNAUTHORIZED, axum::Json(error)).into_response();
        }
        return Redirect::to("/login").into_response();
    }
    let mut res = next.run(req).await;
    res.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    res
}

const LOGIN_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Tillbridge: sign in</title>\
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}\
input{width:100%;padding:.5rem;margin:.5rem 0;font:inherit}button{padding:.5rem 1rem;font:inherit}\
.error{color:#a11}</style><h1>Tillbridge</h1>\
<p>This control panel is reached over the network, so it asks for its access token. \
<code>tillbridge serve</code> printed it when it started.</p>{error}\
<form method=post action=/login><label>Access token<input name=token type=password autocomplete=current-password autofocus required></label>\
<button type=submit>Sign in</button></form>";

pub(crate) async fn login_page() -> Html<String> {
    Html(LOGIN_PAGE.replace("{error}", ""))
}

#[derive(serde::Deserialize)]
struct LoginForm {
    token: String,
}

/// Checks the token from the login form and, when it is right, sets the session cookie.
pub(crate) async fn login(State(access): State<Access>, body: axum::body::Bytes) -> Response {
    let given = serde_urlencoded::from_bytes::<LoginForm>(&body).map(|f| f.token).unwrap_or_default();
    if !access.check_token(&given) {
        let page = LOGIN_PAGE.replace("{error}", "<p class=error>That is not this panel's access token.</p>");
        return (StatusCode::UNAUTHORIZED, Html(page)).into_response();
    }
    let cookie = format!("{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/", given.trim());
    let mut res = Redirect::to("/").into_response();
    match HeaderValue::from_str(&cookie) {
        Ok(v) => {
            res.headers_mut().insert(header::SET_COOKIE, v);
            res
        }
        Err(_) => HttpError(ApiError::internal("the session cookie could not be set")).into_response(),
    }
}

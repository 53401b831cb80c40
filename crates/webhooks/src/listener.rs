//! The receiver's HTTP side: two routes, a body limit, and answers in `{code, message}` form.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use tillbridge_engine::webhooks::BIGCOMMERCE_HEADER;
use tillbridge_engine::{App, InboundWebhook, WebhookSecrets};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::parse::{self, Headers};
use crate::verify::{self, Refusal, StandardHeaders};

/// The largest body accepted. Shopify's order payloads run to tens of kilobytes, BigCommerce's are
/// a few hundred bytes; a megabyte leaves room and refuses a flood.
pub const MAX_BODY: usize = 1024 * 1024;

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({ "code": code, "message": message }))).into_response()
}

fn refused(r: &Refusal) -> Response {
    match r {
        Refusal::Unauthenticated(m) => answer(StatusCode::UNAUTHORIZED, "unauthenticated", m),
        Refusal::Malformed(m) => answer(StatusCode::BAD_REQUEST, "malformed", m),
    }
}

fn rejection(e: &BytesRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("the body is over {MAX_BODY} bytes; no store sends deliveries that large"),
        )
    } else {
        answer(e.status(), "malformed", &e.body_text())
    }
}

async fn deliver(app: &App, hook: InboundWebhook) -> Response {
    let source = hook.source;
    let topic = hook.topic.clone();
    match app.receive_webhook(hook).await {
        Ok(receipt) => {
            tracing::info!(source = source.as_str(), topic = %topic, duplicate = receipt.duplicate, woke = receipt.woke, "webhook");
            (StatusCode::OK, axum::Json(json!({ "received": true, "duplicate": receipt.duplicate }))).into_response()
        }
        // Not recorded: the store's retry brings it again, and the polls find the change anyway.
        Err(e) => {
            tracing::warn!(source = source.as_str(), topic = %topic, error = %e, "a webhook could not be recorded");
            answer(StatusCode::SERVICE_UNAVAILABLE, "unavailable", &e.message)
        }
    }
}

/// The body and the signing secrets, or the answer that refuses the delivery.
async fn body_and_secrets(
    app: &App,
    body: Result<Bytes, BytesRejection>,
) -> Result<(Bytes, WebhookSecrets), Box<Response>> {
    let body = body.map_err(|e| Box::new(rejection(&e)))?;
    let secrets = app
        .webhook_secrets()
        .await
        .map_err(|e| Box::new(answer(StatusCode::SERVICE_UNAVAILABLE, "unavailable", &e.message)))?;
    Ok((body, secrets))
}

async fn shopify(State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let (body, secrets) = match body_and_secrets(&app, body).await {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let Some(secret) = secrets.shopify else {
        return refused(&Refusal::Unauthenticated(
            "no Shopify signing secret is set: `tillbridge webhooks secret shopify` keeps the app's client secret"
                .into(),
        ));
    };
    if let Err(r) = verify::shopify(secret.expose().as_bytes(), &body, Headers::get(&headers, "x-shopify-hmac-sha256"))
    {
        return refused(&r);
    }
    match parse::shopify(&headers, &body) {
        Ok(hook) => deliver(&app, hook).await,
        Err(r) => refused(&r),
    }
}

async fn bigcommerce(State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    let (body, secrets) = match body_and_secrets(&app, body).await {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let Some(secret) = secrets.bigcommerce else {
        return refused(&Refusal::Unauthenticated(
            "no BigCommerce signing secret is set: `tillbridge webhooks secret bigcommerce` keeps the app's client secret"
                .into(),
        ));
    };
    let standard = StandardHeaders {
        id: Headers::get(&headers, "webhook-id"),
        timestamp: Headers::get(&headers, "webhook-timestamp"),
        signature: Headers::get(&headers, "webhook-signature"),
    };
    if let Err(r) = verify::bigcommerce(secret.expose().as_bytes(), standard, &body, app.now()) {
        return refused(&r);
    }
    // Hooks Tillbridge registered carry its custom header too; when one is set, it must match.
    if let Some(expected) = &secrets.bigcommerce_header
        && !verify::same_secret(expected.expose().as_bytes(), Headers::get(&headers, BIGCOMMERCE_HEADER))
    {
        return refused(&Refusal::Unauthenticated(format!("{BIGCOMMERCE_HEADER} is missing or wrong")));
    }
    match parse::bigcommerce(&headers, &body) {
        Ok(hook) => deliver(&app, hook).await,
        Err(r) => refused(&r),
    }
}

async fn unknown() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        "not_found",
        "this is Tillbridge's webhook receiver: deliveries go to /webhooks/shopify or /webhooks/bigcommerce",
    )
}

/// The receiver's routes over `app`.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/webhooks/shopify", post(shopify))
        .route("/webhooks/bigcommerce", post(bigcommerce))
        .fallback(unknown)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(Arc::new(app))
}

/// Serves the receiver on `listener` until `shutdown` is cancelled.
pub async fn serve_webhooks(listener: TcpListener, app: App, shutdown: CancellationToken) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(async move { shutdown.cancelled().await }).await
}

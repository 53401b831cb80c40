//! Serving an emulator over TCP, with the one thing axum's own server cannot do: cut a
//! connection mid-request, the way a load balancer timeout or a network blip loses a response.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::faults::{Faults, RequestFault};

/// Put into every request's extensions; `cut()` closes that request's TCP connection at once.
#[derive(Debug, Clone, Default)]
pub struct ConnectionCutter(Arc<Notify>);

impl ConnectionCutter {
    pub fn cut(&self) {
        self.0.notify_one();
    }
}

/// A running server; dropping it (or calling `stop`) shuts it down.
#[derive(Debug)]
pub struct ServerHandle {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves `router` on `listener` until stopped. Each connection gets its own [`ConnectionCutter`].
pub fn serve(listener: TcpListener, router: Router) -> std::io::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                _ = &mut stop_rx => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::debug!(error = %e, "accept failed");
                        continue;
                    }
                },
            };
            let _ = stream.set_nodelay(true);
            let cutter = ConnectionCutter::default();
            let notify = cutter.0.clone();
            let svc = router.clone().map_request(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(cutter.clone());
                req
            });
            tokio::spawn(async move {
                let builder = Builder::new(TokioExecutor::new());
                let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
                tokio::select! {
                    _ = conn => {}
                    // Dropping the connection future closes the socket with no response sent.
                    _ = notify.notified() => {}
                }
            });
        }
    });
    Ok(ServerHandle { addr, stop: Some(stop_tx), task: Some(task) })
}

/// Middleware body shared by both emulators: latency, injected 5xx, and cut connections.
/// `render` builds the system's own 5xx body. Use with `Router::route_layer`, so the route
/// template is known.
pub async fn inject_faults(faults: &Faults, render: fn(u16) -> Response, req: Request, next: Next) -> Response {
    let latency = faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let route = route_of(&req);
    let cutter = req.extensions().get::<ConnectionCutter>().cloned();
    match faults.on_request(&route) {
        RequestFault::None => next.run(req).await,
        RequestFault::ServerError(status) => render(status),
        RequestFault::DropBeforeCommit => cut_and_hang(cutter).await,
        RequestFault::DropAfterCommit => {
            let _committed = next.run(req).await;
            cut_and_hang(cutter).await
        }
    }
}

async fn cut_and_hang(cutter: Option<ConnectionCutter>) -> Response {
    match cutter {
        Some(c) => {
            c.cut();
            // The connection task drops this future; it never completes.
            std::future::pending().await
        }
        // Served without `net::serve` (e.g. a unit test calling the router directly): the best
        // approximation of a lost response is a gateway error.
        None => {
            let mut res = Response::new(axum::body::Body::empty());
            *res.status_mut() = axum::http::StatusCode::BAD_GATEWAY;
            res
        }
    }
}

/// "METHOD /matched/{template}", the name a request is counted and targeted by.
pub fn route_of(req: &Request) -> String {
    let path =
        req.extensions().get::<MatchedPath>().map_or_else(|| req.uri().path().to_string(), |m| m.as_str().to_string());
    format!("{} {}", req.method(), path)
}

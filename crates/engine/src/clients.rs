//! Clients for the connected stores, built from the saved identities and the tokens in the
//! secret store, for work that runs longer than an interactive check.

use std::sync::Arc;
use std::time::Duration;

use tillbridge_bigcommerce::{BcConnection, BigCommerceApi};
use tillbridge_shopify::{DEFAULT_API_VERSION, ShopifyApi, ShopifyConnection};
use tillbridge_store::System;
use tillbridge_transport::Backoff;

use crate::{ApiError, App};

#[derive(Debug, Clone)]
pub(crate) struct StoreClients {
    pub bigcommerce: Arc<dyn BigCommerceApi>,
    pub shopify: Arc<dyn ShopifyApi>,
}

/// A sync rides out a few minutes of 5xx answers and dropped connections before a write is handed
/// to the retry queue; an interactive check gives up after seconds instead.
pub(crate) fn sync_backoff() -> Backoff {
    Backoff { base: Duration::from_millis(500), cap: Duration::from_secs(30), max_attempts: 6 }
}

impl App {
    /// Both stores' clients; an error says which store to connect first.
    pub(crate) async fn store_clients(&self) -> Result<StoreClients, ApiError> {
        let (bc, sh) = self
            .blocking(|app| {
                let connections = app.store.connections()?;
                let find = |system: System| {
                    connections.iter().find(|c| c.system == system).cloned().ok_or_else(|| {
                        ApiError::invalid(format!("{system} is not connected yet: connect it in Settings, then sync"))
                    })
                };
                let bc = find(System::BigCommerce)?;
                let sh = find(System::Shopify)?;
                let token = |c: &tillbridge_store::ConnectionRecord| {
                    app.secrets.get(&c.secret_ref)?.filter(|s| !s.is_empty()).ok_or_else(|| {
                        ApiError::invalid(format!(
                            "the access token for {} is missing from the secret store: connect the store again",
                            c.name
                        ))
                    })
                };
                let bc_conn =
                    BcConnection { api_url: bc.api_url.clone(), store_hash: bc.store_ref.clone(), token: token(&bc)? };
                let sh_conn = ShopifyConnection {
                    shop_url: sh.api_url.clone(),
                    api_version: sh.api_version.clone().unwrap_or_else(|| DEFAULT_API_VERSION.to_string()),
                    token: token(&sh)?,
                };
                Ok((bc_conn, sh_conn))
            })
            .await?;
        Ok(StoreClients {
            bigcommerce: self.connector.bigcommerce(&bc, self.client_parts(sync_backoff()))?,
            shopify: self.connector.shopify(&sh, self.client_parts(sync_backoff()))?,
        })
    }
}

/// Clients built for one set of connections; rebuilt when a connection changes.
#[derive(Debug)]
pub(crate) struct CachedClients {
    connections: Vec<tillbridge_store::ConnectionRecord>,
    clients: StoreClients,
}

impl App {
    /// The clients the lanes and runs share. Built once per connection, so each store's rate-limit
    /// governor sees every request this process sends it; a reconnect (new token, new URL) builds
    /// new ones.
    pub(crate) async fn shared_clients(&self) -> Result<StoreClients, ApiError> {
        let connections = self.blocking(|app| Ok(app.store.connections()?)).await?;
        let mut cache = self.clients.lock().await;
        if let Some(cached) = cache.as_ref().filter(|c| c.connections == connections) {
            return Ok(cached.clients.clone());
        }
        let clients = self.store_clients().await?;
        *cache = Some(CachedClients { connections, clients: clients.clone() });
        Ok(clients)
    }
}

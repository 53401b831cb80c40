//! Both emulated stores, seeded from one world and served together: what `tillbridge emulate`,
//! `tillbridge demo`, the end-to-end tests and the benchmarks start.

use std::net::SocketAddr;

use serde::Serialize;

use crate::bigcommerce::{BcConfig, BigCommerceEmulator};
use crate::net::ServerHandle;
use crate::shopify::{ShopifyConfig, ShopifyEmulator};
use crate::world::TruthCounts;
use crate::{SeedSpec, generate};

#[derive(Debug, Clone)]
pub struct EmulateOptions {
    pub seed: SeedSpec,
    pub bigcommerce_addr: SocketAddr,
    pub shopify_addr: SocketAddr,
    pub bigcommerce: BcConfig,
    pub shopify: ShopifyConfig,
}

impl Default for EmulateOptions {
    fn default() -> EmulateOptions {
        let loopback_any_port = SocketAddr::from(([127, 0, 0, 1], 0));
        EmulateOptions {
            seed: SeedSpec::default(),
            bigcommerce_addr: loopback_any_port,
            shopify_addr: loopback_any_port,
            bigcommerce: BcConfig::default(),
            shopify: ShopifyConfig::default(),
        }
    }
}

/// What a client needs to reach the emulated stores: the one JSON line `tillbridge emulate` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    pub bigcommerce: BigCommerceCredentials,
    pub shopify: ShopifyCredentials,
}

#[derive(Debug, Clone, Serialize)]
pub struct BigCommerceCredentials {
    pub api_url: String,
    pub store_hash: String,
    pub access_token: String,
    /// The app's client secret, which a webhook receiver needs to verify the Standard Webhooks
    /// signatures (its libraries take it as `whsec_` + base64 of it).
    pub client_secret: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShopifyCredentials {
    pub shop_url: String,
    pub api_version: String,
    pub access_token: String,
    pub webhook_secret: String,
}

/// The running pair. Dropping it stops both servers.
#[derive(Debug)]
pub struct RunningStores {
    pub bigcommerce: BigCommerceEmulator,
    pub shopify: ShopifyEmulator,
    pub credentials: Credentials,
    pub truth: TruthCounts,
    pub bigcommerce_variants: usize,
    pub shopify_variants: usize,
    pub locations: usize,
    _servers: (ServerHandle, ServerHandle),
}

pub async fn start(opts: EmulateOptions) -> std::io::Result<RunningStores> {
    let world = generate(&opts.seed);
    let bigcommerce = BigCommerceEmulator::new(&world, opts.bigcommerce.clone());
    let shopify = ShopifyEmulator::new(&world, opts.shopify.clone());
    let bc_server = bigcommerce.serve(opts.bigcommerce_addr).await?;
    let sh_server = shopify.serve(opts.shopify_addr).await?;
    let credentials = Credentials {
        bigcommerce: BigCommerceCredentials {
            api_url: format!("http://{}", bc_server.addr),
            store_hash: opts.bigcommerce.store_hash.clone(),
            access_token: opts.bigcommerce.access_token.clone(),
            client_secret: opts.bigcommerce.client_secret(),
        },
        shopify: ShopifyCredentials {
            shop_url: format!("http://{}", sh_server.addr),
            api_version: opts.shopify.api_version.clone(),
            access_token: opts.shopify.access_token.clone(),
            webhook_secret: opts.shopify.webhook_secret.clone(),
        },
    };
    Ok(RunningStores {
        truth: world.truth.counts(),
        bigcommerce_variants: world.bigcommerce_variant_count(),
        shopify_variants: world.shopify_variant_count(),
        locations: world.bigcommerce.locations.len(),
        bigcommerce,
        shopify,
        credentials,
        _servers: (bc_server, sh_server),
    })
}

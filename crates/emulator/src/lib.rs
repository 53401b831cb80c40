//! Emulated BigCommerce and Shopify stores.
//!
//! The real APIs cannot be reached from a developer's machine or from CI, so every test, the demo
//! and the benchmarks run against these servers. They follow the vendors' specs (paths, shapes,
//! rate limits, error bodies, webhooks and side effects), and they can inject the faults real
//! stores produce: 5xx bursts, rate-limit storms, lost responses, stale reads and misbehaving
//! webhook deliveries.

pub mod bigcommerce;
pub mod faults;
mod matcher_inputs;
pub mod net;
pub mod requests;
pub mod rng;
pub mod seed;
pub mod shopify;
pub mod stores;
pub mod webhook;
pub mod world;

pub use faults::{FaultConfig, Faults, WebhookFaults};
pub use seed::{SeedSpec, generate};
pub use stores::{Credentials, EmulateOptions, RunningStores, start};
pub use world::World;

/// Where the seeded demo stores keep their clocks: a Midwest retailer, in both stores' settings
/// (BigCommerce's `GET /v2/store` `timezone.name`, Shopify's `shop { ianaTimezone }`).
pub const DEMO_TIME_ZONE: &str = "America/Chicago";

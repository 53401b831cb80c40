//! The emulator's shared state: the shop's data, the cost bucket, remembered idempotent
//! results, counters and the webhook sender.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, Utc};

use async_graphql::Context;

use super::cost::{Bucket, TypeIndex};
use super::inventory::InventoryOutcome;
use super::model::ShopData;
use super::version::ApiVersion;
use crate::faults::Faults;
use crate::requests::RequestLog;
use crate::rng::Rng;
use crate::webhook::WebhookSender;

/// The first result of an idempotent mutation, returned again for the same key.
#[derive(Debug, Clone)]
pub(crate) enum Remembered {
    Inventory(InventoryOutcome),
    Refund { order_id: u64, refund_id: u64 },
}

#[derive(Debug, Clone)]
pub(crate) struct RememberedResult {
    /// Mutation name plus its resolved arguments: a key reused with other arguments is an error.
    pub fingerprint: String,
    pub result: Remembered,
}

pub(crate) struct ShopState {
    pub data: RwLock<ShopData>,
    pub shop_domain: String,
    pub access_token: String,
    pub webhook_secret: String,
    /// The app's API version: webhook payloads and subscriptions carry it.
    pub api_version: String,
    /// The shop's IANA time zone (`shop { ianaTimezone }`).
    pub time_zone: String,
    pub bucket: Mutex<Bucket>,
    pub idempotency: Mutex<HashMap<String, RememberedResult>>,
    pub faults: Arc<Faults>,
    pub requests: RequestLog,
    pub webhooks: WebhookSender,
    /// Seeded source of webhook and event ids, so runs repeat.
    pub ids: Mutex<Rng>,
    pub type_index: OnceLock<TypeIndex>,
    /// How far this store's clock runs ahead of the wall clock, in milliseconds: a test that moves
    /// the engine's clock moves the store's with it, as real time moves both.
    pub ahead_ms: AtomicI64,
}

impl ShopState {
    /// The store's clock: what `updatedAt` and `createdAt` say and what searches compare with.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.ahead_ms.load(Ordering::SeqCst))
    }

    pub fn read(&self) -> RwLockReadGuard<'_, ShopData> {
        self.data.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, ShopData> {
        self.data.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn bucket(&self) -> MutexGuard<'_, Bucket> {
        self.bucket.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn idempotency(&self) -> MutexGuard<'_, HashMap<String, RememberedResult>> {
        self.idempotency.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A random UUID-shaped id from the seeded generator.
    pub fn uuid(&self) -> String {
        let mut rng = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        let a = rng.next_u64();
        let b = rng.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// Per-request facts resolvers need.
#[derive(Debug, Clone)]
pub(crate) struct RequestInfo {
    pub version: ApiVersion,
    /// `http://host:port` as the client addressed us; bulk download URLs start with it.
    pub base_url: String,
}

pub(crate) fn shop<'a>(ctx: &Context<'a>) -> &'a ShopState {
    ctx.data_unchecked::<Arc<ShopState>>()
}

pub(crate) fn request_info<'a>(ctx: &Context<'a>) -> Option<&'a RequestInfo> {
    ctx.data_opt::<RequestInfo>()
}

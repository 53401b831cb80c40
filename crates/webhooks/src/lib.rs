//! Tillbridge's webhook receiver, on a listener of its own (`--webhooks-addr`), apart from the
//! control panel: the two have different trust. The panel answers only this computer (or named
//! hosts with a token); the receiver answers the stores, from anywhere, and trusts a delivery only
//! when its signature holds.
//!
//! - [`verify`]: the signature checks, over the raw body, before any parsing.
//! - [`parse`]: the few fields a delivery is acted on by.
//! - [`listener`]: `POST /webhooks/shopify` and `POST /webhooks/bigcommerce`; a bad signature is
//!   401, a malformed delivery 400, a body over 1 MB 413, none of them with any effect; a good one
//!   is recorded and answered 200 at once, and the engine does the work.

pub mod listener;
pub mod parse;
pub mod verify;

pub use listener::{MAX_BODY, router, serve_webhooks};
pub use verify::Refusal;

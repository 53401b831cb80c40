//! Tillbridge's pure core. Everything here is a function of its arguments: no I/O, no clock, no
//! randomness. The same snapshots and decisions always give the same plan, which is what makes a
//! dry run an honest preview of the real run.

pub mod catalog;
pub mod gtin;
pub mod matching;
pub mod onboarding;
pub mod options;
pub mod orders;
pub mod schedule;
pub mod scope;
pub mod sku;
pub mod stock;
pub mod webhooks;
pub mod work;

pub use scope::Scope;

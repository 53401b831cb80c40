//! Shopify emulator (in progress).

//! BigCommerce emulator (in progress).

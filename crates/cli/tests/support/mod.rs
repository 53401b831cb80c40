//! What the CLI tests share: running `tillbridge` on a test's own database and file secret store.

// Each test file uses some of these.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `tillbridge ARGS` on the database and secret store in `dir`.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tillbridge"));
    c.args(["--db", dir.join("t.db").to_str().unwrap()])
        .args(args)
        .env("TILLBRIDGE_SECRET_STORE", format!("file:{}", dir.join("secrets.json").display()));
    c
}

/// Runs `tillbridge ARGS` to its end with `stdin` as its input.
pub fn tillbridge(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child =
        command(dir, args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Connects the database in `dir` to both emulated stores, as an operator does: each token on
/// standard input. Stops the test if either store refuses.
pub fn connect_both(dir: &Path, c: &tillbridge_emulator::Credentials) {
    let bc = tillbridge(
        dir,
        &["connect", "bigcommerce", "--api-url", &c.bigcommerce.api_url, "--store-hash", &c.bigcommerce.store_hash],
        &c.bigcommerce.access_token,
    );
    assert!(bc.status.success(), "BigCommerce connects: {}", text(&bc.stderr));
    let sh = tillbridge(dir, &["connect", "shopify", "--shop-url", &c.shopify.shop_url], &c.shopify.access_token);
    assert!(sh.status.success(), "Shopify connects: {}", text(&sh.stderr));
}

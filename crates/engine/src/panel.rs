//! The control panel's access token, for `tillbridge serve` reached from another machine.
//!
//! Generated once from the operating system's randomness and kept in the secret store, like the
//! stores' tokens; a browser presents it once on the login page and then holds it in a cookie.

use tillbridge_secrets::Secret;

use crate::{ApiError, App};

/// The secret store account that holds the token.
const PANEL_TOKEN_ACCOUNT: &str = "tillbridge:panel-token";

impl App {
    /// The panel's access token, created on first use.
    pub async fn panel_token(&self) -> Result<Secret, ApiError> {
        self.blocking(|app| {
            if let Some(token) = app.secrets.get(PANEL_TOKEN_ACCOUNT)? {
                return Ok(token);
            }
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| {
                ApiError::unavailable(format!("the operating system gave no randomness for an access token: {e}"))
            })?;
            let token = Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect());
            app.secrets.set(PANEL_TOKEN_ACCOUNT, &token)?;
            tracing::info!(store = %app.secrets.describe(), "created the control panel's access token");
            Ok(token)
        })
        .await
    }
}

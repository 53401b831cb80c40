//! Which BigCommerce channel POS orders are recorded on: one the operator picks from the store's
//! channels, or, when none is picked, Tillbridge's own "Shopify POS", found by name or created with
//! the first order. A store that already records its till on a channel keeps its reports whole.

use serde::{Deserialize, Serialize};

use super::{CHANNEL_NAME, CHANNEL_SETTING};
use crate::{ApiError, App};

/// A BigCommerce channel, as the store lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrderChannel {
    pub id: i64,
    pub name: String,
    /// "storefront", "pos", "marketplace" or "marketing".
    pub kind: String,
    pub platform: String,
    pub status: String,
}

/// The store's channels and the one POS orders go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrderChannelsView {
    pub channels: Vec<OrderChannel>,
    /// The channel chosen, or the one the first order found or created; None before either.
    pub chosen: Option<i64>,
    /// The channel used when none is chosen, found by this name or created.
    pub default_name: String,
}

/// Picks the channel POS orders go to; None leaves it to Tillbridge's own.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct ChooseOrderChannel {
    pub channel_id: Option<i64>,
}

impl App {
    /// BigCommerce's channels, read live (one request), and the one POS orders are recorded on.
    pub async fn order_channels(&self) -> Result<OrderChannelsView, ApiError> {
        let clients = self.shared_clients().await?;
        let channels = clients
            .bigcommerce
            .channels()
            .await
            .map_err(|e| ApiError::unavailable(format!("reading BigCommerce's channels failed: {e}")))?;
        let chosen = self.blocking(|app| Ok(app.store.setting::<i64>(CHANNEL_SETTING)?)).await?;
        Ok(OrderChannelsView {
            channels: channels
                .into_iter()
                .map(|c| OrderChannel { id: c.id, name: c.name, kind: c.kind, platform: c.platform, status: c.status })
                .collect(),
            chosen,
            default_name: CHANNEL_NAME.to_string(),
        })
    }

    /// Records POS orders on this channel from the next order on; orders already carried stay on
    /// theirs. A channel the store does not list is refused and nothing changes.
    pub async fn choose_order_channel(&self, req: ChooseOrderChannel) -> Result<OrderChannelsView, ApiError> {
        let view = self.order_channels().await?;
        match req.channel_id {
            Some(id) if !view.channels.iter().any(|c| c.id == id) => {
                let names: Vec<String> = view.channels.iter().map(|c| format!("{} ({})", c.name, c.id)).collect();
                return Err(ApiError::invalid(format!(
                    "BigCommerce has no channel {id}; choose one of {}, or none to let Tillbridge use its own {CHANNEL_NAME:?}",
                    names.join(", ")
                )));
            }
            Some(id) => self.blocking(move |app| Ok(app.store.set_setting(CHANNEL_SETTING, &id, app.now())?)).await?,
            None => {
                self.blocking(|app| Ok(app.store.remove_setting(CHANNEL_SETTING)?)).await?;
            }
        }
        Ok(OrderChannelsView { chosen: req.channel_id, ..view })
    }
}

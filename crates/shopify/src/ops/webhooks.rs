//! Webhook subscriptions: created when a public HTTPS address is configured, deleted on
//! disconnect. Polling stays the source of truth; webhooks only make the sync react sooner.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;
use crate::gid::WebhookSubscriptionId;
use crate::user_errors::{UserError, WriteOutcome};

pub const WEBHOOK_SUBSCRIPTION_CREATE: Operation = Operation {
    name: "TillbridgeWebhookSubscriptionCreate",
    document: r#"mutation TillbridgeWebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}"#,
    estimated_cost: 10,
};

pub const WEBHOOK_SUBSCRIPTION_DELETE: Operation = Operation {
    name: "TillbridgeWebhookSubscriptionDelete",
    document: r#"mutation TillbridgeWebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}"#,
    estimated_cost: 10,
};

/// The topics the sync listens to (`WebhookSubscriptionTopic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WebhookTopic {
    InventoryLevelsUpdate,
    ProductsUpdate,
    OrdersCreate,
    OrdersUpdated,
    RefundsCreate,
    ReturnsProcess,
    CustomersUpdate,
    LocationsUpdate,
    AppUninstalled,
    BulkOperationsFinish,
}

impl WebhookTopic {
    pub const ALL: [WebhookTopic; 10] = [
        WebhookTopic::InventoryLevelsUpdate,
        WebhookTopic::ProductsUpdate,
        WebhookTopic::OrdersCreate,
        WebhookTopic::OrdersUpdated,
        WebhookTopic::RefundsCreate,
        WebhookTopic::ReturnsProcess,
        WebhookTopic::CustomersUpdate,
        WebhookTopic::LocationsUpdate,
        WebhookTopic::AppUninstalled,
        WebhookTopic::BulkOperationsFinish,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookSubscription {
    pub id: WebhookSubscriptionId,
    pub topic: WebhookTopic,
    pub uri: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePayload {
    webhook_subscription: Option<WebhookSubscription>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateData {
    webhook_subscription_create: Option<CreatePayload>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeletePayload {
    deleted_webhook_subscription_id: Option<WebhookSubscriptionId>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteData {
    webhook_subscription_delete: Option<DeletePayload>,
}

impl ShopifyClient {
    /// Subscribes `uri` to `topic`. A resend after a lost response is refused by Shopify as
    /// "already taken" for the same address, which means the subscription exists.
    pub async fn subscribe_webhook(
        &self,
        topic: WebhookTopic,
        uri: &str,
    ) -> Result<WriteOutcome<WebhookSubscription>, ShopifyError> {
        let data: CreateData =
            self.execute(&WEBHOOK_SUBSCRIPTION_CREATE, &json!({ "topic": topic, "uri": uri })).await?;
        let payload = data
            .webhook_subscription_create
            .unwrap_or(CreatePayload { webhook_subscription: None, user_errors: vec![] });
        Ok(WriteOutcome::from_payload(
            payload.webhook_subscription,
            payload.user_errors,
            WEBHOOK_SUBSCRIPTION_CREATE.name,
        ))
    }

    pub async fn delete_webhook(
        &self,
        id: &WebhookSubscriptionId,
    ) -> Result<WriteOutcome<WebhookSubscriptionId>, ShopifyError> {
        let data: DeleteData = self.execute(&WEBHOOK_SUBSCRIPTION_DELETE, &json!({ "id": id })).await?;
        let payload = data
            .webhook_subscription_delete
            .unwrap_or(DeletePayload { deleted_webhook_subscription_id: None, user_errors: vec![] });
        Ok(WriteOutcome::from_payload(
            payload.deleted_webhook_subscription_id,
            payload.user_errors,
            WEBHOOK_SUBSCRIPTION_DELETE.name,
        ))
    }
}

//! Customers by email: how a POS sale's customer is matched to a BigCommerce one.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::client::{Operation, ShopifyClient};
use crate::error::ShopifyError;
use crate::gid::CustomerId;
use crate::models::Customer;

pub const CUSTOMERS_BY_EMAIL: Operation = Operation {
    name: "TillbridgeCustomersByEmail",
    document: r#"query TillbridgeCustomersByEmail($query: String!) {
  customers(first: 5, query: $query) {
    nodes { id firstName lastName updatedAt defaultEmailAddress { emailAddress } }
  }
}"#,
    estimated_cost: 2 + 5 * 2,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailAddress {
    email_address: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerWire {
    id: CustomerId,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    default_email_address: Option<EmailAddress>,
}

#[derive(Deserialize)]
struct Nodes {
    nodes: Vec<CustomerWire>,
}

#[derive(Deserialize)]
struct CustomersData {
    customers: Nodes,
}

/// `email:"…"` with the search syntax's quote and backslash escaped, so an address can never
/// widen the search into other terms.
fn email_search(email: &str) -> String {
    let escaped = email.trim().replace('\\', "\\\\").replace('"', "\\\"");
    format!("email:\"{escaped}\"")
}

impl ShopifyClient {
    /// Customers whose email is exactly `email` (compared without case). Usually one; more than
    /// one means the shop holds duplicates and a person should choose.
    pub async fn customers_by_email(&self, email: &str) -> Result<Vec<Customer>, ShopifyError> {
        let data: CustomersData = self.execute(&CUSTOMERS_BY_EMAIL, &json!({ "query": email_search(email) })).await?;
        let wanted = email.trim();
        Ok(data
            .customers
            .nodes
            .into_iter()
            .map(|c| Customer {
                id: c.id,
                first_name: c.first_name,
                last_name: c.last_name,
                email: c.default_email_address.map(|e| e.email_address),
                updated_at: c.updated_at,
            })
            // Search is fuzzy on some fields; keep only exact address matches.
            .filter(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(wanted)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_searched_as_one_quoted_term() {
        assert_eq!(email_search(" ada@example.com "), r#"email:"ada@example.com""#, "trimmed and quoted");
        assert_eq!(email_search(r#"a"b@x.com"#), r#"email:"a\"b@x.com""#, "a quote cannot close the term early");
    }
}

//! Outbound webhook deliveries with retries and injected misbehaviour (duplicates, delays,
//! reordering, drops). Each emulator builds the signed request; this module only delivers it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::faults::Faults;

#[derive(Debug, Clone)]
pub struct Delivery {
    /// Unique per delivery (the same on retries of it).
    pub id: String,
    pub topic: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    pub id: String,
    pub topic: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub delivered: bool,
    pub dropped: bool,
    pub duplicated: bool,
}

/// The delays between attempts. The vendors spread retries over hours; the emulators keep the
/// shape (exponential) at a scale a test can wait for.
#[derive(Debug, Clone)]
pub struct RetrySchedule {
    pub delays: Vec<Duration>,
}

impl RetrySchedule {
    /// Shopify retries 8 times; BigCommerce retries over 48 hours. Both compressed to seconds.
    pub fn compressed(retries: u32, first: Duration) -> RetrySchedule {
        RetrySchedule { delays: (0..retries).map(|i| first * 2u32.pow(i)).collect() }
    }
}

#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    faults: Arc<Faults>,
    schedule: RetrySchedule,
    log: Arc<Mutex<Vec<DeliveryRecord>>>,
}

impl WebhookSender {
    pub fn new(faults: Arc<Faults>, schedule: RetrySchedule) -> WebhookSender {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        WebhookSender { client, faults, schedule, log: Arc::default() }
    }

    /// Queues a delivery; it runs in the background and never blocks the API response.
    pub fn send(&self, delivery: Delivery) {
        let fate = self.faults.on_webhook();
        let index = {
            let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
            log.push(DeliveryRecord {
                id: delivery.id.clone(),
                topic: delivery.topic.clone(),
                attempts: 0,
                last_status: None,
                delivered: false,
                dropped: fate.dropped,
                duplicated: fate.duplicated,
            });
            log.len() - 1
        };
        if fate.dropped {
            return;
        }
        let copies = if fate.duplicated { 2 } else { 1 };
        for _ in 0..copies {
            let this = self.clone();
            let delivery = delivery.clone();
            tokio::spawn(async move {
                tokio::time::sleep(fate.delay).await;
                this.deliver(index, delivery).await;
            });
        }
    }

    async fn deliver(&self, index: usize, d: Delivery) {
        let waits = std::iter::once(Duration::ZERO).chain(self.schedule.delays.iter().copied());
        for wait in waits {
            tokio::time::sleep(wait).await;
            let mut req = self.client.post(&d.url).body(d.body.clone());
            for (k, v) in &d.headers {
                req = req.header(k, v);
            }
            let status = req.send().await.ok().map(|r| r.status().as_u16());
            let ok = status.is_some_and(|s| (200..300).contains(&s));
            {
                let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(rec) = log.get_mut(index) {
                    rec.attempts += 1;
                    rec.last_status = status;
                    rec.delivered |= ok;
                }
            }
            if ok {
                return;
            }
        }
    }

    pub fn log(&self) -> Vec<DeliveryRecord> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

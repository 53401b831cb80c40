use serde::Serialize;
use tillbridge_secrets::SecretStoreKind;
use tillbridge_store::System;

use crate::runtime::health::HealthState;
use crate::{ApiError, App};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum CheckState {
    Ok,
    Warn,
    Fail,
}

/// One finding: what was checked, what was found, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Check {
    pub name: String,
    pub state: CheckState,
    pub detail: String,
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DoctorReport {
    /// False when any check failed; warnings alone leave it true.
    pub healthy: bool,
    pub checks: Vec<Check>,
}

fn check(name: &str, state: CheckState, detail: impl Into<String>, fix: Option<&str>) -> Check {
    Check { name: name.into(), state, detail: detail.into(), fix: fix.map(str::to_string) }
}

impl App {
    /// Checks the database, the secret store, the connections and the job queue, and says how to
    /// fix what is wrong.
    pub async fn doctor(&self) -> Result<DoctorReport, ApiError> {
        let mut report = self
            .blocking(|app| {
                let mut checks = vec![app.check_database(), app.check_secrets()];
                let secrets_ok = checks[1].state != CheckState::Fail;
                checks.extend(app.check_connections(secrets_ok));
                checks.push(app.check_jobs());
                checks.extend(app.check_store_health());
                Ok(DoctorReport { healthy: true, checks })
            })
            .await?;
        report.checks.push(self.check_webhooks().await);
        report.healthy = report.checks.iter().all(|c| c.state != CheckState::Fail);
        Ok(report)
    }

    /// Webhooks are optional (the polls carry everything); a registered one a store turned off is
    /// a warning, with how to turn it back on.
    async fn check_webhooks(&self) -> Check {
        match (self.webhook_registration().await, self.webhook_problems().await) {
            (Ok(None), _) => check("webhooks", CheckState::Ok, "none registered: changes are found by polling", None),
            (Ok(Some(r)), Ok(problems)) if problems.is_empty() => check(
                "webhooks",
                CheckState::Ok,
                format!(
                    "{} BigCommerce hooks and {} Shopify subscriptions deliver to {}",
                    r.bigcommerce.len(),
                    r.shopify.len(),
                    r.public_url
                ),
                None,
            ),
            (Ok(Some(_)), Ok(problems)) => check(
                "webhooks",
                CheckState::Warn,
                format!("{}; polling carries the changes meanwhile", problems.join("; ")),
                Some("Check the receiver is reachable, then run `tillbridge webhooks register --url URL` again."),
            ),
            (Err(e), _) | (_, Err(e)) => check(
                "webhooks",
                CheckState::Warn,
                format!("could not check the registered webhooks: {}", e.message),
                Some("Run `tillbridge doctor` again once both stores answer."),
            ),
        }
    }

    fn check_database(&self) -> Check {
        let where_ = self.store.path().map_or_else(|| "in memory".to_string(), |p| p.display().to_string());
        match (self.store.schema_version(), self.store.quick_check()) {
            (Ok(version), Ok(problems)) if problems.is_empty() => {
                let mut detail = format!("{where_}, schema version {version}, integrity ok");
                if let Some(backup) = &self.opened.backup {
                    detail.push_str(&format!("; upgraded this run, the previous file is at {}", backup.display()));
                }
                check("database", CheckState::Ok, detail, None)
            }
            (Ok(_), Ok(problems)) => check(
                "database",
                CheckState::Fail,
                format!("{where_}: SQLite reports damage: {}", problems.join("; ")),
                Some(
                    "Stop Tillbridge, move the database aside, and restore the newest *.bak copy next to it (or start fresh with --db).",
                ),
            ),
            (Err(e), _) | (_, Err(e)) => check(
                "database",
                CheckState::Fail,
                format!("{where_}: {e}"),
                Some("Check the file's permissions and free disk space, or choose another file with --db PATH."),
            ),
        }
    }

    fn check_secrets(&self) -> Check {
        let described = self.secrets.describe();
        match (self.secrets.probe(), self.secrets.kind()) {
            (Err(e), _) => check("secret store", CheckState::Fail, format!("{described}: {e}"), None),
            (Ok(()), SecretStoreKind::Keychain) => {
                check("secret store", CheckState::Ok, format!("{described} works"), None)
            }
            (Ok(()), SecretStoreKind::File) => check(
                "secret store",
                CheckState::Warn,
                format!("{described} works, but a file is weaker than the OS keychain"),
                Some(
                    "Keep the file private (mode 600) and out of shared backups, or use the OS keychain on a desktop.",
                ),
            ),
            (Ok(()), SecretStoreKind::Memory) => check(
                "secret store",
                CheckState::Warn,
                described,
                Some("Tokens will be forgotten when Tillbridge exits; use the OS keychain for a real installation."),
            ),
        }
    }

    fn check_connections(&self, secrets_ok: bool) -> Vec<Check> {
        let views = match self.connection_views(secrets_ok) {
            Ok(v) => v,
            Err(e) => return vec![check("connections", CheckState::Fail, e.message, None)],
        };
        let mut checks = Vec::new();
        for system in [System::BigCommerce, System::Shopify] {
            let mine: Vec<_> = views.iter().filter(|c| c.system == system).collect();
            let name = format!("{system} connection");
            if mine.is_empty() {
                let how = match system {
                    System::BigCommerce => "Run `tillbridge connect bigcommerce --api-url URL --store-hash HASH`.",
                    System::Shopify => "Run `tillbridge connect shopify --shop-url URL`.",
                };
                checks.push(check(&name, CheckState::Warn, format!("no {system} store is connected"), Some(how)));
            }
            for c in mine {
                let verified =
                    c.verified_at.map_or_else(|| "never verified".to_string(), |t| format!("last verified {t}"));
                if c.has_secret {
                    checks.push(check(
                        &name,
                        CheckState::Ok,
                        format!("{} ({}), token stored, {verified}", c.store_ref, c.api_url),
                        None,
                    ));
                } else {
                    checks.push(check(
                        &name,
                        CheckState::Fail,
                        format!("{} ({}): its token is missing from the secret store", c.store_ref, c.api_url),
                        Some("Connect the store again with `tillbridge connect` to store a fresh token."),
                    ));
                }
            }
        }
        checks
    }

    fn check_jobs(&self) -> Check {
        match self.store.job_counts(None) {
            Err(e) => check("transfer queue", CheckState::Fail, e.to_string(), None),
            Ok(counts) => {
                let waiting = counts.pending + counts.running;
                if counts.dead + counts.failed > 0 {
                    check(
                        "transfer queue",
                        CheckState::Warn,
                        format!(
                            "{} transfers were refused and wait for a person, {} failed and will be retried by themselves; {waiting} are waiting to run",
                            counts.dead, counts.failed
                        ),
                        Some(
                            "Open Failed (or run `tillbridge failed`), read the reasons, fix the cause, then Retry or Skip.",
                        ),
                    )
                } else {
                    check(
                        "transfer queue",
                        CheckState::Ok,
                        format!("no failed transfers; {waiting} waiting to run"),
                        None,
                    )
                }
            }
        }
    }

    /// Each store's health from its latest requests, not from the last token check.
    fn check_store_health(&self) -> Vec<Check> {
        let health = match self.store_health() {
            Ok(h) => h,
            Err(e) => return vec![check("store health", CheckState::Fail, e.message, None)],
        };
        health
            .into_iter()
            .map(|h| {
                let name = format!("{} requests", h.system);
                let state = match h.state {
                    HealthState::Healthy | HealthState::Unknown => CheckState::Ok,
                    HealthState::Degraded => CheckState::Warn,
                    HealthState::Down => CheckState::Fail,
                };
                let next = (state != CheckState::Ok).then_some(
                    "Writes wait in the queue and go out when the store answers again; check its status page.",
                );
                check(&name, state, h.detail, next)
            })
            .collect()
    }
}

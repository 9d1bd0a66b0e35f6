//! Service hook health: ADO disables subscriptions silently (410 at once, or after ~36
//! hours of failures on probation), so the integration shows what ADO says of the
//! subscriptions that call its Webhook URL, and can create them for the admin.
//!
//! Reading and creating subscriptions needs the Service Hooks scopes, which the PAT of
//! SPEC §1 need not have: a 401 or 403 here means "not permitted", never "PAT rejected"
//! (the PAT was just validated for work items; flagging it would park all work).

use navsync_ado_client::{AdoError, HookSubscription, NewHookSubscription, Organization, Pat};
use secrecy::SecretString;
use serde::Serialize;

/// The three events navsync listens to (SPEC §8).
pub const EVENTS: [&str; 3] = ["workitem.updated", "workitem.deleted", "workitem.restored"];
/// The Basic user name of the subscriptions we create (the ingress checks the password).
pub const BASIC_USER: &str = "navsync";

/// What an admin sees.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HookHealth {
    /// `enabled`, `onProbation`, `disabledBySystem`, `disabledByInactiveIdentity`,
    /// `disabledByUser`, `none_found`, or `unknown` (see `reason`).
    pub status: String,
    /// Why the status is `unknown`: `not_permitted` (the PAT lacks the Service Hooks
    /// scopes) or `ado_unavailable`.
    pub reason: Option<&'static str>,
    /// The subscriptions that call our Webhook URL.
    pub subscriptions: Vec<SubscriptionView>,
    /// Events without an enabled subscription calling us.
    pub missing_events: Vec<&'static str>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = HookSubscription)]
pub struct SubscriptionView {
    pub id: String,
    pub event_type: String,
    pub status: String,
}

/// A status as a metrics label: ADO's text comes from outside, so anything beyond the
/// statuses we know counts as `other` rather than growing the label set.
pub fn status_label(status: &str) -> &'static str {
    const KNOWN: [&str; 7] = [
        "enabled",
        "onProbation",
        "disabledByUser",
        "disabledBySystem",
        "disabledByInactiveIdentity",
        "none_found",
        "unknown",
    ];
    KNOWN
        .iter()
        .find(|k| **k == status)
        .copied()
        .unwrap_or("other")
}

/// How bad a status is, for the summary: the worst subscription decides.
fn severity(status: &str) -> u8 {
    match status {
        "enabled" => 0,
        "onProbation" => 1,
        "disabledByUser" => 2,
        "disabledByInactiveIdentity" => 3,
        "disabledBySystem" => 4,
        _ => 5,
    }
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim()
        .trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim().trim_end_matches('/'))
}

/// The summary of `all` for `webhook_url`.
pub fn summarize(all: &[HookSubscription], webhook_url: &str) -> HookHealth {
    let ours: Vec<&HookSubscription> = all
        .iter()
        .filter(|s| s.url().is_some_and(|u| same_url(u, webhook_url)))
        .collect();
    let status = ours
        .iter()
        .map(|s| s.status.as_str())
        .max_by_key(|s| severity(s))
        .unwrap_or("none_found")
        .to_owned();
    let missing_events = EVENTS
        .iter()
        .copied()
        .filter(|e| {
            !ours
                .iter()
                .any(|s| s.event_type.eq_ignore_ascii_case(e) && s.status == "enabled")
        })
        .collect();
    HookHealth {
        status,
        reason: None,
        subscriptions: ours
            .iter()
            .map(|s| SubscriptionView {
                id: s.id.clone(),
                event_type: s.event_type.clone(),
                status: s.status.clone(),
            })
            .collect(),
        missing_events,
    }
}

pub fn unknown(reason: &'static str) -> HookHealth {
    HookHealth {
        status: "unknown".into(),
        reason: Some(reason),
        subscriptions: Vec::new(),
        missing_events: Vec::new(),
    }
}

/// What ADO says now.
pub async fn check(
    ado: &navsync_ado_client::AdoClient,
    org: &Organization,
    pat: &Pat,
    webhook_url: &str,
) -> HookHealth {
    match ado.list_hook_subscriptions(org, pat).await {
        Ok(all) => summarize(&all, webhook_url),
        Err(AdoError::PatRejected | AdoError::Forbidden { .. } | AdoError::NotFound { .. }) => {
            unknown("not_permitted")
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot read service hook subscriptions");
            unknown("ado_unavailable")
        }
    }
}

/// Creates the subscriptions of `events` calling `webhook_url` with `secret`.
pub async fn create(
    ado: &navsync_ado_client::AdoClient,
    org: &Organization,
    pat: &Pat,
    webhook_url: &str,
    secret: &SecretString,
    events: &[&str],
) -> Result<Vec<HookSubscription>, AdoError> {
    let mut made = Vec::new();
    for event_type in events {
        made.push(
            ado.create_hook_subscription(
                org,
                pat,
                &NewHookSubscription {
                    event_type,
                    url: webhook_url,
                    basic_auth_username: BASIC_USER,
                    basic_auth_password: secret,
                    resource_details: "all",
                },
            )
            .await?,
        );
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sub(event: &str, url: &str, status: &str) -> HookSubscription {
        serde_json::from_value(json!({"id": event, "status": status, "eventType": event,
            "consumerId": "webHooks", "consumerInputs": {"url": url}}))
        .expect("shape")
    }

    #[test]
    fn a_status_ado_invents_is_counted_as_other() {
        assert_eq!(super::status_label("disabledBySystem"), "disabledBySystem");
        assert_eq!(super::status_label("none_found"), "none_found");
        assert_eq!(super::status_label("disabledByAnythingNew"), "other");
    }

    #[test]
    fn the_worst_status_of_our_subscriptions_wins_and_others_are_ignored() {
        let ours = "https://nav.example/hooks/ado/1";
        let all = vec![
            sub("workitem.updated", ours, "enabled"),
            sub("workitem.deleted", &format!("{ours}/"), "disabledBySystem"),
            sub(
                "workitem.restored",
                "https://elsewhere.example/x",
                "disabledByUser",
            ),
        ];
        let health = summarize(&all, ours);
        assert_eq!(health.status, "disabledBySystem");
        assert_eq!(health.subscriptions.len(), 2);
        assert_eq!(
            health.missing_events,
            vec!["workitem.deleted", "workitem.restored"]
        );
        assert_eq!(summarize(&[], ours).status, "none_found");
    }
}

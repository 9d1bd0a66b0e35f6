//! The in-process mirror of the control API's service hook calls: create and list
//! subscriptions, read and wait for deliveries, set delivery timings.

use std::time::{Duration, Instant};

use chrono::Utc;
use uuid::Uuid;

use super::delivery::{Delivery, HookSettings};
use super::{
    Subscription, SubscriptionInfo, SubscriptionSpec, SubscriptionStatus, WebhookSubscription,
};
use crate::ado_error::AdoError;
use crate::emulator::{ActionError, Emulator};

impl Emulator {
    /// Subscribes a web hook to an organization's work item events, as its administrator.
    pub fn add_subscription(
        &self,
        org: &str,
        subscription: &WebhookSubscription,
    ) -> Result<SubscriptionInfo, ActionError> {
        let mut state = self.state().lock();
        let org_state = state
            .org_mut(org)
            .ok_or_else(|| AdoError::organization_not_found(org))?;
        let spec = SubscriptionSpec::from_ado_json(&subscription.to_ado_json(), org_state, true)?;
        let created = Subscription::new(spec, org_state.admin(), Utc::now());
        let info = created.info(&org_state.name);
        org_state.subscriptions.push(created);
        Ok(info)
    }

    /// An organization's subscriptions, oldest first.
    pub fn subscriptions(&self, org: &str) -> Vec<SubscriptionInfo> {
        self.state()
            .lock()
            .org(org)
            .map(|o| o.subscriptions.iter().map(|s| s.info(&o.name)).collect())
            .unwrap_or_default()
    }

    /// Deletes a subscription; its pending deliveries are skipped. `false` if unknown.
    pub fn remove_subscription(&self, org: &str, id: Uuid) -> bool {
        let mut state = self.state().lock();
        let Some(org_state) = state.org_mut(org) else {
            return false;
        };
        let before = org_state.subscriptions.len();
        org_state.subscriptions.retain(|s| s.id != id);
        org_state.subscriptions.len() != before
    }

    /// Sets a subscription's status, as an administrator disabling or re-enabling it in
    /// the portal (enabling clears probation). `false` if unknown.
    pub fn set_subscription_status(&self, org: &str, id: Uuid, status: SubscriptionStatus) -> bool {
        let mut state = self.state().lock();
        let Some(subscription) = state.org_mut(org).and_then(|o| o.subscription_mut(id)) else {
            return false;
        };
        subscription.status = status;
        if status == SubscriptionStatus::Enabled {
            subscription.probation_retries = 0;
        }
        subscription.modified_date = Utc::now();
        true
    }

    /// Every delivery attempt so far, oldest first (the newest 10 000 are kept).
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.state().lock().deliveries.items()
    }

    pub fn clear_deliveries(&self) {
        self.state().lock().deliveries.clear();
    }

    /// Waits until at least `count` delivery attempts are recorded, or `timeout` passes,
    /// and returns them all. Deliveries are asynchronous: tests wait with this.
    pub async fn wait_for_deliveries(&self, count: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = Instant::now() + timeout;
        loop {
            let deliveries = self.deliveries();
            if deliveries.len() >= count || Instant::now() >= deadline {
                return deliveries;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Delivery timings (see [`HookSettings`]); they apply from the next attempt on.
    pub fn set_hook_settings(&self, settings: HookSettings) -> Result<(), ActionError> {
        settings.validate().map_err(|message| ActionError {
            status: 400,
            type_key: "InvalidHookSettingsException".to_owned(),
            message,
        })?;
        self.state().lock().hook_settings = settings;
        Ok(())
    }

    pub fn hook_settings(&self) -> HookSettings {
        self.state().lock().hook_settings
    }
}

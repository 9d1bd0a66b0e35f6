//! Posting events to subscribers, as ADO's notification pipeline does: asynchronously
//! (a change never waits for its hooks), in order per subscription, with ADO's outcomes —
//! 2xx delivered; 408/502/503/504 retried up to 8 times; 410 disables the subscription at
//! once; anything else (401, 404, 429, 500, connection refused, ...) puts it on
//! probation, retried with stretching delays until it is `disabledBySystem`.
//!
//! Deliveries run on a thread of their own with its own runtime, so they neither depend
//! on which runtime made the change (an actix worker, a test's runtime) nor die with it.
//! ADO's delays (about 3 minutes for the transient retries, about 36 hours of probation)
//! are scaled down through [`HookSettings`] for tests.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};
use uuid::Uuid;

use super::SubscriptionStatus;
use crate::state::State;

/// Retries of a transient failure (408, 502, 503, 504, a timeout), as ADO makes.
pub(crate) const TRANSIENT_RETRIES: u32 = 8;
/// The newest deliveries kept.
const CAPACITY: usize = 10_000;

/// Timings of deliveries. The defaults are ADO's; tests shrink them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HookSettings {
    /// Transient retry `k` (1 to 8) waits `k × retry_base_ms`: 5 s gives ADO's 3 minutes.
    pub retry_base_ms: u64,
    /// Probation retry `k` waits `2^(k-1) × probation_base_ms`: 1 020 s gives ADO's
    /// 36 hours over the 7 waits between 8 failures.
    pub probation_base_ms: u64,
    /// Failed deliveries on probation before the subscription is `disabledBySystem`.
    pub probation_limit: u32,
    /// How long a subscriber may take to answer.
    pub timeout_ms: u64,
    /// Notifications of one subscription in flight at once. ADO guarantees neither order
    /// nor uniqueness of deliveries, and does not wait for one answer before the next
    /// notification; 1 delivers strictly in order. Read when a subscription's first
    /// notification is queued.
    pub parallel_deliveries: u32,
}

impl Default for HookSettings {
    fn default() -> Self {
        Self {
            retry_base_ms: 5_000,
            probation_base_ms: 1_020_000,
            probation_limit: 8,
            timeout_ms: 20_000,
            parallel_deliveries: 8,
        }
    }
}

impl HookSettings {
    /// ADO's delays multiplied by `factor` (e.g. 0.001 turns minutes into milliseconds);
    /// the timeout is kept.
    pub fn scaled(factor: f64) -> Self {
        let defaults = Self::default();
        let scale = |ms: u64| {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let scaled = (ms as f64 * factor).round().max(0.0) as u64;
            scaled
        };
        Self {
            retry_base_ms: scale(defaults.retry_base_ms),
            probation_base_ms: scale(defaults.probation_base_ms),
            ..defaults
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.probation_limit == 0 {
            return Err("probation_limit must be at least 1".to_owned());
        }
        if self.timeout_ms == 0 {
            return Err("timeout_ms must be at least 1".to_owned());
        }
        if !(1..=64).contains(&self.parallel_deliveries) {
            return Err("parallel_deliveries must be between 1 and 64".to_owned());
        }
        Ok(())
    }
}

/// One event on its way to one subscription.
#[derive(Debug, Clone)]
pub(crate) struct Notification {
    pub(crate) org: String,
    pub(crate) subscription_id: Uuid,
    pub(crate) notification_id: u64,
    pub(crate) event_id: Uuid,
    pub(crate) event_type: &'static str,
    pub(crate) work_item_id: u32,
    pub(crate) url: String,
    pub(crate) basic_auth: Option<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) payload: Value,
}

/// What came of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryResult {
    /// 2xx.
    Delivered,
    /// A transient failure; the same notification is tried again.
    Retrying,
    /// A failure that put (or kept) the subscription on probation; tried again later.
    OnProbation,
    /// The subscription is now `disabledBySystem` (410, or probation ran out).
    Disabled,
    /// Not attempted: the subscription was deleted or disabled meanwhile.
    Skipped,
}

/// One attempt to deliver one notification, for `GET /_emulator/deliveries`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub organization: String,
    pub subscription_id: Uuid,
    pub event_type: String,
    /// The event's `id`.
    pub event_id: Uuid,
    pub notification_id: u64,
    pub work_item_id: u32,
    /// 1 for the first try.
    pub attempt: u32,
    /// The subscriber's status code, if it answered.
    pub status: Option<u16>,
    /// Why there was no answer (refused, timed out, ...).
    pub error: Option<String>,
    pub result: DeliveryResult,
    pub at: DateTime<Utc>,
    /// The body posted.
    pub payload: Value,
}

#[derive(Default)]
pub(crate) struct DeliveryLog {
    items: VecDeque<Delivery>,
}

impl DeliveryLog {
    fn push(&mut self, delivery: Delivery) {
        if self.items.len() == CAPACITY {
            self.items.pop_front();
        }
        self.items.push_back(delivery);
    }

    pub(crate) fn items(&self) -> Vec<Delivery> {
        self.items.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }
}

/// Hands notifications to the delivery thread, starting it on first use.
pub(crate) struct Dispatcher {
    state: Weak<State>,
    sender: OnceLock<mpsc::UnboundedSender<Notification>>,
}

impl Dispatcher {
    pub(crate) fn new(state: Weak<State>) -> Self {
        Self {
            state,
            sender: OnceLock::new(),
        }
    }

    pub(crate) fn send(&self, notifications: Vec<Notification>) {
        if notifications.is_empty() {
            return;
        }
        let sender = self.sender.get_or_init(|| start(self.state.clone()));
        for notification in notifications {
            // Fails only when the thread could not start; that was logged then.
            let _ = sender.send(notification);
        }
    }
}

fn start(state: Weak<State>) -> mpsc::UnboundedSender<Notification> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let spawned = std::thread::Builder::new()
        .name("ado-emulator-hooks".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match runtime {
                Ok(runtime) => runtime.block_on(route(receiver, state)),
                Err(err) => {
                    tracing::error!(error = %err, "the hook delivery runtime did not start")
                }
            }
        });
    if let Err(err) = spawned {
        tracing::error!(error = %err, "the hook delivery thread did not start");
    }
    sender
}

/// Gives each subscription its own queue, so one slow subscriber delays only itself.
/// Ends when the emulator is dropped (the sender with it).
async fn route(mut receiver: mpsc::UnboundedReceiver<Notification>, state: Weak<State>) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "no HTTP client for hook deliveries");
            return;
        }
    };
    let mut queues: HashMap<Uuid, mpsc::UnboundedSender<Notification>> = HashMap::new();
    while let Some(notification) = receiver.recv().await {
        let queue = queues
            .entry(notification.subscription_id)
            .or_insert_with(|| {
                let (sender, receiver) = mpsc::unbounded_channel();
                tokio::spawn(drain(receiver, state.clone(), client.clone()));
                sender
            });
        let _ = queue.send(notification);
    }
}

async fn drain(
    mut receiver: mpsc::UnboundedReceiver<Notification>,
    state: Weak<State>,
    client: reqwest::Client,
) {
    let parallel = match state.upgrade() {
        Some(s) => s.lock().hook_settings.parallel_deliveries.max(1) as usize,
        None => return,
    };
    let slots = Arc::new(Semaphore::new(parallel));
    while let Some(notification) = receiver.recv().await {
        // Taken in queue order, so with one slot deliveries stay in order.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let (state, client) = (state.clone(), client.clone());
        tokio::spawn(async move {
            deliver(&notification, &state, &client).await;
            drop(slot);
        });
    }
}

/// The outcome of one POST.
enum Answer {
    Status(u16),
    TimedOut(String),
    Failed(String),
}

/// Delivers one notification through all its retries. `false` once the emulator is gone.
async fn deliver(n: &Notification, state: &Weak<State>, client: &reqwest::Client) -> bool {
    let mut attempt = 0;
    let mut transient_retries = 0;
    loop {
        let settings = match ready(n, state, attempt + 1) {
            Ready::Go(settings) => settings,
            Ready::Skip => return true,
            Ready::Gone => return false,
        };
        attempt += 1;
        let answer = post(client, n, &settings).await;
        match settle(
            n,
            state,
            attempt,
            &answer,
            &settings,
            &mut transient_retries,
        ) {
            Settled::Wait(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            Settled::Done => return true,
            Settled::Gone => return false,
        }
    }
}

enum Ready {
    Go(HookSettings),
    /// The subscription was deleted or disabled meanwhile.
    Skip,
    /// The emulator was dropped.
    Gone,
}

/// Whether the notification should still be attempted, and with which timings.
fn ready(n: &Notification, state: &Weak<State>, attempt: u32) -> Ready {
    let Some(state) = state.upgrade() else {
        return Ready::Gone;
    };
    let mut inner = state.lock();
    let settings = inner.hook_settings;
    let status = inner
        .org_mut(&n.org)
        .and_then(|o| o.subscription_mut(n.subscription_id))
        .map(|s| s.status);
    if status.is_some_and(SubscriptionStatus::delivers) {
        return Ready::Go(settings);
    }
    inner.deliveries.push(record(
        n,
        attempt,
        None,
        Some("the subscription was deleted or disabled".into()),
        DeliveryResult::Skipped,
    ));
    Ready::Skip
}

enum Settled {
    /// Try again after this many milliseconds.
    Wait(u64),
    Done,
    Gone,
}

/// Records an attempt and applies ADO's rules to the subscription.
fn settle(
    n: &Notification,
    state: &Weak<State>,
    attempt: u32,
    answer: &Answer,
    settings: &HookSettings,
    transient_retries: &mut u32,
) -> Settled {
    let Some(state) = state.upgrade() else {
        return Settled::Gone;
    };
    let mut inner = state.lock();
    let (status, error) = match answer {
        Answer::Status(s) => (Some(*s), None),
        Answer::TimedOut(e) | Answer::Failed(e) => (None, Some(e.clone())),
    };
    let transient = match answer {
        Answer::Status(s) => matches!(s, 408 | 502 | 503 | 504),
        Answer::TimedOut(_) => true,
        Answer::Failed(_) => false,
    };
    let Some(subscription) = inner
        .org_mut(&n.org)
        .and_then(|o| o.subscription_mut(n.subscription_id))
    else {
        return Settled::Done;
    };
    let (result, wait) = match answer {
        Answer::Status(s) if (200..300).contains(s) => {
            if subscription.status == SubscriptionStatus::OnProbation {
                subscription.status = SubscriptionStatus::Enabled;
                subscription.probation_retries = 0;
            }
            (DeliveryResult::Delivered, None)
        }
        Answer::Status(410) => {
            subscription.status = SubscriptionStatus::DisabledBySystem;
            (DeliveryResult::Disabled, None)
        }
        _ if transient && *transient_retries < TRANSIENT_RETRIES => {
            *transient_retries += 1;
            let wait = settings
                .retry_base_ms
                .saturating_mul(u64::from(*transient_retries));
            (DeliveryResult::Retrying, Some(wait))
        }
        _ => {
            let now = Utc::now();
            // ADO retries a subscription on probation on one schedule: notifications in
            // flight together that fail before its next retry is due are that one retry,
            // not one each — else a short outage with many deliveries in flight would use
            // up all of probation's retries (36 hours' worth in ADO) at once.
            let due_in = subscription
                .last_probation_retry_date
                .filter(|_| subscription.status == SubscriptionStatus::OnProbation)
                .and_then(|last| {
                    let since = u64::try_from((now - last).num_milliseconds()).unwrap_or(0);
                    probation_wait(settings, subscription.probation_retries).checked_sub(since)
                })
                .filter(|ms| *ms > 0);
            match due_in {
                Some(wait) => (DeliveryResult::OnProbation, Some(wait)),
                None => {
                    subscription.probation_retries += 1;
                    subscription.last_probation_retry_date = Some(now);
                    if subscription.probation_retries >= settings.probation_limit {
                        subscription.status = SubscriptionStatus::DisabledBySystem;
                        (DeliveryResult::Disabled, None)
                    } else {
                        subscription.status = SubscriptionStatus::OnProbation;
                        let wait = probation_wait(settings, subscription.probation_retries);
                        (DeliveryResult::OnProbation, Some(wait))
                    }
                }
            }
        }
    };
    inner
        .deliveries
        .push(record(n, attempt, status, error, result));
    match wait {
        Some(ms) => Settled::Wait(ms),
        None => Settled::Done,
    }
}

/// How long after its `retries`-th probation retry a subscription is tried again.
fn probation_wait(settings: &HookSettings, retries: u32) -> u64 {
    let exponent = retries.saturating_sub(1).min(20);
    settings.probation_base_ms.saturating_mul(1 << exponent)
}

async fn post(client: &reqwest::Client, n: &Notification, settings: &HookSettings) -> Answer {
    let body = match serde_json::to_vec(&n.payload) {
        Ok(body) => body,
        Err(err) => return Answer::Failed(err.to_string()),
    };
    let mut request = client
        .post(&n.url)
        .timeout(Duration::from_millis(settings.timeout_ms))
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body);
    if let Some((username, password)) = &n.basic_auth {
        request = request.basic_auth(username, Some(password));
    }
    for (name, value) in &n.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    match request.send().await {
        Ok(response) => Answer::Status(response.status().as_u16()),
        Err(err) if err.is_timeout() => Answer::TimedOut(error_chain(&err)),
        Err(err) => Answer::Failed(error_chain(&err)),
    }
}

/// An error with its causes ("error sending request: ...: Connection refused").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn record(
    n: &Notification,
    attempt: u32,
    status: Option<u16>,
    error: Option<String>,
    result: DeliveryResult,
) -> Delivery {
    Delivery {
        organization: n.org.clone(),
        subscription_id: n.subscription_id,
        event_type: n.event_type.to_owned(),
        event_id: n.event_id,
        notification_id: n.notification_id,
        work_item_id: n.work_item_id,
        attempt,
        status,
        error,
        result,
        at: Utc::now(),
        payload: n.payload.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_timings_are_ados() {
        let settings = HookSettings::default();
        let transient: u64 = (1..=u64::from(TRANSIENT_RETRIES))
            .map(|k| k * settings.retry_base_ms)
            .sum();
        assert_eq!(transient / 1000, 180, "about 3 minutes");
        // Waits come between failures: one fewer than the failures allowed.
        let probation: u64 = (0..settings.probation_limit - 1)
            .map(|k| settings.probation_base_ms << k)
            .sum();
        assert_eq!((probation + 1_800_000) / 3_600_000, 36, "about 36 hours");
    }

    #[test]
    fn scaling_shrinks_the_delays_but_not_the_timeout() {
        let settings = HookSettings::scaled(0.001);
        assert_eq!(settings.retry_base_ms, 5);
        assert_eq!(settings.probation_base_ms, 1_020);
        assert_eq!(settings.timeout_ms, HookSettings::default().timeout_ms);
    }
}

//! Shared setup of the service hook tests: fast delivery timings, a receiver, samples and
//! a key-by-key comparison of JSON shapes.

use std::time::Duration;

use navsync_ado_emulator::{Delivery, HookSettings, SubscriptionInfo, WebhookSubscription};
use serde_json::Value;

use crate::helpers::{ORG, TestEmulator, spawn};
use crate::receiver::Receiver;

pub const USERNAME: &str = "ado";
pub const PASSWORD: &str = "a-long-shared-secret";

/// ADO's delivery timings shrunk to milliseconds, probation ending after 3 failures.
pub fn fast() -> HookSettings {
    HookSettings {
        retry_base_ms: 5,
        probation_base_ms: 5,
        probation_limit: 3,
        timeout_ms: 2_000,
        // The delivery tests read attempts in order.
        parallel_deliveries: 1,
    }
}

/// An emulator with fast hooks and a receiver answering `script`, then 200.
pub async fn with_receiver(script: &[u16]) -> (TestEmulator, Receiver) {
    let app = spawn().await;
    app.emulator
        .set_hook_settings(fast())
        .expect("valid settings");
    (app, Receiver::start(script).await)
}

/// Subscribes the receiver to `event_type` with Basic auth.
pub fn subscribe(app: &TestEmulator, receiver: &Receiver, event_type: &str) -> SubscriptionInfo {
    subscribe_with(
        app,
        WebhookSubscription::new(event_type, &receiver.url).basic_auth(USERNAME, PASSWORD),
    )
}

pub fn subscribe_with(app: &TestEmulator, subscription: WebhookSubscription) -> SubscriptionInfo {
    app.emulator
        .add_subscription(ORG, &subscription)
        .expect("a valid subscription")
}

pub async fn deliveries(app: &TestEmulator, count: usize) -> Vec<Delivery> {
    app.emulator
        .wait_for_deliveries(count, Duration::from_secs(10))
        .await
}

/// A sample from `tests/fixtures/ado-samples/`.
pub fn sample(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/ado-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("the sample exists");
    serde_json::from_str(&text).expect("the sample is JSON")
}

/// Asserts that `actual` has exactly the keys of `expected` at every level, and the same
/// kind of value (object, array, string, number, bool, null) at every leaf — values
/// themselves may differ. Paths listed in `skip` are not descended into.
pub fn assert_same_shape(expected: &Value, actual: &Value, path: &str, skip: &[&str]) {
    if skip.contains(&path) {
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut ek: Vec<&String> = e.keys().collect();
            let mut ak: Vec<&String> = a.keys().collect();
            ek.sort();
            ak.sort();
            assert_eq!(ak, ek, "the keys at {path} differ");
            for (key, value) in e {
                assert_same_shape(value, &a[key], &format!("{path}.{key}"), skip);
            }
        }
        (e, a) => assert_eq!(kind(a), kind(e), "the kind of value at {path} differs: {a}"),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

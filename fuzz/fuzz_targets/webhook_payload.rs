//! The webhook payload reader and parser (`services/webhook-ingress/src/payload.rs`) on any body
//! an authenticated caller could send: it must never panic, and what it accepts must be
//! usable (a work item id that is positive, a metrics label from the fixed set, an event
//! that ado-sync decodes, ADO's values passed on as they came).
#![no_main]

use libfuzzer_sys::fuzz_target;
use navsync_webhook_ingress::payload::{Body, Parsed, event_type_label, parse};
use navsync_webhook_ingress::publish;

fuzz_target!(|data: &[u8]| {
    // Exactly the JSON objects read, whatever their members hold.
    let as_value = serde_json::from_slice::<serde_json::Value>(data);
    let mut spare = None;
    let Ok(body) = Body::read(data, &mut spare) else {
        assert!(!as_value.is_ok_and(|v| v.is_object()), "a JSON object was refused");
        return;
    };
    let label = event_type_label(&body);
    assert!(!label.is_empty());
    let parsed = parse(body);
    // The Debug form walks every field: nothing in a parsed notification may panic there.
    let _ = format!("{parsed:?}");
    match parsed {
        Parsed::Publish(n) => {
            assert!(
                n.work_item_id >= 1,
                "published a work item id {}",
                n.work_item_id
            );
            // A publishable notification always has a key to deduplicate on.
            assert!(!n.key.subscription_id.is_empty(), "an empty dedup key");
            // What is published, ado-sync reads: the raw values are JSON, `fields` an object.
            let envelope = publish::envelope_for(Default::default(), Default::default(), "org", *n);
            let message = publish::message(&envelope).expect("a publishable notification encodes");
            navsync_contracts::decode(&message.body).expect("ado-sync decodes what is published");
        }
        Parsed::Rejected(_, reason) => assert!(!reason.is_empty()),
        Parsed::Ignored => {}
    }
});

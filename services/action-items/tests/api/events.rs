//! What other Navigator services see: every API write as a CloudEvent on
//! `navigator.action-items`, valid against its JSON Schema.

use navsync_contracts::{Event, Origin, routing_key};
use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

fn schema(name: &str) -> jsonschema::Validator {
    let path = format!(
        "{}/../../proto-schemas/{name}.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("schema file");
    let value: serde_json::Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&value)
        .expect("schema compiles")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_api_write_reaches_the_exchange_as_a_valid_cloud_event() {
    let app = spawn_app().await;
    let item = app.create_ok("Publish me").await;
    let id = item["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/action-items/{id}");
    app.call(Method::PATCH, &path, Some(json!({"status": "done"})), &[])
        .await;
    app.call(Method::DELETE, &path, None, &[]).await;

    let messages = app.events.wait_for(3).await;
    assert_eq!(messages.len(), 3);
    let expected = [
        routing_key::ACTION_ITEM_CREATED_V1,
        routing_key::ACTION_ITEM_UPDATED_V1,
        routing_key::ACTION_ITEM_DELETED_V1,
    ];
    for (message, key) in messages.iter().zip(expected) {
        assert_eq!(message.routing_key, key);
        let json: serde_json::Value = serde_json::from_slice(&message.body).expect("JSON body");
        let errors: Vec<String> = schema(key)
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{key}: {errors:?}");
        assert_eq!(
            message.message_id.as_deref(),
            json["id"].as_str(),
            "message_id = event id"
        );
        assert_eq!(json["type"], key);
        assert_eq!(json["source"], "/navsync/action-items");
        assert_eq!(json["subject"], id.as_str());
    }
    let envelopes = app.events.envelopes(3).await;
    match &envelopes[1].data {
        Event::ActionItemUpdated(u) => {
            assert_eq!(u.item.version, 2);
            assert_eq!(u.changed_fields, ["status"]);
            assert_eq!(u.item.origin, Origin::Navigator);
        }
        other => panic!("expected updated, got {other:?}"),
    }
    match &envelopes[2].data {
        Event::ActionItemDeleted(d) => assert_eq!(d.version, 3),
        other => panic!("expected deleted, got {other:?}"),
    }
    // Exactly the schema's fields: nothing the contract does not know leaks out.
    let created: serde_json::Value = serde_json::from_slice(&messages[0].body).expect("json");
    let mut keys: Vec<_> = created["data"]
        .as_object()
        .expect("data")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "company_id",
            "created_at",
            "id",
            "origin",
            "status",
            "sync_to_ado",
            "title",
            "updated_at",
            "version"
        ]
    );
}

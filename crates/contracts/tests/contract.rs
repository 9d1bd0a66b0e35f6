//! The contract test of SPEC §7: every event the code produces validates against its JSON
//! Schema in `proto-schemas/` (and the generic envelope schema), decodes back unchanged,
//! and every malformed sample is refused by both the schema and `decode` — which must name
//! the offending field. Services in other languages rely on the schemas, Rust services on
//! this crate; this test is what keeps the two the same contract.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use navsync_contracts::{
    DecodeError, EncodeError, Envelope, Event, decode, encode, routing_key, source,
};
use serde_json::{Value, json};
use support::{ENVELOPE_SCHEMA, example_json, examples, schema_errors, schema_file};

// ---- what producers send is what the schemas describe ----------------------------------

#[test]
fn every_example_is_accepted_by_its_own_schema_and_by_the_envelope_schema() {
    for env in examples() {
        let bytes = encode(&env).expect("an example encodes");
        let json: Value = serde_json::from_slice(&bytes).expect("encode writes JSON");
        let file = schema_file(&env.event_type);
        assert_eq!(
            schema_errors(&file, &json),
            vec![],
            "{file} refused {json:#}"
        );
        assert_eq!(
            schema_errors(ENVELOPE_SCHEMA, &json),
            vec![],
            "the envelope schema refused {json:#}"
        );
    }
}

#[test]
fn every_example_decodes_back_to_the_event_that_was_encoded() {
    for env in examples() {
        let bytes = encode(&env).expect("an example encodes");
        let back = decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", env.event_type));
        assert_eq!(back, env);
    }
}

#[test]
fn the_examples_cover_every_routing_key_on_its_exchange() {
    let covered: BTreeMap<_, _> = examples()
        .iter()
        .map(|env| (env.routing_key(), env.exchange()))
        .collect();
    let expected: BTreeMap<_, _> = routing_key::ALL.into_iter().collect();
    assert_eq!(covered, expected);
}

// ---- nothing is forgotten ---------------------------------------------------------------

#[test]
fn every_routing_key_has_a_schema_file_and_every_schema_file_names_a_routing_key() {
    let keys: BTreeSet<String> = routing_key::ALL
        .iter()
        .map(|(k, _)| schema_file(k))
        .collect();
    let mut files = BTreeSet::new();
    for entry in std::fs::read_dir(support::schemas_dir()).expect("proto-schemas/ exists") {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy().into_owned();
        if name.ends_with(".schema.json") && name != ENVELOPE_SCHEMA {
            files.insert(name);
        }
    }
    assert_eq!(
        keys.difference(&files).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "routing keys without a schema"
    );
    assert_eq!(
        files.difference(&keys).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "schemas without a routing key"
    );
}

#[test]
fn every_schema_is_draft_2020_12_and_fixes_the_type_its_file_is_named_after() {
    for (key, _) in routing_key::ALL {
        let schema = support::load_schema(&schema_file(key));
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["properties"]["type"]["const"], key);
        assert!(schema["properties"]["data"]["$ref"].is_string());
        support::validator(&schema_file(key));
    }
    support::validator(ENVELOPE_SCHEMA);
}

#[test]
fn a_definition_repeated_across_schema_files_is_the_same_everywhere() {
    // Each file is self-contained so any JSON Schema tool can use it alone; the price is
    // copies (ActionItemV1 is in three files), and this keeps the copies from drifting.
    let mut seen: BTreeMap<String, (String, Value)> = BTreeMap::new();
    for (key, _) in routing_key::ALL {
        let file = schema_file(key);
        let schema = support::load_schema(&file);
        let defs = schema["$defs"].as_object().cloned().unwrap_or_default();
        for (name, def) in defs {
            match seen.get(&name) {
                Some((first, same)) => {
                    assert_eq!(&def, same, "$defs/{name} differs in {file} and {first}")
                }
                None => {
                    seen.insert(name, (file.clone(), def));
                }
            }
        }
    }
}

// ---- tolerated: what a newer producer may send ------------------------------------------

#[test]
fn optional_fields_may_be_missing_or_null() {
    let mut missing = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    let data = missing["data"].as_object_mut().expect("data is an object");
    for field in ["description", "assignee_email", "due_date", "ado_revisions"] {
        data.remove(field);
    }
    let mut null = missing.clone();
    for field in ["description", "assignee_email", "due_date"] {
        null["data"][field] = Value::Null;
    }
    null["subject"] = Value::Null;
    null["traceparent"] = Value::Null;

    for sample in [missing, null] {
        assert_accepted(&sample);
        let env = decode_json(&sample).expect("optional fields are optional");
        let Event::ActionItemCreated(item) = env.data else {
            panic!("decoded as {}", env.event_type)
        };
        assert_eq!((item.description, item.due_date), (None, None));
        assert!(item.ado_revisions.is_empty(), "no ADO revision applied");
    }
}

#[test]
fn fields_and_attributes_a_consumer_does_not_know_are_ignored() {
    let mut sample = example_json(routing_key::ACTION_ITEM_SYNCED_V1);
    sample["data"]["project"] = json!("Retro");
    sample["partitionkey"] = json!("tenant-7");
    assert_accepted(&sample);
    let env = decode_json(&sample).expect("extra fields are tolerated");
    assert_eq!(env.event_type, routing_key::ACTION_ITEM_SYNCED_V1);
}

#[test]
fn a_title_of_exactly_255_characters_is_accepted() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["data"]["title"] = json!("ü".repeat(255));
    assert_accepted(&sample);
    decode_json(&sample).expect("255 characters fit");
}

// ---- refused: each by the schema and by decode, naming the field -------------------------

#[test]
fn an_event_missing_a_required_data_field_is_refused_and_the_field_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    remove(&mut sample["data"], "title");
    assert_schema_refuses_at(&sample, "/data", "title");
    assert_invalid_field(&sample, "data.title");
}

#[test]
fn an_event_missing_an_envelope_attribute_is_refused_and_the_attribute_named() {
    let mut sample = example_json(routing_key::INTEGRATION_CHANGED_V1);
    remove(&mut sample, "time");
    assert_schema_refuses_at(&sample, "", "time");
    assert!(!schema_errors(ENVELOPE_SCHEMA, &sample).is_empty());
    assert_invalid_field(&sample, "time");
}

#[test]
fn an_update_without_changed_fields_is_refused_and_the_field_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_UPDATED_V1);
    remove(&mut sample["data"], "changed_fields");
    assert_schema_refuses_at(&sample, "/data", "changed_fields");
    assert_invalid_field(&sample, "data.changed_fields");
}

#[test]
fn an_update_with_a_bad_item_field_names_the_field_not_just_data() {
    let mut sample = example_json(routing_key::ACTION_ITEM_UPDATED_V1);
    sample["data"]["sync_to_ado"] = json!("yes");
    assert_schema_refuses_at(&sample, "/data/sync_to_ado", "");
    assert_invalid_field(&sample, "data.sync_to_ado");
}

#[test]
fn a_field_of_the_wrong_type_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["data"]["version"] = json!("3");
    assert_schema_refuses_at(&sample, "/data/version", "");
    assert_invalid_field(&sample, "data.version");
}

#[test]
fn an_ado_revision_that_is_not_a_number_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_UPDATED_V1);
    sample["data"]["ado_revisions"]["status"] = json!("5");
    assert_schema_refuses_at(&sample, "/data/ado_revisions/status", "");
    assert_invalid_field(&sample, "data.ado_revisions.status");
}

#[test]
fn an_unknown_type_is_refused() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["type"] = json!("invoice.paid.v1");
    assert_no_schema_accepts(&sample);
    assert_eq!(
        decode_json(&sample),
        Err(DecodeError::UnknownType("invoice.paid.v1".into()))
    );
}

#[test]
fn an_unknown_version_of_a_known_type_is_refused_as_such() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["type"] = json!("action_item.created.v9");
    assert_no_schema_accepts(&sample);
    assert_eq!(
        decode_json(&sample),
        Err(DecodeError::UnknownVersion {
            type_name: "action_item.created".into(),
            version: "v9".into()
        })
    );
}

#[test]
fn a_body_that_is_not_json_is_refused() {
    for body in [
        &b"action_item.created.v1"[..],
        b"",
        b"{\"specversion\": \"1.0\",",
    ] {
        assert!(serde_json::from_slice::<Value>(body).is_err());
        assert!(matches!(decode(body), Err(DecodeError::NotJson(_))));
    }
}

#[test]
fn a_title_longer_than_255_characters_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["data"]["title"] = json!("x".repeat(256));
    assert_schema_refuses_at(&sample, "/data/title", "");
    assert_invalid_field(&sample, "data.title");
}

#[test]
fn an_empty_title_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_DELETED_V1);
    sample["data"]["title"] = json!("");
    assert_schema_refuses_at(&sample, "/data/title", "");
    assert_invalid_field(&sample, "data.title");
}

#[test]
fn a_status_outside_the_enum_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["data"]["status"] = json!("finished");
    assert_schema_refuses_at(&sample, "/data/status", "");
    assert_invalid_field(&sample, "data.status");
}

#[test]
fn a_status_from_ado_outside_the_enum_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CHANGED_IN_ADO_V1);
    sample["data"]["changes"]["status"]["value"] = json!("Closed");
    assert_schema_refuses_at(&sample, "/data/changes/status", "");
    assert_invalid_field(&sample, "data.changes.status.value");
}

#[test]
fn a_change_in_ado_without_any_change_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CHANGED_IN_ADO_V1);
    for empty in [json!({}), json!({"title": null}), json!({"reviewer": "x"})] {
        sample["data"]["changes"] = empty;
        assert_schema_refuses_at(&sample, "/data/changes", "");
        assert_invalid_field(&sample, "data.changes");
    }
}

#[test]
fn a_version_below_one_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_SYNC_FAILED_V1);
    sample["data"]["version"] = json!(0);
    assert_schema_refuses_at(&sample, "/data/version", "");
    assert_invalid_field(&sample, "data.version");
}

#[test]
fn a_work_item_id_below_one_is_refused_and_named() {
    for key in [
        routing_key::ACTION_ITEM_SYNCED_V1,
        routing_key::ADO_WORK_ITEM_UPDATED_V1,
        routing_key::ACTION_ITEM_DELETED_IN_ADO_V1,
    ] {
        let mut sample = example_json(key);
        sample["data"]["work_item_id"] = json!(0);
        assert_schema_refuses_at(&sample, "/data/work_item_id", "");
        assert_invalid_field(&sample, "data.work_item_id");
    }
}

#[test]
fn a_malformed_uuid_is_refused_and_named() {
    let mut sample = example_json(routing_key::INTEGRATION_CHANGED_V1);
    sample["data"]["company_id"] = json!("company-7");
    assert_schema_refuses_at(&sample, "/data/company_id", "");
    assert_invalid_field(&sample, "data.company_id");
}

#[test]
fn an_impossible_due_date_is_refused_and_named() {
    let mut sample = example_json(routing_key::ACTION_ITEM_CREATED_V1);
    sample["data"]["due_date"] = json!("2026-13-01");
    assert_schema_refuses_at(&sample, "/data/due_date", "");
    assert_invalid_field(&sample, "data.due_date");
}

#[test]
fn an_integration_status_outside_the_list_is_refused_and_named() {
    let mut sample = example_json(routing_key::INTEGRATION_CHANGED_V1);
    sample["data"]["status"] = json!("paused");
    assert_schema_refuses_at(&sample, "/data/status", "");
    assert_invalid_field(&sample, "data.status");
}

#[test]
fn a_field_change_that_is_not_an_object_is_refused_and_named() {
    let mut sample = example_json(routing_key::ADO_WORK_ITEM_UPDATED_V1);
    sample["data"]["changed_fields"]["System.State"] = json!("Doing");
    assert_schema_refuses_at(&sample, "/data/changed_fields/System.State", "");
    assert_invalid_field(&sample, "data.changed_fields.System.State");
}

#[test]
fn another_cloudevents_version_is_refused() {
    let mut sample = example_json(routing_key::ACTION_ITEM_SYNCED_V1);
    sample["specversion"] = json!("0.3");
    assert_schema_refuses_at(&sample, "/specversion", "");
    assert!(!schema_errors(ENVELOPE_SCHEMA, &sample).is_empty());
    assert_eq!(
        decode_json(&sample),
        Err(DecodeError::UnsupportedSpecVersion("0.3".into()))
    );
}

// ---- producers cannot send what consumers would refuse ----------------------------------

#[test]
fn encoding_refuses_an_event_that_breaks_the_contract() {
    let Some(Event::ActionItemCreated(mut item)) = examples().into_iter().next().map(|e| e.data)
    else {
        panic!("the first example is a created action item")
    };
    item.title = String::new();
    let env = Envelope::from_event(source::ACTION_ITEMS, Event::ActionItemCreated(item));
    match encode(&env) {
        Err(EncodeError::Invalid { field, .. }) => assert_eq!(field, "data.title"),
        other => panic!("expected data.title to be refused, got {other:?}"),
    }
}

#[test]
fn encoding_refuses_a_type_that_does_not_match_the_data() {
    let mut env = examples().remove(0);
    env.event_type = routing_key::ACTION_ITEM_DELETED_V1.into();
    match encode(&env) {
        Err(EncodeError::Invalid { field, .. }) => assert_eq!(field, "type"),
        other => panic!("expected type to be refused, got {other:?}"),
    }
}

// ---- helpers ----------------------------------------------------------------------------

fn decode_json(sample: &Value) -> Result<Envelope<Event>, DecodeError> {
    decode(&serde_json::to_vec(sample).expect("a sample serializes"))
}

fn remove(object: &mut Value, field: &str) {
    object
        .as_object_mut()
        .expect("an object")
        .remove(field)
        .unwrap_or_else(|| panic!("the example has no {field}"));
}

fn own_schema(sample: &Value) -> String {
    schema_file(sample["type"].as_str().expect("the sample has a type"))
}

fn assert_accepted(sample: &Value) {
    assert_eq!(schema_errors(&own_schema(sample), sample), vec![]);
    assert_eq!(schema_errors(ENVELOPE_SCHEMA, sample), vec![]);
}

/// The sample's own schema refuses it with an error at `pointer` (a JSON pointer to the
/// bad value, or to the object missing a property), mentioning `needle`.
fn assert_schema_refuses_at(sample: &Value, pointer: &str, needle: &str) {
    let errors = schema_errors(&own_schema(sample), sample);
    assert!(
        errors
            .iter()
            .any(|(at, message)| at == pointer && message.contains(needle)),
        "expected an error at `{pointer}` mentioning `{needle}`, got {errors:?}"
    );
}

fn assert_invalid_field(sample: &Value, expected: &str) {
    match decode_json(sample) {
        Err(DecodeError::Invalid { field, message }) => {
            assert_eq!(field, expected, "decode blamed the wrong field: {message}")
        }
        other => panic!("expected decode to refuse {expected}, got {other:?}"),
    }
}

/// For a type with no schema file, the refusal is that nothing describes it: no file
/// exists, and every schema that does exist refuses it for its `type`.
fn assert_no_schema_accepts(sample: &Value) {
    let file = own_schema(sample);
    assert!(
        !support::schemas_dir().join(&file).exists(),
        "{file} exists"
    );
    for (key, _) in routing_key::ALL {
        let errors = schema_errors(&schema_file(key), sample);
        assert!(
            errors.iter().any(|(at, _)| at == "/type"),
            "{key}'s schema did not refuse the type: {errors:?}"
        );
    }
}

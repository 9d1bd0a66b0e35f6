//! Diesel's view of the tables in `migrations/`, matching `diesel print-schema` for the
//! `action_items` schema; change it only together with a migration.

diesel::table! {
    action_items.action_items (id) {
        id -> Uuid,
        company_id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        status -> Text,
        assignee_email -> Nullable<Text>,
        due_date -> Nullable<Date>,
        sync_to_ado -> Bool,
        version -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        ado_work_item_id -> Nullable<Int8>,
        ado_url -> Nullable<Text>,
        ado_sync_state -> Text,
        ado_last_synced_at -> Nullable<Timestamptz>,
        ado_error -> Nullable<Text>,
        ado_synced_version -> Int8,
        ado_title_rev -> Nullable<Int8>,
        ado_description_rev -> Nullable<Int8>,
        ado_status_rev -> Nullable<Int8>,
        ado_warning -> Nullable<Text>,
    }
}

diesel::table! {
    action_items.outbox (seq) {
        seq -> Int8,
        event_id -> Uuid,
        aggregate_id -> Uuid,
        exchange -> Text,
        routing_key -> Text,
        body -> Bytea,
        traceparent -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    action_items.inbox (event_id) {
        event_id -> Uuid,
        event_type -> Text,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    action_items.idempotency_keys (company_id, key) {
        company_id -> Uuid,
        key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Int4>,
        response -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

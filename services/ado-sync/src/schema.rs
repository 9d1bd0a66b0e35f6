//! Diesel's view of the tables in `migrations/`, matching `diesel print-schema` for the
//! `ado_sync` schema; change it only together with a migration.

diesel::table! {
    ado_sync.links (action_item_id) {
        action_item_id -> Uuid,
        company_id -> Uuid,
        integration_id -> Uuid,
        organization -> Text,
        project -> Text,
        work_item_id -> Nullable<Int8>,
        work_item_url -> Nullable<Text>,
        state -> Text,
        create_attempted_at -> Nullable<Timestamptz>,
        last_synced_version -> Int8,
        lease_until -> Nullable<Timestamptz>,
        known_title -> Nullable<Text>,
        title_rev -> Nullable<Int8>,
        known_description -> Nullable<Text>,
        description_rev -> Nullable<Int8>,
        known_state -> Nullable<Text>,
        state_rev -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sent_due_date -> Nullable<Text>,
        sent_assignee -> Nullable<Text>,
        title_reported_rev -> Nullable<Int8>,
        description_reported_rev -> Nullable<Int8>,
        state_reported_rev -> Nullable<Int8>,
        unconfirmed_titles -> Array<Text>,
        unconfirmed_descriptions -> Array<Text>,
        unconfirmed_states -> Array<Text>,
    }
}

diesel::table! {
    ado_sync.written_revisions (organization, work_item_id, rev) {
        organization -> Text,
        work_item_id -> Int8,
        rev -> Int8,
        written_at -> Timestamptz,
    }
}

diesel::table! {
    ado_sync.inbox (subscription_id, notification_id) {
        subscription_id -> Text,
        notification_id -> Int8,
        received_at -> Timestamptz,
    }
}

diesel::table! {
    ado_sync.parked (id) {
        id -> Int8,
        integration_id -> Uuid,
        body -> Bytea,
        message_id -> Nullable<Text>,
        reason -> Text,
        parked_at -> Timestamptz,
    }
}

diesel::table! {
    ado_sync.dead_letter_audit (id) {
        id -> Int8,
        queue -> Text,
        action -> Text,
        message_id -> Nullable<Text>,
        routing_key -> Text,
        reason -> Nullable<Text>,
        actor -> Text,
        body -> Nullable<Bytea>,
        at -> Timestamptz,
    }
}

diesel::table! {
    ado_sync.hook_activity (company_id) {
        company_id -> Uuid,
        integration_id -> Uuid,
        last_outbound_at -> Nullable<Timestamptz>,
        last_inbound_at -> Nullable<Timestamptz>,
        unanswered_since -> Nullable<Timestamptz>,
        flagged -> Bool,
    }
}

//! Diesel's view of the tables in `migrations/`. Written to match `diesel print-schema`
//! output for the `integrations` schema; change it only together with a migration.

diesel::table! {
    integrations.integrations (id) {
        id -> Uuid,
        company_id -> Uuid,
        organization -> Text,
        enabled -> Bool,
        attention_reason -> Nullable<Text>,
        pat_ciphertext -> Text,
        pat_hint -> Text,
        webhook_secret_ciphertext -> Text,
        webhook_secret_hint -> Text,
        project -> Nullable<Text>,
        work_item_type -> Text,
        state_mapping -> Jsonb,
        on_action_item_deleted -> Text,
        last_validated_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        pat_expires_at -> Nullable<Timestamptz>,
        pat_expiry_warned_days -> Nullable<Int4>,
        hook_status -> Nullable<Text>,
        hook_checked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    integrations.audit_log (id) {
        id -> Uuid,
        integration_id -> Uuid,
        company_id -> Uuid,
        actor -> Text,
        action -> Text,
        detail -> Jsonb,
        created_at -> Timestamptz,
    }
}

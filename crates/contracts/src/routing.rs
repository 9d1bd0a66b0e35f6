//! The names on the wire: exchanges, routing keys (which are also the CloudEvents `type`),
//! the `source` URIs navsync's services stamp on what they publish, and the AMQP properties
//! every event carries. They live in one file so that a producer, a consumer binding a queue
//! and the contract tests cannot spell a name two ways.

/// The four topic exchanges (durable) of SPEC §7.
pub mod exchange {
    /// `action_item.*` from `action-items` and from any other Navigator service.
    pub const ACTION_ITEMS: &str = "navigator.action-items";
    /// Raw `ado.work_item.*` events from `webhook-ingress`, for `ado-sync` only.
    pub const ADO_INBOUND: &str = "navigator.ado-inbound";
    /// What `ado-sync` reports: sync status, and changes and deletions made in ADO.
    pub const ADO_SYNC: &str = "navigator.ado-sync";
    /// Lifecycle of integrations, from `integrations`. Never carries a secret.
    pub const INTEGRATIONS: &str = "navigator.integrations";

    /// Every exchange, for code that declares the topology in one place.
    pub const ALL: [&str; 4] = [ACTION_ITEMS, ADO_INBOUND, ADO_SYNC, INTEGRATIONS];
}

/// Routing keys. Each equals the CloudEvents `type` of the events published with it, and
/// ends in the version of its data: a version is never changed in place, a new one is a
/// new key (`….v2`) with a new Rust type beside the old.
pub mod routing_key {
    use super::exchange;

    pub const ACTION_ITEM_CREATED_V1: &str = "action_item.created.v1";
    pub const ACTION_ITEM_UPDATED_V1: &str = "action_item.updated.v1";
    pub const ACTION_ITEM_DELETED_V1: &str = "action_item.deleted.v1";

    pub const ADO_WORK_ITEM_UPDATED_V1: &str = "ado.work_item.updated.v1";
    pub const ADO_WORK_ITEM_DELETED_V1: &str = "ado.work_item.deleted.v1";
    pub const ADO_WORK_ITEM_RESTORED_V1: &str = "ado.work_item.restored.v1";

    pub const ACTION_ITEM_SYNCED_V1: &str = "action_item.synced.v1";
    pub const ACTION_ITEM_SYNC_FAILED_V1: &str = "action_item.sync_failed.v1";
    pub const ACTION_ITEM_CHANGED_IN_ADO_V1: &str = "action_item.changed_in_ado.v1";
    pub const ACTION_ITEM_DELETED_IN_ADO_V1: &str = "action_item.deleted_in_ado.v1";

    pub const INTEGRATION_CHANGED_V1: &str = "integration.changed.v1";

    /// Every routing key with the exchange it is published to. The contract tests check
    /// that each has a schema in `proto-schemas/`, so a key added here without one fails.
    pub const ALL: [(&str, &str); 11] = [
        (ACTION_ITEM_CREATED_V1, exchange::ACTION_ITEMS),
        (ACTION_ITEM_UPDATED_V1, exchange::ACTION_ITEMS),
        (ACTION_ITEM_DELETED_V1, exchange::ACTION_ITEMS),
        (ADO_WORK_ITEM_UPDATED_V1, exchange::ADO_INBOUND),
        (ADO_WORK_ITEM_DELETED_V1, exchange::ADO_INBOUND),
        (ADO_WORK_ITEM_RESTORED_V1, exchange::ADO_INBOUND),
        (ACTION_ITEM_SYNCED_V1, exchange::ADO_SYNC),
        (ACTION_ITEM_SYNC_FAILED_V1, exchange::ADO_SYNC),
        (ACTION_ITEM_CHANGED_IN_ADO_V1, exchange::ADO_SYNC),
        (ACTION_ITEM_DELETED_IN_ADO_V1, exchange::ADO_SYNC),
        (INTEGRATION_CHANGED_V1, exchange::INTEGRATIONS),
    ];

    /// The exchange a routing key belongs to, or `None` for a key navsync does not know.
    pub fn exchange_of(routing_key: &str) -> Option<&'static str> {
        ALL.iter()
            .find(|(key, _)| *key == routing_key)
            .map(|(_, exchange)| *exchange)
    }

    /// Splits `action_item.created.v1` into the family `action_item.created` and the
    /// version `v1`. `None` when the last segment is not `v<digits>`: such a `type` can
    /// never be one of ours, whatever its family.
    pub fn split_version(event_type: &str) -> Option<(&str, &str)> {
        let (family, version) = event_type.rsplit_once('.')?;
        let digits = version.strip_prefix('v')?;
        let well_formed =
            !family.is_empty() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        well_formed.then_some((family, version))
    }

    /// Whether some version of this family (`action_item.created`) is known. Lets a
    /// consumer tell "a newer producer is ahead of me" from "not an event for navsync".
    pub fn is_known_family(family: &str) -> bool {
        ALL.iter()
            .filter_map(|(key, _)| split_version(key))
            .any(|(known, _)| known == family)
    }
}

/// The `source` attribute navsync's own services put on the events they publish. Other
/// Navigator services publishing `action_item.*` use their own URI.
pub mod source {
    pub const ACTION_ITEMS: &str = "/navsync/action-items";
    pub const ADO_SYNC: &str = "/navsync/ado-sync";
    pub const WEBHOOK_INGRESS: &str = "/navsync/webhook-ingress";
    pub const INTEGRATIONS: &str = "/navsync/integrations";
}

/// AMQP message properties that go with every event (the body is the envelope).
pub mod amqp {
    /// `content_type` of the message: CloudEvents JSON structured mode.
    pub const CONTENT_TYPE: &str = "application/cloudevents+json";
    /// `delivery_mode` 2: persistent, so a broker restart loses nothing that was confirmed.
    pub const DELIVERY_MODE_PERSISTENT: u8 = 2;
    /// Header carrying the W3C trace context; the same value is in the envelope's
    /// `traceparent` attribute so it survives a hop that drops headers.
    pub const TRACEPARENT_HEADER: &str = "traceparent";
    // `message_id` is the envelope's `id`, so the broker, the dead-letter queue and the
    // consumers' inbox tables all speak of the same event.
}

#[cfg(test)]
mod tests {
    use super::exchange;
    use super::routing_key::{self, exchange_of, is_known_family, split_version};

    #[test]
    fn every_routing_key_names_one_of_the_four_exchanges() {
        for (key, ex) in routing_key::ALL {
            assert!(exchange::ALL.contains(&ex), "{key} goes to unknown {ex}");
            assert_eq!(exchange_of(key), Some(ex));
        }
    }

    #[test]
    fn routing_keys_are_unique() {
        let mut keys: Vec<_> = routing_key::ALL.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), routing_key::ALL.len());
    }

    #[test]
    fn a_type_splits_into_family_and_version() {
        assert_eq!(
            split_version("action_item.created.v1"),
            Some(("action_item.created", "v1"))
        );
        assert_eq!(
            split_version("ado.work_item.updated.v12"),
            Some(("ado.work_item.updated", "v12"))
        );
        assert_eq!(split_version("action_item.created"), None);
        assert_eq!(split_version("action_item.created.v"), None);
        assert_eq!(split_version("action_item.created.vx"), None);
        assert_eq!(split_version(".v1"), None);
        assert_eq!(split_version("v1"), None);
    }

    #[test]
    fn families_are_known_regardless_of_version() {
        assert!(is_known_family("action_item.created"));
        assert!(is_known_family("integration.changed"));
        assert!(!is_known_family("action_item"));
        assert!(!is_known_family("invoice.paid"));
    }
}

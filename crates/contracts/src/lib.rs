//! The event contracts of navsync (SPEC §7): what travels over RabbitMQ between navsync's
//! services and the rest of Navigator. One crate holds them so that every producer and
//! consumer shares one definition of each event, and `proto-schemas/` — the same contract
//! for services not written in Rust — is tested against it (`tests/contract.rs`).
//!
//! - [`routing`]: exchange names, routing keys (= CloudEvents `type`), sources, AMQP
//!   properties.
//! - [`Envelope`]: the CloudEvents 1.0 envelope that is the message body.
//! - [`Event`]: one variant per type, with its data structs in the modules below.
//! - [`encode`] / [`decode`]: bytes ⇄ `Envelope<Event>`, with the contract's rules checked
//!   in both directions and a field path in every refusal.
//!
//! Versioning: a type is never changed in place beyond adding optional fields (which every
//! data struct tolerates). Anything else is a new type with a new routing key (`….v2`), a
//! new struct (`…V2`) and a new `Event` variant, published beside the old until no
//! consumer needs it.
#![forbid(unsafe_code)]

mod action_item;
mod ado_inbound;
mod ado_inbound_raw;
mod ado_sync;
mod codec;
mod envelope;
mod event;
mod integration;
pub mod queues;
mod rfc3339;
pub mod routing;
mod validate;

pub use action_item::{
    ActionItemStatus, ActionItemUpdatedV1, ActionItemV1, AdoRevisions, Origin, changed_field,
};
pub use ado_inbound::{AdoWorkItemEventV1, FieldChange, ResourceDetails};
pub use ado_inbound_raw::{
    AdoWorkItemKind, RawAdoWorkItemEventV1, RawFieldChange, RawJson, encode_ado_work_item,
};
pub use ado_sync::{
    ActionItemChangedInAdoV1, ActionItemDeletedInAdoV1, ActionItemSyncFailedV1, ActionItemSyncedV1,
    AdoChanges, FieldValue, SyncError,
};
pub use codec::{DecodeError, EncodeError, decode, encode};
pub use envelope::{DATA_CONTENT_TYPE, Envelope, SPEC_VERSION};
pub use event::Event;
pub use integration::{IntegrationChange, IntegrationChangedV1, integration_status};
pub use routing::{amqp, exchange, routing_key, source};
pub use validate::{TITLE_MAX_CHARS, full_date};

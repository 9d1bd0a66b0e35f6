//! The one wrapper over RabbitMQ that every navsync service uses; no service touches lapin
//! directly. It holds the broker connection (re-made after failures), the topology (every
//! queue option in one place), a publisher whose every message is confirmed, consumers
//! whose handlers decide ack / retry later / dead-letter, and the webhook ingress's
//! [`Coalescer`], which keeps an AMQP connection of its own on its caller's thread.
#![forbid(unsafe_code)]

mod broker;
mod coalescer;
mod consumer;
pub mod depth;
pub mod inspect;
mod message;
mod publisher;
pub mod redrive;
pub mod topology;
pub mod trace;

pub use broker::{Broker, BrokerError};
pub use coalescer::Coalescer;
pub use consumer::{ConsumerConfig, run_consumer};
pub use message::{IncomingMessage, Outcome, OutgoingMessage, headers};
pub use publisher::{Batch, PublishError, Publisher};
pub use topology::QueueSpec;

//! Integration tests of `navsync-action-items`: the real service on port 0 with its own
//! PostgreSQL database and RabbitMQ vhost per test.

mod api;
mod events;
mod from_ado;
mod helpers;
mod outbox;
mod security;

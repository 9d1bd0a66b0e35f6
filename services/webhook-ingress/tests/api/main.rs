//! Integration tests of `navsync-webhook-ingress`: the real service on port 0 with its own
//! RabbitMQ vhost, beside the real `integrations` service (its own PostgreSQL database)
//! and the ADO emulator as Azure DevOps.

mod auth;
mod broker;
mod emulator;
mod helpers;
mod limits;
mod samples;
mod secrets;
mod security;

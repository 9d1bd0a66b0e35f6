//! ado-sync against real PostgreSQL and RabbitMQ, the real integrations service, and the
//! ADO emulator as Azure DevOps.

mod changed_integration;
mod crash;
mod dead_letters;
mod due_date;
mod fairness;
mod from_ado;
mod helpers;
mod self_healing;
mod to_ado;

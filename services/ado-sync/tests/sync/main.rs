//! ado-sync against real PostgreSQL and RabbitMQ, the real integrations service, and the
//! ADO emulator as Azure DevOps.

mod crash;
mod from_ado;
mod helpers;
mod to_ado;

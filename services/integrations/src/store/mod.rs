//! The integrations service's tables, one module each, with query functions named by what
//! they select or change. Database errors that mean a domain conflict are mapped here.

pub mod audit;
pub mod integrations;

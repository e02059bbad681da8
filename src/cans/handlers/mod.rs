pub mod can;
pub mod invitations;
pub mod join_requests;
pub mod members;
pub mod public;

pub use super::nav::CanNav;

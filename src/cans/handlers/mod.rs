pub mod can;
pub mod invitations;
pub mod join_requests;
pub mod members;

pub use super::nav::{CanNav, role_labels};

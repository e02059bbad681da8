//! The CAN area's pages and actions, by sub-resource: the CAN itself, its public page, members
//! and roles, one's own membership, invitations, and join requests.

pub mod can;
pub mod invitations;
pub mod join_requests;
pub mod members;
pub mod own;
pub mod public;
pub mod roles;

pub use super::nav::{CanNav, Section};

//! The frame of every page inside a CAN.

use super::model::{Can, Membership, Role};

/// What every page inside a CAN shows around its content: the CAN's name and its section links,
/// with the organisers' sections only for organisers.
#[derive(Debug, Clone)]
pub struct CanNav {
    pub slug: String,
    pub name: String,
    pub current: &'static str,
    pub is_organiser: bool,
    pub is_coordinator: bool,
}

impl CanNav {
    pub fn new(can: &Can, membership: &Membership, current: &'static str) -> Self {
        Self {
            slug: can.slug.clone(),
            name: can.name.clone(),
            current,
            is_organiser: membership.is_organiser(),
            is_coordinator: membership.is_active() && membership.has(Role::Coordinator),
        }
    }
}

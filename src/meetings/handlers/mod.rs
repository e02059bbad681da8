pub mod meeting;
pub mod polls;
pub mod schedule;

use crate::cans::model::{Membership, Role};

/// Facilitators and organisers set schedules for everyone.
pub fn schedules(m: &Membership) -> bool {
    m.is_active() && (m.has(Role::Facilitator) || m.has(Role::Organiser))
}

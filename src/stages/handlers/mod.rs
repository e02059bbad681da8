//! Pages and actions of the stage guide, the health view and the check-in after a meeting.

pub mod check_in;
pub mod health;
pub mod stage;

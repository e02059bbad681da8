//! Everyday decisions by consent: any active member puts a proposal to the CAN; it runs the
//! vision's consent machinery (`crate::visioning::rounds`: the same answers, tally, quorum and
//! blocking objection), can be amended while open, and, once adopted, becomes a decision of the
//! CAN (and of its meeting, when it was put at one).

pub mod closing;
pub mod create;
pub mod model;

pub use closing::round_closed;
pub use create::{AtMeeting, NewProposal, create};

//! The welcome area's pages: a member's welcome page, and the newcomers page with the
//! organisers' choice of companions.

pub mod newcomers;
pub mod welcome;

//! Proposal pages and actions, by sub-resource: the list, the new-proposal form, a proposal's
//! page (and answering it), and the changes to an open one (amend, withdraw, close).

pub mod change;
pub mod list;
pub mod new;
pub mod page;

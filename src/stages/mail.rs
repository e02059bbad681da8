//! What the stages area sends people. The words are in `templates/mail/stages/`.

use askama::Template;

use super::guide::Step;
use super::health::{Drifting, LoadSnapshot};
use crate::cans::model::Stage;
use crate::outbox::MailText;

/// The weekly digest to organisers and coordinators.
#[derive(Template)]
#[template(path = "mail/stages/digest.txt")]
pub struct Digest<'a> {
    pub can_name: &'a str,
    pub stage: Stage,
    /// The steps not done yet.
    pub open_steps: Vec<&'a Step>,
    pub drifting: &'a [Drifting],
    pub single_points: &'a [String],
    /// The load a while ago and now, when it changed.
    pub load_change: Option<(LoadSnapshot, LoadSnapshot)>,
    pub base_url: &'a str,
    pub slug: &'a str,
}

impl MailText for Digest<'_> {
    fn subject(&self) -> String {
        format!("{}: your week in Canopy", self.can_name)
    }
}

//! Pages and actions for asking a hand: the list with the "I need a hand" form, and one request's
//! page with its answers. Handlers parse, call `super::requests` and turn the outcome into a page.

mod list;
mod request;

pub use list::{create, list};
pub use request::{met, offer, request_page, withdraw, withdraw_offer};

use chrono_tz::Tz;

use super::queries::Request;
use crate::web::time;

/// "asked today", "waiting since yesterday", "waiting 5 days": days counted in the CAN's zone.
fn waited(r: &Request, tz: Tz) -> String {
    let asked = r.created_at.with_timezone(&tz).date_naive();
    match (time::today_in(tz) - asked).num_days() {
        ..=0 => "asked today".into(),
        1 => "waiting since yesterday".into(),
        n => format!("waiting {n} days"),
    }
}

/// "Nobody has offered yet", "1 person offered", "3 people offered".
fn offered(n: i64) -> String {
    match n {
        0 => "Nobody has offered yet".into(),
        1 => "1 person offered".into(),
        n => format!("{n} people offered"),
    }
}

/// A request as the list and its page show it, its dates already in words.
pub struct RequestView {
    pub id: uuid::Uuid,
    pub kind: &'static str,
    pub asker: String,
    /// The viewer asked it.
    pub mine: bool,
    pub details: String,
    pub needed_by: Option<String>,
    pub private: bool,
    pub open: bool,
    pub status: &'static str,
    pub asked_on: String,
    pub waited: String,
    pub offered: String,
    /// The viewer's own offer's note, when they offered.
    pub my_note: Option<String>,
    /// The day it was met or withdrawn.
    pub closed_on: Option<String>,
}

impl RequestView {
    fn new(r: &Request, me: uuid::Uuid, tz: Tz) -> Self {
        Self {
            id: r.id,
            kind: r.kind.label(),
            asker: r.asker_name.clone(),
            mine: r.asker_id == me,
            details: r.details.clone(),
            needed_by: r.needed_by.map(time::date),
            private: r.private,
            open: r.status.is_open(),
            status: r.status.label(),
            asked_on: time::date_in(r.created_at, tz),
            waited: waited(r, tz),
            offered: offered(r.offers),
            my_note: r.my_note.clone(),
            closed_on: r.closed_at.map(|t| time::date_in(t, tz)),
        }
    }
}

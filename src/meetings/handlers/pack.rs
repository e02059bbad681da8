//! A print-friendly meeting pack: agenda, recent decisions, open actions and a sign-in sheet
//! (members, then guests who confirmed they'll come, then blank lines).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::AppState;
use crate::cans::access::Member;
use crate::error::Result;
use crate::meetings::access::MeetingAccess;
use crate::meetings::guests;
use crate::meetings::queries::agenda::{self, AgendaItem};
use crate::meetings::queries::record::{self, ActionItem, Decision};
use crate::meetings::queries::{self, Meeting};
use crate::meetings::when;
use crate::web::time;

/// Empty rows at the foot of the sign-in sheet, for people who come unannounced.
const BLANK_LINES: usize = 5;

#[derive(Template, WebTemplate)]
#[template(path = "meetings/pack.html")]
pub struct PackPage {
    can_name: String,
    meeting: Meeting,
    tz: Tz,
    agenda: Vec<AgendaItem>,
    last_decisions: Vec<Decision>,
    open_actions: Vec<ActionItem>,
    sign_in: Vec<String>,
    /// Visitors who confirmed they'll come to an open meeting (names only: the pack is for
    /// every member).
    guests: Vec<String>,
    blank_lines: usize,
}

impl PackPage {
    fn when_group(&self) -> String {
        when(self.meeting.starts_at, self.meeting.ends_at, self.tz)
    }

    fn date(&self, at: &DateTime<Utc>) -> String {
        time::date_in(*at, self.tz)
    }
}

pub async fn pack(
    State(state): State<AppState>,
    access: MeetingAccess<Member>,
) -> Result<PackPage> {
    let (db, can, g) = (&state.db, &access.can, &access.meeting);
    let mut open_actions =
        record::open_earlier_actions(db, can.id, g.series_id, g.starts_at).await?;
    open_actions.extend(
        record::actions_of(db, g.id)
            .await?
            .into_iter()
            .filter(|a| a.status.is_open()),
    );
    let mut agenda = agenda::agenda(db, g.id).await?;
    agenda.retain(|a| !a.status.is_dropped());
    Ok(PackPage {
        can_name: can.name.clone(),
        meeting: g.clone(),
        tz: can.time_zone,
        agenda,
        last_decisions: record::earlier_decisions(db, can.id, g.series_id, g.starts_at, 10).await?,
        open_actions,
        sign_in: queries::people(db, can.id, g.id)
            .await?
            .into_iter()
            .filter(|p| p.is_active())
            .map(|p| p.name)
            .collect(),
        guests: guests::confirmed_guests(db, can.id, g.id)
            .await?
            .into_iter()
            .map(|guest| guest.name)
            .collect(),
        blank_lines: BLANK_LINES,
    })
}

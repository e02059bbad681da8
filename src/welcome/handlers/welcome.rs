//! `GET /c/{slug}/welcome`: what a member sees first after joining (and may come back to).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::meetings::model::Rsvp;
use crate::web::Layout;
use crate::welcome::queries::{self, HopeLine, WelcomeFacts};

/// How many of the hopes so far the page shows before there is a vision.
const FEW_HOPES: i64 = 3;

/// The next meeting, with the member's answer.
pub struct NextMeeting {
    pub id: Uuid,
    pub title: String,
    /// In the group's zone, and in the member's own when it differs.
    pub when: String,
    pub yours: Option<String>,
    pub answer: Option<Rsvp>,
}

/// The member's companion.
pub struct Companion {
    pub id: Uuid,
    pub name: String,
}

/// One small first way to help, chosen from what the member has done and what is open.
pub enum FirstWay {
    /// They have shared no hope yet.
    ShareHope,
    /// They have not said whether they come to the next meeting.
    AnswerMeeting { title: String },
    /// The smallest task nobody carries.
    Task { id: Uuid, title: String },
    /// Otherwise: come to the next meeting (when there is one).
    Come { meeting: Option<(Uuid, String)> },
}

#[derive(Template, WebTemplate)]
#[template(path = "welcome/welcome.html")]
pub struct WelcomePage {
    ctx: Layout,
    nav: CanNav,
    can_name: String,
    name: String,
    /// Away for a while: the RSVP waits until they resume.
    paused: bool,
    vision: Option<String>,
    hopes: Vec<HopeLine>,
    hope_count: i64,
    /// More hopes were shared than the page shows.
    more_hopes: bool,
    meeting: Option<NextMeeting>,
    companion: Option<Companion>,
    first: FirstWay,
    rsvps: [Rsvp; 3],
}

impl WelcomePage {
    fn is_answer(&self, answer: &Rsvp) -> bool {
        self.meeting
            .as_ref()
            .is_some_and(|m| m.answer.as_ref() == Some(answer))
    }
}

/// The first way to help: a hope, then the next meeting's answer, then the smallest open task,
/// otherwise coming to the next meeting.
fn first_way(f: &WelcomeFacts, active: bool) -> FirstWay {
    let meeting = f.meeting_id.zip(f.meeting_title.clone());
    if !f.has_hope {
        return FirstWay::ShareHope;
    }
    if let Some((_, title)) = meeting.as_ref().filter(|_| active && f.answer.is_none()) {
        return FirstWay::AnswerMeeting {
            title: title.clone(),
        };
    }
    if let Some((id, title)) = f.task_id.zip(f.task_title.clone()) {
        return FirstWay::Task { id, title };
    }
    FirstWay::Come { meeting }
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<WelcomePage> {
    let (can, db) = (&access.can, &state.db);
    let facts = queries::welcome_facts(db, can.id, access.me.id).await?;
    // Read whether or not there is a vision, so the page always takes the same statements.
    let latest = queries::latest_hopes(db, can.id, FEW_HOPES).await?;
    let hopes = match facts.vision {
        Some(_) => Vec::new(),
        None => latest,
    };
    let active = access.membership.is_active();
    let meeting = match (
        facts.meeting_id,
        &facts.meeting_title,
        facts.starts_at,
        facts.ends_at,
    ) {
        (Some(id), Some(title), Some(starts), Some(ends)) => Some(NextMeeting {
            id,
            title: title.clone(),
            when: crate::meetings::when(starts, ends, can.time_zone),
            yours: crate::meetings::when_for_viewer(
                starts,
                ends,
                can.time_zone,
                access.me.time_zone,
            ),
            answer: facts.answer,
        }),
        _ => None,
    };
    let companion = facts
        .companion_id
        .zip(facts.companion_name.clone())
        .map(|(id, name)| Companion { id, name });
    // The welcome page is none of the sections: no link is marked as the current page.
    let mut nav = CanNav::new(can, &access.membership, Section::Overview);
    nav.links.iter_mut().for_each(|l| l.current = false);
    Ok(WelcomePage {
        first: first_way(&facts, active),
        nav,
        can_name: can.name.clone(),
        name: access.me.display_name.clone(),
        paused: !active,
        vision: facts.vision,
        hope_count: facts.hopes,
        more_hopes: facts.hopes > hopes.len() as i64,
        hopes,
        meeting,
        companion,
        rsvps: Rsvp::ALL,
        ctx,
    })
}

//! Putting a proposal: the form (any active member; from a meeting's agenda item it comes with the
//! meeting and the item's title), and its submission through `proposals::create`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, Utc};

use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess};
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, Result};
use crate::proposals::create::{AtMeeting, NewProposal, create};
use crate::proposals::forms::{self, About, Links, NewQuery, ProposalForm};
use crate::proposals::queries::{self, Choice, MeetingLink};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, Query, time, unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "proposals/new.html")]
pub struct NewPage {
    ctx: Layout,
    nav: CanNav,
    form: ProposalForm,
    errors: FieldErrors,
    goals: Vec<Choice>,
    responsibilities: Vec<Choice>,
    meeting: Option<MeetingLink>,
    zone: chrono_tz::Tz,
}

impl NewPage {
    fn about_value(&self, c: &Choice) -> String {
        format!("{}:{}", c.kind, c.id)
    }
}

/// The meeting (and item) the links name, checked to be the CAN's; 404 otherwise.
async fn meeting_of(
    state: &AppState,
    can_id: uuid::Uuid,
    l: &Links,
) -> Result<Option<MeetingLink>> {
    match l.meeting {
        None => Ok(None),
        Some(m) => queries::meeting_link(&state.db, can_id, m, l.agenda_item)
            .await?
            .ok_or(AppError::NotFound)
            .map(Some),
    }
}

async fn render(
    state: &AppState,
    access: &CanAccess<ActiveMember>,
    ctx: Layout,
    form: ProposalForm,
    errors: FieldErrors,
    meeting: Option<MeetingLink>,
) -> Result<NewPage> {
    let (goals, responsibilities) = queries::choices(&state.db, access.can.id)
        .await?
        .into_iter()
        .partition(|c| c.kind == "goal");
    Ok(NewPage {
        nav: CanNav::new(&access.can, &access.membership, Section::Proposals),
        form,
        errors,
        goals,
        responsibilities,
        meeting,
        zone: access.can.time_zone,
        ctx,
    })
}

pub async fn form(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Query(q): Query<NewQuery>,
) -> Result<NewPage> {
    let tz = access.can.time_zone;
    let week = Utc::now() + Duration::days(7);
    let mut form = ProposalForm {
        closes_on: week.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        closes_time: "20:00".into(),
        meeting: q.meeting,
        agenda_item: q.agenda_item,
        ..ProposalForm::default()
    };
    let links = forms::links(&form).ok_or(AppError::NotFound)?;
    let meeting = meeting_of(&state, access.can.id, &links).await?;
    if let Some(title) = meeting.as_ref().and_then(|m| m.item_title.clone()) {
        form.title = title;
    }
    render(&state, &access, ctx, form, FieldErrors::new(), meeting).await
}

pub async fn create_proposal(
    State(state): State<AppState>,
    access: CanAccess<ActiveMember>,
    ctx: Layout,
    Form(form): Form<ProposalForm>,
) -> Result<Response> {
    let can_id = access.can.id;
    // Ids that are not the CAN's name nothing here: 404, whatever else the form says.
    let links = forms::links(&form).ok_or(AppError::NotFound)?;
    let meeting = meeting_of(&state, can_id, &links).await?;
    let known = match links.about {
        None => true,
        Some(About::Goal(g)) => queries::active_goal(&state.db, can_id, g).await?,
        Some(About::Responsibility(r)) => {
            queries::open_responsibility(&state.db, can_id, r).await?
        }
    };
    if !known {
        return Err(AppError::NotFound);
    }
    let draft = match forms::draft(&form, access.can.time_zone, Utc::now()) {
        Ok(d) => d,
        Err(errors) => {
            return unprocessable(render(&state, &access, ctx, form, errors, meeting).await?);
        }
    };
    let new = NewProposal {
        title: draft.title,
        body: draft.body,
        closes_at: draft.closes_at,
        goal_id: match links.about {
            Some(About::Goal(g)) => Some(g),
            _ => None,
        },
        responsibility_id: match links.about {
            Some(About::Responsibility(r)) => Some(r),
            _ => None,
        },
        meeting: links.meeting.map(|meeting_id| AtMeeting {
            meeting_id,
            agenda_item_id: links.agenda_item,
        }),
    };
    let id = create(&state.db, &access, &new, &state.config.public_url).await?;
    let text = format!(
        "Your proposal is put to the group; it closes {}. Every active member has been told.",
        time::datetime_in(new.closes_at, access.can.time_zone)
    );
    access
        .redirect(
            &state.db,
            FlashKind::Success,
            &text,
            &format!("/proposals/{id}"),
        )
        .await
}

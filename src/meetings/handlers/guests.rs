//! Visitors at meetings open to the neighbourhood: the page of one open meeting with "I'll come"
//! (a name and an email address, no account), and the page behind the link mailed to them, whose
//! buttons confirm or cancel (the link's GET changes nothing). Everything here is 404 unless the
//! CAN is listed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use crate::AppState;
use crate::cans::access::CanViewer;
use crate::error::{AppError, Result};
use crate::meetings::forms::{GuestForm, NewGuest};
use crate::meetings::guests::{self, Answer, Crowded, GuestByLink, OpenMeetingLine, SignUp};
use crate::web::forms::FieldErrors;
use crate::web::{
    ClientAddress, FlashKind, Form, Layout, Path, Session, page_with_status, redirect_with_flash,
    time, too_many_requests, unprocessable,
};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/visit.html")]
pub struct VisitPage {
    ctx: Layout,
    can_name: String,
    slug: String,
    meeting: OpenMeetingLine,
    /// A member of the CAN answers on the meeting's own page instead.
    member: bool,
    form: GuestForm,
    errors: FieldErrors,
}

/// The CAN and the open meeting named in the path; 404 unless both may be shown to anyone.
async fn open_meeting(state: &AppState, viewer: &CanViewer, id: Uuid) -> Result<OpenMeetingLine> {
    let meeting = guests::visitable(&state.db, &viewer.can, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(OpenMeetingLine::of(meeting, viewer.can.time_zone))
}

fn visit_page(
    ctx: Layout,
    viewer: &CanViewer,
    meeting: OpenMeetingLine,
    form: GuestForm,
    errors: FieldErrors,
) -> VisitPage {
    VisitPage {
        ctx,
        can_name: viewer.can.name.clone(),
        slug: viewer.can.slug.clone(),
        meeting,
        member: viewer.membership.is_some(),
        form,
        errors,
    }
}

pub async fn visit(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<VisitPage> {
    let meeting = open_meeting(&state, &viewer, id).await?;
    let form = GuestForm::default();
    Ok(visit_page(ctx, &viewer, meeting, form, FieldErrors::new()))
}

pub async fn sign_up(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
    session: Session,
    ClientAddress(address): ClientAddress,
    Path((_slug, id)): Path<(String, Uuid)>,
    Form(form): Form<GuestForm>,
) -> Result<Response> {
    let meeting = open_meeting(&state, &viewer, id).await?;
    let guest = match NewGuest::try_from(&form) {
        Ok(guest) => guest,
        Err(errors) => return unprocessable(visit_page(ctx, &viewer, meeting, form, errors)),
    };
    let public_url = &state.config.public_url;
    match guests::sign_up(
        &state.db,
        &viewer.can,
        &meeting,
        &guest,
        &address,
        public_url,
    )
    .await?
    {
        SignUp::Mailed => {
            let text = format!(
                "Nearly there: we have sent a link to {}. Open it and press “Yes, I'll come” to \
                 confirm.",
                guest.email.as_str()
            );
            let to = format!("/c/{}/visit/{id}", viewer.can.slug);
            redirect_with_flash(&state.db, session.id, FlashKind::Success, &text, &to).await
        }
        SignUp::TooMany { wait, crowded } => {
            let wait_words = time::wait_words(wait);
            let text = match crowded {
                Crowded::Network => format!(
                    "Many people have signed up from your network in the last hour, the most we \
                     allow. Try again in {wait_words}; nothing was saved."
                ),
                Crowded::Address => format!(
                    "We have sent several links to this address in the last hour. Look for them \
                     in your mail (and its spam folder), or try again in {wait_words}."
                ),
                Crowded::Group => format!(
                    "Many people have signed up for this group's meetings in the last hour, the \
                     most we allow. Try again in {wait_words}; nothing was saved."
                ),
            };
            let mut errors = FieldErrors::new();
            errors.add("email", text);
            too_many_requests(visit_page(ctx, &viewer, meeting, form, errors), wait)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/guest_link.html")]
pub struct GuestLinkPage {
    ctx: Layout,
    can_name: String,
    slug: String,
    /// Where the buttons post: `/c/{slug}/guests/{token}`.
    base: String,
    /// `None`: the link is unknown (replaced by a newer one, or its details deleted).
    guest: Option<GuestView>,
    /// Opened from "I can't come after all": that button first.
    cancelling: bool,
}

pub struct GuestView {
    name: String,
    meeting_id: Uuid,
    title: String,
    when: String,
    zone: chrono_tz::Tz,
    location: String,
    what_to_expect: String,
    confirmed: bool,
    cancelled: bool,
    still_open: bool,
}

impl GuestView {
    fn of(g: GuestByLink, zone: chrono_tz::Tz) -> Self {
        Self {
            when: crate::meetings::when(g.starts_at, g.ends_at, zone),
            zone,
            name: g.name,
            meeting_id: g.meeting_id,
            title: g.title,
            location: g.location,
            what_to_expect: g.what_to_expect,
            confirmed: g.confirmed_at.is_some(),
            cancelled: g.cancelled_at.is_some(),
            still_open: g.still_open,
        }
    }
}

async fn link_page(
    state: &AppState,
    viewer: &CanViewer,
    ctx: Layout,
    token: &str,
    cancelling: bool,
) -> Result<Response> {
    if !viewer.can.is_listed() {
        return Err(AppError::NotFound);
    }
    let guest = guests::by_link(&state.db, &viewer.can, token).await?;
    let status = if guest.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = GuestLinkPage {
        ctx,
        can_name: viewer.can.name.clone(),
        slug: viewer.can.slug.clone(),
        base: format!("/c/{}/guests/{token}", viewer.can.slug),
        guest: guest.map(|g| GuestView::of(g, viewer.can.time_zone)),
        cancelling,
    };
    page_with_status(status, page)
}

/// The link in the confirmation mail: the meeting and a button (the GET changes nothing).
pub async fn link(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
    Path((_slug, token)): Path<(String, String)>,
) -> Result<Response> {
    link_page(&state, &viewer, ctx, &token, false).await
}

/// "I can't come after all": the same page, that button first.
pub async fn cancel_page(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
    Path((_slug, token)): Path<(String, String)>,
) -> Result<Response> {
    link_page(&state, &viewer, ctx, &token, true).await
}

pub async fn confirm(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
    session: Session,
    Path((_slug, token)): Path<(String, String)>,
) -> Result<Response> {
    let answer = guests::confirm(&state.db, &viewer.can, &token).await?;
    answered(&state, &viewer, ctx, &session, &token, answer).await
}

pub async fn cancel(
    State(state): State<AppState>,
    viewer: CanViewer,
    ctx: Layout,
    session: Session,
    Path((_slug, token)): Path<(String, String)>,
) -> Result<Response> {
    let answer = guests::cancel(&state.db, &viewer.can, &token).await?;
    answered(&state, &viewer, ctx, &session, &token, answer).await
}

/// Back to the link's page with what happened.
async fn answered(
    state: &AppState,
    viewer: &CanViewer,
    ctx: Layout,
    session: &Session,
    token: &str,
    answer: Answer,
) -> Result<Response> {
    let (kind, text) = match answer {
        Answer::Confirmed => (
            FlashKind::Success,
            "Thank you: you're on the list. You'll get a reminder the day before.",
        ),
        Answer::AlreadyConfirmed => (FlashKind::Info, "You had already confirmed: see you there."),
        Answer::Cancelled => (
            FlashKind::Success,
            "Thanks for letting them know. You're no longer on the list.",
        ),
        Answer::AlreadyCancelled => (
            FlashKind::Info,
            "You had already said you can't come. To come after all, ask again from the meeting's page.",
        ),
        Answer::Closed => (
            FlashKind::Error,
            "This meeting no longer takes visitors: it was cancelled, has taken place or is no longer open.",
        ),
        Answer::Unknown => return link_page(state, viewer, ctx, token, false).await,
    };
    let to = format!("/c/{}/guests/{token}", viewer.can.slug);
    redirect_with_flash(&state.db, session.id, kind, text, &to).await
}

//! Invitation pages: organisers make links (single- or multi-use, expiring, revocable, optionally
//! mailed to someone); a person opens one, signs in or up, acknowledges the rules and joins.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::{CanNav, Section};
use crate::AppState;
use crate::cans::access::{Actor, CanAccess, Organiser};
use crate::cans::forms::{InvitationForm, Join, JoinForm, NewInvitation};
use crate::cans::invitations::{
    self, Joined, MAILS_PER_CAN, MAILS_PER_SENDER, MailLimit, MailRefusal, Unusable,
};
use crate::cans::model::{Can, InvitationState};
use crate::cans::queries::{self, InvitationLine};
use crate::error::Result;
use crate::web::forms::FieldErrors;
use crate::web::{
    CurrentMember, FlashKind, Form, Layout, Path, page_with_status, redirect_with_flash, time,
    too_many_requests, unprocessable,
};

pub struct InvitationRow {
    pub id: Uuid,
    pub label: String,
    pub state: InvitationState,
    pub uses: i32,
    pub max_uses: i32,
    pub expires: String,
    pub created: String,
    pub created_by: String,
}

impl InvitationRow {
    fn new(i: InvitationLine, tz: chrono_tz::Tz, now: chrono::DateTime<chrono::Utc>) -> Self {
        let label = match (&i.email, i.note.is_empty()) {
            (Some(e), true) => format!("For {e}"),
            (Some(e), false) => format!("For {e} — {}", i.note),
            (None, false) => i.note.clone(),
            (None, true) => "Link".to_string(),
        };
        Self {
            state: i.state(now),
            id: i.id,
            label,
            uses: i.uses,
            max_uses: i.max_uses,
            expires: time::date_in(i.expires_at, tz),
            created: time::date_in(i.created_at, tz),
            created_by: i.created_by,
        }
    }
}

/// The link just made, shown this once.
pub struct Created {
    pub link: String,
    /// The address it is mailed to, if any.
    pub mailed_to: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/invitations.html")]
pub struct ListPage {
    ctx: Layout,
    nav: CanNav,
    form: InvitationForm,
    errors: FieldErrors,
    rows: Vec<InvitationRow>,
    created: Option<Created>,
}

async fn list_page(
    state: &AppState,
    access: &CanAccess<Organiser>,
    ctx: Layout,
    form: InvitationForm,
    errors: FieldErrors,
    created: Option<Created>,
) -> Result<ListPage> {
    let (tz, now) = (access.can.time_zone, chrono::Utc::now());
    let rows = queries::invitations(&state.db, access.can.id).await?;
    Ok(ListPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Invitations),
        form,
        errors,
        rows: rows
            .into_iter()
            .map(|i| InvitationRow::new(i, tz, now))
            .collect(),
        created,
    })
}

pub async fn list(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
) -> Result<ListPage> {
    let (form, errors) = (InvitationForm::blank(), FieldErrors::new());
    list_page(&state, &access, ctx, form, errors, None).await
}

pub async fn create(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    ctx: Layout,
    Form(form): Form<InvitationForm>,
) -> Result<Response> {
    let new = match NewInvitation::try_from(&form) {
        Ok(n) => n,
        Err(errors) => {
            return unprocessable(list_page(&state, &access, ctx, form, errors, None).await?);
        }
    };
    let link = match invitations::create(&state.db, &access, &new, &state.config.public_url).await?
    {
        Ok(link) => link,
        Err(refusal) => {
            let mut errors = FieldErrors::new();
            errors.add("email", mail_refusal_message(refusal));
            let page = list_page(&state, &access, ctx, form, errors, None).await?;
            return too_many_requests(page, refusal.wait);
        }
    };
    let created = Created {
        link,
        mailed_to: new.email.map(|e| e.as_str().to_string()),
    };
    // The link is shown once, here: only its hash is kept.
    let (form, errors) = (InvitationForm::blank(), FieldErrors::new());
    let page = list_page(&state, &access, ctx, form, errors, Some(created)).await?;
    page_with_status(StatusCode::CREATED, page)
}

/// Beside the email field: which limit, when it has room again, and the way that is always open.
fn mail_refusal_message(refusal: MailRefusal) -> String {
    let wait = time::wait_words(refusal.wait);
    let by_hand = "Meanwhile, leave the email empty to make a link and share it by hand.";
    match refusal.limit {
        MailLimit::NewAccount => format!(
            "New accounts can mail invitations once they are an hour old: in {wait}. {by_hand}"
        ),
        MailLimit::SameAddress => format!(
            "An invitation to this address was mailed in the last day. You can mail it again in \
             {wait}. {by_hand}"
        ),
        MailLimit::Can => format!(
            "Today's {MAILS_PER_CAN} invitation mails for this CAN have been sent; you can send \
             more in {wait}. {by_hand}"
        ),
        MailLimit::Sender => format!(
            "You have sent {MAILS_PER_SENDER} invitation mails today, the most one person can \
             send in a day; you can send more in {wait}. {by_hand}"
        ),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    access: CanAccess<Organiser>,
    Path((_slug, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    invitations::revoke(&state.db, &access, id).await?;
    let text = "The invitation is revoked: its link no longer works.";
    access
        .redirect(&state.db, FlashKind::Success, text, "/invitations")
        .await
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/join_problem.html")]
pub struct ProblemPage {
    ctx: Layout,
    message: &'static str,
}

/// The page for a link that cannot be used: 404 for one that names nothing, 410 for one that did.
fn problem(ctx: Layout, why: Unusable) -> Result<Response> {
    let status = match why {
        Unusable::Unknown => StatusCode::NOT_FOUND,
        _ => StatusCode::GONE,
    };
    let message = why.message();
    page_with_status(status, ProblemPage { ctx, message })
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/join.html")]
pub struct JoinPage {
    ctx: Layout,
    can: Can,
    path: String,
    signed_in: bool,
    already_member: bool,
    errors: FieldErrors,
}

pub async fn join_page(
    State(state): State<AppState>,
    ctx: Layout,
    Path(secret): Path<String>,
) -> Result<Response> {
    let can = match invitations::lookup(&state.db, &secret).await? {
        Ok(can) => can,
        Err(why) => return problem(ctx, why),
    };
    let already_member = match &ctx.member {
        Some(m) => queries::is_current_member(&state.db, can.id, m.id).await?,
        None => false,
    };
    Ok(JoinPage {
        signed_in: ctx.member.is_some(),
        ctx,
        can,
        path: format!("/join/{secret}"),
        already_member,
        errors: FieldErrors::new(),
    }
    .into_response())
}

pub async fn join(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Path(secret): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response> {
    if let Err(errors) = Join::try_from(&form) {
        // A link that cannot be used says so before anything about the form.
        let can = match invitations::lookup(&state.db, &secret).await? {
            Ok(can) => can,
            Err(why) => return problem(ctx, why),
        };
        let path = format!("/join/{secret}");
        let (signed_in, already_member) = (true, false);
        return unprocessable(JoinPage {
            ctx,
            can,
            path,
            signed_in,
            already_member,
            errors,
        });
    }
    let actor = Actor {
        id: me.id,
        name: &me.display_name,
    };
    let base_url = &state.config.public_url;
    // A newcomer lands on their welcome page; someone already a member, on the group's page.
    let (kind, text, to) = match invitations::join(&state.db, actor, &secret, base_url).await? {
        Err(why) => return problem(ctx, why),
        Ok(Joined::Welcome(can)) => (
            FlashKind::Success,
            format!("Welcome to {}!", can.name),
            format!("/c/{}/welcome", can.slug),
        ),
        Ok(Joined::AlreadyMember(can)) => {
            let text = format!("You are already a member of {}.", can.name);
            (FlashKind::Info, text, format!("/c/{}", can.slug))
        }
    };
    redirect_with_flash(&state.db, me.session_id, kind, &text, &to).await
}

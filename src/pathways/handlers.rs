//! The pathways view (organisers and coordinators): how many stand at each step, who moved in the
//! last 90 days, and each active member's suggested next invitation with a button that sends it;
//! and the invitation itself. A member's own path, for their own member page, is [`own_path`].

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use chrono::{TimeDelta, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::forms::{InviteForm, Refused};
use super::invite::{self, Invited};
use super::overview::Group;
use super::path;
use super::suggest::{OpeningKind, Suggestion};
use crate::AppState;
use crate::cans::access::{CanAccess, Coordinator};
use crate::cans::model::{Can, MembershipStatus};
use crate::cans::nav::{CanNav, Section};
use crate::error::{AppError, Result};
use crate::web::forms::FieldErrors;
use crate::web::{FlashKind, Form, Layout, time, unprocessable};

/// How far back "who moved" looks.
pub const MOVED_DAYS: i64 = 90;

/// A row of the counts: a step, how many stand at it (their furthest), how many reached it.
pub struct CountLine {
    pub label: &'static str,
    pub standing: usize,
    pub reached: usize,
}

/// Someone who reached a step they had not reached before.
pub struct MovedLine {
    pub name: String,
    pub what: &'static str,
    pub day: String,
}

/// A suggestion as the page offers it.
pub struct InviteLine {
    /// The form's `opening` value.
    pub opening: String,
    /// "carry “Soup night”".
    pub ask: String,
    pub reason: String,
    /// Where the opening can be seen.
    pub link: String,
    /// When the meeting is (notes only).
    pub when: Option<String>,
}

/// An active member's line: where they stand and their next invitation.
pub struct PersonLine {
    pub member_id: Uuid,
    pub name: String,
    pub furthest: &'static str,
    /// "Invited to carry “Flyers” (until 8 December 2026)", with the offer's page.
    pub invited: Option<(String, String)>,
    pub suggestion: Option<InviteLine>,
    /// Their invitation's note was refused: its field carries the message and the text kept.
    pub note_failed: bool,
    /// The viewer's own line: nobody invites themselves (they take it on from its page).
    pub is_me: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "pathways/index.html")]
pub struct PathwaysPage {
    ctx: Layout,
    nav: CanNav,
    counts: Vec<CountLine>,
    members: usize,
    paused: usize,
    moved: Vec<MovedLine>,
    people: Vec<PersonLine>,
    errors: FieldErrors,
    /// The note as typed in a refused invitation (kept in that member's field).
    note: String,
}

fn invite_line(s: &Suggestion, access: &CanAccess<Coordinator>) -> InviteLine {
    let tz = access.can.time_zone;
    InviteLine {
        opening: s.opening.key(),
        ask: s.ask(),
        reason: s.reason(),
        link: access.path(&s.opening.page()),
        when: s.when.map(|at| time::datetime_in(at, tz)),
    }
}

async fn render(
    db: &PgPool,
    access: &CanAccess<Coordinator>,
    ctx: Layout,
    errors: FieldErrors,
    failed: Option<(Uuid, &str)>,
    note: String,
) -> Result<Rendered> {
    let can = &access.can;
    let tz = can.time_zone;
    let group = Group::load(db, can.id).await?;
    let since = Utc::now() - TimeDelta::days(MOVED_DAYS);
    let mut moved: Vec<(chrono::DateTime<Utc>, MovedLine)> = group
        .members
        .iter()
        .flat_map(|(m, p)| {
            p.moved_since(since).into_iter().map(|(step, at)| {
                (
                    at,
                    MovedLine {
                        name: m.name.clone(),
                        what: step.moved(),
                        day: time::date_in(at, tz),
                    },
                )
            })
        })
        .collect();
    // Newest first.
    moved.sort_by_key(|m| std::cmp::Reverse(m.0));
    let people: Vec<PersonLine> = group
        .members
        .iter()
        .filter(|(m, _)| m.status == MembershipStatus::Active)
        .map(|(m, p)| PersonLine {
            member_id: m.member_id,
            name: m.name.clone(),
            furthest: p.furthest().label(),
            invited: group.offer_to(m.member_id).map(|o| {
                (
                    format!(
                        "Invited to {} “{}” (until {})",
                        o.kind.verb(),
                        o.title,
                        time::date_in(o.expires_at, tz)
                    ),
                    access.path(&crate::responsibilities::offers::page(o.id)),
                )
            }),
            suggestion: group
                .suggestion_for(m.member_id)
                .map(|s| invite_line(s, access)),
            note_failed: failed.is_some_and(|(who, _)| who == m.member_id),
            is_me: m.member_id == access.me.id,
        })
        .collect();
    // A refused note belongs to a member on this page; any other id names nothing here. If their
    // suggestion is no longer the one the form was sent for, the note is not put on another.
    if let Some((_, opening)) = failed {
        match people.iter().find(|p| p.note_failed) {
            None => return Err(AppError::NotFound),
            Some(p) if p.suggestion.as_ref().map(|s| s.opening.as_str()) != Some(opening) => {
                return Ok(Rendered::Changed(p.name.clone()));
            }
            Some(_) => {}
        }
    }
    Ok(Rendered::Page(Box::new(PathwaysPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Pathways),
        counts: path::tally(group.members.iter().map(|(_, p)| p))
            .into_iter()
            .map(|c| CountLine {
                label: c.step.label(),
                standing: c.standing,
                reached: c.reached,
            })
            .collect(),
        members: group.members.len(),
        paused: group
            .members
            .iter()
            .filter(|(m, _)| m.status == MembershipStatus::Paused)
            .count(),
        moved: moved.into_iter().map(|(_, line)| line).collect(),
        people,
        errors,
        note,
    })))
}

/// The pathways page, or (re-rendering a refused invitation) word that the member's suggestion
/// changed since the form was sent.
enum Rendered {
    Page(Box<PathwaysPage>),
    Changed(String),
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
) -> Result<PathwaysPage> {
    match render(
        &state.db,
        &access,
        ctx,
        FieldErrors::new(),
        None,
        String::new(),
    )
    .await?
    {
        Rendered::Page(page) => Ok(*page),
        // Only a refused invitation is compared with a fresh suggestion.
        Rendered::Changed(_) => Err(AppError::NotFound),
    }
}

pub async fn invite(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
    Form(form): Form<InviteForm>,
) -> Result<Response> {
    let invitation = match form.parse() {
        Ok(i) => i,
        Err(Refused::NoSuchThing) => return Err(AppError::NotFound),
        Err(Refused::Fields { member, errors }) => {
            let failed = Some((member, form.opening.trim()));
            let note = form.note.clone();
            return match render(&state.db, &access, ctx, errors, failed, note).await? {
                Rendered::Page(page) => unprocessable(*page),
                Rendered::Changed(name) => {
                    let text = format!(
                        "Nothing was sent: the suggestion for {name} changed meanwhile. Here are \
                         the fresh ones."
                    );
                    access
                        .redirect(&state.db, FlashKind::Error, &text, "/pathways")
                        .await
                }
            };
        }
    };
    let (kind, text) =
        match invite::send(&state.db, &access, &invitation, &state.config.public_url).await? {
            Invited::Sent(text) => (FlashKind::Success, text),
            Invited::Refused(text) => (FlashKind::Error, text),
        };
    access.redirect(&state.db, kind, &text, "/pathways").await
}

/// One step of a member's own path: what they did, and the day they first did it.
pub struct OwnStep {
    pub what: &'static str,
    pub day: String,
}

/// The one next step offered to a member on their own page.
pub struct NextStep {
    /// "Answer the invitation to carry “Flyers”", "You could carry “Soup night”".
    pub text: String,
    /// Why it is offered to them (none for an invitation to answer).
    pub reason: Option<String>,
    pub link: String,
    pub link_text: String,
}

/// What a member sees of their own path on their own page — never a score, never a comparison.
pub struct OwnPath {
    pub steps: Vec<OwnStep>,
    pub next: Option<NextStep>,
}

/// A member's own path in their CAN, and one next step: the invitation waiting for their answer,
/// else their suggestion (none while they are away). `None` if they are not a current member.
pub async fn own_path(db: &PgPool, can: &Can, member: Uuid) -> Result<Option<OwnPath>> {
    let group = Group::load(db, can.id).await?;
    let Some((row, path)) = group.members.iter().find(|(m, _)| m.member_id == member) else {
        return Ok(None);
    };
    let tz = can.time_zone;
    let home = format!("/c/{}", can.slug);
    let next = if let Some(o) = group.offer_to(member) {
        Some(NextStep {
            text: format!(
                "Answer the invitation to {} “{}” (until {})",
                o.kind.verb(),
                o.title,
                time::date_in(o.expires_at, tz)
            ),
            reason: None,
            link: format!("{home}{}", crate::responsibilities::offers::page(o.id)),
            link_text: "Answer the invitation".into(),
        })
    } else if row.status == MembershipStatus::Active {
        group.suggestion_for(member).map(|s| {
            let when = s
                .when
                .map(|at| format!(" on {}", time::datetime_in(at, tz)))
                .unwrap_or_default();
            NextStep {
                text: format!("You could {}{when}", s.ask()),
                reason: Some(capitalised(&s.reason_for_you())),
                link: format!("{home}{}", s.opening.page()),
                link_text: match s.opening.kind {
                    OpeningKind::NoteTaker => format!("See the meeting “{}”", s.title),
                    _ => format!("See “{}”", s.title),
                },
            }
        })
    } else {
        None
    };
    Ok(Some(OwnPath {
        steps: path
            .reached_steps()
            .into_iter()
            .map(|(step, at)| OwnStep {
                what: step.done_by_you(),
                day: time::date_in(at, tz),
            })
            .collect(),
        next,
    }))
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

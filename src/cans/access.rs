//! Authorization in one place. A handler names what it needs — `CanAccess<Organiser>` — and the
//! extractor loads the CAN from the `{slug}` in the path together with the caller's membership and
//! roles, refusing everyone else before the handler runs. Handlers never re-check membership.
//!
//! Who sees what: someone signed out is sent to sign in (before we look the CAN up, so the
//! redirect says nothing about whether it exists); a signed-in non-member gets 404 on every
//! members' URL (a listed CAN shows them its public page only); a member without the role, 403.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::Response;
use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::forms::Slug;
use super::model::{CAN_COLUMNS, Can, Membership, MembershipStatus, Role};
use crate::AppState;
use crate::error::{AppError, Result};
use crate::web::{CurrentMember, FlashKind, Session, redirect_with_flash};

/// What a handler requires of the caller.
pub trait Requirement: Send + Sync + 'static {
    fn accepts(membership: &Membership) -> bool;
    const REFUSAL: &'static str;
}

/// Any current member, including one who is away for a while (they may look, and resume).
pub struct Member;
/// A member whose membership is active.
pub struct ActiveMember;
pub struct Organiser;
/// Facilitators, and organisers (who may do anything a facilitator does).
pub struct Facilitator;
/// Coordinators, and organisers.
pub struct Coordinator;

impl Requirement for Member {
    fn accepts(_: &Membership) -> bool {
        true
    }
    const REFUSAL: &'static str = "This page is for members of this CAN.";
}

impl Requirement for ActiveMember {
    fn accepts(m: &Membership) -> bool {
        m.is_active()
    }
    const REFUSAL: &'static str =
        "Your membership is paused. Resume it from the CAN's page to take part again.";
}

impl Requirement for Organiser {
    fn accepts(m: &Membership) -> bool {
        m.is_organiser()
    }
    const REFUSAL: &'static str = "Only the CAN's organisers can do this.";
}

impl Requirement for Facilitator {
    fn accepts(m: &Membership) -> bool {
        m.is_active() && (m.has(Role::Facilitator) || m.has(Role::Organiser))
    }
    const REFUSAL: &'static str = "Only the CAN's facilitators and organisers can do this.";
}

impl Requirement for Coordinator {
    fn accepts(m: &Membership) -> bool {
        m.is_active() && (m.has(Role::Coordinator) || m.has(Role::Organiser))
    }
    const REFUSAL: &'static str = "Only the CAN's coordinators and organisers can do this.";
}

/// The CAN named in the path, and the signed-in caller's membership, which meets `R`.
pub struct CanAccess<R: Requirement> {
    pub can: Can,
    pub me: CurrentMember,
    pub membership: Membership,
    _requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequestParts<AppState> for CanAccess<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let me = CurrentMember::from_request_parts(parts, state).await?;
        let slug = slug_in_path(parts, state).await?;
        let (can, membership) = load(&state.db, &slug, Some(me.id))
            .await?
            .ok_or(AppError::NotFound)?;
        // Outsiders find nothing behind a CAN's pages, listed or not; a listed CAN shows them
        // only its public page (`CanViewer`).
        let Some(membership) = membership else {
            return Err(AppError::NotFound);
        };
        if !R::accepts(&membership) {
            return Err(AppError::Forbidden(R::REFUSAL));
        }
        Ok(Self {
            can,
            me,
            membership,
            _requirement: PhantomData,
        })
    }
}

impl<R: Requirement> CanAccess<R> {
    /// A path inside this CAN: `access.path("/meetings")` is `/c/{slug}/meetings`.
    pub fn path(&self, rest: &str) -> String {
        format!("/c/{}{rest}", self.can.slug)
    }

    /// Writes the caller's activity-log line for this CAN, in the caller's transaction.
    pub async fn log(
        &self,
        conn: &mut PgConnection,
        action: &str,
        subject: (&str, Uuid),
        summary: String,
    ) -> Result<()> {
        super::activity::log(conn, self.can.id, self.me.id, action, subject, summary).await
    }

    /// Post/Redirect/Get to a path inside this CAN, with a message for the next page.
    pub async fn redirect(
        &self,
        db: &PgPool,
        kind: FlashKind,
        text: &str,
        rest: &str,
    ) -> Result<Response> {
        redirect_with_flash(db, self.me.session_id, kind, text, &self.path(rest)).await
    }

    /// The caller as services record them: id and display name.
    pub fn actor(&self) -> Actor<'_> {
        Actor {
            id: self.me.id,
            name: &self.me.display_name,
        }
    }
}

/// Who did something, as activity lines and mails name them.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: Uuid,
    pub name: &'a str,
}

/// The CAN named in the path as anyone may see it: members always, others only when it is
/// listed. The caller may be signed out.
pub struct CanViewer {
    pub can: Can,
    pub me: Option<CurrentMember>,
    pub membership: Option<Membership>,
}

impl FromRequestParts<AppState> for CanViewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let me = match parts.extensions.get::<Session>() {
            Some(s) if s.member.is_some() => {
                Some(CurrentMember::from_request_parts(parts, state).await?)
            }
            _ => None,
        };
        let slug = slug_in_path(parts, state).await?;
        let (can, membership) = load(&state.db, &slug, me.as_ref().map(|m| m.id))
            .await?
            .ok_or(AppError::NotFound)?;
        if membership.is_none() && !can.is_listed() {
            return Err(AppError::NotFound);
        }
        Ok(Self {
            can,
            me,
            membership,
        })
    }
}

async fn slug_in_path(parts: &mut Parts, state: &AppState) -> Result<String> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    let slug = params
        .iter()
        .find(|(k, _)| *k == "slug")
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| AppError::internal("route without a {slug}"))?;
    // Anything that is not a well-formed slug names no CAN (and never reaches the database).
    Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    Ok(slug)
}

#[derive(sqlx::FromRow)]
struct AccessRow {
    #[sqlx(flatten)]
    can: Can,
    membership_status: Option<MembershipStatus>,
    away_until: Option<NaiveDate>,
    roles: Vec<String>,
}

/// The CAN by slug and, when `member_id` is given, that member's current membership (a member
/// who left counts as none).
pub async fn load(
    db: &PgPool,
    slug: &str,
    member_id: Option<Uuid>,
) -> Result<Option<(Can, Option<Membership>)>> {
    let row: Option<AccessRow> = sqlx::query_as(&format!(
        "SELECT {CAN_COLUMNS},
                m.status AS membership_status, m.away_until,
                COALESCE(array_agg(g.role ORDER BY g.role) FILTER (WHERE g.role IS NOT NULL), '{{}}')
                    AS roles
         FROM cans c
         LEFT JOIN memberships m ON m.can_id = c.id AND m.member_id = $2 AND m.status <> 'left'
         LEFT JOIN role_grants g ON g.can_id = c.id AND g.member_id = m.member_id
                                 AND g.ended_at IS NULL
         WHERE c.slug = $1
         GROUP BY c.id, m.status, m.away_until"
    ))
    .bind(slug)
    .bind(member_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let membership = match (member_id, r.membership_status) {
            (Some(member_id), Some(status)) => Some(Membership {
                member_id,
                status,
                roles: r.roles.iter().filter_map(|s| Role::parse(s)).collect(),
                away_until: r.away_until,
            }),
            _ => None,
        };
        (r.can, membership)
    }))
}

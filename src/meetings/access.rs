//! Who may do what to one meeting, stated once. A handler names what it needs —
//! `MeetingAccess<Runner>` — and the extractor loads the CAN (as `CanAccess` does), then the
//! meeting named by `{id}` within that CAN: another CAN's id, or none, is 404; a caller who does
//! not meet the requirement, 403.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::response::Response;
use sqlx::PgPool;
use uuid::Uuid;

use super::queries::{self, Meeting};
use crate::AppState;
use crate::cans::access::{ActiveMember, CanAccess, Facilitator, Requirement};
use crate::cans::model::Membership;
use crate::error::{AppError, OrNotFound, Result};
use crate::web::FlashKind;

/// What a handler requires of the caller for one meeting.
pub trait MeetingRequirement: Send + Sync + 'static {
    /// What the caller's membership must meet before the meeting is looked up.
    type Can: Requirement;
    fn allows(meeting: &Meeting, membership: &Membership) -> bool;
    const REFUSED: &'static str;
}

/// Every CAN-wide requirement works for a meeting too: it asks nothing of the meeting.
impl<R: Requirement> MeetingRequirement for R {
    type Can = R;
    fn allows(_: &Meeting, _: &Membership) -> bool {
        true
    }
    const REFUSED: &'static str = R::REFUSAL;
}

/// Runs this meeting (takes attendance, writes minutes, records decisions and actions, orders
/// the agenda, closes it): its facilitator and note-taker, and the group's facilitators and
/// organisers.
pub struct Runner;

impl MeetingRequirement for Runner {
    type Can = ActiveMember;
    fn allows(meeting: &Meeting, m: &Membership) -> bool {
        Facilitator::accepts(m)
            || (m.is_active()
                && (meeting.facilitator_id == Some(m.member_id)
                    || meeting.note_taker_id == Some(m.member_id)))
    }
    const REFUSED: &'static str = "Only this meeting's facilitator and note-taker, and the group's facilitators and organisers, can do this.";
}

/// The meeting named in the path, in the CAN named in the path, and a caller who meets `R`.
/// Everything `CanAccess` offers is reachable through it (`access.can`, `access.me`, …).
pub struct MeetingAccess<R: MeetingRequirement> {
    pub access: CanAccess<R::Can>,
    pub meeting: Meeting,
    _requirement: PhantomData<R>,
}

impl<R: MeetingRequirement> Deref for MeetingAccess<R> {
    type Target = CanAccess<R::Can>;
    fn deref(&self) -> &Self::Target {
        &self.access
    }
}

impl<R: MeetingRequirement> FromRequestParts<AppState> for MeetingAccess<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let access = CanAccess::<R::Can>::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let id: Uuid = params
            .iter()
            .find(|(k, _)| *k == "id")
            .and_then(|(_, v)| v.parse().ok())
            .ok_or(AppError::NotFound)?;
        let meeting = queries::meeting(&state.db, access.can.id, id)
            .await?
            .or_not_found()?;
        if !R::allows(&meeting, &access.membership) {
            return Err(AppError::Forbidden(R::REFUSED));
        }
        Ok(Self {
            access,
            meeting,
            _requirement: PhantomData,
        })
    }
}

impl<R: MeetingRequirement> MeetingAccess<R> {
    pub fn id(&self) -> Uuid {
        self.meeting.id
    }

    /// Whether the caller runs this meeting (see [`Runner`]).
    pub fn runs(&self) -> bool {
        Runner::allows(&self.meeting, &self.access.membership)
    }

    /// Whether the caller sets schedules, roles and times for everyone.
    pub fn schedules(&self) -> bool {
        Facilitator::accepts(&self.access.membership)
    }

    /// Post/Redirect/Get back to a part of this meeting's page.
    pub async fn back(
        &self,
        db: &PgPool,
        kind: FlashKind,
        text: &str,
        anchor: &str,
    ) -> Result<Response> {
        self.access
            .redirect(
                db,
                kind,
                text,
                &format!("/meetings/{}#{anchor}", self.meeting.id),
            )
            .await
    }
}

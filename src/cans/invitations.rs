//! Invitation links: made by organisers (mailed when they name an address), revoked, and used
//! by the person holding one to join. Only a hash of each link's token is stored.
//!
//! Mailed invitations are limited, since the mail carries the sender's own words (the CAN's name
//! and purpose) to any address: [`MAILS_PER_CAN`] a day per CAN, [`MAILS_PER_SENDER`] a day per
//! sender, one a day to the same address per CAN, and none from an account in its first
//! [`NEW_ACCOUNT_WAIT`]. A link to share by hand is never limited.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::access::{Actor, CanAccess, Organiser};
use super::activity;
use super::forms::NewInvitation;
use super::mail;
use super::model::{Can, InvitationState};
use super::queries::{self, InvitationByToken, InvitationLine};
use crate::error::{AppError, Result};
use crate::outbox::{self, MailText};
use crate::web::token;

impl InvitationLine {
    pub fn state(&self, now: chrono::DateTime<chrono::Utc>) -> InvitationState {
        if self.revoked_at.is_some() {
            InvitationState::Revoked
        } else if self.uses >= self.max_uses {
            InvitationState::UsedUp
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Open
        }
    }
}

/// Invitation mails a CAN may send in a day.
pub const MAILS_PER_CAN: i64 = 20;
/// Invitation mails one person may send in a day, across their CANs.
pub const MAILS_PER_SENDER: i64 = 50;
/// How old an account must be before it may mail invitations.
pub const NEW_ACCOUNT_WAIT: Duration = Duration::from_secs(3600);

/// Which limit keeps an invitation mail from going now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailLimit {
    /// The sender's account is younger than [`NEW_ACCOUNT_WAIT`].
    NewAccount,
    /// This address was mailed an invitation to this CAN in the last day.
    SameAddress,
    /// The CAN has mailed [`MAILS_PER_CAN`] invitations in the last day.
    Can,
    /// The sender has mailed [`MAILS_PER_SENDER`] invitations in the last day.
    Sender,
}

/// An invitation mail refused: nothing was written (no invitation, no mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailRefusal {
    pub limit: MailLimit,
    /// How long until the limit has room again.
    pub wait: Duration,
}

/// Whether one more invitation mail may go from `sender` in this CAN to `email`. Call with the
/// rows locked (`queries::lock_for_mailing`), so parallel posts count one another.
async fn mail_refusal(
    conn: &mut PgConnection,
    can_id: Uuid,
    sender: Uuid,
    email: &str,
) -> Result<Option<MailRefusal>> {
    let lately = queries::mailed_lately(conn, can_id, sender, email).await?;
    let refusal = |limit, seconds: Option<f64>| MailRefusal {
        limit,
        wait: Duration::from_secs_f64(seconds.unwrap_or(1.0).max(1.0).ceil()),
    };
    Ok(if lately.account_young_for > 0.0 {
        Some(refusal(
            MailLimit::NewAccount,
            Some(lately.account_young_for),
        ))
    } else if lately.address_room_in.is_some() {
        Some(refusal(MailLimit::SameAddress, lately.address_room_in))
    } else if lately.by_can >= MAILS_PER_CAN {
        Some(refusal(MailLimit::Can, lately.can_room_in))
    } else if lately.by_sender >= MAILS_PER_SENDER {
        Some(refusal(MailLimit::Sender, lately.sender_room_in))
    } else {
        None
    })
}

/// Makes an invitation and returns its link (shown once: only its hash is kept). A named
/// address gets the link by mail, written in the same transaction, unless a limit on invitation
/// mails is reached: then nothing is written.
pub async fn create(
    db: &PgPool,
    access: &CanAccess<Organiser>,
    new: &NewInvitation,
    public_url: &str,
) -> Result<Result<String, MailRefusal>> {
    let (can, me) = (&access.can, &access.me);
    let secret = token::random();
    let link = format!("{public_url}/join/{secret}");
    let mut tx = db.begin().await?;
    if let Some(email) = &new.email {
        queries::lock_for_mailing(&mut tx, can.id, me.id).await?;
        if let Some(refusal) = mail_refusal(&mut tx, can.id, me.id, email.as_str()).await? {
            tracing::warn!(can_id = %can.id, sender = %me.id, ?refusal, "invitation mail refused");
            return Ok(Err(refusal));
        }
    }
    let id = queries::insert_invitation(&mut tx, can.id, new, &token::hash(&secret), me.id).await?;
    if let Some(email) = &new.email {
        let words = mail::Invitation {
            inviter: &me.display_name,
            can_name: &can.name,
            place: &can.place,
            purpose: &can.purpose,
            link: &link,
            days: new.expires_in_days,
        };
        let key = format!("invitation:{id}");
        outbox::enqueue(
            &mut *tx,
            &words.to(email.as_str(), Some(can.id), Some(key))?,
        )
        .await?;
    }
    let summary = match &new.email {
        Some(e) => format!("{} invited {}", me.display_name, e.as_str()),
        None => format!(
            "{} made an invitation link for up to {} {}",
            me.display_name,
            new.max_uses,
            if new.max_uses == 1 {
                "person"
            } else {
                "people"
            }
        ),
    };
    access
        .log(&mut tx, "invitation.created", ("invitation", id), summary)
        .await?;
    tx.commit().await?;
    Ok(Ok(link))
}

/// Revokes one of this CAN's invitations (one revoked already stays so); another CAN's id, or
/// none at all, is not found.
pub async fn revoke(db: &PgPool, access: &CanAccess<Organiser>, id: Uuid) -> Result<()> {
    let can = &access.can;
    let mut tx = db.begin().await?;
    if !queries::revoke_invitation(&mut tx, can.id, id, access.me.id).await? {
        drop(tx);
        return match queries::invitation_exists(db, can.id, id).await? {
            true => Ok(()),
            false => Err(AppError::NotFound),
        };
    }
    let summary = format!("{} revoked an invitation", access.me.display_name);
    access
        .log(&mut tx, "invitation.revoked", ("invitation", id), summary)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Why an invitation link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// No invitation has this token.
    Unknown,
    Revoked,
    Expired,
    UsedUp,
}

impl Unusable {
    fn of(inv: &InvitationByToken) -> Option<Self> {
        if inv.revoked {
            Some(Self::Revoked)
        } else if inv.expired {
            Some(Self::Expired)
        } else if inv.uses >= inv.max_uses {
            Some(Self::UsedUp)
        } else {
            None
        }
    }

    /// In words for the person holding the link.
    pub fn message(self) -> &'static str {
        match self {
            Self::Unknown => {
                "This invitation link is not valid. Check that you copied all of it, or ask for a new one."
            }
            Self::Revoked => {
                "This invitation was withdrawn by the group's organisers. Ask them for a new one."
            }
            Self::Expired => {
                "This invitation has expired. Ask the person who sent it for a new one."
            }
            Self::UsedUp => {
                "This invitation has already been used as many times as it allows. Ask for a new one."
            }
        }
    }
}

/// The CAN a usable invitation link leads to.
pub async fn lookup(db: &PgPool, secret: &str) -> Result<Result<Can, Unusable>> {
    let mut conn = db.acquire().await?;
    let Some(inv) = queries::invitation_by_token(&mut conn, &token::hash(secret), false).await?
    else {
        return Ok(Err(Unusable::Unknown));
    };
    if let Some(why) = Unusable::of(&inv) {
        return Ok(Err(why));
    }
    Ok(Ok(queries::can_by_id(&mut *conn, inv.can_id).await?))
}

/// What using an invitation came to.
pub enum Joined {
    Welcome(Can),
    AlreadyMember(Can),
}

/// `member` joins (or rejoins) through the invitation (having acknowledged the rules), and a
/// welcome companion is chosen for them by rotation. The invitation is locked until the end, so
/// two people cannot both take a single-use link's only use.
pub async fn join(
    db: &PgPool,
    member: Actor<'_>,
    secret: &str,
    base_url: &str,
) -> Result<Result<Joined, Unusable>> {
    let mut tx = db.begin().await?;
    let Some(inv) = queries::invitation_by_token(&mut tx, &token::hash(secret), true).await? else {
        return Ok(Err(Unusable::Unknown));
    };
    if let Some(why) = Unusable::of(&inv) {
        return Ok(Err(why));
    }
    let can = queries::can_by_id(&mut *tx, inv.can_id).await?;
    let now = chrono::Utc::now();
    // The CAN's lock before the membership row: inserting it takes a key-share lock on the CAN,
    // and the companion's rotation then wants the CAN's lock — taken in this order by every
    // joining, two at once queue instead of deadlocking.
    queries::lock_can(&mut tx, can.id).await?;
    if !queries::add_membership(&mut tx, can.id, member.id, now, Some(inv.id)).await? {
        return Ok(Ok(Joined::AlreadyMember(can)));
    }
    queries::use_invitation(&mut tx, inv.id).await?;
    crate::welcome::companions::at_joining(&mut tx, &can, member, base_url).await?;
    let summary = format!(
        "{} joined through an invitation and acknowledged the rules",
        member.name
    );
    activity::log(
        &mut *tx,
        can.id,
        member.id,
        "membership.joined",
        ("member", member.id),
        summary,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(Joined::Welcome(can)))
}

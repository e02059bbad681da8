//! Leaving with dignity, and time away with a day to come back. Leaving is confirmed on a page
//! that says what it hands back; the member may leave a private word that only the organisers
//! read (kept in `departures`, never in the activity log). The organisers hear who left, and the
//! coordinators what nobody carries now. "I'm away for a while" may name a return day, and the
//! clock ([`away`]) brings the member back on that day in the CAN's zone.

pub mod away;
pub mod forms;
pub mod mail;

use sqlx::PgConnection;
use uuid::Uuid;

use super::model::Can;
use super::queries::{self, Released};
use crate::error::Result;
use crate::notifications::{self, Kind, Notice, Recipient};
use mail::MemberLeft;

/// Who left: their id and name.
pub struct Leaver<'a> {
    pub id: Uuid,
    pub name: &'a str,
}

/// Tells the CAN's active organisers that a member left, with their reason, and its active
/// coordinators (who are not organisers) what nobody carries or backs up now, without it. The
/// leaver hears nothing of it. Runs in the leaving's transaction, after their roles ended.
pub(crate) async fn tell_departure(
    conn: &mut PgConnection,
    can: &Can,
    leaver: Leaver<'_>,
    departure_id: Uuid,
    reason: &str,
    released: &Released,
    base_url: &str,
) -> Result<()> {
    let leads: Vec<_> = queries::organisers_and_coordinators(&mut *conn, can.id)
        .await?
        .into_iter()
        .filter(|l| l.id != leaver.id)
        .collect();
    let key = format!("departure:{departure_id}");
    let to_organisers = MemberLeft {
        name: leaver.name,
        can_name: &can.name,
        reason: Some(reason),
        unowned: &released.unowned,
        without_backup: &released.without_backup,
    };
    let detail = to_organisers.text()?;
    let organisers: Vec<Recipient> = leads
        .iter()
        .filter(|l| l.organiser)
        .map(|l| Recipient::with_detail(l.id, detail.clone()))
        .collect();
    let notice = Notice {
        kind: Kind::MemberLeft,
        can: Some((can.id, &can.name)),
        line: to_organisers.line(),
        link: format!("/c/{}/members#former", can.slug),
        key: key.clone(),
    };
    notifications::notify(&mut *conn, base_url, &notice, &organisers).await?;

    if released.unowned.is_empty() && released.without_backup.is_empty() {
        return Ok(());
    }
    let to_coordinators = MemberLeft {
        reason: None,
        ..to_organisers
    };
    let detail = to_coordinators.text()?;
    let coordinators: Vec<Recipient> = leads
        .iter()
        .filter(|l| l.coordinator && !l.organiser)
        .map(|l| Recipient::with_detail(l.id, detail.clone()))
        .collect();
    let filter = match released.unowned.is_empty() {
        true => "no_backup",
        false => "unowned",
    };
    let notice = Notice {
        kind: Kind::MemberLeft,
        can: Some((can.id, &can.name)),
        line: to_coordinators.line(),
        link: format!("/c/{}/responsibilities?filter={filter}", can.slug),
        key,
    };
    notifications::notify(&mut *conn, base_url, &notice, &coordinators).await?;
    Ok(())
}

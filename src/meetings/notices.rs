//! Meeting events as notifications (see [`crate::notifications`]): a time reads in each
//! person's own zone, so each recipient comes with their own line and detail; those who read the
//! same line (the same zone) share one [`notifications::notify`] call.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::cans::model::Can;
use crate::error::Result;
use crate::notifications::{self, Kind, Notice, Recipient};

/// One event, as every notification about it shares it.
pub(super) struct Event<'a> {
    pub kind: Kind,
    pub can: &'a Can,
    /// A path on this site.
    pub link: String,
    /// The event's de-duplication key (unique per recipient): a retried change writes nothing
    /// twice, the next change writes anew.
    pub key: String,
}

/// Writes the event's notification for each `(line, recipient)`, in the caller's transaction.
/// Returns the members a notification was written for.
pub(super) async fn tell(
    conn: &mut PgConnection,
    base_url: &str,
    event: &Event<'_>,
    told: Vec<(String, Recipient)>,
) -> Result<Vec<Uuid>> {
    let mut lines: Vec<(String, Vec<Recipient>)> = Vec::new();
    for (line, to) in told {
        match lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, same)) => same.push(to),
            None => lines.push((line, vec![to])),
        }
    }
    let mut written = Vec::new();
    for (line, to) in lines {
        let notice = Notice {
            kind: event.kind,
            can: Some((event.can.id, &event.can.name)),
            line,
            link: event.link.clone(),
            key: event.key.clone(),
        };
        written.extend(notifications::notify(&mut *conn, base_url, &notice, &to).await?);
    }
    Ok(written)
}

//! Meeting series: creating one, materialising its occurrences a bounded horizon ahead, and
//! changing it so that only future, not individually moved occurrences follow the change (dates
//! that drop out are cancelled, not deleted, so calendars hear about it).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::forms::Schedule;
use super::recurrence;
use crate::error::{AppError, Result};

/// How far ahead occurrences exist (extended as time passes).
pub const HORIZON_DAYS: i64 = 84;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesRow {
    pub id: Uuid,
    pub can_id: Uuid,
    pub title: String,
    pub rrule: String,
    pub starts_on: NaiveDate,
    pub until_on: Option<NaiveDate>,
    pub start_time: NaiveTime,
    pub duration_minutes: i32,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: chrono_tz::Tz,
    pub location: String,
    pub agenda_template: String,
    pub rotate_roles: bool,
    pub created_by: Uuid,
}

impl SeriesRow {
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone
    }

    /// "every Tuesday": the rule in words (the raw rule if it is not one we make).
    pub fn repeats(&self) -> String {
        recurrence::Repeat::from_rrule(&self.rrule)
            .map(|r| r.describe())
            .unwrap_or_else(|| self.rrule.clone())
    }

    /// "every Tuesday, 19:00".
    pub fn rule(&self) -> String {
        format!("{}, {}", self.repeats(), self.start_time.format("%H:%M"))
    }

    /// "every Tuesday, 19:00 to 20:30 (Europe/London)".
    pub fn rule_with_times(&self) -> String {
        let end = self.start_time + chrono::Duration::minutes(i64::from(self.duration_minutes));
        format!(
            "{}, {} to {} ({})",
            self.repeats(),
            self.start_time.format("%H:%M"),
            end.format("%H:%M"),
            self.time_zone
        )
    }

    /// Whether `other` meets on the same dates, at the same time and place, under the same name:
    /// what its members would want to hear of when it changes.
    pub fn meets_as(&self, other: &SeriesRow) -> bool {
        (
            &self.rrule,
            self.starts_on,
            self.until_on,
            self.start_time,
            self.duration_minutes,
            &self.location,
            &self.title,
        ) == (
            &other.rrule,
            other.starts_on,
            other.until_on,
            other.start_time,
            other.duration_minutes,
            &other.location,
            &other.title,
        )
    }

    pub fn times_on(&self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = recurrence::instant(date, self.start_time, self.tz());
        (
            start,
            start + chrono::Duration::minutes(i64::from(self.duration_minutes)),
        )
    }
}

const SERIES: &str =
    "SELECT id, can_id, title, rrule, starts_on, until_on, start_time, duration_minutes,
                             time_zone, location, agenda_template, rotate_roles, created_by
                      FROM meeting_series";

pub async fn series(conn: &mut PgConnection, can_id: Uuid, id: Uuid) -> Result<Option<SeriesRow>> {
    find(conn, can_id, id).await
}

/// [`series`], from a pool or a connection.
pub async fn find(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<Option<SeriesRow>> {
    Ok(
        sqlx::query_as(&format!("{SERIES} WHERE can_id = $1 AND id = $2"))
            .bind(can_id)
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// The series' calendar SEQUENCE (grown by a trigger whenever what calendars show changes).
pub async fn sequence(db: impl PgExecutor<'_>, can_id: Uuid, id: Uuid) -> Result<i32> {
    Ok(
        sqlx::query_scalar("SELECT sequence FROM meeting_series WHERE can_id = $1 AND id = $2")
            .bind(can_id)
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}

pub async fn all_series(db: &sqlx::PgPool, can_id: Uuid) -> Result<Vec<SeriesRow>> {
    Ok(
        sqlx::query_as(&format!("{SERIES} WHERE can_id = $1 ORDER BY created_at"))
            .bind(can_id)
            .fetch_all(db)
            .await?,
    )
}

/// Creates a series (or, for a one-off, a single meeting) and its first occurrences. Returns the
/// series id, or the meeting id for a one-off.
pub async fn create(
    conn: &mut PgConnection,
    can_id: Uuid,
    time_zone: chrono_tz::Tz,
    s: &Schedule,
    by: Uuid,
    today: NaiveDate,
) -> Result<(Option<Uuid>, Option<Uuid>)> {
    let Some(repeat) = s.repeat else {
        let start = recurrence::instant(s.starts_on, s.start_time, time_zone);
        let end = start + chrono::Duration::minutes(i64::from(s.duration_minutes));
        let id =
            insert_meeting(conn, can_id, None, None, &s.title, start, end, &s.location).await?;
        add_template_items(conn, can_id, id, &s.agenda_template, by).await?;
        return Ok((None, Some(id)));
    };
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meeting_series (id, can_id, title, rrule, starts_on, until_on, start_time,
                                     duration_minutes, time_zone, location, agenda_template,
                                     rotate_roles, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id)
    .bind(can_id)
    .bind(&s.title)
    .bind(repeat.rrule())
    .bind(s.starts_on)
    .bind(s.until_on)
    .bind(s.start_time)
    .bind(s.duration_minutes)
    .bind(time_zone.name())
    .bind(&s.location)
    .bind(&s.agenda_template)
    .bind(s.rotate_roles)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    let row = series(conn, can_id, id).await?.ok_or(AppError::NotFound)?;
    materialise(conn, &row, today).await?;
    Ok((Some(id), None))
}

#[allow(clippy::too_many_arguments)]
async fn insert_meeting(
    conn: &mut PgConnection,
    can_id: Uuid,
    series_id: Option<Uuid>,
    occurrence_on: Option<NaiveDate>,
    title: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    location: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO meetings (id, can_id, series_id, occurrence_on, title, starts_at, ends_at, location)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(can_id)
    .bind(series_id)
    .bind(occurrence_on)
    .bind(title)
    .bind(start)
    .bind(end)
    .bind(location)
    .execute(conn)
    .await?;
    Ok(id)
}

async fn add_template_items(
    conn: &mut PgConnection,
    can_id: Uuid,
    meeting_id: Uuid,
    template: &str,
    by: Uuid,
) -> Result<()> {
    insert_template(conn, can_id, &[meeting_id], template, by).await?;
    Ok(())
}

/// The template's lines as agenda items of each of `meetings` (numbered from 1), in one
/// statement. Returns how many items were written.
async fn insert_template(
    conn: &mut PgConnection,
    can_id: Uuid,
    meetings: &[Uuid],
    template: &str,
    by: Uuid,
) -> Result<u64> {
    let lines: Vec<String> = template
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
        .collect();
    if lines.is_empty() || meetings.is_empty() {
        return Ok(0);
    }
    let (mut ids, mut of, mut positions, mut titles) = (vec![], vec![], vec![], vec![]);
    for meeting in meetings {
        for (i, line) in lines.iter().enumerate() {
            ids.push(Uuid::now_v7());
            of.push(*meeting);
            positions.push(i as i32 + 1);
            titles.push(line.as_str());
        }
    }
    let done = sqlx::query(
        "INSERT INTO agenda_items (id, can_id, meeting_id, position, title, proposed_by)
         SELECT i.id, $5, i.meeting_id, i.position, i.title, $6
         FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[]) AS i (id, meeting_id, position, title)
         -- Read afresh after the meetings' locks: an item added meanwhile keeps its agenda.
         WHERE NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = i.meeting_id)",
    )
    .bind(&ids)
    .bind(&of)
    .bind(&positions)
    .bind(&titles)
    .bind(can_id)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    // How many meetings got it (each gets every line or none).
    Ok(done.rows_affected() / lines.len() as u64)
}

/// Gives the series' agenda template to its meetings still to come that have no agenda yet, so
/// that "future meetings follow" holds for the agenda too. Past, held and cancelled meetings, and
/// ones whose agenda has items, keep what they have. Returns how many meetings got the template.
pub async fn apply_template(conn: &mut PgConnection, s: &SeriesRow, by: Uuid) -> Result<usize> {
    if s.agenda_template.trim().is_empty() {
        return Ok(0);
    }
    // Locked like any agenda change; the insert then skips a meeting that got an item meanwhile.
    let empty: Vec<Uuid> = sqlx::query_scalar(
        "SELECT g.id FROM meetings g
         WHERE g.series_id = $1 AND g.can_id = $2 AND g.status = 'scheduled' AND g.starts_at > now()
           AND NOT EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = g.id)
         ORDER BY g.starts_at
         FOR UPDATE OF g",
    )
    .bind(s.id)
    .bind(s.can_id)
    .fetch_all(&mut *conn)
    .await?;
    let filled = insert_template(conn, s.can_id, &empty, &s.agenda_template, by).await?;
    Ok(usize::try_from(filled).unwrap_or(0))
}

/// Creates the occurrences between today and the horizon that do not exist yet.
pub async fn materialise(
    conn: &mut PgConnection,
    s: &SeriesRow,
    today: NaiveDate,
) -> Result<usize> {
    let until = today + chrono::Duration::days(HORIZON_DAYS);
    let from = s.starts_on.max(today);
    let days = recurrence::dates(&s.rrule, s.starts_on, s.until_on, from, until)
        .map_err(AppError::Internal)?;
    let mut created = 0;
    for day in days {
        let (start, end) = s.times_on(day);
        let inserted: Option<Uuid> = sqlx::query_scalar(
            "INSERT INTO meetings (id, can_id, series_id, occurrence_on, title, starts_at, ends_at, location)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT ON CONSTRAINT meetings_occurrence_key DO NOTHING
             RETURNING id",
        )
        .bind(Uuid::now_v7())
        .bind(s.can_id)
        .bind(s.id)
        .bind(day)
        .bind(&s.title)
        .bind(start)
        .bind(end)
        .bind(&s.location)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(meeting_id) = inserted {
            add_template_items(conn, s.can_id, meeting_id, &s.agenda_template, s.created_by)
                .await?;
            created += 1;
        }
    }
    sqlx::query("UPDATE meeting_series SET materialised_until = $2 WHERE id = $1")
        .bind(s.id)
        .bind(until)
        .execute(&mut *conn)
        .await?;
    Ok(created)
}

/// A future meeting of a series that a change of the series moved or cancelled.
pub struct Rescheduled {
    pub id: Uuid,
    pub was: (DateTime<Utc>, DateTime<Utc>),
    /// Its new times, or `None`: the new rule no longer falls on its date, so it is cancelled.
    pub now: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub sequence: i32,
}

/// A future occurrence of a series, as a change of the series finds it.
#[derive(sqlx::FromRow)]
struct Planned {
    id: Uuid,
    occurrence_on: NaiveDate,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    cancelled: bool,
}

/// Applies a changed schedule to the series' future. Past meetings and occurrences moved one by
/// one stay as they are. Returns the meetings whose time changed or that were cancelled.
pub async fn reschedule(
    conn: &mut PgConnection,
    s: &SeriesRow,
    today: NaiveDate,
) -> Result<Vec<Rescheduled>> {
    let until = today + chrono::Duration::days(HORIZON_DAYS);
    let keep: Vec<NaiveDate> = recurrence::dates(
        &s.rrule,
        s.starts_on,
        s.until_on,
        s.starts_on.max(today),
        until,
    )
    .map_err(AppError::Internal)?;
    let future: Vec<Planned> = sqlx::query_as(
        "SELECT id, occurrence_on, starts_at, ends_at, status = 'cancelled' AS cancelled FROM meetings
         WHERE series_id = $1 AND can_id = $2 AND starts_at > now() AND NOT moved
           AND status <> 'held' AND occurrence_on IS NOT NULL",
    )
    .bind(s.id)
    .bind(s.can_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut changed = Vec::new();
    for Planned {
        id,
        occurrence_on: day,
        starts_at: was_start,
        ends_at: was_end,
        cancelled: was_cancelled,
    } in future
    {
        if keep.contains(&day) {
            let (start, end) = s.times_on(day);
            let sequence: i32 = sqlx::query_scalar(
                "UPDATE meetings SET title = $2, starts_at = $3, ends_at = $4, location = $5,
                        status = 'scheduled', sequence = sequence + 1,
                        reminder_sent_at = CASE WHEN starts_at = $3 THEN reminder_sent_at END
                 WHERE id = $1
                 RETURNING sequence",
            )
            .bind(id)
            .bind(&s.title)
            .bind(start)
            .bind(end)
            .bind(&s.location)
            .fetch_one(&mut *conn)
            .await?;
            if !was_cancelled && (was_start, was_end) != (start, end) {
                changed.push(Rescheduled {
                    id,
                    was: (was_start, was_end),
                    now: Some((start, end)),
                    sequence,
                });
            }
        } else if !was_cancelled {
            let sequence: i32 = sqlx::query_scalar(
                "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1
                 WHERE id = $1
                 RETURNING sequence",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            // Nobody is asked to take notes at a date the series no longer has (everyone hears
            // of the series' change itself).
            crate::responsibilities::queries::offers::withdraw_on_meeting(conn, s.can_id, id)
                .await?;
            changed.push(Rescheduled {
                id,
                was: (was_start, was_end),
                now: None,
                sequence,
            });
        }
    }
    materialise(conn, s, today).await?;
    Ok(changed)
}

pub async fn update(conn: &mut PgConnection, id: Uuid, can_id: Uuid, s: &Schedule) -> Result<()> {
    let rule = s
        .repeat
        .map(|r| r.rrule())
        .ok_or(AppError::BadRequest("A series needs a repeat."))?;
    sqlx::query(
        "UPDATE meeting_series SET title = $3, rrule = $4, starts_on = $5, until_on = $6, start_time = $7,
                duration_minutes = $8, location = $9, agenda_template = $10, rotate_roles = $11
         WHERE id = $1 AND can_id = $2",
    )
    .bind(id)
    .bind(can_id)
    .bind(&s.title)
    .bind(rule)
    .bind(s.starts_on)
    .bind(s.until_on)
    .bind(s.start_time)
    .bind(s.duration_minutes)
    .bind(&s.location)
    .bind(&s.agenda_template)
    .bind(s.rotate_roles)
    .execute(conn)
    .await?;
    Ok(())
}

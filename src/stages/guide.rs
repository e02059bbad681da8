//! The stage guide: from the group's own data, what is done and what comes next on the way from
//! visioning to organizing to sustaining. The thresholds are the group's own (defaults below,
//! changed by organisers) and are shown with every step — no hidden scoring. In every stage the
//! guide also lists what needs attention now (`stages::attention`); in sustaining, only that.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::attention::{self, Term, Viewer};
use super::health;
use crate::cans::model::{Can, Role, Stage};
use crate::error::Result;
use crate::responsibilities::{load, queries as resp};

/// The group's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Criteria {
    pub hope_share_percent: i16,
    pub hope_min: i16,
    pub held_meetings_min: i16,
    pub drift_missed: i16,
    pub drift_weeks: i16,
}

impl Default for Criteria {
    fn default() -> Self {
        Self {
            hope_share_percent: 50,
            hope_min: 3,
            held_meetings_min: 3,
            drift_missed: 3,
            drift_weeks: 6,
        }
    }
}

/// What the guide looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub active_members: i64,
    pub hope_authors: i64,
    pub vision_adopted: bool,
    pub active_goals: i64,
    pub goals_without_responsibility: Vec<String>,
    pub open_responsibilities: Vec<String>,
    pub overburdened: Vec<String>,
    pub series: i64,
    pub held_with_minutes: i64,
    // What needs attention (`stages::attention`).
    pub median_load: f64,
    /// Drifting (as the health view says) and nobody has checked in with them since.
    pub drifting_unreached: Vec<String>,
    /// Active responsibilities resting on one carrier with no backup.
    pub single_points: Vec<String>,
    /// Ongoing responsibilities (not tasks), open or active, that no active member carries.
    pub unowned_ongoing: Vec<String>,
    /// Roles held with a term, soonest end first.
    pub terms: Vec<Term>,
    /// Held meetings among the last [`health::RECENT`], and who facilitated most of them.
    pub recent_held: i64,
    pub top_facilitator: Option<String>,
    pub top_facilitated: i64,
    pub review_on: Option<NaiveDate>,
    /// Overall check-in averages of the closed meetings the health view shows averages for,
    /// newest first.
    pub check_in_overall: Vec<f64>,
    /// Support requests open more than a week: the public ones, and all (organisers).
    pub support_waiting_public: i64,
    pub support_waiting_all: i64,
    /// Active members who came to a meeting and carry no active responsibility.
    pub came_carrying_nothing: i64,
    /// Active members who arrived 30 to 180 days ago and came to no meeting.
    pub newcomers_not_come: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub text: String,
    pub done: bool,
    pub link: String,
    /// Something that needs attention now, rather than a step towards the next stage.
    pub attention: bool,
}

/// Hope authors needed: the share of active members, at least `hope_min`, never more than there are.
pub fn hopes_needed(f: &Facts, c: &Criteria) -> i64 {
    let share = (f.active_members * i64::from(c.hope_share_percent) + 99) / 100;
    share
        .max(i64::from(c.hope_min))
        .min(f.active_members.max(1))
}

/// The steps towards leaving `stage` (none for sustaining: what needs attention takes over there,
/// see [`guide`]).
pub fn steps(stage: Stage, f: &Facts, c: &Criteria, slug: &str) -> Vec<Step> {
    let at = |path: &str| format!("/c/{slug}{path}");
    match stage {
        Stage::Visioning => visioning_steps(f, c, at),
        Stage::Organizing => organizing_steps(f, c, at),
        Stage::Sustaining => Vec::new(),
    }
}

fn visioning_steps(f: &Facts, c: &Criteria, at: impl Fn(&str) -> String) -> Vec<Step> {
    let needed = hopes_needed(f, c);
    vec![
        Step {
            text: format!(
                "Hopes shared by at least {needed} members ({}% of active members, at least {}): {} so far",
                c.hope_share_percent, c.hope_min, f.hope_authors
            ),
            done: f.hope_authors >= needed,
            link: at("/vision#hopes"),
            attention: false,
        },
        Step {
            text: "A shared vision adopted by consent".into(),
            done: f.vision_adopted,
            link: at("/vision"),
            attention: false,
        },
        Step {
            text: format!(
                "At least one goal drawn from the vision: {} so far",
                f.active_goals
            ),
            done: f.active_goals >= 1,
            link: at("/goals"),
            attention: false,
        },
    ]
}

/// "Everything is fine" when nobody is named, else the lead-in and the names.
fn naming(names: &[String], fine: &str, lead: &str, tail: &str) -> String {
    if names.is_empty() {
        fine.into()
    } else {
        format!("{lead}{}{tail}", names.join(", "))
    }
}

fn organizing_steps(f: &Facts, c: &Criteria, at: impl Fn(&str) -> String) -> Vec<Step> {
    vec![
        Step {
            text: naming(
                &f.goals_without_responsibility,
                "Every active goal has a responsibility",
                "Give these goals a responsibility: ",
                "",
            ),
            done: f.goals_without_responsibility.is_empty() && f.active_goals > 0,
            link: at("/responsibilities?by=goal"),
            attention: false,
        },
        Step {
            text: naming(
                &f.open_responsibilities,
                "Every responsibility has someone carrying it",
                "Find someone to carry: ",
                "",
            ),
            done: f.open_responsibilities.is_empty(),
            link: at("/responsibilities?filter=unowned"),
            attention: false,
        },
        Step {
            text: naming(
                &f.overburdened,
                "Nobody carries more than twice the median load",
                "Share the load of: ",
                " (above twice the median)",
            ),
            done: f.overburdened.is_empty(),
            link: at("/load"),
            attention: false,
        },
        Step {
            text: "A regular meeting series".into(),
            done: f.series >= 1,
            link: at("/meetings"),
            attention: false,
        },
        Step {
            text: format!(
                "At least {} meetings held with minutes recorded: {} so far",
                c.held_meetings_min, f.held_with_minutes
            ),
            done: f.held_with_minutes >= i64::from(c.held_meetings_min),
            link: at("/meetings"),
            attention: false,
        },
    ]
}

/// The guide as `viewer` reads it: the steps towards the next stage, then what needs attention
/// now. In sustaining there are only the latter, and none when all is well.
pub fn guide(
    stage: Stage,
    f: &Facts,
    c: &Criteria,
    viewer: Viewer,
    today: NaiveDate,
    slug: &str,
) -> Vec<Step> {
    let mut all = steps(stage, f, c, slug);
    all.extend(attention::items(stage, f, c, viewer, today, slug));
    all
}

/// The guide for `viewer` in the CAN, from its own data and thresholds.
pub async fn next_steps(db: &PgPool, can: &Can, viewer: Viewer) -> Result<Vec<Step>> {
    let (criteria, facts) = assess(db, can.id).await?;
    let today = crate::web::time::today_in(can.time_zone);
    Ok(guide(
        can.stage, &facts, &criteria, viewer, today, &can.slug,
    ))
}

/// Every step towards the next stage is done (what needs attention does not hold a group back).
pub fn ready(steps: &[Step]) -> bool {
    steps.iter().filter(|s| !s.attention).all(|s| s.done)
}

/// The counts and lists the guide looks at, with the thresholds, in one statement.
#[derive(sqlx::FromRow)]
struct Assessed {
    #[sqlx(flatten)]
    criteria: Criteria,
    active_members: i64,
    hope_authors: i64,
    vision_adopted: bool,
    active_goals: i64,
    series: i64,
    held_with_minutes: i64,
    goals_without_responsibility: Vec<String>,
    open_responsibilities: Vec<String>,
    single_points: Vec<String>,
    unowned_ongoing: Vec<String>,
    term_members: Vec<Uuid>,
    term_names: Vec<String>,
    term_roles: Vec<String>,
    term_ends: Vec<NaiveDate>,
    recent_held: i64,
    top_facilitator: Option<String>,
    top_facilitated: Option<i64>,
    review_on: Option<NaiveDate>,
    check_in_overall: Vec<f64>,
    support_waiting_public: i64,
    support_waiting_all: i64,
    came_carrying_nothing: i64,
    newcomers_not_come: i64,
    /// Who drifts, with when they last came and when someone last checked in with them, side by
    /// side in the same order.
    drifting_names: Vec<String>,
    drifting_last_attended: Vec<Option<DateTime<Utc>>>,
    drifting_reached_at: Vec<Option<DateTime<Utc>>>,
}

/// The group's thresholds and where it stands: two statements whatever its size (every CAN
/// home shows the guide, so this is on a busy path): this one and the loads. Who drifts is read
/// with the health view's own presence query, inside this one. Every part of it is a look-up by
/// `can_id` on an index.
pub async fn assess(db: &PgPool, can_id: Uuid) -> Result<(Criteria, Facts)> {
    let a: Assessed = sqlx::query_as(&assess_sql())
        .bind(can_id)
        .fetch_one(db)
        .await?;
    let loads = resp::loads(db, can_id).await?;
    let median = load::median(&loads.iter().map(|l| l.load).collect::<Vec<_>>());
    let criteria = a.criteria;
    let now = Utc::now();
    let drifting_unreached = a
        .drifting_names
        .iter()
        .zip(a.drifting_last_attended.iter().zip(&a.drifting_reached_at))
        .filter(|(_, (last, reached))| {
            !attention::reached_since_drifting(**last, **reached, now, criteria.drift_weeks)
        })
        .map(|(name, _)| name.clone())
        .collect();
    let terms = a
        .term_members
        .iter()
        .zip(&a.term_names)
        .zip(&a.term_roles)
        .zip(&a.term_ends)
        .filter_map(|(((id, name), role), ends)| {
            Some(Term {
                member_id: *id,
                name: name.clone(),
                role: Role::parse(role)?,
                ends_on: *ends,
            })
        })
        .collect();
    let facts = Facts {
        active_members: a.active_members,
        hope_authors: a.hope_authors,
        vision_adopted: a.vision_adopted,
        active_goals: a.active_goals,
        goals_without_responsibility: a.goals_without_responsibility,
        open_responsibilities: a.open_responsibilities,
        overburdened: loads
            .iter()
            .filter(|l| load::overburdened(l.load, median))
            .map(|l| l.name.clone())
            .collect(),
        series: a.series,
        held_with_minutes: a.held_with_minutes,
        median_load: median,
        drifting_unreached,
        single_points: a.single_points,
        unowned_ongoing: a.unowned_ongoing,
        terms,
        recent_held: a.recent_held,
        top_facilitator: a.top_facilitator,
        top_facilitated: a.top_facilitated.unwrap_or(0),
        review_on: a.review_on,
        check_in_overall: a.check_in_overall,
        support_waiting_public: a.support_waiting_public,
        support_waiting_all: a.support_waiting_all,
        came_carrying_nothing: a.came_carrying_nothing,
        newcomers_not_come: a.newcomers_not_come,
    };
    Ok((criteria, facts))
}

/// The text of [`assess`]'s one statement (`$1` the CAN), public so a test can read its plan.
pub fn assess_sql() -> String {
    format!(
        "WITH h AS ({holders}),
         p AS ({presence}),
         -- Drifting as the health view says it (`health::drifting`).
         d AS (SELECT * FROM p WHERE p.missed_in_a_row OR p.not_seen)
         SELECT c.hope_share_percent, c.hope_min, c.held_meetings_min, c.drift_missed, c.drift_weeks,
           (SELECT count(*) FROM memberships WHERE can_id = $1 AND status = 'active') AS active_members,
           (SELECT count(DISTINCT h.author_id) FROM hopes h JOIN memberships m
              ON m.can_id = h.can_id AND m.member_id = h.author_id AND m.status = 'active'
            WHERE h.can_id = $1 AND h.withdrawn_at IS NULL) AS hope_authors,
           c.vision_version_id IS NOT NULL AS vision_adopted,
           (SELECT count(*) FROM goals WHERE can_id = $1 AND status = 'active') AS active_goals,
           (SELECT count(*) FROM meeting_series
            WHERE can_id = $1 AND (until_on IS NULL OR until_on >= current_date)) AS series,
           (SELECT count(*) FROM meetings
            WHERE can_id = $1 AND status = 'held' AND btrim(minutes) <> '') AS held_with_minutes,
           ARRAY(SELECT g.title FROM goals g WHERE g.can_id = $1 AND g.status = 'active'
                   AND NOT EXISTS (SELECT 1 FROM responsibilities r WHERE r.can_id = g.can_id
                                   AND r.goal_id = g.id AND r.status IN ('open', 'active', 'done'))
                 ORDER BY g.created_at) AS goals_without_responsibility,
           -- Open, or active with nobody active carrying it (a carrier paused): the board's unowned.
           ARRAY(SELECT h.title FROM h
                 WHERE h.status IN ('open', 'active') AND h.carriers = 0
                 ORDER BY h.due_on NULLS LAST, lower(h.title)) AS open_responsibilities,
           -- The health view's single points of failure.
           ARRAY(SELECT h.title FROM h
                 WHERE h.status = 'active' AND h.carriers = 1 AND h.backups = 0
                 ORDER BY h.due_on NULLS LAST, lower(h.title)) AS single_points,
           ARRAY(SELECT h.title FROM h
                 WHERE h.status IN ('open', 'active') AND h.carriers = 0
                   AND h.id IN (SELECT id FROM responsibilities WHERE can_id = $1 AND kind = 'ongoing')
                 ORDER BY lower(h.title)) AS unowned_ongoing,
           COALESCE(t.members, '{{}}') AS term_members, COALESCE(t.names, '{{}}') AS term_names,
           COALESCE(t.roles, '{{}}') AS term_roles, COALESCE(t.ends, '{{}}') AS term_ends,
           (SELECT count(*) FROM (SELECT 1 FROM meetings WHERE can_id = $1 AND status = 'held'
                                  ORDER BY starts_at DESC LIMIT {recent}) r) AS recent_held,
           f.top_facilitator, f.top_facilitated,
           c.vision_review_on AS review_on,
           -- The health view's shown check-in averages (closed, from the floor up), each
           -- meeting's five averages taken together, newest first.
           ARRAY(SELECT o.overall FROM (
                   SELECT g.starts_at, avg((k.zest + k.able_to_act + k.clarity + k.worth + k.connection)::float8 / 5) AS overall
                   FROM (SELECT id, starts_at FROM meetings
                         WHERE can_id = $1 AND status = 'held'
                           AND ends_at < now() - make_interval(days => {check_in_days})
                         ORDER BY starts_at DESC LIMIT {recent}) g
                   JOIN check_ins k ON k.meeting_id = g.id
                   GROUP BY g.id, g.starts_at HAVING count(*) >= {floor}) o
                 ORDER BY o.starts_at DESC) AS check_in_overall,
           s.support_waiting_public, s.support_waiting_all,
           (SELECT count(*) FROM memberships m WHERE m.can_id = $1 AND m.status = 'active'
              AND EXISTS (SELECT 1 FROM attendance a WHERE a.can_id = m.can_id AND a.member_id = m.member_id)
              AND NOT EXISTS (SELECT 1 FROM carriers c JOIN responsibilities r
                                ON r.id = c.responsibility_id AND r.status = 'active'
                              WHERE c.can_id = m.can_id AND c.member_id = m.member_id
                                AND c.kind = 'carrier' AND {current})) AS came_carrying_nothing,
           (SELECT count(*) FROM memberships m WHERE m.can_id = $1 AND m.status = 'active'
              -- Arrived (joined, or rejoined and acknowledged the rules again) in the window.
              AND greatest(m.joined_at, m.rules_acknowledged_at) < now() - make_interval(days => {newcomer_days})
              AND greatest(m.joined_at, m.rules_acknowledged_at) > now() - make_interval(days => {newcomer_until})
              -- Came to nothing since they arrived (as the newcomers page counts it).
              AND NOT EXISTS (SELECT 1 FROM attendance a
                              JOIN meetings g ON g.id = a.meeting_id AND g.can_id = a.can_id
                              WHERE a.can_id = m.can_id AND a.member_id = m.member_id
                                AND g.ends_at >= greatest(m.joined_at, m.rules_acknowledged_at))) AS newcomers_not_come,
           COALESCE((SELECT array_agg(d.display_name ORDER BY lower(d.display_name), d.id) FROM d), '{{}}') AS drifting_names,
           COALESCE((SELECT array_agg(d.last_attended ORDER BY lower(d.display_name), d.id) FROM d), '{{}}') AS drifting_last_attended,
           COALESCE((SELECT array_agg(d.reached_at ORDER BY lower(d.display_name), d.id) FROM d), '{{}}') AS drifting_reached_at
         FROM cans c
         CROSS JOIN LATERAL (
             SELECT array_agg(g.member_id ORDER BY g.term_ends_on, g.id) AS members,
                    array_agg(p.display_name ORDER BY g.term_ends_on, g.id) AS names,
                    array_agg(g.role ORDER BY g.term_ends_on, g.id) AS roles,
                    array_agg(g.term_ends_on ORDER BY g.term_ends_on, g.id) AS ends
             FROM role_grants g JOIN members p ON p.id = g.member_id
             JOIN memberships m ON m.can_id = g.can_id AND m.member_id = g.member_id AND m.status <> 'left'
             WHERE g.can_id = $1 AND g.ended_at IS NULL AND g.term_ends_on IS NOT NULL) t
         LEFT JOIN LATERAL (
             SELECT p.display_name AS top_facilitator, count(*) AS top_facilitated
             FROM (SELECT facilitator_id FROM meetings WHERE can_id = $1 AND status = 'held'
                   ORDER BY starts_at DESC LIMIT {recent}) g
             JOIN members p ON p.id = g.facilitator_id
             GROUP BY p.id, p.display_name ORDER BY count(*) DESC, lower(p.display_name) LIMIT 1) f ON true
         CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE NOT private) AS support_waiting_public,
                    count(*) AS support_waiting_all
             FROM support_requests WHERE can_id = $1 AND status = 'open'
               AND created_at < now() - make_interval(days => {support_days})) s
         WHERE c.id = $1",
        holders = resp::holder_counts(),
        presence = health::presence_sql(
            "$1",
            "(SELECT drift_missed::bigint FROM cans WHERE id = $1)",
            "(SELECT drift_weeks::int FROM cans WHERE id = $1)"
        ),
        recent = health::RECENT,
        check_in_days = health::CHECK_IN_DAYS,
        floor = health::CHECK_IN_FLOOR,
        current = resp::CURRENT,
        newcomer_days = attention::NEWCOMER_DAYS,
        newcomer_until = attention::NEWCOMER_UNTIL_DAYS,
        support_days = attention::SUPPORT_DAYS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hopes_needed_is_half_but_at_least_three_and_at_most_everyone() {
        let c = Criteria::default();
        let f = |active| Facts {
            active_members: active,
            ..Facts::default()
        };
        assert_eq!(hopes_needed(&f(10), &c), 5);
        assert_eq!(hopes_needed(&f(4), &c), 3);
        assert_eq!(hopes_needed(&f(2), &c), 2);
        assert_eq!(hopes_needed(&f(9), &c), 5);
    }

    #[test]
    fn visioning_is_ready_with_hopes_a_vision_and_a_goal() {
        let c = Criteria::default();
        let mut f = Facts {
            active_members: 4,
            hope_authors: 3,
            vision_adopted: true,
            active_goals: 0,
            ..Facts::default()
        };
        assert!(!ready(&steps(Stage::Visioning, &f, &c, "x")));
        f.active_goals = 1;
        assert!(ready(&steps(Stage::Visioning, &f, &c, "x")));
    }
}

//! The stage guide: from the group's own data, what is done and what comes next on the way from
//! visioning to organizing to sustaining. The thresholds are the group's own (defaults below,
//! changed by organisers) and are shown with every step — no hidden scoring.

use sqlx::PgPool;
use uuid::Uuid;

use crate::cans::model::{Can, Stage};
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub text: String,
    pub done: bool,
    pub link: String,
}

/// Hope authors needed: the share of active members, at least `hope_min`, never more than there are.
pub fn hopes_needed(f: &Facts, c: &Criteria) -> i64 {
    let share = (f.active_members * i64::from(c.hope_share_percent) + 99) / 100;
    share
        .max(i64::from(c.hope_min))
        .min(f.active_members.max(1))
}

/// The steps towards leaving `stage` (none for sustaining: health takes over there).
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
        },
        Step {
            text: "A shared vision adopted by consent".into(),
            done: f.vision_adopted,
            link: at("/vision"),
        },
        Step {
            text: format!(
                "At least one goal drawn from the vision: {} so far",
                f.active_goals
            ),
            done: f.active_goals >= 1,
            link: at("/goals"),
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
        },
        Step {
            text: "A regular meeting series".into(),
            done: f.series >= 1,
            link: at("/meetings"),
        },
        Step {
            text: format!(
                "At least {} meetings held with minutes recorded: {} so far",
                c.held_meetings_min, f.held_with_minutes
            ),
            done: f.held_with_minutes >= i64::from(c.held_meetings_min),
            link: at("/meetings"),
        },
    ]
}

/// The steps towards the CAN's next stage, from its own data and thresholds.
pub async fn next_steps(db: &PgPool, can: &Can) -> Result<Vec<Step>> {
    let (criteria, facts) = assess(db, can.id).await?;
    Ok(steps(can.stage, &facts, &criteria, &can.slug))
}

pub fn ready(steps: &[Step]) -> bool {
    steps.iter().all(|s| s.done)
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
}

/// The group's thresholds and where it stands: two statements whatever its size (every page
/// shows the next steps, so this is on every CAN page's path).
pub async fn assess(db: &PgPool, can_id: Uuid) -> Result<(Criteria, Facts)> {
    let a: Assessed = sqlx::query_as(&format!(
        "SELECT c.hope_share_percent, c.hope_min, c.held_meetings_min, c.drift_missed, c.drift_weeks,
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
           ARRAY(SELECT h.title FROM ({holders}) h
                 WHERE h.status IN ('open', 'active') AND h.carriers = 0
                 ORDER BY h.due_on NULLS LAST, lower(h.title)) AS open_responsibilities
         FROM cans c WHERE c.id = $1",
        holders = resp::holder_counts()
    ))
    .bind(can_id)
    .fetch_one(db)
    .await?;
    let loads = resp::loads(db, can_id).await?;
    let median = load::median(&loads.iter().map(|l| l.load).collect::<Vec<_>>());
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
    };
    Ok((a.criteria, facts))
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

//! The board (every responsibility, filtered and grouped) and the load view (how the work is
//! spread, who is overburdened, what rests on one person, and who could take something over).

use std::fmt;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use super::filters;
use crate::AppState;
use crate::cans::access::{CanAccess, Coordinator, Member, Requirement};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::responsibilities::load::{self, Reading, Suggestion};
use crate::responsibilities::model::ResponsibilityStatus;
use crate::responsibilities::queries::{self, Row};
use crate::web::{Layout, Query, time};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    filter: String,
    by: String,
}

/// Which responsibilities the board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    All,
    Unowned,
    NoBackup,
    Overdue,
    Mine,
}

impl Show {
    const ALL: [Self; 5] = [
        Self::All,
        Self::Unowned,
        Self::NoBackup,
        Self::Overdue,
        Self::Mine,
    ];

    /// Its `filter=` value ("" for all).
    pub fn param(self) -> &'static str {
        match self {
            Self::All => "",
            Self::Unowned => "unowned",
            Self::NoBackup => "no_backup",
            Self::Overdue => "overdue",
            Self::Mine => "mine",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::NoBackup => "no backup",
            other => other.param(),
        }
    }

    fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|f| f.param() == s)
            .unwrap_or(Self::All)
    }

    fn keeps(self, r: &Row, today: NaiveDate, me: Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Unowned => r.is_unowned(),
            Self::NoBackup => r.lacks_backup(),
            Self::Overdue => r.is_overdue(&today),
            Self::Mine => r.involves(me),
        }
    }
}

/// How the board groups its cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Status,
    Goal,
}

impl Grouping {
    /// Its `by=` value ("" for by status).
    pub fn param(self) -> &'static str {
        match self {
            Self::Status => "",
            Self::Goal => "goal",
        }
    }

    fn parse(s: &str) -> Self {
        [Self::Status, Self::Goal]
            .into_iter()
            .find(|g| g.param() == s)
            .unwrap_or(Self::Status)
    }
}

/// A filter link, marked when it is the one shown.
pub struct ShowLink {
    pub show: Show,
    pub current: bool,
}

/// A group of cards on the board, under the status or the goal they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heading {
    Status(ResponsibilityStatus),
    Goal(Option<String>),
}

impl fmt::Display for Heading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(s) => f.write_str(s.heading()),
            Self::Goal(Some(title)) => f.write_str(title),
            Self::Goal(None) => f.write_str("Not linked to a goal"),
        }
    }
}

pub struct Group {
    pub heading: Heading,
    pub cards: Vec<Row>,
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/board.html")]
pub struct BoardPage {
    ctx: Layout,
    nav: CanNav,
    groups: Vec<Group>,
    today: NaiveDate,
    /// The CAN's zone, for the days open offers run until.
    tz: Tz,
    shows: Vec<ShowLink>,
    /// The `filter=` value the group links keep.
    filter: &'static str,
    /// The `by=` value the filter links keep.
    by: &'static str,
    by_goal: bool,
    can_create: bool,
    total: usize,
}

/// Cards in the order given, grouped by status or goal in the order the groups first appear.
fn grouped(rows: Vec<Row>, by: Grouping) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for r in rows {
        let heading = match by {
            Grouping::Goal => Heading::Goal(r.goal.clone()),
            Grouping::Status => Heading::Status(r.status),
        };
        match groups.iter_mut().find(|g| g.heading == heading) {
            Some(g) => g.cards.push(r),
            None => groups.push(Group {
                heading,
                cards: vec![r],
            }),
        }
    }
    groups
}

pub async fn board(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Query(q): Query<BoardQuery>,
) -> Result<BoardPage> {
    let can = &access.can;
    let today = time::today_in(can.time_zone);
    let show = Show::parse(&q.filter);
    let shown: Vec<Row> = queries::all(&state.db, can.id)
        .await?
        .into_iter()
        .filter(|r| show.keeps(r, today, access.me.id))
        .collect();
    let by = Grouping::parse(&q.by);
    Ok(BoardPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Responsibilities),
        total: shown.len(),
        groups: grouped(shown, by),
        today,
        tz: can.time_zone,
        shows: Show::ALL
            .into_iter()
            .map(|s| ShowLink {
                show: s,
                current: s == show,
            })
            .collect(),
        filter: show.param(),
        by: by.param(),
        by_goal: by == Grouping::Goal,
        can_create: Coordinator::accepts(&access.membership),
    })
}

/// A member's line in the load view.
pub struct LoadRow {
    pub name: String,
    pub load: i64,
    pub count: i64,
    pub reading: Option<Reading>,
}

#[derive(Template, WebTemplate)]
#[template(path = "responsibilities/load.html")]
pub struct LoadPage {
    ctx: Layout,
    nav: CanNav,
    rows: Vec<LoadRow>,
    median: f64,
    /// Above this load, someone is overburdened.
    threshold: f64,
    single_points: Vec<Row>,
    suggestions: Vec<Suggestion>,
}

pub async fn load_view(
    State(state): State<AppState>,
    access: CanAccess<Coordinator>,
    ctx: Layout,
) -> Result<LoadPage> {
    let can = &access.can;
    let members = queries::loads(&state.db, can.id).await?;
    let median = load::median(&members.iter().map(|m| m.load).collect::<Vec<_>>());
    let all = queries::all(&state.db, can.id).await?;
    let suggestions = load::suggestions(&members, &all, median);
    Ok(LoadPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Load),
        median,
        threshold: (2.0 * median).max(1.0),
        rows: members
            .iter()
            .map(|m| LoadRow {
                name: m.name.clone(),
                load: m.load,
                count: m.count,
                reading: Reading::of(m, median),
            })
            .collect(),
        single_points: all.into_iter().filter(Row::is_single_point).collect(),
        suggestions,
    })
}

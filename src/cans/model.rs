//! The CAN domain: stages, roles, visibility, membership status, and the CAN itself.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Role {
    Organiser,
    Facilitator,
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Organiser, Role::Facilitator, Role::Coordinator];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organiser => "organiser",
            Self::Facilitator => "facilitator",
            Self::Coordinator => "coordinator",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Organiser => "Organiser",
            Self::Facilitator => "Facilitator",
            Self::Coordinator => "Coordinator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// How a role grant ended when nobody ended it by hand (an organiser ending it, or its holder
/// leaving, leave `ended_how` empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum GrantEnd {
    /// The clock ended it the day after its term ended.
    TermEnded,
    /// An organiser renewed it: a new grant carries the next term.
    Renewed,
}

impl GrantEnd {
    pub fn label(self) -> &'static str {
        match self {
            Self::TermEnded => "term ended",
            Self::Renewed => "renewed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Stage {
    Visioning,
    Organizing,
    Sustaining,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Visioning, Stage::Organizing, Stage::Sustaining];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visioning => "visioning",
            Self::Organizing => "organizing",
            Self::Sustaining => "sustaining",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Visioning => "Visioning",
            Self::Organizing => "Organizing",
            Self::Sustaining => "Sustaining",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Self::Visioning => "A shared picture built from everyone's hopes, adopted by consent.",
            Self::Organizing => {
                "Enacting the vision: responsibilities spread across many people, meeting regularly."
            }
            Self::Sustaining => {
                "Keeping it going: rotation, backups, continuity, noticing who drifts away."
            }
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The stages either side of this one: (back for renewal, on to).
    pub fn neighbours(self) -> (Option<Stage>, Option<Stage>) {
        match self {
            Self::Visioning => (None, Some(Self::Organizing)),
            Self::Organizing => (Some(Self::Visioning), Some(Self::Sustaining)),
            Self::Sustaining => (Some(Self::Organizing), None),
        }
    }

    /// The stage after this one, if any.
    pub fn next(self) -> Option<Stage> {
        self.neighbours().1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Visibility {
    Listed,
    InviteOnly,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listed => "listed",
            Self::InviteOnly => "invite_only",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "listed" => Some(Self::Listed),
            "invite_only" => Some(Self::InviteOnly),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum MembershipStatus {
    Active,
    Paused,
    Left,
}

impl MembershipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Left => "left",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Paused => "Away for a while",
            Self::Left => "Left",
        }
    }

    pub const ALL: [MembershipStatus; 3] = [Self::Active, Self::Paused, Self::Left];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Where a request to join stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum JoinRequestStatus {
    Pending,
    Approved,
    Declined,
    Withdrawn,
}

impl JoinRequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
        }
    }
}

/// Where an invitation link stands, as its organisers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Revoked,
    UsedUp,
    Expired,
}

impl InvitationState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Revoked => "Revoked",
            Self::UsedUp => "Used up",
            Self::Expired => "Expired",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }
}

/// A CAN as pages use it: states as enums, the zone parsed once as it is loaded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Can {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub place: String,
    pub purpose: String,
    pub rationale: String,
    pub rules: String,
    #[sqlx(try_from = "crate::db::ZoneName")]
    pub time_zone: Tz,
    pub visibility: Visibility,
    pub stage: Stage,
    pub created_at: DateTime<Utc>,
}

/// The columns a [`Can`] is read from, for queries that join more.
pub const CAN_COLUMNS: &str = "c.id, c.slug, c.name, c.place, c.purpose, c.rationale, c.rules, \
     c.time_zone, c.visibility, c.stage, c.created_at";

impl Can {
    pub fn is_listed(&self) -> bool {
        self.visibility == Visibility::Listed
    }

    /// The way from visioning to sustaining, marked with where the group is.
    pub fn stage_path(&self) -> Vec<StageMark> {
        let current = Stage::ALL
            .iter()
            .position(|s| *s == self.stage)
            .unwrap_or(0);
        Stage::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| StageMark {
                stage: *s,
                current: i == current,
                done: i < current,
            })
            .collect()
    }
}

/// One stage on the way, as the stage track shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageMark {
    pub stage: Stage,
    /// The group is in this stage now.
    pub current: bool,
    /// The group has gone through it.
    pub done: bool,
}

/// The caller's own membership in a CAN.
#[derive(Debug, Clone)]
pub struct Membership {
    pub member_id: Uuid,
    pub status: MembershipStatus,
    pub roles: Vec<Role>,
    /// The day they said they would be back, while they are away (in the CAN's zone).
    pub away_until: Option<NaiveDate>,
}

impl Membership {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_active(&self) -> bool {
        self.status == MembershipStatus::Active
    }

    pub fn is_organiser(&self) -> bool {
        self.is_active() && self.has(Role::Organiser)
    }
}

//! Visioning's states: a consent answer, how a round ended, where a goal stands.

/// A member's answer in a consent round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Answer {
    Endorse,
    StandAside,
    Object,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Endorse, Answer::StandAside, Answer::Object];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Endorse => "endorse",
            Self::StandAside => "stand_aside",
            Self::Object => "object",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Endorse => "Endorse",
            Self::StandAside => "Stand aside",
            Self::Object => "Object",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Self::Endorse => "I support this vision.",
            Self::StandAside => "I have concerns but will not block it.",
            Self::Object => "This would harm the group; it should not be adopted as it is.",
        }
    }

    /// What the answer means, for a `subject` ("vision", "proposal").
    pub fn explain_for(self, subject: &str) -> String {
        match self {
            Self::Endorse => format!("I support this {subject}."),
            other => other.explain().to_string(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn is_objection(self) -> bool {
        self == Self::Object
    }
}

/// How a consent round ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum RoundOutcome {
    Adopted,
    /// An objection stood when the round closed.
    Blocked,
    /// Too few members answered.
    NoQuorum,
    /// A proposal's author (or a facilitator) withdrew it before a decision.
    Withdrawn,
}

impl RoundOutcome {
    pub fn is_adopted(self) -> bool {
        self == Self::Adopted
    }

    /// What the round decided, in words.
    pub fn words(self) -> &'static str {
        match self {
            Self::Adopted => "adopted: the vision is the group's now",
            Self::Blocked => "not adopted: an objection stood when the round closed",
            Self::NoQuorum => "not adopted: too few members answered (no quorum)",
            Self::Withdrawn => "withdrawn before a decision",
        }
    }
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum GoalStatus {
    Active,
    Achieved,
    SetAside,
}

impl GoalStatus {
    pub const ALL: [GoalStatus; 3] = [
        GoalStatus::Active,
        GoalStatus::Achieved,
        GoalStatus::SetAside,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Achieved => "achieved",
            Self::SetAside => "set_aside",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Achieved => "Achieved",
            Self::SetAside => "Set aside",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

impl GoalStatus {
    pub fn is_active(self) -> bool {
        self == Self::Active
    }
}

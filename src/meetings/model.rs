//! The states of meetings and of what hangs off them, as the database stores them (text columns
//! with CHECK constraints) and as pages name them.

/// Where a meeting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Cancelled,
    Held,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Cancelled => "cancelled",
            Self::Held => "held",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Scheduled => "Scheduled",
            Self::Cancelled => "Cancelled",
            Self::Held => "Held",
        }
    }

    pub fn is_scheduled(self) -> bool {
        self == Self::Scheduled
    }

    pub fn is_cancelled(self) -> bool {
        self == Self::Cancelled
    }

    pub fn is_held(self) -> bool {
        self == Self::Held
    }
}

/// A member's answer to "are you coming?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Rsvp {
    Yes,
    Maybe,
    No,
}

impl Rsvp {
    /// In the order the page offers them.
    pub const ALL: [Rsvp; 3] = [Rsvp::Yes, Rsvp::Maybe, Rsvp::No];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::Maybe => "maybe",
            Self::No => "no",
        }
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::Maybe => "Maybe",
            Self::No => "No",
        }
    }

    /// Beside a name on the attendance list.
    pub fn said(self) -> &'static str {
        match self {
            Self::Yes => "said yes",
            Self::Maybe => "said maybe",
            Self::No => "said no",
        }
    }

    /// The message after answering.
    pub fn thanks(self) -> &'static str {
        match self {
            Self::Yes => "See you there.",
            Self::No => "Thanks for letting the group know.",
            Self::Maybe => "Noted as maybe.",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// An agenda item: still to discuss, discussed, or let go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AgendaStatus {
    Open,
    Done,
    Dropped,
}

impl AgendaStatus {
    pub const ALL: [AgendaStatus; 3] = [
        AgendaStatus::Open,
        AgendaStatus::Done,
        AgendaStatus::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }

    pub fn is_dropped(self) -> bool {
        self == Self::Dropped
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// An action item: to do, or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
}

impl ActionStatus {
    pub fn is_open(self) -> bool {
        self == Self::Open
    }

    pub fn is_done(self) -> bool {
        self == Self::Done
    }
}

/// A member's answer to one slot of a time poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum PollAnswer {
    Yes,
    IfNeedBe,
    No,
}

impl PollAnswer {
    /// In the order the page offers them.
    pub const ALL: [PollAnswer; 3] = [PollAnswer::Yes, PollAnswer::IfNeedBe, PollAnswer::No];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::IfNeedBe => "if_need_be",
            Self::No => "no",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::IfNeedBe => "If need be",
            Self::No => "No",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_back_what_they_write() {
        for r in Rsvp::ALL {
            assert_eq!(Rsvp::parse(r.as_str()), Some(r));
        }
        for a in PollAnswer::ALL {
            assert_eq!(PollAnswer::parse(a.as_str()), Some(a));
        }
        for s in AgendaStatus::ALL {
            assert_eq!(AgendaStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(Rsvp::parse("perhaps"), None);
    }
}

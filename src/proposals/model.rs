//! A proposal's states.

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Its consent round takes answers (or is due to be closed by the clock).
    Open,
    /// No objection stood and the quorum was met: it is a decision of the CAN.
    Adopted,
    /// An objection stood when the round closed, or too few answered.
    NotAdopted,
    /// Its author or a facilitator withdrew it.
    Withdrawn,
}

impl ProposalStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Adopted => "Adopted",
            Self::NotAdopted => "Not adopted",
            Self::Withdrawn => "Withdrawn",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }

    pub fn is_adopted(self) -> bool {
        self == Self::Adopted
    }

    pub fn is_withdrawn(self) -> bool {
        self == Self::Withdrawn
    }
}

/// What a proposal's round decided, in words for its page and mails.
pub fn outcome_words(outcome: crate::visioning::model::RoundOutcome) -> &'static str {
    use crate::visioning::model::RoundOutcome;
    match outcome {
        RoundOutcome::Adopted => "adopted: it is a decision of the CAN",
        RoundOutcome::Blocked => "not adopted: an objection stood when it closed",
        RoundOutcome::NoQuorum => "not adopted: too few members answered (no quorum)",
        RoundOutcome::Withdrawn => "withdrawn before a decision",
    }
}

//! The states of responsibilities and of holding one, as types. Each is stored as a TEXT column
//! with a CHECK constraint; these enums decode straight from rows and bind straight into queries.

use std::fmt;

/// Where a responsibility stands. Open and active follow whether anyone carries it; done and
/// dropped are set by people and stay until someone reopens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ResponsibilityStatus {
    Open,
    Active,
    Done,
    Dropped,
}

impl ResponsibilityStatus {
    pub const ALL: [Self; 4] = [Self::Open, Self::Active, Self::Done, Self::Dropped];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Active => "active",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Still to be carried: open or active (not done, not dropped).
    pub fn is_current(self) -> bool {
        matches!(self, Self::Open | Self::Active)
    }

    /// The board's heading for responsibilities in this state.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Open => "Open: nobody carries it yet",
            Self::Active => "Active",
            Self::Done => "Done",
            Self::Dropped => "Dropped",
        }
    }

    /// The status changes offered from this one: close a current one, reopen a closed one.
    pub fn changes(self) -> &'static [Self] {
        if self.is_current() {
            &[Self::Done, Self::Dropped]
        } else {
            &[Self::Open]
        }
    }

    /// How a change to this status is offered in the progress form.
    pub fn change_label(self) -> &'static str {
        match self {
            Self::Open | Self::Active => "Reopen",
            Self::Done => "Done",
            Self::Dropped => "Dropped",
        }
    }
}

/// Pages show the stored word ("status: open", "marked done").
impl fmt::Display for ResponsibilityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ongoing role (with a rhythm and a term) or a one-off task (with a due date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum ResponsibilityKind {
    Ongoing,
    Task,
}

impl ResponsibilityKind {
    pub const ALL: [Self; 2] = [Self::Ongoing, Self::Task];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ongoing => "ongoing",
            Self::Task => "task",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// As the detail page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ongoing => "Ongoing role",
            Self::Task => "One-off task",
        }
    }

    /// As the board's cards name it.
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Ongoing => "Ongoing role",
            Self::Task => "Task",
        }
    }

    /// As the form offers it.
    pub fn choice_label(self) -> &'static str {
        match self {
            Self::Ongoing => "An ongoing role",
            Self::Task => "A one-off task",
        }
    }

    /// The id of its radio button (the first is the field's own id, for the error summary).
    pub fn input_id(self) -> &'static str {
        match self {
            Self::Ongoing => "kind",
            Self::Task => "kind-task",
        }
    }
}

/// How someone holds a responsibility: carrying it, or backing up whoever does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum HoldingKind {
    Carrier,
    Backup,
}

impl HoldingKind {
    pub const ALL: [Self; 2] = [Self::Carrier, Self::Backup];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Carrier => "carrier",
            Self::Backup => "backup",
        }
    }

    /// A form's choice: "backup" is a backup, anything else carries it.
    pub fn chosen(raw: &str) -> Self {
        if raw == Self::Backup.as_str() {
            Self::Backup
        } else {
            Self::Carrier
        }
    }

    pub fn is_carrier(self) -> bool {
        self == Self::Carrier
    }
}

/// Pages and mails name it by the stored word ("the carrier", "as backup").
impl fmt::Display for HoldingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a holding ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum HoldingEnd {
    Declined,
    HandedOff,
    SteppedDown,
    Finished,
    /// The member left the CAN (written by the membership code).
    Left,
}

impl HoldingEnd {
    /// As the history table says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Declined => "declined",
            Self::HandedOff => "handed it on",
            Self::SteppedDown => "stepped down",
            Self::Finished => "finished",
            Self::Left => "left the CAN",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_round_trip() {
        for s in ResponsibilityStatus::ALL {
            assert_eq!(ResponsibilityStatus::parse(s.as_str()), Some(s));
        }
        for k in ResponsibilityKind::ALL {
            assert_eq!(ResponsibilityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ResponsibilityStatus::parse("unchanged"), None);
        assert_eq!(HoldingKind::chosen("backup"), HoldingKind::Backup);
        assert_eq!(HoldingKind::chosen("anything"), HoldingKind::Carrier);
    }

    #[test]
    fn closed_ones_offer_reopening_and_current_ones_closing() {
        assert_eq!(
            ResponsibilityStatus::Active.changes(),
            &[ResponsibilityStatus::Done, ResponsibilityStatus::Dropped]
        );
        assert_eq!(
            ResponsibilityStatus::Dropped.changes(),
            &[ResponsibilityStatus::Open]
        );
    }
}

/// What an offer asks: to carry or back up a responsibility (a coordinator's ask), to take it
/// over from its carrier (a hand-off), or to take the notes at a meeting (an invitation from the
/// pathways view; the only kind that names a meeting instead of a responsibility).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum OfferKind {
    Carrier,
    Backup,
    Handoff,
    NoteTaker,
}

impl OfferKind {
    /// The holding a coordinator's ask becomes once accepted.
    pub fn of(kind: HoldingKind) -> Self {
        match kind {
            HoldingKind::Carrier => Self::Carrier,
            HoldingKind::Backup => Self::Backup,
        }
    }

    /// How the person asked would hold the responsibility (`None`: a note-taker ask names a
    /// meeting, which nobody holds).
    pub fn holding(self) -> Option<HoldingKind> {
        match self {
            Self::Backup => Some(HoldingKind::Backup),
            Self::Carrier | Self::Handoff => Some(HoldingKind::Carrier),
            Self::NoteTaker => None,
        }
    }

    /// Whether it names a meeting (else a responsibility).
    pub fn names_meeting(self) -> bool {
        self == Self::NoteTaker
    }

    /// What is asked, after "to": "carry", "back up", "take over", "take notes at".
    pub fn verb(self) -> &'static str {
        match self {
            Self::Carrier => "carry",
            Self::Backup => "back up",
            Self::Handoff => "take over",
            Self::NoteTaker => "take notes at",
        }
    }
}

/// Where an offer stands: open until the person asked answers, the asker withdraws it, or it
/// expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum OfferStatus {
    Open,
    Accepted,
    Declined,
    Withdrawn,
    Expired,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
        }
    }

    /// Why an offer in this state can no longer be answered or withdrawn.
    pub fn settled(self) -> &'static str {
        match self {
            Self::Open => "This ask is still open.",
            Self::Accepted => "This ask has already been accepted: nothing changed.",
            Self::Declined => "This ask has already been declined: nothing changed.",
            Self::Withdrawn => "This ask was withdrawn: nothing changed.",
            Self::Expired => "This ask has expired: nothing changed.",
        }
    }
}

impl fmt::Display for OfferStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

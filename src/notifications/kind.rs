//! What a notification is about, and how each kind reaches people unless they choose otherwise.

use std::fmt;

/// The events that concern someone. Stored as text (`notifications.kind`, with a CHECK listing
/// the same words); a new kind needs a migration that widens that check (and the test below
/// pointed at it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Kind {
    /// Someone asked to join a CAN you organise.
    JoinRequested,
    /// Your request to join was approved or declined.
    JoinAnswered,
    /// You are asked to carry or back up a responsibility, or offered a hand-off.
    OfferMade,
    /// Someone accepted or declined what you asked of them.
    OfferAnswered,
    /// What you asked of someone expired unanswered.
    OfferExpired,
    /// What you were asked was taken back (withdrawn, or the responsibility closed).
    OfferWithdrawn,
    /// A poll for a meeting time opened.
    PollOpened,
    /// A poll closed (and its meeting was scheduled).
    PollClosed,
    /// A meeting you are part of moved.
    MeetingMoved,
    /// A meeting you are part of was cancelled.
    MeetingCancelled,
    /// A meeting series changed its rhythm.
    SeriesChanged,
    /// A consent round opened.
    RoundOpened,
    /// A consent round you have not answered closes soon.
    RoundClosing,
    /// A consent round closed with its outcome.
    RoundClosed,
    /// A proposal you answered was amended: your answer was to an earlier text; answer again.
    ProposalAmended,
    /// You were given a role (facilitator, coordinator, organiser).
    RoleGranted,
    /// Your role's term is ending, was kept or ended.
    RoleTerm,
    /// A member reached out to you.
    ReachOut,
    /// A member of your CAN asks the group for a hand (organisers only, when private).
    SupportAsked,
    /// Someone offers to help with what you asked for.
    SupportOffered,
    /// A request you offered to help with is met or withdrawn.
    SupportClosed,
    /// A welcome companion was chosen: you welcome a newcomer, or someone will welcome you.
    CompanionChosen,
    /// A member left a CAN you organise or coordinate (with their reason, for organisers, and
    /// what they carried, now unowned).
    MemberLeft,
    /// The day you said you would be back came: your membership is active again.
    AwayEnded,
    /// Someone replied in a discussion you are part of (on what you wrote, or where you spoke).
    CommentReply,
    /// Someone mentioned you by name in a comment.
    Mentioned,
    /// An organiser hid your comment for breaking the rules for participation (with why).
    CommentHidden,
}

/// How a notification reaches someone by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Delivery {
    /// A mail at once (within the hourly limit; beyond it, folded into one "meanwhile" mail).
    Now,
    /// Listed in the weekly digest.
    Digest,
    /// Only in the inbox.
    Off,
}

impl Delivery {
    pub const ALL: [Self; 3] = [Self::Now, Self::Digest, Self::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Now => "now",
            Self::Digest => "digest",
            Self::Off => "off",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw)
    }

    /// As the settings page offers it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Now => "Mail at once",
            Self::Digest => "In the weekly digest",
            Self::Off => "Not by mail",
        }
    }
}

impl Kind {
    pub const ALL: [Self; 27] = [
        Self::JoinRequested,
        Self::JoinAnswered,
        Self::OfferMade,
        Self::OfferAnswered,
        Self::OfferExpired,
        Self::OfferWithdrawn,
        Self::PollOpened,
        Self::PollClosed,
        Self::MeetingMoved,
        Self::MeetingCancelled,
        Self::SeriesChanged,
        Self::RoundOpened,
        Self::RoundClosing,
        Self::RoundClosed,
        Self::ProposalAmended,
        Self::RoleGranted,
        Self::RoleTerm,
        Self::ReachOut,
        Self::SupportAsked,
        Self::SupportOffered,
        Self::SupportClosed,
        Self::CompanionChosen,
        Self::MemberLeft,
        Self::AwayEnded,
        Self::CommentReply,
        Self::Mentioned,
        Self::CommentHidden,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::JoinRequested => "join_requested",
            Self::JoinAnswered => "join_answered",
            Self::OfferMade => "offer_made",
            Self::OfferAnswered => "offer_answered",
            Self::OfferExpired => "offer_expired",
            Self::OfferWithdrawn => "offer_withdrawn",
            Self::PollOpened => "poll_opened",
            Self::PollClosed => "poll_closed",
            Self::MeetingMoved => "meeting_moved",
            Self::MeetingCancelled => "meeting_cancelled",
            Self::SeriesChanged => "series_changed",
            Self::RoundOpened => "round_opened",
            Self::RoundClosing => "round_closing",
            Self::RoundClosed => "round_closed",
            Self::ProposalAmended => "proposal_amended",
            Self::RoleGranted => "role_granted",
            Self::RoleTerm => "role_term",
            Self::ReachOut => "reach_out",
            Self::SupportAsked => "support_asked",
            Self::SupportOffered => "support_offered",
            Self::SupportClosed => "support_closed",
            Self::CompanionChosen => "companion_chosen",
            Self::MemberLeft => "member_left",
            Self::AwayEnded => "away_ended",
            Self::CommentReply => "comment_reply",
            Self::Mentioned => "mentioned",
            Self::CommentHidden => "comment_hidden",
        }
    }

    /// The stored word back (an unsubscribe link's kind, a settings form's field).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Asks (something you are asked to answer) and changes to your meetings come at once; the
    /// rest waits for the weekly digest.
    pub fn default_delivery(self) -> Delivery {
        match self {
            Self::RoundClosed
            | Self::RoleGranted
            | Self::PollClosed
            | Self::SupportClosed
            | Self::AwayEnded
            | Self::CommentReply => Delivery::Digest,
            _ => Delivery::Now,
        }
    }

    /// How the settings page and the mail footer name the kind.
    pub fn label(self) -> &'static str {
        match self {
            Self::JoinRequested => "Someone asks to join a CAN you organise",
            Self::JoinAnswered => "Your request to join is answered",
            Self::OfferMade => "You are asked to carry something, or offered a hand-off",
            Self::OfferAnswered => "Someone accepts or declines what you asked",
            Self::OfferExpired => "What you asked expires unanswered",
            Self::OfferWithdrawn => "What you were asked is taken back",
            Self::PollOpened => "A poll for a meeting time opens",
            Self::PollClosed => "A poll for a meeting time closes",
            Self::MeetingMoved => "A meeting of yours moves",
            Self::MeetingCancelled => "A meeting of yours is cancelled",
            Self::SeriesChanged => "A meeting series changes its rhythm",
            Self::RoundOpened => "A consent round opens",
            Self::RoundClosing => "A consent round you have not answered closes soon",
            Self::RoundClosed => "A consent round closes",
            Self::ProposalAmended => "A proposal you answered is amended (answer again)",
            Self::RoleGranted => "You are given a role",
            Self::RoleTerm => "Your role's term ends or is kept",
            Self::ReachOut => "A member reaches out to you",
            Self::SupportAsked => "A member asks the group for a hand",
            Self::SupportOffered => "Someone offers to help with what you asked for",
            Self::SupportClosed => "A request you offered to help with is met or withdrawn",
            Self::CompanionChosen => "A welcome companion is chosen for you or a newcomer",
            Self::MemberLeft => "A member leaves a CAN you organise or coordinate",
            Self::AwayEnded => "Your time away ends and you are back",
            Self::CommentReply => "Someone replies in a discussion you are part of",
            Self::Mentioned => "Someone mentions you in a comment",
            Self::CommentHidden => "An organiser hides a comment of yours",
        }
    }

    /// Settings are shown in these groups, in this order.
    pub fn group(self) -> &'static str {
        match self {
            Self::OfferMade | Self::OfferAnswered | Self::OfferExpired | Self::OfferWithdrawn => {
                "Asks and answers"
            }
            Self::PollOpened
            | Self::PollClosed
            | Self::MeetingMoved
            | Self::MeetingCancelled
            | Self::SeriesChanged => "Meetings",
            Self::RoundOpened | Self::RoundClosing | Self::RoundClosed | Self::ProposalAmended => {
                "Consent rounds"
            }
            Self::CommentReply | Self::Mentioned | Self::CommentHidden => "Discussion",
            Self::JoinRequested
            | Self::JoinAnswered
            | Self::RoleGranted
            | Self::RoleTerm
            | Self::ReachOut
            | Self::CompanionChosen
            | Self::MemberLeft
            | Self::AwayEnded => "Membership and roles",
            Self::SupportAsked | Self::SupportOffered | Self::SupportClosed => "Asking for a hand",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("nonsense"), None);
    }

    #[test]
    fn the_migration_allows_every_kind() {
        // The latest migration that redefines the check.
        let sql = include_str!("../../migrations/20261201000400_proposals_and_discussion.sql");
        for kind in Kind::ALL {
            assert!(
                sql.contains(&format!("'{}'", kind.as_str())),
                "{kind} missing from the notifications_kind check"
            );
        }
    }
}

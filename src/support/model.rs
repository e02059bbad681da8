//! What a request for a hand is: the kind of help asked for, and where it stands.

/// The kind of help asked for. Stored as text (`support_requests.kind`, CHECK
/// `support_requests_kind` lists the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum HelpKind {
    Meal,
    Ride,
    Childcare,
    Visit,
    Talk,
    Other,
}

impl HelpKind {
    pub const ALL: [Self; 6] = [
        Self::Meal,
        Self::Ride,
        Self::Childcare,
        Self::Visit,
        Self::Talk,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Meal => "meal",
            Self::Ride => "ride",
            Self::Childcare => "childcare",
            Self::Visit => "visit",
            Self::Talk => "talk",
            Self::Other => "other",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }

    /// As the form offers it and lists show it: "A meal", "Someone to talk to".
    pub fn label(self) -> &'static str {
        match self {
            Self::Meal => "A meal",
            Self::Ride => "A ride",
            Self::Childcare => "Childcare",
            Self::Visit => "A visit",
            Self::Talk => "Someone to talk to",
            Self::Other => "Something else",
        }
    }

    /// Inside a sentence: "Mia asks the group for a meal".
    pub fn phrase(self) -> &'static str {
        match self {
            Self::Meal => "a meal",
            Self::Ride => "a ride",
            Self::Childcare => "help with childcare",
            Self::Visit => "a visit",
            Self::Talk => "someone to talk to",
            Self::Other => "a hand",
        }
    }

    /// The id of its radio button (the first is the field's own id, for the error summary).
    pub fn input_id(self) -> &'static str {
        match self {
            Self::Meal => "kind",
            Self::Ride => "kind-ride",
            Self::Childcare => "kind-childcare",
            Self::Visit => "kind-visit",
            Self::Talk => "kind-talk",
            Self::Other => "kind-other",
        }
    }
}

/// Where a request stands (`support_requests_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    Met,
    Withdrawn,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Met => "met",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// As the request's page says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Met => "Met",
            Self::Withdrawn => "Withdrawn",
        }
    }

    pub fn is_open(self) -> bool {
        self == Self::Open
    }
}

/// How a request is closed: met (the help came) or withdrawn (no longer needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Met,
    Withdrawn,
}

impl Closing {
    pub fn status(self) -> RequestStatus {
        match self {
            Self::Met => RequestStatus::Met,
            Self::Withdrawn => RequestStatus::Withdrawn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_the_migration_allows_it() {
        let sql = include_str!("../../migrations/20261201000300_pathways_and_care.sql");
        for kind in HelpKind::ALL {
            assert_eq!(HelpKind::parse(kind.as_str()), Some(kind));
            assert!(sql.contains(&format!("'{}'", kind.as_str())), "{kind:?}");
        }
        assert_eq!(HelpKind::parse("money"), None);
    }
}

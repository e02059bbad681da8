//! The organisers' choice of a newcomer's companion: a member's id, or `rotate`.

use serde::Deserialize;
use uuid::Uuid;

use crate::web::forms::FieldErrors;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CompanionForm {
    pub companion: String,
}

/// Who should welcome the newcomer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// This member (checked by the service to be an active member who offers to welcome).
    Member(Uuid),
    /// The next in rotation.
    Rotate,
}

pub const ROTATE: &str = "rotate";

impl TryFrom<&CompanionForm> for Choice {
    type Error = FieldErrors;

    fn try_from(f: &CompanionForm) -> Result<Self, FieldErrors> {
        let raw = f.companion.trim();
        if raw == ROTATE {
            return Ok(Self::Rotate);
        }
        raw.parse().map(Self::Member).map_err(|_| {
            let mut errors = FieldErrors::new();
            errors.add(
                "companion",
                "Choose a member who offers to welcome newcomers, or the next in rotation.",
            );
            errors
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Choice, FieldErrors> {
        Choice::try_from(&CompanionForm {
            companion: raw.into(),
        })
    }

    #[test]
    fn a_member_id_or_rotate_and_nothing_else() {
        let id = Uuid::now_v7();
        assert_eq!(parse(&id.to_string()), Ok(Choice::Member(id)));
        assert_eq!(parse(" rotate "), Ok(Choice::Rotate));
        assert!(parse("").unwrap_err().has("companion"));
        assert!(parse("someone").unwrap_err().has("companion"));
    }
}

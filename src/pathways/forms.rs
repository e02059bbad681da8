//! The invitation form: who, to which opening, and an optional word from the person inviting.

use serde::Deserialize;
use uuid::Uuid;

use super::suggest::OpeningId;
use crate::web::forms::{self, FieldErrors};

/// How long the note to the person invited may be (as an offer's note).
pub const NOTE_MAX: usize = 1000;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub member_id: String,
    /// `carrier:<uuid>`, `backup:<uuid>` or `note_taker:<uuid>`.
    pub opening: String,
    pub note: String,
}

/// A checked invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub member: Uuid,
    pub opening: OpeningId,
    pub note: String,
}

/// Why a form is not an invitation.
#[derive(Debug)]
pub enum Refused {
    /// The member or the opening names nothing (a made-up or mangled value): 404.
    NoSuchThing,
    /// The note is too long: the page again, with the message beside it.
    Fields { member: Uuid, errors: FieldErrors },
}

impl InviteForm {
    pub fn parse(&self) -> Result<Invitation, Refused> {
        let member = Uuid::parse_str(self.member_id.trim()).map_err(|_| Refused::NoSuchThing)?;
        let opening = OpeningId::parse(&self.opening).ok_or(Refused::NoSuchThing)?;
        let mut errors = FieldErrors::new();
        let note = errors.check("note", forms::text(&self.note, "the note", 0, NOTE_MAX));
        match note {
            Some(note) => Ok(Invitation {
                member,
                opening,
                note,
            }),
            None => Err(Refused::Fields { member, errors }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(member: &str, opening: &str, note: &str) -> InviteForm {
        InviteForm {
            member_id: member.into(),
            opening: opening.into(),
            note: note.into(),
        }
    }

    #[test]
    fn a_made_up_member_or_opening_names_nothing() {
        let id = Uuid::now_v7().to_string();
        assert!(matches!(
            form("nope", &format!("carrier:{id}"), "").parse(),
            Err(Refused::NoSuchThing)
        ));
        assert!(matches!(
            form(&id, &format!("boss:{id}"), "").parse(),
            Err(Refused::NoSuchThing)
        ));
    }

    #[test]
    fn the_note_is_optional_and_at_most_a_thousand_characters() {
        let id = Uuid::now_v7().to_string();
        let ok = form(&id, &format!("note_taker:{id}"), "  Would you?  ").parse();
        assert_eq!(ok.map(|i| i.note).ok().as_deref(), Some("Would you?"));
        let long = "a".repeat(NOTE_MAX + 1);
        match form(&id, &format!("backup:{id}"), &long).parse() {
            Err(Refused::Fields { errors, .. }) => assert!(errors.has("note")),
            other => panic!("expected a message beside the note, got {other:?}"),
        }
    }
}

//! CAN forms as they arrive and the checked values they become.

use chrono::NaiveDate;
use serde::Deserialize;

use super::model::{Role, Visibility};
use crate::accounts::forms::Email;
use crate::web::forms::{self, FieldErrors};

/// A CAN's address: lowercase letters, digits and single hyphens, 3 to 60 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        let shape_ok = s.len() >= 3
            && s.len() <= 60
            && s.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if shape_ok && !RESERVED.contains(&s) {
            Ok(Self(s.to_string()))
        } else if RESERVED.contains(&s) {
            Err(format!("“{s}” is reserved; choose another address."))
        } else {
            Err("Use 3 to 60 lowercase letters, digits and single hyphens, like riverside-neighbours.".into())
        }
    }

    /// An address made from a name: "Riverside Neighbours!" → "riverside-neighbours".
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars().flat_map(fold_accent) {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out: String = out.trim_end_matches('-').chars().take(50).collect();
        out = out.trim_end_matches('-').to_string();
        while out.len() < 3 {
            out.push_str(if out.is_empty() { "can" } else { "-can" });
        }
        out
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Paths under /c/ that are pages of their own, not CANs.
const RESERVED: &[&str] = &["new", "search", "admin", "api", "static"];

/// Enough transliteration for common Latin letters to keep slugs readable.
fn fold_accent(c: char) -> Vec<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        '&' => "and",
        _ => return vec![c],
    };
    folded.chars().collect()
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CanForm {
    pub name: String,
    pub slug: String,
    pub place: String,
    pub purpose: String,
    pub rationale: String,
    pub rules: String,
    pub time_zone: String,
    pub visibility: String,
}

impl CanForm {
    /// The visibility chosen so far, if any (the form's radio buttons show it).
    pub fn chosen_visibility(&self) -> Option<Visibility> {
        Visibility::parse(&self.visibility)
    }
}

#[derive(Debug)]
pub struct NewCan {
    pub name: String,
    pub slug: Slug,
    pub place: String,
    pub purpose: String,
    pub rationale: String,
    pub rules: String,
    pub time_zone: chrono_tz::Tz,
    pub visibility: Visibility,
}

impl TryFrom<&CanForm> for NewCan {
    type Error = FieldErrors;

    fn try_from(f: &CanForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", forms::line(&f.name, "the CAN's name", 3, 80));
        // A blank address is made from the name.
        let slug_text = if f.slug.trim().is_empty() {
            Slug::suggest(&f.name)
        } else {
            f.slug.trim().to_string()
        };
        let slug = errors.check("slug", Slug::parse(&slug_text));
        let place = errors.check("place", forms::line(&f.place, "the place", 0, 120));
        let purpose = errors.check("purpose", forms::text(&f.purpose, "the purpose", 10, 2000));
        let rationale = errors.check(
            "rationale",
            forms::text(&f.rationale, "the rationale for membership", 0, 2000),
        );
        let rules = errors.check(
            "rules",
            forms::text(&f.rules, "the rules for participation", 10, 4000),
        );
        let time_zone = errors.check("time_zone", forms::time_zone(&f.time_zone));
        let visibility = errors.check(
            "visibility",
            Visibility::parse(&f.visibility)
                .ok_or_else(|| "Choose whether the CAN is listed publicly or invite-only.".into()),
        );
        match (
            name, slug, place, purpose, rationale, rules, time_zone, visibility,
        ) {
            (
                Some(name),
                Some(slug),
                Some(place),
                Some(purpose),
                Some(rationale),
                Some(rules),
                Some(time_zone),
                Some(visibility),
            ) => Ok(Self {
                name,
                slug,
                place,
                purpose,
                rationale,
                rules,
                time_zone,
                visibility,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct InvitationForm {
    pub email: String,
    pub max_uses: String,
    pub expires_in_days: String,
    pub note: String,
}

impl InvitationForm {
    pub fn blank() -> Self {
        Self {
            max_uses: "1".into(),
            expires_in_days: "14".into(),
            ..Default::default()
        }
    }
}

#[derive(Debug)]
pub struct NewInvitation {
    pub email: Option<Email>,
    pub max_uses: i32,
    pub expires_in_days: i32,
    pub note: String,
}

pub const MAX_INVITE_USES: i32 = 500;
pub const MAX_INVITE_DAYS: i32 = 90;

fn number_in(raw: &str, min: i32, max: i32, what: &str) -> Result<i32, String> {
    match raw.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("Enter {what} from {min} to {max}.")),
    }
}

impl TryFrom<&InvitationForm> for NewInvitation {
    type Error = FieldErrors;

    fn try_from(f: &InvitationForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = if f.email.trim().is_empty() {
            Some(None)
        } else {
            errors.check("email", Email::parse(&f.email).map(Some))
        };
        let max_uses = errors.check(
            "max_uses",
            number_in(
                &f.max_uses,
                1,
                MAX_INVITE_USES,
                "how many people may use it",
            ),
        );
        let expires_in_days = errors.check(
            "expires_in_days",
            number_in(&f.expires_in_days, 1, MAX_INVITE_DAYS, "a number of days"),
        );
        let note = errors.check("note", forms::line(&f.note, "the note", 0, 200));
        match (email, max_uses, expires_in_days, note) {
            (Some(email), Some(max_uses), Some(expires_in_days), Some(note)) => Ok(Self {
                email,
                max_uses,
                expires_in_days,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// Joining (by invitation or request) needs the rules acknowledged: an unchecked box sends nothing.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub acknowledge_rules: String,
    pub message: String,
}

pub struct Join {
    pub message: String,
}

impl TryFrom<&JoinForm> for Join {
    type Error = FieldErrors;

    fn try_from(f: &JoinForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if f.acknowledge_rules != "yes" {
            errors.add(
                "acknowledge_rules",
                "To join, confirm that you have read the rules for participation and will keep them.",
            );
        }
        let message = errors.check("message", forms::text(&f.message, "your message", 0, 1000));
        match message {
            Some(message) if errors.is_empty() => Ok(Self { message }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    pub role: String,
    pub term_ends_on: String,
}

pub struct Grant {
    pub role: Role,
    pub term_ends_on: Option<NaiveDate>,
}

impl Grant {
    pub fn parse(f: &GrantForm, today: NaiveDate) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let role = errors.check(
            "role",
            Role::parse(&f.role).ok_or_else(|| "Choose a role.".to_string()),
        );
        let term = if f.term_ends_on.trim().is_empty() {
            Some(None)
        } else {
            errors.check("term_ends_on", term_end(&f.term_ends_on, today).map(Some))
        };
        match (role, term) {
            (Some(role), Some(term_ends_on)) => Ok(Self { role, term_ends_on }),
            _ => Err(errors),
        }
    }
}

/// A term's last day: a date after `today`.
fn term_end(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => Ok(d),
        Ok(_) => Err("A term must end after today.".to_string()),
        Err(_) => Err("Enter the date as year-month-day, like 2027-06-30.".to_string()),
    }
}

/// Renewing a role's term: the new term's last day.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RenewForm {
    pub term_ends_on: String,
}

pub struct Renewal {
    pub role: Role,
    pub term_ends_on: NaiveDate,
}

impl Renewal {
    /// Only a date after today; that it is after the current term's end is the service's rule
    /// (the current end is read under the CAN's lock).
    pub fn parse(f: &RenewForm, role: Role, today: NaiveDate) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        match errors.check(Self::field(role), term_end(&f.term_ends_on, today)) {
            Some(term_ends_on) => Ok(Self { role, term_ends_on }),
            None => Err(errors),
        }
    }

    /// The field of each role's renewal form on a member's page (several forms share the page,
    /// so each needs its own id for its message and label).
    pub fn field(role: Role) -> &'static str {
        match role {
            Role::Organiser => "renew_organiser",
            Role::Facilitator => "renew_facilitator",
            Role::Coordinator => "renew_coordinator",
        }
    }
}

/// Whether the member offers to facilitate, to take notes and to welcome newcomers: three
/// checkboxes (an unchecked box sends nothing).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct WillingForm {
    pub facilitate: String,
    pub take_notes: String,
    pub welcome: String,
}

/// What the member offers, for rotation to suggest them (at meetings, and as a newcomer's
/// welcome companion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Willing {
    pub facilitate: bool,
    pub take_notes: bool,
    pub welcome: bool,
}

impl TryFrom<&WillingForm> for Willing {
    type Error = FieldErrors;

    fn try_from(f: &WillingForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut ticked = |field: &'static str, raw: &str| match raw {
            "" => false,
            "yes" => true,
            _ => {
                errors.add(field, "Tick the box, or leave it empty.");
                false
            }
        };
        let willing = Self {
            facilitate: ticked("facilitate", &f.facilitate),
            take_notes: ticked("take_notes", &f.take_notes),
            welcome: ticked("welcome", &f.welcome),
        };
        if errors.is_empty() {
            Ok(willing)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_suggested_from_names() {
        assert_eq!(
            Slug::suggest("Riverside Neighbours!"),
            "riverside-neighbours"
        );
        assert_eq!(Slug::suggest("  Café  Élan & Co "), "cafe-elan-and-co");
        assert_eq!(Slug::suggest("東京"), "can");
        assert_eq!(Slug::suggest("A"), "a-can");
        assert!(Slug::parse(&Slug::suggest(&"word ".repeat(40))).is_ok());
    }

    #[test]
    fn slugs_must_be_lowercase_words_joined_by_single_hyphens() {
        assert!(Slug::parse("riverside-2").is_ok());
        for bad in [
            "ab",
            "Riverside",
            "river--side",
            "-river",
            "river-",
            "river side",
            "new",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_term_must_end_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(); // ok: test fixture
        let form = |d: &str| GrantForm {
            role: "facilitator".into(),
            term_ends_on: d.into(),
        };
        assert!(Grant::parse(&form("2026-11-21"), today).is_err());
        assert!(Grant::parse(&form("2026-11-22"), today).is_ok());
        assert!(Grant::parse(&form("next year"), today).is_err());
        assert!(Grant::parse(&form(""), today).is_ok());
    }

    #[test]
    fn a_renewal_needs_a_date_after_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(); // ok: test fixture
        let form = |d: &str| RenewForm {
            term_ends_on: d.into(),
        };
        let parse = |d: &str| Renewal::parse(&form(d), Role::Facilitator, today);
        let Err(errors) = parse("2026-11-21") else {
            panic!("today is not after today")
        };
        assert_eq!(
            errors.get("renew_facilitator"),
            Some("A term must end after today.")
        );
        assert!(parse("").is_err());
        assert!(parse("9999-99-99").is_err());
        let ok = parse(" 2027-11-21 ").unwrap(); // ok: test fixture
        assert_eq!(
            ok.term_ends_on,
            NaiveDate::from_ymd_opt(2027, 11, 21).unwrap() // ok: test fixture
        ); // ok: test fixture
    }
}

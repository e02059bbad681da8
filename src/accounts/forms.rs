//! Account forms as they arrive (all strings, every field optional so a missing one becomes a
//! message, not a rejection) and the checked values they become.

use serde::Deserialize;

use crate::web::forms::{self, FieldErrors};

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 200;

/// An email address as people type them: trimmed, one `@`, a dotted domain, no spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("Enter your email address.".into());
        }
        if value.chars().count() > 254 {
            return Err("An email address can be at most 254 characters.".into());
        }
        let valid = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if valid {
            Ok(Self(value.to_string()))
        } else {
            Err("Enter an email address like name@example.org.".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which failed sign-ins for this address are counted.
    pub fn throttle_key(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A new password: long enough to resist guessing, short enough to hash cheaply.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let len = raw.chars().count();
        if len == 0 {
            Err("Choose a password.".into())
        } else if len < PASSWORD_MIN {
            Err(format!(
                "Use at least {PASSWORD_MIN} characters; a few words make a strong one."
            ))
        } else if len > PASSWORD_MAX {
            Err(format!("Use at most {PASSWORD_MAX} characters."))
        } else if raw.trim().is_empty() {
            Err("A password cannot be only spaces.".into())
        } else {
            Ok(Self(raw.to_string()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

pub fn display_name(raw: &str) -> Result<String, String> {
    forms::line(raw, "your name", 1, 80)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub time_zone: String,
    /// Where to go once signed up (a local path; checked by `safe_next`).
    pub next: String,
}

#[derive(Debug)]
pub struct NewMember {
    pub email: Email,
    pub display_name: String,
    pub password: Password,
    pub time_zone: chrono_tz::Tz,
}

impl TryFrom<&SignUpForm> for NewMember {
    type Error = FieldErrors;

    fn try_from(form: &SignUpForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(&form.email));
        let display_name = errors.check("display_name", display_name(&form.display_name));
        let password = errors.check("password", Password::parse(&form.password));
        let time_zone = errors.check("time_zone", forms::time_zone(&form.time_zone));
        match (email, display_name, password, time_zone) {
            (Some(email), Some(display_name), Some(password), Some(time_zone)) => Ok(Self {
                email,
                display_name,
                password,
                time_zone,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Debug)]
pub struct Credentials {
    pub email: Email,
    /// Not checked for length: an old password may predate today's rules.
    pub password: String,
}

impl TryFrom<&SignInForm> for Credentials {
    type Error = FieldErrors;

    fn try_from(form: &SignInForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let email = errors.check("email", Email::parse(&form.email));
        if form.password.is_empty() {
            errors.add("password", "Enter your password.");
        } else if form.password.chars().count() > PASSWORD_MAX {
            errors.add(
                "password",
                format!("A password has at most {PASSWORD_MAX} characters."),
            );
        }
        match email {
            Some(email) if errors.is_empty() => Ok(Self {
                email,
                password: form.password.clone(),
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub skills: String,
    pub time_zone: String,
}

#[derive(Debug)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub skills: String,
    pub time_zone: chrono_tz::Tz,
}

impl TryFrom<&ProfileForm> for ProfileUpdate {
    type Error = FieldErrors;

    fn try_from(form: &ProfileForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let display_name = errors.check("display_name", display_name(&form.display_name));
        let pronouns = errors.check("pronouns", forms::line(&form.pronouns, "pronouns", 0, 40));
        let neighbourhood = errors.check(
            "neighbourhood",
            forms::line(&form.neighbourhood, "your neighbourhood", 0, 120),
        );
        let skills = errors.check(
            "skills",
            forms::text(&form.skills, "skills and interests", 0, 500),
        );
        let time_zone = errors.check("time_zone", forms::time_zone(&form.time_zone));
        match (display_name, pronouns, neighbourhood, skills, time_zone) {
            (
                Some(display_name),
                Some(pronouns),
                Some(neighbourhood),
                Some(skills),
                Some(time_zone),
            ) => Ok(Self {
                display_name,
                pronouns,
                neighbourhood,
                skills,
                time_zone,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

#[derive(Debug)]
pub struct PasswordChange {
    pub current: String,
    pub new: Password,
}

impl TryFrom<&PasswordForm> for PasswordChange {
    type Error = FieldErrors;

    fn try_from(form: &PasswordForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if form.current_password.is_empty() {
            errors.add("current_password", "Enter your current password.");
        }
        let new = errors.check("new_password", Password::parse(&form.new_password));
        if new.is_some() && form.confirm_password != form.new_password {
            errors.add(
                "confirm_password",
                "The two new passwords are not the same.",
            );
        }
        if new.is_some() && form.new_password == form.current_password {
            errors.add(
                "new_password",
                "Choose a password different from your current one.",
            );
        }
        match new {
            Some(new) if errors.is_empty() => Ok(Self {
                current: form.current_password.clone(),
                new,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse(" ada@example.org ").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "a@b@c.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_are_between_ten_and_two_hundred_characters() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("          ").is_err());
        assert!(Password::parse("correct horse").is_ok());
        assert!(Password::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn sign_up_reports_every_bad_field_at_once() {
        let form = SignUpForm {
            email: "nope".into(),
            display_name: "".into(),
            password: "short".into(),
            time_zone: "Mars/Olympus".into(),
            next: String::new(),
        };
        let errors = NewMember::try_from(&form).unwrap_err();
        for field in ["email", "display_name", "password", "time_zone"] {
            assert!(errors.has(field), "{field} should have an error");
        }
    }
}

//! The mail settings form: one radio group per kind (its field named by the kind's word) and one
//! for the weekly digest. A group the form does not send is left as it is, so a client that
//! changes one choice need not send the others; a value we do not offer is refused beside its
//! group.

use std::collections::BTreeMap;

use super::{Delivery, Kind};
use crate::web::forms::FieldErrors;

/// The weekly digest's field.
pub const DIGEST_FIELD: &str = "weekly_digest";

/// The form as sent: field name → value (the kinds' words are the field names).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct SettingsForm(pub BTreeMap<String, String>);

impl SettingsForm {
    /// What the form shows for `field`: as sent, or `current` when not sent.
    pub fn value_or<'a>(&'a self, field: &str, current: &'a str) -> &'a str {
        self.0.get(field).map(String::as_str).unwrap_or(current)
    }
}

/// The checked changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Only the kinds the form sent.
    pub choices: Vec<(Kind, Delivery)>,
    pub weekly_digest: Option<bool>,
}

impl TryFrom<&SettingsForm> for Settings {
    type Error = FieldErrors;

    fn try_from(form: &SettingsForm) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut choices = Vec::new();
        for kind in Kind::ALL {
            let Some(raw) = form.0.get(kind.as_str()) else {
                continue;
            };
            match Delivery::parse(raw.trim()) {
                Some(d) => choices.push((kind, d)),
                None => errors.add(
                    kind.as_str(),
                    "Choose one: a mail at once, the weekly digest, or not by mail.",
                ),
            }
        }
        let weekly_digest = match form.0.get(DIGEST_FIELD).map(|v| v.trim()) {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(_) => {
                errors.add(DIGEST_FIELD, "Choose whether you want the weekly digest.");
                None
            }
        };
        if errors.is_empty() {
            Ok(Self {
                choices,
                weekly_digest,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> SettingsForm {
        SettingsForm(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn sent_groups_are_read_and_missing_ones_left_alone() {
        let s = Settings::try_from(&form(&[
            ("offer_made", "off"),
            ("poll_opened", "digest"),
            ("weekly_digest", "no"),
            ("csrf_token", "x"),
        ]))
        .unwrap();
        assert_eq!(
            s.choices,
            vec![
                (Kind::OfferMade, Delivery::Off),
                (Kind::PollOpened, Delivery::Digest)
            ]
        );
        assert_eq!(s.weekly_digest, Some(false));
        assert_eq!(
            Settings::try_from(&form(&[])).unwrap(),
            Settings {
                choices: vec![],
                weekly_digest: None
            }
        );
    }

    #[test]
    fn values_we_do_not_offer_are_refused_beside_their_group() {
        let errors =
            Settings::try_from(&form(&[("offer_made", "loud"), ("weekly_digest", "maybe")]))
                .unwrap_err();
        assert!(errors.has("offer_made"));
        assert!(errors.has("weekly_digest"));
    }
}

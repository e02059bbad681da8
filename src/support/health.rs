//! How the group answers its members' asks, for the health view: numbers only, no names, private
//! requests counted like the others.

use chrono::{TimeDelta, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::queries;
use crate::error::Result;

/// The health view looks back this many weeks.
pub const WEEKS: i64 = 8;

/// Requests made in the last [`WEEKS`] weeks, and how they were answered.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportHealth {
    /// The figures include private requests (the viewer is an organiser).
    pub with_private: bool,
    pub weeks: i64,
    pub made: i64,
    pub met: i64,
    pub open: i64,
    /// Median days from asking to the first offer, of those offered help (none when none was).
    pub days_to_offer: Option<f64>,
    /// Median days from asking to being met, of those met.
    pub days_to_met: Option<f64>,
}

impl SupportHealth {
    /// The median wait for a first offer, in words.
    pub fn offer_wait(&self) -> Option<String> {
        self.days_to_offer.as_ref().map(Self::days)
    }

    /// The median wait until met, in words.
    pub fn met_wait(&self) -> Option<String> {
        self.days_to_met.as_ref().map(Self::days)
    }

    /// "1.5 days", "less than a day".
    pub fn days(d: &f64) -> String {
        if *d < 1.0 {
            "less than a day".into()
        } else {
            let rounded = (d * 10.0).round() / 10.0;
            if rounded == 1.0 {
                "1 day".into()
            } else {
                format!("{rounded} days")
            }
        }
    }
}

/// The figures for one CAN, in one statement.
pub async fn health(db: &PgPool, can_id: Uuid, organiser: bool) -> Result<SupportHealth> {
    let since = Utc::now() - TimeDelta::weeks(WEEKS);
    // Private requests count for the organisers, who see them: for anyone else, a count beside
    // an empty list would tell that someone asked privately.
    let row = queries::health(db, can_id, since, organiser).await?;
    Ok(SupportHealth {
        with_private: organiser,
        weeks: WEEKS,
        made: row.made,
        met: row.met,
        open: row.open,
        days_to_offer: row.median_days_to_offer,
        days_to_met: row.median_days_to_met,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_days() {
        assert_eq!(SupportHealth::days(&0.4), "less than a day");
        assert_eq!(SupportHealth::days(&1.0), "1 day");
        assert_eq!(SupportHealth::days(&1.04), "1 day");
        assert_eq!(SupportHealth::days(&2.5), "2.5 days");
        assert_eq!(SupportHealth::days(&3.0), "3 days");
    }
}

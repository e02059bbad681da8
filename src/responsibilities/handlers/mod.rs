//! Pages and actions for responsibilities, by sub-resource: the board and the load view, one
//! responsibility's page, holding it (volunteer, assign, decline, hand off, step down), describing
//! and changing it (with progress), and a meeting's action item made into one. Handlers parse,
//! call the service (`super::holding`, `super::editing`) and turn its outcome into a page.

mod actions;
mod board;
mod detail;
mod editing;
mod holding;
mod offers;

pub use actions::from_action_item;
pub use board::{board, load_view};
pub use detail::page;
pub use editing::{create, edit_page, new_page, progress, update};
pub use holding::{assign, decline, handoff, step_down, volunteer};
pub use offers::{accept, decline_offer, offer_page, withdraw};

/// Template filters for this area's pages: dates as people read them.
mod filters {
    use chrono::{DateTime, NaiveDate, Utc};
    use chrono_tz::Tz;

    use crate::web::time;

    /// A value, or a reference to one at any depth (templates hand filters references).
    pub trait Value<T> {
        fn value(&self) -> T;
    }

    impl Value<NaiveDate> for NaiveDate {
        fn value(&self) -> NaiveDate {
            *self
        }
    }

    impl Value<DateTime<Utc>> for DateTime<Utc> {
        fn value(&self) -> DateTime<Utc> {
            *self
        }
    }

    impl Value<Tz> for Tz {
        fn value(&self) -> Tz {
            *self
        }
    }

    impl<T, V: Value<T> + ?Sized> Value<T> for &V {
        fn value(&self) -> T {
            (**self).value()
        }
    }

    /// `{{ day|date }}`: "21 November 2026".
    #[askama::filter_fn]
    pub fn date<V: Value<NaiveDate>>(day: V, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(time::date(day.value()))
    }

    /// `{{ at|date_in(tz) }}`: the day it was in the CAN's zone.
    #[askama::filter_fn]
    pub fn date_in<V: Value<DateTime<Utc>>, Z: Value<Tz>>(
        at: V,
        _: &dyn askama::Values,
        tz: Z,
    ) -> askama::Result<String> {
        Ok(time::date_in(at.value(), tz.value()))
    }

    /// `{{ at|datetime_in(tz) }}`: day and time in the CAN's zone.
    #[askama::filter_fn]
    pub fn datetime_in<V: Value<DateTime<Utc>>, Z: Value<Tz>>(
        at: V,
        _: &dyn askama::Values,
        tz: Z,
    ) -> askama::Result<String> {
        Ok(time::datetime_in(at.value(), tz.value()))
    }
}

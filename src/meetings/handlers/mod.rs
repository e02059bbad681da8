//! Meeting pages and forms, by sub-resource. Each handler extracts, parses the form, calls the
//! domain (`occurrences`, `agenda`, `record`, `polls`, `schedule`, `feeds`) and maps the outcome
//! to a page, the page again with 422 or 409, or a redirect with a flash.

pub mod agenda;
pub mod feeds;
pub mod guests;
pub mod occurrence;
pub mod pack;
pub mod page;
pub mod polls;
pub mod public_settings;
pub mod record;
pub mod run;
pub mod schedule;

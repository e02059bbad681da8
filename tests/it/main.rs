//! Integration tests: the real router in-process against a real PostgreSQL (a fresh database per
//! test, cloned from a migrated template on a throwaway cluster), plus the real binary for
//! start-up, restart and shutdown.

mod accounts;
mod backup;
mod budget;
mod cans;
mod digest;
mod discussion;
mod embedded;
mod entry_points;
mod faults;
mod feeds;
mod fuzz;
mod helpers;
#[path = "../common/install.rs"]
mod install;
mod leaving;
mod limits;
mod meeting_fixes;
mod meetings;
mod notification_events_cans;
mod notification_events_meetings;
mod notifications;
mod offers;
mod outbox;
mod pathways;
mod proposals;
mod public_meetings;
mod responsibilities;
mod robustness;
mod rotation_health;
mod run_view;
mod schema;
mod search;
mod seed;
mod server;
mod stages;
mod support;
mod sustaining;
mod terms;
mod visioning;
mod waiting;
mod web;
mod welcome;

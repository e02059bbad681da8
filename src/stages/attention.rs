//! What needs attention now: the sustaining stage's steps, and the warnings the visioning and
//! organizing stages gain, computed from the group's own data (gathered with the guide's other
//! facts in `guide::assess`). Every item says the threshold it was judged by, links to where it
//! is fixed, and is gone once it is. Who drifts is named only to organisers and facilitators;
//! everyone else reads that the group is reaching out.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::guide::{Criteria, Facts, Step};
use super::health;
use crate::cans::model::{Membership, Role, Stage};

/// A role term ending within this many days needs renewing or handing on.
pub const TERM_DAYS: i64 = 30;
/// The vision's review falls due this many days ahead.
pub const REVIEW_DAYS: i64 = 30;
/// A support request open longer than this many days has waited too long.
pub const SUPPORT_DAYS: i32 = 7;
/// A newcomer who has come to nothing this many days after joining, until this many days after
/// (the newcomers page's own window, so the step and the list it links to agree).
pub const NEWCOMER_DAYS: i32 = crate::welcome::NEWCOMER_DAYS;
pub const NEWCOMER_UNTIL_DAYS: i32 = crate::welcome::LOOK_BACK_DAYS;
/// Facilitation is judged from this many held meetings among the last [`health::RECENT`].
pub const FACILITATION_MIN: i64 = 4;
/// A dip: the newest shown check-in average this much (or more) below the mean of the
/// [`DIP_BEFORE`] shown before it.
pub const DIP: f64 = 0.5;
pub const DIP_BEFORE: usize = 3;

/// Who is looking: the steps depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Viewer {
    /// Organisers and facilitators (active) see who drifts.
    pub sees_drifting: bool,
    /// Organisers and coordinators (active) reach the pathways and load views.
    pub leads: bool,
    /// Active organisers: newcomers, and private support requests.
    pub organiser: bool,
}

impl Viewer {
    pub fn of(m: &Membership) -> Self {
        let active = m.is_active();
        Self {
            sees_drifting: active && (m.has(Role::Organiser) || m.has(Role::Facilitator)),
            leads: active && (m.has(Role::Organiser) || m.has(Role::Coordinator)),
            organiser: m.is_organiser(),
        }
    }

    /// An organiser who also facilitates: sees everything.
    pub const ALL: Self = Self {
        sees_drifting: true,
        leads: true,
        organiser: true,
    };
}

/// A role held with a term.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub member_id: Uuid,
    pub name: String,
    pub role: Role,
    pub ends_on: NaiveDate,
}

/// Someone counts as reached out to since they started drifting when someone checked in with
/// them after the last meeting they came to and within the drift window (`drift_weeks`).
pub fn reached_since_drifting(
    last_attended: Option<DateTime<Utc>>,
    reached_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    drift_weeks: i16,
) -> bool {
    let Some(at) = reached_at else {
        return false;
    };
    at > now - Duration::weeks(i64::from(drift_weeks)) && last_attended.is_none_or(|l| at > l)
}

/// Facilitation rests on one person: they facilitated more than half of the recent held meetings,
/// judged only from [`FACILITATION_MIN`] of them.
pub fn concentrated(held: i64, most_by_one: i64) -> bool {
    held >= FACILITATION_MIN && most_by_one * 2 > held
}

/// A dip in how people felt after meetings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dip {
    /// The newest shown overall average.
    pub latest: f64,
    /// The mean of the overall averages of the [`DIP_BEFORE`] shown before it.
    pub before: f64,
}

/// From the overall averages the health view shows (the mean of a meeting's five averages, for
/// closed meetings with [`health::CHECK_IN_FLOOR`] answers or more), newest first: a dip when
/// the newest is [`DIP`] or more below the mean of the [`DIP_BEFORE`] before it.
pub fn check_in_dip(overall_newest_first: &[f64]) -> Option<Dip> {
    let (latest, rest) = overall_newest_first.split_first()?;
    let before = rest.get(..DIP_BEFORE)?;
    let before = before.iter().sum::<f64>() / DIP_BEFORE as f64;
    // Compared at the precision the view shows (one decimal), so 3.5 against 4.0 is a dip.
    let tenths = |x: f64| (x * 10.0).round() as i64;
    (tenths(before) - tenths(*latest) >= tenths(DIP)).then_some(Dip {
        latest: *latest,
        before,
    })
}

/// "Mia", "Mia and Noor", "Mia, Noor and Pat".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "1 member has", "3 members have".
fn counted(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What needs attention now, for this viewer: the sustaining stage's steps, and the warnings
/// the other stages gain (organizing's own steps already cover unowned work and overload).
pub fn items(
    stage: Stage,
    f: &Facts,
    c: &Criteria,
    viewer: Viewer,
    today: NaiveDate,
    slug: &str,
) -> Vec<Step> {
    let at = |path: &str| format!("/c/{slug}{path}");
    let mut out = Vec::new();
    let mut push = |text: String, link: String| {
        out.push(Step {
            text,
            done: false,
            link,
            attention: true,
        })
    };
    if stage == Stage::Visioning {
        let unheard = f.active_members - f.hope_authors;
        if unheard * 2 > f.active_members {
            push(
                format!(
                    "Hopes not yet heard from {unheard} of {} active members (more than half)",
                    f.active_members
                ),
                at("/vision#hopes"),
            );
        }
    }
    if !f.drifting_unreached.is_empty() {
        let text = if viewer.sees_drifting {
            format!(
                "Reach out to {}: drifting away ({} meetings missed in a row, or {} weeks \
                 without coming) and nobody has checked in since",
                and_list(&f.drifting_unreached),
                c.drift_missed,
                c.drift_weeks
            )
        } else {
            "The group is reaching out to members who have not been seen for a while".into()
        };
        push(text, at("/health#drifting"));
    }
    let waiting = if viewer.organiser {
        f.support_waiting_all
    } else {
        f.support_waiting_public
    };
    if waiting > 0 {
        let requests = counted(waiting, "support request has", "support requests have");
        push(
            format!("{requests} waited more than {SUPPORT_DAYS} days for a hand"),
            at("/support"),
        );
    }
    if !f.single_points.is_empty() {
        push(
            format!(
                "Find a backup for {}: active, resting on one person with no backup",
                and_list(&f.single_points)
            ),
            at("/responsibilities?filter=no_backup"),
        );
    }
    if stage != Stage::Organizing && !f.unowned_ongoing.is_empty() {
        push(
            format!(
                "Nobody carries the ongoing {} {}",
                if f.unowned_ongoing.len() == 1 {
                    "responsibility"
                } else {
                    "responsibilities"
                },
                and_list(&f.unowned_ongoing)
            ),
            at("/responsibilities?filter=unowned"),
        );
    }
    let horizon = today + Duration::days(TERM_DAYS);
    for t in f.terms.iter().filter(|t| t.ends_on <= horizon) {
        let day = crate::web::time::date(t.ends_on);
        let role = t.role.as_str();
        let text = if t.ends_on < today {
            format!(
                "{}’s term as {role} ended on {day} and the role is still held: renew it or hand it on",
                t.name
            )
        } else {
            format!(
                "{}’s term as {role} ends on {day} (within {TERM_DAYS} days): renew it or hand it on",
                t.name
            )
        };
        push(text, at(&format!("/members/{}", t.member_id)));
    }
    if let Some(name) = f
        .top_facilitator
        .as_ref()
        .filter(|_| concentrated(f.recent_held, f.top_facilitated))
    {
        push(
            format!(
                "{name} facilitated {} of the last {} meetings (more than half): share facilitating",
                f.top_facilitated, f.recent_held
            ),
            at("/meetings"),
        );
    }
    if let Some(review) = f
        .review_on
        .filter(|d| *d <= today + Duration::days(REVIEW_DAYS))
    {
        let day = crate::web::time::date(review);
        let text = if review < today {
            format!("The vision was due for review on {day}: revisit it together")
        } else {
            format!(
                "The vision is due for review by {day} (within {REVIEW_DAYS} days): revisit it together"
            )
        };
        push(text, at("/vision"));
    }
    if stage != Stage::Organizing && !f.overburdened.is_empty() {
        push(
            format!(
                "Share the load of {}: above twice the median load ({:.1})",
                and_list(&f.overburdened),
                f.median_load
            ),
            at(if viewer.leads {
                "/load"
            } else {
                "/responsibilities"
            }),
        );
    }
    if let Some(dip) = check_in_dip(&f.check_in_overall) {
        push(
            format!(
                "How people felt after the last meeting dipped: {:.1} on average against {:.1} \
                 over the {DIP_BEFORE} before (a dip is {DIP:.1} or more, from meetings with at \
                 least {} check-ins)",
                dip.latest,
                dip.before,
                health::CHECK_IN_FLOOR
            ),
            at("/health#check-ins"),
        );
    }
    if f.came_carrying_nothing > 0 {
        push(
            format!(
                "{} come to meetings but carry nothing",
                counted(f.came_carrying_nothing, "member has", "members have")
            ),
            at(if viewer.leads {
                "/pathways"
            } else {
                "/responsibilities?filter=unowned"
            }),
        );
    }
    if viewer.organiser && f.newcomers_not_come > 0 {
        push(
            format!(
                "{} not come to anything {NEWCOMER_DAYS} days after joining",
                counted(f.newcomers_not_come, "newcomer has", "newcomers have")
            ),
            at("/newcomers"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cans::model::MembershipStatus;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap() // ok: test fixture
    }

    fn texts(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|s| s.text.as_str()).collect()
    }

    fn sustaining(f: &Facts, viewer: Viewer) -> Vec<Step> {
        items(
            Stage::Sustaining,
            f,
            &Criteria::default(),
            viewer,
            day("2026-12-01"),
            "x",
        )
    }

    #[test]
    fn nothing_in_the_data_needs_nothing() {
        assert!(sustaining(&Facts::default(), Viewer::ALL).is_empty());
    }

    #[test]
    fn the_viewer_follows_active_roles() {
        let m = |roles: Vec<Role>, status| Membership {
            member_id: Uuid::nil(),
            status,
            roles,
            away_until: None,
        };
        let active = MembershipStatus::Active;
        assert!(Viewer::of(&m(vec![Role::Facilitator], active)).sees_drifting);
        assert!(Viewer::of(&m(vec![Role::Organiser], active)).sees_drifting);
        let coordinator = Viewer::of(&m(vec![Role::Coordinator], active));
        assert!(!coordinator.sees_drifting && coordinator.leads && !coordinator.organiser);
        assert_eq!(Viewer::of(&m(vec![], active)), Viewer::default());
        let paused = Viewer::of(&m(vec![Role::Organiser], MembershipStatus::Paused));
        assert_eq!(paused, Viewer::default());
    }

    #[test]
    fn drifting_names_only_to_those_who_may_see_them() {
        let f = Facts {
            drifting_unreached: vec!["Pat".into(), "Quinn".into()],
            ..Facts::default()
        };
        let named = sustaining(&f, Viewer::ALL);
        assert_eq!(
            texts(&named),
            [
                "Reach out to Pat and Quinn: drifting away (3 meetings missed in a row, or 6 weeks without coming) and nobody has checked in since"
            ]
        );
        assert_eq!(named[0].link, "/c/x/health#drifting");
        let plain = sustaining(&f, Viewer::default());
        assert_eq!(
            texts(&plain),
            ["The group is reaching out to members who have not been seen for a while"]
        );
    }

    #[test]
    fn reached_out_counts_after_the_last_meeting_and_within_the_window() {
        let now = Utc::now();
        let ago = |weeks| Some(now - Duration::weeks(weeks));
        assert!(!reached_since_drifting(ago(8), None, now, 6));
        assert!(reached_since_drifting(ago(8), ago(1), now, 6));
        // Before they last came: that was before they drifted.
        assert!(!reached_since_drifting(ago(3), ago(4), now, 6));
        // Long ago, outside the window.
        assert!(!reached_since_drifting(None, ago(7), now, 6));
        assert!(reached_since_drifting(None, ago(5), now, 6));
    }

    #[test]
    fn facilitation_is_concentrated_above_half_from_four_meetings() {
        assert!(!concentrated(3, 3));
        assert!(concentrated(4, 3));
        assert!(!concentrated(4, 2));
        assert!(concentrated(8, 5));
        assert!(!concentrated(8, 4));
    }

    #[test]
    fn a_dip_is_half_a_point_below_the_three_before() {
        assert_eq!(check_in_dip(&[3.0, 4.0, 4.0]), None);
        assert_eq!(
            check_in_dip(&[3.5, 4.0, 4.0, 4.0]),
            Some(Dip {
                latest: 3.5,
                before: 4.0
            })
        );
        assert_eq!(check_in_dip(&[3.6, 4.0, 4.0, 4.0, 1.0]), None);
        // Only the three before count.
        assert!(check_in_dip(&[3.0, 4.0, 3.4, 3.6, 1.0]).is_some());
        assert_eq!(check_in_dip(&[4.5, 4.0, 4.0, 4.0]), None);
    }

    #[test]
    fn each_fact_has_its_words_and_its_link() {
        let mia = Uuid::from_u128(7);
        let f = Facts {
            active_members: 10,
            hope_authors: 4,
            single_points: vec!["Garden".into()],
            unowned_ongoing: vec!["Treasurer".into(), "Newsletter".into()],
            terms: vec![
                Term {
                    member_id: mia,
                    name: "Mia".into(),
                    role: Role::Coordinator,
                    ends_on: day("2026-12-20"),
                },
                Term {
                    member_id: mia,
                    name: "Mia".into(),
                    role: Role::Facilitator,
                    ends_on: day("2027-03-01"),
                },
            ],
            recent_held: 4,
            top_facilitator: Some("Olu".into()),
            top_facilitated: 3,
            review_on: Some(day("2026-11-20")),
            overburdened: vec!["Noor".into()],
            median_load: 1.0,
            check_in_overall: vec![3.0, 4.0, 4.0, 4.0],
            support_waiting_public: 1,
            support_waiting_all: 2,
            came_carrying_nothing: 3,
            newcomers_not_come: 1,
            ..Facts::default()
        };
        let all = sustaining(&f, Viewer::ALL);
        let links: Vec<&str> = all.iter().map(|s| s.link.as_str()).collect();
        assert_eq!(
            texts(&all),
            [
                "2 support requests have waited more than 7 days for a hand",
                "Find a backup for Garden: active, resting on one person with no backup",
                "Nobody carries the ongoing responsibilities Treasurer and Newsletter",
                "Mia’s term as coordinator ends on 20 December 2026 (within 30 days): renew it or hand it on",
                "Olu facilitated 3 of the last 4 meetings (more than half): share facilitating",
                "The vision was due for review on 20 November 2026: revisit it together",
                "Share the load of Noor: above twice the median load (1.0)",
                "How people felt after the last meeting dipped: 3.0 on average against 4.0 over the 3 before (a dip is 0.5 or more, from meetings with at least 3 check-ins)",
                "3 members have come to meetings but carry nothing",
                "1 newcomer has not come to anything 30 days after joining",
            ]
        );
        assert_eq!(
            links,
            [
                "/c/x/support",
                "/c/x/responsibilities?filter=no_backup",
                "/c/x/responsibilities?filter=unowned",
                &format!("/c/x/members/{mia}"),
                "/c/x/meetings",
                "/c/x/vision",
                "/c/x/load",
                "/c/x/health#check-ins",
                "/c/x/pathways",
                "/c/x/newcomers",
            ]
        );
        assert!(all.iter().all(|s| s.attention && !s.done));
        // A plain member: public requests only, no newcomers, the board instead of the leads' views.
        let plain = sustaining(&f, Viewer::default());
        assert_eq!(
            plain[0].text,
            "1 support request has waited more than 7 days for a hand"
        );
        assert_eq!(plain.len(), all.len() - 1);
        assert!(
            plain
                .iter()
                .all(|s| !s.link.ends_with("/load") && !s.link.ends_with("/pathways"))
        );
        // Visioning gains the hopes item; organizing leaves unowned work and load to its own steps.
        let c = Criteria::default();
        let today = day("2026-12-01");
        let v = items(Stage::Visioning, &f, &c, Viewer::ALL, today, "x");
        assert_eq!(
            v[0].text,
            "Hopes not yet heard from 6 of 10 active members (more than half)"
        );
        assert_eq!(v.len(), all.len() + 1);
        let o = items(Stage::Organizing, &f, &c, Viewer::ALL, today, "x");
        assert_eq!(o.len(), all.len() - 2);
    }
}

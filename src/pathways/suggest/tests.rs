use super::*;
use crate::responsibilities::model::{ResponsibilityKind, ResponsibilityStatus};
use crate::responsibilities::queries::Row;
use chrono::TimeZone;

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).unwrap() // ok: test fixture
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn opening(kind: OpeningKind, n: u128, title: &str) -> Opening {
    Opening {
        at: OpeningId { kind, id: id(n) },
        title: title.into(),
        text: title.into(),
        task: false,
        goal: None,
        excluded: Vec::new(),
        when: None,
    }
}

fn newcomer() -> Path {
    Path::default()
        .with(Step::Joined, day(1))
        .with(Step::CameToMeeting, day(2))
}

fn candidate<'a>(n: u128, skills: &'a str, hopes: &'a [String], path: &'a Path) -> Candidate<'a> {
    Candidate {
        id: id(n),
        skills,
        hopes,
        path,
        meetings: 4,
        willing_to_take_notes: false,
    }
}

#[test]
fn openings_keys_round_trip_and_nonsense_is_none() {
    let o = OpeningId {
        kind: OpeningKind::NoteTaker,
        id: id(7),
    };
    assert_eq!(OpeningId::parse(&o.key()), Some(o));
    assert_eq!(OpeningId::parse("carry:nope"), None);
    assert_eq!(
        OpeningId::parse("handoff:00000000-0000-0000-0000-000000000007"),
        None
    );
    assert_eq!(OpeningId::parse(""), None);
}

#[test]
fn rule_a_someone_who_comes_but_carries_nothing_is_invited_to_carry_an_unowned_task_matching_their_skills()
 {
    let path = newcomer();
    let mut soup = opening(OpeningKind::Carry, 1, "Soup night");
    soup.text = "Soup night: cooking for neighbours".into();
    soup.task = true;
    let flyers = opening(OpeningKind::Carry, 2, "Flyers");
    let s = suggest(
        &[candidate(10, "cooking", &[], &path)],
        &[flyers, soup],
        &[],
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].opening.id, id(1));
    assert_eq!(s[0].rule, Rule::Unowned);
    assert_eq!(
        s[0].reason(),
        "carries nothing yet and came to 4 meetings; their skills (cooking) fit “Soup night”"
    );
    assert_eq!(
        s[0].reason_for_you(),
        "you came to 4 meetings and do not carry anything yet; your skills (cooking) fit “Soup night”"
    );
    assert_eq!(s[0].ask(), "carry “Soup night”");
}

#[test]
fn rule_b_someone_who_carried_a_task_is_invited_to_back_up_but_never_their_own_responsibility() {
    let path = newcomer().with(Step::CarriedTask, day(3));
    let mut treasurer = opening(OpeningKind::Backup, 1, "Treasurer");
    treasurer.excluded = vec![id(11)];
    let unowned = opening(OpeningKind::Carry, 2, "Garden");
    let members = [candidate(10, "", &[], &path), candidate(11, "", &[], &path)];
    let s = suggest(&members, &[treasurer, unowned], &[]);
    let of = |m: u128| s.iter().find(|x| x.member == id(m)).unwrap(); // ok: test fixture
    assert_eq!(of(10).opening.kind, OpeningKind::Backup);
    assert_eq!(of(10).rule, Rule::NoBackup);
    assert_eq!(
        of(10).reason(),
        "has carried a task; “Treasurer” has no backup"
    );
    // The carrier of Treasurer is never asked to back it up: they get the other opening.
    assert_eq!(of(11).opening.id, id(2));
}

#[test]
fn rule_c_a_carrier_is_invited_to_take_notes_and_those_who_offer_come_first() {
    let carrier = newcomer().with(Step::CarriesOngoing, day(3));
    let mut monday = opening(OpeningKind::NoteTaker, 1, "Monday meeting");
    monday.when = Some(day(20));
    monday.excluded = vec![id(12)];
    let mut willing = candidate(11, "", &[], &carrier);
    willing.willing_to_take_notes = true;
    let members = [
        candidate(10, "", &[], &carrier),
        willing,
        candidate(12, "", &[], &carrier),
    ];
    let s = suggest(&members, std::slice::from_ref(&monday), &[]);
    let of = |m: u128| s.iter().find(|x| x.member == id(m));
    let pick = of(11).unwrap(); // ok: test fixture
    assert_eq!(pick.rule, Rule::NoteTaker);
    assert_eq!(pick.when, Some(day(20)));
    assert_eq!(
        pick.reason(),
        "has carried an ongoing responsibility; they offer to take notes"
    );
    assert_eq!(pick.ask(), "take notes at “Monday meeting”");
    // The only opening is shared once everyone else's are taken, but never to its facilitator.
    assert_eq!(of(10).map(|x| x.opening.id), Some(id(1)));
    assert!(of(12).is_none());
}

#[test]
fn rule_d_a_hope_that_meets_a_goal_brings_that_goals_responsibility_with_both_named() {
    let path = newcomer();
    let goal = Goal {
        id: id(100),
        title: "Green the street".into(),
        description: "Trees and planters along Mill Road".into(),
    };
    let mut planters = opening(OpeningKind::Carry, 1, "Water the planters");
    planters.goal = Some(goal.id);
    planters.task = false;
    let mut soup = opening(OpeningKind::Carry, 2, "Soup night");
    soup.task = true;
    let hopes = vec!["I wish we had more trees on our street".to_string()];
    let s = suggest(
        &[candidate(10, "", &hopes, &path)],
        &[soup, planters],
        std::slice::from_ref(&goal),
    );
    assert_eq!(s[0].opening.id, id(1));
    assert_eq!(s[0].rule, Rule::HopeMeetsGoal);
    assert_eq!(
        s[0].reason(),
        "carries nothing yet and came to 4 meetings; their hope “I wish we had more trees on our street” meets the goal “Green the street”"
    );
    // Common words alone do not make a match.
    assert!(!hope_meets("I wish there were more of us", &goal));
}

#[test]
fn where_someone_stands_decides_between_openings_when_nothing_else_does() {
    let backup = newcomer().with(Step::BacksUp, day(3));
    let mut task = opening(OpeningKind::Carry, 1, "Book the hall");
    task.task = true;
    let ongoing = opening(OpeningKind::Carry, 2, "Treasurer");
    let s = suggest(&[candidate(10, "", &[], &backup)], &[task, ongoing], &[]);
    assert_eq!(
        s[0].opening.id,
        id(2),
        "a backup is invited to carry an ongoing one"
    );
    assert_eq!(
        s[0].reason(),
        "has backed up an ongoing responsibility; nobody carries “Treasurer”"
    );
}

#[test]
fn openings_are_spread_rather_than_all_suggested_to_everyone() {
    let path = newcomer();
    let mut soup = opening(OpeningKind::Carry, 1, "Soup night");
    soup.text = "Soup night cooking".into();
    let flyers = opening(OpeningKind::Carry, 2, "Flyers");
    let hall = opening(OpeningKind::Carry, 3, "Book the hall");
    let members = [
        candidate(10, "cooking", &[], &path),
        candidate(11, "cooking", &[], &path),
        candidate(12, "cooking", &[], &path),
    ];
    let s = suggest(&members, &[soup, flyers, hall], &[]);
    let mut ids: Vec<Uuid> = s.iter().map(|x| x.opening.id).collect();
    ids.sort();
    assert_eq!(ids, vec![id(1), id(2), id(3)]);
    // The best fit goes to the first in order.
    assert_eq!(s[0].opening.id, id(1));
}

#[test]
fn no_openings_no_suggestions() {
    let path = newcomer();
    assert!(suggest(&[candidate(10, "cooking", &[], &path)], &[], &[]).is_empty());
}

#[test]
fn openings_come_from_responsibilities_and_meetings_and_skip_what_is_asked_already() {
    let row = |n: u128, kind, status, carriers: Vec<Uuid>, backups: Vec<Uuid>| Row {
        id: id(n),
        title: format!("R{n}"),
        description: String::new(),
        kind,
        goal_id: None,
        goal: None,
        cadence: String::new(),
        due_on: None,
        term_ends_on: None,
        effort: 1,
        status,
        version: 0,
        carriers: carriers.iter().map(|_| "x".to_string()).collect(),
        carrier_ids: carriers,
        backups: backups.iter().map(|_| "y".to_string()).collect(),
        backup_ids: backups,
        offer_ids: Vec::new(),
        offered_to: Vec::new(),
        offered_to_ids: Vec::new(),
        offered_until: Vec::new(),
    };
    use ResponsibilityKind::{Ongoing, Task};
    use ResponsibilityStatus::{Active, Done, Open};
    let rows = [
        row(1, Task, Open, vec![], vec![]),                  // (a)
        row(2, Ongoing, Active, vec![id(50)], vec![]),       // (b)
        row(3, Ongoing, Active, vec![id(50)], vec![id(51)]), // covered
        row(4, Task, Active, vec![id(50)], vec![]),          // a task needs no backup
        row(5, Ongoing, Done, vec![], vec![]),               // closed
        row(6, Ongoing, Open, vec![], vec![]),               // (a), but asked already
    ];
    let meetings = [NotesWanted {
        id: id(7),
        title: "Monday".into(),
        starts_at: day(20),
        facilitator_id: Some(id(50)),
    }];
    let asked = [OpeningId {
        kind: OpeningKind::Carry,
        id: id(6),
    }];
    let found = openings(&rows, &meetings, &asked);
    let keys: Vec<(OpeningKind, Uuid)> = found.iter().map(|o| (o.at.kind, o.at.id)).collect();
    assert_eq!(
        keys,
        vec![
            (OpeningKind::Carry, id(1)),
            (OpeningKind::Backup, id(2)),
            (OpeningKind::NoteTaker, id(7)),
        ]
    );
    assert_eq!(found[1].excluded, vec![id(50)]);
    assert_eq!(found[2].excluded, vec![id(50)]);
    assert!(found[0].task);
}

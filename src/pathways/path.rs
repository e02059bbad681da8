//! A member's path of engagement, computed from what they did in the group — never self-reported.
//! Nine steps, from being present to sharing leadership; each is reached by a recorded act, and
//! the path keeps when each was FIRST reached. Steps can be reached out of order (an organiser
//! who founded the group holds a role before anything else), so a path is the set of steps
//! reached, and "furthest" is simply the last of them in the path's order.
//!
//! Every step means "has ever done it", dated the first time: the path tells what someone has
//! done in this group, so stepping down from a role or handing a responsibility on does not undo
//! a step. (The suggestions read the same all-time path to judge the next step; what the group
//! needs NOW — unowned work, missing backups — comes from the openings.)

use chrono::{DateTime, Utc};

/// The steps of the path, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// Joined the CAN (the membership's `joined_at`).
    Joined,
    /// Shared a hope for the vision (a hope written, even if later withdrawn).
    SharedHope,
    /// Came to a meeting (attendance recorded at a meeting that was not cancelled; dated by the
    /// meeting's start).
    CameToMeeting,
    /// Answered a consent round on the vision (dated by their answer as kept).
    AnsweredRound,
    /// Carried a one-off task (a carrier holding of a task, not declined).
    CarriedTask,
    /// Backed up an ongoing responsibility (a backup holding of an ongoing one, not declined).
    BacksUp,
    /// Carried an ongoing responsibility (a carrier holding of an ongoing one, not declined).
    CarriesOngoing,
    /// Facilitated or took the notes at a meeting that was held.
    RanMeeting,
    /// Held a shared role: facilitator, coordinator or organiser (a role grant).
    HoldsRole,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Self::Joined,
        Self::SharedHope,
        Self::CameToMeeting,
        Self::AnsweredRound,
        Self::CarriedTask,
        Self::BacksUp,
        Self::CarriesOngoing,
        Self::RanMeeting,
        Self::HoldsRole,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// As the organisers' view names the step.
    pub fn label(self) -> &'static str {
        match self {
            Self::Joined => "Joined",
            Self::SharedHope => "Shared a hope",
            Self::CameToMeeting => "Came to a meeting",
            Self::AnsweredRound => "Answered a consent round",
            Self::CarriedTask => "Carried a task",
            Self::BacksUp => "Backs up an ongoing responsibility",
            Self::CarriesOngoing => "Carries an ongoing responsibility",
            Self::RanMeeting => "Facilitated or took notes",
            Self::HoldsRole => "Holds a shared role",
        }
    }

    /// As the member reads it on their own page: what they did.
    pub fn done_by_you(self) -> &'static str {
        match self {
            Self::Joined => "You joined the group",
            Self::SharedHope => "You shared a hope for the vision",
            Self::CameToMeeting => "You came to a meeting",
            Self::AnsweredRound => "You answered a consent round",
            Self::CarriedTask => "You carried a task",
            Self::BacksUp => "You backed up an ongoing responsibility",
            Self::CarriesOngoing => "You carried an ongoing responsibility",
            Self::RanMeeting => "You facilitated or took notes at a meeting",
            Self::HoldsRole => "You held a shared role",
        }
    }

    /// As "who moved" says it: "Noor carried a task".
    pub fn moved(self) -> &'static str {
        match self {
            Self::Joined => "joined",
            Self::SharedHope => "shared a first hope",
            Self::CameToMeeting => "came to a first meeting",
            Self::AnsweredRound => "answered a first consent round",
            Self::CarriedTask => "carried a first task",
            Self::BacksUp => "began backing up an ongoing responsibility",
            Self::CarriesOngoing => "began carrying an ongoing responsibility",
            Self::RanMeeting => "facilitated or took notes for the first time",
            Self::HoldsRole => "took on a first shared role",
        }
    }
}

/// When each step was first reached (`None`: not reached).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path {
    firsts: [Option<DateTime<Utc>>; 9],
}

impl Path {
    /// A path from the first time of each step, in [`Step::ALL`] order.
    pub fn new(firsts: [Option<DateTime<Utc>>; 9]) -> Self {
        Self { firsts }
    }

    /// The path with `step` first reached at `at` (an earlier time wins).
    pub fn with(mut self, step: Step, at: DateTime<Utc>) -> Self {
        let slot = &mut self.firsts[step.index()];
        *slot = Some(slot.map_or(at, |was| was.min(at)));
        self
    }

    pub fn first(&self, step: Step) -> Option<DateTime<Utc>> {
        self.firsts[step.index()]
    }

    pub fn reached(&self, step: Step) -> bool {
        self.first(step).is_some()
    }

    /// The last step reached in the path's order (a member has always joined).
    pub fn furthest(&self) -> Step {
        Step::ALL
            .into_iter()
            .rev()
            .find(|s| self.reached(*s))
            .unwrap_or(Step::Joined)
    }

    /// The steps reached, in the path's order, each with when it was first reached.
    pub fn reached_steps(&self) -> Vec<(Step, DateTime<Utc>)> {
        Step::ALL
            .into_iter()
            .filter_map(|s| self.first(s).map(|at| (s, at)))
            .collect()
    }

    /// The steps first reached at or after `since`, oldest first.
    pub fn moved_since(&self, since: DateTime<Utc>) -> Vec<(Step, DateTime<Utc>)> {
        let mut moved: Vec<_> = self
            .reached_steps()
            .into_iter()
            .filter(|(_, at)| *at >= since)
            .collect();
        moved.sort_by_key(|(s, at)| (*at, *s));
        moved
    }

    /// Whether they have ever carried or backed up anything that counts on the path.
    pub fn has_carried(&self) -> bool {
        [Step::CarriedTask, Step::BacksUp, Step::CarriesOngoing]
            .into_iter()
            .any(|s| self.reached(s))
    }
}

/// How many members stand at a step (it is their furthest) and how many reached it at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepCount {
    pub step: Step,
    pub standing: usize,
    pub reached: usize,
}

/// The counts per step of a group's paths, in the path's order.
pub fn tally<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Vec<StepCount> {
    let mut counts: Vec<StepCount> = Step::ALL
        .into_iter()
        .map(|step| StepCount {
            step,
            standing: 0,
            reached: 0,
        })
        .collect();
    for p in paths {
        counts[p.furthest().index()].standing += 1;
        for (s, _) in p.reached_steps() {
            counts[s.index()].reached += 1;
        }
    }
    counts
}

/// For the stage guide: how many of these members came to a meeting but have never carried or
/// backed up anything ("N members have come to meetings but carry nothing").
pub fn came_but_carry_nothing<'a>(paths: impl IntoIterator<Item = &'a Path>) -> usize {
    paths
        .into_iter()
        .filter(|p| p.reached(Step::CameToMeeting) && !p.has_carried())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).unwrap() // ok: test fixture
    }

    #[test]
    fn a_newcomer_stands_at_joined() {
        let p = Path::default().with(Step::Joined, day(1));
        assert_eq!(p.furthest(), Step::Joined);
        assert_eq!(p.reached_steps(), vec![(Step::Joined, day(1))]);
        assert!(!p.has_carried());
    }

    #[test]
    fn steps_reached_out_of_order_are_listed_in_the_paths_order_with_their_dates() {
        // A founder: holds a role from the first day, shares a hope later, never came to a meeting.
        let p = Path::default()
            .with(Step::Joined, day(1))
            .with(Step::HoldsRole, day(1))
            .with(Step::SharedHope, day(5));
        assert_eq!(p.furthest(), Step::HoldsRole);
        assert_eq!(
            p.reached_steps(),
            vec![
                (Step::Joined, day(1)),
                (Step::SharedHope, day(5)),
                (Step::HoldsRole, day(1)),
            ]
        );
        assert!(!p.reached(Step::CameToMeeting));
    }

    #[test]
    fn the_first_time_counts() {
        let p = Path::default()
            .with(Step::CarriedTask, day(9))
            .with(Step::CarriedTask, day(3))
            .with(Step::CarriedTask, day(20));
        assert_eq!(p.first(Step::CarriedTask), Some(day(3)));
        assert!(p.has_carried());
    }

    #[test]
    fn who_moved_lists_the_steps_first_reached_since_oldest_first() {
        let p = Path::default()
            .with(Step::Joined, day(1))
            .with(Step::BacksUp, day(20))
            .with(Step::CameToMeeting, day(12));
        assert_eq!(
            p.moved_since(day(10)),
            vec![(Step::CameToMeeting, day(12)), (Step::BacksUp, day(20))]
        );
        assert!(p.moved_since(day(21)).is_empty());
    }

    #[test]
    fn counts_per_step_say_where_each_stands_and_how_many_reached_it() {
        let a = Path::default().with(Step::Joined, day(1));
        let b = Path::default()
            .with(Step::Joined, day(1))
            .with(Step::CameToMeeting, day(2));
        let c = Path::default()
            .with(Step::Joined, day(1))
            .with(Step::CameToMeeting, day(2))
            .with(Step::CarriesOngoing, day(3));
        let counts = tally([&a, &b, &c]);
        let at = |s: Step| counts[s.index()];
        assert_eq!(
            (at(Step::Joined).standing, at(Step::Joined).reached),
            (1, 3)
        );
        assert_eq!(
            (
                at(Step::CameToMeeting).standing,
                at(Step::CameToMeeting).reached
            ),
            (1, 2)
        );
        assert_eq!(
            (
                at(Step::CarriesOngoing).standing,
                at(Step::CarriesOngoing).reached
            ),
            (1, 1)
        );
        assert_eq!(
            (at(Step::HoldsRole).standing, at(Step::HoldsRole).reached),
            (0, 0)
        );
        assert_eq!(counts.iter().map(|c| c.standing).sum::<usize>(), 3);
    }

    #[test]
    fn those_who_came_but_never_carried_are_counted_for_the_guide() {
        let came = Path::default().with(Step::CameToMeeting, day(2));
        let carried = came.clone().with(Step::CarriedTask, day(3));
        let backup = came.clone().with(Step::BacksUp, day(3));
        let never_came = Path::default().with(Step::Joined, day(1));
        assert_eq!(
            came_but_carry_nothing([&came, &carried, &backup, &never_came]),
            1
        );
    }
}

//! The member directory, and a member's page with the roles they held over time. Granting,
//! ending and renewing roles is in [`super::roles`]; a member's own membership in [`super::own`].

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::NaiveDate;
use uuid::Uuid;

use super::{CanNav, Section};
use crate::AppState;
use crate::cans::access::{CanAccess, Member, Requirement};
use crate::cans::forms::{GrantForm, Renewal, Willing};
use crate::cans::model::{GrantEnd, Membership, MembershipStatus, Role};
use crate::cans::queries::{self, GrantLine, MemberLine};
use crate::cans::terms;
use crate::error::{OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{Layout, Path, time};

pub struct DirectoryLine {
    pub member_id: Uuid,
    pub name: String,
    pub pronouns: String,
    pub neighbourhood: String,
    pub roles: Vec<Role>,
    pub status: MembershipStatus,
    pub joined: String,
    /// They offer to facilitate, and to take notes.
    pub willing: Willing,
}

fn line(m: MemberLine, tz: chrono_tz::Tz) -> DirectoryLine {
    DirectoryLine {
        joined: time::date_in(m.joined_at, tz),
        willing: Willing {
            facilitate: m.willing_to_facilitate,
            take_notes: m.willing_to_take_notes,
            welcome: m.willing_to_welcome,
        },
        member_id: m.member_id,
        name: m.display_name,
        pronouns: m.pronouns,
        neighbourhood: m.neighbourhood,
        roles: m.roles,
        status: m.status,
    }
}

/// A former member, with each time they left: when, and (for organisers only) the word they
/// left for the organisers.
pub struct FormerLine {
    pub person: DirectoryLine,
    pub departures: Vec<DepartureLine>,
}

pub struct DepartureLine {
    pub left: String,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/members.html")]
pub struct DirectoryPage {
    ctx: Layout,
    nav: CanNav,
    current: Vec<DirectoryLine>,
    former: Vec<FormerLine>,
    /// The viewer, whose own page has the "I am willing to" form.
    me: Uuid,
    /// Organisers and facilitators see who offers to facilitate or take notes, so they know
    /// whom to ask.
    show_willing: bool,
    /// Organisers read when former members left and why (their reasons are for them alone).
    show_departures: bool,
}

/// Whether the viewer asks people to run meetings: an active organiser or facilitator.
fn asks_who_is_willing(membership: &Membership) -> bool {
    membership.is_active() && (membership.has(Role::Organiser) || membership.has(Role::Facilitator))
}

pub async fn directory(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
) -> Result<DirectoryPage> {
    let tz = access.can.time_zone;
    let all = queries::members(&state.db, access.can.id).await?;
    let (former, current): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|m| m.status == MembershipStatus::Left);
    // Only organisers' pages read the reasons at all: nobody else's page can show them.
    let show_departures = access.membership.is_organiser();
    let mut departures: HashMap<Uuid, Vec<DepartureLine>> = HashMap::new();
    if show_departures {
        for d in queries::departures(&state.db, access.can.id).await? {
            departures
                .entry(d.member_id)
                .or_default()
                .push(DepartureLine {
                    left: time::date_in(d.left_at, tz),
                    reason: d.reason,
                });
        }
    }
    let former = former
        .into_iter()
        .map(|m| FormerLine {
            departures: departures.remove(&m.member_id).unwrap_or_default(),
            person: line(m, tz),
        })
        .collect();
    Ok(DirectoryPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Members),
        show_willing: asks_who_is_willing(&access.membership),
        show_departures,
        me: access.me.id,
        current: current.into_iter().map(|m| line(m, tz)).collect(),
        former,
    })
}

/// One role a member held, from when to when (`None` while they hold it).
pub struct HistoryLine {
    pub role: Role,
    pub from: String,
    pub granted_by: Option<String>,
    pub until: Option<String>,
    pub ended_by: Option<String>,
    /// Its term ended, or it was renewed; `None` when someone ended it (or it runs on).
    pub ended_how: Option<GrantEnd>,
    pub term: Option<String>,
    /// Its term has passed but it is kept: the holder is the last active organiser.
    pub kept: bool,
}

impl HistoryLine {
    fn new(g: &GrantLine, tz: chrono_tz::Tz) -> Self {
        Self {
            role: g.role,
            from: time::date_in(g.granted_at, tz),
            granted_by: g.granted_by.clone(),
            until: g.ended_at.map(|t| time::date_in(t, tz)),
            ended_by: g.ended_by.clone(),
            ended_how: g.ended_how,
            term: g.term_ends_on.map(time::date),
            kept: g.term_kept && g.ended_at.is_none(),
        }
    }
}

/// A role the member holds now, with its term if it has one.
pub struct RoleNow {
    pub role: Role,
    pub term: Option<TermLine>,
}

/// A current term, and its renewal form (for organisers).
pub struct TermLine {
    /// "30 June 2027".
    pub ends: String,
    /// It has passed, and the grant is kept as the last active organiser's.
    pub kept: bool,
    /// The renewal form's field id (one form per role on the page).
    pub field: &'static str,
    /// The new end offered: a year on, or what the organiser typed.
    pub renew_to: String,
}

/// The roles held now, in [`Role::ALL`] order, with their terms from the history.
fn roles_now(
    person: &MemberLine,
    history: &[GrantLine],
    today: NaiveDate,
    typed: Option<(Role, &str)>,
) -> Vec<RoleNow> {
    person
        .roles
        .iter()
        .map(|&role| {
            let current = history
                .iter()
                .find(|g| g.role == role && g.ended_at.is_none());
            let term = current.and_then(|g| {
                let ends = g.term_ends_on?;
                let renew_to = match typed {
                    Some((r, value)) if r == role => value.to_string(),
                    _ => terms::default_renewal(ends, today).to_string(),
                };
                Some(TermLine {
                    ends: time::date(ends),
                    kept: g.term_kept,
                    field: Renewal::field(role),
                    renew_to,
                })
            });
            RoleNow { role, term }
        })
        .collect()
}

/// One checkbox of the member's own "I am willing to" form.
pub struct Offer {
    pub name: &'static str,
    pub label: &'static str,
    pub ticked: bool,
}

fn offers(willing: Willing) -> Vec<Offer> {
    vec![
        Offer {
            name: "facilitate",
            label: "facilitate a meeting",
            ticked: willing.facilitate,
        },
        Offer {
            name: "take_notes",
            label: "take notes at a meeting",
            ticked: willing.take_notes,
        },
        Offer {
            name: "welcome",
            label: "welcome newcomers (be someone a new member can turn to in their first weeks)",
            ticked: willing.welcome,
        },
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "cans/member.html")]
pub struct MemberPage {
    ctx: Layout,
    nav: CanNav,
    person: DirectoryLine,
    is_me: bool,
    /// What they offer to do at meetings is shown to themselves and to those who ask.
    show_willing: bool,
    /// The member's own form (only on their own page).
    offers: Vec<Offer>,
    history: Vec<HistoryLine>,
    roles_now: Vec<RoleNow>,
    /// Roles an organiser may grant (those the member does not hold), and may end.
    grantable: Vec<Role>,
    endable: Vec<Role>,
    can_manage: bool,
    /// Organisers renew the terms of active members.
    can_renew: bool,
    form: GrantForm,
    errors: FieldErrors,
    /// The member's own path and one next step, on their own page only (never anyone else's).
    own_path: Option<crate::pathways::OwnPath>,
}

/// The member page; `renewing` is a refused renewal's role and the date as typed, kept in its form.
pub(super) async fn member_page(
    state: &AppState,
    access: &CanAccess<impl Requirement>,
    ctx: Layout,
    person: MemberLine,
    form: GrantForm,
    errors: FieldErrors,
    renewing: Option<(Role, &str)>,
) -> Result<MemberPage> {
    let can = &access.can;
    let history = queries::role_history(&state.db, can.id, person.member_id).await?;
    let today = time::today_in(can.time_zone);
    let can_manage = access.membership.is_organiser() && person.status != MembershipStatus::Left;
    let grantable = match person.status {
        MembershipStatus::Active => Role::ALL
            .into_iter()
            .filter(|r| !person.roles.contains(r))
            .collect(),
        _ => Vec::new(),
    };
    Ok(MemberPage {
        ctx,
        nav: CanNav::new(can, &access.membership, Section::Members),
        is_me: person.member_id == access.me.id,
        show_willing: asks_who_is_willing(&access.membership),
        offers: offers(Willing {
            facilitate: person.willing_to_facilitate,
            take_notes: person.willing_to_take_notes,
            welcome: person.willing_to_welcome,
        }),
        can_manage,
        can_renew: can_manage && person.status == MembershipStatus::Active,
        grantable,
        endable: person.roles.clone(),
        roles_now: roles_now(&person, &history, today, renewing),
        history: history
            .iter()
            .map(|g| HistoryLine::new(g, can.time_zone))
            .collect(),
        person: line(person, can.time_zone),
        form,
        errors,
        own_path: None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Path((_slug, member_id)): Path<(String, Uuid)>,
) -> Result<MemberPage> {
    let person = queries::member(&state.db, access.can.id, member_id)
        .await?
        .or_not_found()?;
    let (form, errors) = (GrantForm::default(), FieldErrors::new());
    let mine = member_id == access.me.id;
    let mut page = member_page(&state, &access, ctx, person, form, errors, None).await?;
    // Only the member themselves reads their path; organisers see paths on the pathways view.
    if mine {
        page.own_path = crate::pathways::own_path(&state.db, &access.can, member_id).await?;
    }
    Ok(page)
}

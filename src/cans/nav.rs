//! The frame of every page inside a CAN: its name and the section links, computed here so the
//! template only lists them.

use super::model::{Can, Membership, Role};

/// The sections of a CAN, in the order the navigation shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Stage,
    Health,
    Vision,
    Goals,
    Proposals,
    Decisions,
    Meetings,
    Responsibilities,
    Support,
    Load,
    Pathways,
    Members,
    Newcomers,
    Invitations,
    JoinRequests,
    Activity,
    Settings,
    Search,
}

impl Section {
    const ALL: [Section; 19] = [
        Self::Overview,
        Self::Stage,
        Self::Health,
        Self::Vision,
        Self::Goals,
        Self::Proposals,
        Self::Decisions,
        Self::Meetings,
        Self::Responsibilities,
        Self::Support,
        Self::Load,
        Self::Pathways,
        Self::Members,
        Self::Newcomers,
        Self::Invitations,
        Self::JoinRequests,
        Self::Activity,
        Self::Settings,
        Self::Search,
    ];

    /// The section's path inside the CAN.
    fn path(self) -> &'static str {
        match self {
            Self::Overview => "",
            Self::Stage => "/stage",
            Self::Health => "/health",
            Self::Vision => "/vision",
            Self::Goals => "/goals",
            Self::Proposals => "/proposals",
            Self::Decisions => "/decisions",
            Self::Search => "/search",
            Self::Meetings => "/meetings",
            Self::Responsibilities => "/responsibilities",
            Self::Support => "/support",
            Self::Load => "/load",
            Self::Pathways => "/pathways",
            Self::Members => "/members",
            Self::Newcomers => "/newcomers",
            Self::Invitations => "/invitations",
            Self::JoinRequests => "/join-requests",
            Self::Activity => "/activity",
            Self::Settings => "/settings",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Stage => "Stage",
            Self::Health => "Health",
            Self::Vision => "Vision",
            Self::Goals => "Goals",
            Self::Proposals => "Proposals",
            Self::Decisions => "Decisions",
            Self::Search => "Search",
            Self::Meetings => "Meetings",
            Self::Responsibilities => "Responsibilities",
            Self::Support => "Support",
            Self::Load => "Load",
            Self::Pathways => "Pathways",
            Self::Members => "Members",
            Self::Newcomers => "Newcomers",
            Self::Invitations => "Invitations",
            Self::JoinRequests => "Join requests",
            Self::Activity => "Activity",
            Self::Settings => "Settings",
        }
    }

    /// Who sees the link: the load and pathways views are for organisers and coordinators, the
    /// running of the CAN (newcomers, invitations, requests, the log, settings) for organisers.
    /// (A welcome companion reaches their newcomers from their waiting list and the overview.)
    fn shown_to(self, organiser: bool, coordinator: bool) -> bool {
        match self {
            Self::Load | Self::Pathways => organiser || coordinator,
            Self::Newcomers
            | Self::Invitations
            | Self::JoinRequests
            | Self::Activity
            | Self::Settings => organiser,
            _ => true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// What every page inside a CAN shows around its content.
#[derive(Debug, Clone)]
pub struct CanNav {
    pub slug: String,
    pub name: String,
    pub links: Vec<NavLink>,
    pub is_organiser: bool,
}

impl CanNav {
    pub fn new(can: &Can, membership: &Membership, current: Section) -> Self {
        let organiser = membership.is_organiser();
        let coordinator = membership.is_active() && membership.has(Role::Coordinator);
        Self {
            slug: can.slug.clone(),
            name: can.name.clone(),
            links: Section::ALL
                .into_iter()
                .filter(|s| s.shown_to(organiser, coordinator))
                .map(|s| NavLink {
                    href: format!("/c/{}{}", can.slug, s.path()),
                    label: s.label(),
                    current: s == current,
                })
                .collect(),
            is_organiser: organiser,
        }
    }
}

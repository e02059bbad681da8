//! The search page and the decisions page: read the words, ask one query, lay the rows out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::highlight::{Highlighted, Markers};
use super::queries::{self, EntryKind, Headline, Hit, ParentKind};
use crate::AppState;
use crate::cans::access::{CanAccess, Member};
use crate::cans::nav::{CanNav, Section};
use crate::error::Result;
use crate::web::forms::FieldErrors;
use crate::web::{Layout, Query, time, unprocessable};

/// Results on one page of the search.
pub const SEARCH_PAGE: i64 = 20;
/// The furthest page of results offered (beyond it, better words serve better than paging).
const LAST_SEARCH_PAGE: i64 = 50;
/// Decisions on one page of the decisions list.
pub const DECISIONS_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

/// One result as the page shows it.
pub struct ResultLine {
    kind: &'static str,
    title: String,
    href: String,
    date: String,
    snippet: Highlighted,
}

#[derive(Template, WebTemplate)]
#[template(path = "search/search.html")]
pub struct SearchPage {
    ctx: Layout,
    nav: CanNav,
    /// What was typed, kept in the box (also when refused).
    q: String,
    errors: FieldErrors,
    /// Whether there were words to look for (an empty box shows only the box).
    searched: bool,
    results: Vec<ResultLine>,
    /// The number of the first result on this page.
    first: i64,
    more_link: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Query(query): Query<SearchQuery>,
) -> Result<Response> {
    let nav = CanNav::new(&access.can, &access.membership, Section::Search);
    let mut page = SearchPage {
        ctx,
        nav,
        q: query.q.clone(),
        errors: FieldErrors::new(),
        searched: false,
        results: Vec::new(),
        first: 1,
        more_link: None,
    };
    let words = match super::parse_words(&query.q) {
        Ok(words) => words,
        Err(message) => {
            page.errors.add("q", message);
            return unprocessable(page);
        }
    };
    if words.is_empty() {
        return Ok(page.into_response());
    }
    let number = query
        .page
        .trim()
        .parse::<i64>()
        .unwrap_or(1)
        .clamp(1, LAST_SEARCH_PAGE);
    let markers = Markers::fresh();
    let offset = (number - 1) * SEARCH_PAGE;
    let mut hits = queries::search(
        &state.db,
        access.can.id,
        &words,
        SEARCH_PAGE + 1,
        offset,
        &Headline {
            whole: &markers.options_whole(),
            fragments: &markers.options(),
        },
    )
    .await?;
    let more = hits.len() as i64 > SEARCH_PAGE;
    hits.truncate(SEARCH_PAGE as usize);
    let tz = access.can.time_zone;
    page.searched = true;
    page.first = offset + 1;
    page.more_link = (more && number < LAST_SEARCH_PAGE)
        .then(|| access.path(&format!("/search?{}", query_string(&words, number + 1))));
    page.results = hits
        .into_iter()
        .map(|hit| ResultLine {
            kind: hit.kind.label(),
            title: title_of(&hit),
            href: access.path(&link_of(&hit)),
            date: time::date_in(hit.created_at, tz),
            snippet: markers.to_html(&hit.snippet),
        })
        .collect();
    Ok(page.into_response())
}

fn query_string(words: &str, page: i64) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("q", words)
        .append_pair("page", &page.to_string())
        .finish()
}

/// The result's heading: its own title, or what it is when it has none (a hope, a comment).
fn title_of(hit: &Hit) -> String {
    if !hit.title.trim().is_empty() {
        return hit.title.clone();
    }
    match (hit.kind, hit.parent_kind) {
        (EntryKind::Comment, Some(ParentKind::Proposal)) => "Comment on a proposal",
        (EntryKind::Comment, Some(ParentKind::Objection)) => "Comment on an objection",
        (EntryKind::Comment, Some(ParentKind::Hope)) => "Reply to a hope",
        (EntryKind::Comment, Some(ParentKind::Responsibility)) => "Comment on a responsibility",
        (EntryKind::Comment, _) => "Comment on a meeting",
        (EntryKind::Hope, _) => "A hope",
        (kind, _) => kind.label(),
    }
    .to_string()
}

/// Where a result leads, inside the CAN.
fn link_of(hit: &Hit) -> String {
    let id = hit.subject_id;
    let parent = hit.parent_id.unwrap_or(id);
    match hit.kind {
        EntryKind::Proposal => format!("/proposals/{id}"),
        EntryKind::Meeting => format!("/meetings/{id}"),
        EntryKind::Hope => format!("/threads/hope/{id}"),
        EntryKind::Responsibility => format!("/responsibilities/{id}"),
        EntryKind::Decision => match hit.parent_kind {
            Some(ParentKind::Proposal) => format!("/proposals/{parent}"),
            _ => format!("/meetings/{parent}"),
        },
        EntryKind::Comment => {
            let thread = match (hit.parent_kind, hit.parent_member_id) {
                (Some(ParentKind::Objection), Some(member)) => {
                    format!("/threads/objection/{parent}/{member}")
                }
                (Some(ParentKind::Proposal), _) => format!("/threads/proposal/{parent}"),
                (Some(ParentKind::Hope), _) => format!("/threads/hope/{parent}"),
                (Some(ParentKind::Responsibility), _) => {
                    format!("/threads/responsibility/{parent}")
                }
                _ => format!("/threads/meeting/{parent}"),
            };
            format!("{thread}#comment-{id}")
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    before: String,
}

/// Where a decision came from, as the list shows it.
pub enum Origin {
    /// Recorded in a meeting's minutes.
    Minutes {
        meeting_title: String,
        meeting_href: String,
        meeting_date: String,
    },
    /// An adopted proposal, with the tally its round closed on.
    Proposal {
        title: String,
        href: String,
        tally: Option<String>,
        at_meeting: Option<(String, String)>,
    },
}

pub struct DecisionLine {
    id: Uuid,
    text: String,
    /// With words to find: the text with them marked.
    snippet: Option<Highlighted>,
    date: String,
    origin: Origin,
}

#[derive(Template, WebTemplate)]
#[template(path = "search/decisions.html")]
pub struct DecisionsPage {
    ctx: Layout,
    nav: CanNav,
    q: String,
    errors: FieldErrors,
    narrowed: bool,
    decisions: Vec<DecisionLine>,
    older_link: Option<String>,
    /// Whether this is a later page (a link back to the newest is offered).
    later: bool,
    newest_link: String,
}

pub async fn decisions(
    State(state): State<AppState>,
    access: CanAccess<Member>,
    ctx: Layout,
    Query(query): Query<DecisionsQuery>,
) -> Result<Response> {
    let mut page = DecisionsPage {
        ctx,
        nav: CanNav::new(&access.can, &access.membership, Section::Decisions),
        q: query.q.clone(),
        errors: FieldErrors::new(),
        narrowed: false,
        decisions: Vec::new(),
        older_link: None,
        later: false,
        newest_link: access.path("/decisions"),
    };
    let words = match super::parse_words(&query.q) {
        Ok(words) => words,
        Err(message) => {
            page.errors.add("q", message);
            return unprocessable(page);
        }
    };
    let before = query.before.trim().parse::<Uuid>().ok();
    let markers = Markers::fresh();
    let mut rows = queries::decisions(
        &state.db,
        access.can.id,
        before,
        &words,
        DECISIONS_PAGE + 1,
        &Headline {
            whole: &markers.options_whole(),
            fragments: &markers.options(),
        },
    )
    .await?;
    let more = rows.len() as i64 > DECISIONS_PAGE;
    rows.truncate(DECISIONS_PAGE as usize);
    let tz = access.can.time_zone;
    page.narrowed = !words.is_empty();
    page.later = before.is_some();
    if !words.is_empty() {
        page.newest_link = access.path(&format!(
            "/decisions?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &words)
                .finish()
        ));
    }
    page.older_link = more.then(|| rows.last()).flatten().map(|last| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !words.is_empty() {
            s.append_pair("q", &words);
        }
        s.append_pair("before", &last.id.to_string());
        access.path(&format!("/decisions?{}", s.finish()))
    });
    page.decisions = rows
        .into_iter()
        .map(|d| {
            let meeting = d.meeting_id.map(|id| {
                (
                    d.meeting_title.clone().unwrap_or_default(),
                    access.path(&format!("/meetings/{id}")),
                    d.meeting_starts_at
                        .map(|at| time::date_in(at, tz))
                        .unwrap_or_default(),
                )
            });
            let origin = match (d.proposal_id, meeting) {
                (Some(pid), meeting) => Origin::Proposal {
                    title: d.proposal_title.clone().unwrap_or_default(),
                    href: access.path(&format!("/proposals/{pid}")),
                    tally: tally(&d),
                    at_meeting: meeting.map(|(title, href, _)| (title, href)),
                },
                (None, Some((meeting_title, meeting_href, meeting_date))) => Origin::Minutes {
                    meeting_title,
                    meeting_href,
                    meeting_date,
                },
                // The schema requires a meeting or a proposal; without either, say little.
                (None, None) => Origin::Minutes {
                    meeting_title: String::new(),
                    meeting_href: access.path("/meetings"),
                    meeting_date: String::new(),
                },
            };
            DecisionLine {
                id: d.id,
                snippet: d.snippet.as_deref().map(|s| markers.to_html(s)),
                text: d.body,
                date: time::date_in(d.created_at, tz),
                origin,
            }
        })
        .collect();
    Ok(page.into_response())
}

/// "4 endorsed, 1 stood aside, no objection, of 6 active members".
fn tally(d: &queries::DecisionRow) -> Option<String> {
    let (endorsed, aside, objected) = (d.endorsed?, d.stood_aside?, d.objected?);
    let mut line = format!("{endorsed} endorsed, {aside} stood aside, ");
    line.push_str(&match objected {
        0 => "no objection".to_string(),
        1 => "1 objection".to_string(),
        n => format!("{n} objections"),
    });
    if let Some(active) = d.active {
        line.push_str(&format!(", of {active} active members"));
    }
    Some(line)
}

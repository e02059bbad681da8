//! The inbox, the mail settings and the unsubscribe pages. Thin: each extracts, parses, calls a
//! query or [`super::prefs`], and maps the outcome to a page, a 422 or a redirect.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{DIGEST_FIELD, Settings, SettingsForm};
use super::queries::{self, Cursor};
use super::{Delivery, Kind, link_key, prefs, verify_unsubscribe};
use crate::AppState;
use crate::error::{OrNotFound, Result};
use crate::web::forms::FieldErrors;
use crate::web::{
    CurrentMember, FlashKind, Form, Layout, Path, Query, Session, redirect_with_flash, safe_next,
    time, unprocessable,
};

// ---- The inbox -----------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    before: String,
}

/// One notification as the inbox shows it.
pub struct Item {
    pub id: Uuid,
    pub can_name: Option<String>,
    pub line: String,
    /// The fuller text, as paragraphs of lines (a reach-out's word, a meeting's new time).
    pub detail: Vec<Vec<String>>,
    /// In the member's own zone.
    pub when: String,
    /// For `<time datetime>`.
    pub datetime: String,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/inbox.html")]
pub struct InboxPage {
    ctx: Layout,
    items: Vec<Item>,
    /// Unread on this page.
    unread_here: usize,
    /// The newest shown (for "mark all read": one that arrives meanwhile stays unread).
    newest: Option<String>,
    older_link: Option<String>,
    /// This is a later page (an "older" link was followed).
    paged: bool,
}

pub async fn inbox(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Query(query): Query<InboxQuery>,
) -> Result<InboxPage> {
    // A cursor we did not write shows the first page.
    let before = Cursor::parse(&query.before);
    let mut entries = queries::page(&state.db, me.id, before).await?;
    let more = entries.len() as i64 > queries::PAGE_SIZE;
    entries.truncate(queries::PAGE_SIZE as usize);
    let older_link = more
        .then(|| {
            entries
                .last()
                .map(|e| format!("/notifications?before={}", Cursor::of(e)))
        })
        .flatten();
    let newest = entries.first().map(|e| Cursor::of(e).to_string());
    let items: Vec<Item> = entries
        .into_iter()
        .map(|e| Item {
            id: e.id,
            can_name: e.can_name,
            line: e.line,
            detail: super::mail::paragraphs(e.detail.as_deref().unwrap_or_default())
                .into_iter()
                .map(|p| p.into_iter().map(str::to_string).collect())
                .collect(),
            when: time::datetime_in(e.created_at, me.time_zone),
            datetime: e
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            read: e.read,
        })
        .collect();
    Ok(InboxPage {
        ctx,
        unread_here: items.iter().filter(|i| !i.read).count(),
        items,
        newest,
        older_link,
        paged: before.is_some(),
    })
}

/// Marks one notification read and goes to what it is about. Someone else's (or no) id: 404.
pub async fn open(
    State(state): State<AppState>,
    me: CurrentMember,
    Path(id): Path<Uuid>,
) -> Result<Response> {
    let link = queries::open(&state.db, me.id, id).await?.or_not_found()?;
    // Links are our own paths (the table checks the leading slash); never somewhere else.
    Ok(Redirect::to(&safe_next(Some(&link))).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReadAllForm {
    /// The newest notification the page showed.
    upto: String,
}

pub async fn read_all(
    State(state): State<AppState>,
    me: CurrentMember,
    Form(form): Form<ReadAllForm>,
) -> Result<Response> {
    let marked = queries::read_all(&state.db, me.id, Cursor::parse(&form.upto)).await?;
    let text = match marked {
        0 => "Nothing was unread.".to_string(),
        1 => "1 notification marked read.".to_string(),
        n => format!("{n} notifications marked read."),
    };
    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        &text,
        "/notifications",
    )
    .await
}

// ---- Mail settings -------------------------------------------------------------------------

/// One kind's radio group.
pub struct KindChoice {
    pub kind: Kind,
    /// The value checked: as stored, or as just sent.
    pub value: String,
}

/// The kinds of one group, in the order of [`Kind::ALL`].
pub struct Group {
    pub title: &'static str,
    pub kinds: Vec<KindChoice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/settings.html")]
pub struct SettingsPage {
    ctx: Layout,
    groups: Vec<Group>,
    deliveries: [Delivery; 3],
    /// "yes" / "no", as stored or as just sent.
    digest: String,
    errors: FieldErrors,
}

/// The page's groups with each kind's value: sent in `form`, else stored, else the default.
fn groups(stored: &queries::Stored, form: &SettingsForm) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for kind in Kind::ALL {
        let current = stored
            .kinds
            .iter()
            .position(|k| k == kind.as_str())
            .and_then(|i| stored.deliveries.get(i))
            .map(String::as_str)
            .unwrap_or(kind.default_delivery().as_str());
        let choice = KindChoice {
            kind,
            value: form.value_or(kind.as_str(), current).to_string(),
        };
        match groups.iter_mut().find(|g| g.title == kind.group()) {
            Some(g) => g.kinds.push(choice),
            None => groups.push(Group {
                title: kind.group(),
                kinds: vec![choice],
            }),
        }
    }
    // Asks first, then requests for a hand, meetings, rounds, discussion, membership.
    const ORDER: [&str; 6] = [
        "Asks and answers",
        "Asking for a hand",
        "Meetings",
        "Consent rounds",
        "Discussion",
        "Membership and roles",
    ];
    groups.sort_by_key(|g| {
        ORDER
            .iter()
            .position(|t| *t == g.title)
            .unwrap_or(ORDER.len())
    });
    groups
}

fn settings_page(
    ctx: Layout,
    stored: &queries::Stored,
    form: &SettingsForm,
    errors: FieldErrors,
) -> SettingsPage {
    let digest = if stored.weekly_digest { "yes" } else { "no" };
    SettingsPage {
        ctx,
        groups: groups(stored, form),
        deliveries: Delivery::ALL,
        digest: form.value_or(DIGEST_FIELD, digest).to_string(),
        errors,
    }
}

pub async fn settings(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
) -> Result<SettingsPage> {
    let stored = queries::stored(&state.db, me.id).await?.or_not_found()?;
    Ok(settings_page(
        ctx,
        &stored,
        &SettingsForm::default(),
        FieldErrors::new(),
    ))
}

pub async fn save_settings(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<SettingsForm>,
) -> Result<Response> {
    let settings = match Settings::try_from(&form) {
        Ok(s) => s,
        Err(errors) => {
            let stored = queries::stored(&state.db, me.id).await?.or_not_found()?;
            return unprocessable(settings_page(ctx, &stored, &form, errors));
        }
    };
    if !prefs::save(&state.db, me.id, &settings).await? {
        return Err(crate::error::AppError::NotFound);
    }
    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        "Your mail settings are saved.",
        "/notifications/settings",
    )
    .await
}

// ---- One-click unsubscribe -----------------------------------------------------------------

/// `/unsubscribe/{member}/{scope}/{sig}`, as written into mails.
#[derive(Debug, Deserialize)]
pub struct UnsubscribePath {
    member: Uuid,
    scope: String,
    sig: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/unsubscribe.html")]
pub struct UnsubscribePage {
    ctx: Layout,
    /// What stops: a kind's label, or `None` for every notification mail and the digest.
    about: Option<&'static str>,
    /// A `digest` link: the weekly digest alone.
    digest: bool,
    action: String,
    done: bool,
}

/// The link checked: its scope, if the signature is ours for this member and the member exists.
/// Anything else is not found, and nothing is read beyond that.
async fn checked(state: &AppState, p: &UnsubscribePath) -> Result<super::Scope> {
    let key = link_key(&state.db).await?;
    let scope = verify_unsubscribe(&key, p.member, &p.scope, &p.sig).or_not_found()?;
    if !queries::is_member(&state.db, p.member).await? {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(scope)
}

fn about(scope: super::Scope) -> Option<&'static str> {
    match scope {
        super::Scope::Kind(kind) => Some(kind.label()),
        super::Scope::All | super::Scope::Digest => None,
    }
}

/// Asks before turning anything off (a link opened by a mail scanner changes nothing). Shows only
/// what the link is about: no name, no address.
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Layout,
    Path(p): Path<UnsubscribePath>,
) -> Result<UnsubscribePage> {
    let scope = checked(&state, &p).await?;
    Ok(UnsubscribePage {
        ctx,
        about: about(scope),
        digest: scope == super::Scope::Digest,
        action: format!("/unsubscribe/{}/{}/{}", p.member, p.scope, p.sig),
        done: false,
    })
}

/// The one-click POST (RFC 8058: from the mail provider, with `List-Unsubscribe=One-Click`, no
/// cookie), or the page's button. Any body is accepted and none is read.
pub async fn unsubscribe(
    State(state): State<AppState>,
    session: Option<Extension<Session>>,
    Path(p): Path<UnsubscribePath>,
) -> Result<UnsubscribePage> {
    let scope = checked(&state, &p).await?;
    if !prefs::unsubscribe(&state.db, p.member, scope).await? {
        return Err(crate::error::AppError::NotFound);
    }
    // Without a cookie there is no session: the page goes without the signed-in header.
    let ctx = match session {
        Some(Extension(s)) => Layout {
            member: s.member,
            csrf_token: s.csrf_token,
            flash: None,
            show_account: true,
        },
        None => Layout::bare(),
    };
    Ok(UnsubscribePage {
        ctx,
        about: about(scope),
        digest: scope == super::Scope::Digest,
        action: String::new(),
        done: true,
    })
}

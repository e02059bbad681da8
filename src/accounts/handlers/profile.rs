//! The member's profile and their password. Right after a password change the profile offers a
//! new private calendar link, which someone who knew the old password may have copied.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::signed_in_redirect;
use crate::AppState;
use crate::accounts::forms::{PasswordChange, PasswordForm, ProfileForm, ProfileUpdate};
use crate::accounts::{password, queries, sessions};
use crate::error::Result;
use crate::meetings::feeds;
use crate::web::forms::{FieldErrors, time_zone_names};
use crate::web::{
    CurrentMember, FlashKind, Form, Layout, Query, redirect_with_flash, unprocessable,
};

/// Where a changed password lands: the profile, offering a new calendar link.
pub const AFTER_PASSWORD_CHANGE: &str = "/account/profile?changed=password";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileQuery {
    changed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/profile.html")]
pub struct ProfilePage {
    ctx: Layout,
    email: String,
    form: ProfileForm,
    errors: FieldErrors,
    time_zones: &'static [&'static str],
    /// Shown with a link to the mail settings, where it is changed.
    weekly_digest: bool,
    /// Just after a password change, for a member with a private calendar link.
    offer_new_calendar_link: bool,
}

pub async fn profile_page(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Query(query): Query<ProfileQuery>,
) -> Result<Response> {
    let p = queries::profile(&state.db, me.id).await?;
    let offer_new_calendar_link =
        query.changed == "password" && feeds::has_link(&state.db, me.id).await?;
    Ok(ProfilePage {
        ctx,
        offer_new_calendar_link,
        email: p.email,
        weekly_digest: p.weekly_digest,
        form: ProfileForm {
            display_name: p.display_name,
            pronouns: p.pronouns,
            neighbourhood: p.neighbourhood,
            skills: p.skills,
            time_zone: p.time_zone,
        },
        errors: FieldErrors::new(),
        time_zones: time_zone_names(),
    }
    .into_response())
}

pub async fn update_profile(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<ProfileForm>,
) -> Result<Response> {
    let update = match ProfileUpdate::try_from(&form) {
        Ok(u) => u,
        Err(errors) => {
            let p = queries::profile(&state.db, me.id).await?;
            return unprocessable(ProfilePage {
                ctx,
                email: p.email,
                weekly_digest: p.weekly_digest,
                form,
                errors,
                time_zones: time_zone_names(),
                offer_new_calendar_link: false,
            });
        }
    };
    queries::update_profile(&state.db, me.id, &update).await?;
    let text = "Your profile is saved.";
    redirect_with_flash(
        &state.db,
        me.session_id,
        FlashKind::Success,
        text,
        "/account/profile",
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/password.html")]
pub struct PasswordPage {
    ctx: Layout,
    errors: FieldErrors,
}

pub async fn password_page(_me: CurrentMember, ctx: Layout) -> PasswordPage {
    PasswordPage {
        ctx,
        errors: FieldErrors::new(),
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    me: CurrentMember,
    ctx: Layout,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let invalid = |errors| unprocessable(PasswordPage { ctx, errors });
    let change = match PasswordChange::try_from(&form) {
        Ok(c) => c,
        Err(errors) => return invalid(errors),
    };
    let stored = queries::password_hash(&state.db, me.id).await?;
    if !password::verify(&change.current, Some(stored)).await? {
        let mut errors = FieldErrors::new();
        errors.add("current_password", "That is not your current password.");
        return invalid(errors);
    }
    let hash = password::hash(change.new.expose()).await?;
    let new_session = sessions::change_password(&state.db, me.id, &hash, me.session_id).await?;
    Ok(signed_in_redirect(
        &state,
        AFTER_PASSWORD_CHANGE,
        &new_session,
    ))
}

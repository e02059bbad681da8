//! Argon2id hashing, run on the blocking pool: a hash takes tens of milliseconds of CPU, which
//! must not stall the async workers serving other requests.

use crate::error::Result;

pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    Ok(tokio::task::spawn_blocking(move || password_auth::generate_hash(password)).await?)
}

/// Checks `password` against `stored`, or against a fixed dummy hash when there is no account,
/// so that "no such email" and "wrong password" take the same time.
pub async fn verify(password: &str, stored: Option<String>) -> Result<bool> {
    let password = password.to_owned();
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
    let matches = tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password, &stored).is_ok()
    })
    .await?;
    Ok(known && matches)
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| password_auth::generate_hash("canopy timing equaliser"))
}

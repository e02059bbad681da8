//! The front page: what Canopy is for someone new, a starting point for a signed-in member.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::routing::get;

use crate::AppState;
use crate::web::Layout;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Layout,
}

async fn home(ctx: Layout) -> HomePage {
    HomePage { ctx }
}

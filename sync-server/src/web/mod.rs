//! The back office's web pages (issue 9): server-rendered HTML on the [`Office`] query layer,
//! bilingual (Chinese first), signed in with a browser session, with a few lines of script
//! that refresh a page when devices sync.
//!
//! | path | page |
//! |---|---|
//! | `/login`, `/logout` | sign in (user + password), sign out |
//! | `/` | 今日动态 / Today: the records changed today |
//! | `/records?kind=…` | a record list, the API's filters; `/records/export.csv`, `.xlsx` |
//! | `/records/{id}` | one record: fields, desk forms, history, open conflicts |
//! | `/reviews`, `/approvals` | reports awaiting review, expenses awaiting approval, with forms |
//! | `POST /records/{id}/review`, `…/expense`, `…/proposal` | the desk's actions |
//! | `/daily-logs?month=&team=` | 拜访记录: a month's daily logs and each rep's tally; `POST /records/{id}/acknowledge` |
//! | `/metrics?from=&to=&team=` | invitation funnel and weekly visits as inline SVG, overdue lists |
//! | `/events` | Server-Sent Events: the ids of changed records the user may read |
//!
//! Every page reads through [`Office`], so it shows exactly what the signed-in role may see;
//! a record out of scope answers 404, as one that does not exist.
//!
//! [`Office`]: crate::office::Office

mod charts;
mod desk;
mod error;
mod error_page;
mod events;
mod logs;
mod metrics;
mod pages;
mod record;
mod render;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::app_state::AppState;
use crate::store::ServerStore;

pub use error_page::not_found;

const CSS: &str = include_str!("static/app.css");
const JS: &str = include_str!("static/app.js");

/// The pages' routes.
pub fn router<S: ServerStore>() -> Router<Arc<AppState<S>>> {
    Router::new()
        .route("/", get(pages::today::<S>))
        .route("/login", get(session::login_page).post(session::login::<S>))
        .route("/logout", post(session::logout::<S>))
        .route("/records", get(pages::records::<S>))
        .route("/records/export.csv", get(pages::export_csv::<S>))
        .route("/records/export.xlsx", get(pages::export_xlsx::<S>))
        .route("/records/{id}", get(pages::record::<S>))
        .route("/search", get(pages::search::<S>))
        .route("/metrics", get(metrics::metrics::<S>))
        .route("/events", get(events::events::<S>))
        .route("/reviews", get(desk::reviews::<S>))
        .route("/approvals", get(desk::approvals::<S>))
        .route("/records/{id}/review", post(desk::review::<S>))
        .route("/records/{id}/expense", post(desk::decide::<S>))
        .route("/records/{id}/proposal", post(desk::answer::<S>))
        .route("/daily-logs", get(logs::daily_logs::<S>))
        .route("/records/{id}/acknowledge", post(logs::acknowledge::<S>))
        .route(
            "/static/app.css",
            get(|| asset("text/css; charset=utf-8", CSS)),
        )
        .route(
            "/static/app.js",
            get(|| asset("text/javascript; charset=utf-8", JS)),
        )
}

async fn asset(kind: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        body,
    )
}

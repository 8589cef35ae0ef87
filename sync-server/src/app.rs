//! The app: the router composed of every surface — `/healthz`, `/sync` ([`crate::sync_route`]),
//! the accounts API, the office API and the web pages — behind the security headers. The top
//! of the server's layers: nothing below imports it (`tests/layers.rs` checks).

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::app_state::AppState;
use crate::store::ServerStore;
use crate::{admin_api, guard, office, sync_route, web};

/// The router.
pub fn router<S: ServerStore>(state: Arc<AppState<S>>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(sync_route::router::<S>())
        .merge(admin_api::router::<S>())
        .merge(office::api::router::<S>())
        .merge(web::router::<S>())
        .fallback(web::not_found)
        .with_state(state);
    guard::headers::secure(routes)
}

//! The HTTP surface: `/healthz`, and `/sync`, the WebSocket upgrade. Every device
//! authenticates: `Authorization: Bearer <token>` or `?token=<token>` (stock JS clients cannot
//! set headers on a WebSocket). A wrong or missing token gets 401 before any frame is read.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::accounts::{self, AuthError};
use crate::connection;
use crate::hub::{DocHub, blocking};
use crate::store::{DeviceAuth, ServerStore};

/// Shared state of the routes.
#[derive(Debug)]
pub struct AppState<S: ServerStore> {
    pub hub: Arc<DocHub<S>>,
    pub office: crate::office::Office<S>,
    pub max_message_bytes: usize,
    /// Failed sign-ins per user and per address (browser and device logins alike).
    pub throttle: crate::guard::LoginThrottle,
}

/// The router.
pub fn router<S: ServerStore>(state: Arc<AppState<S>>) -> Router {
    let routes = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/sync", get(sync::<S>))
        .merge(crate::admin_api::router::<S>())
        .merge(crate::office::api::router::<S>())
        .merge(crate::web::router::<S>())
        .fallback(crate::web::not_found)
        .with_state(state);
    crate::guard::headers::secure(routes)
}

/// The SHA-256 of a token, as stored in the `devices` table.
pub fn token_hash(token: &str) -> [u8; 32] {
    crate::accounts::secret_hash(token)
}

fn bearer(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<String> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    header.or_else(|| query.get("token").cloned())
}

/// The device a request's token belongs to, or why not.
pub(crate) async fn authenticate<S: ServerStore>(
    hub: &DocHub<S>,
    token: Option<String>,
) -> Result<DeviceAuth, AuthError> {
    let store = hub.store().clone();
    let now = hub.clock().now();
    match blocking(move || accounts::authenticate(store.as_ref(), now, token.as_deref())).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            Err(AuthError::Unknown)
        }
    }
}

async fn sync<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let token = bearer(&headers, &query);
    let device = match authenticate(&state.hub, token).await {
        Ok(device) => device,
        Err(why) => {
            tracing::info!(reason = ?why, "sync refused");
            return (StatusCode::UNAUTHORIZED, why.to_string()).into_response();
        }
    };
    let hub = state.hub.clone();
    upgrade
        .max_message_size(state.max_message_bytes)
        .max_frame_size(state.max_message_bytes)
        .on_upgrade(move |socket| connection::serve(socket, hub, device))
}

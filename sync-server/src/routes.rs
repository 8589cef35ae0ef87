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
use sha2::{Digest, Sha256};

use crate::connection;
use crate::hub::{DocHub, blocking};
use crate::store::{DeviceAuth, ServerStore};

/// Shared state of the routes.
#[derive(Debug)]
pub struct AppState<S: ServerStore> {
    pub hub: Arc<DocHub<S>>,
    pub max_message_bytes: usize,
}

/// The router.
pub fn router<S: ServerStore>(state: Arc<AppState<S>>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/sync", get(sync::<S>))
        .with_state(state)
}

/// The SHA-256 of a token, as stored in the `devices` table.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn bearer(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<String> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    header.or_else(|| query.get("token").cloned())
}

async fn authenticate<S: ServerStore>(store: Arc<S>, token: Option<String>) -> Option<DeviceAuth> {
    let hash = token_hash(&token?);
    match blocking(move || store.device_for_token(&hash)).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e, "token lookup failed");
            None
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
    let Some(device) = authenticate(state.hub.store().clone(), token).await else {
        tracing::info!("sync refused: missing or unknown token");
        return (
            StatusCode::UNAUTHORIZED,
            "未授权：缺少或无效的设备令牌 / unauthorized: missing or invalid device token",
        )
            .into_response();
    };
    let hub = state.hub.clone();
    upgrade
        .max_message_size(state.max_message_bytes)
        .max_frame_size(state.max_message_bytes)
        .on_upgrade(move |socket| connection::serve(socket, hub, device))
}

//! `/sync`, the WebSocket upgrade. Every device authenticates: `Authorization: Bearer <token>`
//! or `?token=<token>` (stock JS clients cannot set headers on a WebSocket). A wrong or missing
//! token gets 401 before any frame is read.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app_state::AppState;
use crate::auth::authenticate;
use crate::connection;
use crate::store::ServerStore;

/// The route.
pub fn router<S: ServerStore>() -> Router<Arc<AppState<S>>> {
    Router::new().route("/sync", get(sync::<S>))
}

fn bearer(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<String> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    header.or_else(|| query.get("token").cloned())
}

/// The read buffer of each sync connection, and how much output is gathered before a write.
const SOCKET_BUFFER_BYTES: usize = 8 * 1024;

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
    // Buffers sized to need (issue 16): tungstenite allocates its read and write buffers up
    // front, 128 KiB each by default, so an idle phone cost ~140 KiB. A bigger frame still
    // arrives whole: it is read in several reads, not refused.
    upgrade
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        .max_message_size(state.max_message_bytes)
        .max_frame_size(state.max_message_bytes)
        .on_upgrade(move |socket| connection::serve(socket, hub, device))
}

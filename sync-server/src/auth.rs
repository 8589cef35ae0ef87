//! Who is calling: a device's bearer token, looked up (hashed) in the store. Every surface that
//! authenticates a device (sync, accounts API, office API, browser sessions) calls down here.

use axum::http::{HeaderMap, StatusCode};

use crate::accounts::{self, AuthError};
use crate::api_error::ApiError;
use crate::app_state::AppState;
use crate::hub::{DocHub, blocking};
use crate::store::{DeviceAuth, ServerStore};

/// The SHA-256 of a token, as stored in the `devices` table.
pub fn token_hash(token: &str) -> [u8; 32] {
    accounts::secret_hash(token)
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

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_owned)
}

/// The caller of a JSON API, authenticated by its bearer token.
pub(crate) async fn caller<S: ServerStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
) -> Result<DeviceAuth, ApiError> {
    authenticate(&state.hub, bearer(headers))
        .await
        .map_err(|e| ApiError(StatusCode::UNAUTHORIZED, e.to_string()))
}

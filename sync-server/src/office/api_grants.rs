//! The grants API (seed 001 §3.6(4), ADR 0006): a customer-service manager lets a person of
//! another department read one customer file, for a reason, for 1–30 days (default 7), and
//! revokes it. `POST /api/v1/grants`, `GET /api/v1/grants` (active and recently ended: the
//! last 30 days), `DELETE /api/v1/grants/{id}`. Only a customer-service manager grants or
//! revokes (403 otherwise, nothing stored); the list shows a customer-service manager every
//! grant, anyone else their own. The scope follows at once: the grantee's index gains the
//! customer (their phone takes it at its next sync, the office lists it) and loses it on
//! revocation or expiry. Errors as the other JSON APIs: `{"error": "中文 / English"}`.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use fieldbook_core::access::Role;
use fieldbook_core::{RecordId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::accounts::{self, Grant, GrantId, GrantRequest};
use crate::api_error::{ApiError, ApiResult};
use crate::app_state::AppState;
use crate::auth::caller;
use crate::guard::ApiJson;
use crate::hub::blocking;
use crate::store::ServerStore;

/// Largest accepted request body.
const MAX_BODY: usize = 16 * 1024;
/// How far back the list shows ended grants.
const RECENT: TimeDelta = TimeDelta::days(30);

/// The routes.
pub fn router<S: ServerStore>() -> Router<Arc<AppState<S>>> {
    Router::new()
        .route("/api/v1/grants", get(list::<S>).post(create::<S>))
        .route("/api/v1/grants/{id}", delete(revoke::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// A request for a grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// Who may read the customer file.
    #[schema(pattern = r"^[a-z0-9._-]{1,64}$")]
    grantee: String,
    /// The customer's record id.
    #[schema(format = "record-id")]
    record: String,
    /// The business reason (required).
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
    /// 1–30 days (default 7).
    #[schema(minimum = 1, maximum = 30)]
    days: Option<i64>,
}

/// One grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    id: i64,
    grantee: String,
    record: String,
    reason: String,
    granted_by: String,
    granted_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_by: Option<String>,
    /// Whether it lets its holder read now.
    active: bool,
}

impl GrantView {
    fn new(g: Grant, now: DateTime<Utc>) -> Self {
        GrantView {
            active: g.is_active(now),
            id: g.id.0,
            grantee: g.grantee.to_string(),
            record: g.record.to_string(),
            reason: g.reason,
            granted_by: g.granted_by.to_string(),
            granted_at: g.granted_at,
            expires_at: g.expires_at,
            revoked_at: g.revoked_at,
            revoked_by: g.revoked_by.map(|u| u.to_string()),
        }
    }
}

/// `text` as a `T`, or 400 naming it: `zh` and `en` are its name in each language.
fn parse<T: std::str::FromStr>(text: &str, zh: &str, en: &str) -> Result<T, ApiError> {
    text.parse().map_err(|_| {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("无效的{zh} / invalid {en}"),
        )
    })
}

/// Grants a person read access to one customer file (a customer-service manager).
#[utoipa::path(post, path = "/api/v1/grants", request_body = GrantBody, security(("bearer" = [])),
    responses((status = 201, body = GrantView), (status = 400, body = super::api::ErrorBody),
        (status = 403, description = "not a customer-service manager, or an A-grade customer", body = super::api::ErrorBody),
        (status = 404, body = super::api::ErrorBody)))]
async fn create<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<GrantBody>,
) -> ApiResult {
    let who = caller(&state, &headers).await?;
    let req = GrantRequest {
        grantee: parse::<UserId>(&body.grantee, "用户", "user")?,
        record: parse::<RecordId>(&body.record, "记录编号", "record id")?,
        reason: body.reason,
        days: body.days,
    };
    let customer = state.hub.record(req.record).await?.map(|r| r.json);
    let (store, now) = (state.hub.store().clone(), state.hub.clock().now());
    let g =
        blocking(move || accounts::grant(store.as_ref(), now, &who.user, &req, customer.as_ref()))
            .await?;
    state.hub.reload_grants().await?;
    Ok((StatusCode::CREATED, Json(GrantView::new(g, now))).into_response())
}

/// Grants active now and those ended in the last 30 days, newest first: every grant for a
/// customer-service manager, one's own for anyone else.
#[utoipa::path(get, path = "/api/v1/grants", security(("bearer" = [])),
    responses((status = 200, body = Vec<GrantView>), (status = 401, body = super::api::ErrorBody)))]
async fn list<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
) -> ApiResult {
    let who = caller(&state, &headers).await?;
    let all = state.hub.access().dir.role(&who.user) == Some(Role::CustomerServiceManager);
    let (store, now) = (state.hub.store().clone(), state.hub.clock().now());
    let grants = blocking(move || store.grants(now - RECENT)).await?;
    let rows: Vec<GrantView> = grants
        .into_iter()
        .filter(|g| all || g.grantee == who.user)
        .map(|g| GrantView::new(g, now))
        .collect();
    Ok(Json(rows).into_response())
}

/// Revokes a grant (a customer-service manager); the grantee loses the customer at once.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", params(("id" = i64, Path, minimum = 1)), security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 403, body = super::api::ErrorBody),
        (status = 404, body = super::api::ErrorBody)))]
async fn revoke<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let who = caller(&state, &headers).await?;
    let id: GrantId = parse(&id, "授权编号", "grant id")?;
    let (store, now) = (state.hub.store().clone(), state.hub.clock().now());
    let g = blocking(move || accounts::revoke_grant(store.as_ref(), now, &who.user, id)).await?;
    state.hub.reload_grants().await?;
    Ok(Json(GrantView::new(g, now)).into_response())
}

/// The grants API's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(create, list, revoke), components(schemas(GrantBody, GrantView)))]
pub struct GrantsDoc;

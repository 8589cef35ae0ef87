//! The accounts API: devices enrol (one-time code) or sign in (password) for a token; admins
//! manage teams, users, enrolment codes and devices; the erasure of a person's data; the
//! access log. JSON in and out, errors as `{"error": "中文 / English"}` with a fitting status.

use std::sync::Arc;

use std::net::SocketAddr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fieldbook_core::access::Role;
use fieldbook_core::{DeviceId, OsEntropy, RecordId, UserId};
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{self, Credentials, Team};
use crate::api_error::{ApiError, ApiResult};
use crate::app_state::AppState;
use crate::auth::caller;
use crate::guard::{ApiJson, Throttled, query_problem};
use crate::hub::{DataSubject, EditOutcome, Person, blocking};
use crate::store::{DeviceAuth, ServerStore};

/// Largest accepted request body.
const MAX_BODY: usize = 64 * 1024;

/// The routes, under `/api/v1`.
pub fn router<S: ServerStore>() -> Router<Arc<AppState<S>>> {
    Router::new()
        .route("/api/v1/devices/enrol", post(enrol::<S>))
        .route("/api/v1/devices/login", post(device_login::<S>))
        .route("/api/v1/admin/teams", post(put_team::<S>))
        .route("/api/v1/admin/users", post(put_user::<S>))
        .route("/api/v1/admin/users/{user}/enrolment", post(new_code::<S>))
        .route("/api/v1/admin/devices/{device}/revoke", post(revoke::<S>))
        .route("/api/v1/admin/access-log", get(access_log::<S>))
        .route("/api/v1/privacy/erase", post(erase::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The caller, who must be an admin.
async fn admin<S: ServerStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
) -> Result<DeviceAuth, ApiError> {
    let who = caller(state, headers).await?;
    if state.hub.access().dir.role(&who.user) != Some(Role::Admin) {
        return Err(ApiError(
            StatusCode::FORBIDDEN,
            "需要管理员 / an admin is required".into(),
        ));
    }
    Ok(who)
}

fn credentials(c: Credentials) -> Response {
    Json(json!({
        "device": c.device.to_string(),
        "user": c.user.as_str(),
        "token": c.token,
        "expires_at": c.expires_at,
    }))
    .into_response()
}

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, ApiError> {
    text.parse().map_err(|_| {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("无效的{what} / invalid {what}"),
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolBody {
    code: String,
    device: Option<String>,
}

async fn enrol<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    ApiJson(body): ApiJson<EnrolBody>,
) -> ApiResult {
    let device: Option<DeviceId> = body
        .device
        .as_deref()
        .map(|d| parse(d, "device"))
        .transpose()?;
    let (store, clock) = (state.hub.store().clone(), state.hub.clock().clone());
    let c = blocking(move || {
        accounts::redeem_code(
            store.as_ref(),
            clock.as_ref(),
            &OsEntropy,
            &body.code,
            device,
        )
    })
    .await?;
    Ok(credentials(c))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    user: String,
    password: String,
    device: Option<String>,
}

/// 429 with `Retry-After` and the bilingual wait.
pub(crate) fn throttled(t: Throttled) -> Response {
    let retry = [(header::RETRY_AFTER, t.seconds().to_string())];
    let body = Json(json!({ "error": t.message() }));
    (StatusCode::TOO_MANY_REQUESTS, retry, body).into_response()
}

async fn device_login<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult {
    let (now, address) = (state.hub.clock().now(), peer.ip());
    if let Err(t) = state.throttle.check(now, &body.user, address) {
        return Ok(throttled(t));
    }
    let name = body.user.clone();
    let signed_in = login_with(&state, body).await;
    match &signed_in {
        Ok(_) => state.throttle.succeeded(&name),
        Err(e) if e.0 == StatusCode::UNAUTHORIZED || e.0 == StatusCode::BAD_REQUEST => {
            state.throttle.failed(now, &name, address);
        }
        Err(_) => {}
    }
    Ok(credentials(signed_in?))
}

async fn login_with<S: ServerStore>(
    state: &AppState<S>,
    body: LoginBody,
) -> Result<Credentials, ApiError> {
    let user: UserId = parse(&body.user, "user")?;
    let device: Option<DeviceId> = body
        .device
        .as_deref()
        .map(|d| parse(d, "device"))
        .transpose()?;
    let (store, clock) = (state.hub.store().clone(), state.hub.clock().clone());
    let c = blocking(move || {
        accounts::login(
            store.as_ref(),
            clock.as_ref(),
            &OsEntropy,
            &user,
            &body.password,
            device,
        )
    })
    .await?;
    Ok(c)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamBody {
    id: String,
    name: String,
}

async fn put_team<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TeamBody>,
) -> ApiResult {
    admin(&state, &headers).await?;
    let store = state.hub.store().clone();
    blocking(move || {
        store.put_team(&Team {
            id: body.id,
            name: body.name,
        })
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    user: String,
    name: String,
    role: String,
    team: Option<String>,
    password: Option<String>,
}

async fn put_user<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UserBody>,
) -> ApiResult {
    admin(&state, &headers).await?;
    let user: UserId = parse(&body.user, "user")?;
    let role: Role = parse(&body.role, "role")?;
    let store = state.hub.store().clone();
    blocking(move || {
        accounts::create_user(
            store.as_ref(),
            &OsEntropy,
            &user,
            &body.name,
            role,
            body.team,
            body.password.as_deref(),
        )
    })
    .await?;
    // A new role or team changes who may see what: bring every index in line.
    state.hub.reload_access().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn new_code<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(user): Path<String>,
) -> ApiResult {
    admin(&state, &headers).await?;
    let user: UserId = parse(&user, "user")?;
    let (store, clock) = (state.hub.store().clone(), state.hub.clock().clone());
    let code =
        blocking(move || accounts::enrol_code(store.as_ref(), clock.as_ref(), &OsEntropy, &user))
            .await?;
    Ok(Json(json!({ "code": code })).into_response())
}

async fn revoke<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(device): Path<String>,
) -> ApiResult {
    admin(&state, &headers).await?;
    let device: DeviceId = parse(&device, "device")?;
    let (store, now) = (state.hub.store().clone(), state.hub.clock().now());
    let revoked = blocking(move || store.revoke_device(device, now)).await?;
    // End its live connections now, not at its next connect.
    state.hub.revoke(device);
    Ok(Json(json!({ "revoked": revoked })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogQuery {
    record: Option<String>,
    limit: Option<usize>,
}

async fn access_log<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    q: Result<Query<LogQuery>, QueryRejection>,
) -> ApiResult {
    admin(&state, &headers).await?;
    let Query(q) = q.map_err(|r| ApiError(StatusCode::BAD_REQUEST, query_problem(&r)))?;
    let record: Option<RecordId> = q
        .record
        .as_deref()
        .map(|r| parse(r, "record"))
        .transpose()?;
    let limit = q.limit.unwrap_or(100).min(1000);
    let store = state.hub.store().clone();
    let entries = blocking(move || store.access_log(record, limit)).await?;
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            json!({"at": e.at, "user": e.user.as_str(), "device": e.device.map(|d| d.to_string()),
                   "record": e.record.to_string(), "action": e.action})
        })
        .collect();
    Ok(Json(json!({ "entries": rows })).into_response())
}

/// `{"record", "contact"?}`: one contact (or, without `contact`, the lead's prospect) of one
/// record. `{"person": {...}, "dry_run"?}`: a person wherever they stand, in every record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EraseBody {
    record: Option<String>,
    /// A customer's contact id; absent for a lead's prospect.
    contact: Option<String>,
    person: Option<PersonBody>,
    /// Only say which records name the person; change nothing.
    #[serde(default)]
    dry_run: bool,
}

/// A person, by any of their names, phone numbers and e-mail addresses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonBody {
    name: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    emails: Vec<String>,
}

async fn erase<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EraseBody>,
) -> ApiResult {
    let who = caller(&state, &headers).await?;
    match (body.record, body.person) {
        (Some(record), None) if !body.dry_run => {
            erase_in_record(&state, &who.user, &record, body.contact).await
        }
        (None, Some(person)) if body.contact.is_none() => {
            erase_person(&state, &who.user, person, body.dry_run).await
        }
        _ => Err(ApiError(
            StatusCode::BAD_REQUEST,
            "请给出 record（可带 contact）或 person 之一 / give either record (with an optional \
             contact) or person"
                .into(),
        )),
    }
}

async fn erase_in_record<S: ServerStore>(
    state: &AppState<S>,
    by: &UserId,
    record: &str,
    contact: Option<String>,
) -> ApiResult {
    let record: RecordId = parse(record, "record")?;
    let person = contact.map_or(Person::Prospect, Person::Contact);
    match state.hub.erase(by, record, &person).await? {
        EditOutcome::Stored(_) => Ok(Json(json!({ "erased": record.to_string() })).into_response()),
        EditOutcome::NotFound => Err(ApiError(
            StatusCode::NOT_FOUND,
            "未找到记录 / no such record".into(),
        )),
        EditOutcome::Refused(r) => Err(ApiError(StatusCode::FORBIDDEN, r.to_string())),
    }
}

async fn erase_person<S: ServerStore>(
    state: &AppState<S>,
    by: &UserId,
    person: PersonBody,
    dry_run: bool,
) -> ApiResult {
    let names: Vec<String> = person.name.into_iter().chain(person.names).collect();
    let subject = DataSubject::new(&names, &person.phones, &person.emails)?;
    let done = state.hub.erase_person(by, &subject, dry_run).await?;
    let ids: Vec<String> = done.erased.iter().map(ToString::to_string).collect();
    Ok(Json(json!({
        "erased": ids,
        "outside_scope": done.outside_scope,
        "dry_run": dry_run,
    }))
    .into_response())
}

//! The back office's JSON API under `/api/v1`: thin handlers over [`Office`]. Every endpoint
//! but the OpenAPI document needs a bearer token (the same as a device's, from
//! `POST /api/v1/devices/login`); errors are `{"error": "中文 / English"}` with 400 (bad filter,
//! value or body: a generic message naming the field at most), 401, 403 (refused by the write
//! rules, or an import by a role that may not import), 404 (absent or out of scope), 409 (a desk
//! action on a record of another kind, e.g. a review of a customer), 413 (body,
//! file or table over a limit), 415 (import of an unknown file type), 422 (a file that cannot
//! be read), 500 (a generic message; the details are logged).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use fieldbook_core::{RecordId, UserId};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::api_doc::{BearerAuth, StandardErrors};
use super::export::XLSX_TYPE;
use super::{
    ExportFormat, ImportFormat, ListQuery, MetricsQuery, Office, Reassign, RecordFilter, Viewer,
};
use crate::api_error::{ApiError, ApiResult};
use crate::app_state::AppState;
use crate::auth::caller;
use crate::guard::{ApiJson, query_problem};
use crate::hub::EditOutcome;
use crate::store::ServerStore;

/// Largest JSON body of a desk action.
const MAX_BODY: usize = 64 * 1024;
/// Largest import file.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

/// The routes.
pub fn router<S: ServerStore>() -> Router<Arc<AppState<S>>> {
    let import = post(import::<S>).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES));
    Router::new()
        .route("/api/v1/records", get(list::<S>))
        .route("/api/v1/records/export.csv", get(export_csv::<S>))
        .route("/api/v1/records/export.xlsx", get(export_xlsx::<S>))
        .route("/api/v1/records/{id}", get(record::<S>))
        .route("/api/v1/records/{id}/review", post(review::<S>))
        .route("/api/v1/records/{id}/expense/approve", post(approve::<S>))
        .route("/api/v1/records/{id}/expense/reject", post(reject::<S>))
        .route("/api/v1/records/{id}/proposal/answer", post(answer::<S>))
        .route("/api/v1/records/{id}/acknowledge", post(acknowledge::<S>))
        .route("/api/v1/records/{id}/reassign", post(reassign::<S>))
        .route("/api/v1/search", get(search::<S>))
        .route("/api/v1/metrics", get(metrics::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .route("/api/v1/import/customers", import)
        .route("/api/v1/openapi.json", get(openapi))
        .merge(super::api_grants::router::<S>())
}

/// An error body.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// "中文 / English".
    error: String,
}

fn err(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError(status, message.into())
}

fn bad_query(r: QueryRejection) -> ApiError {
    err(StatusCode::BAD_REQUEST, query_problem(&r))
}

async fn viewer<S: ServerStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
) -> Result<Viewer, ApiError> {
    Ok(caller(state, headers).await?.into())
}

fn record_id(id: &str) -> Result<RecordId, ApiError> {
    id.parse().map_err(|_| {
        err(
            StatusCode::BAD_REQUEST,
            format!("无效的记录编号 / invalid record id `{id}`"),
        )
    })
}

fn not_found() -> ApiError {
    err(StatusCode::NOT_FOUND, "未找到记录 / no such record")
}

fn edited(outcome: EditOutcome) -> ApiResult {
    match outcome {
        EditOutcome::Stored(record) => Ok(Json(json!({ "record": record })).into_response()),
        EditOutcome::NotFound => Err(not_found()),
        EditOutcome::Refused(r) => Ok((
            StatusCode::FORBIDDEN,
            Json(json!({ "error": r.to_string(), "field": r.field })),
        )
            .into_response()),
    }
}

fn office<S: ServerStore>(state: &AppState<S>) -> &Office<S> {
    &state.office
}

/// A page of the merged records the caller may read.
#[utoipa::path(get, path = "/api/v1/records", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = super::Page), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let Query(q) = q.map_err(bad_query)?;
    let filter = RecordFilter::parse(&q, office(&state).calendar(), true)?;
    Ok(Json(office(&state).list(&who, &filter).await?).into_response())
}

async fn export_as<S: ServerStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
    format: ExportFormat,
) -> ApiResult {
    let who = viewer(state, headers).await?;
    let Query(q) = q.map_err(bad_query)?;
    let filter = RecordFilter::parse(&q, office(state).calendar(), false)?;
    let bytes = office(state).export(&who, &filter, format).await?;
    Ok(format.download(bytes))
}

/// The same list as CSV (every matching record unless a page is asked for).
#[utoipa::path(get, path = "/api/v1/records/export.csv", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 400, body = ErrorBody)))]
async fn export_csv<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult {
    export_as(&state, &headers, q, ExportFormat::Csv).await
}

/// The same list as XLSX.
#[utoipa::path(get, path = "/api/v1/records/export.xlsx", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, body = ErrorBody)))]
async fn export_xlsx<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult {
    export_as(&state, &headers, q, ExportFormat::Xlsx).await
}

/// One record: merged value, history, open conflicts. Viewing a customer is logged.
#[utoipa::path(get, path = "/api/v1/records/{id}", params(super::api_doc::RecordPath),
    security(("bearer" = [])),
    responses((status = 200, body = super::RecordDetail), (status = 404, body = ErrorBody)))]
async fn record<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let id = record_id(&id)?;
    match office(&state).record(&who, id).await? {
        Some(detail) => Ok(Json(detail).into_response()),
        None => Err(not_found()),
    }
}

/// The search's query string.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Chinese, pinyin (full or initials), phone digits in any form, a lead's code.
    q: String,
    /// At most this many hits (default 50, at most 200).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// Searches the records the caller may read, as the device does.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams), security(("bearer" = [])),
    responses((status = 200, body = super::api_doc::SearchHits), (status = 400, body = ErrorBody)))]
async fn search<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    q: Result<Query<SearchParams>, QueryRejection>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let Query(q) = q.map_err(bad_query)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(err(
            StatusCode::BAD_REQUEST,
            "limit 须为 1 到 200 / `limit` is 1 to 200",
        ));
    }
    let hits = office(&state).search(&who, &q.q, limit).await?;
    Ok(Json(json!({ "hits": hits })).into_response())
}

/// Invitation rates, visits and A/B customers per rep per week, overdue reports and
/// follow-ups, trade-show lead response times.
#[utoipa::path(get, path = "/api/v1/metrics", params(MetricsQuery), security(("bearer" = [])),
    responses((status = 200, body = super::Metrics), (status = 400, body = ErrorBody)))]
async fn metrics<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    q: Result<Query<MetricsQuery>, QueryRejection>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let Query(q) = q.map_err(bad_query)?;
    Ok(Json(office(&state).metrics(&who, &q).await?).into_response())
}

/// A supervisor's review of a return-visit report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    guidance: String,
}

/// Reviews a filed return-visit report with guidance (a supervisor).
#[utoipa::path(post, path = "/api/v1/records/{id}/review", request_body = ReviewBody,
    params(super::api_doc::RecordPath), security(("bearer" = [])),
    responses((status = 200, description = "the record as it now is"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn review<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<ApiJson<ReviewBody>, ApiError>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let id = record_id(&id)?;
    let ApiJson(body) = body?;
    edited(office(&state).review(&who, id, &body.guidance).await?)
}

/// The comment of an expense decision or of a daily log's acknowledgement.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    comment: String,
}

async fn decide<S: ServerStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
    id: &str,
    body: Result<ApiJson<DecisionBody>, ApiError>,
    approved: bool,
) -> ApiResult {
    let who = viewer(state, headers).await?;
    let id = record_id(id)?;
    let ApiJson(body) = body?;
    edited(
        office(state)
            .decide_expense(&who, id, approved, &body.comment)
            .await?,
    )
}

/// Approves a reception expense (the customer-service manager's or the finance manager's half).
#[utoipa::path(post, path = "/api/v1/records/{id}/expense/approve", request_body = DecisionBody,
    params(super::api_doc::RecordPath), security(("bearer" = [])),
    responses((status = 200, description = "the record as it now is"), (status = 403, body = ErrorBody)))]
async fn approve<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<ApiJson<DecisionBody>, ApiError>,
) -> ApiResult {
    decide(&state, &headers, &id, body, true).await
}

/// Rejects a reception expense.
#[utoipa::path(post, path = "/api/v1/records/{id}/expense/reject", request_body = DecisionBody,
    params(super::api_doc::RecordPath), security(("bearer" = [])),
    responses((status = 200, description = "the record as it now is"), (status = 403, body = ErrorBody)))]
async fn reject<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<ApiJson<DecisionBody>, ApiError>,
) -> ApiResult {
    decide(&state, &headers, &id, body, false).await
}

/// Acknowledges a rep's reported daily log (her supervisor, seed 003; the judge refuses anyone
/// else and a second acknowledgement).
#[utoipa::path(post, path = "/api/v1/records/{id}/acknowledge", request_body = DecisionBody,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, description = "the record as it now is"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn acknowledge<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<ApiJson<DecisionBody>, ApiError>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let id = record_id(&id)?;
    let ApiJson(body) = body?;
    edited(
        office(&state)
            .acknowledge_log(&who, id, &body.comment)
            .await?,
    )
}

/// An answer to a customer proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The proposal's id in the report.
    proposal: String,
    /// `accepted`, `kept` or `rejected`.
    #[schema(pattern = "^(accepted|kept|rejected)$")]
    outcome: String,
    answer: String,
}

/// Answers a customer proposal of a return-visit report.
#[utoipa::path(post, path = "/api/v1/records/{id}/proposal/answer", request_body = AnswerBody,
    params(super::api_doc::RecordPath), security(("bearer" = [])),
    responses((status = 200, description = "the record as it now is"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn answer<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<ApiJson<AnswerBody>, ApiError>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let id = record_id(&id)?;
    let ApiJson(b) = body?;
    let office = office(&state);
    edited(
        office
            .answer_proposal(&who, id, &b.proposal, &b.outcome, &b.answer)
            .await?,
    )
}

/// Who takes over a lead or customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignBody {
    /// The user id of a field rep or supervisor.
    #[schema(pattern = r"^[a-z0-9._-]{1,64}$")]
    to: String,
}

/// Hands a lead or a customer to another rep.
#[utoipa::path(post, path = "/api/v1/records/{id}/reassign", request_body = ReassignBody,
    params(super::api_doc::RecordPath), security(("bearer" = [])),
    responses((status = 200, description = "the record as it now is"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn reassign<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<ApiJson<ReassignBody>, ApiError>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let id = record_id(&id)?;
    let ApiJson(b) = body?;
    let to = UserId::new(&b.to).map_err(|_| {
        err(
            StatusCode::BAD_REQUEST,
            format!("无效的用户 / invalid user `{}`", b.to),
        )
    })?;
    edited(office(&state).reassign(&who, id, &Reassign { to }).await?)
}

/// Imports customers from a CSV (`text/csv`) or XLSX file given as the body. All or nothing:
/// 200 with the report when every row was imported, 400 with it when any row is invalid.
#[utoipa::path(post, path = "/api/v1/import/customers", security(("bearer" = [])),
    request_body(content = Vec<u8>, description = "the file", content_type = "text/csv"),
    responses((status = 200, body = super::api_doc::ImportDone), (status = 400, body = super::api_doc::ImportRefused),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn import<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let who = viewer(&state, &headers).await?;
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            err(
                r.status(),
                format!(
                    "文件超过 {} MiB / the file exceeds {} MiB",
                    MAX_IMPORT_BYTES >> 20,
                    MAX_IMPORT_BYTES >> 20
                ),
            )
        } else {
            tracing::info!(error = %r.body_text(), "import body unreadable");
            err(
                StatusCode::BAD_REQUEST,
                "无法读取文件 / the file could not be read",
            )
        }
    })?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    let format = match media {
        "text/csv" => ImportFormat::Csv,
        XLSX_TYPE => ImportFormat::Xlsx,
        _ => {
            return Err(err(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("请上传 CSV 或 XLSX 文件 / send text/csv or {XLSX_TYPE}"),
            ));
        }
    };
    let report = office(&state).import_customers(&who, &body, format).await?;
    let status = if report.invalid_rows > 0 {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = if report.invalid_rows > 0 {
        let error = "有无效的行，未导入任何客户 / some rows are invalid: nothing was imported";
        json!({ "error": error, "report": report })
    } else {
        json!({ "report": report })
    };
    Ok((status, Json(body)).into_response())
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "OpenAPI 3.1")))]
async fn openapi() -> Response {
    let mut doc = ApiDoc::openapi();
    doc.merge(super::api_grants::GrantsDoc::openapi());
    // After the merge, so the grants' operations list every error too.
    utoipa::Modify::modify(&StandardErrors, &mut doc);
    Json(doc).into_response()
}

/// The OpenAPI document, generated from the handlers' annotations and the types' schemas.
#[derive(OpenApi)]
#[openapi(
    info(title = "Fieldbook back office API", description = "后台 / The back office: merged records, search, metrics, desk actions, import and export."),
    paths(list, export_csv, export_xlsx, record, search, metrics, review, approve, reject, answer,
        acknowledge, reassign, import, openapi),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

//! The JSON APIs' error: a status and a bilingual message, sent as `{"error": "中文 / English"}`.
//! Shared by the accounts API, the office API and the JSON extractor (`guard::json`), so it
//! sits below all three.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ServerError;

/// An API error: a status and a bilingual message, sent as `{"error": "中文 / English"}`.
#[derive(Debug)]
pub struct ApiError(pub(crate) StatusCode, pub(crate) String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> Self {
        let status = e.http_status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The details (storage, tasks) are for the log, not the caller.
            tracing::error!(error = %e, "api request failed");
            return ApiError(
                status,
                "服务器出错，请稍后再试 / the server failed: please try again later".into(),
            );
        }
        ApiError(status, e.to_string())
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

//! Request bodies and queries refused without the parser's words. Issue 15, finding 7: serde's
//! and axum's rejection texts ("Failed to deserialize the JSON body into the target type: …
//! at line 1 column 9") described the server's types to any caller. Now the answer is a
//! generic bilingual message that names the field at most (and only a field of our own types,
//! never a name the caller sent); the details go to the log.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;

/// A JSON body, like `axum::Json`, whose rejection is an [`ApiError`] with a generic message.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| m == "application/json" || m.ends_with("+json"))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "请求体须为 JSON / the body must be application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                return ApiError(
                    r.status(),
                    "请求体过大 / the request body is too large".into(),
                );
            }
            tracing::info!(error = %r.body_text(), "request body unreadable");
            ApiError(StatusCode::BAD_REQUEST, bad_json(None))
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// `bytes` as a `T`, or a 400 naming at most the field that was wrong.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let refused = |field: Option<&str>| ApiError(StatusCode::BAD_REQUEST, bad_json(field));
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        tracing::info!(error = %e, "JSON body refused");
        if e.inner().classify() != serde_json::error::Category::Data {
            return refused(None);
        }
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        match inner.strip_prefix("missing field `") {
            Some(rest) => refused(rest.split('`').next()),
            None if path != "." => refused(Some(&path)),
            None => refused(None),
        }
    })?;
    de.end().map_err(|e| {
        tracing::info!(error = %e, "JSON body refused");
        refused(None)
    })?;
    Ok(value)
}

/// A name safe to repeat: one of our types' field names (`record`, `items[0].id`).
fn safe_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c))
}

/// The message for a body that is not the JSON expected, naming `field` if it is safe to.
pub fn bad_json(field: Option<&str>) -> String {
    match field.filter(|f| safe_name(f)) {
        Some(f) => format!("请求体无效：字段 {f} / invalid JSON body: field {f}"),
        None => "请求体无效 / invalid JSON body".into(),
    }
}

/// The message for a query string that does not fit, naming the parameter (a plain
/// lower-case name, ours or the caller's) and nothing of what the parser said.
pub fn query_problem(r: &QueryRejection) -> String {
    let text = r.body_text();
    tracing::info!(error = %text, "query refused");
    let detail = text.split_once(": ").map_or("", |(_, d)| d);
    let name = match detail
        .strip_prefix("unknown field `")
        .or_else(|| detail.strip_prefix("missing field `"))
    {
        Some(rest) => rest.split('`').next(),
        None => detail.split_once(": ").map(|(path, _)| path),
    };
    let plain = |n: &&str| {
        (1..=32).contains(&n.len())
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    match name.filter(plain) {
        Some(n) => format!("查询参数无效 / invalid query: {n}"),
        None => "查询参数无效 / invalid query".into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        guidance: String,
        count: Option<u32>,
    }

    fn message(body: &str) -> String {
        parse::<Body>(body.as_bytes()).unwrap_err().1
    }

    #[test]
    fn rejections_name_our_field_at_most_and_never_the_parser() {
        assert_eq!(
            message(r#"{"guidance": 1}"#),
            "请求体无效：字段 guidance / invalid JSON body: field guidance"
        );
        assert!(message("{}").contains("field guidance"));
        for bad in [
            r#"{"guidance": "x", "<script>": 1}"#,
            r#"{"guidance": "#,
            r#"{"guidance": "x"} trailing"#,
        ] {
            let m = message(bad);
            assert_eq!(m, "请求体无效 / invalid JSON body", "{bad}");
        }
        assert!(parse::<Body>(br#"{"guidance": "ok", "count": 2}"#).is_ok());
    }
}

//! The pages' errors: a bilingual page with the status (400, 403, 404, 500), or — for a
//! visitor who is not signed in or whose session ended — a redirect to the login page that
//! comes back to where they were.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::render::{encode, render};
use crate::error::ServerError;

/// Why a page was not served.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in: to the login page, then back to `next`.
    SignIn { next: String },
    /// An error page with this status and bilingual message.
    Page(StatusCode, String),
}

impl WebError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        WebError::Page(StatusCode::BAD_REQUEST, message.into())
    }

    /// A form that did not fit: a generic message; the parser's words go to the log.
    pub fn bad_form(r: &axum::extract::rejection::FormRejection) -> Self {
        tracing::info!(error = %r.body_text(), "form refused");
        WebError::bad_request("表单无效 / invalid form")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        WebError::Page(StatusCode::FORBIDDEN, message.into())
    }

    /// The same for a record that does not exist and one out of the viewer's scope.
    pub fn no_record() -> Self {
        WebError::Page(
            StatusCode::NOT_FOUND,
            "没有这条记录，或您无权查看 / no such record, or not yours to see".into(),
        )
    }

    pub fn internal() -> Self {
        WebError::Page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器出错，请稍后再试 / the server failed: please try again later".into(),
        )
    }
}

impl From<ServerError> for WebError {
    fn from(e: ServerError) -> Self {
        let status = e.http_status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "page failed");
            return WebError::internal();
        }
        WebError::Page(status, e.to_string())
    }
}

/// A status's title, Chinese and English.
fn titles(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("请求无效", "Bad request"),
        401 => ("请先登录", "Please sign in"),
        403 => ("无权访问", "Forbidden"),
        404 => ("未找到", "Not found"),
        413 => ("内容过大", "Too large"),
        422 => ("无法处理", "Unprocessable"),
        429 => ("请稍后再试", "Too many attempts"),
        _ => ("服务器错误", "Server error"),
    }
}

/// The error page.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let (title_zh, title_en) = titles(status);
    let ctx = context! { status => status.as_u16(), title_zh, title_en, message };
    match render("error.html", ctx) {
        Ok(html) => (status, html).into_response(),
        Err(_) => (status, format!("{title_zh} / {title_en}: {message}")).into_response(),
    }
}

/// A `303 See Other` to `to`.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn { next } => see_other(&format!("/login?next={}", encode(&next))),
            WebError::Page(status, message) => error_page(status, &message),
        }
    }
}

/// The page for any path no route knows.
pub async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "没有这个页面 / there is no such page",
    )
}

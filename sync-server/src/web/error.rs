//! The pages' errors: a bilingual page with the status (400, 403, 404, 500), or — for a
//! visitor who is not signed in or whose session ended — a redirect to the login page that
//! comes back to where they were. How an error is shown is `error_page.rs` (it renders a
//! template, and rendering can itself fail with a [`WebError`]).

use axum::http::StatusCode;

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

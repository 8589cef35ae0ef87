//! How a [`WebError`] is shown: the bilingual error page, or the redirect to the login page.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::error::WebError;
use super::render::{encode, render};

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

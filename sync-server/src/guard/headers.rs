//! Security headers on every page, API answer and error, set by `tower-http`'s set-header
//! layer (only where a handler did not set its own).
//!
//! The policy allows scripts, styles and connections (`fetch`, Server-Sent Events) from this
//! origin only, and no inline code: the back office's pages load `/static/app.js` and
//! `/static/app.css` and nothing else (the charts' SVG styles live in `app.css`). No page may
//! be framed (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older browsers), no
//! answer is content-sniffed, and no URL (record ids) leaves in a `Referer`.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy of every answer.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

/// Every header set on every answer, with its value.
pub const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// `router` with the security headers on every answer, the fallback's included.
pub fn secure<S: Clone + Send + Sync + 'static>(mut router: Router<S>) -> Router<S> {
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

//! The browser session. Signing in goes through the same accounts code as a phone
//! (`accounts::login_for`): the browser becomes a device of its own with a token valid for a
//! working day, kept in an `HttpOnly`, `SameSite=Strict` cookie (script cannot read it, and no
//! other site's page can make the browser send it). Every form also carries a CSRF token
//! derived from the session token (SHA-256 of a label and the token), checked on every POST:
//! a second defence for browsers that ignore `SameSite`. Signing out revokes the device.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use fieldbook_core::access::Role;
use fieldbook_core::{OsEntropy, UserId};
use minijinja::context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::WebError;
use super::error_page::see_other;
use super::render::{render, role_names};
use crate::accounts;
use crate::app_state::AppState;
use crate::auth::authenticate;
use crate::error::ServerError;
use crate::hub::blocking;
use crate::office::Viewer;
use crate::store::ServerStore;

/// The session cookie's name.
pub const COOKIE: &str = "fieldbook_session";
/// How long a browser session lasts.
pub const SESSION_TTL: TimeDelta = TimeDelta::hours(12);

/// A signed-in visitor.
#[derive(Debug, Clone)]
pub struct Session {
    pub viewer: Viewer,
    pub role: Option<Role>,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// What every page's frame shows of the visitor.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub user: String,
    pub role_zh: &'static str,
    pub role_en: &'static str,
    pub csrf: String,
    pub can_review: bool,
    pub can_approve: bool,
}

impl Session {
    pub fn me(&self) -> Me {
        let (role_zh, role_en) = role_names(self.role);
        Me {
            user: self.viewer.user.to_string(),
            role_zh,
            role_en,
            csrf: self.csrf.clone(),
            can_review: self.role == Some(Role::Supervisor),
            can_approve: matches!(
                self.role,
                Some(Role::CustomerServiceManager | Role::FinanceManager)
            ),
        }
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check(&self, csrf: &str) -> Result<(), WebError> {
        let (a, b) = (self.csrf.as_bytes(), csrf.as_bytes());
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(WebError::forbidden(
                "表单已过期，请刷新页面后重试 / the form has expired: reload the page and try again",
            ))
        }
    }
}

fn csrf_of(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"fieldbook web form\n");
    h.update(token.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// The session token in the request's cookies.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

impl<S: ServerStore> FromRequestParts<Arc<AppState<S>>> for Session {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState<S>>,
    ) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let Some(token) = cookie_token(&parts.headers) else {
            return Err(WebError::SignIn { next: next.into() });
        };
        let csrf = csrf_of(&token);
        match authenticate(&state.hub, Some(token)).await {
            Ok(auth) => {
                let role = state.hub.access().dir.role(&auth.user);
                Ok(Session {
                    viewer: auth.into(),
                    role,
                    csrf,
                })
            }
            Err(_) => Err(WebError::SignIn { next: next.into() }),
        }
    }
}

/// Where to go after signing in: only a path of this site — one leading `/` not followed by
/// another `/` or a `\\`, no backslash, no whitespace or control character anywhere (browsers
/// drop tabs and newlines from URLs, so `/\t/evil.example` would become `//evil.example`).
/// Anything else goes to the start page.
fn safe_next(next: Option<&str>) -> &str {
    let local = |n: &str| {
        let mut chars = n.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    };
    match next {
        Some(n) if local(n) => n,
        _ => "/",
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// The login page.
pub async fn login_page(Query(q): Query<LoginQuery>) -> Result<Response, WebError> {
    let next = safe_next(q.next.as_deref());
    Ok(render("login.html", context! { next, user => "" })?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    user: String,
    password: String,
    next: Option<String>,
}

/// Signs in: a new browser device with a session token in the cookie, then to `next`. Too
/// many failures for the name or from the address answer 429 before any password is checked.
pub async fn login<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|r| WebError::bad_form(&r))?;
    let next = safe_next(form.next.as_deref()).to_owned();
    let (now, address) = (state.hub.clock().now(), peer.ip());
    let page = |status: StatusCode, error: String| -> Result<Response, WebError> {
        let page = render("login.html", context! { next, user => form.user, error })?;
        Ok((status, page).into_response())
    };
    if let Err(t) = state.throttle.check(now, &form.user, address) {
        let mut resp = page(StatusCode::TOO_MANY_REQUESTS, t.message())?;
        if let Ok(v) = t.seconds().to_string().parse() {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(resp);
    }
    match sign_in(&state, &form).await? {
        Some(creds) => {
            state.throttle.succeeded(&form.user);
            Ok(signed_in(&creds, &next))
        }
        None => {
            state.throttle.failed(now, &form.user, address);
            let error = "用户名或密码错误 / wrong user name or password";
            page(StatusCode::UNAUTHORIZED, error.into())
        }
    }
}

/// The credentials of a right user name and password, `None` for a wrong one.
async fn sign_in<S: ServerStore>(
    state: &AppState<S>,
    form: &LoginForm,
) -> Result<Option<accounts::Credentials>, WebError> {
    let Ok(user) = UserId::new(form.user.trim()) else {
        return Ok(None);
    };
    let (store, clock) = (state.hub.store().clone(), state.hub.clock().clone());
    let password = form.password.clone();
    let signed_in = blocking(move || {
        accounts::login_for(
            store.as_ref(),
            clock.as_ref(),
            &OsEntropy,
            &user,
            &password,
            None,
            SESSION_TTL,
        )
    })
    .await;
    match signed_in {
        Ok(c) => Ok(Some(c)),
        Err(ServerError::Unauthorized(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The redirect to `next` that sets the session cookie.
fn signed_in(creds: &accounts::Credentials, next: &str) -> Response {
    tracing::info!(user = %creds.user, device = %creds.device, "browser signed in");
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        creds.token,
        SESSION_TTL.num_seconds()
    );
    let mut resp = see_other(next);
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// A form that carries only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// Signs out: revokes the browser's device (its token stops working everywhere at once).
pub async fn logout<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, WebError> {
    let Form(form) = form.map_err(|r| WebError::bad_form(&r))?;
    session.check(&form.csrf)?;
    if let Some(device) = session.viewer.device {
        let (store, now) = (state.hub.store().clone(), state.hub.clock().now());
        blocking(move || store.revoke_device(device, now)).await?;
        state.hub.revoke(device);
    }
    let mut resp = see_other("/login");
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = clear.parse() {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(
            safe_next(Some("/records?kind=customer")),
            "/records?kind=customer"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/records\\x",
            "\\\\evil.example",
            "records",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            format!("a=1; {COOKIE}=abc; b=2")
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(cookie_token(&h).as_deref(), Some("abc"));
        assert_ne!(csrf_of("abc"), csrf_of("abd"));
    }
}

//! Password guessing and user enumeration (finding 7): the sign-in throttle, per user and per
//! address, on the server's injected clock; the dummy Argon2 verification for unknown users.

use std::net::Ipv4Addr;
use std::sync::Arc;

use chrono::TimeDelta;
use fieldbook_core::FixedClock;
use fieldbook_sync_server::{ServerStore, accounts};
use serde_json::json;

use super::{PASSWORD, assert_bilingual, client, client_from, error_of, json_of, now};
use crate::common::{World, user};

/// The throttle's limits (`guard::throttle`), as documented.
const USER_FAILURES: usize = 5;
const ADDRESS_FAILURES: usize = 20;
const LOCKOUT: TimeDelta = TimeDelta::minutes(5);

async fn device_login_from(
    c: &reqwest::Client,
    w: &World,
    name: &str,
    password: &str,
) -> reqwest::Response {
    let body = json!({ "user": name, "password": password });
    c.post(w.http("/api/v1/devices/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn device_login(w: &World, name: &str, password: &str) -> reqwest::Response {
    device_login_from(&client(), w, name, password).await
}

fn tokens_of(w: &World, name: &str) -> usize {
    let tokens = w.store.device_tokens().unwrap();
    tokens.iter().filter(|t| t.user.as_str() == name).count()
}

/// A 429 with `Retry-After` of `seconds` and the bilingual wait.
fn assert_throttled(status: u16, retry_after: Option<&str>, message: &str, seconds: i64) {
    assert_eq!(status, 429, "{message}");
    assert_eq!(retry_after, Some(seconds.to_string().as_str()));
    assert!(
        message.contains(&format!("请 {seconds} 秒后再试")),
        "{message}"
    );
    assert!(
        message.contains(&format!("try again in {seconds} seconds")),
        "{message}"
    );
    assert_bilingual(message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_five_wrong_passwords_even_the_right_one_waits_until_the_lockout_passes() {
    let clock = Arc::new(FixedClock::new(now()));
    let w = World::start_on(clock.clone()).await;
    let before = tokens_of(&w, "rep.li");
    for _ in 0..USER_FAILURES {
        assert_eq!(device_login(&w, "rep.li", "guess").await.status(), 401);
    }
    clock.advance(TimeDelta::seconds(10));
    let resp = device_login(&w, "rep.li", PASSWORD).await;
    let (status, retry) = (
        resp.status().as_u16(),
        resp.headers().get("retry-after").cloned(),
    );
    let (_, body) = json_of(resp).await;
    let wait = (LOCKOUT - TimeDelta::seconds(10)).num_seconds();
    assert_throttled(
        status,
        retry.as_ref().and_then(|v| v.to_str().ok()),
        error_of(&body),
        wait,
    );
    assert_eq!(
        tokens_of(&w, "rep.li"),
        before,
        "no token issued while locked"
    );
    // The browser's sign-in shares the count.
    let form = [("user", "rep.li"), ("password", PASSWORD), ("next", "/")];
    let page = client()
        .post(w.http("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let retry = page
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, html) = (page.status().as_u16(), page.text().await.unwrap());
    assert_eq!(
        (status, retry.as_deref()),
        (429, Some(wait.to_string().as_str()))
    );
    assert!(html.contains("too many failed sign-ins"), "{html}");
    // Another user is not locked out by rep.li's failures.
    assert_eq!(device_login(&w, "sup.zhao", PASSWORD).await.status(), 200);
    clock.advance(LOCKOUT);
    assert_eq!(device_login(&w, "rep.li", PASSWORD).await.status(), 200);
    assert_eq!(tokens_of(&w, "rep.li"), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spray_of_names_from_one_address_locks_that_address_only() {
    let clock = Arc::new(FixedClock::new(now()));
    let w = World::start_on(clock.clone()).await;
    let form = |name: String| {
        [
            ("user", name),
            ("password", "guess".into()),
            ("next", "/".into()),
        ]
    };
    for i in 0..ADDRESS_FAILURES {
        // Different names, so no single user is locked: half by the browser, half by the API.
        let name = format!("ghost{i}");
        let status = if i % 2 == 0 {
            device_login(&w, &name, "guess").await.status()
        } else {
            client()
                .post(w.http("/login"))
                .form(&form(name))
                .send()
                .await
                .unwrap()
                .status()
        };
        assert_eq!(status, 401);
    }
    let resp = device_login(&w, "rep.wang", PASSWORD).await;
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = json_of(resp).await;
    assert_throttled(
        status,
        retry.as_deref(),
        error_of(&body),
        LOCKOUT.num_seconds(),
    );
    // The same user from another address is not locked.
    let other = client_from(Ipv4Addr::new(127, 0, 0, 2));
    assert_eq!(
        device_login_from(&other, &w, "rep.wang", PASSWORD)
            .await
            .status(),
        200
    );
    clock.advance(LOCKOUT + TimeDelta::seconds(1));
    assert_eq!(device_login(&w, "rep.wang", PASSWORD).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_disabled_users_cost_a_real_argon2_verification() {
    let w = World::start().await;
    let mut disabled = w.store.account(&user("fin.wu")).unwrap().unwrap();
    disabled.active = false;
    w.store.put_account(&disabled).unwrap();
    let answers = async |name: &str| {
        let before = accounts::dummy_verifications();
        let (s, body) = json_of(device_login(&w, name, "some guess").await).await;
        (
            s,
            error_of(&body).to_owned(),
            accounts::dummy_verifications() - before,
        )
    };
    let (s, real, _) = answers("rep.li").await;
    assert_eq!(s, 401);
    for name in ["nobody.here", "fin.wu"] {
        let (s, message, dummies) = answers(name).await;
        assert_eq!(
            (s, message.as_str()),
            (401, real.as_str()),
            "{name}: same answer"
        );
        assert!(dummies >= 1, "{name}: the dummy hash was verified");
    }
    assert_bilingual(&real);
}

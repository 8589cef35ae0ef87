//! The accounts API on a real server: an admin creates a team and a user and issues an
//! enrolment code; the phone redeems it once for a token that syncs; password sign-in; moving
//! a rep to another team takes the rep's records off the old supervisor's device.
#![allow(clippy::unwrap_used)]

mod common;

use common::World;
use fieldbook_core::model::Customer;
use fieldbook_core::sync::DeviceSync;
use fieldbook_core::{DeviceId, DeviceStore, StoreOptions};
use serde_json::{Value, json};

async fn post(w: &World, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(w.http(path)).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_enrols_a_new_rep_whose_phone_then_syncs() {
    let w = World::start().await;
    let admin = w.device("admin.zheng").token.clone();
    let (s, _) = post(
        &w,
        "/api/v1/admin/teams",
        Some(&admin),
        json!({"id": "south", "name": "华南"}),
    )
    .await;
    assert_eq!(s, 204);
    let user = json!({"user": "rep.he", "name": "何静", "role": "field_rep", "team": "south"});
    let (s, _) = post(
        &w,
        "/api/v1/admin/users",
        Some(&w.device("rep.li").token),
        user.clone(),
    )
    .await;
    assert_eq!(s, 403, "a rep is not an admin");
    let (s, _) = post(&w, "/api/v1/admin/users", Some(&admin), user).await;
    assert_eq!(s, 204);
    let bad = json!({"user": "x", "name": "x", "role": "emperor"});
    let (s, body) = post(&w, "/api/v1/admin/users", Some(&admin), bad).await;
    assert_eq!(s, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("role"));
    let (s, body) = post(
        &w,
        "/api/v1/admin/users/rep.he/enrolment",
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(s, 200);
    let code = body["code"].as_str().unwrap().to_owned();
    let device = DeviceId::from_random_bytes([61; 16]);
    let (s, creds) = post(
        &w,
        "/api/v1/devices/enrol",
        None,
        json!({"code": code, "device": device.to_string()}),
    )
    .await;
    assert_eq!(s, 200, "{creds}");
    let (s, _) = post(&w, "/api/v1/devices/enrol", None, json!({"code": code})).await;
    assert_eq!(s, 401, "a code works once");
    let (s, _) = post(
        &w,
        "/api/v1/devices/enrol",
        None,
        json!({"code": code, "extra": 1}),
    )
    .await;
    assert_eq!(s, 400, "unknown fields are refused");
    // The enrolled phone syncs a record of its own.
    let options = StoreOptions::new(device, common::user("rep.he"));
    let store =
        std::sync::Arc::new(DeviceStore::open(w.dir.path().join("he.sqlite3"), options).unwrap());
    let c = store.create(Customer::default()).unwrap().meta.id;
    let token = creds["token"].as_str().unwrap();
    let stats = DeviceSync::new(store.clone(), w.server.url(), token)
        .sync_once(common::T)
        .await
        .unwrap();
    assert_eq!(stats.records_refused, 0);
    assert!(store.is_synced(c, "server").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_sign_in_issues_a_token_and_a_wrong_password_nothing() {
    let w = World::start().await;
    let ok = json!({"user": "rep.li", "password": "correct horse battery"});
    let (s, creds) = post(&w, "/api/v1/devices/login", None, ok).await;
    assert_eq!(s, 200);
    assert_eq!(creds["user"], "rep.li");
    let wrong = json!({"user": "rep.li", "password": "incorrect horse"});
    let (s, body) = post(&w, "/api/v1/devices/login", None, wrong).await;
    assert_eq!(s, 401);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("wrong user name or password")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_rep_to_another_team_moves_the_reps_records_between_supervisors() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let c = li.store.create(Customer::default()).unwrap().meta.id;
    li.sync().await;
    let (zhao, qian) = (w.device("sup.zhao"), w.device("sup.qian"));
    zhao.sync().await;
    qian.sync().await;
    assert!(zhao.store.contains(c).unwrap() && !qian.store.contains(c).unwrap());
    let admin = w.device("admin.zheng").token.clone();
    let moved = json!({"user": "rep.li", "name": "李娜", "role": "field_rep", "team": "west"});
    let (s, _) = post(&w, "/api/v1/admin/users", Some(&admin), moved).await;
    assert_eq!(s, 204);
    let stats = zhao.sync().await;
    assert_eq!(stats.records_withdrawn, 1, "{stats:?}");
    qian.sync().await;
    assert!(!zhao.store.contains(c).unwrap() && qian.store.contains(c).unwrap());
}

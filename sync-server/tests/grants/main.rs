//! Seed 001 §3.6(4) on a real server (issue 17, ADR 0006): 其他部门人员因业务原因需要查询客户档案
//! 信息的，须经客户服务部批准后方可进行. A finance manager's phone and desk hold no customer file
//! without a customer-service manager's grant; a grant brings it to the phone by sync and to
//! the office API, revoking or expiry (the server's clock moved) takes it away; a grant by
//! anyone else, or on an A-grade customer (seed (3)), is refused with nothing stored; and a
//! stock client of the finance manager can neither read nor write the file without one.
#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod refusals;
mod scope;

use std::sync::Arc;
use std::time::Duration;

use common::{Device, World, user};
use fieldbook_core::model::{Customer, CustomerGrade};
use fieldbook_core::{FixedClock, RecordId};
use fieldbook_sync_server::{PruneConfig, ServerConfig};
use serde_json::{Value, json};

/// A world whose server's clock the test moves, with an upkeep every 50 ms (so an expired
/// grant is swept soon after the clock passes it).
async fn world() -> (World, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(common::phones_now()));
    let config = ServerConfig {
        prune: PruneConfig {
            every: Duration::from_millis(50),
            ..PruneConfig::default()
        },
        ..ServerConfig::default()
    };
    (
        World::start_configured_on(config, clock.clone()).await,
        clock,
    )
}

async fn sync_all(w: &World) {
    for d in w.devices.values() {
        d.sync().await;
    }
}

/// A customer of rep.li of `grade`, made on her phone and synced everywhere.
async fn customer(w: &World, grade: CustomerGrade) -> RecordId {
    let maker = if grade == CustomerGrade::A {
        "mkt.sun"
    } else {
        "rep.li"
    };
    let mut c = Customer {
        name: "苏州精工".into(),
        company: "苏州精工机械".into(),
        grade,
        ..Customer::default()
    };
    c.meta.owner = user("rep.li");
    let id = w.device(maker).store.create(c).unwrap().meta.id;
    sync_all(w).await;
    sync_all(w).await;
    id
}

/// Syncs twice (the index entry, then the record it lists); whether the device holds `id`.
async fn holds(d: &Device, id: RecordId) -> bool {
    d.sync().await;
    d.sync().await;
    d.store.contains(id).unwrap()
}

async fn send(req: reqwest::RequestBuilder, token: &str) -> (u16, Value) {
    let resp = req.bearer_auth(token).send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get(w: &World, who: &str, path: &str) -> (u16, Value) {
    let req = reqwest::Client::new().get(w.http(path));
    send(req, &w.device(who).token).await
}

/// `POST /api/v1/grants` by `who`.
async fn grant(
    w: &World,
    who: &str,
    grantee: &str,
    record: RecordId,
    days: Option<i64>,
) -> (u16, Value) {
    let mut body = json!({"grantee": grantee, "record": record.to_string(),
        "reason": "核对回款 / checking a payment"});
    if let Some(days) = days {
        body["days"] = json!(days);
    }
    let req = reqwest::Client::new()
        .post(w.http("/api/v1/grants"))
        .json(&body);
    send(req, &w.device(who).token).await
}

/// `DELETE /api/v1/grants/{id}` by `who`.
async fn revoke(w: &World, who: &str, id: &Value) -> (u16, Value) {
    let req = reqwest::Client::new().delete(w.http(&format!("/api/v1/grants/{id}")));
    send(req, &w.device(who).token).await
}

/// Whether `who` reads the customer through the office API (the record, a list, a search),
/// which must agree: call it where no grant changes meanwhile (see [`desk_view`] otherwise).
async fn desk_reads(w: &World, who: &str, id: RecordId) -> bool {
    let (record, listed, found) = desk_view(w, who, id).await;
    assert_eq!(
        (record, listed),
        (found, found),
        "{who}: record, list and search agree"
    );
    found
}

/// What `who` reads of the customer through the office API: the record, in a list, in a
/// search — three requests, so a sweep may fall between them.
async fn desk_view(w: &World, who: &str, id: RecordId) -> (bool, bool, bool) {
    let (status, _) = get(w, who, &format!("/api/v1/records/{id}")).await;
    let (_, page) = get(w, who, "/api/v1/records?kind=customer").await;
    let listed = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == id.to_string());
    let (_, hits) = get(w, who, "/api/v1/search?q=苏州精工").await;
    let found = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["id"] == id.to_string());
    (status == 200, listed, found)
}

//! Issue 9, the back office's JSON API on a real server (clock fixed at 2026-12-10 09:00 UTC):
//! lists, records with history and conflicts, search, metrics, desk actions that reach the
//! devices, all-or-nothing import, exports and the OpenAPI document. Every bad request gets a
//! clear JSON error and changes nothing; a rep never sees an A-grade customer.
//!
//! This file holds the shared helpers (HTTP calls, a company's customers); the tests are in
//! `office/`, one file per area: `lists`, `desk`, `metrics`, `import` (and exports),
//! `openapi`, `schemathesis` (the API fuzzed against its own OpenAPI document), `weeks`
//! (seed 004).
#![allow(clippy::unwrap_used, clippy::unit_arg)]

mod common;
#[path = "office/desk.rs"]
mod desk;
#[path = "office/import.rs"]
mod import;
#[path = "office/lists.rs"]
mod lists;
#[path = "office/metrics.rs"]
mod metrics;
#[path = "office/openapi.rs"]
mod openapi;
#[path = "office/schemathesis.rs"]
mod schemathesis;
#[path = "office/weeks.rs"]
mod weeks;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::World;
use fieldbook_core::RecordId;
use fieldbook_core::model::{
    Contact, Customer, CustomerGrade, FollowUp, LeadGrade, LeadReferral, ReturnVisitReport,
    VisitPlan, VisitStatus,
};
use fieldbook_sync_server::ServerStore;
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap()
}

fn nov(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

async fn send(req: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Value) {
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(w: &World, path: &str, token: &str) -> (u16, Value) {
    send(reqwest::Client::new().get(w.http(path)), Some(token)).await
}

async fn post(w: &World, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(
        reqwest::Client::new().post(w.http(path)).json(&body),
        Some(token),
    )
    .await
}

async fn post_file(w: &World, path: &str, token: &str, kind: &str, bytes: Vec<u8>) -> (u16, Value) {
    let req = reqwest::Client::new()
        .post(w.http(path))
        .header("content-type", kind)
        .body(bytes);
    send(req, Some(token)).await
}

async fn download(w: &World, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let resp = reqwest::Client::new()
        .get(w.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

/// A desk user signs in with a password, as `POST /api/v1/devices/login` allows.
async fn login(w: &World, user: &str) -> String {
    let body = json!({"user": user, "password": "correct horse battery"});
    let (s, creds) = send(
        reqwest::Client::new()
            .post(w.http("/api/v1/devices/login"))
            .json(&body),
        None,
    )
    .await;
    assert_eq!(s, 200, "{creds}");
    creds["token"].as_str().unwrap().to_owned()
}

fn token(w: &World, user: &str) -> String {
    w.device(user).token.clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The stored heads of every record (what "nothing changed" compares).
fn server_state(w: &World) -> Vec<(RecordId, String)> {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().map(|d| (d.id, d.heads_key)).collect()
}

async fn sync_all(w: &World) {
    for _ in 0..2 {
        for d in w.devices.values() {
            d.sync().await;
        }
    }
}

struct Customers {
    b: RecordId,
    a: RecordId,
}

/// A B-grade customer of rep.li with a contact, and an A-grade one (of li, made by the
/// marketing manager).
async fn customers(w: &World) -> Customers {
    let li = &w.device("rep.li").store;
    let b = li
        .create(Customer {
            name: "王府井百货".into(),
            grade: CustomerGrade::B,
            contacts: vec![Contact {
                id: "c1".into(),
                name: "张伟".into(),
                mobile: "13800138000".into(),
                ..Contact::default()
            }],
            ..Customer::default()
        })
        .unwrap()
        .meta
        .id;
    let mut a = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        contacts: vec![Contact {
            id: "c1".into(),
            name: "刘强".into(),
            mobile: "13912345678".into(),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    a.meta.owner = common::user("rep.li");
    let a = w.device("mkt.sun").store.create(a).unwrap().meta.id;
    sync_all(w).await;
    Customers { b, a }
}

/// Every cell of the first sheet, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

//! Issue 20: records made by stock clients carry no `meta.created_at`. The back office dates
//! such a record by when the server first stored it, or shows 未知 / unknown when the store
//! does not know (a record stored before change receipts were kept) — in the JSON list, on
//! the record page and in the export; never 1970-01-01. A phone's record keeps its own time.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ScalarValue};
use fieldbook_core::RecordId;
use fieldbook_core::model::{Customer, CustomerGrade};
use fieldbook_core::sync::heads_key;
use fieldbook_sync_server::ServerStore;
use serde_json::Value;

use crate::common::{World, phones_now, push};
use crate::http::{page, sign_in, text};
use crate::seed::now;

/// A customer of rep.li as a stock automerge-repo client writes it: plain Automerge calls,
/// `schema` a signed integer (a JS number), and no `meta.created_at` (nor `created_on`).
fn stock_customer(id: RecordId, name: &str, actor: u8) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(vec![actor; 16]));
    doc.put(ROOT, "kind", "customer").unwrap();
    doc.put(ROOT, "schema", ScalarValue::Int(1)).unwrap();
    doc.put(ROOT, "name", name).unwrap();
    doc.put(ROOT, "grade", "B").unwrap();
    let meta = doc.put_object(ROOT, "meta", ObjType::Map).unwrap();
    doc.put(&meta, "id", id.to_string()).unwrap();
    doc.put(&meta, "created_by", "rep.li").unwrap();
    doc.put(&meta, "owner", "rep.li").unwrap();
    doc
}

/// The JSON rows of the customer list, by id.
async fn listed_created_at(w: &World, token: &str, id: RecordId) -> Value {
    let page: Value = reqwest::Client::new()
        .get(w.http("/api/v1/records?kind=customer"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.to_string())
        .cloned();
    row.unwrap_or_else(|| panic!("{id} listed: {page}"))["created_at"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_without_created_at_shows_when_the_server_stored_it_or_unknown() {
    let w = World::start_at(now()).await;
    let li = w.device("rep.li");

    // Over sync, as a stock client: the server's receipt dates it (its clock: 2026-12-10 09:00).
    let synced = RecordId::from_random_bytes([71; 16]);
    let mut doc = stock_customer(synced, "无日期客户", 71);
    let mut raw = w.raw(&li.token).await;
    push(&mut raw, &synced.to_string(), &mut doc).await.unwrap();

    // Stored with no receipt at all (as before receipts were kept): nobody knows.
    let old = RecordId::from_random_bytes([72; 16]);
    let mut doc = stock_customer(old, "旧客户", 72);
    let key = heads_key(&doc.get_heads());
    w.store
        .append_chunk(old, "customer", &key, &doc.save())
        .unwrap();

    // A phone's record keeps the time it says (the phone's clock: 2026-11-23 09:00).
    let phone = li
        .store
        .create(Customer {
            name: "有日期客户".into(),
            grade: CustomerGrade::B,
            ..Customer::default()
        })
        .unwrap()
        .meta
        .id;
    li.sync().await;

    let cs = w.device("cs.zhou").token.clone();
    assert_eq!(
        listed_created_at(&w, &cs, synced).await,
        "2026-12-10T09:00:00Z"
    );
    assert_eq!(listed_created_at(&w, &cs, old).await, Value::Null);
    assert_eq!(
        listed_created_at(&w, &cs, phone).await,
        phones_now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );

    // The record page, in company time (Shanghai, UTC+8).
    let cookie = sign_in(&w, "cs.zhou").await;
    for (id, shown) in [
        (synced, "2026-12-10 17:00"),
        (old, "未知 / unknown"),
        (phone, "2026-11-23 17:00"),
    ] {
        let got = page(&w, &format!("/records/{id}"), Some(&cookie)).await;
        assert_eq!(got.status, 200, "{}", got.body);
        let body = text(&got.body);
        let created = &body[body.find("<small>Created</small>").unwrap()..];
        let created = &created[..created.find("</dd>").unwrap()];
        assert!(created.contains(shown), "{id}: {created}");
        assert!(!body.contains("1970"), "{id}: {body}");
    }

    // The export.
    let got = page(&w, "/records/export.csv?kind=customer", Some(&cookie)).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let line = |id: RecordId| {
        let found = got.body.lines().find(|l| l.starts_with(&id.to_string()));
        found.unwrap_or_else(|| panic!("{id} exported: {}", got.body))
    };
    assert!(
        line(synced).contains(",2026-12-10T09:00:00Z,"),
        "{}",
        line(synced)
    );
    assert!(line(old).contains(",未知 / unknown,"), "{}", line(old));
    assert!(
        line(phone).contains(",2026-11-23T09:00:00Z,"),
        "{}",
        line(phone)
    );
    assert!(!got.body.contains("1970"), "{}", got.body);
}

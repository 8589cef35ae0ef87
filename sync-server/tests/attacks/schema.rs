//! Issue 15, finding 6: field types are not validated. A stock automerge-repo client (raw
//! Automerge documents over a raw connection) writes what no Fieldbook build would: a number
//! for a grade, a map for a name, text for a budget, a field or a grade nobody knows, a name of
//! megabytes. Each is refused naming the field, in Chinese and English, and the server's
//! database is as it was. A back-office desk edit goes through the same schema. What happens
//! when such a record is already stored (an older server took it): `schema/quarantine.rs`.

mod quarantine;

use automerge::{ActorId, AutoCommit};
use fieldbook_core::model::{Customer, ReturnVisitReport};
use fieldbook_core::{RecordDoc, RecordId};
use serde_json::{Value as Json, json};

use crate::common::{World, push, user};
use fieldbook_sync_server::ServerStore;

/// A document as a stock client makes one: any JSON, written by a non-Fieldbook actor.
fn stock_doc(id: RecordId, json: &Json, actor: u8) -> AutoCommit {
    let actor = ActorId::from(vec![actor; 16]);
    RecordDoc::from_json(id, json, actor)
        .unwrap()
        .automerge()
        .clone()
}

/// A customer of rep.li as a stock client writes it, with `field` set to `value`.
fn customer_with(field: &str, value: Json) -> Json {
    let mut c = json!({"kind": "customer", "schema": 1, "name": "Acme", "grade": "B",
        "meta": {"created_by": "rep.li", "owner": "rep.li"}});
    c[field] = value;
    c
}

fn assert_names_field(refusal: &str, id: RecordId, field: &str) {
    assert!(
        refusal.contains(&format!("记录 {id} 字段 {field}：")),
        "Chinese names the field: {refusal}"
    );
    assert!(
        refusal.contains(&format!("record {id} field {field}: ")),
        "English names the field: {refusal}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_client_s_mistyped_unknown_or_oversized_fields_are_refused_naming_the_field() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let cases = [
        ("grade", json!(42), "/grade", "wrong type"),
        (
            "name",
            json!({"first": "Ac", "last": "me"}),
            "/name",
            "wrong type",
        ),
        ("budget_cny", json!("lots"), "/budget_cny", "wrong type"),
        (
            "favourite_colour",
            json!("red"),
            "/favourite_colour",
            "unknown field",
        ),
        ("grade", json!("S"), "/grade", "unknown value"),
        ("name", json!("名".repeat(5_000)), "/name", "too long"),
    ];
    let before = w.store.list_docs().unwrap();
    for (n, (key, value, field, what)) in cases.into_iter().enumerate() {
        let id = RecordId::from_random_bytes([100 + n as u8; 16]);
        let mut doc = stock_doc(id, &customer_with(key, value), 200 + n as u8);
        let mut raw = w.raw(&li.token).await;
        let refused = push(&mut raw, &id.to_string(), &mut doc).await.unwrap_err();
        assert_names_field(&refused, id, field);
        assert!(refused.contains(what), "{refused}");
        assert!(
            !refused.contains("lots") && !refused.contains("red"),
            "{refused}"
        );
        assert_eq!(
            w.store.load_doc(id).unwrap(),
            None,
            "{field}: nothing stored"
        );
    }
    assert_eq!(
        w.store.list_docs().unwrap(),
        before,
        "the database is unchanged"
    );
    // The same client, writing what the schema knows, is taken.
    let id = RecordId::from_random_bytes([99; 16]);
    let mut doc = stock_doc(id, &customer_with("budget_cny", json!(5_000)), 199);
    let mut raw = w.raw(&li.token).await;
    push(&mut raw, &id.to_string(), &mut doc).await.unwrap();
    assert!(w.store.load_doc(id).unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stock_client_s_mistyped_edit_of_a_stored_record_is_refused_and_changes_nothing() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let c = li.store.create(Customer::default()).unwrap().meta.id;
    li.sync().await;
    let stored = w.store.load_doc(c).unwrap().unwrap();
    let before = w.store.list_docs().unwrap();
    let mut doc = AutoCommit::load(&stored)
        .unwrap()
        .with_actor(ActorId::from(vec![77; 16]));
    {
        use automerge::transaction::Transactable;
        doc.put(automerge::ROOT, "budget_cny", "lots").unwrap();
    }
    let mut raw = w.raw(&li.token).await;
    let refused = push(&mut raw, &c.to_string(), &mut doc).await.unwrap_err();
    assert_names_field(&refused, c, "/budget_cny");
    assert_eq!(w.store.load_doc(c).unwrap(), Some(stored), "nothing stored");
    assert_eq!(w.store.list_docs().unwrap(), before);
    // The phone that holds the record still syncs, and still reads it.
    let stats = li.sync().await;
    assert_eq!((stats.records_refused, stats.records_quarantined), (0, 0));
    assert!(li.store.get::<Customer>(c).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_edit_that_breaks_the_schema_is_refused_like_a_device_s() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let report = ReturnVisitReport {
        rep: user("rep.li"),
        purpose: "季度回访".into(),
        // Filed on the phone now (its clock: 23 November 2026, 09:00 UTC).
        visited_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 22),
        filed_at: Some(chrono::DateTime::from_timestamp(1_795_424_400, 0).unwrap()),
        ..ReturnVisitReport::default()
    };
    let id = li.store.create(report).unwrap().meta.id;
    li.sync().await;
    let before = w.store.list_docs().unwrap();
    let zhao = &w.device("sup.zhao").token;
    let url = w.http(&format!("/api/v1/records/{id}/review"));
    let body = json!({"guidance": "指导".repeat(10_001)});
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(zhao)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let answer: Json = response.json().await.unwrap();
    assert_eq!(answer["field"], "/review/guidance", "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.contains("文本过长") && error.contains("text too long"),
        "{error}"
    );
    assert_eq!(w.store.list_docs().unwrap(), before, "nothing stored");
}

/// `schema` may be stored signed (stock JS clients, and Fieldbook since issue 20) or unsigned
/// (Fieldbook before): the server takes both, and a phone that syncs them reads both as its
/// model, quarantining neither (docs/protocol.md, "Records"). A negative one is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_with_a_signed_or_an_unsigned_schema_is_taken_by_the_server_and_the_phones() {
    use automerge::ScalarValue;
    use automerge::transaction::Transactable;
    let w = World::start().await;
    let li = w.device("rep.li");
    let mut taken = Vec::new();
    for (n, schema) in [
        ScalarValue::Int(1),
        ScalarValue::Uint(1),
        ScalarValue::Int(-1),
    ]
    .into_iter()
    .enumerate()
    {
        let id = RecordId::from_random_bytes([120 + n as u8; 16]);
        let mut doc = stock_doc(id, &customer_with("name", json!(format!("客户 {n}"))), 220);
        doc.put(automerge::ROOT, "schema", schema.clone()).unwrap();
        let mut raw = w.raw(&li.token).await;
        let pushed = push(&mut raw, &id.to_string(), &mut doc).await;
        if matches!(schema, ScalarValue::Int(-1)) {
            assert_names_field(&pushed.unwrap_err(), id, "/schema");
            assert_eq!(w.store.load_doc(id).unwrap(), None, "nothing stored");
        } else {
            pushed.unwrap_or_else(|e| panic!("{schema:?}: {e}"));
            taken.push(id);
        }
    }
    let stats = li.sync().await;
    assert_eq!((stats.records_refused, stats.records_quarantined), (0, 0));
    for (n, id) in taken.into_iter().enumerate() {
        let held = li.store.get::<Customer>(id).unwrap();
        assert_eq!(held.name, format!("客户 {n}"));
    }
}

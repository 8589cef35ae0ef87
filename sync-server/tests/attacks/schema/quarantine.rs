//! A mistyped record already on the server (written straight into its store, as an older
//! server that did not check schemas would have taken it) must not stop anyone's sync: both
//! phones in its scope sync every other record and report it quarantined; the back office still
//! lists; once a supervisor fixes it on the server, the phones take it in.

use std::time::Duration;

use automerge::ActorId;
use fieldbook_core::model::{Customer, CustomerGrade, VisitPlan};
use fieldbook_core::sync::heads_key;
use fieldbook_core::sync::index_doc::{index_id, read_entries};
use fieldbook_core::{DeviceStore, RecordDoc, RecordId};
use fieldbook_sync_server::ServerStore;
use fieldbook_sync_server::store::{DocWrite, WriteOutcome};
use serde_json::{Value as Json, json};

use crate::common::{World, push, user};

/// Writes `json` as a new document straight into the server's store (no admission).
fn write_unchecked(w: &World, id: RecordId, json: &Json) {
    let mut doc = RecordDoc::from_json(id, json, ActorId::from(vec![55; 16])).unwrap();
    let bytes = doc.save();
    let key = heads_key(&doc.heads());
    let write = DocWrite {
        id,
        kind: "customer",
        heads_key: &key,
        bytes: &bytes,
        replace: false,
        expected: Some(0),
    };
    assert!(matches!(
        w.store.write_doc(write).unwrap(),
        WriteOutcome::Written(_)
    ));
}

/// Waits (bounded) until the server's follower has taken the record into `name`'s index.
async fn wait_until_indexed(w: &World, name: &str, id: RecordId) {
    let index = index_id(&user(name));
    for _ in 0..600 {
        if let Some(bytes) = w.store.load_doc(index).unwrap() {
            let doc = automerge::AutoCommit::load(&bytes).unwrap();
            if read_entries(&doc).contains_key(&id) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{name}'s index never listed {id}");
}

fn listed(store: &DeviceStore) -> Vec<RecordId> {
    store.list(None).unwrap().iter().map(|s| s.id).collect()
}

async fn office_list(w: &World) -> (u16, Json) {
    let response = reqwest::Client::new()
        .get(w.http("/api/v1/records"))
        .bearer_auth(&w.device("mkt.sun").token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistyped_record_on_the_server_is_quarantined_and_every_other_record_still_syncs() {
    let w = World::start().await;
    let (li, zhao) = (w.device("rep.li"), w.device("sup.zhao"));
    let named = |n: &str| Customer {
        name: n.into(),
        ..Customer::default()
    };
    let mut good = vec![
        li.store.create(named("甲公司")).unwrap().meta.id,
        li.store.create(named("乙公司")).unwrap().meta.id,
    ];
    li.sync().await;
    let bad = RecordId::from_random_bytes([66; 16]);
    let mistyped = json!({"kind": "customer", "schema": 1, "grade": 42, "budget_cny": "lots",
        "name": {"first": "丙"}, "meta": {"id": bad.to_string(), "created_by": "rep.li",
        "owner": "rep.li"}});
    write_unchecked(&w, bad, &mistyped);
    wait_until_indexed(&w, "rep.li", bad).await;
    wait_until_indexed(&w, "sup.zhao", bad).await;
    // A record made after the bad one, by the other phone.
    let mut visit = VisitPlan {
        rep: user("rep.li"),
        purpose: "季度回访".into(),
        ..VisitPlan::default()
    };
    visit.meta.owner = user("rep.li");
    good.push(zhao.store.create(visit).unwrap().meta.id);

    for phone in [zhao, li] {
        let stats = phone.sync.sync_once(crate::common::T).await.unwrap();
        assert_eq!(stats.records_quarantined, 1, "{}: {stats:?}", phone.user);
        let held = listed(&phone.store);
        assert!(
            good.iter().all(|g| held.contains(g)),
            "{}: {held:?}",
            phone.user
        );
        assert!(!held.contains(&bad), "kept out of the tables");
        let q = phone.store.quarantined().unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!((q[0].record, q[0].field.as_str()), (bad, "/budget_cny"));
        assert!(q[0].reason.contains("类型不符") && q[0].reason.contains("wrong type"));
        assert!(!q[0].reason.contains("lots"), "{}", q[0].reason);
        assert!(
            phone.store.contains(bad).unwrap(),
            "stored, so a fix merges in"
        );
    }
    let again = li.sync().await;
    assert_eq!((again.records_quarantined, again.records_refused), (0, 0));

    // The back office lists every record, the bad one included, without failing.
    let (status, page) = office_list(&w).await;
    assert_eq!(status, 200, "{page}");
    let ids: Vec<&str> = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        good.iter().all(|g| ids.contains(&g.to_string().as_str())),
        "{page}"
    );

    // The supervisor fixes it on the server, through the same admission as any change.
    let stored = w.store.load_doc(bad).unwrap().unwrap();
    let mut doc = automerge::AutoCommit::load(&stored)
        .unwrap()
        .with_actor(ActorId::from(vec![56; 16]));
    {
        use automerge::transaction::Transactable;
        doc.put(automerge::ROOT, "grade", "B").unwrap();
        doc.put(automerge::ROOT, "budget_cny", 20_000).unwrap();
        doc.put(automerge::ROOT, "name", "丙公司").unwrap();
    }
    let mut raw = w.raw(&zhao.token).await;
    push(&mut raw, &bad.to_string(), &mut doc).await.unwrap();

    for phone in [li, zhao] {
        let stats = phone.sync().await;
        assert_eq!(stats.records_quarantined, 0, "{stats:?}");
        assert!(phone.store.quarantined().unwrap().is_empty());
        assert!(listed(&phone.store).contains(&bad), "taken in once fixed");
        let c: Customer = phone.store.get(bad).unwrap();
        assert_eq!((c.grade, c.budget_cny), (CustomerGrade::B, Some(20_000)));
    }
}

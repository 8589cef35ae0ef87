//! The first attacks tried against a real server on 127.0.0.1, each refused with a clear error and
//! nothing stored: no token, a wrong token, an expired token, a token revoked mid-connection, a
//! forged actor id, a document outside the sender's scope, an oversized frame, malformed CBOR,
//! a compressed payload that inflates far beyond the limit, a replayed old message. (A change
//! to a field outside the sender's role: `tests/access/cases.rs`, one case per rule.)

use crate::common::{self, Heard, World, push, user};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use chrono::TimeDelta;
use fieldbook_core::model::Customer;
use fieldbook_core::sync::WireMessage;
use fieldbook_core::{DeviceId, OsEntropy, SystemClock};
use fieldbook_sync_server::{ServerStore, accounts};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::{self, Message as Frame};

async fn refused_upgrade(w: &World, token: Option<&str>) -> String {
    let url = match token {
        Some(t) => format!("{}?token={t}", w.server.url()),
        None => w.server.url(),
    };
    match tokio_tungstenite::connect_async(url).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401);
            let body = response.body().clone().unwrap_or_default();
            String::from_utf8(body).unwrap()
        }
        other => panic!("expected a 401, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_wrong_and_expired_tokens_are_refused_before_any_frame() {
    let w = World::start().await;
    assert!(refused_upgrade(&w, None).await.contains("no device token"));
    assert!(
        refused_upgrade(&w, Some("not-a-token"))
            .await
            .contains("invalid")
    );
    let device = DeviceId::from_random_bytes([77; 16]);
    let expired = accounts::issue_token(
        w.store.as_ref(),
        &SystemClock,
        &OsEntropy,
        device,
        user("rep.li"),
        TimeDelta::seconds(-1),
    )
    .unwrap();
    assert!(
        refused_upgrade(&w, Some(&expired.token))
            .await
            .contains("expired")
    );
    assert_eq!(w.store.list_docs().unwrap().len(), 0, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_mid_connection_ends_the_connection() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let mut raw = w.raw(&li.token).await;
    let admin = &w.device("admin.zheng").token;
    let url = w.http(&format!("/api/v1/admin/devices/{}/revoke", li.id));
    let client = reqwest::Client::new();
    // A rep may not revoke; the admin may.
    let denied = client
        .post(&url)
        .bearer_auth(&li.token)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
    let ok = client.post(&url).bearer_auth(admin).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    let message = raw.error().await;
    assert!(message.contains("revoked"), "{message}");
    assert!(matches!(raw.next().await, Heard::Closed));
    assert!(
        refused_upgrade(&w, Some(&li.token))
            .await
            .contains("revoked")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_signed_with_another_devices_actor_is_refused() {
    let w = World::start().await;
    // rep.li writes a record on the phone; rep.li's second device replays it as its own.
    let li = w.device("rep.li");
    let c = li.store.create(Customer::default()).unwrap();
    let bytes = li.store.export_changes(c.meta.id, &[]).unwrap();
    let mut doc = AutoCommit::load(&bytes).unwrap();
    let other = common::open_device(&w.dir, &w.store, &w.server, 99, "rep.li");
    let mut raw = w.raw(&other.token).await;
    let refused = push(&mut raw, &c.meta.id.to_string(), &mut doc)
        .await
        .unwrap_err();
    assert!(refused.contains("actor"), "{refused}");
    assert_eq!(w.store.load_doc(c.meta.id).unwrap(), None, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_outside_the_scope_is_unavailable_and_unwritable() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let c = li.store.create(Customer::default()).unwrap().meta.id;
    li.sync().await;
    let before = w.store.load_doc(c).unwrap();
    // Asking for it: the same answer as for a document that does not exist. Writing to it (a
    // change built on the real history, sent straight away): refused.
    let (read, refused) = common::raw_read_then_write(&w, w.device("rep.wang"), c).await;
    assert_eq!(read.unwrap_err(), "unavailable");
    assert!(refused.contains("scope"), "{refused}");
    assert_eq!(w.store.load_doc(c).unwrap(), before, "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_frames_and_malformed_cbor_close_only_that_connection() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let mut big = w.raw(&li.token).await;
    let _ = big.ws.send(Frame::binary(vec![0u8; 9 * 1024 * 1024])).await;
    assert!(matches!(big.next().await, Heard::Closed));
    let mut bad = w.raw(&li.token).await;
    bad.ws
        .send(Frame::binary(vec![0xff, 0x00, 0x13, 0x37]))
        .await
        .unwrap();
    let message = bad.error().await;
    assert!(message.contains("protocol"), "{message}");
    assert!(matches!(bad.next().await, Heard::Closed));
    // Everyone else carries on.
    li.store.create(Customer::default()).unwrap();
    let stats = li.sync().await;
    assert_eq!(stats.records_refused, 0);
    assert_eq!(
        w.store
            .list_docs()
            .unwrap()
            .iter()
            .filter(|d| d.kind == "customer")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_that_inflates_far_beyond_the_limit_is_refused_before_it_inflates() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let mut c = Customer::default();
    c.meta.id = fieldbook_core::RecordId::from_random_bytes([42; 16]);
    c.meta.owner = user("rep.li");
    c.meta.created_by = user("rep.li");
    let mut doc = fieldbook_core::RecordDoc::create(&c, li.id.actor(1)).unwrap();
    let am = doc.automerge();
    am.put(ROOT, "notes", "a".repeat(64 << 20)).unwrap();
    let mut raw = w.raw(&li.token).await;
    let refused = push(&mut raw, &c.meta.id.to_string(), am)
        .await
        .unwrap_err();
    assert!(refused.contains("inflates"), "{refused}");
    assert_eq!(w.store.load_doc(c.meta.id).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_old_message_changes_nothing() {
    use automerge::sync::{Message, State, SyncDoc};
    let w = World::start().await;
    let li = w.device("rep.li");
    let c = li.store.create(Customer::default()).unwrap().meta.id;
    let mut doc = AutoCommit::load(&li.store.export_changes(c, &[]).unwrap()).unwrap();
    // The exchange that carries the change, captured as an eavesdropper on the phone would.
    let mut raw = w.raw(&li.token).await;
    let mut state = State::new();
    let mut carrying = None;
    loop {
        let Some(m) = doc.sync().generate_sync_message(&mut state) else {
            break;
        };
        if !m.changes.is_empty() {
            carrying = Some(m.clone());
        }
        raw.send(&common::sync_frame(&c.to_string(), m)).await;
        let Heard::Message(WireMessage::Sync { data, .. }) = raw.next().await else {
            panic!("no reply")
        };
        doc.sync()
            .receive_sync_message(&mut state, Message::decode(&data).unwrap())
            .unwrap();
    }
    let carrying = carrying.unwrap();
    let stored = w.store.load_doc(c).unwrap();
    assert!(stored.is_some());
    // Replayed, three times, on a new connection; then a probe whose answer proves all three
    // were processed.
    let mut replay = w.raw(&li.token).await;
    for _ in 0..3 {
        replay
            .send(&common::sync_frame(&c.to_string(), carrying.clone()))
            .await;
    }
    let unknown = fieldbook_core::RecordId::from_random_bytes([9; 16]).to_string();
    let probe = AutoCommit::new()
        .sync()
        .generate_sync_message(&mut State::new())
        .unwrap();
    replay
        .send(&WireMessage::Request {
            document_id: unknown.clone(),
            sender_id: "raw".into(),
            target_id: "fieldbook-sync-server".into(),
            data: probe.encode(),
        })
        .await;
    loop {
        match replay.next().await {
            Heard::Message(WireMessage::DocUnavailable { document_id, .. }) => {
                assert_eq!(document_id, unknown);
                break;
            }
            Heard::Message(WireMessage::Sync { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(w.store.load_doc(c).unwrap(), stored, "nothing stored twice");
}

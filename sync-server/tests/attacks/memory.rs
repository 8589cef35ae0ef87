//! Bounded memory (issue 15, finding 8): requests for ids that do not exist leave nothing in the
//! hub, and a frame of millions of tiny CBOR items is refused before it is built, closing only
//! that connection. Asserted on the hub's counts, not on the process's size.

use crate::common::{Heard, Raw, World};
use automerge::AutoCommit;
use automerge::sync::{State, SyncDoc};
use fieldbook_core::RecordId;
use fieldbook_core::sync::{WireMessage, index_id};
use fieldbook_sync_server::ServerStore;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message as Frame;

const UNKNOWN: u32 = 20_000;
const BATCH: u32 = 500;

fn request(id: RecordId) -> WireMessage {
    let probe = AutoCommit::new()
        .sync()
        .generate_sync_message(&mut State::new())
        .unwrap();
    WireMessage::Request {
        document_id: id.to_string(),
        sender_id: "raw".into(),
        target_id: "fieldbook-sync-server".into(),
        data: probe.encode(),
    }
}

/// The `n`-th unknown id: mostly ordinary ids, every tenth in the reserved space (the index of
/// a user who does not exist).
fn unknown(n: u32) -> RecordId {
    if n.is_multiple_of(10) {
        return index_id(&crate::common::user(&format!("ghost-{n}")));
    }
    let mut bytes = [0xa5; 16];
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    RecordId::from_random_bytes(bytes)
}

/// Sends a batch of requests, then reads one `doc-unavailable` for each.
async fn ask(raw: &mut Raw, from: u32) {
    for n in from..from + BATCH {
        raw.send(&request(unknown(n))).await;
    }
    for _ in 0..BATCH {
        match raw.next().await {
            Heard::Message(WireMessage::DocUnavailable { .. }) => {}
            other => panic!("expected doc-unavailable, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_for_unknown_ids_leave_no_slot_in_the_hub() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let mut raw = w.raw(&li.token).await;
    let (held, watched) = (w.server.hub().held_count(), w.server.hub().watched_count());
    for from in (0..UNKNOWN).step_by(BATCH as usize) {
        ask(&mut raw, from).await;
    }
    assert_eq!(
        w.server.hub().held_count(),
        held,
        "no slot kept for unknown ids"
    );
    assert_eq!(w.server.hub().watched_count(), watched, "none watched");
    assert!(w.store.list_docs().unwrap().is_empty(), "nothing stored");
    // The connection is still served: a real record syncs.
    li.store
        .create(fieldbook_core::model::Customer::default())
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
}

/// Loaded documents are kept under the budget (issue 16): 200 records through a server that may
/// keep 16 loaded while idle are all stored, all reach a new phone and a supervisor, and an edit
/// of a record that was dropped from memory long ago merges as any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loaded_documents_stay_under_the_budget_and_dropped_ones_reload() {
    const BUDGET: usize = 16;
    let w = World::start_configured(fieldbook_sync_server::ServerConfig {
        loaded_docs: BUDGET,
        ..fieldbook_sync_server::ServerConfig::default()
    })
    .await;
    let li = w.device("rep.li");
    let ids: Vec<RecordId> = (0..200)
        .map(|i| {
            li.store
                .create(fieldbook_core::model::Customer {
                    name: format!("客户{i:03}"),
                    ..Default::default()
                })
                .unwrap()
                .meta
                .id
        })
        .collect();
    assert_eq!(li.sync().await.records_refused, 0);
    assert!(
        w.server.hub().held_count() <= BUDGET,
        "{} loaded after the push",
        w.server.hub().held_count()
    );
    let phone = w.fresh_device(41, "rep.li", chrono::Utc::now());
    let zhao = w.device("sup.zhao");
    for reader in [&phone, zhao] {
        reader.sync().await;
        for id in &ids {
            let c: fieldbook_core::model::Customer = reader.store.get(*id).unwrap();
            assert!(c.name.starts_with("客户"));
        }
        assert!(w.server.hub().held_count() <= BUDGET);
    }
    // The first record left memory long ago: an edit reloads it and reaches both readers.
    li.store
        .update(ids[0], |c: &mut fieldbook_core::model::Customer| {
            c.notes = "周五上午回访".into();
            Ok(())
        })
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
    for reader in [&phone, zhao] {
        reader.sync().await;
        let c: fieldbook_core::model::Customer = reader.store.get(ids[0]).unwrap();
        assert_eq!(c.notes, "周五上午回访");
        assert_eq!(c.name, "客户000");
    }
    assert!(w.store.list_docs().unwrap().len() >= ids.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_frame_of_cbor_zeros_is_refused_and_closes_only_that_connection() {
    let w = World::start().await;
    let (li, wang) = (w.device("rep.li"), w.device("rep.wang"));
    let mut other = w.raw(&wang.token).await;
    let mut big = w.raw(&li.token).await;
    // An array of 8 million CBOR zeros: within the 8 MiB frame limit, one item per byte.
    let items: u32 = 8 * 1024 * 1024 - 5;
    let mut frame = vec![0x9a];
    frame.extend_from_slice(&items.to_be_bytes());
    frame.resize(frame.len() + items as usize, 0);
    big.ws.send(Frame::binary(frame)).await.unwrap();
    let message = big.error().await;
    assert!(
        message.contains("CBOR 项超过 4096 个 / the message has more than 4096 CBOR items"),
        "{message}"
    );
    assert!(matches!(big.next().await, Heard::Closed));
    // The other connection carries on.
    other.send(&request(unknown(1))).await;
    assert!(matches!(
        other.next().await,
        Heard::Message(WireMessage::DocUnavailable { .. })
    ));
    assert!(w.store.list_docs().unwrap().is_empty(), "nothing stored");
}

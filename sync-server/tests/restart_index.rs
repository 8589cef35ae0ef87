//! A crash between storing a record and writing its index entries (the server stores a write,
//! then indexes it, then acknowledges it) must not leave the record out of its readers'
//! indexes: the owner's device would take an unlisted record for one withdrawn from its scope
//! and remove its own copy (found by the soak, issue 19). A server that starts mends such
//! records; a clean start writes nothing. Both backends, one suite.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

mod common;

use std::sync::Arc;

use automerge::{ActorId, AutoCommit};
use common::{phones_now, user};
use fieldbook_core::access::Role;
use fieldbook_core::model::{Customer, CustomerGrade};
use fieldbook_core::sync::index_doc::{parse_entry, read_entries};
use fieldbook_core::sync::{heads_key, index_id};
use fieldbook_core::{FixedClock, OsEntropy, RecordDoc, RecordId, UserId};
use fieldbook_sync_server::store::{DocWrite, WriteOutcome};
use fieldbook_sync_server::{
    BasicGate, DocHub, EditOutcome, PgStore, ServerStore, SqliteStore, accounts,
};
use fieldbook_testpg::PgCluster;

/// Runs blocking store work off the tokio workers (the Postgres client blocks).
fn db<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}

/// A server node starting on `store`, as after a crash: a new hub, warmed.
async fn start<S: ServerStore>(store: &Arc<S>, actor: u8) -> Arc<DocHub<S>> {
    let gate = Arc::new(BasicGate {
        max_doc_bytes: 1 << 24,
    });
    let clock = Arc::new(FixedClock::new(phones_now()));
    let hub = Arc::new(DocHub::new(
        store.clone(),
        gate,
        ActorId::from(vec![actor; 16]),
        clock,
    ));
    hub.warm().await.unwrap();
    hub
}

/// The heads key `who`'s stored index document lists `record` at, if any.
fn listed<S: ServerStore>(store: &Arc<S>, who: &str, record: RecordId) -> Option<String> {
    let stored = db(|| store.load_versioned(index_id(&user(who)))).unwrap()?;
    let doc = AutoCommit::load(&stored.bytes).unwrap();
    let entries = read_entries(&doc);
    entries
        .get(&record)
        .map(|entry| parse_entry(entry).1.to_owned())
}

fn index_chunks<S: ServerStore>(store: &Arc<S>, who: &str) -> u64 {
    db(|| store.load_versioned(index_id(&user(who))))
        .unwrap()
        .map_or(0, |d| d.chunks)
}

fn add_rep<S: ServerStore>(store: &Arc<S>, id: &UserId, name: &str) {
    db(|| {
        accounts::create_user(
            store.as_ref(),
            &OsEntropy,
            id,
            name,
            Role::FieldRep,
            Some("east".to_owned()),
            None,
        )
    })
    .unwrap();
}

/// Appends a chunk straight into the store, as a server does just before it would index it.
fn store_only<S: ServerStore>(
    store: &Arc<S>,
    id: RecordId,
    doc: &mut RecordDoc,
    since: &[automerge::ChangeHash],
    at: u64,
) -> u64 {
    let chunk = doc.save_after(since);
    let key = heads_key(&doc.heads());
    let write = DocWrite::append(id, "customer", &key, &chunk).if_at(at);
    match db(|| store.write_doc(write)).unwrap() {
        WriteOutcome::Written(v) => v,
        other => panic!("not written: {other:?}"),
    }
}

async fn a_start_indexes_what_a_crash_left_unlisted<S: ServerStore>(store: Arc<S>) {
    let team = accounts::Team {
        id: "east".into(),
        name: "华东 / East".into(),
    };
    db(|| store.put_team(&team)).unwrap();
    let (li, wang) = (user("rep.li"), user("rep.wang"));
    add_rep(&store, &li, "李");
    add_rep(&store, &wang, "王");
    // An earlier record, indexed the normal way, so that both reps have an index document.
    let first = start(&store, 60).await;
    for (owner, seed) in [(&li, 30u8), (&wang, 31)] {
        let mut c = Customer {
            name: format!("老客户{seed}"),
            ..Customer::default()
        };
        c.meta.owner = owner.clone();
        c.meta.created_by = owner.clone();
        c.meta.id = RecordId::from_random_bytes([seed; 16]);
        let outcome = first.create_as(owner, &c).await.unwrap();
        assert!(matches!(outcome, EditOutcome::Stored(_)), "{outcome:?}");
    }
    drop(first);

    // 1. A new record stored, then the crash: no index lists it.
    let id = RecordId::from_random_bytes([41; 16]);
    let mut record = Customer {
        name: "甲公司".into(),
        ..Customer::default()
    };
    record.meta.owner = li.clone();
    record.meta.created_by = li.clone();
    record.meta.id = id;
    let mut doc = RecordDoc::create(&record, ActorId::from(vec![55; 16])).unwrap();
    let v1 = store_only(&store, id, &mut doc, &[], 0);
    assert_eq!(listed(&store, "rep.li", id), None, "the crash's state");
    let _second = start(&store, 61).await;
    let key1 = heads_key(&doc.heads());
    assert_eq!(listed(&store, "rep.li", id), Some(key1.clone()), "mended");
    assert_eq!(listed(&store, "rep.wang", id), None, "not his");

    // 2. The owner changed, stored, then the crash: the old owner's index still names it.
    let before = doc.heads();
    doc.update::<Customer>(|c| Ok(c.meta.owner = wang.clone()))
        .unwrap();
    let v2 = store_only(&store, id, &mut doc, &before, v1);
    assert_eq!(
        listed(&store, "rep.li", id),
        Some(key1),
        "the crash's state"
    );
    let _third = start(&store, 62).await;
    let key2 = heads_key(&doc.heads());
    assert_eq!(
        listed(&store, "rep.wang", id),
        Some(key2.clone()),
        "the new owner's"
    );
    assert_eq!(
        listed(&store, "rep.li", id),
        Some(key2),
        "the creator's, at the new heads"
    );

    // 3. Graded A (for the marketing managers only), stored, then the crash: the reps' indexes
    // still name it; a start takes it out of them.
    let before = doc.heads();
    doc.update::<Customer>(|c| Ok(c.grade = CustomerGrade::A))
        .unwrap();
    store_only(&store, id, &mut doc, &before, v2);
    let _fourth = start(&store, 63).await;
    assert_eq!(
        listed(&store, "rep.li", id),
        None,
        "out of the creator's scope"
    );
    assert_eq!(
        listed(&store, "rep.wang", id),
        None,
        "out of the owner's scope"
    );

    // 4. A clean start writes no index chunk.
    let chunks = (
        index_chunks(&store, "rep.li"),
        index_chunks(&store, "rep.wang"),
    );
    let _fifth = start(&store, 64).await;
    let after = (
        index_chunks(&store, "rep.li"),
        index_chunks(&store, "rep.wang"),
    );
    assert_eq!(after, chunks, "nothing to mend: nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_a_start_indexes_what_a_crash_left_unlisted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("server.sqlite3")).unwrap());
    a_start_indexes_what_a_crash_left_unlisted(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_start_indexes_what_a_crash_left_unlisted() {
    let (_cluster, store) = db(|| {
        let cluster = PgCluster::start().unwrap();
        let store = PgStore::open(&cluster.create_database().unwrap(), 4).unwrap();
        (cluster, store)
    });
    a_start_indexes_what_a_crash_left_unlisted(Arc::new(store)).await;
}

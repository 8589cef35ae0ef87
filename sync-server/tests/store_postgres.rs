//! The storage suite on the Postgres backend: every suite function against a fresh database of
//! a throwaway cluster.
#![allow(clippy::unwrap_used)]

use fieldbook_core::RecordId;
use fieldbook_sync_server::accounts::Team;
use fieldbook_sync_server::store::{DocWrite, FeedEvent, WriteOutcome, suite};
use fieldbook_sync_server::{PgStore, ServerStore};
use fieldbook_testpg::PgCluster;

#[test]
fn postgres_store_passes_the_storage_suite() {
    let cluster = PgCluster::start().unwrap();
    suite::run_all(|| PgStore::open(&cluster.create_database().unwrap(), 4).unwrap());
}

#[test]
fn a_second_open_finds_the_schema_current_and_a_newer_one_is_refused() {
    let cluster = PgCluster::start().unwrap();
    let url = cluster.create_database().unwrap();
    drop(PgStore::open(&url, 2).unwrap());
    drop(PgStore::open(&url, 2).unwrap());
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .execute("INSERT INTO schema_migrations (version) VALUES (999)", &[])
        .unwrap();
    let err = PgStore::open(&url, 2).unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
}

/// Feed positions are taken before commit, so they can become visible out of order: a reader
/// must not pass a position whose transaction is still running.
#[test]
fn an_entry_committed_after_a_later_one_is_not_skipped() {
    let cluster = PgCluster::start().unwrap();
    let url = cluster.create_database().unwrap();
    let store = PgStore::open(&url, 2).unwrap();
    let start = store.latest_change().unwrap();
    let mut slow = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut tx = slow.transaction().unwrap();
    tx.execute(
        "INSERT INTO feed (seq, event, subject) VALUES (nextval('feed_seq'), 'directory', '')",
        &[],
    )
    .unwrap();
    let team = Team {
        id: "west".into(),
        name: "西区 / West".into(),
    };
    store.put_team(&team).unwrap();
    let early = store.changes_since(start, 100).unwrap();
    assert!(early.entries.is_empty(), "{:?}", early.entries);
    assert!(
        early.held_back,
        "the committed entry waits behind the open one"
    );
    tx.commit().unwrap();
    let late = store.changes_since(early.next, 100).unwrap();
    assert_eq!(
        late.entries.iter().map(|e| e.event).collect::<Vec<_>>(),
        vec![FeedEvent::Directory, FeedEvent::Directory]
    );
    assert!(late.entries[0].seq < late.entries[1].seq);
    assert!(!late.held_back);
    assert!(
        store
            .changes_since(late.next, 100)
            .unwrap()
            .entries
            .is_empty()
    );
}

/// A node that holds a document up to a version loads only what was written after it; after an
/// erasure rewrote the history, or a compaction folded it, it is told to load it whole.
#[test]
fn load_after_gives_only_newer_chunks_until_the_history_is_replaced() {
    let cluster = PgCluster::start().unwrap();
    let store = PgStore::open(&cluster.create_database().unwrap(), 2).unwrap();
    let id = RecordId::from_random_bytes([7; 16]);
    let v1 = written(store.write_doc(DocWrite::append(id, "customer", "k1", b"ab")));
    let _ = written(store.write_doc(DocWrite::append(id, "customer", "k2", b"cd")));
    let v3 = written(store.write_doc(DocWrite::append(id, "customer", "k3", b"ef")));
    let after = store.load_after(id, v1).unwrap().unwrap();
    assert_eq!((after.bytes.as_slice(), after.version), (&b"cdef"[..], v3));
    assert!(store.load_after(id, v3).unwrap().is_none(), "nothing newer");
    let v4 = written(store.write_doc(DocWrite::replace(id, "customer", "k4", b"Z")));
    assert!(
        store.load_after(id, v1).unwrap().is_none(),
        "rewritten: load it whole"
    );
    let v5 = written(store.write_doc(DocWrite::append(id, "customer", "k5", b"!")));
    written(store.compact_doc(DocWrite::compaction(id, "customer", "k5", b"Z!", v5)));
    assert!(
        store.load_after(id, v4).unwrap().is_none(),
        "compacted: load it whole"
    );
}

fn written(outcome: fieldbook_sync_server::Result<WriteOutcome>) -> u64 {
    match outcome.unwrap() {
        WriteOutcome::Written(v) => v,
        WriteOutcome::Stale(v) => panic!("stale at {v}"),
    }
}

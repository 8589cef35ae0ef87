//! The storage suite's part for compaction and feed pruning (issue 16): generic functions
//! every [`ServerStore`] backend runs unchanged, from [`super::suite::run_all`].
#![allow(clippy::unwrap_used)]

use automerge::{AutoCommit, transaction::Transactable};
use chrono::{DateTime, Utc};
use fieldbook_core::RecordId;

use super::{DocWrite, FeedEvent, ServerStore, WriteOutcome};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

/// A document of `n` changes, one stored chunk each; its id's version after the last.
fn doc_of_chunks<S: ServerStore>(store: &S, id: RecordId, n: usize) -> (AutoCommit, u64) {
    let mut doc = AutoCommit::new();
    let mut version = 0;
    for i in 0..n {
        doc.put(automerge::ROOT, "step", i as i64).unwrap();
        doc.commit();
        let chunk = doc.save_incremental();
        let write = DocWrite::append(id, "customer", "k", &chunk).if_at(version);
        let WriteOutcome::Written(v) = store.write_doc(write).unwrap() else {
            panic!("the only writer is never stale");
        };
        version = v;
    }
    (doc, version)
}

/// Compaction folds a document's chunks into one whose bytes load to the same heads, as a
/// `Compacted` feed entry; at a stale version, or without a version, it writes nothing.
pub fn suite_compaction<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let id = RecordId::from_random_bytes([16; 16]);
    let (mut doc, version) = doc_of_chunks(&store, id, 10);
    let stored = store.load_versioned(id).unwrap().unwrap();
    assert_eq!((stored.chunks, stored.version), (10, version));
    let whole = AutoCommit::load(&stored.bytes).unwrap().save();
    let start = store.latest_change().unwrap();
    let stale = DocWrite::compaction(id, "customer", "k", &whole, version - 1);
    assert_eq!(
        store.compact_doc(stale).unwrap(),
        WriteOutcome::Stale(version)
    );
    let unversioned = DocWrite::replace(id, "customer", "k", &whole);
    let refused = store.compact_doc(unversioned).unwrap_err();
    assert!(
        refused.to_string().contains("须指明版本 / compacting"),
        "{refused}"
    );
    assert_eq!(
        store.load_versioned(id).unwrap().unwrap(),
        stored,
        "nothing written"
    );
    let compaction = DocWrite::compaction(id, "customer", "k", &whole, version);
    let WriteOutcome::Written(compacted) = store.compact_doc(compaction).unwrap() else {
        panic!("compacted at the version held");
    };
    assert!(compacted > version);
    let after = store.load_versioned(id).unwrap().unwrap();
    assert_eq!((after.chunks, after.version), (1, compacted));
    let mut loaded = AutoCommit::load(&after.bytes).unwrap();
    assert_eq!(loaded.get_heads(), doc.get_heads(), "the same history");
    assert_eq!(store.list_docs().unwrap()[0].bytes, whole.len() as u64);
    let feed = store.changes_since(start, 10).unwrap().entries;
    assert_eq!(
        feed.iter().map(|e| e.event).collect::<Vec<_>>(),
        vec![FeedEvent::Compacted(id)]
    );
    // Writes go on after it, at versions that still grow.
    doc.put(automerge::ROOT, "step", 99).unwrap();
    doc.commit();
    let chunk = doc.save_incremental();
    let next = DocWrite::append(id, "customer", "k", &chunk).if_at(compacted);
    assert!(matches!(store.write_doc(next).unwrap(), WriteOutcome::Written(v) if v > compacted));
    let last = store.load_versioned(id).unwrap().unwrap();
    assert_eq!(last.chunks, 2);
    assert_eq!(
        AutoCommit::load(&last.bytes).unwrap().get_heads(),
        doc.get_heads()
    );
}

/// Pruning deletes what every recent reader has read and no more; a reader at or past the
/// floor misses nothing, one below it is told; a silent reader does not hold the feed; the
/// floor never falls, and positions go on growing after everything was pruned.
pub fn suite_feed_pruning<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let start = store.latest_change().unwrap();
    let ids: Vec<RecordId> = (0..6)
        .map(|n| RecordId::from_random_bytes([20 + n; 16]))
        .collect();
    let mut cursors = vec![start];
    for id in &ids {
        store.append_chunk(*id, "customer", "k", b"x").unwrap();
        cursors.push(store.changes_since(start, 100).unwrap().next);
    }
    assert_eq!(
        store.prune_feed(at(0)).unwrap().deleted,
        0,
        "no reader: nothing"
    );
    store.note_reader("node-a", cursors[4], at(100)).unwrap();
    store.note_reader("node-b", cursors[2], at(100)).unwrap();
    store.note_reader("node-old", cursors[0], at(10)).unwrap();
    let pruned = store.prune_feed(at(50)).unwrap();
    assert_eq!(
        (pruned.floor, pruned.deleted),
        (cursors[2], 2),
        "below node-b only"
    );
    let from_b = store.changes_since(cursors[2], 100).unwrap();
    assert!(!from_b.missed);
    let events: Vec<FeedEvent> = from_b.entries.iter().map(|e| e.event).collect();
    let rest: Vec<FeedEvent> = ids[2..].iter().map(|id| FeedEvent::Appended(*id)).collect();
    assert_eq!(events, rest, "a reader at the floor misses nothing");
    let from_old = store.changes_since(cursors[0], 100).unwrap();
    assert!(from_old.missed, "a reader below the floor is told");
    assert_eq!(from_old.entries, from_b.entries);
    assert!(from_old.next >= cursors[2]);
    // node-b reads on; a reader cannot move back; the forgotten node-old holds nothing.
    store.note_reader("node-b", cursors[6], at(200)).unwrap();
    store.note_reader("node-b", cursors[1], at(200)).unwrap();
    let pruned = store.prune_feed(at(100)).unwrap();
    assert_eq!(
        (pruned.floor, pruned.deleted),
        (cursors[4], 2),
        "node-a is lowest now"
    );
    store.note_reader("node-a", cursors[6], at(300)).unwrap();
    let pruned = store.prune_feed(at(250)).unwrap();
    assert_eq!(
        (pruned.floor, pruned.deleted),
        (cursors[6], 2),
        "node-b went silent"
    );
    let later = store.latest_change().unwrap();
    assert!(later >= cursors[6]);
    let behind = store.changes_since(cursors[4], 100).unwrap();
    assert!(behind.missed && behind.entries.is_empty());
    let id = RecordId::from_random_bytes([30; 16]);
    store.append_chunk(id, "customer", "k", b"y").unwrap();
    let version = store.load_versioned(id).unwrap().unwrap().version;
    let last = store.load_versioned(ids[5]).unwrap().unwrap().version;
    assert!(version > last, "versions grow after the feed was emptied");
    let read = store.changes_since(later, 100).unwrap();
    assert!(!read.missed);
    assert_eq!(read.entries.len(), 1);
    assert_eq!(read.entries[0].event, FeedEvent::Appended(id));
}

//! Compaction and feed pruning on a real server (issue 16). Two phones and a server that
//! compacts past 4 chunks: a record both phones edit and the supervisor's index document are
//! folded into one chunk, and the phones keep syncing, converge, are never told of a rewrite,
//! and a fresh phone pulls everything. A node that comes back from below the pruned floor of
//! the feed (entries it never read were deleted) reloads what it holds, on both backends.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use automerge::ActorId;
use common::{World, phones_now, user};
use fieldbook_core::access::Role;
use fieldbook_core::model::Customer;
use fieldbook_core::sync::{heads_key, index_id};
use fieldbook_core::{DeviceId, FixedClock, OsEntropy, RecordDoc, RecordId};
use fieldbook_sync_server::store::{DocWrite, WriteOutcome};
use fieldbook_sync_server::{
    BasicGate, DocHub, FollowConfig, PgStore, PruneConfig, ServerConfig, ServerStore, SqliteStore,
    accounts, add_device,
};
use fieldbook_testpg::PgCluster;

const COMPACT_AFTER: u64 = 4;
const BOUND: Duration = Duration::from_secs(30);

async fn compacting_world() -> World {
    World::start_configured(ServerConfig {
        compact_after_chunks: COMPACT_AFTER,
        prune: PruneConfig {
            every: Duration::from_millis(50),
            ..PruneConfig::default()
        },
        ..ServerConfig::default()
    })
    .await
}

fn customer(name: &str) -> Customer {
    let mut c = Customer {
        name: name.into(),
        ..Customer::default()
    };
    c.meta.owner = user("rep.li");
    c
}

fn chunks(w: &World, id: RecordId) -> u64 {
    w.store.load_versioned(id).unwrap().unwrap().chunks
}

/// Checks `done` every 20 ms until it holds, for at most [`BOUND`].
async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + BOUND;
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_and_a_supervisors_index_compacted_keep_every_phone_converged() {
    let w = compacting_world().await;
    let (li, zhao) = (w.device("rep.li"), w.device("sup.zhao"));
    let id = li.store.create(customer("华东机械")).unwrap().meta.id;
    li.sync().await;
    zhao.sync().await;
    let index = index_id(&user("sup.zhao"));
    let mut others = Vec::new();
    for round in 0..10 {
        li.store
            .update::<Customer>(id, |c| Ok(c.needs = format!("第{round}轮需求")))
            .unwrap();
        zhao.store
            .update::<Customer>(id, |c| Ok(c.notes = format!("第{round}轮备注")))
            .unwrap();
        others.push(
            li.store
                .create(customer(&format!("客户{round}")))
                .unwrap()
                .meta
                .id,
        );
        for stats in [li.sync().await, zhao.sync().await] {
            assert_eq!(stats.records_rewritten, 0, "compaction is no erasure");
        }
    }
    // 21 writes of the record and more than 30 of the index: without compaction as many chunks.
    wait_for("the record and the index are compacted", async || {
        chunks(&w, id) <= COMPACT_AFTER && chunks(&w, index) <= COMPACT_AFTER
    })
    .await;
    li.store
        .update::<Customer>(id, |c| Ok(c.needs = "叉车".into()))
        .unwrap();
    zhao.store
        .update::<Customer>(id, |c| Ok(c.notes = "周五回访".into()))
        .unwrap();
    for _ in 0..2 {
        for stats in [li.sync().await, zhao.sync().await] {
            assert_eq!(stats.records_rewritten, 0, "{stats:?}");
        }
    }
    let stored = w.store.list_docs().unwrap();
    let stored_key = |id: RecordId| {
        stored
            .iter()
            .find(|d| d.id == id)
            .unwrap()
            .heads_key
            .clone()
    };
    let json = li.store.get_json(id).unwrap();
    assert_eq!(
        (json["needs"].as_str(), json["notes"].as_str()),
        (Some("叉车"), Some("周五回访"))
    );
    assert_eq!(
        zhao.store.get_json(id).unwrap(),
        json,
        "both phones converge"
    );
    for d in [li, zhao] {
        assert_eq!(heads_key(&d.store.heads(id).unwrap()), stored_key(id));
    }
    let fresh = w.fresh_device(30, "sup.zhao", chrono::Utc::now());
    fresh.sync().await;
    assert_eq!(fresh.store.get_json(id).unwrap(), json);
    for other in others.iter().chain([&id]) {
        let heads = heads_key(&fresh.store.heads(*other).unwrap());
        assert_eq!(heads, stored_key(*other), "a fresh phone pulls everything");
    }
}

/// Runs blocking store work off the tokio workers (the Postgres client blocks).
fn db<T>(work: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(work)
}

/// Node B holds a record and has read the feed up to a cursor; then the record is written
/// (by "another node", straight into the store) and a device revoked; node A prunes past B's
/// cursor, B being silent. B's follower, starting from that cursor, finds those entries gone:
/// it must reload the record and end the revoked device's connections anyway.
async fn a_node_back_from_below_the_floor_reloads_what_it_holds<S: ServerStore>(store: Arc<S>) {
    let team = accounts::Team {
        id: "east".into(),
        name: "华东 / East".into(),
    };
    db(|| store.put_team(&team)).unwrap();
    let rep = user("rep.li");
    let field_rep = Role::FieldRep;
    let east = Some("east".to_owned());
    db(|| {
        accounts::create_user(
            store.as_ref(),
            &OsEntropy,
            &rep,
            "李",
            field_rep,
            east,
            None,
        )
    })
    .unwrap();
    let id = RecordId::from_random_bytes([41; 16]);
    let writer = ActorId::from(vec![55; 16]);
    let mut record = customer("甲公司");
    record.meta.id = id;
    let mut doc = RecordDoc::create(&record, writer).unwrap();
    let bytes = doc.save();
    let key = heads_key(&doc.heads());
    let first = DocWrite::append(id, "customer", &key, &bytes).if_at(0);
    let WriteOutcome::Written(v1) = db(|| store.write_doc(first)).unwrap() else {
        panic!("a new record");
    };
    let clock = Arc::new(FixedClock::new(phones_now()));
    let gate = Arc::new(BasicGate {
        max_doc_bytes: 1 << 24,
    });
    let b = Arc::new(DocHub::new(
        store.clone(),
        gate,
        ActorId::from(vec![66; 16]),
        clock,
    ));
    b.warm().await.unwrap();
    assert_eq!(b.json(id).await.unwrap().unwrap()["name"], "甲公司");
    let cursor = b.feed_position().await.unwrap();

    let before = doc.heads();
    doc.update::<Customer>(|c| Ok(c.name = "乙公司".into()))
        .unwrap();
    let (chunk, key) = (doc.save_after(&before), heads_key(&doc.heads()));
    let second = DocWrite::append(id, "customer", &key, &chunk).if_at(v1);
    assert!(matches!(
        db(|| store.write_doc(second)).unwrap(),
        WriteOutcome::Written(_)
    ));
    let device = DeviceId::from_random_bytes([42; 16]);
    db(|| add_device(store.as_ref(), device, user("rep.li"))).unwrap();
    db(|| store.revoke_device(device, phones_now())).unwrap();
    let hour = chrono::TimeDelta::hours(1);
    let latest = db(|| store.latest_change()).unwrap();
    db(|| store.note_reader("node-b", cursor, phones_now())).unwrap();
    db(|| store.note_reader("node-a", latest, phones_now() + hour)).unwrap();
    let pruned = db(|| store.prune_feed(phones_now() + hour / 2)).unwrap();
    assert!(pruned.floor > cursor && pruned.deleted >= 3, "{pruned:?}");
    assert!(db(|| store.changes_since(cursor, 100)).unwrap().missed);

    let mut revocations = b.subscribe_revocations();
    let follow = FollowConfig {
        listen: false,
        poll: Duration::from_millis(20),
    };
    let follower = tokio::spawn(b.clone().follow(cursor, follow));
    wait_for("node B reloads the record written in the gap", async || {
        b.json(id).await.unwrap().unwrap()["name"] == "乙公司"
    })
    .await;
    let revoked = tokio::time::timeout(BOUND, revocations.recv()).await;
    assert_eq!(
        revoked.unwrap().unwrap(),
        device,
        "revoked in the gap: told"
    );
    follower.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_a_node_back_from_below_the_pruned_floor_reloads_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("server.sqlite3")).unwrap());
    a_node_back_from_below_the_floor_reloads_what_it_holds(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_node_back_from_below_the_pruned_floor_reloads_what_it_holds() {
    let (cluster, store) = db(|| {
        let cluster = PgCluster::start().unwrap();
        let store = PgStore::open(&cluster.create_database().unwrap(), 4).unwrap();
        (cluster, Arc::new(store))
    });
    a_node_back_from_below_the_floor_reloads_what_it_holds(store.clone()).await;
    db(|| drop((store, cluster)));
}

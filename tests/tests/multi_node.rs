//! Two server nodes on one PostgreSQL database (issue 10): devices on different nodes converge,
//! a change through one node is pushed to a device connected to the other, concurrent writes
//! to one record through both nodes all survive, a revocation on one node ends the device's
//! connection on the other, and a node SIGKILLed mid-sync loses nothing it acknowledged while
//! its devices carry on through the other node. With compaction on (issue 16), a record and a
//! supervisor's index document edited through both nodes past the threshold are folded into
//! one chunk and every device stays converged.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use fieldbook_core::RecordId;
use fieldbook_core::model::Customer;
use fieldbook_core::sync::{heads_key, index_id};
use fieldbook_sync_server::ServerStore;
use fieldbook_tests::fleet::{Device, Fleet, wait_until};
use fieldbook_tests::live::LiveDevice;
use fieldbook_tests::server::{ServerKind, TestServer};

const T: Duration = Duration::from_secs(60);

fn customer(name: &str) -> Customer {
    let mut c = Customer {
        name: name.into(),
        ..Customer::default()
    };
    c.meta.owner = fieldbook_core::UserId::new("team").unwrap();
    c
}

/// The device's copy of `id` and its heads, if it holds it.
fn copy_of(d: &Device, id: RecordId) -> Option<(serde_json::Value, String)> {
    d.store.contains(id).unwrap().then(|| {
        let heads = heads_key(&d.store.heads(id).unwrap());
        (d.store.get_json(id).unwrap(), heads)
    })
}

async fn sync(d: &Device, node: &TestServer) {
    d.sync_with(node).sync_once(T).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_on_two_nodes_converge() {
    let fleet = Fleet::new().unwrap();
    let (a, b) = (fleet.node().await.unwrap(), fleet.node().await.unwrap());
    let d1 = fleet.device(1, "team").unwrap();
    let d2 = fleet.device(2, "team").unwrap();
    let id = d1.store.create(customer("甲公司")).unwrap().meta.id;
    sync(&d1, &a).await;
    sync(&d2, &b).await;
    assert!(d2.store.contains(id).unwrap(), "found through node B");
    for (d, industry) in [(&d1, "机械"), (&d2, "化工")] {
        d.store
            .update::<Customer>(id, |c| {
                c.industry = industry.into();
                c.needs.push_str(industry);
                Ok(())
            })
            .unwrap();
    }
    tokio::join!(sync(&d1, &a), sync(&d2, &b));
    wait_until("both devices hold the same record", T, || async {
        tokio::join!(sync(&d1, &a), sync(&d2, &b));
        Ok(copy_of(&d1, id) == copy_of(&d2, id))
    })
    .await
    .unwrap();
    let (_, heads) = copy_of(&d1, id).unwrap();
    let stored = fleet.db(|s| s.list_docs()).unwrap();
    assert_eq!(stored.iter().find(|s| s.id == id).unwrap().heads_key, heads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_one_node_is_pushed_to_a_device_on_the_other() {
    let fleet = Fleet::new().unwrap();
    let (a, b) = (fleet.node().await.unwrap(), fleet.node().await.unwrap());
    let writer = fleet.device(1, "team").unwrap();
    let reader = fleet.device(2, "team").unwrap();
    let id = writer.store.create(customer("乙公司")).unwrap().meta.id;
    sync(&writer, &a).await;
    sync(&reader, &b).await;
    let url = format!("ws://{}/sync", b.addr());
    let live = LiveDevice::connect(reader.store.clone(), &url, &reader.token, Arc::new(|| {}))
        .await
        .unwrap();
    writer
        .store
        .update::<Customer>(id, |c| {
            c.needs = "叉车".into();
            Ok(())
        })
        .unwrap();
    sync(&writer, &a).await;
    wait_until("the reader on node B is sent the change", T, || async {
        Ok(reader.store.get::<Customer>(id)?.needs == "叉车")
    })
    .await
    .unwrap();
    live.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_one_record_through_both_nodes_all_survive() {
    let fleet = Fleet::new().unwrap();
    let nodes = [fleet.node().await.unwrap(), fleet.node().await.unwrap()];
    let devices: Vec<Device> = (1..=4).map(|n| fleet.device(n, "team").unwrap()).collect();
    let id = devices[0].store.create(customer("丙公司")).unwrap().meta.id;
    sync(&devices[0], &nodes[0]).await;
    for (i, d) in devices.iter().enumerate() {
        sync(d, &nodes[i % 2]).await;
    }
    let mut written = Vec::new();
    for round in 0..5 {
        let mut syncs = Vec::new();
        for (i, d) in devices.iter().enumerate() {
            d.store
                .update::<Customer>(id, |c| {
                    c.needs = format!("设备{i} 第{round}轮");
                    Ok(())
                })
                .unwrap();
            written.extend(d.store.heads(id).unwrap());
            syncs.push(d.sync_with(&nodes[i % 2]));
        }
        let results = futures_util::future::join_all(syncs.iter().map(|s| s.sync_once(T))).await;
        for r in results {
            r.unwrap();
        }
    }
    let bytes = fleet.db(|s| s.load_doc(id)).unwrap().unwrap();
    let mut stored = automerge::AutoCommit::load(&bytes).unwrap();
    for hash in &written {
        assert!(
            stored.get_change_by_hash(hash).is_some(),
            "a change written through a node was lost"
        );
    }
    wait_until("every device converges", T, || async {
        for (i, d) in devices.iter().enumerate() {
            sync(d, &nodes[i % 2]).await;
        }
        let first = copy_of(&devices[0], id);
        Ok(devices.iter().all(|d| copy_of(d, id) == first))
    })
    .await
    .unwrap();
}

/// Both nodes write the same user's index document at once (every record in the user's scope
/// puts an entry there, without the version check): no entry is lost, and each one ends at
/// its record's latest heads, so a new device through either node finds every record. A
/// device that moves to the other node brings it index changes it has not taken in; it is
/// served, not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_created_through_both_nodes_at_once_are_all_indexed() {
    let fleet = Fleet::new().unwrap();
    let nodes = [fleet.node().await.unwrap(), fleet.node().await.unwrap()];
    let writers: Vec<Device> = (1..=4).map(|n| fleet.device(n, "team").unwrap()).collect();
    let mut ids = Vec::new();
    for round in 0..3 {
        for (i, d) in writers.iter().enumerate() {
            for k in 0..3 {
                let c = customer(&format!("客户{round}-{i}-{k}"));
                ids.push(d.store.create(c).unwrap().meta.id);
            }
        }
        let syncs: Vec<_> = writers
            .iter()
            .enumerate()
            .map(|(i, d)| d.sync_with(&nodes[i % 2]))
            .collect();
        for r in futures_util::future::join_all(syncs.iter().map(|s| s.sync_once(T))).await {
            r.unwrap();
        }
    }
    let stored = fleet.db(|s| s.list_docs()).unwrap();
    for (n, node) in nodes.iter().enumerate() {
        let fresh = fleet.device(10 + n as u32, "team").unwrap();
        wait_until(
            "a new device finds every record, at its stored heads",
            T,
            || async {
                sync(&fresh, node).await;
                Ok(ids.iter().all(|id| {
                    let held = copy_of(&fresh, *id).map(|(_, heads)| heads);
                    held.is_some()
                        && held
                            == stored
                                .iter()
                                .find(|s| s.id == *id)
                                .map(|s| s.heads_key.clone())
                }))
            },
        )
        .await
        .unwrap();
    }
    let moving = fleet.device(10, "team").unwrap();
    for node in [&nodes[1], &nodes[0], &nodes[1]] {
        sync(&moving, node).await;
    }
    assert!(ids.iter().all(|id| moving.store.contains(*id).unwrap()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_on_one_node_ends_the_connection_on_the_other() {
    let fleet = Fleet::new().unwrap();
    let b = fleet.node().await.unwrap();
    let d = fleet.device(1, "team").unwrap();
    let url = format!("ws://{}/sync", b.addr());
    let live = LiveDevice::connect(d.store.clone(), &url, &d.token, Arc::new(|| {}))
        .await
        .unwrap();
    // Through the database, as node A's admin API or the command line would.
    fleet
        .db(|s| s.revoke_device(d.id, chrono::Utc::now()))
        .unwrap();
    wait_until("node B ends the revoked device's connection", T, || async {
        Ok(!live.is_connected())
    })
    .await
    .unwrap();
    assert!(
        d.sync_with(&b).sync_once(T).await.is_err(),
        "and refuses it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_sync_loses_nothing_acknowledged() {
    let fleet = Fleet::new().unwrap();
    let (a, b) = (fleet.node().await.unwrap(), fleet.node().await.unwrap());
    let writer = fleet.device(1, "team").unwrap();
    let reader = fleet.device(2, "team").unwrap();
    let ids: Vec<RecordId> = (0..300)
        .map(|i| {
            let c = customer(&format!("客户{i}"));
            writer.store.create(c).unwrap().meta.id
        })
        .collect();
    let uploading = {
        let sync = writer.sync_with(&a);
        tokio::spawn(async move { sync.sync_once(T).await })
    };
    wait_until("node A stores part of the upload", T, || async {
        let n = fleet.db(|s| s.list_docs())?.len();
        Ok(n >= 20 || uploading.is_finished())
    })
    .await
    .unwrap();
    let a = a.restart().await.unwrap(); // SIGKILL, then a new process on the same database
    let _ = uploading.await.unwrap(); // fails, unless it had finished
    let acked: Vec<RecordId> = ids
        .iter()
        .copied()
        .filter(|id| writer.store.is_synced(*id, "server").unwrap())
        .collect();
    let stored: Vec<RecordId> = fleet
        .db(|s| s.list_docs())
        .unwrap()
        .iter()
        .map(|s| s.id)
        .collect();
    for id in &acked {
        assert!(stored.contains(id), "an acknowledged record was lost");
    }
    // The writer resumes through node B, the reader reads through the restarted node A.
    sync(&writer, &b).await;
    assert!(
        ids.iter()
            .all(|id| writer.store.is_synced(*id, "server").unwrap())
    );
    wait_until(
        "the reader on the restarted node has every record",
        T,
        || async {
            sync(&reader, &a).await;
            Ok(ids.iter().all(|id| reader.store.contains(*id).unwrap()))
        },
    )
    .await
    .unwrap();
}

/// The back office reads the same merged record through either node, scoped the same way, and
/// a change made through one node shows on the other's API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_back_office_reads_the_same_record_through_either_node() {
    let fleet = Fleet::new().unwrap();
    let nodes = [fleet.node().await.unwrap(), fleet.node().await.unwrap()];
    let rep = fleet.device(1, "team").unwrap();
    let supervisor = fleet.device(2, "sup.zhao").unwrap();
    let outsider = fleet.device(3, "rep.li").unwrap();
    let id = rep.store.create(customer("戊公司")).unwrap().meta.id;
    sync(&rep, &nodes[0]).await;
    let read = |node: &TestServer, token: &str| {
        let url = format!("http://{}/api/v1/records/{id}", node.addr());
        let request = reqwest::Client::new().get(url).bearer_auth(token).send();
        async move {
            let response = request.await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap())
        }
    };
    for node in &nodes {
        let (status, body) = read(node, &supervisor.token).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["record"]["name"], "戊公司");
        let (status, _) = read(node, &outsider.token).await;
        assert_eq!(
            status, 404,
            "another rep's customer is out of scope on every node"
        );
    }
    rep.store
        .update::<Customer>(id, |c| {
            c.needs = "叉车".into();
            Ok(())
        })
        .unwrap();
    sync(&rep, &nodes[1]).await;
    wait_until(
        "node A's API shows the change made through node B",
        T,
        || async { Ok(read(&nodes[0], &supervisor.token).await.1["record"]["needs"] == "叉车") },
    )
    .await
    .unwrap();
}

const COMPACT_AFTER: u64 = 4;

/// A node that compacts past [`COMPACT_AFTER`] chunks and prunes its feed every 100 ms.
async fn compacting_node(fleet: &Fleet) -> TestServer {
    let args = ["--compact-after-chunks", "4", "--prune-every-ms", "100"];
    let db = std::path::Path::new(&fleet.url);
    TestServer::start_with(ServerKind::Fieldbook, db, &args)
        .await
        .unwrap()
}

fn chunks(fleet: &Fleet, id: RecordId) -> u64 {
    fleet
        .db(|s| s.load_versioned(id))
        .unwrap()
        .map_or(0, |d| d.chunks)
}

/// Edits the shared record on both devices (each its own field) and syncs each through its
/// node; no sync is told of a rewritten history.
async fn edit_both(devices: &[Device; 2], nodes: &[TestServer; 2], id: RecordId, round: &str) {
    devices[0]
        .store
        .update::<Customer>(id, |c| {
            c.needs = format!("需求{round}");
            Ok(())
        })
        .unwrap();
    devices[1]
        .store
        .update::<Customer>(id, |c| {
            c.notes = format!("备注{round}");
            Ok(())
        })
        .unwrap();
    for (d, node) in devices.iter().zip(nodes) {
        let stats = d.sync_with(node).sync_once(T).await.unwrap();
        assert_eq!(stats.records_rewritten, 0, "compaction is no erasure");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_and_an_index_compacted_through_two_nodes_keep_every_device_converged() {
    let fleet = Fleet::new().unwrap();
    let nodes = [compacting_node(&fleet).await, compacting_node(&fleet).await];
    let devices = [
        fleet.device(1, "team").unwrap(),
        fleet.device(2, "sup.zhao").unwrap(),
    ];
    let id = devices[0].store.create(customer("己公司")).unwrap().meta.id;
    sync(&devices[0], &nodes[0]).await;
    sync(&devices[1], &nodes[1]).await;
    assert!(devices[1].store.contains(id).unwrap());
    let index = index_id(&fieldbook_core::UserId::new("sup.zhao").unwrap());
    for round in 0..10 {
        edit_both(&devices, &nodes, id, &round.to_string()).await;
    }
    // 21 writes of the record, more of the supervisor's index: each of them a chunk, unless
    // compacted. A compaction that met the other node's write waits for the next write.
    let mut round = 10;
    wait_until("the record and the index are compacted", T, || {
        round += 1;
        let (fleet, devices, nodes) = (&fleet, &devices, &nodes);
        async move {
            if chunks(fleet, id) <= COMPACT_AFTER && chunks(fleet, index) <= COMPACT_AFTER {
                return Ok(true);
            }
            edit_both(devices, nodes, id, &round.to_string()).await;
            Ok(false)
        }
    })
    .await
    .unwrap();
    edit_both(&devices, &nodes, id, "终").await;
    wait_until("both devices hold the same record", T, || async {
        tokio::join!(sync(&devices[0], &nodes[0]), sync(&devices[1], &nodes[1]));
        Ok(copy_of(&devices[0], id) == copy_of(&devices[1], id))
    })
    .await
    .unwrap();
    let (json, heads) = copy_of(&devices[0], id).unwrap();
    assert_eq!(
        (json["needs"].as_str(), json["notes"].as_str()),
        (Some("需求终"), Some("备注终"))
    );
    let stored = fleet.db(|s| s.list_docs()).unwrap();
    assert_eq!(stored.iter().find(|s| s.id == id).unwrap().heads_key, heads);
    for (n, node) in nodes.iter().enumerate() {
        let fresh = fleet.device(20 + n as u32, "sup.zhao").unwrap();
        wait_until(
            "a fresh device pulls the record at its stored heads",
            T,
            || async {
                sync(&fresh, node).await;
                Ok(copy_of(&fresh, id).is_some_and(|(_, h)| h == heads))
            },
        )
        .await
        .unwrap();
    }
}

//! Faults (issue 5): the connection may be cut at any byte, the server may restart mid-sync,
//! and no acknowledged change may be lost or duplicated.
//!
//! Each device is a stock automerge-repo client (`client.mjs edits`) that appends entries to a
//! record's `log` list one at a time and reports each one the server acknowledged. The devices
//! talk through a [`FaultProxy`] that cuts connections at seeded-random byte offsets; after the
//! faults stop, a fresh client reads the record over a clean connection and every acknowledged
//! entry must be there exactly once.
//!
//! `harness_*` tests run the same scenarios against automerge-repo's own server, which checks
//! the harness (and documents how the reference implementation behaves).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use fieldbook_tests::node::{self, NodeProcess, PeerServer};
use fieldbook_tests::{FaultPlan, FaultProxy};
use serde_json::{Value, json};

const EDITS_PER_DEVICE: usize = 8;

/// The seeds to run: `FIELDBOOK_FAULT_SEEDS=3,17` replays chosen ones.
fn seeds(default: std::ops::RangeInclusive<u64>) -> Vec<u64> {
    match std::env::var("FIELDBOOK_FAULT_SEEDS") {
        Ok(list) => list.split(',').map(|s| s.trim().parse().unwrap()).collect(),
        Err(_) => default.collect(),
    }
}

async fn start_peer(dir: &Path) -> (PeerServer, SocketAddr) {
    let server = PeerServer::start(dir).await.unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, server.port()));
    (server, addr)
}

async fn create_record(url: &str) -> String {
    let record = json!({"kind": "lead_referral", "schema": 1, "code": "L-1", "log": []});
    let created = node::client("create", url, &[("value", &record.to_string())])
        .await
        .unwrap();
    created["id"].as_str().unwrap().to_string()
}

fn start_device(url: &str, doc: &str, tag: &str, count: usize) -> NodeProcess {
    let args: Vec<String> = ["edits", "--url", url, "--doc", doc, "--tag", tag, "--count"]
        .iter()
        .map(|s| s.to_string())
        .chain([count.to_string()])
        .collect();
    NodeProcess::spawn("client.mjs", &args).unwrap()
}

/// Reads a device's acknowledgements until it finishes; returns how many it got.
async fn run_device(mut device: NodeProcess, count: usize) -> usize {
    for i in 0..count {
        let line = device.next().await.unwrap();
        assert_eq!(line["acked"], json!(i));
    }
    device.finish().await.unwrap();
    count
}

/// Every acknowledged entry appears exactly once in the record's log.
fn assert_exactly_once(doc: &Value, acked: &[(&str, usize)]) {
    let log: Vec<&str> = doc["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for entry in &log {
        *seen.entry(entry).or_default() += 1;
    }
    for (tag, count) in acked {
        for i in 0..*count {
            let entry = format!("{tag}-{i}");
            assert_eq!(seen.get(entry.as_str()), Some(&1), "{entry} in {log:?}");
        }
    }
    assert!(
        seen.values().all(|n| *n == 1),
        "duplicated entries in {log:?}"
    );
}

/// Runs two devices through a proxy that cuts at random offsets; returns how many cuts happened.
async fn cut_at_random_offsets(seed: u64, addr: SocketAddr) -> u64 {
    let clean = format!("ws://{addr}");
    let doc = create_record(&clean).await;
    let plan = FaultPlan::Random {
        probability: 0.6,
        max_offset: 2_000,
    };
    let proxy = FaultProxy::start(addr, seed, plan).await.unwrap();
    let faulty = format!("ws://{}", proxy.addr());
    let a = run_device(
        start_device(&faulty, &doc, "a", EDITS_PER_DEVICE),
        EDITS_PER_DEVICE,
    );
    let b = run_device(
        start_device(&faulty, &doc, "b", EDITS_PER_DEVICE),
        EDITS_PER_DEVICE,
    );
    let (a, b) = tokio::join!(a, b);
    eprintln!("seed {seed}: {:?}", proxy.cut_log());

    let read = node::client("read", &clean, &[("doc", &doc)])
        .await
        .unwrap();
    assert_exactly_once(&read["doc"], &[("a", a), ("b", b)]);
    proxy.stats().cuts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_acked_edits_survive_cuts_at_random_offsets_on_automerge_repo_server() {
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = start_peer(&dir.path().join("data")).await;
    let mut cuts = 0;
    for seed in seeds(1..=4) {
        cuts += cut_at_random_offsets(seed, addr).await;
    }
    assert!(cuts > 0, "no connection was cut");
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_acked_edits_survive_a_server_restart_mid_sync_on_automerge_repo_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (server, addr) = start_peer(&data).await;
    let doc = create_record(&format!("ws://{addr}")).await;
    let proxy = FaultProxy::start(addr, 7, FaultPlan::Clean).await.unwrap();
    let mut device = start_device(
        &format!("ws://{}", proxy.addr()),
        &doc,
        "a",
        2 * EDITS_PER_DEVICE,
    );
    for i in 0..EDITS_PER_DEVICE {
        assert_eq!(device.next().await.unwrap()["acked"], json!(i));
    }
    // Stop the server mid-sync; the device keeps editing offline and reconnects.
    server.stop().await.unwrap();
    proxy.cut_all();
    let (server, addr) = start_peer(&data).await;
    proxy.set_target(addr);
    for i in EDITS_PER_DEVICE..2 * EDITS_PER_DEVICE {
        assert_eq!(device.next().await.unwrap()["acked"], json!(i));
    }
    device.finish().await.unwrap();

    let read = node::client("read", &format!("ws://{addr}"), &[("doc", &doc)])
        .await
        .unwrap();
    assert_exactly_once(&read["doc"], &[("a", 2 * EDITS_PER_DEVICE)]);
    server.stop().await.unwrap();
}

//! Faults (issue 5): the connection may be cut at any byte, the server may restart mid-sync,
//! and no acknowledged change may be lost or duplicated.
//!
//! Each device is a stock automerge-repo client (`client.mjs edits`) that appends entries to a
//! record's `log` list one at a time and reports each one the server acknowledged. The devices
//! talk through a [`FaultProxy`] that cuts connections at seeded-random byte offsets
//! (`FIELDBOOK_FAULT_SEEDS=3,17` replays chosen seeds); after the faults stop, a fresh client
//! reads the record over a clean connection and every acknowledged entry must be there exactly
//! once.
//!
//! The scenarios take a [`ServerKind`]. `harness_*` tests run them against automerge-repo's own
//! server, which checks the harness and records how the reference behaves.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use fieldbook_tests::node::{self, NodeProcess};
use fieldbook_tests::{FaultPlan, FaultProxy, ServerKind, TestServer};
use serde_json::{Value, json};

const EDITS_PER_DEVICE: usize = 8;

/// The seeds to run: `FIELDBOOK_FAULT_SEEDS=3,17` replays chosen ones.
fn seeds(default: std::ops::RangeInclusive<u64>) -> Vec<u64> {
    match std::env::var("FIELDBOOK_FAULT_SEEDS") {
        Ok(list) => list.split(',').map(|s| s.trim().parse().unwrap()).collect(),
        Err(_) => default.collect(),
    }
}

/// How devices decide a change is acknowledged. Fieldbook must answer every sync message with
/// its heads, so its devices trust only that (`0`); the stock server can stay silent after a
/// cut (see `tests/interop/lib.mjs`), so its devices also probe with a fresh connection.
fn probe_ms(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Fieldbook => "0",
        ServerKind::AutomergeRepo => "2000",
    }
}

async fn create_record(url: &str) -> String {
    let record = json!({"kind": "lead_referral", "schema": 1, "code": "L-1", "log": []});
    let created = node::client("create", url, &[("value", &record.to_string())])
        .await
        .unwrap();
    created["id"].as_str().unwrap().to_string()
}

fn start_device(kind: ServerKind, url: &str, doc: &str, tag: &str, count: usize) -> NodeProcess {
    let count = count.to_string();
    let args: Vec<String> = [
        "edits",
        "--url",
        url,
        "--doc",
        doc,
        "--tag",
        tag,
        "--count",
        &count,
        "--probe-ms",
        probe_ms(kind),
    ]
    .iter()
    .map(|s| s.to_string())
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

/// Two devices edit one record through a proxy that cuts at random offsets; returns the cuts.
async fn cut_at_random_offsets(server: &TestServer, seed: u64) -> u64 {
    let kind = server.kind();
    let doc = create_record(&server.url()).await;
    let plan = FaultPlan::Random {
        probability: 0.6,
        max_offset: 2_000,
    };
    let proxy = FaultProxy::start(server.addr(), seed, plan).await.unwrap();
    let faulty = server.url_via(proxy.addr());
    let n = EDITS_PER_DEVICE;
    let a = run_device(start_device(kind, &faulty, &doc, "a", n), n);
    let b = run_device(start_device(kind, &faulty, &doc, "b", n), n);
    let (a, b) = tokio::join!(a, b);
    eprintln!("seed {seed}: {:?}", proxy.cut_log());

    let read = node::client("read", &server.url(), &[("doc", &doc)])
        .await
        .unwrap();
    assert_exactly_once(&read["doc"], &[("a", a), ("b", b)]);
    proxy.stats().cuts
}

async fn cuts_scenario(kind: ServerKind) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(kind, &dir.path().join("data"))
        .await
        .unwrap();
    let mut cuts = 0;
    for seed in seeds(1..=4) {
        cuts += cut_at_random_offsets(&server, seed).await;
    }
    assert!(cuts > 0, "no connection was cut");
    server.stop().await.unwrap();
}

/// A device edits while the server is killed and restarted on the same data mid-sync.
async fn restart_scenario(kind: ServerKind) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(kind, &dir.path().join("data"))
        .await
        .unwrap();
    let doc = create_record(&server.url()).await;
    let proxy = FaultProxy::start(server.addr(), 7, FaultPlan::Clean)
        .await
        .unwrap();
    let total = 2 * EDITS_PER_DEVICE;
    let mut device = start_device(kind, &server.url_via(proxy.addr()), &doc, "a", total);
    for i in 0..EDITS_PER_DEVICE {
        assert_eq!(device.next().await.unwrap()["acked"], json!(i));
    }
    // Kill the server mid-sync; the device keeps editing offline and reconnects.
    let server = server.restart().await.unwrap();
    proxy.set_target(server.addr());
    proxy.cut_all();
    for i in EDITS_PER_DEVICE..total {
        assert_eq!(device.next().await.unwrap()["acked"], json!(i));
    }
    device.finish().await.unwrap();

    let read = node::client("read", &server.url(), &[("doc", &doc)])
        .await
        .unwrap();
    assert_exactly_once(&read["doc"], &[("a", total)]);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_acked_edits_survive_cuts_at_random_offsets_on_automerge_repo_server() {
    cuts_scenario(ServerKind::AutomergeRepo).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_acked_edits_survive_a_server_restart_mid_sync_on_automerge_repo_server() {
    restart_scenario(ServerKind::AutomergeRepo).await;
}

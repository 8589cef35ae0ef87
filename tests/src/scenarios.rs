//! The fault scenarios of issue 5, written once and run against any [`ServerKind`]: the tests in
//! `tests/faults.rs` call them for automerge-repo's own server (checking the harness) and for the
//! Fieldbook server.
//!
//! Each device is a stock automerge-repo client (`client.mjs edits`) that appends entries to a
//! visit plan's `materials` list (a list of strings the Fieldbook schema knows) one at a time and reports each one the server acknowledged. After the
//! faults stop, a fresh client reads the record over a clean connection and every acknowledged
//! entry must be there exactly once. Seeds replay: `FIELDBOOK_FAULT_SEEDS=3,17`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::node::{self, NodeProcess};
use crate::proxy::{FaultPlan, FaultProxy};
use crate::server::{ServerKind, TestServer};

/// Entries each device appends in a scenario.
pub const EDITS_PER_DEVICE: usize = 8;

/// The seeds to run: `FIELDBOOK_FAULT_SEEDS=3,17` replays chosen ones, else `default`.
pub fn seeds(default: std::ops::RangeInclusive<u64>) -> Result<Vec<u64>> {
    match std::env::var("FIELDBOOK_FAULT_SEEDS") {
        Ok(list) => list
            .split(',')
            .map(|s| s.trim().parse().context("FIELDBOOK_FAULT_SEEDS"))
            .collect(),
        Err(_) => Ok(default.collect()),
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

fn data_path(kind: ServerKind, dir: &Path) -> std::path::PathBuf {
    match kind {
        ServerKind::AutomergeRepo => dir.join("data"),
        ServerKind::Fieldbook => dir.join("server.sqlite3"),
    }
}

/// The list the devices append to (`materials`, as in `create_record`): a field of the
/// model, since the Fieldbook server refuses fields its schema does not know (ADR 0011).
const LIST: &str = "materials";

/// Creates a visit plan with an empty `materials` list through a stock client, as user
/// `rep.test` (whose token the test server issued); returns its id.
pub async fn create_record(url: &str) -> Result<String> {
    let record = json!({"kind": "visit_plan", "schema": 1, "purpose": "L-1", "materials": [],
        "meta": {"created_by": "rep.test", "owner": "rep.test"}});
    let created = node::client("create", url, &[("value", &record.to_string())]).await?;
    Ok(created["id"].as_str().context("no id")?.to_string())
}

fn start_device(
    kind: ServerKind,
    url: &str,
    doc: &str,
    tag: &str,
    count: usize,
) -> Result<NodeProcess> {
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
        "--list",
        LIST,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    NodeProcess::spawn("client.mjs", &args)
}

/// Waits for acknowledgement `i` from a device.
async fn expect_ack(device: &mut NodeProcess, i: usize) -> Result<()> {
    let line = device.next().await?;
    ensure!(line["acked"] == json!(i), "expected ack {i}, got {line}");
    Ok(())
}

/// Reads a device's acknowledgements until it finishes; returns how many it got.
async fn run_device(mut device: NodeProcess, count: usize) -> Result<usize> {
    for i in 0..count {
        expect_ack(&mut device, i).await?;
    }
    device.finish().await?;
    Ok(count)
}

/// Every acknowledged entry appears exactly once in the record's list, and nothing twice.
pub fn check_exactly_once(doc: &Value, acked: &[(&str, usize)]) -> Result<()> {
    let log: Vec<&str> = doc[LIST]
        .as_array()
        .context("no materials list")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for entry in &log {
        *seen.entry(entry).or_default() += 1;
    }
    for (tag, count) in acked {
        for i in 0..*count {
            let entry = format!("{tag}-{i}");
            ensure!(
                seen.get(entry.as_str()) == Some(&1),
                "{entry} lost or duplicated in {log:?}"
            );
        }
    }
    ensure!(
        seen.values().all(|n| *n == 1),
        "duplicated entries in {log:?}"
    );
    Ok(())
}

async fn read_and_check(server: &TestServer, doc: &str, acked: &[(&str, usize)]) -> Result<()> {
    let read = node::client("read", &server.url(), &[("doc", doc)]).await?;
    check_exactly_once(&read["doc"], acked)
}

/// Two devices edit one record through a proxy that cuts at random offsets; returns the cuts.
async fn cut_at_random_offsets(server: &TestServer, seed: u64) -> Result<u64> {
    let kind = server.kind();
    let doc = create_record(&server.url()).await?;
    let plan = FaultPlan::Random {
        probability: 0.6,
        max_offset: 2_000,
    };
    let proxy = FaultProxy::start(server.addr(), seed, plan).await?;
    let faulty = server.url_via(proxy.addr());
    let n = EDITS_PER_DEVICE;
    let a = run_device(start_device(kind, &faulty, &doc, "a", n)?, n);
    let b = run_device(start_device(kind, &faulty, &doc, "b", n)?, n);
    let (a, b) = tokio::join!(a, b);
    let cuts = proxy.cut_log();
    let (a, b) = (
        a.with_context(|| format!("seed {seed}, cuts {cuts:?}"))?,
        b.with_context(|| format!("seed {seed}, cuts {cuts:?}"))?,
    );
    read_and_check(server, &doc, &[("a", a), ("b", b)])
        .await
        .with_context(|| format!("seed {seed}, cuts {cuts:?}"))?;
    Ok(proxy.stats().cuts)
}

/// Connections cut at random byte offsets, several seeds: nothing acknowledged lost or doubled.
pub async fn cuts_scenario(kind: ServerKind) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = TestServer::start(kind, &data_path(kind, dir.path())).await?;
    let mut cuts = 0;
    for seed in seeds(1..=4)? {
        cuts += cut_at_random_offsets(&server, seed).await?;
    }
    ensure!(cuts > 0, "no connection was cut");
    server.stop().await
}

/// A device edits while the server is killed (SIGKILL) and restarted on the same data.
pub async fn restart_scenario(kind: ServerKind) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = TestServer::start(kind, &data_path(kind, dir.path())).await?;
    let doc = create_record(&server.url()).await?;
    let proxy = FaultProxy::start(server.addr(), 7, FaultPlan::Clean).await?;
    let total = 2 * EDITS_PER_DEVICE;
    let mut device = start_device(kind, &server.url_via(proxy.addr()), &doc, "a", total)?;
    for i in 0..EDITS_PER_DEVICE {
        expect_ack(&mut device, i).await?;
    }
    let server = server.restart().await?;
    proxy.set_target(server.addr());
    proxy.cut_all();
    for i in EDITS_PER_DEVICE..total {
        expect_ack(&mut device, i).await?;
    }
    device.finish().await?;
    read_and_check(&server, &doc, &[("a", total)]).await?;
    server.stop().await
}

/// An acknowledgement is a promise: the server is killed (SIGKILL) right after acknowledging,
/// and the device is killed too, so it cannot send the change again. Every acknowledged entry
/// must still be on the restarted server.
pub async fn crash_after_ack_scenario(kind: ServerKind) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = TestServer::start(kind, &data_path(kind, dir.path())).await?;
    let doc = create_record(&server.url()).await?;
    let mut device = start_device(kind, &server.url(), &doc, "a", 1_000)?;
    for i in 0..EDITS_PER_DEVICE {
        expect_ack(&mut device, i).await?;
    }
    let (server, device) = tokio::join!(server.restart(), device.kill());
    device?;
    read_and_check(&server?, &doc, &[("a", EDITS_PER_DEVICE)]).await
}

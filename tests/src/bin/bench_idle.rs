//! What an idle phone costs the server (issue 16: ≤ 32 KiB a connection with 1,000 connected).
//!
//! ```sh
//! cargo build --release -p fieldbook-sync-server
//! cargo run -p fieldbook-tests --release --bin bench_idle -- [--devices 1000]
//! ```
//!
//! The devices come in pairs of one user (`load::add_devices`). First every pair's writer
//! creates a customer and pushes it in one ordinary sync round, so that the server holds every
//! record and every user's index document before anything is measured. Then the server's
//! resident memory is read (`VmRSS`), every device connects and stays connected (each its own
//! engine, store and WebSocket, as a phone left open), and when every reader holds its pair's
//! record — each connection has synced and is idle — the memory is read again. The difference
//! over the number of connections is what one idle connection costs: its socket buffers, its
//! sync states and its tasks. The server runs as its own process (release build), SQLite, on
//! loopback.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use fieldbook_core::model::Customer;
use fieldbook_sync_server::SqliteStore;
use fieldbook_tests::fleet::{blocking, company, wait_until};
use fieldbook_tests::live::{LiveDevice, Observer};
use fieldbook_tests::load::add_devices;
use fieldbook_tests::node::resident_bytes;
use fieldbook_tests::{ServerKind, TestServer};

/// The issue's bound for one idle connection.
const BUDGET_KIB: f64 = 32.0;

fn parse_args() -> Result<u32> {
    let mut devices = 1000;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--devices" => devices = value.parse()?,
            _ => bail!("unknown flag {flag}"),
        }
    }
    ensure!(
        (2..=5000).contains(&devices),
        "--devices must be 2–5000, not {devices}"
    );
    Ok(devices)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let n = parse_args()?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("server.sqlite3");
    let devices = {
        let store = SqliteStore::open(&db)?;
        company(&store)?;
        add_devices(&store, dir.path(), n)?
    };
    let server = TestServer::start(ServerKind::Fieldbook, &db).await?;
    let pid = server.pid().context("the server's pid")?;
    let url = format!("ws://{}/sync", server.addr());

    eprintln!("pushing one record per pair …");
    let mut pairs = Vec::new();
    for (k, two) in devices.chunks(2).enumerate() {
        let [writer, reader] = two else { break };
        let mut c = Customer {
            name: format!("空闲客户{k}"),
            ..Customer::default()
        };
        c.meta.owner = writer.store.user().clone();
        let record = blocking(|| writer.store.create(c))?.meta.id;
        writer
            .sync_with(&server)
            .sync_once(Duration::from_secs(120))
            .await?;
        pairs.push((writer.clone(), reader.clone(), record));
    }
    let before = resident_bytes(pid)?;

    eprintln!("connecting {n} devices …");
    let mut live = Vec::new();
    for (writer, reader, _) in &pairs {
        for d in [writer, reader] {
            let quiet: Observer = Arc::new(|| {});
            live.push(LiveDevice::connect(d.store.clone(), &url, &d.token, quiet).await?);
        }
    }
    wait_until(
        "every reader holds its pair's record",
        Duration::from_secs(600),
        || async {
            Ok(pairs
                .iter()
                .all(|(_, r, id)| r.store.contains(*id).unwrap_or(false)))
        },
    )
    .await?;
    let connected = live.iter().filter(|d| d.is_connected()).count();
    let after = resident_bytes(pid)?;
    let per = after.saturating_sub(before) as f64 / connected.max(1) as f64 / 1024.0;

    println!("| connected | server RSS before | with them connected | per connection | budget |");
    println!("|---:|---:|---:|---:|---:|");
    println!(
        "| {connected} | {:.1} MiB | {:.1} MiB | {per:.1} KiB | {BUDGET_KIB:.0} KiB ({}) |",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        if per <= BUDGET_KIB { "met" } else { "NOT met" }
    );
    for d in live {
        if let Err(e) = d.close().await {
            eprintln!("device: {e:#}");
        }
    }
    server.stop().await?;
    Ok(())
}

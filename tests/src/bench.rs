//! The sync benchmark's measuring loop, shared by every server it compares (issue 5).
//!
//! One stock automerge-repo client (Node, `tests/interop/client.mjs bench`) does the same work
//! against each server, through a clean [`FaultProxy`] that counts the bytes on the wire:
//! it creates N small lead-like records, a fresh client downloads all of them (initial sync),
//! then K records change and the fresh client receives them (incremental sync). The client
//! reports the bytes of the Automerge changes themselves, so wire bytes / change bytes is the
//! protocol's overhead. Last, M idle devices connect (join, then nothing) and the server's
//! resident memory is read from `/proc/<pid>/status`.
//!
//! Using the same client for both servers is what "fed by the same client" means here: any
//! difference in the figures is the server's.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::Value;

use crate::node::{NodeProcess, resident_bytes};

/// The next result line of `process`, or "did not finish in N s: `what`" after the bound.
async fn phase(process: &mut NodeProcess, what: &str, bound: Duration) -> Result<Value> {
    match tokio::time::timeout(bound, process.next()).await {
        Ok(result) => result.with_context(|| what.to_string()),
        Err(_) => anyhow::bail!("did not finish in {} s: {what}", bound.as_secs()),
    }
}
use crate::proxy::{FaultPlan, FaultProxy};

/// What to measure.
#[derive(Debug, Clone, Copy)]
pub struct BenchConfig {
    pub records: u32,
    pub changes: u32,
    pub devices: u32,
    pub concurrency: u32,
    /// How long one phase (create, initial sync, incremental sync, idle connects) may take
    /// before the server is reported as "did not finish in N s" and the run moves on.
    pub phase_timeout: Duration,
}

/// A running server under test.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub name: String,
    pub addr: SocketAddr,
    /// Appended to `ws://host:port`, e.g. `/sync?token=…`.
    pub path_and_query: String,
    /// The path and query idle devices connect with (may carry another device's token).
    pub idle_path_and_query: String,
    pub pid: u32,
}

impl Endpoint {
    fn url_via(&self, addr: SocketAddr, path: &str) -> String {
        format!("ws://{addr}{path}")
    }
}

/// One server's figures.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub create_ms: f64,
    pub initial_ms: f64,
    pub initial_wire_bytes: u64,
    pub initial_change_bytes: u64,
    pub incremental_ms: f64,
    pub incremental_wire_bytes: u64,
    pub incremental_change_bytes: u64,
    pub rss_before_devices: u64,
    pub rss_with_devices: u64,
    pub devices_connected: u64,
    pub devices_connect_ms: f64,
    /// Why the sync measurement stopped early, if it did (the figures before it stand).
    pub sync_failure: Option<String>,
    /// Why the memory measurement failed, if it did.
    pub memory_failure: Option<String>,
}

impl Figures {
    pub fn initial_overhead(&self) -> f64 {
        ratio(self.initial_wire_bytes, self.initial_change_bytes)
    }

    pub fn incremental_overhead(&self) -> f64 {
        ratio(self.incremental_wire_bytes, self.incremental_change_bytes)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        a as f64 / b as f64
    }
}

fn number(value: &Value, key: &str) -> Result<f64> {
    value[key]
        .as_f64()
        .with_context(|| format!("no `{key}` in {value}"))
}

/// Runs the whole measurement against one server. A server that fails part of it (a timeout,
/// a crash) gets the figures it reached and the reason; the run goes on.
pub async fn measure(endpoint: &Endpoint, config: BenchConfig) -> Figures {
    let mut figures = Figures::default();
    if let Err(e) = measure_sync(endpoint, config, &mut figures).await {
        figures.sync_failure = Some(format!("{e:#}"));
    }
    if let Err(e) = measure_memory(endpoint, config, &mut figures).await {
        figures.memory_failure = Some(format!("{e:#}"));
    }
    figures
}

async fn measure_sync(
    endpoint: &Endpoint,
    config: BenchConfig,
    figures: &mut Figures,
) -> Result<()> {
    let proxy = FaultProxy::start(endpoint.addr, 0, FaultPlan::Clean).await?;
    let url = endpoint.url_via(proxy.addr(), &endpoint.path_and_query);
    let args = [
        "bench".to_string(),
        "--url".into(),
        url,
        "--records".into(),
        config.records.to_string(),
        "--changes".into(),
        config.changes.to_string(),
        "--concurrency".into(),
        config.concurrency.to_string(),
        "--timeout".into(),
        "120000".into(),
    ];
    let mut client = NodeProcess::spawn("client.mjs", &args)?;

    let created = phase(&mut client, "creating the records", config.phase_timeout).await?;
    figures.create_ms = number(&created, "millis")?;
    let before = proxy.stats().bytes();
    client.go().await?;

    let initial = phase(&mut client, "initial sync", config.phase_timeout).await?;
    figures.initial_ms = number(&initial, "millis")?;
    figures.initial_change_bytes = number(&initial, "change_bytes")? as u64;
    let after_initial = proxy.stats().bytes();
    figures.initial_wire_bytes = after_initial - before;
    client.go().await?;

    let incremental = phase(&mut client, "incremental sync", config.phase_timeout).await?;
    figures.incremental_ms = number(&incremental, "millis")?;
    figures.incremental_change_bytes = number(&incremental, "change_bytes")? as u64;
    figures.incremental_wire_bytes = proxy.stats().bytes() - after_initial;
    client.finish().await
}

/// Connects `config.devices` idle devices straight to the server and reads its memory.
async fn measure_memory(
    endpoint: &Endpoint,
    config: BenchConfig,
    figures: &mut Figures,
) -> Result<()> {
    figures.rss_before_devices = resident_bytes(endpoint.pid)?;
    let url = endpoint.url_via(endpoint.addr, &endpoint.idle_path_and_query);
    let args = [
        "idle".to_string(),
        "--url".into(),
        url,
        "--count".into(),
        config.devices.to_string(),
        "--timeout".into(),
        "120000".into(),
    ];
    let started = Instant::now();
    let mut idle = NodeProcess::spawn("client.mjs", &args)?;
    let connected = phase(&mut idle, "connecting idle devices", config.phase_timeout).await?;
    figures.devices_connect_ms = started.elapsed().as_secs_f64() * 1000.0;
    figures.devices_connected = number(&connected, "count")? as u64;
    figures.rss_with_devices = resident_bytes(endpoint.pid)?;
    idle.finish().await?;
    Ok(())
}

/// The side-by-side table the benchmark prints (Markdown, ready for `docs/benchmarks.md`).
pub fn table(config: BenchConfig, rows: &[(String, Figures)]) -> String {
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let mut out = String::from("| figure |");
    for (name, _) in rows {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(rows.len()));
    let mut line = |label: String, cell: &dyn Fn(&Figures) -> String| {
        out.push_str(&format!("\n| {label} |"));
        for (_, f) in rows {
            let text = cell(f);
            let missing = text == "0" || text == "0.0" || text == "NaN" || text == "inf";
            out.push_str(&format!(" {} |", if missing { "—" } else { &text }));
        }
    };
    let n = config.records;
    let k = config.changes;
    let m = config.devices;
    line(
        format!(
            "create {n} records (one client, {} at a time), s",
            config.concurrency
        ),
        &|f| format!("{:.1}", f.create_ms / 1000.0),
    );
    line(
        format!("initial sync of {n} records to a fresh device, s"),
        &|f| format!("{:.1}", f.initial_ms / 1000.0),
    );
    line("initial sync, records/s".into(), &|f| {
        format!("{:.0}", f64::from(n) / (f.initial_ms / 1000.0))
    });
    line("initial sync, bytes on the wire".into(), &|f| {
        f.initial_wire_bytes.to_string()
    });
    line("initial sync, bytes of the changes".into(), &|f| {
        f.initial_change_bytes.to_string()
    });
    line("initial sync, wire / changes".into(), &|f| {
        format!("{:.2}", f.initial_overhead())
    });
    line(format!("incremental sync after {k} changes, ms"), &|f| {
        format!("{:.0}", f.incremental_ms)
    });
    line("incremental sync, bytes on the wire".into(), &|f| {
        f.incremental_wire_bytes.to_string()
    });
    line("incremental sync, bytes of the changes".into(), &|f| {
        f.incremental_change_bytes.to_string()
    });
    line("incremental sync, wire / changes".into(), &|f| {
        format!("{:.2}", f.incremental_overhead())
    });
    line("server RSS before the idle devices, MiB".into(), &|f| {
        format!("{:.1}", mib(f.rss_before_devices))
    });
    line(
        format!("server RSS with {m} devices connected, MiB"),
        &|f| format!("{:.1}", mib(f.rss_with_devices)),
    );
    line(format!("time to connect {m} devices, s"), &|f| {
        format!("{:.1}", f.devices_connect_ms / 1000.0)
    });
    out.push('\n');
    for (name, f) in rows {
        for failure in [&f.sync_failure, &f.memory_failure].into_iter().flatten() {
            let short: String = failure.chars().take(600).collect();
            out.push_str(&format!("\n{name} did not finish: {short}\n"));
        }
    }
    out
}

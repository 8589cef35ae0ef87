//! The load program's measuring loop (issue 10): simulated devices, each a real sync client
//! ([`LiveDevice`]: the core's engine and its own store), held connected to one or more server
//! nodes. Devices come in pairs of one user; in each pair one writes its record at a steady
//! total rate and the other, connected to another node when there are several, waits for the
//! server to push the change. Latency is from the write being stored on the writer to the
//! reader having taken it in. A write never seen by the end is an error.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use fieldbook_core::RecordId;
use fieldbook_core::access::Role;
use fieldbook_core::model::Customer;
use fieldbook_core::{OsEntropy, UserId};
use fieldbook_sync_server::{ServerStore, accounts};
use parking_lot::Mutex;

use crate::fleet::{Device, blocking, wait_until};
use crate::live::LiveDevice;
use crate::node::{cpu_seconds, resident_bytes};
use crate::server::TestServer;

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct LoadConfig {
    pub devices: u32,
    /// Writes per second, all devices together.
    pub rate: u32,
    pub seconds: u64,
}

/// One setup's figures.
#[derive(Debug, Clone, Default)]
pub struct LoadFigures {
    pub devices_held: usize,
    pub changes_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub rss_bytes: u64,
    /// Server CPU time (all nodes, user + system) per change merged, while writing.
    pub server_cpu_ms_per_change: f64,
    pub errors: u64,
}

/// The writes of one pair not yet seen by its reader: number → when stored.
type Pending = Arc<Mutex<BTreeMap<u64, Instant>>>;

struct Pair {
    record: RecordId,
    writer: Device,
    pending: Pending,
}

/// Adds the pairs' users (`load.0`, `load.1`, …, field reps of team `east`) and their devices.
pub fn add_devices<S: ServerStore>(store: &S, dir: &Path, devices: u32) -> Result<Vec<Device>> {
    let mut out = Vec::new();
    for pair in 0..devices.div_ceil(2) {
        let user = UserId::new(format!("load.{pair}"))?;
        let team = Some("east".to_owned());
        accounts::create_user(store, &OsEntropy, &user, "压测", Role::FieldRep, team, None)?;
        for n in [2 * pair, 2 * pair + 1] {
            out.push(Device::new(store, dir, 1000 + n, user.as_str())?);
        }
    }
    Ok(out)
}

fn url(node: &TestServer) -> String {
    format!("ws://{}/sync", node.addr())
}

/// Runs the load against `nodes` with `devices` (from [`add_devices`]).
pub async fn run(nodes: &[TestServer], devices: Vec<Device>, config: LoadConfig) -> LoadFigures {
    let mut figures = LoadFigures::default();
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let (pairs, live) = match connect(nodes, devices, &latencies, &mut figures).await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("setup failed: {e:#}");
            figures.errors += 1;
            return figures;
        }
    };
    figures.devices_held = live.iter().filter(|d| d.is_connected()).count();
    let started = Instant::now();
    let cpu_before = server_cpu(nodes);
    let writes = drive(&pairs, &live, config, &mut figures).await;
    let drained = wait_until("every write seen", Duration::from_secs(60), || async {
        Ok(pairs.iter().all(|p| p.pending.lock().is_empty()))
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = server_cpu(nodes) - cpu_before;
    figures.errors += pairs
        .iter()
        .map(|p| p.pending.lock().len() as u64)
        .sum::<u64>();
    if drained.is_err() {
        eprintln!("some writes were never seen");
    }
    figures.devices_held = figures
        .devices_held
        .min(live.iter().filter(|d| d.is_connected()).count());
    figures.errors += (live.len() - figures.devices_held) as u64;
    figures.rss_bytes = nodes
        .iter()
        .filter_map(|n| n.pid().and_then(|pid| resident_bytes(pid).ok()))
        .sum();
    let mut l = latencies.lock().clone();
    l.sort_by(f64::total_cmp);
    let at = |q: f64| l.get(((l.len() as f64 * q) as usize).min(l.len().saturating_sub(1)));
    figures.p50_ms = at(0.50).copied().unwrap_or(f64::NAN);
    figures.p99_ms = at(0.99).copied().unwrap_or(f64::NAN);
    let merged = writes - figures.errors.min(writes);
    figures.changes_per_s = merged as f64 / elapsed;
    figures.server_cpu_ms_per_change = cpu * 1000.0 / merged.max(1) as f64;
    for d in live {
        if let Err(e) = d.close().await {
            eprintln!("device: {e:#}");
        }
    }
    figures
}

/// CPU seconds the nodes have used so far.
fn server_cpu(nodes: &[TestServer]) -> f64 {
    nodes
        .iter()
        .filter_map(|n| n.pid().and_then(|pid| cpu_seconds(pid).ok()))
        .sum()
}

/// Creates each pair's record, connects every device, and waits until every reader holds its
/// pair's record.
async fn connect(
    nodes: &[TestServer],
    devices: Vec<Device>,
    latencies: &Arc<Mutex<Vec<f64>>>,
    figures: &mut LoadFigures,
) -> Result<(Vec<Pair>, Vec<LiveDevice>)> {
    let (mut pairs, mut live) = (Vec::new(), Vec::new());
    let mut readers = Vec::new();
    for (k, two) in devices.chunks(2).enumerate() {
        let [writer, reader] = two else { break };
        let mut c = Customer {
            name: format!("压测客户{k}"),
            ..Customer::default()
        };
        c.meta.owner = writer.store.user().clone();
        let record = blocking(|| writer.store.create(c))?.meta.id;
        let pending: Pending = Arc::default();
        let observer = seen_by(reader.clone(), record, pending.clone(), latencies.clone());
        let (wn, rn) = (&nodes[k % nodes.len()], &nodes[(k + 1) % nodes.len()]);
        let noop: crate::live::Observer = Arc::new(|| {});
        live.push(LiveDevice::connect(writer.store.clone(), &url(wn), &writer.token, noop).await?);
        live.push(
            LiveDevice::connect(reader.store.clone(), &url(rn), &reader.token, observer).await?,
        );
        readers.push((reader.clone(), record));
        pairs.push(Pair {
            record,
            writer: writer.clone(),
            pending,
        });
    }
    let bound = Duration::from_secs(300);
    wait_until("every reader holds its pair's record", bound, || async {
        Ok(readers
            .iter()
            .all(|(r, id)| r.store.contains(*id).unwrap_or(false)))
    })
    .await
    .inspect_err(|_| figures.errors += 1)?;
    Ok((pairs, live))
}

/// The reader's observer: takes the writes its copy now includes off the pair's pending list.
fn seen_by(
    reader: Device,
    record: RecordId,
    pending: Pending,
    latencies: Arc<Mutex<Vec<f64>>>,
) -> crate::live::Observer {
    Arc::new(move || {
        if pending.lock().is_empty() {
            return;
        }
        let Ok(c) = reader.store.get::<Customer>(record) else {
            return;
        };
        let Some(n) = c
            .needs
            .strip_prefix('w')
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return;
        };
        let now = Instant::now();
        let mut pending = pending.lock();
        let later = pending.split_off(&(n + 1));
        let seen = std::mem::replace(&mut *pending, later);
        let mut l = latencies.lock();
        l.extend(seen.values().map(|at| (now - *at).as_secs_f64() * 1000.0));
    })
}

/// Writes at `config.rate` for `config.seconds`, round robin over the pairs; the writes made.
async fn drive(
    pairs: &[Pair],
    live: &[LiveDevice],
    config: LoadConfig,
    figures: &mut LoadFigures,
) -> u64 {
    let period = Duration::from_secs_f64(1.0 / f64::from(config.rate.max(1)));
    let mut ticker = tokio::time::interval(period);
    let end = Instant::now() + Duration::from_secs(config.seconds);
    let mut writes = 0u64;
    while Instant::now() < end {
        ticker.tick().await;
        let k = (writes as usize) % pairs.len();
        let pair = &pairs[k];
        let n = writes + 1;
        let (store, record) = (pair.writer.store.clone(), pair.record);
        let stored = tokio::task::spawn_blocking(move || {
            store.update::<Customer>(record, |c| {
                c.needs = format!("w{n}");
                Ok(())
            })
        })
        .await;
        if !matches!(stored, Ok(Ok(_))) {
            figures.errors += 1;
            continue;
        }
        pair.pending.lock().insert(n, Instant::now());
        live[2 * k].pushed(record);
        writes += 1;
    }
    writes
}

/// The table the load program prints (Markdown, for `docs/benchmarks.md`).
pub fn table(config: LoadConfig, rows: &[(String, LoadFigures)]) -> String {
    let mut out = format!(
        "{} devices ({} writing), {} writes/s offered for {} s\n\n",
        config.devices,
        config.devices / 2,
        config.rate,
        config.seconds
    );
    out.push_str(
        "| setup | devices held | changes/s merged | p50 ms | p99 ms | server RSS MiB \
         | server CPU ms/change | errors |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (name, f) in rows {
        out.push_str(&format!(
            "| {name} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.2} | {} |\n",
            f.devices_held,
            f.changes_per_s,
            f.p50_ms,
            f.p99_ms,
            f.rss_bytes as f64 / (1024.0 * 1024.0),
            f.server_cpu_ms_per_change,
            f.errors
        ));
    }
    out
}

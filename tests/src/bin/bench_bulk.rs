//! Sync at company scale (issue 16): Fieldbook's own client (`DeviceStore` + `DeviceSync`, the
//! bulk path of protocol "1") against the Fieldbook server, for several store sizes in one run.
//!
//! ```sh
//! cargo build --release -p fieldbook-sync-server
//! cargo run -p fieldbook-tests --release --bin bench_bulk -- [--records 1000,10000,50000] \
//!     [--changes 5] [--loaded-docs 4096]
//! ```
//!
//! For each N: one phone captures N lead records offline (each a durable write), pushes them to
//! a fresh server (its own process, SQLite, loopback), a second phone of the same user pulls
//! them all from nothing, then 5 records change and travel both ways. Printed per N: seconds
//! and records/s each way, frames, WebSocket payload bytes against the bytes of the Automerge
//! changes, the server's peak resident memory (`VmHWM` of its process) and this program's (both
//! phones live here; the figure only grows from one N to the next).
//! The stock-client path against automerge-repo's Node server is `bench_sync` (same machine).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fieldbook_core::model::{LeadGrade, Prospect};
use fieldbook_core::sync::{DeviceSync, SyncStats};
use fieldbook_core::{DeviceId, DeviceStore, LeadReferral, RecordId, StoreOptions, UserId};
use fieldbook_tests::{ServerKind, TestServer};

const ROUND: Duration = Duration::from_secs(1800);

struct Args {
    sizes: Vec<usize>,
    changes: usize,
    loaded_docs: usize,
}

fn parse_args() -> Result<Args> {
    let mut out = Args {
        sizes: vec![1_000, 10_000, 50_000],
        changes: 5,
        loaded_docs: fieldbook_sync_server::DEFAULT_LOADED_DOCS,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--records" => {
                out.sizes = value.split(',').map(str::parse).collect::<Result<_, _>>()?
            }
            "--changes" => out.changes = value.parse()?,
            "--loaded-docs" => out.loaded_docs = value.parse()?,
            _ => bail!("unknown flag {flag}"),
        }
    }
    ensure!(!out.sizes.is_empty(), "--records needs at least one size");
    Ok(out)
}

/// A kB-sized figure from `/proc/<pid>/status` (`VmHWM`: peak resident set).
fn peak_rss_mib(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn phone(dir: &Path, n: u8) -> Result<Arc<DeviceStore>> {
    let options = StoreOptions::new(
        DeviceId::from_random_bytes([n; 16]),
        UserId::new("rep.bulk")?,
    );
    Ok(Arc::new(DeviceStore::open(
        dir.join(format!("phone{n}.sqlite3")),
        options,
    )?))
}

fn lead(i: usize) -> LeadReferral {
    LeadReferral {
        event: "广交会 / Canton Fair".into(),
        grade: LeadGrade::B,
        prospect: Prospect {
            name: format!("客户{i:06}"),
            company: format!("华东机械{}", i % 997),
            phone: format!("138{:08}", i % 100_000_000),
            needs: "两台数控机床，报价后回电".into(),
            ..Prospect::default()
        },
        ..LeadReferral::default()
    }
}

fn frames(s: &SyncStats) -> u64 {
    s.frames_sent + s.frames_received
}

fn wire(s: &SyncStats) -> u64 {
    s.bytes_sent + s.bytes_received
}

struct Row {
    n: usize,
    capture_s: f64,
    push_s: f64,
    push: SyncStats,
    pull_s: f64,
    pull: SyncStats,
    change_bytes: u64,
    small_push: SyncStats,
    small_pull: SyncStats,
    server_peak_mib: Option<f64>,
    client_peak_mib: Option<f64>,
}

async fn measure(n: usize, args: &Args) -> Result<Row> {
    let dir = tempfile::tempdir()?;
    let loaded = args.loaded_docs.to_string();
    let server = TestServer::start_with(
        ServerKind::Fieldbook,
        &dir.path().join("server.sqlite3"),
        &["--loaded-docs", &loaded],
    )
    .await?;
    let url = format!("ws://{}/sync", server.addr());
    let writer = phone(dir.path(), 1)?;
    let reader = phone(dir.path(), 2)?;
    let push = DeviceSync::new(
        writer.clone(),
        url.clone(),
        server
            .add_device("rep.bulk", &writer.device().to_string())
            .await?,
    );
    let pull = DeviceSync::new(
        reader.clone(),
        url,
        server
            .add_device("rep.bulk", &reader.device().to_string())
            .await?,
    );

    let started = Instant::now();
    let ids: Vec<RecordId> = (0..n)
        .map(|i| Ok(writer.create(lead(i))?.meta.id))
        .collect::<Result<_>>()?;
    let capture_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let pushed = push.sync_once(ROUND).await?;
    let push_s = started.elapsed().as_secs_f64();
    ensure!(
        pushed.records_pushed == n as u64 && pushed.records_refused == 0,
        "push of {n} incomplete: {pushed:?}"
    );

    let started = Instant::now();
    let pulled = pull.sync_once(ROUND).await?;
    let pull_s = started.elapsed().as_secs_f64();
    ensure!(
        reader.list(None)?.len() == n,
        "pull of {n} incomplete: {pulled:?}"
    );
    let mut change_bytes = 0u64;
    for id in &ids {
        change_bytes += reader.export_changes(*id, &[])?.len() as u64;
    }

    for id in ids.iter().take(args.changes) {
        writer.update(*id, |l: &mut LeadReferral| {
            l.prospect.needs = "改为三台，下周签约".into();
            Ok(())
        })?;
    }
    let small_push = push.sync_once(ROUND).await?;
    let small_pull = pull.sync_once(ROUND).await?;
    let server_peak_mib = server.pid().and_then(|p| peak_rss_mib(&p.to_string()));
    server.stop().await?;
    Ok(Row {
        n,
        capture_s,
        push_s,
        push: pushed,
        pull_s,
        pull: pulled,
        change_bytes,
        small_push,
        small_pull,
        server_peak_mib,
        client_peak_mib: peak_rss_mib("self"),
    })
}

fn mib(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.1}"))
}

fn print(rows: &[Row], changes: usize) {
    let head: Vec<String> = rows.iter().map(|r| format!("N = {}", r.n)).collect();
    println!("| figure | {} |", head.join(" | "));
    println!("|---|{}", "---:|".repeat(rows.len()));
    let line = |name: &str, f: &dyn Fn(&Row) -> String| {
        let cells: Vec<String> = rows.iter().map(f).collect();
        println!("| {name} | {} |", cells.join(" | "));
    };
    line("offline capture on the phone, s", &|r| {
        format!("{:.2}", r.capture_s)
    });
    line("push, s", &|r| format!("{:.2}", r.push_s));
    line("push, records/s", &|r| {
        format!("{:.0}", r.n as f64 / r.push_s)
    });
    line("push, frames", &|r| frames(&r.push).to_string());
    line("push, wire bytes / change bytes", &|r| {
        format!("{:.2}", wire(&r.push) as f64 / r.change_bytes as f64)
    });
    line("fresh pull, s", &|r| format!("{:.2}", r.pull_s));
    line("fresh pull, records/s", &|r| {
        format!("{:.0}", r.n as f64 / r.pull_s)
    });
    line("fresh pull, frames", &|r| frames(&r.pull).to_string());
    line("fresh pull, wire bytes", &|r| wire(&r.pull).to_string());
    line("change bytes (all records)", &|r| {
        r.change_bytes.to_string()
    });
    line("fresh pull, wire bytes / change bytes", &|r| {
        format!("{:.2}", wire(&r.pull) as f64 / r.change_bytes as f64)
    });
    line(&format!("{changes} changes: push frames"), &|r| {
        frames(&r.small_push).to_string()
    });
    line(&format!("{changes} changes: pull frames"), &|r| {
        frames(&r.small_pull).to_string()
    });
    line("server peak RSS, MiB", &|r| mib(r.server_peak_mib));
    line(
        "client peak RSS (both phones, this process so far), MiB",
        &|r| mib(r.client_peak_mib),
    );
    let first = &rows[0];
    let last = &rows[rows.len() - 1];
    if rows.len() > 1 {
        let ratio = |a: f64, b: f64| (a / b) / (last.n as f64 / first.n as f64);
        println!();
        println!(
            "time per record, N = {} against N = {}: push {:.2}×, pull {:.2}× (1.00 = linear)",
            last.n,
            first.n,
            ratio(last.push_s, first.push_s),
            ratio(last.pull_s, first.pull_s)
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let mut rows = Vec::new();
    for &n in &args.sizes {
        eprintln!("measuring N = {n} …");
        let row = measure(n, &args).await?;
        eprintln!(
            "N = {n}: capture {:.1} s, push {:.2} s, pull {:.2} s",
            row.capture_s, row.push_s, row.pull_s
        );
        rows.push(row);
    }
    print(&rows, args.changes);
    Ok(())
}

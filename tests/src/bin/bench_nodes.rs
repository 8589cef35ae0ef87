//! The load program of issue 10: simulated devices held connected to one node on SQLite, one
//! node on Postgres, and two nodes on one Postgres database (with LISTEN/NOTIFY, and polling
//! only); prints devices held, changes/s merged, p50/p99 write-to-other-device latency, the
//! servers' resident memory and errors.
//!
//! ```sh
//! cargo build --release -p fieldbook-sync-server
//! cargo run -p fieldbook-tests --release --bin bench_nodes -- [--devices 200] [--rate 100] \
//!     [--seconds 20] [--setups sqlite,pg1,pg2,pg2-poll]
//! ```
//!
//! Loopback only; servers run as their own processes, bounded in time and count.

use std::path::Path;

use anyhow::{Context, Result, bail};
use fieldbook_sync_server::SqliteStore;
use fieldbook_tests::fleet::{Fleet, blocking, company};
use fieldbook_tests::load::{LoadConfig, LoadFigures, add_devices, run, table};
use fieldbook_tests::{ServerKind, TestServer};

fn parse_args() -> Result<(LoadConfig, Vec<String>)> {
    let mut config = LoadConfig {
        devices: 200,
        rate: 100,
        seconds: 20,
    };
    let mut setups = vec![
        "sqlite".into(),
        "pg1".into(),
        "pg2".into(),
        "pg2-poll".into(),
    ];
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--devices" => config.devices = value.parse()?,
            "--rate" => config.rate = value.parse()?,
            "--seconds" => config.seconds = value.parse::<u64>()?.min(600),
            "--setups" => setups = value.split(',').map(str::to_string).collect(),
            _ => bail!("unknown flag {flag}"),
        }
    }
    config.devices = config.devices.clamp(2, 5000);
    Ok((config, setups))
}

async fn on_sqlite(config: LoadConfig) -> Result<LoadFigures> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("server.sqlite3");
    let devices = {
        let store = SqliteStore::open(&db)?;
        company(&store)?;
        add_devices(&store, dir.path(), config.devices)?
    };
    let node = TestServer::start(ServerKind::Fieldbook, &db).await?;
    let figures = run(std::slice::from_ref(&node), devices, config).await;
    node.stop().await?;
    Ok(figures)
}

async fn on_postgres(config: LoadConfig, nodes: usize, args: &[&str]) -> Result<LoadFigures> {
    let fleet = Fleet::new()?;
    let dir = tempfile::tempdir()?;
    let devices = blocking(|| add_devices(fleet.store.as_ref(), dir.path(), config.devices))?;
    let mut servers = Vec::new();
    for _ in 0..nodes {
        servers.push(
            TestServer::start_with(ServerKind::Fieldbook, Path::new(&fleet.url), args).await?,
        );
    }
    let figures = run(&servers, devices, config).await;
    for s in servers {
        s.stop().await?;
    }
    Ok(figures)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let (config, setups) = parse_args()?;
    let mut rows = Vec::new();
    for setup in &setups {
        eprintln!("measuring {setup} …");
        let (name, figures) = match setup.as_str() {
            "sqlite" => ("1 node, SQLite", on_sqlite(config).await?),
            "pg1" => ("1 node, Postgres", on_postgres(config, 1, &[]).await?),
            "pg2" => (
                "2 nodes, Postgres, LISTEN/NOTIFY",
                on_postgres(config, 2, &[]).await?,
            ),
            "pg2-poll" => (
                "2 nodes, Postgres, polling every 500 ms",
                on_postgres(config, 2, &["--no-listen"]).await?,
            ),
            other => bail!("unknown setup {other} (sqlite, pg1, pg2, pg2-poll)"),
        };
        eprintln!("{figures:?}");
        rows.push((name.to_string(), figures));
    }
    println!("{}", table(config, &rows));
    Ok(())
}

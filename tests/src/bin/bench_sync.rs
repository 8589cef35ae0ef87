//! The sync benchmark of issue 5: the same stock automerge-repo client (Node) against
//! automerge-repo's own sync server (Node) and against the Fieldbook server, printed side by side.
//!
//! ```sh
//! bash scripts/install-interop-deps.sh
//! cargo run -p fieldbook-tests --release --bin bench_sync -- [--records 10000] [--changes 5] \
//!     [--devices 1000] [--concurrency 64] [--servers peer,fieldbook]
//! ```
//!
//! Loopback only; every server runs in its own process so its resident memory is its own.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{Context, Result, bail};
use fieldbook_tests::bench::{BenchConfig, Endpoint, Figures, measure, table};
use fieldbook_tests::node::PeerServer;

struct Args {
    config: BenchConfig,
    servers: Vec<String>,
}

fn parse_args() -> Result<Args> {
    let mut config = BenchConfig {
        records: 10_000,
        changes: 5,
        devices: 1_000,
        concurrency: 64,
    };
    let mut servers = vec!["peer".to_string()];
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--records" => config.records = value.parse()?,
            "--changes" => config.changes = value.parse()?,
            "--devices" => config.devices = value.parse()?,
            "--concurrency" => config.concurrency = value.parse()?,
            "--servers" => servers = value.split(',').map(str::to_string).collect(),
            _ => bail!("unknown flag {flag}"),
        }
    }
    Ok(Args { config, servers })
}

async fn run_peer(config: BenchConfig) -> Result<Figures> {
    let dir = tempfile::tempdir()?;
    let server = PeerServer::start(&dir.path().join("data")).await?;
    let endpoint = Endpoint {
        name: "automerge-repo 2.5.6 (Node)".into(),
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, server.port())),
        path_and_query: String::new(),
        idle_path_and_query: String::new(),
        pid: server.pid().context("peer server has no pid")?,
    };
    let figures = measure(&endpoint, config).await;
    server.stop().await?;
    figures
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let mut rows = Vec::new();
    for server in &args.servers {
        eprintln!("measuring {server} …");
        let figures = match server.as_str() {
            "peer" => run_peer(args.config).await?,
            other => bail!("unknown server {other} (peer, fieldbook)"),
        };
        eprintln!("{figures:?}");
        rows.push((server.clone(), figures));
    }
    println!("{}", table(args.config, &rows));
    Ok(())
}

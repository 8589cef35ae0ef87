//! The sync benchmark of issue 5: the same stock automerge-repo client (Node) against
//! automerge-repo's own sync server (Node) and against the Fieldbook server, printed side by side.
//!
//! ```sh
//! bash scripts/install-interop-deps.sh
//! cargo run -p fieldbook-tests --release --bin bench_sync -- [--records 10000] [--changes 5] \
//!     [--devices 1000] [--concurrency 64] [--phase-timeout-s 600] [--servers peer,fieldbook]
//! ```
//!
//! A phase that takes longer than `--phase-timeout-s` is reported as "did not finish in N s"
//! (the Node client is killed) and the next server is measured.
//!
//! Loopback only; every server runs in its own process so its resident memory is its own.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use fieldbook_tests::bench::{BenchConfig, Endpoint, Figures, measure, table};
use fieldbook_tests::{ServerKind, TestServer};

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
        phase_timeout: Duration::from_secs(600),
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
            "--phase-timeout-s" => config.phase_timeout = Duration::from_secs(value.parse()?),
            "--servers" => servers = value.split(',').map(str::to_string).collect(),
            _ => bail!("unknown flag {flag}"),
        }
    }
    Ok(Args { config, servers })
}

async fn run(kind: ServerKind, config: BenchConfig) -> Result<Figures> {
    let dir = tempfile::tempdir()?;
    let data = match kind {
        ServerKind::AutomergeRepo => dir.path().join("data"),
        ServerKind::Fieldbook => dir.path().join("server.sqlite3"),
    };
    let server = TestServer::start(kind, &data).await?;
    let path_and_query = server.path_and_query_for(server.token());
    let endpoint = Endpoint {
        name: format!("{kind:?}"),
        addr: server.addr(),
        idle_path_and_query: path_and_query.clone(),
        path_and_query,
        pid: server.pid().context("server has no pid")?,
    };
    let figures = measure(&endpoint, config).await;
    if let Err(e) = server.stop().await {
        eprintln!("stopping {kind:?}: {e:#}");
    }
    Ok(figures)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let mut rows = Vec::new();
    for server in &args.servers {
        eprintln!("measuring {server} …");
        let figures = match server.as_str() {
            "peer" => run(ServerKind::AutomergeRepo, args.config).await?,
            "fieldbook" => run(ServerKind::Fieldbook, args.config).await?,
            other => bail!("unknown server {other} (peer, fieldbook)"),
        };
        eprintln!("{figures:?}");
        let name = match server.as_str() {
            "peer" => "automerge-repo 2.5.6 (Node 20)",
            _ => "Fieldbook",
        };
        rows.push((name.to_string(), figures));
    }
    println!("{}", table(args.config, &rows));
    Ok(())
}

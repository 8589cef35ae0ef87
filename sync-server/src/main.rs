//! `fieldbook-sync-server --db FILE --listen ADDR` runs the server until SIGTERM or ctrl-c;
//! `fieldbook-sync-server add-device --db FILE --user USER` prints a fresh device token.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use fieldbook_sync_server::core::{DeviceId, UserId};
use fieldbook_sync_server::{ServerConfig, SqliteStore, add_device, start};

#[derive(Debug, Parser)]
#[command(about = "Fieldbook sync server")]
struct Cli {
    /// The SQLite file holding documents and devices.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3030")]
    listen: SocketAddr,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Registers a device for a user and prints its token.
    AddDevice {
        #[arg(long)]
        user: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let cli = Cli::parse();
    let db = cli.db.context("--db is required")?;
    let store = Arc::new(SqliteStore::open(&db)?);
    if let Some(Command::AddDevice { user }) = cli.command {
        let device = DeviceId::from_random_bytes(rand::random());
        let token = add_device(store.as_ref(), device, UserId::new(user)?)?;
        println!("device {device}\ntoken {token}");
        return Ok(());
    }
    let config = ServerConfig {
        listen: cli.listen,
        ..ServerConfig::default()
    };
    let server = start(store, config).await?;
    println!("listening on {}", server.url());
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

//! `fieldbook-sync-server --db FILE --listen ADDR` runs the server until SIGTERM or ctrl-c.
//! `--db postgres://user@host/db` (or `postgresql://…`) stores in PostgreSQL instead, where
//! several server nodes may share one database; anything else is a SQLite file.
//! Admin commands work on the same database (run them before starting the server, or use the
//! admin API of a running one): `add-team`, `add-user` (password from stdin with
//! `--password-stdin`), `enrol` (prints a one-time enrolment code), `add-device` (prints a
//! device token), `revoke-device`.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use fieldbook_sync_server::core::{DeviceId, OsEntropy, SystemClock, UserId};
use fieldbook_sync_server::{
    FollowConfig, PgStore, PruneConfig, ServerConfig, ServerStore, SqliteStore, accounts,
    add_device, start,
};

#[derive(Debug, Parser)]
#[command(about = "Fieldbook sync server")]
struct Cli {
    /// Where documents and devices are stored: a SQLite file, or a `postgres://` URL.
    #[arg(long, global = true)]
    db: Option<String>,
    /// Most connections to PostgreSQL this node holds.
    #[arg(long, global = true, default_value_t = 16)]
    db_connections: u32,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3030")]
    listen: SocketAddr,
    /// Longest time between two reads of the change feed (other nodes' writes), in ms.
    #[arg(long, default_value_t = 500)]
    follow_poll_ms: u64,
    /// Poll the change feed only, without Postgres LISTEN/NOTIFY (for measuring).
    #[arg(long)]
    no_listen: bool,
    /// Documents kept loaded in memory while idle (least recently used dropped first; they
    /// reload from the database). Bounds the server's memory.
    #[arg(long, default_value_t = fieldbook_sync_server::DEFAULT_LOADED_DOCS)]
    loaded_docs: usize,
    /// A document with more chunks than this is rewritten as one chunk (compaction).
    #[arg(long, default_value_t = fieldbook_sync_server::DEFAULT_COMPACT_AFTER_CHUNKS)]
    compact_after_chunks: u64,
    /// Time between two prunes of the change feed, in ms.
    #[arg(long, default_value_t = 60_000)]
    prune_every_ms: u64,
    /// A node that has not read the change feed for this long (s) no longer holds it back
    /// from pruning; if it comes back, it reloads what it holds.
    #[arg(long, default_value_t = 600)]
    silent_node_after_s: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Registers a device for a user and prints its id and token.
    AddDevice {
        #[arg(long)]
        user: String,
        /// The device id: 32 hex digits, as this command prints it (a UUID with hyphens is
        /// accepted too); a new one if absent.
        #[arg(long)]
        device: Option<String>,
    },
    /// Adds or renames a team.
    AddTeam {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
    },
    /// Adds or updates a user.
    AddUser {
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        /// field_rep, supervisor, marketing_manager, customer_service_manager,
        /// finance_manager or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        team: Option<String>,
        /// Read the password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Prints a one-time enrolment code for a new device of a user (valid 7 days).
    Enrol {
        #[arg(long)]
        user: String,
    },
    /// Revokes every token of a device.
    RevokeDevice {
        #[arg(long)]
        device: String,
    },
}

/// Not `#[tokio::main]`: the sync Postgres client blocks on a runtime of its own, which it may
/// not do on a tokio worker, so the store is opened and admin commands run before the runtime.
fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let db = cli.db.context("--db is required")?;
    let config = ServerConfig {
        listen: cli.listen,
        loaded_docs: cli.loaded_docs,
        follow: FollowConfig {
            listen: !cli.no_listen,
            poll: std::time::Duration::from_millis(cli.follow_poll_ms),
        },
        compact_after_chunks: cli.compact_after_chunks,
        prune: PruneConfig {
            every: std::time::Duration::from_millis(cli.prune_every_ms.max(1)),
            silent_after: std::time::Duration::from_secs(cli.silent_node_after_s),
        },
        ..ServerConfig::default()
    };
    if is_postgres_url(&db) {
        let store = Arc::new(PgStore::open(&db, cli.db_connections)?);
        run(store, cli.command, config)
    } else {
        let store = Arc::new(SqliteStore::open(&db)?);
        run(store, cli.command, config)
    }
}

fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

fn run<S: ServerStore>(
    store: Arc<S>,
    command: Option<Command>,
    config: ServerConfig,
) -> anyhow::Result<()> {
    if let Some(command) = command {
        return admin(store.as_ref(), command);
    }
    tokio::runtime::Runtime::new()?.block_on(serve(store, config))
}

async fn serve<S: ServerStore>(store: Arc<S>, config: ServerConfig) -> anyhow::Result<()> {
    let server = start(store, config).await?;
    println!("listening on {}", server.url());
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await?;
    Ok(())
}

fn admin<S: ServerStore>(store: &S, command: Command) -> anyhow::Result<()> {
    match command {
        Command::AddDevice { user, device } => {
            let device = match device {
                Some(text) => text.parse::<DeviceId>()?,
                None => DeviceId::from_random_bytes(rand::random()),
            };
            let user = UserId::new(user)?;
            let token = add_device(store, device, user.clone())?;
            println!("device {device}\ntoken {token}");
            eprintln!("已为 {user} 登记设备 / registered device {device} for {user}");
        }
        Command::AddTeam { id, name } => {
            store.put_team(&accounts::Team {
                id: id.clone(),
                name: name.clone(),
            })?;
            println!("team {id}");
            eprintln!("已保存团队 {id}（{name}）/ saved team {id} ({name})");
        }
        Command::AddUser {
            user,
            name,
            role,
            team,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                Some(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let user = UserId::new(user)?;
            accounts::create_user(
                store,
                &OsEntropy,
                &user,
                &name,
                role.parse()?,
                team,
                password.as_deref(),
            )?;
            println!("user {user}");
            eprintln!("已保存用户 {user} / saved user {user}");
        }
        Command::Enrol { user } => {
            let code = accounts::enrol_code(store, &SystemClock, &OsEntropy, &UserId::new(user)?)?;
            println!("code {code}");
            eprintln!("已生成一次性登记码 / issued a one-time enrolment code");
        }
        Command::RevokeDevice { device } => {
            let n = store.revoke_device(device.parse()?, chrono::Utc::now())?;
            println!("revoked {n}");
            eprintln!("已吊销 {n} 台设备 / revoked {n} device(s)");
        }
    }
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

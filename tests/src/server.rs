//! A sync server under test, as its own process so it can be killed (SIGKILL) and restarted on
//! the same data, and so its resident memory is its own.
//!
//! Two kinds speak automerge-repo's protocol "1": automerge-repo's own server in Node (the
//! reference the harness is checked against and the benchmark compares with) and the Fieldbook
//! server, started through its command line:
//! `fieldbook-sync-server --db F --listen 127.0.0.1:0` (prints `listening on ws://ADDR/sync`)
//! and `fieldbook-sync-server add-device --db F --user U` (prints `device …` and `token …`). Stock JS clients cannot set headers, so the token
//! travels as `?token=` in the WebSocket URL.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::node::PeerServer;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// automerge-repo 2.5.6 in Node (`tests/interop/peer-server.mjs`).
    AutomergeRepo,
    /// `fieldbook-sync-server`.
    Fieldbook,
}

#[derive(Debug)]
enum Running {
    Peer(PeerServer),
    Fieldbook(Child),
}

/// A running server and what a client needs to reach it.
#[derive(Debug)]
pub struct TestServer {
    kind: ServerKind,
    data: PathBuf,
    addr: SocketAddr,
    token: Option<String>,
    /// More command-line arguments of a Fieldbook server (kept across restarts).
    args: Vec<String>,
    running: Running,
}

/// The Fieldbook server binary: `FIELDBOOK_SYNC_SERVER_BIN`, else beside the running test or
/// program in the cargo target directory (cargo builds every workspace binary for the tests).
pub fn fieldbook_server_bin() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("FIELDBOOK_SYNC_SERVER_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let candidates = exe
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("fieldbook-sync-server"));
    for candidate in candidates {
        if candidate.exists() {
            return Ok(candidate);
        }
    }
    bail!("fieldbook-sync-server not built: run `cargo build -p fieldbook-sync-server`")
}

/// The URL path of the Fieldbook server's WebSocket endpoint (`FIELDBOOK_SYNC_PATH` overrides).
fn fieldbook_ws_path() -> String {
    std::env::var("FIELDBOOK_SYNC_PATH").unwrap_or_else(|_| "/sync".to_string())
}

/// Registers a device for `user` in the server's database and returns its token; `device` is
/// the device's id (its Automerge actor ids start with it), a new one if `None`.
pub async fn add_fieldbook_device(db: &Path, user: &str, device: Option<&str>) -> Result<String> {
    ensure_fieldbook_user(db, user).await?;
    let mut command = Command::new(fieldbook_server_bin()?);
    command
        .args(["add-device", "--db"])
        .arg(db)
        .args(["--user", user]);
    if let Some(device) = device {
        command.args(["--device", device]);
    }
    let output = command.stdin(Stdio::null()).output().await?;
    if !output.status.success() {
        bail!(
            "add-device failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // It prints `device <id>` then `token <token>`.
    let stdout = String::from_utf8(output.stdout)?;
    let line = stdout.lines().rev().find(|l| !l.trim().is_empty());
    let line = line.context("add-device printed no token")?.trim();
    Ok(line
        .strip_prefix("token ")
        .unwrap_or(line)
        .trim()
        .to_string())
}

/// Adds `user` as a field rep without a team (tokens are issued only for existing users).
async fn ensure_fieldbook_user(db: &Path, user: &str) -> Result<()> {
    let output = Command::new(fieldbook_server_bin()?)
        .args(["add-user", "--db"])
        .arg(db)
        .args(["--user", user, "--name", user, "--role", "field_rep"])
        .stdin(Stdio::null())
        .output()
        .await?;
    if !output.status.success() {
        bail!(
            "add-user failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Reads the server's stdout until `listening on ws://ADDR/…`, then keeps draining it (logs go
/// there too) so the server never blocks on a full pipe.
async fn wait_listening(child: &mut Child) -> Result<SocketAddr> {
    let stdout = child.stdout.take().context("server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.split("listening on ").nth(1) {
                return parse_listen_addr(rest);
            }
        }
        bail!("fieldbook-sync-server exited before listening")
    })
    .await
    .context("fieldbook-sync-server did not listen within 30 s")??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(found)
}

fn parse_listen_addr(text: &str) -> Result<SocketAddr> {
    let text = text.trim();
    let text = text.split("://").nth(1).unwrap_or(text);
    let host_port = text.split('/').next().unwrap_or(text);
    host_port
        .parse()
        .with_context(|| format!("not an address: {host_port}"))
}

impl TestServer {
    /// Starts a server keeping its data under `data` (a directory for automerge-repo, a SQLite
    /// file for Fieldbook). For Fieldbook, registers a device for user `rep.test` first.
    pub async fn start(kind: ServerKind, data: &Path) -> Result<Self> {
        Self::start_with(kind, data, &[]).await
    }

    /// [`TestServer::start`] with more arguments for a Fieldbook server (`--no-listen`, …).
    pub async fn start_with(kind: ServerKind, data: &Path, args: &[&str]) -> Result<Self> {
        let token = match kind {
            ServerKind::AutomergeRepo => None,
            ServerKind::Fieldbook => Some(add_fieldbook_device(data, "rep.test", None).await?),
        };
        let args = args.iter().map(|a| a.to_string()).collect();
        Self::launch(kind, data, token, args).await
    }

    async fn launch(
        kind: ServerKind,
        data: &Path,
        token: Option<String>,
        args: Vec<String>,
    ) -> Result<Self> {
        let (addr, running) = match kind {
            ServerKind::AutomergeRepo => {
                let peer = PeerServer::start(data).await?;
                let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, peer.port()));
                (addr, Running::Peer(peer))
            }
            ServerKind::Fieldbook => {
                let mut child = Command::new(fieldbook_server_bin()?)
                    .arg("--db")
                    .arg(data)
                    .args(["--listen", "127.0.0.1:0"])
                    .args(&args)
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .kill_on_drop(true)
                    .spawn()?;
                let addr = wait_listening(&mut child).await?;
                (addr, Running::Fieldbook(child))
            }
        };
        Ok(TestServer {
            kind,
            data: data.to_path_buf(),
            addr,
            token,
            args,
            running,
        })
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Registers one more device (Fieldbook only) and returns its token.
    pub async fn add_device(&self, user: &str, device: &str) -> Result<String> {
        add_fieldbook_device(&self.data, user, Some(device)).await
    }

    /// The device token clients authenticate with (Fieldbook only).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Path and query of the WebSocket endpoint, with `token` if the server needs one.
    pub fn path_and_query_for(&self, token: Option<&str>) -> String {
        match (self.kind, token) {
            (ServerKind::AutomergeRepo, _) => String::new(),
            (ServerKind::Fieldbook, Some(t)) => format!("{}?token={t}", fieldbook_ws_path()),
            (ServerKind::Fieldbook, None) => fieldbook_ws_path(),
        }
    }

    /// The URL a client uses when it reaches the server at `addr` (the server or a proxy).
    pub fn url_via(&self, addr: SocketAddr) -> String {
        format!("ws://{addr}{}", self.path_and_query_for(self.token()))
    }

    /// The URL of the server itself.
    pub fn url(&self) -> String {
        self.url_via(self.addr)
    }

    pub fn pid(&self) -> Option<u32> {
        match &self.running {
            Running::Peer(peer) => peer.pid(),
            Running::Fieldbook(child) => child.id(),
        }
    }

    /// SIGKILL: no flush, no goodbye, as a crash or a power cut.
    pub async fn kill(self) -> Result<(ServerKind, PathBuf, Option<String>)> {
        match self.running {
            Running::Peer(peer) => peer.kill().await?,
            Running::Fieldbook(mut child) => child.kill().await?,
        }
        Ok((self.kind, self.data, self.token))
    }

    /// Kills it and starts it again on the same data (on a new port: point proxies at it).
    pub async fn restart(self) -> Result<Self> {
        let args = self.args.clone();
        let (kind, data, token) = self.kill().await?;
        Self::launch(kind, &data, token, args).await
    }

    /// Stops it politely (the automerge-repo server flushes its storage first).
    pub async fn stop(self) -> Result<()> {
        match self.running {
            Running::Peer(peer) => peer.stop().await,
            Running::Fieldbook(mut child) => {
                child.kill().await?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_address_the_server_prints() {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 41_234));
        for text in [
            "ws://127.0.0.1:41234/sync",
            "127.0.0.1:41234",
            " http://127.0.0.1:41234 ",
        ] {
            assert_eq!(parse_listen_addr(text).ok(), Some(addr), "{text}");
        }
        assert!(parse_listen_addr("ws://nowhere/sync").is_err());
    }
}

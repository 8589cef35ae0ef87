//! One throwaway cluster: created, started, given out as fresh databases, stopped and removed.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result};

use crate::command::{RunAs, pg_bin_dir, run};

/// A running throwaway PostgreSQL cluster; stopped and deleted on drop.
#[derive(Debug)]
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    run_as: RunAs,
    port: u16,
    databases: AtomicU32,
    /// The watchdog shell; closing its stdin (our drop, or our death) makes it clean up.
    watchdog: Option<Child>,
}

impl PgCluster {
    /// Creates and starts a cluster on a free loopback port (a few seconds).
    pub fn start() -> Result<Self> {
        let bin = pg_bin_dir()?;
        let run_as = RunAs::detect()?;
        let dir = tempfile::Builder::new()
            .prefix("fieldbook-pg-")
            .tempdir()?
            .keep();
        let mut cluster = PgCluster {
            watchdog: Some(watchdog(&bin, &run_as, &dir)?),
            dir,
            bin,
            run_as,
            port: 0,
            databases: AtomicU32::new(0),
        };
        cluster.run_as.own(&cluster.dir)?;
        cluster.initdb()?;
        cluster.launch()?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn initdb(&self) -> Result<()> {
        let mut c = self.run_as.command(&self.bin.join("initdb"));
        c.arg("-D").arg(self.data());
        c.args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"]);
        c.args(["--no-sync", "--no-instructions"]);
        run(c, "initdb")
    }

    /// Starts the server; a port taken between choosing and binding it gets another try.
    fn launch(&mut self) -> Result<()> {
        let mut last = None;
        for _ in 0..3 {
            self.port = free_port()?;
            match self.pg_ctl_start() {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| anyhow::anyhow!("postgres did not start")))
    }

    fn pg_ctl_start(&self) -> Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            self.port,
            self.dir.display()
        );
        let mut c = self.run_as.command(&self.bin.join("pg_ctl"));
        c.arg("-D").arg(self.data());
        c.arg("-l").arg(self.dir.join("postgres.log"));
        c.args(["-w", "-t", "60", "-o", &options, "start"]);
        run(c, "pg_ctl start").with_context(|| self.log_tail())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("postgres.log")).unwrap_or_default();
        let start = log.len().saturating_sub(2000);
        format!("postgres.log: {}", log.get(start..).unwrap_or(&log))
    }

    /// The port the cluster listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `name` (user `postgres`, no password).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a new, empty database and returns its URL.
    pub fn create_database(&self) -> Result<String> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed) + 1;
        let name = format!("fieldbook_test_{n}");
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .context("connecting to the test cluster")?;
        client.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(self.url(&name))
    }

    /// Where the cluster lives (its data, log and socket).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Some(mut watchdog) = self.watchdog.take() {
            drop(watchdog.stdin.take());
            let _ = watchdog.wait();
        }
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

/// A shell that blocks reading a pipe from this process; at end of file (we dropped the cluster
/// or died) it stops the cluster at once and removes its directory.
fn watchdog(bin: &Path, run_as: &RunAs, dir: &Path) -> Result<Child> {
    let script = r#"read _; "$@" -D "$PGDATA" stop -m immediate >/dev/null 2>&1; rm -rf "$DIR""#;
    let stop = run_as.command(&bin.join("pg_ctl"));
    let mut c = Command::new("sh");
    c.args(["-c", script, "fieldbook-pg-watchdog"]);
    c.arg(stop.get_program()).args(stop.get_args());
    c.env("PGDATA", dir.join("data")).env("DIR", dir);
    c.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c.spawn().context("starting the cluster's watchdog")
}

//! Runs the stock automerge-repo peers in `tests/interop` (Node): the client the interop tests
//! and the benchmark drive, and automerge-repo's own sync server the benchmark compares with.
//!
//! Why Node and not a Rust port: the interop requirement is that an unmodified automerge-repo
//! app syncs with the Fieldbook server, so the client must be automerge-repo itself, pinned in
//! `tests/interop/package-lock.json` and installed by `scripts/install-interop-deps.sh`.
//! Every script answers with one JSON line per result on stdout; the tail of stderr is kept for
//! the error message (set `FIELDBOOK_NODE_STDERR=1` to see all of it live).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};

/// How long any one Node step may take before the harness gives up: 600 s, or
/// `FIELDBOOK_NODE_TIMEOUT_S` (the benchmark's phases can take longer on a loaded machine).
pub fn node_timeout() -> Duration {
    let secs = std::env::var("FIELDBOOK_NODE_TIMEOUT_S")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    Duration::from_secs(secs)
}

/// The Node project of the interop peers.
pub fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Fails with the install command when the Node packages are missing.
pub fn ensure_installed() -> Result<()> {
    let marker = interop_dir().join("node_modules/@automerge/automerge-repo/package.json");
    if marker.exists() {
        Ok(())
    } else {
        bail!("tests/interop has no node_modules: run `bash scripts/install-interop-deps.sh`")
    }
}

fn node(script: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.current_dir(interop_dir())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// A Node process speaking JSON lines on stdout, held open through its stdin.
#[derive(Debug)]
pub struct NodeProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    /// The tail of stderr, drained continuously so a chatty process never blocks on it.
    stderr_tail: Arc<Mutex<String>>,
}

const STDERR_TAIL: usize = 8 * 1024;

fn drain_stderr(stderr: ChildStderr, tail: Arc<Mutex<String>>) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if std::env::var_os("FIELDBOOK_NODE_STDERR").is_some() {
                eprintln!("{line}");
            }
            let mut tail = tail.lock();
            tail.push_str(&line);
            tail.push('\n');
            if tail.len() > 2 * STDERR_TAIL {
                let cut = tail.len() - STDERR_TAIL;
                let cut = (cut..tail.len())
                    .find(|i| tail.is_char_boundary(*i))
                    .unwrap_or(0);
                tail.drain(..cut);
            }
        }
    });
}

impl NodeProcess {
    /// Starts `node <script> <args…>` in `tests/interop`.
    pub fn spawn(script: &str, args: &[String]) -> Result<Self> {
        ensure_installed()?;
        let mut child = node(script).args(args).spawn().context("starting node")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("node stdout")?;
        let stderr_tail = Arc::new(Mutex::new(String::new()));
        if let Some(stderr) = child.stderr.take() {
            drain_stderr(stderr, stderr_tail.clone());
        }
        Ok(NodeProcess {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            stderr_tail,
        })
    }

    /// The next JSON line; an `"ok": false` line or an early exit is an error.
    pub async fn next(&mut self) -> Result<Value> {
        let line = tokio::time::timeout(node_timeout(), self.lines.next_line())
            .await
            .context("node took too long")??;
        let Some(line) = line else {
            return Err(self.failure("node exited without a result").await);
        };
        let value: Value =
            serde_json::from_str(&line).with_context(|| format!("not JSON: {line}"))?;
        if value["ok"] == Value::Bool(true) {
            Ok(value)
        } else {
            Err(self
                .failure(&format!("node reported failure: {line}"))
                .await)
        }
    }

    /// Tells a phased script to go on (one line on its stdin).
    pub async fn go(&mut self) -> Result<()> {
        let stdin = self.stdin.as_mut().context("stdin already closed")?;
        stdin.write_all(b"go\n").await?;
        stdin.flush().await?;
        Ok(())
    }

    /// The operating-system process id (for reading its memory in /proc).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the process (SIGKILL): no chance to flush anything.
    pub async fn kill(mut self) -> Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Closes stdin and waits for a clean exit.
    pub async fn finish(mut self) -> Result<()> {
        self.stdin = None;
        let status = tokio::time::timeout(node_timeout(), self.child.wait()).await??;
        if status.success() {
            Ok(())
        } else {
            Err(self.failure(&format!("node exited with {status}")).await)
        }
    }

    async fn failure(&mut self, what: &str) -> anyhow::Error {
        // Give the process a moment to exit so its last words reach the tail.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.child.wait()).await;
        anyhow!("{what}; stderr tail: {}", self.stderr_tail.lock())
    }
}

/// Runs one `client.mjs` command to completion and returns its result line.
pub async fn client(command: &str, url: &str, args: &[(&str, &str)]) -> Result<Value> {
    let mut argv = vec![command.to_string(), "--url".into(), url.to_string()];
    for (flag, value) in args {
        argv.push(format!("--{flag}"));
        argv.push((*value).to_string());
    }
    let mut process = NodeProcess::spawn("client.mjs", &argv)?;
    let result = process.next().await?;
    process.finish().await?;
    Ok(result)
}

/// automerge-repo's sync server in Node, on 127.0.0.1 at a port the OS chose.
#[derive(Debug)]
pub struct PeerServer {
    process: NodeProcess,
    port: u16,
}

impl PeerServer {
    /// Starts it with its filesystem storage in `dir`.
    pub async fn start(dir: &Path) -> Result<Self> {
        let args = vec!["--dir".to_string(), dir.display().to_string()];
        let mut process = NodeProcess::spawn("peer-server.mjs", &args)?;
        let ready = process.next().await?;
        let port = ready["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .context("peer server did not print its port")?;
        Ok(PeerServer { process, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// Kills it (SIGKILL), as a crash or a power cut would.
    pub async fn kill(self) -> Result<()> {
        self.process.kill().await
    }

    /// Stops it (closing stdin makes it shut its Repo down and exit).
    pub async fn stop(self) -> Result<()> {
        self.process.finish().await
    }
}

/// The resident memory of a process in bytes (`VmRSS` in `/proc/<pid>/status`).
/// The CPU time (user + system) process `pid` has used, in seconds. `/proc` counts it in
/// USER_HZ ticks, which Linux fixes at 100 per second for user space.
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces; the fields after its `)` are plain.
    let rest = stat.rsplit_once(')').context("no command name in stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<u64> { Ok(fields.get(i).context("short stat")?.parse()?) };
    // utime and stime are fields 14 and 15 of the line, 11 and 12 after the command name.
    Ok((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

pub fn resident_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .context("empty VmRSS line")?
        .parse()?;
    Ok(kib * 1024)
}

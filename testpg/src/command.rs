//! Finding PostgreSQL's programs and running them as the user the cluster belongs to.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The directory holding `initdb`, `pg_ctl` and `postgres`: `FIELDBOOK_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian's layout; `scripts/install-test-deps.sh` installs it).
pub fn pg_bin_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("FIELDBOOK_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed: run scripts/install-test-deps.sh")?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!("no /usr/lib/postgresql/*/bin/initdb: run scripts/install-test-deps.sh"),
    }
}

/// Who runs the cluster: ourselves, or (when we are root) the `postgres` OS user.
#[derive(Debug, Clone)]
pub(crate) enum RunAs {
    Me,
    User { name: String, uid: u32, gid: u32 },
}

impl RunAs {
    pub(crate) fn detect() -> Result<Self> {
        let me = std::fs::metadata("/proc/self").context("reading /proc/self")?;
        if me.uid() != 0 {
            return Ok(RunAs::Me);
        }
        let id = |flag: &str| -> Result<u32> {
            let out = Command::new("id").args([flag, "postgres"]).output()?;
            if !out.status.success() {
                bail!("running as root, and there is no `postgres` user to run PostgreSQL as");
            }
            Ok(String::from_utf8(out.stdout)?.trim().parse()?)
        };
        Ok(RunAs::User {
            name: "postgres".into(),
            uid: id("-u")?,
            gid: id("-g")?,
        })
    }

    /// Makes `path` belong to the user the cluster runs as.
    pub(crate) fn own(&self, path: &Path) -> Result<()> {
        if let RunAs::User { uid, gid, .. } = self {
            std::os::unix::fs::chown(path, Some(*uid), Some(*gid))
                .with_context(|| format!("chown {}", path.display()))?;
        }
        Ok(())
    }

    /// A command running `program` as this user.
    pub(crate) fn command(&self, program: &Path) -> Command {
        match self {
            RunAs::Me => Command::new(program),
            RunAs::User { name, .. } => {
                let mut c = Command::new("runuser");
                c.args(["-u", name, "--"]).arg(program);
                c
            }
        }
    }
}

/// Runs `command` to completion; its output goes into the error if it fails.
pub(crate) fn run(mut command: Command, what: &str) -> Result<()> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

//! Where the demo writes its files (issue 20): a directory it may empty. A newcomer's
//! `--out ~/Documents` once lost the folder's contents, so the demo empties only a directory
//! it created itself, which it marks with [`MARKER`]; any other directory must be new or empty.
//! Without `--out`, a fresh temp directory, kept after the run so the report can be opened.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The file that says the demo created the directory (and may empty it on the next run).
pub const MARKER: &str = ".fieldbook-demo";

const MARKER_TEXT: &str = "本目录由 Fieldbook 外勤演示创建，每次运行会清空。\n\
    This directory was created by the Fieldbook field-day demo; each run empties it.\n";

/// Prepares the output directory: `out`, or a new temp directory; returns its path.
pub fn prepare(out: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match out {
        None => tempfile::Builder::new()
            .prefix("fieldbook-demo-")
            .tempdir()
            .context("无法创建临时目录 / could not create a temp directory")?
            .keep(),
        Some(dir) if !dir.exists() => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("无法创建目录 / could not create {}", dir.display()))?;
            dir.to_owned()
        }
        Some(dir) => {
            reuse(dir)?;
            dir.to_owned()
        }
    };
    std::fs::write(dir.join(MARKER), MARKER_TEXT)?;
    Ok(dir)
}

/// An existing directory: used if empty, emptied if the demo made it, refused otherwise.
fn reuse(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        bail!("{0} 不是目录 / {0} is not a directory", dir.display());
    }
    if dir.join(MARKER).is_file() {
        return empty(dir);
    }
    if std::fs::read_dir(dir)?.next().is_some() {
        bail!(
            "目录 {0} 不是空的，也不是本演示创建的：为免删除其中的文件，演示拒绝使用它。\
             请用 --out 指定一个新的或空的目录，或不加 --out（使用新的临时目录）。\n\
             {0} is not empty and was not created by this demo: to keep its files, the demo \
             refuses to use it. Pass --out a new or empty directory, or leave --out out (a \
             fresh temp directory).",
            dir.display()
        );
    }
    Ok(())
}

fn empty(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_directory_the_demo_made_is_emptied_and_used_again() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("day");
        prepare(Some(&dir)).unwrap();
        std::fs::write(dir.join("server.sqlite3"), "old").unwrap();
        prepare(Some(&dir)).unwrap();
        assert!(!dir.join("server.sqlite3").exists());
        assert!(dir.join(MARKER).is_file());
    }

    #[test]
    fn a_foreign_directory_with_files_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = prepare(Some(dir.path())).unwrap_err().to_string();
        assert!(
            err.contains("不是空的") && err.contains("not empty"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
            "mine"
        );
        assert!(!dir.path().join(MARKER).exists());
    }

    #[test]
    fn an_empty_directory_is_used() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(prepare(Some(dir.path())).unwrap(), dir.path());
    }
}

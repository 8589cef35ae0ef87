//! The soak (issue 19): 200 phones write and sync against a real server for 10 minutes while
//! the server is SIGKILLed and restarted every 1–3 minutes; 0 acknowledged writes may be lost.
//!
//! ```sh
//! cargo build --release -p fieldbook-sync-server
//! cargo run -p fieldbook-tests --release --bin soak -- [--phones 200] [--minutes 10] [--seed 1]
//! ```
//!
//! It prints the writes, rounds, kills, losses and the server's resident memory over time
//! (a sample every 10 s, shown per minute), and exits non-zero if an acknowledged write was
//! lost or a write was never acknowledged. See `fieldbook_tests::soak` for what is measured.

use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use fieldbook_tests::soak::{SoakConfig, SoakFigures, run};

fn parse_args() -> Result<SoakConfig> {
    let mut config = SoakConfig::standard(1);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--phones" => config.phones = value.parse()?,
            "--minutes" => config.duration = Duration::from_secs_f64(value.parse::<f64>()? * 60.0),
            "--seed" => config.seed = value.parse()?,
            "--kill-every" => {
                // `MIN-MAX` seconds.
                let (low, high) = value.split_once('-').context("--kill-every MIN-MAX")?;
                config.kill_every = (
                    Duration::from_secs(low.parse()?),
                    Duration::from_secs(high.parse()?),
                );
            }
            _ => bail!("unknown flag {flag}"),
        }
    }
    ensure!(
        (1..=2000).contains(&config.phones),
        "--phones must be 1–2000"
    );
    Ok(config)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

fn print(config: &SoakConfig, f: &SoakFigures) {
    println!(
        "soak: {} phones, {:.1} min, seed {}, kill every {}–{} s",
        config.phones,
        config.duration.as_secs_f64() / 60.0,
        config.seed,
        config.kill_every.0.as_secs(),
        config.kill_every.1.as_secs()
    );
    println!(
        "| writes | acknowledged | lost | never acknowledged | rounds | failed rounds | kills | wall |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {} | {} | {} | {} | {} | {:.0} s |",
        f.writes,
        f.acknowledged,
        f.lost,
        f.never_acknowledged,
        f.rounds,
        f.failed_rounds,
        f.kills,
        f.seconds
    );
    println!();
    println!("| minute | server RSS min | max | last |");
    println!("|---:|---:|---:|---:|");
    let minutes = (f.seconds / 60.0).ceil() as usize;
    for m in 0..minutes.max(1) {
        let in_minute: Vec<u64> = f
            .rss
            .iter()
            .filter(|(t, _)| (*t / 60.0) as usize == m)
            .map(|(_, r)| *r)
            .collect();
        let (Some(min), Some(max), Some(last)) = (
            in_minute.iter().min(),
            in_minute.iter().max(),
            in_minute.last(),
        ) else {
            continue;
        };
        println!(
            "| {} | {:.1} MiB | {:.1} MiB | {:.1} MiB |",
            m + 1,
            mib(*min),
            mib(*max),
            mib(*last)
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let config = parse_args()?;
    let dir = tempfile::tempdir()?;
    let figures = run(dir.path(), &config).await?;
    print(&config, &figures);
    ensure!(
        figures.lost == 0,
        "{} acknowledged writes lost",
        figures.lost
    );
    ensure!(
        figures.never_acknowledged == 0,
        "{} writes never acknowledged",
        figures.never_acknowledged
    );
    Ok(())
}

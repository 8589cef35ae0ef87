//! The field-day demo: `cargo run -p fieldbook-mobile-demo --release`.
//!
//! A real day on the embedded defaults: a sync server on 127.0.0.1 with its SQLite file, one
//! SQLite store per phone. Morning: the supervisor assigns visits and the phones sync. Then
//! everyone is offline: invitations accepted and declined, visits and reports, the supervisor
//! and a rep editing the same visit, a trade show capturing leads, a rep registering one of the
//! same prospects by phone. Evening: the phones come back in a shuffled order, some connections cut mid-sync. Night: checks
//! that every edit is on the server and every phone equals it, and an HTML report of the day.
//! The demo exits non-zero if anything was lost.

mod data;
mod day;
mod fleet;
mod night;
mod report;
mod shared;

use std::path::PathBuf;

use anyhow::ensure;
use chrono::NaiveDate;
use clap::Parser;

use data::DemoData;
use day::Ledger;
use fleet::Fleet;
use report::DayReport;

/// 外勤一日演示 / Fieldbook field-day demo.
#[derive(Debug, Parser)]
struct Args {
    /// Seed of the day's data and choices (the same seed plays the same day).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Number of field reps (1–6).
    #[arg(long, default_value_t = 2)]
    reps: usize,
    /// Leads captured at the trade show (each day).
    #[arg(long, default_value_t = 24)]
    leads: usize,
    /// Days to play (1–31); each has its morning, sites, trade show and evening.
    #[arg(long, default_value_t = 1)]
    days: u32,
    /// Directory for the server and device files and the report (default: a temp dir, emptied).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Quiet unless RUST_LOG asks (the demo prints its own progress).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("fieldbook-demo"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let failed = run(&args, &dir).await?;
    ensure!(
        failed == 0,
        "{failed} 项检查失败 / {failed} checks failed — see {}",
        dir.join("field-day.html").display()
    );
    Ok(())
}

async fn run(args: &Args, dir: &std::path::Path) -> anyhow::Result<usize> {
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
    let people = day::people(args.reps);
    let people: Vec<&str> = people.iter().map(String::as_str).collect();
    let fleet = Fleet::start(dir, args.seed, &people, day).await?;
    let mut data = DemoData::new(args.seed);
    let mut ledger = Ledger::default();
    let mut report = DayReport {
        title: "外勤一日 / A field day".into(),
        seed: args.seed,
        ..DayReport::default()
    };

    let mut cuts = 0;
    for n in 0..args.days.clamp(1, 31) {
        if n > 0 {
            fleet.set_day(day + chrono::TimeDelta::days(i64::from(n)));
            println!("— 第 {} 天 / day {} —", n + 1, n + 1);
        }
        step(
            "1/5 早上：主管安排拜访，手机同步 / morning: the supervisor assigns visits, phones sync",
        );
        day::morning(&fleet, &mut data, &mut ledger, &mut report).await?;
        step("2/5 客户现场（离线）/ at the customers' sites, offline");
        day::sites(&fleet, &mut data, &mut ledger, &mut report)?;
        step("3/5 展会（无信号）/ the trade show, no signal all day");
        day::trade_show(&fleet, &mut data, args.leads, &mut ledger, &mut report)?;
        step("4/5 傍晚：设备陆续回来同步 / evening: the phones come back and sync");
        cuts += day::evening(&fleet, &mut data, &mut report).await?;
    }
    step("5/5 夜间：合并结果与检查 / night: the merged day and the checks");
    shared::approve_expense(&fleet, &mut ledger, &mut report).await?;
    night::views(&fleet, &ledger, &mut report)?;
    let failed = night::check(&fleet, &ledger, &mut report)?;

    report.figure("设备 / devices", fleet.devices.len());
    report.figure("编辑 / edits checked", ledger.expected.len());
    report.figure("线索 / leads", ledger.leads.len());
    report.figure("中断的同步 / syncs cut mid-way", cuts);
    report.figure("失败检查 / failed checks", failed);
    let html = dir.join("field-day.html");
    report.write(&html)?;
    for c in &report.checks {
        println!("  {} {}", if c.passed { "✔" } else { "✘" }, c.text);
    }
    println!("  报告 / report: {}", html.display());
    fleet.stop().await?;
    Ok(failed)
}

fn step(text: &str) {
    println!("▶ {text}");
}

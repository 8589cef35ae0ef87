//! The field-day demo: `cargo run -p fieldbook-mobile-demo --release`.
//!
//! A real day on the embedded defaults: a sync server on 127.0.0.1 with its SQLite file, one
//! SQLite store per phone. Morning: the supervisor assigns visits and the phones sync. Then
//! everyone is offline: invitations accepted and declined, visits and reports, the supervisor
//! and a rep editing the same visit, a trade show capturing leads, a rep registering one of the
//! same prospects by phone. Evening: the phones come back in a shuffled order, some connections cut mid-sync. Night: checks
//! that every edit is on the server and every phone equals it, and an HTML report of the day.
//! Woven through the day, the whole sales process (issue 17): an event with its invitees, a
//! lead taken stage by stage to an invoice, a customer's proposal answered by the routed
//! department's manager, and the supervisor's week.
//! The demo exits non-zero if anything was lost.

mod data;
mod day;
mod fleet;
mod ledger;
mod night;
mod out_dir;
mod people;
mod process;
mod report;
mod shared;

use std::path::PathBuf;

use anyhow::ensure;
use chrono::NaiveDate;
use clap::Parser;

use data::DemoData;
use fleet::Fleet;
use ledger::Ledger;
use report::DayReport;

/// 外勤一日演示 / Fieldbook field-day demo.
#[derive(Debug, Parser)]
struct Args {
    /// 随机种子 / seed of the day's data and choices (the same seed plays the same day).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// 销售人数 / number of field reps, 1–6.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=people::MAX_REPS as i64))]
    reps: u8,
    /// 每天展会线索数 / leads captured at the trade show each day, 2–500 (two or more, so one
    /// prospect is also registered by a rep).
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u16).range(2..=500))]
    leads: u16,
    /// 演示天数 / days to play, 1–31; each has its morning, sites, trade show and evening.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=31))]
    days: u32,
    /// 输出目录 / directory for the server and phone files and the report: new, empty, or made
    /// by an earlier run (default: a fresh temp directory, kept).
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
    let dir = match out_dir::prepare(args.out.as_deref()) {
        Ok(dir) => dir,
        Err(refused) => {
            // The newcomer's mistake, said plainly: no backtrace, exit code 1.
            eprintln!("{refused:#}");
            std::process::exit(1);
        }
    };
    println!("输出目录 / output directory: {}", dir.display());
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
    let people = people::people(usize::from(args.reps));
    let fleet = Fleet::start(dir, args.seed, &people, day).await?;
    let mut data = DemoData::new(args.seed);
    let mut ledger = Ledger::default();
    let mut report = DayReport {
        title: "外勤一日 / A field day".into(),
        seed: args.seed,
        ..DayReport::default()
    };

    let mut cuts = 0;
    for n in 0..args.days {
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
        let leads = usize::from(args.leads);
        day::trade_show(&fleet, &mut data, leads, &mut ledger, &mut report)?;
        step("4/5 傍晚：设备陆续回来同步 / evening: the phones come back and sync");
        cuts += day::evening(&fleet, &mut data, &mut report).await?;
    }
    step("5/5 夜间：合并结果与检查 / night: the merged day and the checks");
    process::proposal::answer(&fleet, &mut ledger, &mut report).await?;
    shared::approve_expense(&fleet, &mut ledger, &mut report).await?;
    night::views(&fleet, &ledger, &mut report)?;
    night::check(&fleet, &ledger, &mut report)?;
    let failed = report.checks.iter().filter(|c| !c.passed).count();

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
    println!(
        "  文件（服务器、各手机的数据库）/ files (the server's and each phone's database): {}",
        dir.display()
    );
    fleet.stop().await?;
    Ok(failed)
}

fn step(text: &str) {
    println!("▶ {text}");
}

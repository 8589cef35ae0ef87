//! The field-day demo: `cargo run -p fieldbook-mobile-demo --release`.
//!
//! Until the sync server lands this plays the device half of a day on real SQLite files: a rep
//! records seeded customers, visits and leads, closes the app, reopens it, checks that every
//! record came back, and writes an HTML report of the day.

mod data;
mod report;

use std::path::PathBuf;

use anyhow::{Context, ensure};
use clap::Parser;
use fieldbook_core::model::*;
use fieldbook_core::{DeviceId, DeviceStore, SeededEntropy, StoreOptions, UserId};

use data::DemoData;
use report::{DayReport, Section};

/// 外勤一日演示 / Fieldbook field-day demo.
#[derive(Debug, Parser)]
struct Args {
    /// Seed of the day's data and choices (the same seed plays the same day).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Customers the rep records.
    #[arg(long, default_value_t = 12)]
    customers: usize,
    /// Directory for the device files and the report (default: a temp dir).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("fieldbook-demo"));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("rep-li.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut options =
        StoreOptions::new(DeviceId::from_random_bytes([1; 16]), UserId::new("rep.li")?);
    options.entropy = std::sync::Arc::new(SeededEntropy::new(args.seed));
    let mut data = DemoData::new(args.seed);
    let mut report = DayReport {
        title: "外勤一日 / A field day".into(),
        seed: args.seed,
        ..DayReport::default()
    };

    println!(
        "▶ 记录客户与拜访 / recording customers and visits → {}",
        path.display()
    );
    let written = {
        let store = DeviceStore::open(&path, options.clone())?;
        let mut ids = Vec::new();
        for _ in 0..args.customers {
            let p = data.company();
            let c = store.create(Customer {
                name: p.company.clone(),
                company: p.company,
                region: p.city,
                industry: p.industry,
                contacts: vec![Contact {
                    id: "c1".into(),
                    name: p.contact,
                    title: p.title,
                    mobile: p.mobile,
                    ..Contact::default()
                }],
                ..Customer::default()
            })?;
            let declined = data.below(3) == 0;
            let v = store.create(VisitPlan {
                customer_id: Some(c.meta.id),
                purpose: data.purpose().into(),
                status: if declined {
                    VisitStatus::Declined
                } else {
                    VisitStatus::Planned
                },
                decline_reason: if declined {
                    data.decline_reason().into()
                } else {
                    String::new()
                },
                ..VisitPlan::default()
            })?;
            report.event(
                "09:00",
                "rep.li",
                format!("新建客户与拜访计划 / customer and visit: {}", c.name),
            );
            ids.extend([c.meta.id, v.meta.id]);
        }
        let show = data.trade_show();
        for _ in 0..args.customers / 2 {
            let p = data.company();
            let l = store.create(LeadReferral {
                source: LeadSource::TradeShow,
                event: show.into(),
                prospect: Prospect {
                    name: p.contact,
                    company: p.company,
                    phone: p.mobile,
                    ..Prospect::default()
                },
                ..LeadReferral::default()
            })?;
            report.event(
                "14:00",
                "rep.li",
                format!("展会线索 / trade-show lead: {}", l.prospect.name),
            );
            ids.push(l.meta.id);
        }
        ids
    };

    println!("▶ 重新打开 / reopening the store");
    let store = DeviceStore::open(&path, options)?;
    let listed = store.list(None)?;
    ensure!(
        listed.len() == written.len(),
        "records lost: {} of {}",
        listed.len(),
        written.len()
    );
    for id in &written {
        store
            .get_json(*id)
            .with_context(|| format!("reading {id}"))?;
    }
    report.figure("记录 / records", listed.len());
    report.check(
        true,
        format!(
            "{} 条记录全部保存 / all {} records kept",
            listed.len(),
            listed.len()
        ),
    );
    report.sections.push(Section {
        heading: "记录 / Records".into(),
        columns: vec!["类型 / kind".into(), "标题 / title".into()],
        rows: listed
            .iter()
            .map(|s| vec![s.kind.label_zh().to_owned(), s.title.clone()])
            .collect(),
    });
    let html = dir.join("field-day.html");
    report.write(&html)?;
    println!(
        "✔ {} 条记录全部保存 / all {} records kept",
        listed.len(),
        listed.len()
    );
    println!("  报告 / report: {}", html.display());
    Ok(())
}

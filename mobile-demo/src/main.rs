//! The field-day demo. Until the sync server lands this plays the device half of a day: a rep
//! records customers, a visit, a reception, a report and leads in a real SQLite file, closes
//! the app, reopens it, and checks every record came back.

use std::path::PathBuf;

use anyhow::{Context, ensure};
use fieldbook_core::model::*;
use fieldbook_core::{DeviceId, DeviceStore, StoreOptions, UserId};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("fieldbook-demo"));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("rep-li.sqlite3");
    let _ = std::fs::remove_file(&path);
    let options = StoreOptions::new(DeviceId::from_random_bytes([1; 16]), UserId::new("rep.li")?);

    println!(
        "▶ 记录客户与拜访 / recording customers and visits → {}",
        path.display()
    );
    let written = {
        let store = DeviceStore::open(&path, options.clone())?;
        let customer = store.create(Customer {
            name: "张伟".into(),
            company: "华东机械有限公司".into(),
            grade: CustomerGrade::B,
            ..Customer::default()
        })?;
        let visit = store.create(VisitPlan {
            customer_id: Some(customer.meta.id),
            purpose: "季度回访，了解备件需求".into(),
            ..VisitPlan::default()
        })?;
        let lead = store.create(LeadReferral {
            code: "L-DEMO-1".into(),
            source: LeadSource::TradeShow,
            prospect: Prospect {
                name: "刘强".into(),
                phone: "138 0013 8000".into(),
                ..Prospect::default()
            },
            ..LeadReferral::default()
        })?;
        store.update::<Customer>(customer.meta.id, |c| {
            c.grade = CustomerGrade::A;
            Ok(())
        })?;
        vec![customer.meta.id, visit.meta.id, lead.meta.id]
    };

    println!("▶ 重新打开 / reopening the store");
    let store = DeviceStore::open(&path, options)?;
    let listed = store.list(None)?;
    ensure!(listed.len() == written.len(), "records lost: {listed:?}");
    let customer: Customer = store.get(written[0]).context("reading the customer")?;
    ensure!(customer.grade == CustomerGrade::A, "the edit was lost");
    for s in &listed {
        println!("  {} · {} · {}", s.kind.label_zh(), s.kind, s.title);
    }
    println!(
        "✔ {} 条记录全部保存 / all {} records kept",
        listed.len(),
        listed.len()
    );
    Ok(())
}

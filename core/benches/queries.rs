//! Benchmark of the rep's day, invitation metrics and search on a 50,000-record device store.
//!
//! Run: `cargo bench -p fieldbook-core --bench queries` (set `FIELDBOOK_BENCH_RECORDS` to change
//! the size). Builds a seeded store (20 reps; customers, visit plans, return-visit reports and
//! leads with Chinese names, companies and phones) through the public API, then prints p50/p99
//! of each query. The store lives in /dev/shm when it exists, so building it measures the code,
//! not the disk's fsync; the queries read through SQLite either way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use fieldbook_core::model::*;
use fieldbook_core::queries::{metrics, my_day};
use fieldbook_core::search::{SearchQuery, search};
use fieldbook_core::store::Filter;
use fieldbook_core::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "建华", "志强", "海燕",
];
const PLACES: &[&str] = &[
    "华东", "南方", "北方", "西部", "江南", "中原", "滨海", "东方", "长城", "黄河",
];
const TRADES: &[&str] = &[
    "机械制造",
    "电气",
    "物流",
    "化工",
    "纺织",
    "建材",
    "食品",
    "医药",
    "电子",
    "汽车配件",
];
const REPS: usize = 20;

fn now() -> DateTime<Utc> {
    let cal = WorkCalendar::china_default();
    cal.at_local(
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default(),
        NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    )
}

fn name(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    )
}

fn company(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{}{}有限公司",
        PLACES[rng.random_range(0..PLACES.len())],
        TRADES[rng.random_range(0..TRADES.len())]
    )
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    format!(
        "13{}{:08}",
        rng.random_range(0..10),
        rng.random_range(0..100_000_000u32)
    )
}

fn rep(i: usize) -> Result<UserId> {
    Ok(UserId::new(format!("rep.{:02}", i % REPS))?)
}

fn at(rng: &mut ChaCha8Rng, days_back: i64, days_ahead: i64) -> DateTime<Utc> {
    now() + TimeDelta::minutes(rng.random_range(-days_back * 1440..days_ahead * 1440))
}

fn customer(rng: &mut ChaCha8Rng, meta: RecordMeta) -> Customer {
    let mobile = phone(rng);
    let contacts = vec![Contact {
        id: "c1".into(),
        name: name(rng),
        mobile,
        ..Contact::default()
    }];
    let last_purchase_at = Some(at(rng, 500, 0));
    let notes = "关注节能型号，季度采购".into();
    Customer {
        meta,
        name: name(rng),
        company: company(rng),
        contacts,
        last_purchase_at,
        notes,
        ..Customer::default()
    }
}

fn visit_plan(rng: &mut ChaCha8Rng, meta: RecordMeta) -> VisitPlan {
    let statuses = [
        VisitStatus::Planned,
        VisitStatus::Invited,
        VisitStatus::Accepted,
        VisitStatus::Declined,
        VisitStatus::Attended,
    ];
    let status = statuses[rng.random_range(0..statuses.len())].clone();
    let invited_at = (status != VisitStatus::Planned).then(|| at(rng, 90, 0));
    let rep = meta.owner.clone();
    VisitPlan {
        meta,
        rep,
        purpose: "季度拜访".into(),
        scheduled_at: Some(at(rng, 60, 30)),
        status,
        invited_at,
        ..VisitPlan::default()
    }
}

fn report(rng: &mut ChaCha8Rng, meta: RecordMeta) -> ReturnVisitReport {
    let visited = now().date_naive() - TimeDelta::days(rng.random_range(0..120));
    let proposals = vec![Proposal {
        id: "p1".into(),
        text: "增加夜间送货".into(),
        received_at: at(rng, 30, 0),
        ..Proposal::default()
    }];
    let filed_at = rng.random_bool(0.8).then(now);
    let rep = meta.owner.clone();
    ReturnVisitReport {
        meta,
        rep,
        purpose: "回访".into(),
        visited_on: Some(visited),
        proposals,
        filed_at,
        ..ReturnVisitReport::default()
    }
}

fn lead_of(rng: &mut ChaCha8Rng, meta: RecordMeta) -> LeadReferral {
    let source = if rng.random_bool(0.2) {
        LeadSource::TradeShow
    } else {
        LeadSource::Web
    };
    let grades = [
        LeadGrade::H,
        LeadGrade::A,
        LeadGrade::B,
        LeadGrade::C,
        LeadGrade::D,
    ];
    let grade = grades[rng.random_range(0..grades.len())].clone();
    let prospect = Prospect {
        name: name(rng),
        company: company(rng),
        phone: format!("+86{}", phone(rng)),
        ..Prospect::default()
    };
    let code = fieldbook_core::rules::lead::code_for(meta.id);
    let registered_at = Some(at(rng, 60, 0));
    LeadReferral {
        meta,
        code,
        source,
        grade,
        prospect,
        registered_at,
        event: "广交会".into(),
        ..LeadReferral::default()
    }
}

/// Stores `total` records, 2:3:2:3 customers, plans, reports, leads; returns a stored mobile.
fn build(store: &DeviceStore, total: usize) -> Result<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mut a_phone = String::new();
    for i in 0..total {
        let meta = RecordMeta {
            id: store.new_record_id(),
            owner: rep(i / 10)?,
            ..RecordMeta::default()
        };
        match i % 10 {
            0 | 1 => {
                let c = store.create(customer(&mut rng, meta))?;
                if a_phone.is_empty() {
                    a_phone.clone_from(&c.contacts[0].mobile);
                }
            }
            2..=4 => drop(store.create(visit_plan(&mut rng, meta))?),
            5 | 6 => drop(store.create(report(&mut rng, meta))?),
            _ => drop(store.create(lead_of(&mut rng, meta))?),
        }
    }
    Ok(a_phone)
}

fn measure(label: &str, runs: usize, mut f: impl FnMut() -> Result<usize>) -> Result<()> {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs {
        let start = Instant::now();
        found = f()?;
        times.push(start.elapsed());
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{label:<44} p50 {:>9.2?}  p99 {:>9.2?}  ({found} results, {runs} runs)",
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}

fn main() -> Result<()> {
    let total: usize = std::env::var("FIELDBOOK_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        "/dev/shm"
    } else {
        "."
    };
    let dir = tempfile::tempdir_in(base)?;
    let mut o = StoreOptions::new(DeviceId::from_random_bytes([1; 16]), UserId::new("rep.00")?);
    o.clock = Arc::new(FixedClock::new(now()));
    o.entropy = Arc::new(SeededEntropy::new(1));
    let store = DeviceStore::open(dir.path().join("bench.sqlite3"), o)?;
    let started = Instant::now();
    let a_phone = build(&store, total)?;
    println!(
        "built {total} records in {:.1?} ({})",
        started.elapsed(),
        dir.path().display()
    );
    store.clear_cache();
    let cal = WorkCalendar::china_default();
    let rep0 = rep(0)?;
    measure("my day (one rep)", 200, || {
        let d = my_day::my_day_from_store(&store, &rep0, now(), &cal)?;
        Ok(d.visits_today.len()
            + d.follow_ups.len()
            + d.reports.len()
            + d.proposals.len()
            + d.trade_show_leads.len())
    })?;
    let month = (now() - TimeDelta::days(30), now());
    measure("invitation metrics (one rep, 30 days)", 200, || {
        let plans: Vec<VisitPlan> = store.read_projected(&Filter {
            owner: Some(rep0.clone()),
            ..Filter::default()
        })?;
        Ok(metrics::invitation_metrics(&plans, &[], month.0, month.1).invited as usize)
    })?;
    measure("invitation metrics (team of 20, per rep)", 50, || {
        let plans: Vec<VisitPlan> = store.read_projected(&Filter::default())?;
        Ok(metrics::invitation_metrics_by_rep(&plans, &[], month.0, month.1).len())
    })?;
    let national: String = a_phone.chars().skip(3).take(6).collect();
    for (label, q) in [
        ("search: Chinese name, 2 chars (张伟)", "张伟".to_owned()),
        (
            "search: Chinese substring, 4 chars (机械制造)",
            "机械制造".to_owned(),
        ),
        (
            "search: Chinese substring, 6 chars",
            "华东机械制造".to_owned(),
        ),
        ("search: pinyin full (zhangwei)", "zhangwei".to_owned()),
        ("search: pinyin initials (zw)", "zw".to_owned()),
        (
            "search: phone, full number with spaces",
            format!("{} {} {}", &a_phone[..3], &a_phone[3..7], &a_phone[7..]),
        ),
        ("search: phone, 6 inner digits", national),
    ] {
        measure(label, 100, || {
            Ok(search(&store, &SearchQuery::new(q.clone()))?.len())
        })?;
    }
    Ok(())
}

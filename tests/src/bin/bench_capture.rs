//! Trade-show capture at the booth (issue 18 §2): N cards scanned in a row on one phone, each
//! parsed, checked against the phone's leads (duplicates and ownership) and saved durably as a
//! lead — the whole of what a rep waits for after pointing the camera at a badge.
//!
//! ```sh
//! cargo run -p fieldbook-tests --bin bench_capture -- [--cards 1000] [--seed 18]
//! ```
//!
//! The cards are vCards 2.1 (quoted-printable), 3.0 and 4.0 and MECARDs in turn, with Chinese
//! names and companies drawn from a seeded generator; one card in ten repeats an earlier
//! prospect's phone (a second badge of the same visitor), so the duplicate path is measured
//! too. The store is a real SQLite file (WAL, `synchronous=FULL`) in a temporary directory.
//! Printed: p50, p90, p99 and max per capture, and each step's p50.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use fieldbook_core::capture::{self, CaptureLead};
use fieldbook_core::{DeviceId, DeviceStore, SeededEntropy, StoreOptions, UserId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const FAMILY: &[&str] = &["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰",
];
const CITY: &[&str] = &[
    "北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都",
];
const TRADE: &[&str] = &[
    "华科", "星河", "智联", "白云", "申通", "东方", "恒远", "瑞达",
];

fn arg(name: &str, default: u64) -> Result<u64> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .with_context(|| format!("{name} needs a value"))?
            .parse()
            .with_context(|| format!("{name} must be a number")),
        None => Ok(default),
    }
}

/// The `i`-th card's payload; `mobile` is its phone.
fn card(i: u64, rng: &mut ChaCha8Rng, mobile: &str) -> Vec<u8> {
    let family = FAMILY[rng.random_range(0..FAMILY.len())];
    let given = GIVEN[rng.random_range(0..GIVEN.len())];
    let company = format!(
        "{}{}科技有限公司",
        CITY[rng.random_range(0..CITY.len())],
        TRADE[rng.random_range(0..TRADE.len())]
    );
    let email = format!("user{i}@example.cn");
    let text = match i % 4 {
        0 => {
            let qp = |s: &str| quoted_printable(s.as_bytes());
            format!(
                "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{};{};;;\r\n\
                 ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{}\r\nTEL;CELL:{mobile}\r\n\
                 TEL;WORK;FAX:010-6552 9989\r\nEMAIL;INTERNET:{email}\r\nEND:VCARD\r\n",
                qp(family),
                qp(given),
                qp(&company)
            )
        }
        1 => format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{family}{given}\r\nORG:{company};销售部\r\n\
             TITLE:采购经理\r\nTEL;TYPE=CELL:{mobile}\r\nTEL;TYPE=WORK:021-6888 {:04}\r\n\
             EMAIL;TYPE=INTERNET:{email}\r\nEND:VCARD\r\n",
            i % 10_000
        ),
        2 => format!(
            "BEGIN:VCARD\nVERSION:4.0\nFN:{family}{given}\nORG:{company}\n\
             TEL;VALUE=uri;TYPE=cell:tel:{mobile}\nEMAIL:{email}\nEND:VCARD\n"
        ),
        _ => format!("MECARD:N:{family},{given};TEL:{mobile};EMAIL:{email};ORG:{company};;"),
    };
    text.into_bytes()
}

fn quoted_printable(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("={b:02X}")).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    let cards = arg("--cards", 1000)?;
    let seed = arg("--seed", 18)?;
    let dir = tempfile::tempdir()?;
    let mut options =
        StoreOptions::new(DeviceId::from_random_bytes([7; 16]), UserId::new("rep.li")?);
    options.entropy = Arc::new(SeededEntropy::new(seed));
    let store = DeviceStore::open(dir.path().join("phone.sqlite3"), options)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let details = CaptureLead {
        event: "2026 上海工博会".into(),
        ..CaptureLead::default()
    };
    let (mut total, mut parse, mut check, mut save) = (vec![], vec![], vec![], vec![]);
    let mut mobiles: Vec<String> = Vec::new();
    let mut duplicates_seen = 0;
    for i in 0..cards {
        let mobile = match mobiles.len() {
            n if n > 10 && i % 10 == 9 => mobiles[rng.random_range(0..n)].clone(),
            _ => format!(
                "13{}{:08}",
                rng.random_range(5..10),
                rng.random_range(0..100_000_000)
            ),
        };
        mobiles.push(mobile.clone());
        let payload = card(i, &mut rng, &mobile);
        let t0 = Instant::now();
        let fields = capture::parse_card(&payload)?;
        let t1 = Instant::now();
        let duplicates = capture::duplicates(&store, &fields)?;
        let ownership = capture::ownership(&store, &fields)?;
        let t2 = Instant::now();
        capture::save(&store, &fields, &details)?;
        let t3 = Instant::now();
        ensure!(ownership.is_some(), "card {i} names no prospect");
        duplicates_seen += usize::from(!duplicates.is_empty());
        parse.push(t1 - t0);
        check.push(t2 - t1);
        save.push(t3 - t2);
        total.push(t3 - t0);
    }
    for v in [&mut total, &mut parse, &mut check, &mut save] {
        v.sort();
    }
    println!("bench_capture: {cards} captures on one phone (parse + dedupe + durable save)");
    println!(
        "per capture: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&total, 0.5)),
        ms(percentile(&total, 0.9)),
        ms(percentile(&total, 0.99)),
        ms(percentile(&total, 1.0)),
    );
    println!(
        "p50 by step: parse {:.3} ms, duplicates + ownership {:.2} ms, save {:.2} ms",
        ms(percentile(&parse, 0.5)),
        ms(percentile(&check, 0.5)),
        ms(percentile(&save, 0.5)),
    );
    println!("captures with a duplicate on the phone: {duplicates_seen}");
    Ok(())
}

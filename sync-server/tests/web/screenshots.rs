//! The screenshots in `docs/img/` (README, docs/back-office.md), taken by the same Chromium
//! as the tests. Ignored by default; refresh them with
//! `cargo nextest run -p fieldbook-sync-server --test web --run-ignored only screenshots`.

use std::path::PathBuf;

use crate::common::World;
use crate::driver::Browser;
use crate::http::PASSWORD;
use crate::seed::{now, seed};

async fn shoot(b: &Browser, path: &str, wait_for: &str, file: &str) {
    b.open(path).await;
    b.until_text(wait_for).await;
    let png = b.client.screenshot().await.unwrap();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/img");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/img; run on purpose"]
async fn screenshots() {
    let w = World::start_at(now()).await;
    let s = seed(&w).await;
    let b = Browser::start(&w.http("")).await;
    shoot(&b, "/login", "登录", "office-login.png").await;
    b.sign_in("cs.zhou", PASSWORD).await;
    shoot(&b, "/", "今日动态", "office-today.png").await;
    shoot(&b, "/approvals", "¥800.00", "office-approvals.png").await;
    let record = format!("/records/{}", s.reception);
    shoot(&b, &record, "修改历史", "office-record.png").await;
    b.close().await;

    let b = Browser::start(&w.http("")).await;
    b.sign_in("mkt.sun", PASSWORD).await;
    shoot(
        &b,
        "/records?kind=customer",
        "钻石集团",
        "office-customers.png",
    )
    .await;
    shoot(
        &b,
        "/metrics?from=2026-11-16&to=2026-12-13",
        "邀约漏斗",
        "office-metrics.png",
    )
    .await;
    b.close().await;

    let b = Browser::start(&w.http("")).await;
    b.sign_in("sup.zhao", PASSWORD).await;
    shoot(&b, "/reviews", "增加两台收银机", "office-reviews.png").await;
    b.close().await;

    // The daily logs, on a server at the phones' day (their reports are judged by its clock).
    let w = World::start_at(crate::common::phones_now()).await;
    crate::daily_logs::logs(&w).await;
    let b = Browser::start(&w.http("")).await;
    b.sign_in("sup.zhao", PASSWORD).await;
    shoot(&b, "/daily-logs", "本月积分", "office-daily-logs.png").await;
    b.close().await;
}

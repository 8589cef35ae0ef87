//! The pages in a real headless Chromium (see `driver.rs`): a desk user signs in, finds a
//! record synced from a phone, approves its expense and the phone gets the approval; a rep
//! sees her A-grade customer only redacted; a device's sync shows on an open page without a
//! reload; a supervisor acknowledges her rep's daily log and the phone gets it.

use fantoccini::Locator;
use fieldbook_core::model::{Customer, DailyLog, ReceptionNote};
use serde_json::json;

use crate::common::World;
use crate::driver::Browser;
use crate::http::PASSWORD;
use crate::seed::{now, seed};

fn base(w: &World) -> String {
    w.http("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_user_approves_an_expense_and_the_phone_gets_it() {
    let w = World::start_at(now()).await;
    let s = seed(&w).await;
    let b = Browser::start(&base(&w)).await;
    b.sign_in("cs.zhou", PASSWORD).await;

    b.open("/records?kind=reception_note").await;
    b.client
        .find(Locator::LinkText("参观工厂"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.until_text("接待费用").await;
    assert!(
        b.client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&s.reception.to_string())
    );
    b.element("#expense input[name=comment]")
        .await
        .send_keys("同意")
        .await
        .unwrap();
    b.element("#expense button[value=approve]")
        .await
        .click()
        .await
        .unwrap();
    let text = b.until_text("已批准 / approved").await;
    assert!(text.contains("cs.zhou"), "{text}");

    let li = w.device("rep.li");
    li.sync().await;
    let note: ReceptionNote = li.store.get(s.reception).unwrap();
    let approval = note.expense.unwrap().cs_manager.unwrap();
    assert_eq!(
        (
            approval.approved,
            approval.by.as_str(),
            approval.comment.as_str()
        ),
        (true, "cs.zhou", "同意")
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_sees_her_a_grade_customer_only_redacted() {
    let w = World::start_at(now()).await;
    let s = seed(&w).await;
    let b = Browser::start(&base(&w)).await;
    b.sign_in("rep.li", PASSWORD).await;
    b.open(&format!("/records/{}", s.customer_a)).await;
    let text = b.until_text("A级客户").await;
    assert!(
        text.contains("钻石集团") && !text.contains("刘强") && !text.contains("13912345678"),
        "{text}"
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sync_shows_on_an_open_page_without_a_reload() {
    let w = World::start_at(now()).await;
    seed(&w).await;
    let b = Browser::start(&base(&w)).await;
    b.sign_in("cs.zhou", PASSWORD).await;
    b.open("/records?kind=customer").await;
    b.until_text("王府井百货").await;
    b.element("body[data-sse=open]").await;
    b.client
        .execute("window.stayed = 'yes';", vec![])
        .await
        .unwrap();

    let li = w.device("rep.li");
    let new = Customer {
        name: "上海新客户".into(),
        ..Customer::default()
    };
    li.store.create(new).unwrap();
    li.sync().await;
    b.until_text("上海新客户").await;
    let stayed = b
        .client
        .execute("return window.stayed;", vec![])
        .await
        .unwrap();
    assert_eq!(stayed, json!("yes"), "the page was updated in place");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_acknowledges_a_daily_log_and_the_phone_gets_it() {
    let w = World::start_at(crate::common::phones_now()).await;
    let l = crate::daily_logs::logs(&w).await;
    let b = Browser::start(&base(&w)).await;
    b.sign_in("sup.zhao", PASSWORD).await;
    b.open("/daily-logs").await;
    b.until_text("本月积分").await;
    let card = format!("article[data-id='{}']", l.today);
    b.element(&format!("{card} input[name=comment]"))
        .await
        .send_keys("明天带样品")
        .await
        .unwrap();
    b.element(&format!("{card} button[type=submit]"))
        .await
        .click()
        .await
        .unwrap();
    let text = b.until_text("已确认 / Acknowledged.").await;
    assert!(
        text.contains("sup.zhao · 2026-11-23 17:00 · 明天带样品"),
        "{text}"
    );
    let li = w.device("rep.li");
    li.sync().await;
    let log: DailyLog = li.store.get(l.today).unwrap();
    assert_eq!(log.acknowledged.unwrap().by.as_str(), "sup.zhao");
    b.close().await;
}

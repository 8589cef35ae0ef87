//! 拜访记录 / Daily logs (seed 003) in the back office, over plain HTTP on a server whose clock
//! is the phones' (2026-11-23 09:00 UTC, 17:00 in Shanghai): a supervisor sees her team's logs
//! of the month with their late marks and points and each rep's tally, the marketing manager
//! every team's; the rep's supervisor acknowledges a log from the page (it reaches the phone),
//! and a second acknowledgement, or anyone else's, is refused with the rule's message.

use chrono::{NaiveDate, TimeZone, Utc};
use fieldbook_core::RecordId;
use fieldbook_core::model::{Customer, DailyLog, LogEntry, VisitPlan, VisitStatus};
use fieldbook_sync_server::ServerStore;

use crate::common::{World, daily_log_on, phones_now, user, visit_through};
use crate::http::{csrf, page, post, sign_in, text};
use crate::seed::sync_all;

fn nov(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
}

fn entry(customer: RecordId, note: &str) -> LogEntry {
    LogEntry {
        customer_id: Some(customer),
        in_depth: true,
        note: note.into(),
        ..LogEntry::default()
    }
}

/// The logs the page starts from: rep.li's of today (one visit backed by an attended plan,
/// one not) and of 20 November (reported today: late), rep.wang's of today.
pub struct Logs {
    pub today: RecordId,
    pub late: RecordId,
    pub wang: RecordId,
}

pub async fn logs(w: &World) -> Logs {
    let li = w.device("rep.li");
    let customer = Customer {
        name: "华联超市".into(),
        ..Customer::default()
    };
    let customer = li.store.create(customer).unwrap().meta.id;
    let visited = Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap();
    let plan = VisitPlan {
        rep: user("rep.li"),
        customer_id: Some(customer),
        purpose: "续约洽谈".into(),
        place: "客户门店".into(),
        scheduled_at: Some(visited),
        ..VisitPlan::default()
    };
    let invited = visited - chrono::Days::new(2);
    visit_through(li, plan, VisitStatus::Attended, invited, Some(visited));
    let stranger = RecordId::from_random_bytes([42; 16]);
    let today = vec![
        entry(customer, "深入拜访，谈了续约"),
        entry(stranger, "路过"),
    ];
    let today = daily_log_on(li, nov(23), today, true);
    let late = daily_log_on(li, nov(20), vec![entry(customer, "电话沟通")], true);
    let wang = w.device("rep.wang");
    let wang = daily_log_on(wang, nov(23), vec![entry(stranger, "西区拜访")], true);
    sync_all(w).await;
    Logs { today, late, wang }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_sees_her_teams_month_and_the_tally_seed_003() {
    let w = World::start_at(phones_now()).await;
    let l = logs(&w).await;
    let zhao = sign_in(&w, "sup.zhao").await;
    let g = page(&w, "/daily-logs?month=2026-11", Some(&zhao)).await;
    assert_eq!(g.status, 200, "{}", g.body);
    let body = text(&g.body);
    assert!(body.contains("拜访记录") && body.contains("Daily logs · 2026-11"));
    for id in [l.today, l.late] {
        assert!(body.contains(&format!("data-id=\"{id}\"")), "{body}");
    }
    assert!(
        !body.contains(&l.wang.to_string()) && !body.contains("西区拜访"),
        "not another team's log"
    );
    // Newest day first; the log of the 20th, reported today, is late.
    let (at_today, at_late) = (
        body.find(&l.today.to_string()).unwrap(),
        body.find(&l.late.to_string()).unwrap(),
    );
    assert!(at_today < at_late);
    assert_eq!(body.matches("迟交 / late").count(), 1, "{body}");
    assert!(body.contains("华联超市") && body.contains("1 分 / 1 point"));
    assert!(body.contains("无拜访记录，不计分 / unbacked: no point"));
    // The tally: one real point of 30, the month still open.
    assert!(body.contains("data-rep=\"rep.li\"") && !body.contains("data-rep=\"rep.wang\""));
    assert!(body.contains("1 / 30") && body.contains("月底计 / at month end"));
    assert_eq!(body.matches("/acknowledge\"").count(), 2, "a form per log");

    let sun = sign_in(&w, "mkt.sun").await;
    let g = text(&page(&w, "/daily-logs?month=2026-11", Some(&sun)).await.body);
    assert!(g.contains("西区拜访") && g.contains("data-rep=\"rep.wang\""));
    assert!(!g.contains("/acknowledge\""), "no form for a manager");
    let east = text(
        &page(&w, "/daily-logs?month=2026-11&team=east", Some(&sun))
            .await
            .body,
    );
    assert!(!east.contains("西区拜访") && east.contains("深入拜访"));
    let g = page(&w, "/daily-logs?month=November", Some(&zhao)).await;
    assert_eq!(g.status, 400);
    assert!(text(&g.body).contains("`month` is YYYY-MM"), "{}", g.body);
    // The nav links the page.
    assert!(text(&page(&w, "/", Some(&zhao)).await.body).contains("href=\"/daily-logs\""));
}

fn server_log(w: &World, id: RecordId) -> DailyLog {
    let bytes = w.store.load_doc(id).unwrap().unwrap();
    let doc = fieldbook_core::RecordDoc::load(id, &bytes, automerge::ActorId::random()).unwrap();
    doc.read().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reps_supervisor_acknowledges_once_from_the_page_seed_003() {
    let w = World::start_at(phones_now()).await;
    let l = logs(&w).await;
    let zhao = sign_in(&w, "sup.zhao").await;
    let g = page(&w, "/daily-logs", Some(&zhao)).await;
    let token = csrf(&g.body);
    let path = format!("/records/{}/acknowledge", l.today);
    let g = post(&w, &path, &zhao, &[("csrf", "forged")]).await;
    assert_eq!(g.status, 403);
    assert!(server_log(&w, l.today).acknowledged.is_none());

    let form = [
        ("csrf", token.as_str()),
        ("comment", "明天带样品"),
        ("back", "/daily-logs"),
    ];
    let g = post(&w, &path, &zhao, &form).await;
    assert_eq!(
        (g.status, g.location.as_str()),
        (303, "/daily-logs?done=acknowledge"),
        "{}",
        g.body
    );
    let li = w.device("rep.li");
    li.sync().await;
    let ack = li
        .store
        .get::<DailyLog>(l.today)
        .unwrap()
        .acknowledged
        .unwrap();
    assert_eq!(
        (ack.by.as_str(), ack.comment.as_str()),
        ("sup.zhao", "明天带样品")
    );
    let g = text(
        &page(&w, "/daily-logs?done=acknowledge", Some(&zhao))
            .await
            .body,
    );
    assert!(g.contains("已确认 / Acknowledged.") && g.contains("sup.zhao · 2026-11-23 17:00"));

    // Once: a second acknowledgement is refused with the rule's words, nothing changed.
    let g = post(&w, &path, &zhao, &form).await;
    assert_eq!(g.status, 400, "{}", g.body);
    let body = text(&g.body);
    assert!(
        body.contains("daily_log.ack_once") && body.contains("拜访记录已确认"),
        "{body}"
    );
    assert_eq!(server_log(&w, l.today).acknowledged.unwrap(), ack);
    refused_to_others(&w, &l).await;
}

/// The marketing manager and the rep herself may not acknowledge; another team's supervisor
/// does not see the log at all.
async fn refused_to_others(w: &World, l: &Logs) {
    let path = format!("/records/{}/acknowledge", l.late);
    for who in ["mkt.sun", "rep.li"] {
        let cookie = sign_in(w, who).await;
        let token = csrf(&page(w, "/daily-logs", Some(&cookie)).await.body);
        let g = post(w, &path, &cookie, &[("csrf", &token)]).await;
        assert_eq!(g.status, 403, "{who}: {}", g.body);
        assert!(text(&g.body).contains(" / "), "bilingual: {}", g.body);
    }
    let qian = sign_in(w, "sup.qian").await;
    let token = csrf(&page(w, "/daily-logs", Some(&qian)).await.body);
    let g = post(w, &path, &qian, &[("csrf", &token)]).await;
    assert_eq!(g.status, 404, "{}", g.body);
    assert!(server_log(w, l.late).acknowledged.is_none());
}

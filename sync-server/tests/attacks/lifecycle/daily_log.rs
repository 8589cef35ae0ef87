//! The daily visit log (拜访记录表, seed 003), refused on the server when sent raw: each forbidden
//! step is written past the phone's own judge (`raw_edit`, or a document pushed over a raw
//! connection), refused with the rule named bilingually, and nothing is stored; a late log is
//! accepted and counted late.

use std::sync::Arc;

use automerge::AutoCommit;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use fieldbook_core::model::{Customer, DailyLog, LogEntry};
use fieldbook_core::rules::{Action, daily_log};
use fieldbook_core::{DeviceId, FixedClock, RecordDoc, RecordId, WorkCalendar};
use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, phones_now, push, raw_edit, user};

/// 2026-11-23, the phones' day (09:00 UTC is 17:00 in Shanghai).
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn server_log(w: &World, id: RecordId) -> Option<DailyLog> {
    let bytes = w.store.load_doc(id).unwrap()?;
    let doc = RecordDoc::load(id, &bytes, DeviceId::default().actor(0)).unwrap();
    Some(doc.read().unwrap())
}

/// rep.li's log of the day, one in-depth visit that no visit record backs, saved (submitted
/// when `submit`) on her phone and synced.
async fn li_log(w: &World, submit: bool) -> RecordId {
    let li = w.device("rep.li");
    let act = Action::on(&li.store);
    let mut log = daily_log::new_log(&user("rep.li"), day());
    let content = daily_log::LogContent {
        entries: vec![LogEntry {
            customer_id: Some(RecordId::from_random_bytes([42; 16])),
            in_depth: true,
            note: "深入拜访，谈了续约".into(),
            ..LogEntry::default()
        }],
        problems: "客户要求延期付款".into(),
        next_day_plan: "拜访华联超市".into(),
    };
    daily_log::fill(&mut log, content, &act).unwrap();
    if submit {
        daily_log::submit(&mut log, &act, &WorkCalendar::china_default()).unwrap();
    }
    let id = li.store.create(log).unwrap().meta.id;
    assert_eq!(li.sync().await.records_refused, 0);
    assert!(server_log(w, id).is_some());
    id
}

/// `edit` written on `device` past its judge, synced: refused, nothing stored; the reason.
async fn refused_raw(
    w: &World,
    device: &Device,
    id: RecordId,
    edit: impl FnOnce(&mut DailyLog),
) -> String {
    let before = server_log(w, id);
    raw_edit::<DailyLog>(device, id, edit);
    let reason = crate::common::sync_refused(device, id, || server_log(w, id)).await;
    assert_eq!(server_log(w, id), before, "nothing stored");
    reason
}

fn names(reason: &str, rule: &str) {
    assert!(reason.contains(rule), "{reason}");
    assert!(reason.contains(" / "), "bilingual: {reason}");
}

/// `doc` pushed by `device` over a raw connection: the server's refusal, nothing stored.
async fn pushed_refused(w: &World, device: &Device, id: RecordId, mut doc: RecordDoc) -> String {
    let mut raw = w.raw(&device.token).await;
    let mut am = AutoCommit::load(&doc.save()).unwrap();
    let reason = push(&mut raw, &id.to_string(), &mut am).await.unwrap_err();
    assert_eq!(w.store.load_doc(id).unwrap(), None, "nothing stored");
    reason
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_dated_submission_is_refused_seed_003() {
    let w = World::start_at(phones_now()).await;
    let id = li_log(&w, false).await;
    let li = w.device("rep.li");
    // Reported "at 16:00" (08:00 UTC), before this afternoon's sync: on time on paper.
    let back = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let reason = refused_raw(&w, li, id, |l| l.submitted_at = Some(back)).await;
    names(&reason, "daily_log.submitted_at_claimed");
    assert!(reason.contains("no back-dating"), "{reason}");
    assert_eq!(server_log(&w, id).unwrap().submitted_at, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_edited_after_submission_is_refused_seed_003() {
    let w = World::start_at(phones_now()).await;
    let id = li_log(&w, true).await;
    let li = w.device("rep.li");
    let reason = refused_raw(&w, li, id, |l| l.entries[0].in_depth = false).await;
    names(&reason, "daily_log.submitted_frozen");
    let reason = refused_raw(&w, li, id, |l| l.problems = "没有问题".into()).await;
    names(&reason, "daily_log.submitted_frozen");
    let reason = refused_raw(&w, li, id, |l| {
        l.submitted_at = l.submitted_at.map(|t| t - TimeDelta::minutes(10));
    })
    .await;
    names(&reason, "daily_log.submitted_once");
    // Her supervisor reads it and acknowledges it; she does not write it.
    let zhao = w.device("sup.zhao");
    zhao.sync().await;
    let reason = refused_raw(&w, zhao, id, |l| l.next_day_plan = "改计划".into()).await;
    names(&reason, "daily_log.rep_writes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_rep_cannot_write_or_take_rep_li_s_log_seed_003() {
    let w = World::start_at(phones_now()).await;
    let wang = w.device("rep.wang");
    let id = DailyLog::id_for(&user("rep.li"), day());
    // rep.wang writes "rep.li's" log (owned by himself, so that he may create it at all).
    let mut forged = daily_log::new_log(&user("rep.li"), day());
    forged.meta.owner = user("rep.wang");
    forged.meta.created_by = user("rep.wang");
    forged.meta.created_on = wang.id;
    forged.meta.created_at = phones_now();
    let doc = RecordDoc::create(&forged, wang.id.actor(1)).unwrap();
    let reason = pushed_refused(&w, wang, id, doc).await;
    names(&reason, "daily_log.rep_writes");
    // Nor can he take the id first with a record of another kind.
    let mut squat = Customer::default();
    squat.meta.id = id;
    squat.meta.owner = user("rep.wang");
    squat.meta.created_by = user("rep.wang");
    squat.meta.created_on = wang.id;
    let doc = RecordDoc::create(&squat, wang.id.actor(1)).unwrap();
    let reason = pushed_refused(&w, wang, id, doc).await;
    names(&reason, "daily_log.id_of_rep_and_day");
    // rep.li's own log still goes in at its id.
    assert_eq!(li_log(&w, true).await, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_log_is_accepted_and_counted_late_seed_003() {
    let clock = Arc::new(FixedClock::new(phones_now()));
    let w = World::start_on(clock.clone()).await;
    let id = li_log(&w, false).await;
    // 21:30 in Shanghai: half an hour past the deadline, on the phone and at the server.
    let late: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 23, 13, 30, 0).unwrap();
    clock.set(late);
    let li = w.device("rep.li");
    li.clock.set(late);
    let act = Action::on(&li.store);
    let cal = WorkCalendar::china_default();
    li.store
        .update::<DailyLog>(id, |l| daily_log::submit(l, &act, &cal))
        .unwrap();
    assert_eq!(
        li.sync().await.records_refused,
        0,
        "late is recorded, not refused"
    );
    let stored = server_log(&w, id).unwrap();
    assert_eq!(stored.submitted_at, Some(late));
    assert!(daily_log::is_late(&stored, &cal));
    // The desk's metrics count it late, and its unbacked in-depth visit scores nothing.
    let resp = reqwest::Client::new()
        .get(w.http("/api/v1/metrics?from=2026-11-01&to=2026-11-30&team=east"))
        .bearer_auth(&w.device("sup.zhao").token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let m: serde_json::Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    let li_month = m["daily_logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rep"] == "rep.li")
        .unwrap_or_else(|| panic!("{m}"));
    assert_eq!(li_month["month"], "2026-11-01");
    assert_eq!(li_month["logs_submitted"], 1);
    assert_eq!(li_month["late_logs"], 1);
    assert_eq!(li_month["points"], 0);
    assert_eq!(li_month["short_by"], 30);
    assert_eq!(li_month["unbacked"].as_array().unwrap().len(), 1);
    assert_eq!(li_month["cleaning_duty"], false, "the month is not over");
    // The other team's rep is not sup.zhao's to count.
    assert!(
        m["daily_logs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["rep"] != "rep.wang")
    );
}

//! The lead lifecycle (seeds 002 篇3, 003; issue 17), refused on the server when sent raw: a
//! device whose own judge is bypassed (`with_doc_mut`) writes the forbidden step, syncs, and
//! the server refuses it with the rule named and stores nothing. The legal path, taken through
//! the rule functions on each person's own device, is accepted.
//!
//! Every device's clock and the server's stand at 09:00 UTC on 2026-11-23, so times the
//! devices claim lie within the server's window.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldbook_core::model::{
    FollowUp, FollowUpChannel, LeadReferral, LeadStatus, Prospect, StatusChange,
};
use fieldbook_core::rules::{Action, lead};
use fieldbook_core::{DeviceId, RecordDoc, RecordId, WorkCalendar};
use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, user};

fn nine() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A history entry by rep.li, now.
fn entry(from: &str, to: &str) -> StatusChange {
    StatusChange {
        id: format!("raw-{to}"),
        from: from.into(),
        to: to.into(),
        at: nine(),
        by: user("rep.li"),
        note: String::new(),
    }
}

fn server_lead(w: &World, id: RecordId) -> LeadReferral {
    let bytes = w.store.load_doc(id).unwrap().expect("stored on the server");
    let doc = RecordDoc::load(id, &bytes, DeviceId::default().actor(0)).unwrap();
    doc.read().unwrap()
}

fn server_heads(w: &World, id: RecordId) -> String {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().find(|d| d.id == id).unwrap().heads_key
}

/// Writes `edit` into the device's copy without its judge (as a tampered app would), syncs,
/// and checks the server refused it, stored nothing, and named `rule`.
async fn refused_raw(
    w: &World,
    device: &Device,
    id: RecordId,
    rule: &str,
    edit: impl FnOnce(&mut LeadReferral),
) {
    device
        .store
        .with_doc_mut(id, |doc| {
            doc.update::<LeadReferral>(|l| {
                edit(l);
                Ok(())
            })
            .map(drop)
        })
        .unwrap();
    let reason = crate::common::sync_refused(device, id, || server_heads(w, id)).await;
    assert!(reason.contains(rule), "{reason}");
    assert!(reason.contains(" / "), "bilingual: {reason}");
}

/// rep.li's lead, registered with the booth talk of yesterday, called again today.
async fn worked_lead(w: &World) -> RecordId {
    let li = w.device("rep.li");
    let booth = FollowUp {
        id: "booth".into(),
        at: nine() - Duration::days(1),
        by: user("rep.li"),
        channel: FollowUpChannel::Visit,
        said: "展位交流，需要两台设备".into(),
        next_step: "明天电话".into(),
        ..FollowUp::default()
    };
    let new = LeadReferral {
        prospect: Prospect {
            name: "张伟".into(),
            phone: "138 0013 8000".into(),
            ..Prospect::default()
        },
        follow_ups: vec![booth],
        ..LeadReferral::default()
    };
    let id = lead::register(&li.store, new).unwrap().meta.id;
    step(li, id, |l, a| {
        let note = lead::FollowUpNote {
            said: "预算不足，暂缓".into(),
            next_step: "下月再联系".into(),
            ..Default::default()
        };
        lead::log_follow_up(l, &note, a)
    });
    assert_eq!(li.sync().await.records_refused, 0);
    id
}

/// Takes a legal step through the rule functions on `device`, as its user, now.
fn step(
    device: &Device,
    id: RecordId,
    rule: impl FnOnce(&mut LeadReferral, &Action) -> fieldbook_core::Result<()>,
) {
    let act = Action::on(&device.store);
    device
        .store
        .update::<LeadReferral>(id, |l| rule(l, &act))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_is_lost_only_by_a_supervisors_confirmation_of_the_reps_request_seed_003() {
    let w = World::start_at(nine()).await;
    let id = worked_lead(&w).await;
    let (li, zhao, qian) = (
        w.device("rep.li"),
        w.device("sup.zhao"),
        w.device("sup.qian"),
    );
    // Marking it lost outright, with a reason and a history entry, is refused.
    refused_raw(&w, li, id, "lead.lost", |l| {
        l.status = LeadStatus::Lost;
        l.lost_reason = "价格".into();
        l.history.push(entry("open", "lost"));
    })
    .await;
    // The legal path: she requests it (two days of follow-ups)…
    let cal = WorkCalendar::china_default();
    step(li, id, |l, a| lead::request_lost(l, "预算取消", a, &cal));
    assert_eq!(li.sync().await.records_refused, 0);
    // …she cannot confirm her own request…
    refused_raw(&w, li, id, "lead.lost", |l| {
        l.status = LeadStatus::Lost;
        l.lost_reason = "预算取消".into();
        l.history.push(entry("open", "lost"));
    })
    .await;
    assert_eq!(
        server_lead(&w, id).status,
        LeadStatus::Open,
        "open until confirmed"
    );
    // …nor can another team's supervisor, who does not even hold it…
    assert!(!qian.store.contains(id).unwrap_or(false));
    // …and her supervisor does.
    zhao.sync().await;
    step(zhao, id, lead::confirm_lost);
    assert_eq!(zhao.sync().await.records_refused, 0);
    let stored = server_lead(&w, id);
    assert_eq!(
        (stored.status, stored.lost_reason.as_str()),
        (LeadStatus::Lost, "预算取消")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_request_needs_two_days_of_follow_ups_seed_003() {
    let w = World::start_at(nine()).await;
    let li = w.device("rep.li");
    let new = LeadReferral {
        prospect: Prospect {
            name: "李娜".into(),
            phone: "139 0000 1111".into(),
            ..Prospect::default()
        },
        ..LeadReferral::default()
    };
    let id = lead::register(&li.store, new).unwrap().meta.id;
    li.sync().await;
    refused_raw(&w, li, id, "lead.lost_request", |l| {
        l.lost_request = Some(fieldbook_core::model::LostRequest {
            id: "r1".into(),
            reason: "没兴趣".into(),
            at: nine(),
            by: user("rep.li"),
        });
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_are_append_only_by_the_rep_and_not_back_dated_seed_003() {
    let w = World::start_at(nine()).await;
    let id = worked_lead(&w).await;
    let li = w.device("rep.li");
    li.sync().await; // a completed sync: the floor for what she claims next
    let fake = |at: DateTime<Utc>, by: &str| FollowUp {
        id: format!("fake-{by}-{}", at.timestamp()),
        at,
        by: user(by),
        said: "电话沟通".into(),
        next_step: "再联系".into(),
        ..FollowUp::default()
    };
    refused_raw(&w, li, id, "lead.follow_up", |l| {
        l.follow_ups
            .push(fake(nine() - Duration::days(3), "rep.li"));
    })
    .await;
    refused_raw(&w, li, id, "lead.follow_up", |l| {
        l.follow_ups.push(fake(nine(), "sup.zhao"));
    })
    .await;
    refused_raw(&w, li, id, "lead.follow_up", |l| {
        l.follow_ups.remove(0);
    })
    .await;
    assert_eq!(server_lead(&w, id).follow_ups.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_moves_one_stage_with_a_follow_up_and_won_names_customer_and_amount_seeds_002_003()
 {
    let w = World::start_at(nine()).await;
    let id = worked_lead(&w).await;
    let li = w.device("rep.li");
    refused_raw(&w, li, id, "lead.stage", |l| {
        l.stage = fieldbook_core::model::PipelineStage::Contract;
    })
    .await;
    refused_raw(&w, li, id, "lead.fixed", |l| l.code = "XS-MINE".into()).await;
    refused_raw(&w, li, id, "lead.won", |l| {
        l.status = LeadStatus::Won;
        l.customer_id = Some(RecordId::from_random_bytes([9; 16]));
        l.history.push(entry("open", "won"));
    })
    .await;
    let note = lead::FollowUpNote {
        said: "确认需求两台".into(),
        next_step: "发方案".into(),
        ..Default::default()
    };
    step(li, id, |l, a| lead::advance_stage(l, &note, a));
    let customer = RecordId::from_random_bytes([9; 16]);
    step(li, id, |l, a| lead::mark_won(l, customer, 30_000_000, a));
    assert_eq!(li.sync().await.records_refused, 0);
    refused_raw(&w, li, id, "lead.won", |l| l.won_amount_fen = Some(1)).await;
    step(li, id, |l, a| lead::mark_invoiced(l, 29_500_000, a));
    assert_eq!(li.sync().await.records_refused, 0);
    let stored = server_lead(&w, id);
    assert_eq!(stored.status, LeadStatus::Invoiced);
    assert_eq!(stored.stage, fieldbook_core::model::PipelineStage::Needs);
    assert_eq!(
        (stored.won_amount_fen, stored.invoiced_amount_fen),
        (Some(30_000_000), Some(29_500_000))
    );
}

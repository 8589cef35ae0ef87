//! The visit_plan lifecycle, refused on the server when sent raw: each attack is a device whose
//! own judge was bypassed (a raw edit of its automerge document), synced to the real server,
//! which refuses the change with the rule named and stores nothing (seeds 000, 001 §7, 002 篇6).

use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldbook_core::model::{
    Event, EventFollowUp, InvitationMethod, InvitationTarget, Invitee, StatusChange, VisitPlan,
    VisitStatus,
};
use fieldbook_core::rules::{Action, visit_plan, visit_plan_event};
use fieldbook_core::{RecordId, Result};
use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, user};

/// The server's clock, the same as the devices' (their claimed times are judged against it).
fn server_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn server_heads(w: &World, id: RecordId) -> String {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().find(|d| d.id == id).unwrap().heads_key
}

/// Edits the device's document raw (no judge), syncs, and expects the server to refuse it with
/// `rule`, storing nothing; the device then drops its refused change.
async fn refused(
    w: &World,
    device: &Device,
    id: RecordId,
    rule: &str,
    edit: impl FnOnce(&mut VisitPlan),
) {
    device
        .store
        .with_doc_mut(id, |doc| {
            doc.update::<VisitPlan>(|p| -> Result<()> {
                edit(p);
                Ok(())
            })
        })
        .unwrap();
    let reason = crate::common::sync_refused(device, id, || server_heads(w, id)).await;
    assert!(reason.contains(rule), "{reason}");
    assert!(reason.contains(" / "), "bilingual: {reason}");
}

/// A complete plan of rep.li's, three days ahead, synced.
async fn plan(w: &World, event: Option<Event>) -> RecordId {
    let li = w.device("rep.li");
    let plan = VisitPlan {
        rep: user("rep.li"),
        customer_id: Some(RecordId::from_random_bytes([9; 16])),
        purpose: "新品介绍".into(),
        place: "客户工厂".into(),
        scheduled_at: Some(server_time() + Duration::days(3)),
        event,
        ..VisitPlan::default()
    };
    let id = li.store.create(plan).unwrap().meta.id;
    li.sync().await;
    id
}

fn step(li: &Device, id: RecordId, rule: impl FnOnce(&mut VisitPlan, &Action) -> Result<()>) {
    let act = Action::on(&li.store);
    li.store.update::<VisitPlan>(id, |p| rule(p, &act)).unwrap();
}

fn entry(from: &str, to: &str, at: DateTime<Utc>) -> StatusChange {
    StatusChange {
        id: format!("raw-{to}"),
        from: from.into(),
        to: to.into(),
        at,
        by: user("rep.li"),
        note: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_status_change_without_its_step_is_refused_seed_000() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, None).await;
    // Accepted without an invitation, and without a history entry.
    refused(&w, li, id, "visit_plan.transition", |p| {
        p.status = VisitStatus::Accepted;
        p.attendees = Some(2);
    })
    .await;
    // Planned → attended, skipping the invitation, with a forged entry.
    let at = li.store.clock().now();
    refused(&w, li, id, "visit_plan.transition", |p| {
        p.status = VisitStatus::Attended;
        p.attended_at = Some(at);
        p.history.push(entry("planned", "attended", at));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decline_without_reason_and_an_accept_without_attendees_are_refused_seed_000() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, None).await;
    step(li, id, |p, a| {
        visit_plan::invite(p, InvitationMethod::Phone, a)
    });
    assert_eq!(li.sync().await.records_refused, 0, "the legal step passes");
    let at = li.store.clock().now();
    refused(&w, li, id, "visit_plan.decline_needs_reason", |p| {
        p.status = VisitStatus::Declined;
        p.responded_at = Some(at);
        p.history.push(entry("invited", "declined", at));
    })
    .await;
    refused(&w, li, id, "visit_plan.accept_needs_attendees", |p| {
        p.status = VisitStatus::Accepted;
        p.responded_at = Some(at);
        p.history.push(entry("invited", "accepted", at));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reschedule_without_the_customers_consent_is_refused_seed_002() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, None).await;
    step(li, id, |p, a| {
        visit_plan::invite(p, InvitationMethod::Phone, a)
    });
    li.sync().await;
    let later = server_time() + Duration::days(5);
    refused(&w, li, id, "visit_plan.reschedule_needs_consent", |p| {
        p.scheduled_at = Some(later);
    })
    .await;
    // A reschedule entry with the consent, but to another time than the new one.
    let now = li.store.clock().now();
    refused(&w, li, id, "visit_plan.reschedule_to", |p| {
        p.reschedules.push(fieldbook_core::model::Reschedule {
            id: "r1".into(),
            from: p.scheduled_at,
            to: later + Duration::hours(1),
            consent_by: "王经理，电话".into(),
            consent_at: now,
            reason: "客户出差".into(),
            by: user("rep.li"),
        });
        p.scheduled_at = Some(later);
    })
    .await;
    // With the consent, through the rule: stored.
    let req = visit_plan::RescheduleRequest {
        to: later,
        consent_by: "王经理，电话".into(),
        consent_at: now,
        reason: "客户出差".into(),
    };
    step(li, id, |p, a| visit_plan::reschedule(p, &req, a));
    assert_eq!(li.sync().await.records_refused, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_before_the_day_and_back_dated_times_are_refused_seed_000() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, None).await;
    step(li, id, |p, a| {
        visit_plan::invite(p, InvitationMethod::Phone, a)
    });
    step(li, id, |p, a| visit_plan::accept(p, 3, a));
    li.sync().await;
    let now = li.store.clock().now();
    refused(&w, li, id, "visit_plan.attendance_on_the_day", |p| {
        p.status = VisitStatus::Attended;
        p.attended_at = Some(now);
        p.history.push(entry("accepted", "attended", now));
    })
    .await;
    // Answers and attendance never change once written (a back-dated answer).
    refused(&w, li, id, "visit_plan.step_fields", |p| {
        p.responded_at = Some(now - Duration::days(30));
    })
    .await;
    // An order amount before the visit took place.
    refused(&w, li, id, "visit_plan.amount_after_attendance", |p| {
        p.outcome_amount_fen = Some(1_000_000);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_back_dated_before_the_last_sync_is_refused() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, None).await;
    let old = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap();
    refused(&w, li, id, "visit_plan.invite_needs_plan", |p| {
        p.status = VisitStatus::Invited;
        p.invitation_method = Some(InvitationMethod::Phone);
        p.invited_at = Some(old);
        p.history
            .push(entry("planned", "invited", li.store.clock().now()));
    })
    .await;
}

fn seminar() -> Event {
    Event {
        kind: fieldbook_core::model::EventKind::Seminar,
        title: "新品发布研讨会".into(),
        invitees: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_invitees_follow_their_own_steps_seed_000() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, Some(seminar())).await;
    let req = visit_plan_event::InviteeRequest {
        customer_id: Some(RecordId::from_random_bytes([3; 16])),
        name: "王经理".into(),
        method: InvitationMethod::Phone,
    };
    let act = Action::on(&li.store);
    let guest = act.entry_id.clone();
    li.store
        .update::<VisitPlan>(id, |p| {
            visit_plan_event::invite_to_event(p, &req, &act)?;
            visit_plan_event::accept_invitee(p, &guest, 2, &act)?;
            visit_plan_event::send_event_guide(p, &guest, &act)
        })
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0, "the legal steps pass");
    let now = li.store.clock().now();
    let g = guest.clone();
    // A follow-up (with an amount) before the event, for a guest who has not come.
    refused(
        &w,
        li,
        id,
        "visit_plan.invitee_follow_up_after_event",
        move |p| {
            let i = invitee(p, &g);
            i.follow_up = Some(EventFollowUp {
                at: now,
                by: user("rep.li"),
                note: "有意向".into(),
            });
        },
    )
    .await;
    let g = guest.clone();
    refused(&w, li, id, "visit_plan.attendance_on_the_day", move |p| {
        let i = invitee(p, &g);
        i.status = VisitStatus::Attended;
        i.attended_at = Some(now);
    })
    .await;
    // The guest list only grows.
    refused(&w, li, id, "visit_plan.invitees_kept", |p| {
        p.event.as_mut().unwrap().invitees.clear();
    })
    .await;
    // The event itself is never "accepted": answers are the invitees'.
    refused(&w, li, id, "visit_plan.event_steps_per_invitee", |p| {
        p.status = VisitStatus::Invited;
        p.invitation_method = Some(InvitationMethod::Sms);
        p.invited_at = Some(now);
        p.history.push(entry("planned", "invited", now));
    })
    .await;
}

fn invitee<'a>(p: &'a mut VisitPlan, id: &str) -> &'a mut Invitee {
    let e = p.event.as_mut().unwrap();
    e.invitees.iter_mut().find(|i| i.id == id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_cannot_set_her_own_invitation_target_seed_000() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = plan(&w, None).await;
    let now = li.store.clock().now();
    refused(&w, li, id, "visit_plan.target_set_by_supervisor", |p| {
        p.targets.push(InvitationTarget {
            id: "t1".into(),
            rep: user("rep.li"),
            month: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            invitations: 1,
            accepted: 0,
            set_by: user("rep.li"),
            set_at: now,
        });
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_cannot_create_an_invitation_plan_with_targets_seed_000() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let act = Action::on(&li.store);
    let mut p = VisitPlan {
        rep: user("rep.li"),
        purpose: "邀约目标".into(),
        ..VisitPlan::default()
    };
    let month = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    fieldbook_core::rules::visit_plan_targets::set_target(
        &mut p,
        user("rep.wang"),
        month,
        2,
        1,
        &act,
    )
    .unwrap();
    let id = li.store.create(p).unwrap().meta.id;
    let stats = li.sync().await;
    assert_eq!(stats.records_refused, 1, "{stats:?}");
    assert!(w.store.load_doc(id).unwrap().is_none(), "nothing stored");
}

//! Issue 15, findings 2 and 5, on a real server: a rep of another team back-dates a
//! registration to take a lead; registration times re-back-dated after the server's stamp; an
//! approved amount raised under its approvals; a rep writing the voucher or an approval; and an
//! offline approval meeting an offline raise in either arrival order. Refused attacks leave the
//! server's database unchanged.

use chrono::{DateTime, TimeZone, Utc};
use fieldbook_core::WorkCalendar;
use fieldbook_core::access::void_decisions;
use fieldbook_core::model::{
    Approval, FollowUp, LeadReferral, Prospect, ReceptionNote, VisitVoucher,
};
use fieldbook_core::rules::reception::{
    Approver, ExpenseRequest, apply_expense_in_store, approval_stands, decide_expense,
    expense_approved,
};
use fieldbook_core::rules::{Action, lead, ownership};
use fieldbook_core::{DeviceId, RecordDoc, RecordId};
use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, raw_edit, user};

/// The server's clock in these tests: 10:00 UTC on the day the devices' clocks say 09:00.
fn server_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn server_doc(w: &World, id: RecordId) -> RecordDoc {
    let bytes = w.store.load_doc(id).unwrap().expect("stored on the server");
    RecordDoc::load(id, &bytes, DeviceId::default().actor(0)).unwrap()
}

fn server_heads(w: &World, id: RecordId) -> String {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().find(|d| d.id == id).unwrap().heads_key
}

/// Syncs `device` once, expecting the server to refuse its change to `id`; returns the
/// refusal's text after checking the server stored nothing.
async fn refused(w: &World, device: &Device, id: RecordId) -> String {
    let before = server_heads(w, id);
    let stats = device.sync().await;
    assert_eq!(stats.records_refused, 1, "{stats:?}");
    assert_eq!(server_heads(w, id), before, "nothing stored");
    let refusals = device.store.refusals().unwrap();
    let reason = refusals
        .iter()
        .find(|r| r.record == id)
        .unwrap()
        .reason
        .clone();
    device.store.discard_unsynced(id, "server").unwrap();
    device.sync().await;
    reason
}

fn prospect() -> LeadReferral {
    LeadReferral {
        prospect: Prospect {
            name: "张伟".into(),
            company: "华东机械".into(),
            phone: "138 0013 8000".into(),
            ..Prospect::default()
        },
        ..LeadReferral::default()
    }
}

fn at_2020() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_dated_registration_by_another_team_does_not_take_the_lead() {
    let w = World::start_at(server_time()).await;
    let (li, wang) = (w.device("rep.li"), w.device("rep.wang"));
    // rep.li (east) registers the prospect at 09:00, syncs, and logs a follow-up.
    let honest = lead::register(&li.store, prospect()).unwrap().meta.id;
    li.store
        .update::<LeadReferral>(honest, |l| {
            l.follow_ups.push(FollowUp {
                id: "f1".into(),
                at: li.store.clock().now(),
                by: user("rep.li"),
                said: "预算三十万，下周报价".into(),
                next_step: "下周报价".into(),
                ..FollowUp::default()
            });
            Ok(())
        })
        .unwrap();
    li.sync().await;
    // rep.wang (west) syncs his phone, then registers the same prospect with a tampered app
    // that writes 2020 for both the registration and its floor.
    wang.sync().await;
    let thief = lead::register(&wang.store, prospect()).unwrap().meta.id;
    // The tampered app writes past its own judge, and stamps its history entry with the
    // server's time so that the lifecycle judge takes it (issue 17): only the ownership clamp
    // stands between it and the lead.
    wang.store
        .with_doc_mut(thief, |doc| {
            doc.update::<LeadReferral>(|l| {
                l.registered_at = Some(at_2020());
                l.clock_floor_at = Some(at_2020());
                l.history[0].at = server_time();
                Ok(())
            })
            .map(drop)
        })
        .unwrap();
    assert_eq!(wang.sync().await.records_refused, 0);
    li.sync().await;
    wang.sync().await;
    // The server counted the thief's claim from his phone's previous completed sync.
    let stolen: LeadReferral = server_doc(&w, thief).read().unwrap();
    assert_eq!(stolen.registered_at, Some(at_2020()));
    assert_eq!(stolen.contact_floor_at, Some(server_time()));
    let kept: LeadReferral = server_doc(&w, honest).read().unwrap();
    let decision = ownership::decide(&[stolen, kept]).unwrap();
    assert_eq!(decision.winner.owner, user("rep.li"));
    assert!(
        decision.explain_to(thief).contains("服务器掌握的证据")
            && decision.explain_to(thief).contains("server's evidence"),
        "{}",
        decision.explain_to(thief)
    );
    // The honest rep keeps her lead; the thief's phone never gets it, nor her follow-ups.
    assert!(li.store.contains(honest).unwrap());
    let mine: LeadReferral = li.store.get(honest).unwrap();
    assert_eq!(mine.follow_ups.len(), 1);
    assert!(!wang.store.contains(honest).unwrap());
    // Every device decides as the server does: on rep.li's phone she owns it.
    let here = li.store.leads_with_key("tel:+8613800138000").unwrap();
    assert_eq!(ownership::decide(&here).unwrap().winner.lead, honest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_back_dating_a_registration_after_the_stamp_is_refused() {
    let w = World::start_at(server_time()).await;
    let li = w.device("rep.li");
    let id = lead::register(&li.store, prospect()).unwrap().meta.id;
    li.sync().await;
    let stamped: LeadReferral = server_doc(&w, id).read().unwrap();
    assert_eq!(stamped.server_received_at, Some(server_time()));
    type Edit = fn(&mut LeadReferral);
    let edits: [(&str, Edit); 3] = [
        ("/registered_at", |l| l.registered_at = Some(at_2020())),
        ("/clock_floor_at", |l| l.clock_floor_at = Some(at_2020())),
        ("/contact_floor_at", |l| {
            l.contact_floor_at = Some(at_2020())
        }),
    ];
    for (field, edit) in edits {
        li.store
            .update::<LeadReferral>(id, |l| {
                edit(l);
                Ok(())
            })
            .unwrap();
        let reason = refused(&w, li, id).await;
        assert!(reason.contains(field), "{reason}");
        assert!(
            reason.contains("不可更改") || reason.contains("只能由服务器写入"),
            "{reason}"
        );
        assert!(
            reason.contains("cannot change after creation") || reason.contains("only the server"),
            "{reason}"
        );
    }
    let after: LeadReferral = server_doc(&w, id).read().unwrap();
    assert_eq!(after, stamped, "the stored lead is unchanged");
}

/// A reception of rep.li with an expense of ¥500 applied for, synced to everyone.
async fn reception(w: &World) -> RecordId {
    let li = w.device("rep.li");
    let note = ReceptionNote {
        host: user("rep.li"),
        head_count: 6,
        purpose: "参观生产线".into(),
        ..ReceptionNote::default()
    };
    let id = li.store.create(note).unwrap().meta.id;
    // The applicant asks for ¥500; the approvers set the budget (seed 001 §2).
    let req = ExpenseRequest {
        amount_fen: 50_000,
        purpose: "午餐 / lunch".into(),
    };
    apply_expense_in_store(&li.store, id, &req, &WorkCalendar::china_default()).unwrap();
    li.sync().await;
    for name in ["cs.zhou", "fin.wu"] {
        w.device(name).sync().await;
    }
    id
}

fn approve(device: &Device, id: RecordId, who: Approver) {
    let act = Action::on(&device.store);
    device
        .store
        .update::<ReceptionNote>(id, |n| {
            decide_expense(n, who, true, "同意 / approved", &act)
        })
        .unwrap();
}

/// Raises the amount raw (a tampered app: the device's own judge is bypassed).
fn raise(device: &Device, id: RecordId, withdraw: bool) {
    raw_edit::<ReceptionNote>(device, id, |n| {
        if let Some(e) = n.expense.as_mut() {
            e.amount_fen = 5_000_000;
            if withdraw {
                e.cs_manager = None;
                e.finance_manager = None;
            }
        }
    });
}

/// The devices' clock in these tests: the server's stands at the same time, so the times
/// the devices claim are honest.
fn device_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn on_server(w: &World, id: RecordId) -> ReceptionNote {
    server_doc(w, id).read().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raising_an_approved_amount_is_refused_unless_the_approvals_are_withdrawn() {
    let w = World::start_at(device_time()).await;
    let id = reception(&w).await;
    let (li, cs, fin) = (w.device("rep.li"), w.device("cs.zhou"), w.device("fin.wu"));
    approve(cs, id, Approver::CustomerServiceManager);
    cs.sync().await;
    fin.sync().await;
    approve(fin, id, Approver::FinanceManager);
    fin.sync().await;
    li.sync().await;
    assert!(expense_approved(&on_server(&w, id)));
    // Raised under both approvals: refused, nothing stored.
    let approved = on_server(&w, id);
    raise(li, id, false);
    let reason = refused(&w, li, id).await;
    assert!(
        reason.contains("/expense/amount_fen")
            && reason.contains("撤回")
            && reason.contains("withdrawing that decision"),
        "{reason}"
    );
    assert_eq!(on_server(&w, id), approved);
    // Raised while withdrawing both approvals in the same change: accepted; the money is no
    // longer approved until both managers approve again.
    raise(li, id, true);
    assert_eq!(li.sync().await.records_refused, 0);
    let raised = on_server(&w, id);
    let expense = raised.expense.as_ref().unwrap();
    assert_eq!(expense.amount_fen, 5_000_000);
    assert!(expense.cs_manager.is_none() && expense.finance_manager.is_none());
    assert!(!expense_approved(&raised));
    cs.sync().await;
    approve(cs, id, Approver::CustomerServiceManager);
    cs.sync().await;
    fin.sync().await;
    approve(fin, id, Approver::FinanceManager);
    fin.sync().await;
    assert!(
        expense_approved(&on_server(&w, id)),
        "approved again, for ¥50,000 now"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_writing_the_voucher_or_an_approval_is_refused() {
    let w = World::start_at(device_time()).await;
    let id = reception(&w).await;
    let li = w.device("rep.li");
    let before = on_server(&w, id);
    raw_edit::<ReceptionNote>(li, id, |n| {
        n.voucher = Some(VisitVoucher {
            number: "V-1".into(),
            approved_by: user("cs.zhou"),
            approved_at: device_time(),
        })
    });
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("/voucher/"), "{reason}");
    assert!(
        reason.contains("只有审批角色") && reason.contains("only the deciding role"),
        "{reason}"
    );
    raw_edit::<ReceptionNote>(li, id, |n| {
        if let Some(e) = n.expense.as_mut() {
            e.cs_manager = Some(Approval {
                approved: true,
                by: user("cs.zhou"),
                ..Approval::default()
            });
        }
    });
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("/expense/cs_manager/"), "{reason}");
    // The customer-service manager may approve, but only in her own name.
    let cs = w.device("cs.zhou");
    raw_edit::<ReceptionNote>(cs, id, |n| {
        if let Some(e) = n.expense.as_mut() {
            e.cs_manager = Some(Approval {
                approved: true,
                by: user("mkt.sun"),
                ..Approval::default()
            });
        }
    });
    let reason = refused(&w, cs, id).await;
    assert!(
        reason.contains("/expense/cs_manager/by") && reason.contains("must be you"),
        "{reason}"
    );
    assert_eq!(
        on_server(&w, id),
        before,
        "the stored reception is unchanged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_approval_never_covers_an_amount_it_did_not_see_in_either_order() {
    let w = World::start_at(device_time()).await;
    let (li, cs) = (w.device("rep.li"), w.device("cs.zhou"));
    // Approval first, then the raise: the raise meets a standing approval and is refused.
    let first = reception(&w).await;
    approve(cs, first, Approver::CustomerServiceManager);
    raise(li, first, false);
    cs.sync().await;
    let reason = refused(&w, li, first).await;
    assert!(reason.contains("/expense/amount_fen"), "{reason}");
    assert!(void_decisions(&server_doc(&w, first).to_json()).is_empty());
    let kept = on_server(&w, first);
    assert_eq!(kept.expense.as_ref().unwrap().amount_fen, 50_000);
    assert!(approval_stands(&kept, Approver::CustomerServiceManager));
    // The raise first, then the approval given offline to ¥500: merged, but void (in a fresh
    // company: one expense request per person per month).
    let w = World::start_at(device_time()).await;
    let (li, cs) = (w.device("rep.li"), w.device("cs.zhou"));
    let second = reception(&w).await;
    approve(cs, second, Approver::CustomerServiceManager);
    raise(li, second, false);
    assert_eq!(li.sync().await.records_refused, 0);
    assert_eq!(cs.sync().await.records_refused, 0);
    let merged = on_server(&w, second);
    assert_eq!(merged.expense.as_ref().unwrap().amount_fen, 5_000_000);
    assert!(merged.expense.as_ref().unwrap().cs_manager.is_some());
    assert!(!approval_stands(&merged, Approver::CustomerServiceManager));
    let json = server_doc(&w, second).to_json();
    let void: Vec<&str> = void_decisions(&json).iter().map(|d| d.path).collect();
    assert_eq!(void, vec!["/expense/cs_manager"]);
    // The rep's phone sees the same: the approval does not count there either.
    li.sync().await;
    let seen: ReceptionNote = li.store.get(second).unwrap();
    assert!(!approval_stands(&seen, Approver::CustomerServiceManager));
}

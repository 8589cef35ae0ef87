//! The reception lifecycle, refused on the server when sent raw (seed 001 §1–2): a reception
//! held without a voucher, a voucher approved by its own host, an applicant writing her own
//! budget, spending recorded before the approvals, receipts back-dated, a reimbursement of the
//! wrong amount. Each change is written into the device's document directly (the device's own
//! judge bypassed, as a tampered app or a stock client would), refused with the rule named, and
//! the server's copy is unchanged. The legal path through the same steps is accepted.

use chrono::{DateTime, TimeZone, Utc};
use fieldbook_core::model::{
    ReceptionNote, ReceptionStatus, Reimbursement, StatusChange, VisitorCategory,
};
use fieldbook_core::rules::Action;
use fieldbook_core::rules::reception::{
    self, Approver, ExpenseRequest, apply_expense_in_store, decide_expense,
};
use fieldbook_core::{DeviceId, RecordDoc, RecordId, WorkCalendar};
use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, raw_edit, user};

/// The devices' clock; the server's stands at the same time, so honest claims pass.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn on_server(w: &World, id: RecordId) -> ReceptionNote {
    let bytes = w.store.load_doc(id).unwrap().expect("stored on the server");
    let doc = RecordDoc::load(id, &bytes, DeviceId::default().actor(0)).unwrap();
    doc.read().unwrap()
}

/// Syncs, expecting the server to refuse the change to `id` with `rule` named and bilingual,
/// and to keep its copy unchanged; then the device drops the refused change.
async fn refused(w: &World, device: &Device, id: RecordId, rule: &str) {
    let reason = crate::common::sync_refused(device, id, || on_server(w, id)).await;
    assert!(reason.contains(rule), "{rule}: {reason}");
    assert!(reason.contains(" / "), "bilingual: {reason}");
}

async fn sync_all(w: &World) {
    for name in ["rep.li", "cs.zhou", "fin.wu", "rep.li"] {
        w.device(name).sync().await;
    }
}

/// rep.li's planned reception of a general visitor, synced everywhere.
async fn planned(w: &World) -> RecordId {
    let li = w.device("rep.li");
    let note = ReceptionNote {
        host: user("rep.li"),
        head_count: 6,
        category: VisitorCategory::General,
        purpose: "参观生产线 / a tour of the line".into(),
        ..ReceptionNote::default()
    };
    let id = li.store.create(note).unwrap().meta.id;
    sync_all(w).await;
    id
}

fn step(
    device: &Device,
    id: RecordId,
    rule: impl FnOnce(&mut ReceptionNote, &Action) -> fieldbook_core::Result<()>,
) {
    let act = Action::on(&device.store);
    device
        .store
        .update::<ReceptionNote>(id, |n| rule(n, &act))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_voucher_no_visit_and_no_self_approved_voucher_seed_001() {
    let w = World::start_at(now()).await;
    let (li, cs) = (w.device("rep.li"), w.device("cs.zhou"));
    let id = planned(&w).await;
    // Held without a voucher.
    raw_edit::<ReceptionNote>(li, id, |n| {
        n.status = ReceptionStatus::Held;
        n.held_at = Some(now());
        n.history.push(StatusChange {
            id: "h1".into(),
            from: "planned".into(),
            to: "held".into(),
            at: now(),
            by: user("rep.li"),
            note: String::new(),
        });
    });
    refused(&w, li, id, "reception.held_needs_voucher").await;
    // The customer-service manager hosting a visit cannot approve its voucher herself.
    let own = cs
        .store
        .create(ReceptionNote {
            host: user("cs.zhou"),
            purpose: "接待 / a visit".into(),
            ..ReceptionNote::default()
        })
        .unwrap()
        .meta
        .id;
    cs.sync().await;
    raw_edit::<ReceptionNote>(cs, own, |n| {
        n.voucher = Some(fieldbook_core::model::VisitVoucher {
            number: "V-9".into(),
            approved_by: user("cs.zhou"),
            approved_at: now(),
        })
    });
    refused(&w, cs, own, "reception.voucher_no_self_approval").await;
    // The legal path: her voucher for rep.li's visit, then rep.li holds it.
    step(cs, id, |n, a| reception::approve_voucher(n, "V-1", a));
    sync_all(&w).await;
    step(li, id, reception::record_held);
    assert_eq!(li.sync().await.records_refused, 0);
    assert_eq!(on_server(&w, id).status, ReceptionStatus::Held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_expense_steps_refused_raw_and_accepted_in_order_seed_001() {
    let w = World::start_at(now()).await;
    let (li, cs) = (w.device("rep.li"), w.device("cs.zhou"));
    let id = planned(&w).await;
    let cal = WorkCalendar::china_default();
    // The applicant writes her own budget: refused (the write rule table gives the field to the
    // customer-service manager; the judge names `reception.budget_from_approvers` for anyone
    // else); the amount alone is accepted.
    let req = ExpenseRequest {
        amount_fen: 50_000,
        purpose: "午餐 / lunch".into(),
    };
    apply_expense_in_store(&li.store, id, &req, &cal).unwrap();
    raw_edit::<ReceptionNote>(li, id, |n| n.expense.as_mut().unwrap().budget_fen = 80_000);
    // Two local changes: apply and budget; the server refuses the document's new changes.
    refused(&w, li, id, "/expense/budget_fen").await;
    apply_expense_in_store(&li.store, id, &req, &cal).unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
    sync_all(&w).await;
    // Spending recorded before any approval.
    step(cs, id, |n, a| reception::approve_voucher(n, "V-1", a));
    sync_all(&w).await;
    step(li, id, reception::record_held);
    sync_all(&w).await;
    raw_edit::<ReceptionNote>(li, id, |n| {
        let e = n.expense.as_mut().unwrap();
        e.spent_fen = Some(40_000);
        e.over_budget_fen = 40_000; // no budget was granted
    });
    refused(&w, li, id, "reception.spending_recorded").await;
    assert!(on_server(&w, id).expense.unwrap().spent_fen.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_dated_receipts_and_a_wrong_reimbursement_are_refused_seed_001() {
    let w = World::start_at(now()).await;
    let (li, cs, fin) = (w.device("rep.li"), w.device("cs.zhou"), w.device("fin.wu"));
    let id = planned(&w).await;
    let req = ExpenseRequest {
        amount_fen: 50_000,
        purpose: "午餐 / lunch".into(),
    };
    apply_expense_in_store(&li.store, id, &req, &WorkCalendar::china_default()).unwrap();
    sync_all(&w).await;
    step(cs, id, |n, a| {
        reception::approve_voucher(n, "V-1", a)?;
        reception::approve_with_budget(n, 40_000, "同意 / approved", a)
    });
    sync_all(&w).await;
    step(fin, id, |n, a| {
        decide_expense(n, Approver::FinanceManager, true, "", a)
    });
    sync_all(&w).await;
    step(li, id, reception::record_held);
    // Over budget: recorded, the excess borne by the rep.
    step(li, id, |n, _| reception::record_spending(n, 55_000));
    assert_eq!(li.sync().await.records_refused, 0);
    let e = on_server(&w, id).expense.unwrap();
    assert_eq!(
        (e.budget_fen, e.spent_fen, e.over_budget_fen),
        (40_000, Some(55_000), 15_000)
    );
    // Receipts back-dated before the device's last sync.
    raw_edit::<ReceptionNote>(li, id, |n| {
        n.expense.as_mut().unwrap().receipts_submitted_at =
            Some(Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap())
    });
    refused(&w, li, id, "reception.receipts_submitted").await;
    step(li, id, reception::submit_receipts);
    assert_eq!(li.sync().await.records_refused, 0);
    sync_all(&w).await;
    // Finance paying the overspend too: refused; the budget's worth is accepted.
    raw_edit::<ReceptionNote>(fin, id, |n| {
        n.expense.as_mut().unwrap().reimbursement = Some(Reimbursement {
            by: user("fin.wu"),
            at: now(),
            amount_fen: 55_000,
        })
    });
    refused(&w, fin, id, "reception.reimbursed_by_finance").await;
    step(fin, id, reception::reimburse);
    assert_eq!(fin.sync().await.records_refused, 0);
    let paid = on_server(&w, id).expense.unwrap().reimbursement.unwrap();
    assert_eq!(paid.amount_fen, 40_000);
}

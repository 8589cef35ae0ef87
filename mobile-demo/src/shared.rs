//! The parts of the day where two people touch the same record, or a second role acts on it:
//! two reps editing the customer they share (different fields, and one same field), a
//! reception with its expense application at a site, and the customer-service manager
//! approving it at the office at night — the approval reaching the rep's phone.

use fieldbook_core::model::{Customer, ReceptionNote, ReceptionStatus, VisitorCategory};
use fieldbook_core::rules::Action;
use fieldbook_core::rules::reception::{
    Approver, ExpenseRequest, apply_expense_in_store, decide_expense,
};
use serde_json::json;

use crate::data::DemoData;
use crate::fleet::Fleet;
use crate::ledger::Ledger;
use crate::people::{CS_MANAGER, reps};
use crate::report::DayReport;

/// Offline, the owner adds the customer's needs and the dedicated rep their habits; both write
/// the notes — a same-field conflict the night must show with both values kept.
pub fn both_reps_edit_the_customer(
    f: &Fleet,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let all = reps(f);
    let (Some(id), [owner, dedicated, ..]) = (ledger.shared_customer, all.as_slice()) else {
        return Ok(());
    };
    let (owner, dedicated) = (*owner, *dedicated);
    if !dedicated.store.contains(id)? {
        return Ok(());
    }
    f.at(14, 10);
    let needs = "计划明年扩建二号车间，需要整线方案";
    let owner_note = "李经理周四下午有空";
    owner.store.update::<Customer>(id, |c| {
        c.needs = needs.into();
        c.notes = owner_note.into();
        Ok(())
    })?;
    f.at(14, 40);
    let habits = "习惯微信沟通，不喜欢早上来电";
    let dedicated_note = "售后回访：设备运行正常";
    dedicated.store.update::<Customer>(id, |c| {
        c.habits = habits.into();
        c.notes = dedicated_note.into();
        Ok(())
    })?;
    ledger.expect(id, "/needs", json!(needs), owner);
    ledger.expect(id, "/notes", json!(owner_note), owner);
    ledger.expect(id, "/habits", json!(habits), dedicated);
    ledger.expect(id, "/notes", json!(dedicated_note), dedicated);
    f.at(14, 10);
    report.event(
        f.when(),
        owner.user.as_str(),
        "离线补充客户需求和备注 / offline: added the customer's needs and a note",
    );
    f.at(14, 40);
    report.event(
        f.when(),
        dedicated.user.as_str(),
        "离线补充同一客户的习惯和备注 / offline: added the same customer's habits and a note",
    );
    Ok(())
}

/// A rep plans a reception of the customer's visitors for tomorrow and applies for its
/// expenses before the visit (seed 002).
pub fn reception_with_expense(
    f: &Fleet,
    data: &mut DemoData,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let Some(rep) = reps(f).first().copied() else {
        return Ok(());
    };
    if ledger.reception.is_some() {
        return Ok(());
    }
    let customer = ledger
        .today
        .iter()
        .find(|(r, _)| r == &rep.user)
        .map(|(_, v)| *v);
    f.at(16, 0);
    let mut note = ReceptionNote {
        customer_id: customer,
        visitor_names: vec![data.company().contact],
        head_count: 3,
        category: VisitorCategory::Important,
        purpose: "参观生产线并洽谈年度采购 / tour the line and discuss the annual order".into(),
        visit_at: Some(
            f.cal.start_of_day(f.day() + chrono::TimeDelta::days(1)) + chrono::TimeDelta::hours(10),
        ),
        host: rep.user.clone(),
        status: ReceptionStatus::Planned,
        meals: "工作午餐 / working lunch".into(),
        ..ReceptionNote::default()
    };
    note.meta.owner = rep.user.clone();
    let note = rep.store.create(note)?;
    let req = ExpenseRequest {
        amount_fen: 120_000,
        purpose: "午餐与纪念品 / lunch and souvenirs".into(),
    };
    apply_expense_in_store(&rep.store, note.meta.id, &req, &f.cal)?;
    ledger.expect(note.meta.id, "/expense/amount_fen", json!(120_000), rep);
    ledger.reception = Some((rep.user.clone(), note.meta.id));
    report.event(
        f.when(),
        rep.user.as_str(),
        "安排明日接待并申请费用 ¥1,200 / planned tomorrow's reception, applied for ¥1,200",
    );
    Ok(())
}

/// At night the customer-service manager approves the expense at the office; the approval
/// reaches the rep's phone at its next sync.
pub async fn approve_expense(
    f: &Fleet,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<bool> {
    let Some((host, id)) = ledger.reception.clone() else {
        return Ok(true);
    };
    let cs = f.device(CS_MANAGER)?;
    f.at(21, 0);
    f.sync(cs).await?;
    let act = Action::on(&cs.store);
    cs.store.update::<ReceptionNote>(id, |n| {
        decide_expense(
            n,
            Approver::CustomerServiceManager,
            true,
            "同意 / approved",
            &act,
        )
    })?;
    f.sync(cs).await?;
    // Night: every phone syncs once more, so the supervisor sees the merged day.
    for d in &f.devices {
        f.sync(d).await?;
    }
    let rep = f.device(host.as_str())?;
    let seen: ReceptionNote = rep.store.get(id)?;
    let approved = seen
        .expense
        .as_ref()
        .and_then(|e| e.cs_manager.as_ref())
        .is_some_and(|a| a.approved);
    ledger.expect(id, "/expense/cs_manager/approved", json!(true), cs);
    f.at(21, 0);
    report.event(
        f.when(),
        CS_MANAGER,
        "客服经理审批接待费用 / the customer-service manager approved the reception expense",
    );
    report.check(
        approved,
        "客服经理的审批已到达业务员手机 / the manager's approval reached the rep's phone",
    );
    Ok(approved)
}

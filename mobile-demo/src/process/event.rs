//! The event (seed 000 活动或会议): the supervisor puts a seminar on a rep's plan in the
//! morning; offline, she invites her customers by phone, records their answers, re-confirms
//! and sends the guide to those who accepted, records who came, and follows up after it with
//! the intent amount. Each step is the core's rule function inside `DeviceStore::update`, as
//! the FFI runs it; the device's and the server's judges check its timing against the event.

use anyhow::Context as _;
use fieldbook_core::RecordId;
use fieldbook_core::model::{
    Customer, Event, EventKind, InvitationMethod, Invitee, VisitPlan, VisitStatus,
};
use fieldbook_core::rules::Action;
use fieldbook_core::rules::visit_plan_event as event;
use serde_json::json;

use super::{clock, title, yuan};
use crate::fleet::{Device, Fleet};
use crate::ledger::Ledger;
use crate::people::{SUPERVISOR, name, reps};
use crate::report::{DayReport, Section};

const TITLE_ZH: &str = "新品技术交流会";
const TITLE_EN: &str = "new-product seminar";
/// The intent amount the guest who came talks of, in fen (¥380,000).
const INTENT_FEN: i64 = 38_000_000;

/// Morning, at the office: the supervisor schedules the seminar (17:00 today) on the first
/// rep's plan; it reaches her phone at the morning sync.
pub fn schedule(f: &Fleet, ledger: &mut Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let (Some(rep), None) = (reps(f).first().copied(), &ledger.event) else {
        return Ok(());
    };
    let sup = f.device(SUPERVISOR)?;
    f.at(8, 10);
    let mut plan = VisitPlan {
        rep: rep.user.clone(),
        purpose:
            "介绍二代设备与年度维保方案 / the second-generation machine and annual maintenance"
                .into(),
        place: "公司二楼报告厅 / the company's 2nd-floor auditorium".into(),
        scheduled_at: Some(f.at(17, 0)),
        event: Some(Event {
            kind: EventKind::Seminar,
            title: format!("{TITLE_ZH} / {TITLE_EN}"),
            invitees: Vec::new(),
        }),
        ..VisitPlan::default()
    };
    plan.meta.owner = rep.user.clone();
    f.at(8, 10);
    let plan = sup.store.create(plan)?;
    ledger.event = Some((rep.user.clone(), plan.meta.id));
    report.event(
        f.when(),
        SUPERVISOR,
        format!(
            "安排 17:00 的{TITLE_ZH}，由{who}邀约客户 / scheduled the {TITLE_EN} at 17:00; {who} invites the customers",
            who = name(&rep.user)
        ),
    );
    Ok(())
}

/// The rep's customers of the day, as invitees: (customer, the contact's name).
fn guests(rep: &Device, ledger: &Ledger) -> anyhow::Result<Vec<(RecordId, String)>> {
    let mut out = Vec::new();
    for (_, visit) in ledger.today.iter().filter(|(r, _)| *r == rep.user) {
        let plan: VisitPlan = rep.store.get(*visit)?;
        let Some(id) = plan.customer_id else { continue };
        let c: Customer = rep.store.get(id)?;
        let contact = c
            .contacts
            .first()
            .map_or(c.name.clone(), |p| p.name.clone());
        out.push((id, contact));
    }
    Ok(out)
}

/// Offline, all day: the invitees' steps, each at its time.
pub fn hold(f: &Fleet, ledger: &mut Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let Some((user, id)) = ledger.event.clone() else {
        return Ok(());
    };
    let d = f.device(user.as_str())?;
    let plan: VisitPlan = d.store.get(id)?;
    if plan.event.as_ref().is_none_or(|e| !e.invitees.is_empty()) {
        return Ok(()); // held on an earlier day
    }
    let mut ids = Vec::new();
    for (n, (customer, contact)) in guests(d, ledger)?.into_iter().enumerate() {
        f.at(8, 45 + n as u32 * 3);
        let req = event::InviteeRequest {
            customer_id: Some(customer),
            name: contact.clone(),
            method: InvitationMethod::Phone,
        };
        let act = Action::on(&d.store);
        d.store
            .update::<VisitPlan>(id, |p| event::invite_to_event(p, &req, &act).map(drop))?;
        ids.push(act.entry_id);
    }
    report.event(
        f.when(),
        user.as_str(),
        format!(
            "电话邀约 {n} 位客户参加交流会 / invited {n} customers to the seminar by phone",
            n = ids.len()
        ),
    );
    answers(f, d, id, &ids, report)?;
    after_the_event(f, d, id, &ids, ledger, report)
}

/// Answers (the last guest declines), then re-confirmation and the guide for those coming.
fn answers(
    f: &Fleet,
    d: &Device,
    id: RecordId,
    ids: &[String],
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let step =
        |at: (u32, u32), edit: &dyn Fn(&mut VisitPlan, &Action) -> fieldbook_core::Result<()>| {
            clock(f, at);
            let act = Action::on(&d.store);
            d.store.update::<VisitPlan>(id, |p| edit(p, &act)).map(drop)
        };
    let coming = ids.len().saturating_sub(1).max(1).min(ids.len());
    for (n, i) in ids.iter().enumerate() {
        let at = (9, 15 + n as u32 * 5);
        if n < coming {
            step(at, &|p, a| event::accept_invitee(p, i, 1 + n as u32 % 2, a))?;
        } else {
            step(at, &|p, a| {
                event::decline_invitee(p, i, "当天已有安排 / already booked that day", a)
            })?;
        }
    }
    report.event(
        f.when(),
        d.user.as_str(),
        format!(
            "登记答复：{coming} 位接受，{} 位婉拒 / recorded the answers: {coming} accepted, {} declined",
            ids.len() - coming,
            ids.len() - coming
        ),
    );
    for (n, i) in ids.iter().take(coming).enumerate() {
        step((12, n as u32 * 5), &|p, a| {
            event::reconfirm_invitee(p, i, a)
        })?;
        step((12, 2 + n as u32 * 5), &|p, a| {
            event::send_event_guide(p, i, a)
        })?;
    }
    report.event(
        f.when(),
        d.user.as_str(),
        "再次确认参会并发送参会指南 / re-confirmed the guests coming and sent them the guide",
    );
    Ok(())
}

/// At 17:10 the attendance; at 18:30 the follow-up with the guest who came.
fn after_the_event(
    f: &Fleet,
    d: &Device,
    id: RecordId,
    ids: &[String],
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let plan: VisitPlan = d.store.get(id)?;
    let accepted: Vec<String> = invitees(&plan)
        .iter()
        .filter(|i| i.status == VisitStatus::Accepted)
        .map(|i| i.id.clone())
        .collect();
    f.at(17, 10);
    for (n, i) in accepted.iter().enumerate() {
        let came = n == 0;
        let act = Action::on(&d.store);
        d.store
            .update::<VisitPlan>(id, |p| event::record_invitee_attendance(p, i, came, &act))?;
    }
    report.event(
        f.when(),
        d.user.as_str(),
        format!(
            "交流会开始，登记到场 / the seminar began; attendance recorded ({} came)",
            accepted.len().min(1)
        ),
    );
    let Some(first) = accepted.first() else {
        return Ok(());
    };
    f.at(18, 30);
    let note = "对二代设备很感兴趣，要求下周报价 / keen on the second-generation machine, asks for a quote next week";
    let act = Action::on(&d.store);
    d.store.update::<VisitPlan>(id, |p| {
        event::follow_up_invitee(p, first, note, Some(INTENT_FEN), &act)
    })?;
    let n = ids
        .iter()
        .position(|i| i == first)
        .context("invitee missing")?;
    ledger.expect(
        id,
        &format!("/event/invitees/{n}/follow_up/note"),
        json!(note),
        d,
    );
    ledger.expect(
        id,
        &format!("/event/invitees/{n}/status"),
        json!("attended"),
        d,
    );
    report.event(
        f.when(),
        d.user.as_str(),
        format!(
            "会后跟进到场客户，意向金额 {} / followed up the guest who came: intent of {}",
            yuan(INTENT_FEN),
            yuan(INTENT_FEN)
        ),
    );
    Ok(())
}

fn invitees(plan: &VisitPlan) -> &[Invitee] {
    plan.event.as_ref().map_or(&[], |e| &e.invitees)
}

/// Night: the event as the server merged it, its table, and its check.
pub fn show(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let Some((_, id)) = &ledger.event else {
        return Ok(());
    };
    let plan: VisitPlan = f
        .server_doc(*id)?
        .context("the event is missing on the server")?
        .read()?;
    let guests = invitees(&plan);
    let rows = guests
        .iter()
        .map(|i| row(f, i))
        .collect::<anyhow::Result<_>>()?;
    report.sections.push(Section {
        heading: format!(
            "活动 / Event — {TITLE_ZH} / {TITLE_EN}，{}，{}",
            plan.scheduled_at.map_or_else(String::new, |t| f.label(t)),
            name(&plan.rep)
        ),
        columns: [
            "受邀人 / invitee",
            "客户 / customer",
            "结果 / outcome",
            "再次确认 / re-confirmed",
            "参会指南 / guide sent",
            "会后跟进 / follow-up",
            "意向金额 / intent",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
    check(guests, report);
    Ok(())
}

/// One invitee's line: who, the customer, the outcome, each step's time, the follow-up.
fn row(f: &Fleet, i: &Invitee) -> anyhow::Result<Vec<String>> {
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or_else(String::new, |t| f.label(t));
    Ok(vec![
        i.name.clone(),
        match i.customer_id {
            Some(c) => title(f, c)?,
            None => String::new(),
        },
        match i.status {
            VisitStatus::Attended => "已到场 / came",
            ref s => super::status_text(s),
        }
        .to_owned(),
        time(i.reconfirmed_at),
        time(i.guide_sent_at),
        i.follow_up
            .as_ref()
            .map_or_else(String::new, |u| format!("{} {}", f.label(u.at), u.note)),
        i.outcome_amount_fen.map_or_else(String::new, yuan),
    ])
}

/// Every step on the server: each guest answered; those who accepted re-confirmed and sent
/// the guide; someone came, and each who came was followed up with an amount.
fn check(guests: &[Invitee], report: &mut DayReport) {
    let is = |s: VisitStatus| move |i: &&Invitee| i.status == s;
    let answered = guests.iter().all(|i| i.responded_at.is_some());
    let prepared = guests
        .iter()
        .filter(|i| matches!(i.status, VisitStatus::Attended | VisitStatus::NoShow))
        .all(|i| i.reconfirmed_at.is_some() && i.guide_sent_at.is_some());
    let followed = guests
        .iter()
        .filter(is(VisitStatus::Attended))
        .all(|i| i.follow_up.is_some() && i.outcome_amount_fen.is_some());
    let came = guests.iter().filter(is(VisitStatus::Attended)).count();
    report.check(
        !guests.is_empty() && answered && prepared && followed && came > 0,
        format!(
            "活动全程在服务器上：邀约 {n} 位、答复、再次确认与指南、到场 {came} 位、会后跟进 / \
             the event is on the server end to end: {n} invited, answers, re-confirmation and \
             guide, {came} came, followed up after",
            n = guests.len()
        ),
    );
}

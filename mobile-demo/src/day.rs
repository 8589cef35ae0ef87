//! The script of the day, through the same core API a phone app calls: the rules for every
//! lifecycle step, the sync client for every exchange. Every edit is written in the [`Ledger`],
//! and the night checks each one against the server's merged copy.

#![allow(clippy::unit_arg)] // `|r| Ok(r.field = value)` is the shortest edit.

use anyhow::Context;
use fieldbook_core::model::*;
use fieldbook_core::rules::{self, Action};
use fieldbook_core::{RecordId, UserId};
use rand::seq::SliceRandom;
use serde_json::{Value as Json, json};

use crate::data::DemoData;
use crate::fleet::{Device, Fleet};
use crate::report::DayReport;

/// An edit someone made: `pointer` of `record` must show `value` after the merge, or hold it as
/// one of a conflict's values.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub record: RecordId,
    pub pointer: String,
    pub value: Json,
    pub by: UserId,
}

/// What the day produced that the night checks.
#[derive(Debug, Default)]
pub struct Ledger {
    pub expected: Vec<Expectation>,
    /// Every visit assigned, all days.
    pub visits: Vec<(UserId, RecordId)>,
    /// Today's visits.
    pub today: Vec<(UserId, RecordId)>,
    /// The customer two reps both look after (owner and dedicated rep).
    pub shared_customer: Option<RecordId>,
    /// The reception with an expense application, and who hosts it.
    pub reception: Option<(UserId, RecordId)>,
    /// The visit both the supervisor and its rep edited offline.
    pub contested_visit: Option<RecordId>,
    /// The two leads for one prospect.
    pub contested_leads: Vec<RecordId>,
    pub leads: Vec<RecordId>,
}

impl Ledger {
    pub(crate) fn expect(&mut self, record: RecordId, pointer: &str, value: Json, by: &Device) {
        self.expected.push(Expectation {
            record,
            pointer: pointer.to_owned(),
            value,
            by: by.user.clone(),
        });
    }
}

pub const SUPERVISOR: &str = "sup.wang";
pub const STAFF: &str = "show.chen";
/// The customer-service manager, at the office, who approves reception expenses.
pub const CS_MANAGER: &str = "cs.zhou";

/// The day's people: the supervisor, the reps, the trade-show staffer.
pub fn people(reps: usize) -> Vec<String> {
    let names = ["li", "zhao", "sun", "zhou", "wu", "zheng"];
    let mut out = vec![SUPERVISOR.to_owned()];
    out.extend(
        names
            .iter()
            .take(reps.clamp(1, names.len()))
            .map(|n| format!("rep.{n}")),
    );
    out.push(STAFF.to_owned());
    out.push(CS_MANAGER.to_owned());
    out
}

pub(crate) fn reps(f: &Fleet) -> Vec<&Device> {
    f.devices
        .iter()
        .filter(|d| d.user.as_str().starts_with("rep."))
        .collect()
}

/// Morning: the supervisor files customers and assigns today's visits; every phone syncs.
pub async fn morning(
    f: &Fleet,
    data: &mut DemoData,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let sup = f.device(SUPERVISOR)?;
    ledger.today.clear();
    let all_reps = reps(f);
    for (r, rep) in all_reps.iter().enumerate() {
        for slot in 0..3u32 {
            f.at(8, 0);
            let p = data.company();
            let mut customer = Customer {
                name: p.company.clone(),
                company: p.company,
                region: p.city,
                industry: p.industry,
                grade: CustomerGrade::B,
                contacts: vec![Contact {
                    id: "c1".into(),
                    name: p.contact,
                    title: p.title,
                    mobile: p.mobile,
                    ..Contact::default()
                }],
                ..Customer::default()
            };
            customer.meta.owner = rep.user.clone();
            // The first customer of the day is looked after by two reps: its owner and, for
            // after-sales, the next rep as its dedicated rep.
            let shared = r == 0 && slot == 0 && all_reps.len() > 1;
            if shared {
                customer.dedicated_rep = Some(all_reps[1].user.clone());
            }
            let c = sup.store.create(customer)?;
            if shared {
                ledger.shared_customer = Some(c.meta.id);
            }
            let mut plan = VisitPlan {
                customer_id: Some(c.meta.id),
                rep: rep.user.clone(),
                purpose: data.purpose().into(),
                scheduled_at: Some(f.at(10 + slot * 3, 0)),
                place: c.region.clone(),
                materials: vec!["客户基本资料".into(), "服务记录".into()],
                in_depth: slot == 0,
                ..VisitPlan::default()
            };
            plan.meta.owner = rep.user.clone();
            f.at(8, 5);
            let v = sup.store.create(plan)?;
            ledger.visits.push((rep.user.clone(), v.meta.id));
            ledger.today.push((rep.user.clone(), v.meta.id));
        }
    }
    report.event(
        "08:05",
        SUPERVISOR,
        format!(
            "主管安排 {n} 个拜访 / supervisor assigned {n} visits",
            n = ledger.today.len()
        ),
    );
    f.at(8, 30);
    for d in &f.devices {
        let line = f.sync(d).await?;
        report.event("08:30", d.user.as_str(), line);
    }
    for (rep, visit) in &ledger.today {
        f.device(rep.as_str())?
            .store
            .get::<VisitPlan>(*visit)
            .with_context(|| format!("{rep} did not receive visit {visit}"))?;
    }
    report.check(true, "每位销售的手机都收到了主管分配的拜访 / every rep's phone received the visits assigned to it");
    Ok(())
}

/// At the customers' sites, offline: invitations, visits and reports; and the supervisor and a
/// rep editing the same visit plan.
pub fn sites(
    f: &Fleet,
    data: &mut DemoData,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    for (rep, visit) in ledger.today.clone() {
        let d = f.device(rep.as_str())?;
        f.at(8, 40);
        d.store.update::<VisitPlan>(visit, |p| {
            rules::visit_plan::invite(p, InvitationMethod::Phone, &Action::on(&d.store))
        })?;
        f.at(9, 0);
        if data.below(4) == 0 {
            let reason = data.decline_reason();
            d.store.update::<VisitPlan>(visit, |p| {
                rules::visit_plan::decline(p, reason, &Action::on(&d.store))
            })?;
            ledger.expect(visit, "/decline_reason", json!(reason), d);
            report.event(
                "09:00",
                d.user.as_str(),
                format!("客户婉拒：{reason} / invitation declined"),
            );
            continue;
        }
        let attendees = 1 + data.below(3) as u32;
        d.store.update::<VisitPlan>(visit, |p| {
            rules::visit_plan::accept(p, attendees, &Action::on(&d.store))
        })?;
        ledger.expect(visit, "/attendees", json!(attendees), d);
        let plan: VisitPlan = d.store.get(visit)?;
        f.clock.set(plan.scheduled_at.unwrap_or_default());
        d.store.update::<VisitPlan>(visit, |p| {
            rules::visit_plan::mark_attended(p, &Action::on(&d.store), &f.cal)
        })?;
        ledger.expect(visit, "/status", json!("attended"), d);
        file_report(f, d, &plan, data, ledger)?;
        report.event(
            "—",
            d.user.as_str(),
            format!(
                "拜访完成，提交回访报告 / visit held, report filed: {}",
                plan.purpose
            ),
        );
        if ledger.contested_visit.is_none() {
            contest_visit(f, d, visit, ledger, report)?;
        }
    }
    crate::shared::both_reps_edit_the_customer(f, ledger, report)?;
    crate::shared::reception_with_expense(f, data, ledger, report)?;
    Ok(())
}

fn file_report(
    f: &Fleet,
    d: &Device,
    plan: &VisitPlan,
    data: &mut DemoData,
    ledger: &mut Ledger,
) -> anyhow::Result<()> {
    let mut r = ReturnVisitReport {
        customer_id: plan.customer_id,
        visit_plan_id: Some(plan.meta.id),
        rep: d.user.clone(),
        visited_on: Some(f.day()),
        place: plan.place.clone(),
        purpose: plan.purpose.clone(),
        needs: "希望缩短备件交付周期".into(),
        satisfaction: Some(Satisfaction {
            product: 4,
            service: 3 + data.below(3) as u8,
            environment: 4,
        }),
        materials_returned: true,
        ..ReturnVisitReport::default()
    };
    r.meta.owner = d.user.clone();
    let r = d.store.create(r)?;
    d.store.update::<ReturnVisitReport>(r.meta.id, |r| {
        rules::return_visit::file(r, &Action::on(&d.store))
    })?;
    ledger.expect(r.meta.id, "/needs", json!("希望缩短备件交付周期"), d);
    Ok(())
}

/// The supervisor, at the office, and the rep, at the site, both change the visit offline:
/// different fields (place; materials) and one same field (the purpose).
fn contest_visit(
    f: &Fleet,
    rep: &Device,
    visit: RecordId,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let sup = f.device(SUPERVISOR)?;
    f.at(15, 30);
    let rep_purpose = "现场确认：客户追加两台设备报价";
    let sup_purpose = "主管补充：重点推荐年度维保合同";
    rep.store
        .update::<VisitPlan>(visit, |p| Ok(p.purpose = rep_purpose.into()))?;
    rep.store
        .update::<VisitPlan>(visit, |p| Ok(p.materials.push("设备报价单".into())))?;
    sup.store
        .update::<VisitPlan>(visit, |p| Ok(p.purpose = sup_purpose.into()))?;
    sup.store
        .update::<VisitPlan>(visit, |p| Ok(p.place = "客户二号厂区会议室".into()))?;
    ledger.expect(visit, "/purpose", json!(rep_purpose), rep);
    ledger.expect(visit, "/purpose", json!(sup_purpose), sup);
    ledger.expect(visit, "/place", json!("客户二号厂区会议室"), sup);
    ledger.contested_visit = Some(visit);
    report.event(
        "15:30",
        rep.user.as_str(),
        "离线修改拜访目的、追加资料 / offline: changed the purpose, added material",
    );
    report.event(
        "15:30",
        SUPERVISOR,
        "离线修改同一拜访的目的和地点 / offline: changed the same visit's purpose and place",
    );
    Ok(())
}

/// The trade show, with no signal all day; and the same prospect registered by a rep by phone.
pub fn trade_show(
    f: &Fleet,
    data: &mut DemoData,
    leads: usize,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let staff = f.device(STAFF)?;
    let show = data.trade_show();
    let mut contested = None;
    let first_day = ledger.contested_leads.is_empty();
    for i in 0..leads {
        f.at(9 + (i * 8 / leads.max(1)) as u32, (i * 7 % 60) as u32);
        let p = data.company();
        let lead = rules::lead::register(
            &staff.store,
            LeadReferral {
                source: LeadSource::TradeShow,
                event: show.into(),
                grade: [LeadGrade::A, LeadGrade::B, LeadGrade::C][i % 3].clone(),
                prospect: Prospect {
                    name: p.contact,
                    company: p.company,
                    phone: p.mobile,
                    ..Prospect::default()
                },
                ..LeadReferral::default()
            },
        )?;
        ledger.leads.push(lead.meta.id);
        ledger.expect(lead.meta.id, "/code", json!(lead.code), staff);
        if i == 1 && first_day {
            contested = Some(lead.prospect.clone());
            ledger.contested_leads.push(lead.meta.id);
        }
    }
    report.event(
        "17:00",
        STAFF,
        format!("展会离线采集 {leads} 条线索 / captured {leads} leads offline at {show}"),
    );
    let (Some(p), Some(rep)) = (contested, reps(f).first().copied()) else {
        return Ok(());
    };
    f.at(16, 45);
    let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
    let national = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits)
        .to_owned();
    let lead = rules::lead::register(
        &rep.store,
        LeadReferral {
            source: LeadSource::Phone,
            grade: LeadGrade::H,
            prospect: Prospect {
                name: p.name.clone(),
                company: p.company.clone(),
                phone: format!("{}-{}-{}", &national[..3], &national[3..7], &national[7..]),
                ..Prospect::default()
            },
            ..LeadReferral::default()
        },
    )?;
    ledger.contested_leads.push(lead.meta.id);
    ledger.leads.push(lead.meta.id);
    report.event(
        "16:45",
        rep.user.as_str(),
        format!(
            "电话登记同一潜在客户 {} / registered the same prospect by phone",
            p.name
        ),
    );
    Ok(())
}

/// Evening: everyone comes back, in a shuffled order; on a bad signal some connections are cut
/// mid-sync; then everyone syncs until nothing moves.
pub async fn evening(
    f: &Fleet,
    data: &mut DemoData,
    report: &mut DayReport,
) -> anyhow::Result<usize> {
    f.at(19, 0);
    let mut order: Vec<&Device> = f.devices.iter().collect();
    order.shuffle(data.rng());
    let mut cuts = 0;
    for d in &order {
        if data.below(2) != 0 {
            continue;
        }
        let line = f.sync_cut(d, 300 + data.below(3000) as u64).await?;
        report.event("18:50", d.user.as_str(), line);
        cuts += 1;
    }
    for round in ["19:00", "20:30"] {
        for d in &order {
            let line = f.sync(d).await?;
            report.event(round, d.user.as_str(), line);
        }
    }
    Ok(cuts)
}

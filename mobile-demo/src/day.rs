//! The script of the day, through the same core API a phone app calls: the rules for every
//! lifecycle step, the sync client for every exchange. Every edit is written in the [`Ledger`],
//! and the night checks each one against the server's merged copy. The stories of the whole
//! process (the event, the pipeline, the proposal) are in `crate::process`; the day calls them
//! at their hours.

#![allow(clippy::unit_arg)] // `|r| Ok(r.field = value)` is the shortest edit.

use anyhow::Context;
use fieldbook_core::RecordId;
use fieldbook_core::model::*;
use fieldbook_core::rules::{self, Action};
use rand::seq::SliceRandom;
use serde_json::json;

use crate::data::DemoData;
use crate::fleet::{Device, Fleet};
use crate::ledger::Ledger;
use crate::people::{STAFF, SUPERVISOR, name, reps};
use crate::process::{event, pipeline, proposal};
use crate::report::DayReport;

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
        f.when(),
        SUPERVISOR,
        format!(
            "安排 {n} 个拜访 / assigned {n} visits",
            n = ledger.today.len()
        ),
    );
    event::schedule(f, ledger, report)?;
    f.at(8, 30);
    for d in &f.devices {
        let line = f.sync(d).await?;
        report.event(f.when(), d.user.as_str(), line);
    }
    for (rep, visit) in &ledger.today {
        f.device(rep.as_str())?
            .store
            .get::<VisitPlan>(*visit)
            .with_context(|| format!("{} did not receive visit {visit}", name(rep)))?;
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
        let customer = customer_of(d, visit)?;
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
                f.when(),
                d.user.as_str(),
                format!("{customer}婉拒拜访：{reason} / {customer} declined the visit"),
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
        report.event(
            f.when(),
            d.user.as_str(),
            format!(
                "拜访{customer}，提交回访报告 / visited {customer}, filed the report: {}",
                plan.purpose
            ),
        );
        file_report(f, d, &plan, data, ledger, report)?;
        if ledger.contested_visit.is_none() {
            contest_visit(f, d, visit, ledger, report)?;
        }
    }
    crate::shared::both_reps_edit_the_customer(f, ledger, report)?;
    crate::shared::reception_with_expense(f, data, ledger, report)?;
    event::hold(f, ledger, report)?;
    pipeline::work(f, data, ledger, report)?;
    Ok(())
}

/// The name of the visit's customer, as the rep's phone has it.
fn customer_of(d: &Device, visit: RecordId) -> anyhow::Result<String> {
    let plan: VisitPlan = d.store.get(visit)?;
    Ok(match plan.customer_id {
        Some(c) => d.store.get::<Customer>(c)?.name,
        None => String::new(),
    })
}

fn file_report(
    f: &Fleet,
    d: &Device,
    plan: &VisitPlan,
    data: &mut DemoData,
    ledger: &mut Ledger,
    report: &mut DayReport,
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
    proposal::take(f, d, r.meta.id, ledger, report)?;
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
        f.when(),
        rep.user.as_str(),
        "离线修改拜访目的、追加资料 / offline: changed the purpose, added material",
    );
    report.event(
        f.when(),
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
    f.at(17, 0);
    report.event(
        f.when(),
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
        f.when(),
        rep.user.as_str(),
        format!(
            "电话登记同一潜在客户：{}（{}）/ registered the same prospect by phone",
            p.company, p.name
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
    f.at(18, 50);
    let mut order: Vec<&Device> = f.devices.iter().collect();
    order.shuffle(data.rng());
    let mut cuts = 0;
    for d in &order {
        if data.below(2) != 0 {
            continue;
        }
        let line = f.sync_cut(d, 300 + data.below(3000) as u64).await?;
        report.event(f.when(), d.user.as_str(), line);
        cuts += 1;
    }
    for (h, m) in [(19, 0), (20, 30)] {
        f.at(h, m);
        for d in &order {
            let line = f.sync(d).await?;
            report.event(f.when(), d.user.as_str(), line);
        }
    }
    Ok(cuts)
}

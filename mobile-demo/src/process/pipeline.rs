//! A lead taken through the pipeline (seed 003 跟进流程): an existing customer refers a
//! company; the rep registers it, moves it one stage at a time, each move with the follow-up
//! that justifies it (初次接触确认 → 需求了解 → 方案提供 → 价格协商 → 合同签署), marks it won
//! as a new customer with the contract's amount, and records the first invoice (seed 002 篇3:
//! tracked until invoiced). Every step is a rule of `rules::lead`, as the FFI runs it.

use anyhow::Context as _;
use fieldbook_core::model::{
    Customer, CustomerGrade, FollowUpChannel, LeadGrade, LeadReferral, LeadSource, LeadStatus,
    PipelineStage, Prospect, VisitPlan,
};
use fieldbook_core::rules::Action;
use fieldbook_core::rules::lead::{self, FollowUpNote};
use serde_json::json;

use super::{clock, title, yuan};
use crate::data::DemoData;
use crate::fleet::{Device, Fleet};
use crate::ledger::Ledger;
use crate::people::{name, reps};
use crate::report::{DayReport, Section};

/// The contract, and its first invoice, in fen.
const WON_FEN: i64 = 86_000_000;
const INVOICED_FEN: i64 = 43_000_000;

/// Each move: when, how, what was said, the next step.
const MOVES: &[((u32, u32), FollowUpChannel, &str, &str)] = &[
    (
        (10, 40),
        FollowUpChannel::Phone,
        "确认采购意向，客户同意上门沟通 / confirmed the intent to buy; the customer agreed to a meeting",
        "上门了解需求 / visit to learn the needs",
    ),
    (
        (11, 50),
        FollowUpChannel::Visit,
        "需要两条产线的自动化改造 / needs two lines automated",
        "三天内提交方案 / send the proposal within three days",
    ),
    (
        (14, 20),
        FollowUpChannel::Email,
        "方案已发送，技术部认可 / proposal sent; their engineers approve it",
        "约采购谈价格 / meet purchasing about the price",
    ),
    (
        (15, 50),
        FollowUpChannel::Phone,
        "价格谈妥，首期付款一半 / price agreed, half paid first",
        "签订合同 / sign the contract",
    ),
];

/// Offline, at the sites: the last rep works a referred lead from registration to invoice.
pub fn work(
    f: &Fleet,
    data: &mut DemoData,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    let Some(rep) = reps(f).last().copied() else {
        return Ok(());
    };
    if ledger.pipeline.is_some() {
        return Ok(());
    }
    let Some((_, visit)) = ledger.today.iter().find(|(r, _)| *r == rep.user) else {
        return Ok(());
    };
    let plan: VisitPlan = rep.store.get(*visit)?;
    let referrer: Customer = rep
        .store
        .get(plan.customer_id.context("a visit without its customer")?)?;
    f.at(9, 30);
    let (id, company) = register(rep, &referrer, data)?;
    ledger.pipeline = Some((rep.user.clone(), id));
    ledger.leads.push(id);
    report.event(
        f.when(),
        rep.user.as_str(),
        format!(
            "登记{}转介绍的线索：{company} / registered a referral",
            referrer.name
        ),
    );
    for (at, channel, said, next_step) in MOVES {
        clock(f, *at);
        let note = FollowUpNote {
            channel: channel.clone(),
            said: (*said).into(),
            next_step: (*next_step).into(),
            ..FollowUpNote::default()
        };
        let act = Action::on(&rep.store);
        let l = rep
            .store
            .update::<LeadReferral>(id, |l| lead::advance_stage(l, &note, &act))?;
        report.event(
            f.when(),
            rep.user.as_str(),
            format!(
                "线索推进到“{}” / moved the lead on: {said}",
                stage_text(&l.stage)
            ),
        );
    }
    close(f, rep, id, &company, ledger, report)
}

/// The referred company, registered by the rep on her phone: the lead's id and the company.
fn register(
    rep: &Device,
    referrer: &Customer,
    data: &mut DemoData,
) -> anyhow::Result<(fieldbook_core::RecordId, String)> {
    let p = data.company();
    let l = lead::register(
        &rep.store,
        LeadReferral {
            source: LeadSource::Referral,
            referrer_id: Some(referrer.meta.id),
            referrer_name: referrer.name.clone(),
            grade: LeadGrade::A,
            prospect: Prospect {
                name: p.contact,
                company: p.company.clone(),
                phone: p.mobile,
                ..Prospect::default()
            },
            ..LeadReferral::default()
        },
    )?;
    Ok((l.meta.id, p.company))
}

/// Won as a new customer, then invoiced.
fn close(
    f: &Fleet,
    rep: &Device,
    id: fieldbook_core::RecordId,
    company: &str,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    f.at(17, 40);
    let mut customer = Customer {
        name: company.to_owned(),
        company: company.to_owned(),
        grade: CustomerGrade::B,
        ..Customer::default()
    };
    customer.meta.owner = rep.user.clone();
    let customer = rep.store.create(customer)?;
    let act = Action::on(&rep.store);
    rep.store
        .update::<LeadReferral>(id, |l| lead::mark_won(l, customer.meta.id, WON_FEN, &act))?;
    report.event(
        f.when(),
        rep.user.as_str(),
        format!(
            "签约成交 {} / won the contract: {}",
            yuan(WON_FEN),
            yuan(WON_FEN)
        ),
    );
    f.at(18, 10);
    let act = Action::on(&rep.store);
    rep.store
        .update::<LeadReferral>(id, |l| lead::mark_invoiced(l, INVOICED_FEN, &act))?;
    ledger.expect(id, "/won_amount_fen", json!(WON_FEN), rep);
    ledger.expect(id, "/invoiced_amount_fen", json!(INVOICED_FEN), rep);
    ledger.expect(id, "/status", json!("invoiced"), rep);
    report.event(
        f.when(),
        rep.user.as_str(),
        format!(
            "首期开票 {} / first invoice issued: {}",
            yuan(INVOICED_FEN),
            yuan(INVOICED_FEN)
        ),
    );
    Ok(())
}

fn stage_text(s: &PipelineStage) -> &'static str {
    match s {
        PipelineStage::Contact => "初次接触确认 / first contact",
        PipelineStage::Needs => "需求了解 / needs",
        PipelineStage::Proposal => "方案提供 / proposal",
        PipelineStage::Price => "价格协商 / price",
        PipelineStage::Contract => "合同签署 / contract",
        PipelineStage::Other(_) => "其他 / other",
    }
}

/// Night: the pipeline as the server merged it, its table and its check.
pub fn show(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let Some((rep, id)) = &ledger.pipeline else {
        return Ok(());
    };
    let l: LeadReferral = f
        .server_doc(*id)?
        .context("the pipeline's lead is missing on the server")?
        .read()?;
    let mut rows: Vec<Vec<String>> = l
        .stage_changes
        .iter()
        .map(|c| {
            let said = l
                .follow_ups
                .iter()
                .find(|u| u.id == c.follow_up_id)
                .map_or_else(String::new, |u| u.said.clone());
            vec![
                f.label(c.at),
                format!("{} → {}", stage_text(&c.from), stage_text(&c.to)),
                said,
            ]
        })
        .collect();
    let won_at = l.history.iter().find(|h| h.to == "won").map(|h| h.at);
    rows.push(vec![
        won_at.map_or_else(String::new, |t| f.label(t)),
        "成交 / won".into(),
        format!(
            "{}，客户 / customer: {}",
            l.won_amount_fen.map_or_else(String::new, yuan),
            match l.customer_id {
                Some(c) => title(f, c)?,
                None => String::new(),
            }
        ),
    ]);
    rows.push(vec![
        l.invoiced_at.map_or_else(String::new, |t| f.label(t)),
        "开票 / invoiced".into(),
        l.invoiced_amount_fen.map_or_else(String::new, yuan),
    ]);
    report.sections.push(Section {
        heading: format!(
            "线索推进 / Lead pipeline — {}（{}，介绍人 / referred by {}）",
            title(f, *id)?,
            name(rep),
            l.referrer_name
        ),
        columns: ["时间 / time", "阶段 / stage", "跟进 / follow-up"]
            .map(String::from)
            .to_vec(),
        rows,
    });
    let passed = l.status == LeadStatus::Invoiced
        && l.stage == PipelineStage::Contract
        && l.stage_changes.len() == MOVES.len()
        && l.won_amount_fen == Some(WON_FEN)
        && l.invoiced_amount_fen == Some(INVOICED_FEN)
        && l.customer_id.is_some();
    report.check(
        passed,
        format!(
            "线索逐阶段推进至合同签署，成交 {} 、开票 {}，服务器已记录 / the lead moved stage by \
             stage to the contract, won for {} and invoiced {}, on the server",
            yuan(WON_FEN),
            yuan(INVOICED_FEN),
            yuan(WON_FEN),
            yuan(INVOICED_FEN)
        ),
    );
    Ok(())
}

//! A customer's proposal (客户提案, seed 001 §4): taken in person on a return visit and routed
//! at once to customer service (delivery is theirs), then answered at night by the
//! customer-service manager, the routed department's manager; the answer reaches the rep's
//! phone at its next sync. Both steps are `rules::return_visit_proposals`, as the FFI runs them.

use anyhow::Context as _;
use fieldbook_core::RecordId;
use fieldbook_core::model::{
    Department, Proposal, ProposalChannel, ProposalOutcome, ReturnVisitReport,
};
use fieldbook_core::rules::Action;
use fieldbook_core::rules::return_visit_proposals::{
    NewProposal, PROPOSAL_TARGET, add_proposal, answer_proposal,
};
use serde_json::json;

use super::title;
use crate::fleet::{Device, Fleet};
use crate::ledger::Ledger;
use crate::people::{CS_MANAGER, name, name_of};
use crate::report::{DayReport, Section};

const TEXT: &str = "希望在华东设立备件仓，缩短备件交付周期 / a spare-parts depot in East China, to \
                    shorten spare-part delivery";
const ANSWER: &str =
    "采纳：明年一季度在苏州设立备件仓 / accepted: a depot in Suzhou from Q1 next year";

/// On the day's first return visit with a report: the customer's proposal, taken and routed.
pub fn take(
    f: &Fleet,
    d: &Device,
    report_id: RecordId,
    ledger: &mut Ledger,
    report: &mut DayReport,
) -> anyhow::Result<()> {
    if ledger.proposal.is_some() {
        return Ok(());
    }
    let new = NewProposal {
        text: TEXT.into(),
        complex: false,
        channel: ProposalChannel::InPerson,
        department: Some(Department::CustomerService),
    };
    let act = Action::on(&d.store);
    d.store
        .update::<ReturnVisitReport>(report_id, |r| add_proposal(r, new, &act))?;
    ledger.proposal = Some((d.user.clone(), report_id, act.entry_id.clone()));
    ledger.expect(report_id, "/proposals/0/text", json!(TEXT), d);
    report.event(
        f.when(),
        d.user.as_str(),
        "回访中记录客户提案，转客服部 / took the customer's proposal on the visit, routed to customer service",
    );
    Ok(())
}

/// Night, at the office (20:45, after the evening's syncs): the customer-service manager
/// answers; the rep's phone gets it at 20:50.
pub async fn answer(f: &Fleet, ledger: &mut Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let Some((rep, id, proposal)) = ledger.proposal.clone() else {
        return Ok(());
    };
    let cs = f.device(CS_MANAGER)?;
    f.at(20, 45);
    f.sync(cs).await?;
    let act = Action::on(&cs.store);
    cs.store.update::<ReturnVisitReport>(id, |r| {
        answer_proposal(r, &proposal, ProposalOutcome::Accepted, ANSWER, &act)
    })?;
    ledger.expect(id, "/proposals/0/answer", json!(ANSWER), cs);
    f.sync(cs).await?;
    report.event(
        f.when(),
        CS_MANAGER,
        "客服经理答复客户提案：采纳 / the customer-service manager answered the proposal: accepted",
    );
    f.at(20, 50);
    let d = f.device(rep.as_str())?;
    f.sync(d).await?;
    let seen: ReturnVisitReport = d.store.get(id)?;
    let answered = find(&seen, &proposal).is_some_and(|p| {
        p.outcome == ProposalOutcome::Accepted
            && p.answered_by
                .as_ref()
                .is_some_and(|u| u.as_str() == CS_MANAGER)
    });
    report.check(
        answered,
        format!(
            "客服经理{}对提案的答复已到达{}的手机 / the answer of {}, the customer-service manager, reached {}'s phone",
            name_of(CS_MANAGER),
            name(&rep),
            name_of(CS_MANAGER),
            name(&rep)
        ),
    );
    Ok(())
}

fn find<'a>(r: &'a ReturnVisitReport, id: &str) -> Option<&'a Proposal> {
    r.proposals.iter().find(|p| p.id == id)
}

/// Night: the proposal as the server merged it.
pub fn show(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let Some((rep, id, proposal)) = &ledger.proposal else {
        return Ok(());
    };
    let r: ReturnVisitReport = f
        .server_doc(*id)?
        .context("the proposal's report is missing on the server")?
        .read()?;
    let p = find(&r, proposal).context("the proposal is missing")?;
    let customer = match r.customer_id {
        Some(c) => title(f, c)?,
        None => String::new(),
    };
    let who = |u: &Option<fieldbook_core::UserId>| u.as_ref().map_or_else(String::new, name);
    let within = p
        .answered_at
        .is_some_and(|at| at <= p.received_at + PROPOSAL_TARGET);
    report.sections.push(Section {
        heading: "客户提案 / Customer proposal".into(),
        columns: [
            "客户 / customer",
            "提案 / proposal",
            "记录人 / taken by",
            "转交 / routed to",
            "答复人 / answered by",
            "答复 / answer",
            "时限 / deadline",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![vec![
            customer,
            p.text.clone(),
            format!("{} {}", name(rep), f.label(p.received_at)),
            match &p.department {
                Some(Department::CustomerService) => "客服部 / customer service".into(),
                Some(Department::Marketing) => "营销部 / marketing".into(),
                Some(Department::Finance) => "财务部 / finance".into(),
                _ => String::new(),
            },
            who(&p.answered_by),
            p.answer.clone(),
            if within {
                "10 天内答复 / answered within the 10-day target".into()
            } else {
                "未在 10 天内答复 / not answered within 10 days".into()
            },
        ]],
    });
    Ok(())
}

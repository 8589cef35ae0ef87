//! The steps of a return-visit report (seed 001 §4, §5, §7; seed 002): file it, the
//! supervisor's review and signature on the expense, the customer's proposals (taken, routed,
//! extended, answered by the routed manager), and the materials carried going back. Creating
//! the report is `create_return_visit_report`. Each step is judged on the phone and again on
//! the server (`fieldbook_core::lifecycle`).

use std::sync::Arc;

use fieldbook_core::rules::return_visit;
use fieldbook_core::rules::return_visit_proposals::{self as proposals, NewProposal};

use crate::background::run;
use crate::enums::{Department, ProposalChannel, ProposalOutcome};
use crate::error::Result;
use crate::records::ReturnVisitReport;
use crate::store::FieldbookStore;

#[uniffi::export]
impl FieldbookStore {
    /// Files a return-visit report, now (due by the end of the day after the visit).
    pub async fn file_report(self: Arc<Self>, report_id: String) -> Result<ReturnVisitReport> {
        run(move || self.act::<ReturnVisitReport>(&report_id, return_visit::file)).await
    }

    /// The supervisor's review of a filed report, with guidance; nobody reviews their own.
    pub async fn review_report(
        self: Arc<Self>,
        report_id: String,
        guidance: String,
    ) -> Result<ReturnVisitReport> {
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| return_visit::review(r, &guidance, a))
        })
        .await
    }

    /// The rep's supervisor signs the visit's expense for reimbursement (at most 1,000 yuan).
    pub async fn sign_report_expense(
        self: Arc<Self>,
        report_id: String,
    ) -> Result<ReturnVisitReport> {
        run(move || self.act::<ReturnVisitReport>(&report_id, return_visit::sign_expense)).await
    }

    /// Records a customer's proposal, taken in person, by phone or by e-mail, and routes it at
    /// once when `department` is given.
    pub async fn add_proposal(
        self: Arc<Self>,
        report_id: String,
        text: String,
        complex: bool,
        channel: ProposalChannel,
        department: Option<Department>,
    ) -> Result<ReturnVisitReport> {
        let new = NewProposal {
            text,
            complex,
            channel: channel.into(),
            department: department.map(Into::into),
        };
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| proposals::add_proposal(r, new, a))
        })
        .await
    }

    /// Routes a pending proposal to a department (whose manager answers it).
    pub async fn route_proposal(
        self: Arc<Self>,
        report_id: String,
        proposal_id: String,
        department: Department,
    ) -> Result<ReturnVisitReport> {
        let department = department.into();
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| {
                proposals::route_proposal(r, &proposal_id, department, a)
            })
        })
        .await
    }

    /// The routed manager records the vice-president's approval of 20 days for a proposal.
    pub async fn extend_proposal(
        self: Arc<Self>,
        report_id: String,
        proposal_id: String,
        vp_approval: String,
    ) -> Result<ReturnVisitReport> {
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| {
                proposals::extend_proposal(r, &proposal_id, &vp_approval, a)
            })
        })
        .await
    }

    /// The routed manager answers a proposal: accepted, kept for later or rejected.
    pub async fn answer_proposal(
        self: Arc<Self>,
        report_id: String,
        proposal_id: String,
        outcome: ProposalOutcome,
        answer: String,
    ) -> Result<ReturnVisitReport> {
        let outcome = outcome.into();
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| {
                proposals::answer_proposal(r, &proposal_id, outcome, &answer, a)
            })
        })
        .await
    }

    /// Records a carried material as back with the company (`reason` empty) or why it cannot
    /// be returned. Filing the report does not wait for this.
    pub async fn return_material(
        self: Arc<Self>,
        report_id: String,
        material_id: String,
        reason: String,
    ) -> Result<ReturnVisitReport> {
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| {
                return_visit::return_material(r, &material_id, &reason, a)
            })
        })
        .await
    }
}

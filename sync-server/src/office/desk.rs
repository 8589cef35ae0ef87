//! Desk actions: each is the core's rule function run inside [`DocHub::edit_as`], so it is
//! checked by the same write rules as a device's change and synced to the devices.
//!
//! [`DocHub::edit_as`]: crate::DocHub::edit_as

use fieldbook_core::access::Role;
use fieldbook_core::model::{
    Customer, DailyLog, LeadReferral, ProposalOutcome, ReceptionNote, RecordKind,
    ReturnVisitReport, StringEnum,
};
use fieldbook_core::rules::reception::{Approver, decide_expense};
use fieldbook_core::rules::{Action, daily_log, return_visit, return_visit_proposals};
use fieldbook_core::{RecordDoc, RecordId, UserId};

use super::{Office, Viewer};
use crate::error::{Result, ServerError};
use crate::hub::EditOutcome;
use crate::store::ServerStore;

/// A lead or customer handed to another rep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassign {
    pub to: UserId,
}

impl<S: ServerStore> Office<S> {
    fn action(&self, viewer: &Viewer) -> Action {
        Action {
            by: viewer.user.clone(),
            at: self.hub.clock().now(),
            entry_id: RecordId::from_random_bytes(rand::random()).to_string(),
        }
    }

    /// A supervisor reviews a filed return-visit report, with guidance.
    pub async fn review(
        &self,
        viewer: &Viewer,
        id: RecordId,
        guidance: &str,
    ) -> Result<EditOutcome> {
        let act = self.action(viewer);
        self.hub
            .edit_as(&viewer.user, id, |doc| {
                doc.update::<ReturnVisitReport>(|r| return_visit::review(r, guidance, &act))
                    .map(drop)
            })
            .await
    }

    /// The customer-service manager or the finance manager approves or rejects a reception
    /// expense (each decides their own half).
    pub async fn decide_expense(
        &self,
        viewer: &Viewer,
        id: RecordId,
        approved: bool,
        comment: &str,
    ) -> Result<EditOutcome> {
        let who = match self.hub.access().dir.role(&viewer.user) {
            Some(Role::CustomerServiceManager) => Approver::CustomerServiceManager,
            Some(Role::FinanceManager) => Approver::FinanceManager,
            _ => {
                return Err(ServerError::Forbidden(
                    "只有客服经理和财务经理可以审批接待费用 / only the customer-service manager \
                     and the finance manager decide reception expenses"
                        .into(),
                ));
            }
        };
        let act = self.action(viewer);
        self.hub
            .edit_as(&viewer.user, id, |doc| {
                doc.update::<ReceptionNote>(|n| decide_expense(n, who, approved, comment, &act))
                    .map(drop)
            })
            .await
    }

    /// Answers a customer proposal collected on a return visit.
    pub async fn answer_proposal(
        &self,
        viewer: &Viewer,
        id: RecordId,
        proposal: &str,
        outcome: &str,
        answer: &str,
    ) -> Result<EditOutcome> {
        let outcome = ProposalOutcome::parse_str(outcome);
        let act = self.action(viewer);
        self.hub
            .edit_as(&viewer.user, id, |doc| {
                doc.update::<ReturnVisitReport>(|r| {
                    return_visit_proposals::answer_proposal(
                        r,
                        proposal,
                        outcome.clone(),
                        answer,
                        &act,
                    )
                })
                .map(drop)
            })
            .await
    }

    /// The rep's supervisor acknowledges her submitted daily log (seed 003), with an optional
    /// comment; the judge refuses anyone else, and a second acknowledgement.
    pub async fn acknowledge_log(
        &self,
        viewer: &Viewer,
        id: RecordId,
        comment: &str,
    ) -> Result<EditOutcome> {
        let act = self.action(viewer);
        self.hub
            // A record of another kind is refused by `update` itself (409, as for a review).
            .edit_as(&viewer.user, id, |doc| {
                doc.update::<DailyLog>(|l| daily_log::acknowledge(l, comment, &act))
                    .map(drop)
            })
            .await
    }

    /// Hands a lead or a customer to another rep (a field rep or supervisor): the new owner,
    /// and a customer's dedicated rep if it had one.
    pub async fn reassign(
        &self,
        viewer: &Viewer,
        id: RecordId,
        to: &Reassign,
    ) -> Result<EditOutcome> {
        let role = self.hub.access().dir.role(&to.to);
        if !matches!(role, Some(Role::FieldRep | Role::Supervisor)) {
            return Err(ServerError::Invalid(format!(
                "“{}”不是业务员或主管 / `{}` is not a field rep or supervisor",
                to.to, to.to
            )));
        }
        let to = to.to.clone();
        self.hub
            .edit_as(&viewer.user, id, move |doc| reassign_doc(doc, to.clone()))
            .await
    }
}

fn reassign_doc(doc: &mut RecordDoc, to: UserId) -> fieldbook_core::Result<()> {
    match doc.kind() {
        Some(RecordKind::LeadReferral) => doc
            .update::<LeadReferral>(|l| {
                l.meta.owner = to;
                Ok(())
            })
            .map(drop),
        Some(RecordKind::Customer) => doc
            .update::<Customer>(|c| {
                if c.dedicated_rep.is_some() {
                    c.dedicated_rep = Some(to.clone());
                }
                c.meta.owner = to;
                Ok(())
            })
            .map(drop),
        _ => Err(fieldbook_core::Error::InvalidInput {
            field: "kind".into(),
            message: "只能转交线索或客户 / only a lead or a customer can be reassigned".into(),
        }),
    }
}

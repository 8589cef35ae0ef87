//! The steps of a customer file (seeds 001, 002, 003): regrading, recording and withdrawing a
//! contact's consent, and logging a contact made (the dormant-customer call, the weekly contact
//! of a key customer) with its outcome.

use std::sync::Arc;

use fieldbook_core::rules::customer;

use crate::background::run;
use crate::enums::{CallOutcome, CustomerGrade, FollowUpChannel};
use crate::error::Result;
use crate::records::Customer;
use crate::store::FieldbookStore;

/// What a rep writes after contacting a customer. `note` (what was said) is required unless the
/// person was not reached.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CustomerContactNote {
    /// The `Contact.id` of the person called; the person must have consented.
    pub contact_id: String,
    pub channel: FollowUpChannel,
    pub outcome: CallOutcome,
    #[uniffi(default)]
    pub note: String,
}

#[uniffi::export]
impl FieldbookStore {
    /// Changes a customer's grade (ABC), with the reason; kept in `gradeHistory`. Only a
    /// supervisor of the customer's rep or the marketing manager may.
    pub async fn grade_customer(
        self: Arc<Self>,
        customer_id: String,
        grade: CustomerGrade,
        reason: String,
    ) -> Result<Customer> {
        run(move || {
            self.act::<Customer>(&customer_id, |c, a| {
                customer::regrade(c, grade.into(), &reason, a)
            })
        })
        .await
    }

    /// Records, now, that contact `contact_id` consents to be contacted: how (`channel`) and for
    /// what (`purpose`, required).
    pub async fn record_consent(
        self: Arc<Self>,
        customer_id: String,
        contact_id: String,
        channel: String,
        purpose: String,
    ) -> Result<Customer> {
        run(move || {
            self.act::<Customer>(&customer_id, |c, a| {
                customer::record_consent(c, &contact_id, &channel, &purpose, a)
            })
        })
        .await
    }

    /// Records, now, that contact `contact_id` withdrew consent; final: no contact is logged
    /// with the person afterwards.
    pub async fn withdraw_consent(
        self: Arc<Self>,
        customer_id: String,
        contact_id: String,
    ) -> Result<Customer> {
        run(move || {
            self.act::<Customer>(&customer_id, |c, a| {
                customer::withdraw_consent(c, &contact_id, a)
            })
        })
        .await
    }

    /// Logs a contact made with the customer now (the call to a dormant customer, the weekly
    /// contact of a key customer) and its outcome.
    pub async fn log_customer_contact(
        self: Arc<Self>,
        customer_id: String,
        note: CustomerContactNote,
    ) -> Result<Customer> {
        run(move || {
            let note = customer::ContactNote {
                contact_id: note.contact_id,
                channel: note.channel.into(),
                outcome: note.outcome.into(),
                note: note.note,
            };
            self.act::<Customer>(&customer_id, |c, a| customer::log_contact(c, &note, a))
        })
        .await
    }
}

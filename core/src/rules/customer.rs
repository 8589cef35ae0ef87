//! The customer file (客户档案) — seeds 001, 002, 003. The steps a person takes on a customer;
//! the lifecycle judge (`crate::lifecycle`, customer) checks the same rules on every write.
//!
//! - A-grade customer data may be read only by a marketing manager or above (seed 001 §3.6):
//!   below that level the record is shown with contacts, budget, needs, habits, the reception
//!   card, the notes and the contact log withheld ([`visible_to`]).
//! - Grades are changed by a supervisor (or the marketing manager), with the reason, and every
//!   change is kept in `grade_history` ([`regrade`]; "if the customer's category changes, update
//!   it in time", seed 001 §3.7).
//! - Important customers and key accounts have a reception card (顾客接待卡, seed 001 §2(6)).
//! - Contacts are reached only with consent that was not withdrawn (PIPL Art. 14–15, seed 003);
//!   a withdrawal is final ([`withdraw_consent`]); every contact made is logged on the customer
//!   with its outcome ([`log_contact`]: the dormant-customer call of seed 001 §6, the weekly
//!   contact of a key customer of seed 002).
//!
//! Choices: reading an A-grade customer as a lower role gives a redacted copy rather than an
//! error, so lists still work. A contact who withdrew consent and later consents again is
//! entered as a new contact: the withdrawal stays on record, and the renewal is explicit.

use chrono::{DateTime, Utc};
use serde_json::Value as Json;

use super::Action;
use crate::access::{Role, view_id};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::input::require_text;
use crate::lifecycle::Violation;
use crate::model::{
    CallOutcome, Consent, Contact, ContactLogEntry, Customer, CustomerGrade, FollowUpChannel,
    RecordKind, SCHEMA_VERSION, StringEnum, VisitorCategory,
};

/// Whether `role` may read the whole customer record (seed 001 §3.6: marketing manager).
pub fn may_read_full(customer: &Customer, role: Role) -> bool {
    customer.grade != CustomerGrade::A || role == Role::MarketingManager
}

/// The customer as `role` may see it: A-grade details withheld below marketing manager.
pub fn visible_to(customer: &Customer, role: Role) -> Customer {
    if may_read_full(customer, role) {
        return customer.clone();
    }
    redacted(customer)
}

/// The customer with its contacts and sensitive fields withheld (what a rep and her supervisor
/// see of an A-grade customer).
pub fn redacted(customer: &Customer) -> Customer {
    Customer {
        contacts: Vec::new(),
        budget_cny: None,
        needs: String::new(),
        habits: String::new(),
        reception_card: None,
        notes: String::new(),
        contact_log: Vec::new(),
        ..customer.clone()
    }
}

/// The fields [`redacted`] withholds, as JSON pointers (a history or a conflict under one of
/// them is withheld too).
pub const WITHHELD: [&str; 7] = [
    "/contacts",
    "/budget_cny",
    "/needs",
    "/habits",
    "/reception_card",
    "/notes",
    "/contact_log",
];

/// Whether the JSON pointer `path` is, or is inside, a withheld field.
pub fn is_withheld(path: &str) -> bool {
    WITHHELD.iter().any(|w| {
        path.strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The view document of the A-grade customer `real` (ADR 0013): the record [`redacted`], at its
/// view id, naming the real record in `meta.view_of`. Only the model's fields are kept (a
/// newer app's unknown fields could hold anything).
pub fn view_document(real: RecordId, customer: &Customer) -> Result<Json> {
    let mut view = redacted(customer);
    view.meta.id = view_id(real);
    let mut json =
        serde_json::to_value(&view).map_err(|e| Error::invalid("customer", e.to_string()))?;
    if let Json::Object(map) = &mut json {
        map.insert("kind".into(), Json::from(RecordKind::Customer.as_str()));
        map.insert("schema".into(), Json::from(SCHEMA_VERSION));
    }
    if let Some(Json::Object(meta)) = json.get_mut("meta") {
        meta.insert("view_of".into(), Json::from(real.to_string()));
    }
    Ok(json)
}

/// A rule function's refusal, naming the judge's rule it anticipates (the same text as the
/// judge's refusal of the same write).
fn named(rule: &'static str, e: Error) -> Error {
    match e {
        Error::InvalidInput { field, message } => {
            Violation::new(rule, format!("/{field}"), message).error()
        }
        other => other,
    }
}

/// Whether the customer is one whose visits need a reception card (重要客户, 大客户).
fn is_important(customer: &Customer) -> bool {
    matches!(
        customer.visitor_category,
        VisitorCategory::Important | VisitorCategory::KeyAccount
    )
}

/// Checks that an important customer has a reception card.
pub fn check_reception_card(customer: &Customer) -> Result<()> {
    if is_important(customer) && customer.reception_card.is_none() {
        return Err(Error::invalid(
            "reception_card",
            "重要客户须先填写顾客接待卡 / an important customer needs a reception card first",
        ));
    }
    Ok(())
}

/// Checks that a contact may be contacted at `at`: consent given by then and not withdrawn
/// by then (a call made offline before a withdrawal arrived was made with consent).
pub fn check_may_contact(contact: &Contact, at: DateTime<Utc>) -> Result<()> {
    match &contact.consent {
        Some(c) if c.given_at <= at && c.withdrawn_at.is_none_or(|w| w > at) => Ok(()),
        Some(c) if c.given_at > at => Err(Error::invalid(
            "consent",
            "联系时尚未取得联系人同意 / the contact had not consented yet at that time",
        )),
        Some(_) => Err(Error::invalid(
            "consent",
            "联系人已撤回同意，不得联系 / the contact withdrew consent: do not contact",
        )),
        None => Err(Error::invalid(
            "consent",
            "未取得联系人同意 / no consent recorded for this contact",
        )),
    }
}

fn contact_mut<'a>(customer: &'a mut Customer, contact_id: &str) -> Result<&'a mut Contact> {
    customer
        .contacts
        .iter_mut()
        .find(|c| c.id == contact_id)
        .ok_or_else(|| {
            Error::invalid(
                "contact_id",
                "客户档案中没有这位联系人 / no such contact in the customer file",
            )
        })
}

/// Changes the customer's grade, with the reason; the change is kept in `grade_history`. Who may
/// (a supervisor of the customer's rep, or the marketing manager) is the judge's to say, as for
/// any write of the grade.
pub fn regrade(
    customer: &mut Customer,
    grade: CustomerGrade,
    reason: &str,
    action: &Action,
) -> Result<()> {
    require_text(
        "reason",
        reason,
        "调整等级的原因",
        "the reason for the new grade",
    )
    .map_err(|e| named("customer.grade_history", e))?;
    if grade == customer.grade {
        return Err(Error::invalid(
            "grade",
            "客户已是这个等级 / the customer already has this grade",
        ));
    }
    let from = customer.grade.as_str().to_owned();
    customer
        .grade_history
        .push(action.change(&from, grade.as_str(), reason.trim()));
    customer.grade = grade;
    Ok(())
}

/// Records the contact's consent to be contacted (when, how, for what), now.
pub fn record_consent(
    customer: &mut Customer,
    contact_id: &str,
    channel: &str,
    purpose: &str,
    action: &Action,
) -> Result<()> {
    require_text("purpose", purpose, "同意的用途", "what the consent is for")?;
    let contact = contact_mut(customer, contact_id)?;
    if contact.consent.is_some() {
        return Err(Error::invalid(
            "consent",
            "已记录同意；撤回后须作为新联系人重新登记 / consent is already recorded; after a \
             withdrawal, enter the person again as a new contact",
        ));
    }
    contact.consent = Some(Consent {
        given_at: action.at,
        channel: channel.trim().to_owned(),
        purpose: purpose.trim().to_owned(),
        withdrawn_at: None,
    });
    Ok(())
}

/// Records that the contact withdrew consent, now; final.
pub fn withdraw_consent(customer: &mut Customer, contact_id: &str, action: &Action) -> Result<()> {
    let contact = contact_mut(customer, contact_id)?;
    match contact.consent.as_mut() {
        Some(c) if c.withdrawn_at.is_none() => {
            c.withdrawn_at = Some(action.at);
            Ok(())
        }
        Some(_) => Err(Error::invalid(
            "consent",
            "联系人已撤回同意 / the contact has already withdrawn consent",
        )),
        None => Err(Error::invalid(
            "consent",
            "未取得联系人同意 / no consent recorded for this contact",
        )),
    }
}

/// What a rep writes after contacting a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactNote {
    pub contact_id: String,
    pub channel: FollowUpChannel,
    pub outcome: CallOutcome,
    pub note: String,
}

/// Logs a contact made with the customer, now, by the acting rep: the person must have
/// consented; what was said is required unless the person was not reached.
pub fn log_contact(customer: &mut Customer, note: &ContactNote, action: &Action) -> Result<()> {
    let contact = contact_mut(customer, &note.contact_id)?;
    check_may_contact(contact, action.at)
        .map_err(|e| named("customer.contact_needs_consent", e))?;
    if note.outcome != CallOutcome::NotReached {
        require_text("note", &note.note, "通话内容", "what was said")?;
    }
    customer.contact_log.push(ContactLogEntry {
        id: action.entry_id.clone(),
        at: action.at,
        by: action.by.clone(),
        contact_id: note.contact_id.clone(),
        channel: note.channel.clone(),
        outcome: note.outcome.clone(),
        note: note.note.trim().to_owned(),
    });
    Ok(())
}

#[cfg(test)]
#[path = "customer_tests.rs"]
mod tests;

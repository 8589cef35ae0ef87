//! The six kinds of record as uniffi records (Kotlin data classes, Swift structs), mirrored from
//! the core's models with one `From` (core → app) and one `TryFrom` (app → core, validating ids,
//! user names and times) per type. Every field the app may leave out has a default, so creating a
//! lead in Kotlin is `LeadReferral(source = …, grade = …, status = …, prospect = Prospect(name = …))`.

mod customer;
mod daily_log;
mod lead;
mod reception;
mod return_visit;
mod visit_event;
mod visit_plan;

use std::time::SystemTime;

use fieldbook_core::model as core;

pub use customer::{Consent, Contact, ContactLogEntry, Customer, ReceptionCard};
pub use daily_log::{Acknowledgement, DailyLog, LogEntry};
pub use lead::{FollowUp, LeadReferral, LostRequest, Prospect, ScannedCard, StageChange};
pub use reception::{Approval, ExpenseApplication, ReceptionNote, Reimbursement, VisitVoucher};
pub use return_visit::{
    CarriedMaterial, Proposal, ProposalExtension, ReturnVisitReport, Review, Satisfaction,
    VisitExpense,
};
pub use visit_event::{Event, EventFollowUp, InvitationTarget, Invitee};
pub use visit_plan::{Confirmation, Reschedule, StatusChange, VisitPlan};

use crate::convert::{dt, record_id, ts, user};
use crate::error::{FieldbookError, Result};

/// Who made a record, when and on which device, and who is responsible for it now. The store
/// fills it in on create; an app sets only `owner` (empty = the signed-in user) and, rarely,
/// `id` (empty = a fresh id).
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct RecordMeta {
    #[uniffi(default)]
    pub id: String,
    #[uniffi(default)]
    pub created_at: Option<SystemTime>,
    #[uniffi(default)]
    pub created_by: String,
    #[uniffi(default)]
    pub created_on: String,
    #[uniffi(default)]
    pub owner: String,
}

impl From<core::RecordMeta> for RecordMeta {
    fn from(m: core::RecordMeta) -> Self {
        RecordMeta {
            id: m.id.to_string(),
            created_at: Some(ts(m.created_at)),
            created_by: m.created_by.to_string(),
            created_on: m.created_on.to_string(),
            owner: m.owner.to_string(),
        }
    }
}

impl TryFrom<RecordMeta> for core::RecordMeta {
    type Error = FieldbookError;
    fn try_from(m: RecordMeta) -> Result<Self> {
        Ok(core::RecordMeta {
            id: if m.id.is_empty() {
                fieldbook_core::RecordId::default()
            } else {
                record_id("meta.id", &m.id)?
            },
            created_at: match m.created_at {
                Some(at) => dt("meta.created_at", at)?,
                None => Default::default(),
            },
            created_by: user("meta.created_by", m.created_by)?,
            created_on: if m.created_on.is_empty() {
                Default::default()
            } else {
                m.created_on.parse().map_err(|e: fieldbook_core::Error| {
                    FieldbookError::invalid("meta.created_on", e.to_string())
                })?
            },
            owner: user("meta.owner", m.owner)?,
        })
    }
}

/// An app-side record and the core model it mirrors.
pub(crate) trait FfiRecord:
    Sized + Send + 'static + TryInto<Self::Core, Error = FieldbookError>
{
    type Core: core::Record + Into<Self>;
    fn meta(&self) -> &RecordMeta;
}

macro_rules! ffi_record {
    ($($t:ident),+) => {
        $(impl FfiRecord for $t {
            type Core = core::$t;
            fn meta(&self) -> &RecordMeta {
                &self.meta
            }
        })+
    };
}
ffi_record!(
    Customer,
    VisitPlan,
    ReceptionNote,
    ReturnVisitReport,
    LeadReferral
);

/// Converts each element, naming the failing list in the error.
pub(crate) fn try_vec<A, B>(items: Vec<A>) -> Result<Vec<B>>
where
    A: TryInto<B, Error = FieldbookError>,
{
    items.into_iter().map(TryInto::try_into).collect()
}

pub(crate) fn vec_into<A: Into<B>, B>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(Into::into).collect()
}

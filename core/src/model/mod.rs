//! The six kinds of record, as typed models. Each is stored as one Automerge document whose
//! root map holds the record's fields (as serde writes them) plus `kind` and `schema`.
//!
//! Models are plain data: every field has a default, so a document written by an older version
//! (missing fields) still reads, and enums keep values they do not know (written by a newer
//! version) as `Other`, so reading never fails on a newer document and an edit never rewrites a
//! field it did not change.

mod customer;
mod daily_log;
mod enums;
mod lead;
mod reception;
mod return_visit;
mod visit_plan;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub use customer::{
    CallOutcome, Consent, Contact, ContactLogEntry, Customer, CustomerGrade, ReceptionCard,
    VisitorCategory,
};
pub use daily_log::{Acknowledgement, DailyLog, LogEntry};
pub use enums::{RecordKind, StringEnum};
pub use lead::{
    CaptureFormat, FollowUp, FollowUpChannel, LeadGrade, LeadReferral, LeadSource, LeadStatus,
    LostRequest, PipelineStage, Prospect, ScannedCard, StageChange,
};
pub use reception::{
    Approval, ExpenseApplication, ReceptionNote, ReceptionStatus, Reimbursement, VisitVoucher,
};
pub use return_visit::{
    CarriedMaterial, Department, Proposal, ProposalChannel, ProposalExtension, ProposalOutcome,
    ReturnVisitReport, Review, Satisfaction, VisitExpense,
};
pub use visit_plan::{
    Confirmation, ConfirmationKind, Event, EventFollowUp, EventKind, InvitationMethod,
    InvitationTarget, Invitee, Reschedule, StatusChange, VisitPlan, VisitStatus,
};

use crate::ids::{DeviceId, RecordId, UserId};

/// The schema version this build writes into every document.
pub const SCHEMA_VERSION: u64 = 1;

/// Who made a record, when and where; and who is responsible for it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RecordMeta {
    pub id: RecordId,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    pub created_on: DeviceId,
    /// The person responsible for the record (the rep, for most records).
    pub owner: UserId,
}

/// What the device keeps in its query table for one record (the projection).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexEntry {
    pub title: String,
    pub customer_id: Option<RecordId>,
    pub status: Option<String>,
    pub grade: Option<String>,
    /// The record's key moment: a visit's time, a report's visit date, a lead's registration.
    pub key_at: Option<DateTime<Utc>>,
}

/// A kind of record.
pub trait Record: Serialize + DeserializeOwned + Clone + std::fmt::Debug + Send + 'static {
    const KIND: RecordKind;
    fn meta(&self) -> &RecordMeta;
    fn meta_mut(&mut self) -> &mut RecordMeta;
    fn index_entry(&self) -> IndexEntry;
}

macro_rules! impl_record {
    ($t:ty, $kind:expr, |$s:ident| $index:expr) => {
        impl $crate::model::Record for $t {
            const KIND: $crate::model::RecordKind = $kind;
            fn meta(&self) -> &$crate::model::RecordMeta {
                &self.meta
            }
            fn meta_mut(&mut self) -> &mut $crate::model::RecordMeta {
                &mut self.meta
            }
            fn index_entry(&self) -> $crate::model::IndexEntry {
                let $s = self;
                $index
            }
        }
    };
}
pub(crate) use impl_record;

//! The core's closed vocabularies (grades, statuses, channels) as Kotlin sealed classes and Swift
//! enums. Each keeps an `Other` case holding a value written by a newer app version, so reading
//! never fails and writing a record back never rewrites a value this build does not know.

use fieldbook_core::model as core;

use crate::error::FieldbookError;

macro_rules! ffi_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($var,)+
            /// A value written by a newer version of Fieldbook, kept as it is.
            Other { value: String },
        }
        impl From<core::$name> for $name {
            fn from(v: core::$name) -> Self {
                match v {
                    $(core::$name::$var => $name::$var,)+
                    core::$name::Other(value) => $name::Other { value },
                }
            }
        }
        impl From<$name> for core::$name {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$var => core::$name::$var,)+
                    $name::Other { value } => {
                        <core::$name as core::StringEnum>::parse_str(&value)
                    }
                }
            }
        }
    };
}

ffi_enum!(
    /// ABC classification by value (关键/主要/普通客户).
    CustomerGrade { A, B, C }
);
ffi_enum!(
    /// Visitor category for receptions (机关/组织, 大客户, 重要客户, 一般客户).
    VisitorCategory { Government, KeyAccount, Important, General }
);
ffi_enum!(
    /// What came of a call to a customer (will order, no order yet, lost, not reached).
    CallOutcome { WillOrder, NoOrderYet, Lost, NotReached }
);
ffi_enum!(
    /// Where a lead came from.
    LeadSource { Referral, TradeShow, Phone, Web, Partner, WalkIn }
);
ffi_enum!(
    /// Intent grade: H order today, A this month, B, C some intent, D none.
    LeadGrade { H, A, B, C, D }
);
ffi_enum!(
    /// Where a lead stands.
    LeadStatus { Open, Won, Invoiced, Lost, Duplicate }
);
ffi_enum!(
    /// Pipeline stage (seed 003 跟进流程): contact → needs → proposal → price → contract.
    PipelineStage { Contact, Needs, Proposal, Price, Contract }
);
ffi_enum!(
    /// The kind of QR payload a lead was scanned from (trade-show capture).
    CaptureFormat { VCard21, VCard30, VCard40, MeCard, Text }
);
ffi_enum!(
    /// How a follow-up was made.
    FollowUpChannel { Phone, Visit, Sms, Email, WeChat, Misc }
);
ffi_enum!(
    /// Where a visit plan stands.
    VisitStatus {
        Planned, Invited, Accepted, Declined, Attended, NoShow, Cancelled
    }
);
ffi_enum!(
    /// How the customer was invited.
    InvitationMethod { Phone, Email, Sms, OnSite }
);
ffi_enum!(
    /// Which appointment confirmation was made.
    ConfirmationKind { FiveWorkingDays, OneHour }
);
ffi_enum!(
    /// What kind of event customers are invited to (活动或会议).
    EventKind { Meeting, Seminar, ProductLaunch, Exhibition }
);
ffi_enum!(
    /// Where a reception stands.
    ReceptionStatus { Planned, Held, Cancelled }
);
/// Who decides a reception expense (客服经理, then 财务经理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ExpenseApprover {
    CustomerServiceManager,
    FinanceManager,
}

impl From<ExpenseApprover> for fieldbook_core::rules::reception::Approver {
    fn from(a: ExpenseApprover) -> Self {
        match a {
            ExpenseApprover::CustomerServiceManager => Self::CustomerServiceManager,
            ExpenseApprover::FinanceManager => Self::FinanceManager,
        }
    }
}

ffi_enum!(
    /// The answer to a customer proposal.
    ProposalOutcome { Pending, Accepted, Kept, Rejected }
);
ffi_enum!(
    /// How a customer proposal was taken (当面、电话、电子邮件).
    ProposalChannel { InPerson, Phone, Email }
);
ffi_enum!(
    /// The department a proposal is routed to; its manager answers it.
    Department { Marketing, CustomerService, Finance }
);

/// The six kinds of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RecordKind {
    Customer,
    VisitPlan,
    ReceptionNote,
    ReturnVisitReport,
    LeadReferral,
    DailyLog,
}

impl From<RecordKind> for core::RecordKind {
    fn from(k: RecordKind) -> Self {
        match k {
            RecordKind::Customer => core::RecordKind::Customer,
            RecordKind::VisitPlan => core::RecordKind::VisitPlan,
            RecordKind::ReceptionNote => core::RecordKind::ReceptionNote,
            RecordKind::ReturnVisitReport => core::RecordKind::ReturnVisitReport,
            RecordKind::LeadReferral => core::RecordKind::LeadReferral,
            RecordKind::DailyLog => core::RecordKind::DailyLog,
        }
    }
}

impl TryFrom<core::RecordKind> for RecordKind {
    type Error = FieldbookError;
    fn try_from(k: core::RecordKind) -> Result<Self, FieldbookError> {
        Ok(match k {
            core::RecordKind::Customer => RecordKind::Customer,
            core::RecordKind::VisitPlan => RecordKind::VisitPlan,
            core::RecordKind::ReceptionNote => RecordKind::ReceptionNote,
            core::RecordKind::ReturnVisitReport => RecordKind::ReturnVisitReport,
            core::RecordKind::LeadReferral => RecordKind::LeadReferral,
            core::RecordKind::DailyLog => RecordKind::DailyLog,
            core::RecordKind::Other(s) => {
                return Err(FieldbookError::invalid(
                    "kind",
                    format!("未知的记录类型 / unknown record kind `{s}`"),
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        let newer = core::LeadGrade::Other("S".into());
        let ffi = LeadGrade::from(newer.clone());
        assert_eq!(ffi, LeadGrade::Other { value: "S".into() });
        assert_eq!(core::LeadGrade::from(ffi), newer);
        assert_eq!(core::LeadGrade::from(LeadGrade::H), core::LeadGrade::H);
    }
}

//! Closed vocabularies (grades, statuses, channels) stored as short strings. A value this build
//! does not know reads as `Other(text)` and is written back unchanged.

use serde::{Deserialize, Deserializer, Serializer};

/// Common behaviour of the string-backed enums.
pub trait StringEnum: Sized + 'static {
    /// Every known value, in display order.
    const ALL: &'static [Self];
    fn as_str(&self) -> &str;
    fn parse_str(s: &str) -> Self;
}

macro_rules! string_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? } default $def:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $var,)+
            /// A value written by a newer version of Fieldbook.
            Other(String),
        }
        impl $crate::model::StringEnum for $name {
            const ALL: &'static [Self] = &[$($name::$var),+];
            fn as_str(&self) -> &str {
                match self { $($name::$var => $s,)+ $name::Other(s) => s.as_str() }
            }
            fn parse_str(s: &str) -> Self {
                match s { $($s => $name::$var,)+ other => $name::Other(other.to_owned()) }
            }
        }
        impl Default for $name {
            fn default() -> Self { $name::$def }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::model::StringEnum::as_str(self))
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::model::enums::serialize_str(self, s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::model::enums::deserialize_str(d)
            }
        }
    };
}
pub(crate) use string_enum;

pub(crate) fn serialize_str<E: StringEnum, S: Serializer>(e: &E, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(e.as_str())
}

pub(crate) fn deserialize_str<'de, E: StringEnum, D: Deserializer<'de>>(
    d: D,
) -> Result<E, D::Error> {
    let s = String::deserialize(d)?;
    Ok(E::parse_str(&s))
}

string_enum! {
    /// The six kinds of record.
    pub enum RecordKind {
        Customer = "customer",
        VisitPlan = "visit_plan",
        ReceptionNote = "reception_note",
        ReturnVisitReport = "return_visit_report",
        LeadReferral = "lead_referral",
        DailyLog = "daily_log",
    } default Customer
}

impl RecordKind {
    /// The Chinese name shown to users.
    pub fn label_zh(&self) -> &str {
        match self {
            RecordKind::Customer => "客户档案",
            RecordKind::VisitPlan => "拜访计划",
            RecordKind::ReceptionNote => "来访接待",
            RecordKind::ReturnVisitReport => "回访报告",
            RecordKind::LeadReferral => "线索",
            RecordKind::DailyLog => "拜访记录表",
            RecordKind::Other(s) => s,
        }
    }
}

//! One merged record as the back office sees it: its JSON, its typed model, the row a list
//! shows, and its searchable text — derived once per version of the record (keyed by heads).

use chrono::{DateTime, Utc};
use fieldbook_core::access::Directory;
use fieldbook_core::model::{
    Customer, DailyLog, LeadReferral, ReceptionNote, Record, RecordKind, ReturnVisitReport,
    StringEnum, VisitPlan,
};
use fieldbook_core::search::{SearchDoc, record_fields};
use fieldbook_core::{RecordId, UserId};
use serde::Serialize;
use serde_json::Value as Json;
use utoipa::ToSchema;

/// How a list, a record page and an export show a creation time nobody knows.
pub const UNKNOWN_TIME: &str = "未知 / unknown";

/// A record parsed into its typed model.
#[derive(Debug, Clone)]
pub enum Typed {
    Customer(Customer),
    VisitPlan(VisitPlan),
    /// Boxed: the largest model (its expense approvals record what they cover).
    ReceptionNote(Box<ReceptionNote>),
    ReturnVisitReport(ReturnVisitReport),
    /// Boxed: leads grew a pipeline and a lost request (issue 17).
    LeadReferral(Box<LeadReferral>),
    DailyLog(DailyLog),
    /// A kind this build does not know, or a document that does not match its model.
    Unknown,
}

impl Typed {
    fn parse(kind: &RecordKind, json: &Json) -> Typed {
        fn p<R: Record>(json: &Json) -> Option<R> {
            serde_json::from_value(json.clone()).ok()
        }
        let parsed = match kind {
            RecordKind::Customer => p(json).map(Typed::Customer),
            RecordKind::VisitPlan => p(json).map(Typed::VisitPlan),
            RecordKind::ReceptionNote => p(json).map(|n| Typed::ReceptionNote(Box::new(n))),
            RecordKind::ReturnVisitReport => p(json).map(Typed::ReturnVisitReport),
            RecordKind::LeadReferral => p(json).map(|l| Typed::LeadReferral(Box::new(l))),
            RecordKind::DailyLog => p(json).map(Typed::DailyLog),
            RecordKind::Other(_) => None,
        };
        parsed.unwrap_or(Typed::Unknown)
    }

    fn index_entry(&self) -> Option<fieldbook_core::model::IndexEntry> {
        Some(match self {
            Typed::Customer(r) => r.index_entry(),
            Typed::VisitPlan(r) => r.index_entry(),
            Typed::ReceptionNote(r) => r.index_entry(),
            Typed::ReturnVisitReport(r) => r.index_entry(),
            Typed::LeadReferral(r) => r.index_entry(),
            Typed::DailyLog(r) => r.index_entry(),
            Typed::Unknown => return None,
        })
    }

    fn meta(&self) -> Option<&fieldbook_core::RecordMeta> {
        Some(match self {
            Typed::Customer(r) => &r.meta,
            Typed::VisitPlan(r) => &r.meta,
            Typed::ReceptionNote(r) => &r.meta,
            Typed::ReturnVisitReport(r) => &r.meta,
            Typed::LeadReferral(r) => &r.meta,
            Typed::DailyLog(r) => &r.meta,
            Typed::Unknown => return None,
        })
    }

    /// The rep responsible: a visit's or report's rep, a customer's dedicated rep, a
    /// reception's host; else the owner.
    fn rep(&self) -> Option<UserId> {
        let named = match self {
            Typed::VisitPlan(r) => Some(&r.rep),
            Typed::ReturnVisitReport(r) => Some(&r.rep),
            Typed::Customer(r) => r.dedicated_rep.as_ref(),
            Typed::ReceptionNote(r) => Some(&r.host),
            Typed::DailyLog(r) => Some(&r.rep),
            Typed::LeadReferral(_) | Typed::Unknown => None,
        };
        named
            .filter(|u| !u.as_str().is_empty())
            .or_else(|| self.meta().map(|m| &m.owner))
            .filter(|u| !u.as_str().is_empty())
            .cloned()
    }
}

/// One record as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RecordRow {
    #[schema(value_type = String)]
    pub id: RecordId,
    /// `customer`, `visit_plan`, `reception_note`, `return_visit_report`, `lead_referral`,
    /// `daily_log`.
    pub kind: String,
    /// The kind's Chinese name (客户档案, …).
    pub kind_label: String,
    pub title: String,
    /// The rep responsible (see the API docs).
    #[schema(value_type = Option<String>)]
    pub rep: Option<UserId>,
    /// The rep's team.
    pub team: Option<String>,
    #[schema(value_type = Option<String>)]
    pub owner: Option<UserId>,
    #[schema(value_type = Option<String>)]
    pub customer_id: Option<RecordId>,
    pub status: Option<String>,
    /// A customer's ABC grade, a lead's HABCD grade, a reception's visitor category.
    pub grade: Option<String>,
    /// The record's key moment: a visit's time, a report's visit date, a lead's registration,
    /// a customer's last purchase.
    pub key_at: Option<DateTime<Utc>>,
    /// When the record was created: its `meta.created_at`; for a record that does not say
    /// (stock clients write none), when the server first stored it; `None` when neither is
    /// known (shown as 未知 / unknown, never as 1970).
    pub created_at: Option<DateTime<Utc>>,
    /// An A-grade customer shown with its details withheld (the viewer is below marketing
    /// manager; see `A_GRADE_NOTICE`).
    pub redacted: bool,
}

/// What the back office derives from one version of a record.
#[derive(Debug, Clone)]
pub struct Derived {
    pub heads_key: String,
    pub json: Json,
    pub typed: Typed,
    /// The row without its team (teams change with the directory, not the record).
    pub row: RecordRow,
    pub search: SearchDoc,
    /// When the server first stored the record, looked up only for a record without its own
    /// creation time (and kept across its versions: it never changes).
    pub first_stored_at: Option<DateTime<Utc>>,
}

impl Derived {
    pub fn new(id: RecordId, json: Json, heads_key: String) -> Derived {
        let kind = RecordKind::parse_str(json.get("kind").and_then(Json::as_str).unwrap_or(""));
        let typed = Typed::parse(&kind, &json);
        let entry = typed.index_entry().unwrap_or_default();
        let meta = typed.meta();
        let row = RecordRow {
            id,
            kind: kind.as_str().to_owned(),
            kind_label: kind.label_zh().to_owned(),
            title: entry.title.clone(),
            rep: typed.rep(),
            team: None,
            owner: meta.map(|m| m.owner.clone()),
            customer_id: entry.customer_id,
            status: entry.status,
            grade: entry.grade,
            key_at: entry.key_at,
            // A missing `meta.created_at` reads as the model's default, 1970-01-01.
            created_at: meta.map(|m| m.created_at).filter(|t| t.timestamp() > 0),
            redacted: false,
        };
        let search = SearchDoc {
            id,
            kind: kind.clone(),
            title: entry.title,
            fields: record_fields(&kind, &json),
        };
        Derived {
            heads_key,
            json,
            typed,
            row,
            search,
            first_stored_at: None,
        }
    }

    /// Whether the record says when it was created (see [`RecordRow::created_at`]).
    pub fn knows_created_at(&self) -> bool {
        self.row.created_at.is_some()
    }

    /// The record whose creation time is unknown, dated by when the server first stored it.
    pub fn first_stored(mut self, at: Option<DateTime<Utc>>) -> Derived {
        self.first_stored_at = at;
        self.row.created_at = at;
        self
    }

    /// The row, with the rep's team from the directory.
    pub fn row_in(&self, dir: &Directory) -> RecordRow {
        let team = self
            .row
            .rep
            .as_ref()
            .and_then(|r| dir.person(r))
            .and_then(|p| p.team.clone());
        RecordRow {
            team,
            ..self.row.clone()
        }
    }

    pub fn is_customer(&self) -> bool {
        matches!(self.typed, Typed::Customer(_))
    }
}

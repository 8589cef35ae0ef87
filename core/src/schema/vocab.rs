//! The closed vocabularies (grades, statuses, channels) and where they are used. The models
//! read a value they do not know as `Other(text)` (ADR 0001), so the type alone cannot refuse
//! one; this table can. The values come from the enums themselves (`StringEnum::ALL`), and a
//! test (`every_enum_field_is_in_the_vocabulary_table`) fails when a model gains an enum field
//! that is not listed here.

use serde_json::Value as Json;

use super::{Flaw, Problem};
use crate::model::{
    CallOutcome, CaptureFormat, ConfirmationKind, CustomerGrade, Department, EventKind,
    FollowUpChannel, InvitationMethod, LeadGrade, LeadSource, LeadStatus, PipelineStage,
    ProposalChannel, ProposalOutcome, ReceptionStatus, RecordKind, StringEnum, VisitStatus,
    VisitorCategory,
};

/// One enum field: the record kind, its JSON pointer (`*`: every entry of a list), and the
/// values this build knows.
pub(crate) struct Vocab {
    pub(crate) kind: RecordKind,
    pub(crate) pointer: &'static str,
    pub(crate) values: fn() -> Vec<&'static str>,
}

fn values<E: StringEnum>() -> Vec<&'static str> {
    E::ALL.iter().map(StringEnum::as_str).collect()
}

const fn vocab(
    kind: RecordKind,
    pointer: &'static str,
    values: fn() -> Vec<&'static str>,
) -> Vocab {
    Vocab {
        kind,
        pointer,
        values,
    }
}

/// Every enum field of every model.
pub(crate) static VOCABULARY: &[Vocab] = &[
    vocab(RecordKind::Customer, "/grade", values::<CustomerGrade>),
    vocab(
        RecordKind::Customer,
        "/visitor_category",
        values::<VisitorCategory>,
    ),
    vocab(
        RecordKind::Customer,
        "/contact_log/*/channel",
        values::<FollowUpChannel>,
    ),
    vocab(
        RecordKind::Customer,
        "/contact_log/*/outcome",
        values::<CallOutcome>,
    ),
    vocab(RecordKind::LeadReferral, "/source", values::<LeadSource>),
    vocab(RecordKind::LeadReferral, "/grade", values::<LeadGrade>),
    vocab(RecordKind::LeadReferral, "/status", values::<LeadStatus>),
    vocab(RecordKind::LeadReferral, "/stage", values::<PipelineStage>),
    vocab(
        RecordKind::LeadReferral,
        "/capture/format",
        values::<CaptureFormat>,
    ),
    vocab(
        RecordKind::LeadReferral,
        "/stage_changes/*/from",
        values::<PipelineStage>,
    ),
    vocab(
        RecordKind::LeadReferral,
        "/stage_changes/*/to",
        values::<PipelineStage>,
    ),
    vocab(
        RecordKind::LeadReferral,
        "/follow_ups/*/channel",
        values::<FollowUpChannel>,
    ),
    vocab(RecordKind::VisitPlan, "/status", values::<VisitStatus>),
    vocab(
        RecordKind::VisitPlan,
        "/invitation_method",
        values::<InvitationMethod>,
    ),
    vocab(
        RecordKind::VisitPlan,
        "/confirmations/*/kind",
        values::<ConfirmationKind>,
    ),
    vocab(RecordKind::VisitPlan, "/event/kind", values::<EventKind>),
    vocab(
        RecordKind::VisitPlan,
        "/event/invitees/*/status",
        values::<VisitStatus>,
    ),
    vocab(
        RecordKind::VisitPlan,
        "/event/invitees/*/method",
        values::<InvitationMethod>,
    ),
    vocab(
        RecordKind::ReceptionNote,
        "/category",
        values::<VisitorCategory>,
    ),
    vocab(
        RecordKind::ReceptionNote,
        "/status",
        values::<ReceptionStatus>,
    ),
    vocab(
        RecordKind::ReturnVisitReport,
        "/proposals/*/outcome",
        values::<ProposalOutcome>,
    ),
    vocab(
        RecordKind::ReturnVisitReport,
        "/proposals/*/channel",
        values::<ProposalChannel>,
    ),
    vocab(
        RecordKind::ReturnVisitReport,
        "/proposals/*/department",
        values::<Department>,
    ),
];

/// Refuses the first enum value of the record that this build does not know.
pub(super) fn check(kind: &RecordKind, json: &Json) -> Result<(), Flaw> {
    for v in VOCABULARY.iter().filter(|v| v.kind == *kind) {
        let known = (v.values)();
        let mut found = Vec::new();
        matches(
            json,
            v.pointer.trim_start_matches('/'),
            String::new(),
            &mut found,
        );
        for (pointer, value) in found {
            match value {
                Json::Null => {}
                Json::String(s) if known.contains(&s.as_str()) => {}
                _ => return Err((pointer, Problem::UnknownValue)),
            }
        }
    }
    Ok(())
}

/// Every value at `pattern` (segments separated by `/`, `*` for every list entry), with its
/// pointer.
pub(crate) fn matches<'a>(
    json: &'a Json,
    pattern: &str,
    at: String,
    out: &mut Vec<(String, &'a Json)>,
) {
    let (head, rest) = match pattern.split_once('/') {
        Some((h, r)) => (h, Some(r)),
        None => (pattern, None),
    };
    let children: Vec<(String, &Json)> = match (head, json) {
        ("*", Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(n, v)| (format!("{at}/{n}"), v))
            .collect(),
        (key, Json::Object(map)) => map
            .get(key)
            .map(|v| (format!("{at}/{key}"), v))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    for (pointer, child) in children {
        match rest {
            Some(rest) => matches(child, rest, pointer, out),
            None => out.push((pointer, child)),
        }
    }
}

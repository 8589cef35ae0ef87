//! What the day produced that the night checks: every edit someone made, and the records of
//! each story of the day (the contested visit, the event, the pipeline, the proposal).

use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

use crate::fleet::Device;

/// An edit someone made: `pointer` of `record` must show `value` after the merge, or hold it as
/// one of a conflict's values.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub record: RecordId,
    pub pointer: String,
    pub value: Json,
    pub by: UserId,
}

/// What the day produced that the night checks.
#[derive(Debug, Default)]
pub struct Ledger {
    pub expected: Vec<Expectation>,
    /// Every visit assigned, all days.
    pub visits: Vec<(UserId, RecordId)>,
    /// Today's visits.
    pub today: Vec<(UserId, RecordId)>,
    /// The customer two reps both look after (owner and dedicated rep).
    pub shared_customer: Option<RecordId>,
    /// The reception with an expense application, and who hosts it.
    pub reception: Option<(UserId, RecordId)>,
    /// The visit both the supervisor and its rep edited offline.
    pub contested_visit: Option<RecordId>,
    /// The two leads for one prospect.
    pub contested_leads: Vec<RecordId>,
    pub leads: Vec<RecordId>,
    /// The event (seminar) with its invitees, organised by a rep.
    pub event: Option<(UserId, RecordId)>,
    /// The lead taken through the pipeline to an invoice, and its rep.
    pub pipeline: Option<(UserId, RecordId)>,
    /// The return-visit report holding a customer's proposal, its rep, and the proposal's id.
    pub proposal: Option<(UserId, RecordId, String)>,
}

impl Ledger {
    pub(crate) fn expect(&mut self, record: RecordId, pointer: &str, value: Json, by: &Device) {
        self.expected.push(Expectation {
            record,
            pointer: pointer.to_owned(),
            value,
            by: by.user.clone(),
        });
    }
}

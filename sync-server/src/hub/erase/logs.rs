//! Erasure and the daily visit logs (拜访记录表, seed 003). What of a person a log holds, and
//! what erasing them does to it:
//! - **A customer's contact** is named in a log only in its free text — an entry's note ("与赵敏
//!   深谈续约"), the problems met, the next day's plan, the supervisor's comment — while the
//!   entry itself names the customer by id. Erasing the person (`DocHub::erase_person`) replaces
//!   their names, phones and e-mails in every log, as in every record. Erasing one contact of
//!   one customer (`DocHub::erase`) also rewrites the logs with an entry of that customer
//!   ([`DocHub::erase_from_logs_of`]): those are the visits where the rep met the contact, so
//!   the notes that name them are there; logs of other customers are not searched (the person
//!   request is for that).
//! - **The rep** whose log it is stands in it only as her user id (`rep`, `meta.owner`, the
//!   acknowledgement's `by`): an account id, not text, and left as it is. The log is the
//!   company's record of her work (the month's points, seed 003), kept like her visit plans and
//!   reports; her name, phone or e-mail written in any log's text (a colleague's note, a
//!   comment) is replaced like anyone's. Closing a former rep's account is the accounts' task,
//!   not an erasure request's.
//! - What stays of a rewritten log: its rep, day, submission and acknowledgement times, the
//!   entries' customers and in-depth marks — so its points and lateness count as before.

use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

use super::scrub::Scrub;
use crate::error::Result;
use crate::hub::DocHub;
use crate::store::ServerStore;

impl<S: ServerStore> DocHub<S> {
    /// Rewrites every daily log with an entry of `customer` that holds the person `scrub`
    /// erases (the company's duty: whoever's logs they are); how many were rewritten.
    pub(super) async fn erase_from_logs_of(
        &self,
        by: &UserId,
        customer: RecordId,
        scrub: &Scrub<'_>,
    ) -> Result<usize> {
        let mut rewritten = 0;
        let logs = self.record_summaries().await?;
        for log in logs.iter().filter(|s| s.kind == "daily_log") {
            let Some((json, _)) = self.json_and_key(log.id).await? else {
                continue;
            };
            if names_customer(&json, customer)
                && self.rewrite(by, log.id, scrub, false).await?.is_some()
            {
                rewritten += 1;
            }
        }
        Ok(rewritten)
    }
}

/// Whether one of the log's entries is a visit to `customer`.
fn names_customer(log: &Json, customer: RecordId) -> bool {
    let id = customer.to_string();
    let entries = log.get("entries").and_then(Json::as_array);
    entries.is_some_and(|es| {
        es.iter()
            .any(|e| e.get("customer_id").and_then(Json::as_str) == Some(id.as_str()))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_log_names_a_customer_only_by_an_entry() {
        let c = RecordId::from_random_bytes([3; 16]);
        let other = RecordId::from_random_bytes([4; 16]);
        let log = serde_json::json!({"kind": "daily_log", "problems": c.to_string(),
            "entries": [{"customer_id": other.to_string()}, {"customer_id": c.to_string()}]});
        assert!(names_customer(&log, c));
        let log = serde_json::json!({"kind": "daily_log", "problems": c.to_string(),
            "entries": [{"customer_id": other.to_string()}]});
        assert!(
            !names_customer(&log, c),
            "an id in free text is not an entry"
        );
    }
}

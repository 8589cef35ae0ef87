//! What the hub knows about access, in memory: the directory of people, the outcome of the
//! lead-ownership rule over every lead, and which users' index documents list each record
//! (so that a record leaving someone's scope is taken out of their index).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use fieldbook_core::access::{Directory, LeadOutcomes};
use fieldbook_core::model::LeadReferral;
use fieldbook_core::rules::ownership::decide;
use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

/// The hub's access state.
#[derive(Debug, Default)]
pub struct AccessState {
    pub dir: Directory,
    pub leads: LeadOutcomes,
    groups: HashMap<String, BTreeMap<RecordId, LeadReferral>>,
    /// Record → the users whose index lists it.
    pub indexed: HashMap<RecordId, BTreeSet<UserId>>,
}

impl AccessState {
    pub fn readers(&self, record: &Json) -> BTreeSet<UserId> {
        self.dir.readers(record, &self.leads)
    }

    /// Who holds the redacted view of the record instead of it (an A-grade customer's rep and
    /// supervisors, ADR 0013).
    pub fn view_readers(&self, record: &Json) -> BTreeSet<UserId> {
        self.dir.view_readers(record, &self.leads)
    }

    pub fn may_read(&self, user: &UserId, record: &Json) -> bool {
        self.dir.may_read(user, record, &self.leads)
    }

    /// Takes a lead's new state into the ownership groups; returns the leads of its group
    /// whose outcome (lost, or to whom) changed.
    pub fn update_lead(&mut self, lead: LeadReferral) -> Vec<RecordId> {
        let id = lead.meta.id;
        for group in self.groups.values_mut() {
            group.remove(&id);
        }
        let key = lead.prospect_key.clone();
        if key.is_empty() {
            let changed = self.leads.lost_to(id).is_some();
            self.leads.clear(id);
            return if changed { vec![id] } else { Vec::new() };
        }
        let group = self.groups.entry(key).or_default();
        group.insert(id, lead);
        let members: Vec<LeadReferral> = group.values().cloned().collect();
        let decision = decide(&members);
        let mut changed = Vec::new();
        for m in &members {
            let before = self.leads.lost_to(m.meta.id).cloned();
            // A lead that released the prospect (closed, or not followed up) stays its rep's.
            let after = match &decision {
                Some(d) if d.lost_to_winner(m.meta.id) => Some(d.winner.owner.clone()),
                _ => None,
            };
            if before != after {
                changed.push(m.meta.id);
                match after {
                    Some(owner) => self.leads.set_lost(m.meta.id, owner),
                    None => self.leads.clear(m.meta.id),
                }
            }
        }
        changed
    }
}

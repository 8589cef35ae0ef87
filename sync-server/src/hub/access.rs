//! What the hub knows about access, in memory: the directory of people (with the grants to
//! customer files active now, `grants.rs`), the outcome of the lead-ownership rule over every
//! lead, and which users' index documents list each record (so that a record leaving someone's
//! scope is taken out of their index).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use fieldbook_core::access::{Directory, LeadOutcomes};
use fieldbook_core::model::LeadReferral;
use fieldbook_core::rules::ownership::decide;
use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

use crate::accounts::Grant;

/// The hub's access state.
#[derive(Debug, Default)]
pub struct AccessState {
    pub dir: Directory,
    pub leads: LeadOutcomes,
    /// The grants in `dir`, with their expiry (swept by the upkeep).
    pub grants: Vec<Grant>,
    groups: HashMap<String, BTreeMap<RecordId, LeadReferral>>,
    /// Lead → the key of the group it is in (so moving a lead touches two groups, not all).
    group_of: HashMap<RecordId, String>,
    /// Record → the users whose index lists it.
    pub indexed: HashMap<RecordId, BTreeSet<UserId>>,
}

impl AccessState {
    /// Takes in a directory read from the accounts, with the grants active in it.
    pub fn set_directory(&mut self, (dir, grants): (Directory, Vec<Grant>)) {
        self.dir = dir;
        self.grants = grants;
    }

    /// Replaces the active grants; returns the customers whose grantees changed.
    pub fn set_grants(&mut self, grants: Vec<Grant>) -> BTreeSet<RecordId> {
        let pairs = |gs: &[Grant]| -> BTreeSet<(RecordId, UserId)> {
            gs.iter().map(|g| (g.record, g.grantee.clone())).collect()
        };
        let (before, after) = (pairs(&self.grants), pairs(&grants));
        self.dir.set_grants(after.iter().cloned());
        self.grants = grants;
        before
            .symmetric_difference(&after)
            .map(|(r, _)| *r)
            .collect()
    }

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

    /// Takes a lead's new state into the ownership groups; returns the leads whose outcome
    /// (lost, or to whom) changed: of its group, and of the group it left if its prospect
    /// changed. Costs the size of those groups, not the number of leads.
    pub fn update_lead(&mut self, lead: LeadReferral) -> Vec<RecordId> {
        let id = lead.meta.id;
        let key = lead.prospect_key.clone();
        let mut changed = Vec::new();
        if let Some(old) = self.group_of.remove(&id)
            && old != key
            && let Some(group) = self.groups.get_mut(&old)
        {
            group.remove(&id);
            if group.is_empty() {
                self.groups.remove(&old);
            } else {
                changed.extend(self.decide_group(&old));
            }
        }
        if key.is_empty() {
            if self.leads.lost_to(id).is_some() {
                self.leads.clear(id);
                changed.push(id);
            }
            return changed;
        }
        self.group_of.insert(id, key.clone());
        self.groups.entry(key.clone()).or_default().insert(id, lead);
        changed.extend(self.decide_group(&key));
        changed
    }

    /// Applies the ownership rule to one group; returns its leads whose outcome changed.
    fn decide_group(&mut self, key: &str) -> Vec<RecordId> {
        let Some(group) = self.groups.get(key) else {
            return Vec::new();
        };
        let members: Vec<LeadReferral> = group.values().cloned().collect();
        let decision = decide(&members);
        let mut changed = Vec::new();
        for m in &members {
            let before = self.leads.lost_to(m.meta.id);
            // A lead that released the prospect (closed, or not followed up) stays its rep's.
            let after = match &decision {
                Some(d) if d.lost_to_winner(m.meta.id) => Some(&d.winner.owner),
                _ => None,
            };
            if before != after {
                changed.push((m.meta.id, after.cloned()));
            }
        }
        for (lead, after) in &changed {
            match after {
                Some(owner) => self.leads.set_lost(*lead, owner.clone()),
                None => self.leads.clear(*lead),
            }
        }
        changed.into_iter().map(|(lead, _)| lead).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::{TimeZone, Utc};

    use super::*;

    fn claim(id: u8, owner: &str, hour: u32, key: &str) -> LeadReferral {
        let mut l = LeadReferral {
            prospect_key: key.into(),
            registered_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, hour, 0, 0).unwrap()),
            ..LeadReferral::default()
        };
        l.meta.id = RecordId::from_random_bytes([id; 16]);
        l.meta.owner = UserId::new(owner).unwrap();
        l
    }

    /// Seed 003 (whoever registers first): the second registration of a prospect loses to the
    /// first; when the first lead's prospect is corrected to another one, the second is the
    /// only claim left on the old prospect and is no longer lost (the group it left is decided
    /// again, not only the one it joined).
    #[test]
    fn a_lead_leaving_its_prospect_frees_the_registration_it_beat() {
        let mut state = AccessState::default();
        let first = claim(1, "rep.wang", 9, "tel:+8613800138000");
        let second = claim(2, "rep.li", 10, "tel:+8613800138000");
        state.update_lead(first.clone());
        assert_eq!(state.update_lead(second.clone()), vec![second.meta.id]);
        assert_eq!(
            state.leads.lost_to(second.meta.id),
            Some(&UserId::new("rep.wang").unwrap())
        );
        let moved = LeadReferral {
            prospect_key: "tel:+8613900139000".into(),
            ..first.clone()
        };
        let changed = state.update_lead(moved);
        assert_eq!(changed, vec![second.meta.id]);
        assert_eq!(state.leads.lost_to(second.meta.id), None);
        assert_eq!(state.leads.lost_to(first.meta.id), None);
        // Each lead is in exactly one group: the old one holds only the second lead now.
        assert_eq!(state.groups["tel:+8613800138000"].len(), 1);
        assert_eq!(state.groups["tel:+8613900139000"].len(), 1);
    }
}

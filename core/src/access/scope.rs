//! Reading scope: which users a record may reach. A record's *subjects* are the people it is
//! about (owner, creator, the assigned rep, the host); its readers are its subjects, their
//! supervisors, and the back office — except that an A-grade customer reaches only the
//! marketing manager (seed 001 §3.6), and a lead that lost the ownership rule reaches the
//! winner instead of the loser (ADR 0003).
//!
//! An A-grade customer's subjects and their supervisors hold its *view* instead (ADR 0013,
//! issue 17): the server's redacted copy at a reserved id ([`super::view_id`]). Choice: the
//! other back-office roles (customer service, finance, admin) get neither the record nor its
//! view, as before.
//!
//! Customer files (seed 001 §3.6(4), 其他部门人员因业务原因需要查询客户档案信息的，须经客户服务部批准):
//! a non-A customer's readers are its subjects, their supervisors, the marketing managers, the
//! customer-service managers, and whoever holds an *active grant* for it from a
//! customer-service manager ([`Directory::set_grants`]; ADR 0006). Finance managers and admins
//! no longer read customer files without one — every other kind (reception notes they approve,
//! reports, leads) they still read as back office. Choices where the seed is silent: a rep or
//! supervisor of another team can be granted too (a colleague covering a visit); a grant for an
//! A-grade customer is refused ([`super::check_grant`], seed (3): marketing-manager level
//! only), and one that was made before the customer became A-grade reaches nobody while it is
//! A-grade — grants never widen an A-grade customer's readers. The directory holds only the
//! grants active now; the server puts them in and takes expired ones out, so this stays a pure
//! function without a clock.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value as Json;

use super::directory::{Directory, Role};
use super::view::is_view;
use crate::ids::{RecordId, UserId};

/// The outcome of the lead-ownership rule over every lead: which leads lost, and to whom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadOutcomes {
    lost_to: HashMap<RecordId, UserId>,
}

impl LeadOutcomes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `lead` lost to a registration owned by `winner`.
    pub fn set_lost(&mut self, lead: RecordId, winner: UserId) {
        self.lost_to.insert(lead, winner);
    }

    /// Records that `lead` is not (or no longer) a losing registration.
    pub fn clear(&mut self, lead: RecordId) {
        self.lost_to.remove(&lead);
    }

    pub fn lost_to(&self, lead: RecordId) -> Option<&UserId> {
        self.lost_to.get(&lead)
    }
}

fn user_at(record: &Json, pointer: &str) -> Option<UserId> {
    record
        .pointer(pointer)
        .and_then(Json::as_str)
        .and_then(|s| UserId::new(s).ok())
}

fn kind(record: &Json) -> &str {
    record.get("kind").and_then(Json::as_str).unwrap_or("")
}

fn record_id(record: &Json) -> Option<RecordId> {
    record.pointer("/meta/id")?.as_str()?.parse().ok()
}

/// Whether the record is an A-grade customer.
pub(crate) fn is_a_grade_customer(record: &Json) -> bool {
    kind(record) == "customer" && record.get("grade").and_then(Json::as_str) == Some("A")
}

impl Directory {
    /// The people a record is about.
    pub fn subjects(&self, record: &Json, leads: &LeadOutcomes) -> BTreeSet<UserId> {
        if kind(record) == "lead_referral"
            && let Some(winner) = record_id(record).and_then(|id| leads.lost_to(id))
        {
            return BTreeSet::from([winner.clone()]);
        }
        let extra = match kind(record) {
            "visit_plan" | "return_visit_report" | "daily_log" => "/rep",
            "customer" => "/dedicated_rep",
            "reception_note" => "/host",
            _ => "",
        };
        ["/meta/owner", "/meta/created_by", extra]
            .into_iter()
            .filter(|p| !p.is_empty())
            .filter_map(|p| user_at(record, p))
            .collect()
    }

    /// Everyone who may hold and read the record. A view document's readers are the view
    /// readers of the customer it shows, while that is A-grade.
    pub fn readers(&self, record: &Json, leads: &LeadOutcomes) -> BTreeSet<UserId> {
        if is_view(record) {
            return self.view_readers(record, leads);
        }
        let managers = self.with_role(Role::MarketingManager).cloned();
        if is_a_grade_customer(record) {
            return managers.collect();
        }
        let subjects = self.subjects(record, leads);
        let supervisors = self.supervisors_of_all(&subjects);
        subjects
            .into_iter()
            .chain(supervisors)
            .chain(managers)
            .chain(self.desk_readers(record))
            .collect()
    }

    /// The back office below marketing manager who read the record: for a customer file the
    /// customer-service managers and the holders of an active grant for it, for any other
    /// record customer service, finance and admin.
    fn desk_readers(&self, record: &Json) -> Vec<UserId> {
        if kind(record) == "customer" {
            let service = self.with_role(Role::CustomerServiceManager).cloned();
            let granted = record_id(record)
                .map(|id| self.grantees(id).cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            return service.chain(granted).collect();
        }
        [
            Role::CustomerServiceManager,
            Role::FinanceManager,
            Role::Admin,
        ]
        .into_iter()
        .flat_map(|r| self.with_role(r).cloned().collect::<Vec<_>>())
        .collect()
    }

    /// Who holds the redacted view of an A-grade customer instead of the record (none for any
    /// other record): its subjects and their supervisors, below marketing manager.
    pub fn view_readers(&self, record: &Json, leads: &LeadOutcomes) -> BTreeSet<UserId> {
        if !is_a_grade_customer(record) {
            return BTreeSet::new();
        }
        let subjects = self.subjects(record, leads);
        let supervisors = self.supervisors_of_all(&subjects);
        subjects
            .into_iter()
            .chain(supervisors)
            .filter(|u| self.role(u) != Some(Role::MarketingManager))
            .collect()
    }

    fn supervisors_of_all(&self, subjects: &BTreeSet<UserId>) -> Vec<UserId> {
        subjects
            .iter()
            .flat_map(|s| self.supervisors_of(s).cloned())
            .collect()
    }

    /// Whether `user` may hold and read the record.
    pub fn may_read(&self, user: &UserId, record: &Json, leads: &LeadOutcomes) -> bool {
        self.readers(record, leads).contains(user)
    }
}

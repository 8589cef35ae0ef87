//! The people of the company as the access rules see them: a role and, for reps and
//! supervisors, a team. The server keeps the authoritative copy (its accounts tables); this is
//! the snapshot the rules read.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{RecordId, UserId};

/// A person's role. Back-office roles read every record of their business, except customer
/// files: those reach the marketing and customer-service managers, and other departments only
/// with the customer-service manager's grant; A-grade customers reach only the marketing
/// manager (seed 001 §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 业务员
    FieldRep,
    /// 主管 (of a team)
    Supervisor,
    /// 营销经理
    MarketingManager,
    /// 客服经理
    CustomerServiceManager,
    /// 财务经理
    FinanceManager,
    /// 后台管理员: manages accounts; reads no A-grade customer.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::FieldRep,
        Role::Supervisor,
        Role::MarketingManager,
        Role::CustomerServiceManager,
        Role::FinanceManager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::FieldRep => "field_rep",
            Role::Supervisor => "supervisor",
            Role::MarketingManager => "marketing_manager",
            Role::CustomerServiceManager => "customer_service_manager",
            Role::FinanceManager => "finance_manager",
            Role::Admin => "admin",
        }
    }

    /// The bilingual name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::FieldRep => "业务员 / field rep",
            Role::Supervisor => "主管 / supervisor",
            Role::MarketingManager => "营销经理 / marketing manager",
            Role::CustomerServiceManager => "客服经理 / customer-service manager",
            Role::FinanceManager => "财务经理 / finance manager",
            Role::Admin => "后台管理员 / back-office admin",
        }
    }

    /// Whether the role works at a desk over every team's records.
    pub fn is_back_office(self) -> bool {
        matches!(
            self,
            Role::MarketingManager
                | Role::CustomerServiceManager
                | Role::FinanceManager
                | Role::Admin
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| Error::invalid("role", format!("未知角色 / unknown role `{s}`")))
    }
}

/// One person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub role: Role,
    /// The team of a rep or supervisor.
    pub team: Option<String>,
}

/// Everyone the rules know of, and the customer files each holder of an *active* grant may
/// read (seed 001 §3.6(4), ADR 0006): the server puts in the grants active at its clock's now,
/// so that the rules stay pure functions without a clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    people: BTreeMap<UserId, Person>,
    grants: BTreeMap<RecordId, BTreeSet<UserId>>,
}

impl Directory {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a person.
    pub fn insert(&mut self, user: UserId, role: Role, team: Option<&str>) {
        let team = team.map(str::to_owned);
        self.people.insert(user, Person { role, team });
    }

    pub fn person(&self, user: &UserId) -> Option<&Person> {
        self.people.get(user)
    }

    pub fn role(&self, user: &UserId) -> Option<Role> {
        self.people.get(user).map(|p| p.role)
    }

    /// Everyone with `role`.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &UserId> {
        self.people
            .iter()
            .filter(move |(_, p)| p.role == role)
            .map(|(u, _)| u)
    }

    /// The supervisors of `user`'s team (none for people without a team).
    pub fn supervisors_of(&self, user: &UserId) -> impl Iterator<Item = &UserId> {
        let team = self.person(user).and_then(|p| p.team.clone());
        self.people
            .iter()
            .filter(move |(_, p)| p.role == Role::Supervisor && team.is_some() && p.team == team)
            .map(|(u, _)| u)
    }

    /// Whether `supervisor` supervises `user` (same team).
    pub fn supervises(&self, supervisor: &UserId, user: &UserId) -> bool {
        self.supervisors_of(user).any(|s| s == supervisor)
    }

    pub fn users(&self) -> impl Iterator<Item = &UserId> {
        self.people.keys()
    }

    /// Replaces the active grants by `grants`: (customer record, grantee) pairs.
    pub fn set_grants(&mut self, grants: impl IntoIterator<Item = (RecordId, UserId)>) {
        self.grants.clear();
        for (record, grantee) in grants {
            self.grants.entry(record).or_default().insert(grantee);
        }
    }

    /// Who holds an active grant for the customer `record`.
    pub fn grantees(&self, record: RecordId) -> impl Iterator<Item = &UserId> {
        self.grants.get(&record).into_iter().flatten()
    }
}

//! Who may see and change what — pure functions over a record's JSON, shared by the sync
//! server (which enforces them on every document and every change), the back office, and the
//! device (which can tell a user up front that an edit will be refused).
//!
//! - [`Directory`]: the people, their roles and teams.
//! - [`Directory::readers`]: the users a record may reach (scoped sync, ADR 0006).
//! - [`check_write`]: the one rule table of which role may change which fields of which kind.
//! - [`DECISIONS`]: what each decision (approval, voucher, review, signature) freezes.
//! - [`view_id`]: the server-written, redacted view of an A-grade customer (ADR 0013).
//! - [`check_grant`]: a customer-service manager's grant to read one customer file (seed 001
//!   §3.6(4), ADR 0006).

mod decisions;
mod directory;
mod grants;
mod paths;
mod scope;
mod view;
mod write_rules;

#[cfg(test)]
mod grants_tests;
#[cfg(test)]
mod tests;

pub use decisions::{
    DECISIONS, Decision, covers as decision_covers, decision, stands, void_decisions,
};
pub use directory::{Directory, Person, Role};
pub use grants::{
    DEFAULT_GRANT_DAYS, GrantRefusal, MAX_GRANT_DAYS, MAX_GRANT_REASON_CHARS, check_grant,
    may_grant,
};
pub use paths::{changed_paths, conflict_paths_changed};
pub use scope::LeadOutcomes;
pub use view::{VIEW_OF_POINTER, is_view, view_id, view_of};
pub use write_rules::{Author, RULES, Refusal, Rule, Writer, check_write, rule_for};

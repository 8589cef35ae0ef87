//! The write rule table: which role may change which fields of which kind. The sync server
//! shows every incoming change to [`check_write`] before storing or forwarding it; the back
//! office's desk actions go through the same function. One table, read top to bottom: the
//! first rule whose kind matches and whose path is a prefix of the changed field decides.
//! Decisions (approvals, the voucher, reviews, signatures) are also frozen by the decision
//! table (`decisions.rs`): what they decided cannot change while they stand.

use std::fmt;

use serde_json::Value as Json;

use super::decisions::check_decisions;
use super::directory::{Directory, Role};
use super::paths::{changed_paths, covers_path};
use super::scope::LeadOutcomes;
use crate::ids::{DeviceId, RecordId, UserId};

/// Who may write a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Only the server writes it (e.g. its receipt stamp).
    Server,
    /// Set when the record is created, never changed afterwards.
    AtCreation,
    /// Only people with one of these roles.
    Roles(&'static [Role]),
    /// The record's subjects' supervisors and the marketing manager (assignment, grading).
    Supervisors,
    /// Anyone in scope: the record's subjects, their supervisors, the marketing manager.
    Subjects,
    /// A decision (`decisions.rs`): only these roles write it; anyone in scope may withdraw it
    /// (set it to null), never write it.
    Decision(&'static [Role]),
}

/// One line of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The record kind (`None`: every kind).
    pub kind: Option<&'static str>,
    /// A JSON pointer prefix: the rule covers this field and everything inside it.
    pub path: &'static str,
    pub writer: Writer,
}

const fn rule(kind: Option<&'static str>, path: &'static str, writer: Writer) -> Rule {
    Rule { kind, path, writer }
}

/// The table (ADR 0006). The last line is the default.
pub static RULES: &[Rule] = &[
    rule(None, "/kind", Writer::AtCreation),
    rule(None, "/meta/id", Writer::AtCreation),
    rule(None, "/meta/created_at", Writer::AtCreation),
    rule(None, "/meta/created_by", Writer::AtCreation),
    rule(None, "/meta/created_on", Writer::AtCreation),
    rule(None, "/meta/generation", Writer::Server),
    rule(None, "/meta/owner", Writer::Supervisors),
    rule(Some("lead_referral"), "/server_received_at", Writer::Server),
    rule(Some("lead_referral"), "/prospect_key", Writer::AtCreation),
    // The claimed registration time and its floor: set once, at creation (ADR 0003).
    rule(Some("lead_referral"), "/registered_at", Writer::AtCreation),
    rule(Some("lead_referral"), "/clock_floor_at", Writer::AtCreation),
    rule(Some("lead_referral"), "/contact_floor_at", Writer::Server),
    rule(Some("visit_plan"), "/rep", Writer::Supervisors),
    rule(Some("customer"), "/grade", Writer::Supervisors),
    rule(Some("customer"), "/grade_history", Writer::Supervisors),
    rule(Some("customer"), "/dedicated_rep", Writer::Supervisors),
    rule(
        Some("return_visit_report"),
        "/review",
        Writer::Decision(&[Role::Supervisor]),
    ),
    rule(
        Some("return_visit_report"),
        "/expense/signed_by",
        Writer::Decision(&[Role::Supervisor]),
    ),
    rule(
        Some("return_visit_report"),
        "/expense/signed_at",
        Writer::Decision(&[Role::Supervisor]),
    ),
    // Proposals: the back office answers them (the judge says which manager, for which
    // department); anyone else in scope may take and route them. Admin takes no part.
    rule(
        Some("return_visit_report"),
        "/proposals",
        Writer::Roles(&[
            Role::FieldRep,
            Role::Supervisor,
            Role::MarketingManager,
            Role::CustomerServiceManager,
            Role::FinanceManager,
        ]),
    ),
    rule(
        Some("reception_note"),
        "/voucher",
        Writer::Decision(&[Role::CustomerServiceManager]),
    ),
    rule(
        Some("reception_note"),
        "/expense/cs_manager",
        Writer::Decision(&[Role::CustomerServiceManager]),
    ),
    rule(
        Some("reception_note"),
        "/expense/finance_manager",
        Writer::Decision(&[Role::FinanceManager]),
    ),
    // The budget comes from the approvers, not the applicant (seed 001 §2).
    rule(
        Some("reception_note"),
        "/expense/budget_fen",
        Writer::Roles(&[Role::CustomerServiceManager]),
    ),
    rule(
        Some("reception_note"),
        "/expense/reimbursement",
        Writer::Decision(&[Role::FinanceManager]),
    ),
    // A daily log's id follows from its rep and day (`model::DailyLog::id_for`); the
    // acknowledgement is a supervisor's (the judge says which: the rep's own).
    rule(Some("daily_log"), "/rep", Writer::AtCreation),
    rule(Some("daily_log"), "/day", Writer::AtCreation),
    rule(
        Some("daily_log"),
        "/acknowledged",
        Writer::Roles(&[Role::Supervisor]),
    ),
    rule(None, "", Writer::Subjects),
];

/// A refused change: which record, which field, and why (bilingual, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub record: RecordId,
    /// The JSON pointer of the field, or `""` for the record as a whole.
    pub field: String,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.field.is_empty() {
            "—"
        } else {
            &self.field
        };
        write!(f, "记录 {} 字段 {}：{}", self.record, field, self.reason)
    }
}

/// Who is writing.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub user: &'a UserId,
    pub device: Option<DeviceId>,
}

/// Checks one change of `record` by `author`: `before` is `None` when the change creates the
/// record. `extra_paths` are fields whose concurrent values changed without the winner
/// changing (a losing write is still a write).
pub fn check_write(
    dir: &Directory,
    leads: &LeadOutcomes,
    author: Author<'_>,
    record: RecordId,
    before: Option<&Json>,
    after: &Json,
    extra_paths: &[String],
) -> Result<(), Refusal> {
    let refuse = |field: &str, reason: &str| Refusal {
        record,
        field: field.to_owned(),
        reason: reason.to_owned(),
    };
    let scope_of = before.unwrap_or(after);
    if !dir.may_read(author.user, scope_of, leads) {
        return Err(refuse(
            "",
            "不在您的权限范围内 / this record is outside your scope",
        ));
    }
    if before.is_none() {
        check_creation(dir, author, after).map_err(|(f, r)| refuse(f, r))?;
    }
    let kind = after.get("kind").and_then(Json::as_str).unwrap_or("");
    let mut paths = changed_paths(before.unwrap_or(&Json::Null), after);
    paths.extend(extra_paths.iter().cloned());
    for path in &paths {
        let rule = rule_for(kind, path);
        let withdrawn = after.pointer(rule.path).is_none_or(Json::is_null);
        if !allowed(
            dir,
            leads,
            author.user,
            rule.writer,
            before,
            after,
            withdrawn,
        ) {
            return Err(refuse(path, why(rule.writer)));
        }
    }
    check_decisions(kind, author.user.as_str(), before, after, &paths).map_err(|(f, r)| Refusal {
        record,
        field: f,
        reason: r,
    })
}

/// The rule that decides a changed field.
pub fn rule_for(kind: &str, path: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.kind.is_none_or(|k| k == kind) && covers_path(r.path, path))
        .unwrap_or(&RULES[RULES.len() - 1])
}

fn allowed(
    dir: &Directory,
    leads: &LeadOutcomes,
    user: &UserId,
    writer: Writer,
    before: Option<&Json>,
    after: &Json,
    withdrawn: bool,
) -> bool {
    let role = dir.role(user).unwrap_or(Role::FieldRep);
    let creating = before.is_none();
    let subjects = dir.subjects(before.unwrap_or(after), leads);
    let supervises = subjects.iter().any(|s| dir.supervises(user, s));
    let in_scope =
        creating || subjects.contains(user) || supervises || role == Role::MarketingManager;
    match writer {
        Writer::Server => false,
        Writer::AtCreation => creating,
        Writer::Roles(roles) => roles.contains(&role),
        Writer::Supervisors => creating || supervises || role == Role::MarketingManager,
        Writer::Subjects => in_scope,
        Writer::Decision(roles) => roles.contains(&role) || (withdrawn && in_scope),
    }
}

fn why(writer: Writer) -> &'static str {
    match writer {
        Writer::Server => "只能由服务器写入 / only the server writes this field",
        Writer::AtCreation => "创建后不可更改 / this field cannot change after creation",
        Writer::Roles(_) => "您的角色不能修改此字段 / your role may not change this field",
        Writer::Supervisors => {
            "只有主管或营销经理可以修改 / only a supervisor or the marketing manager may change this"
        }
        Writer::Subjects => "您不能修改此记录 / you may not change this record",
        Writer::Decision(_) => {
            "只有审批角色可以作出此决定，您只能撤回（置空） / only the deciding role writes this \
             decision; you may only withdraw it (set it to null)"
        }
    }
}

/// A new record must be created by its author, for the author or for someone the author
/// supervises, and (when it names one) on the author's device. Stock automerge-repo clients
/// do not know their device id, so an absent `created_on` is accepted.
fn check_creation(
    dir: &Directory,
    author: Author<'_>,
    after: &Json,
) -> Result<(), (&'static str, &'static str)> {
    let text = |p: &str| after.pointer(p).and_then(Json::as_str).unwrap_or("");
    if text("/meta/created_by") != author.user.as_str() {
        return Err((
            "/meta/created_by",
            "创建者必须是您本人 / the creator must be you",
        ));
    }
    let created_on = text("/meta/created_on");
    if let Some(device) = author.device
        && !created_on.is_empty()
        && created_on != device.to_string()
    {
        return Err((
            "/meta/created_on",
            "创建设备必须是本设备 / the creating device must be this device",
        ));
    }
    let role = dir.role(author.user).unwrap_or(Role::FieldRep);
    let owner = text("/meta/owner");
    let for_self = owner == author.user.as_str();
    let for_team = UserId::new(owner).is_ok_and(|o| dir.supervises(author.user, &o));
    if !(for_self || for_team || role.is_back_office()) {
        return Err((
            "/meta/owner",
            "只能为自己或下属创建记录 / you may create records only for yourself or your team",
        ));
    }
    Ok(())
}

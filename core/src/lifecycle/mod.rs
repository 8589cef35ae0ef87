//! The lifecycle judge: one judge per record kind, run on the device before a local write and
//! on the server on every incoming change (sync, desk edits, imports). It sees the record as it
//! was and as it would be, who is acting and when, and allows the step only if the record's state
//! machine and the actor's role allow it; otherwise it refuses with the rule named, bilingual.
//!
//! The write rule table (`access::check_write`) says *who may touch which field*; the judge says
//! *which steps are legal*: a reception is held only with a standing voucher, a reschedule carries
//! the customer's consent, a lead is lost only with a reason and a supervisor's confirmation, and
//! so on (each kind's module lists its rules and the seed they come from).
//!
//! - **Times claimed by a device** (a filing, a follow-up, receipts submitted) are judged against
//!   the judge's clock: on the server, the time the change was received, and the device's
//!   previous completed sync as the floor (a change arriving now was made after the device's last
//!   completed sync, or that sync would have carried it; ADR 0003). A claim outside
//!   `[floor − 5 min, now + 5 min]` is refused.
//! - **Histories are append-only**: entries already stored stay, unchanged; new entries are
//!   judged one by one. Concurrent appends from two devices merge in any order.
//! - **Where the role is unknown** (a device whose app did not say who signs in), the role checks
//!   are left to the server, which always knows; the state machine still runs.
//! - A record that does not parse as its kind is left to the schema (`crate::schema`), which runs
//!   first on the server and refuses it there.

mod customer;
mod daily_log;
mod lead;
mod reception;
mod return_visit;
mod visit_plan;

use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::access::{Directory, Refusal, Role};
use crate::calendar::WorkCalendar;
use crate::ids::{RecordId, UserId};
use crate::model::{RecordKind, StringEnum};

/// How far a claimed time may stand from the judge's clock (clock drift between honest phones).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// Who acts, and when, as the judge sees it.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub user: &'a UserId,
    /// The actor's role; `None` on a device that was not told (the server always knows).
    pub role: Option<Role>,
    /// The judge's clock: the server's receipt time, or the device's clock.
    pub now: DateTime<Utc>,
    /// The earliest time a newly claimed time may carry (the device's previous completed sync,
    /// on the server), when known.
    pub floor: Option<DateTime<Utc>>,
    /// The company's people (the server's directory), for "does this supervisor supervise the
    /// rep"; `None` on a device.
    pub dir: Option<&'a Directory>,
    pub calendar: &'a WorkCalendar,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("user", &self.user)
            .field("role", &self.role)
            .field("now", &self.now)
            .field("floor", &self.floor)
            .finish_non_exhaustive()
    }
}

impl Context<'_> {
    /// Whether the actor has one of `roles`; `true` when the role is unknown (a device that
    /// was not told leaves the check to the server).
    pub fn role_in(&self, roles: &[Role]) -> bool {
        self.role.is_none_or(|r| roles.contains(&r))
    }

    /// Whether the actor is known to supervise `user` (a supervisor of the user's team, or the
    /// marketing manager). Unknown (no directory, or no role) counts as yes: the server decides.
    pub fn supervises(&self, user: &UserId) -> bool {
        match (self.role, self.dir) {
            (Some(Role::MarketingManager), _) => true,
            (Some(Role::Supervisor), Some(dir)) => dir.supervises(self.user, user),
            (Some(Role::Supervisor), None) | (None, _) => true,
            (Some(_), _) => false,
        }
    }
}

/// A broken rule: which rule, which field, and why (bilingual, Chinese first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule's name, `kind.rule` (e.g. `reception.voucher_before_held`).
    pub rule: &'static str,
    /// The JSON pointer of the field, or `""` for the record as a whole.
    pub field: String,
    pub reason: String,
}

impl Violation {
    pub fn new(rule: &'static str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Violation {
            rule,
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// As the write rules' refusal of `record` (what the server sends and stores).
    pub fn refusal(&self, record: RecordId) -> Refusal {
        Refusal {
            record,
            field: self.field.clone(),
            reason: format!("{}（规则 / rule {}）", self.reason, self.rule),
        }
    }

    /// As the core's error (what a device's write returns).
    pub fn error(&self) -> crate::Error {
        let field = self.field.trim_start_matches('/');
        crate::Error::invalid(
            if field.is_empty() { "record" } else { field },
            format!("{}（规则 / rule {}）", self.reason, self.rule),
        )
    }
}

pub type Verdict = std::result::Result<(), Violation>;

/// Judges one write of a record: `before` is `None` when the write creates it.
pub fn judge(before: Option<&Json>, after: &Json, ctx: &Context<'_>) -> Verdict {
    let kind = after.get("kind").and_then(Json::as_str).unwrap_or("");
    match RecordKind::parse_str(kind) {
        RecordKind::Customer => typed(before, after, ctx, customer::judge),
        RecordKind::VisitPlan => typed(before, after, ctx, visit_plan::judge),
        RecordKind::ReceptionNote => typed(before, after, ctx, reception::judge),
        RecordKind::ReturnVisitReport => typed(before, after, ctx, return_visit::judge),
        RecordKind::LeadReferral => typed(before, after, ctx, lead::judge),
        RecordKind::DailyLog => typed(before, after, ctx, daily_log::judge),
        _ => Ok(()),
    }
}

/// The judge of one kind, on the typed records.
type KindJudge<T> = fn(Option<&T>, &T, &Context<'_>) -> Verdict;

fn typed<T: DeserializeOwned>(
    before: Option<&Json>,
    after: &Json,
    ctx: &Context<'_>,
    judge: KindJudge<T>,
) -> Verdict {
    // A record that does not parse is the schema's to refuse (it runs first on the server).
    let Ok(after) = serde_json::from_value::<T>(after.clone()) else {
        return Ok(());
    };
    let before = before.and_then(|b| serde_json::from_value::<T>(b.clone()).ok());
    judge(before.as_ref(), &after, ctx)
}

/// A time the actor claims (when a report was filed, a follow-up made): not in the future of
/// the judge's clock, not before the floor (see the module docs).
pub fn claimed_time(
    ctx: &Context<'_>,
    rule: &'static str,
    field: &str,
    at: DateTime<Utc>,
) -> Verdict {
    if at > ctx.now + CLOCK_SKEW {
        return Err(Violation::new(
            rule,
            field,
            "时间晚于服务器收到的时间（不能预填未来时间）/ the time is later than the time it \
             was received (no future times)",
        ));
    }
    if let Some(floor) = ctx.floor
        && at < floor - CLOCK_SKEW
    {
        return Err(Violation::new(
            rule,
            field,
            "时间早于本设备上次完成同步（不能倒填时间）/ the time is before this device's last \
             completed sync (no back-dating)",
        ));
    }
    Ok(())
}

/// The entries of a history list added by this write. Entries already there must stay, and
/// stay unchanged (matched by `id`); a merge may interleave entries written elsewhere.
pub fn added<'a, T: PartialEq>(
    rule: &'static str,
    field: &str,
    before: &[T],
    after: &'a [T],
    id: impl Fn(&T) -> &str,
) -> Result<Vec<&'a T>, Violation> {
    for old in before {
        match after.iter().find(|n| id(n) == id(old)) {
            Some(new) if new == old => {}
            _ => {
                return Err(Violation::new(
                    rule,
                    field,
                    "已记录的条目不能修改或删除 / recorded entries cannot be changed or removed",
                ));
            }
        }
    }
    Ok(after
        .iter()
        .filter(|n| !before.iter().any(|o| id(o) == id(n)))
        .collect())
}

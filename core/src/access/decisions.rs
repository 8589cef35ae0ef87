//! Decisions are frozen by rule, not by convention (issue 15, finding 5). Each line of
//! [`DECISIONS`] names a decision inside a record (an approval, the visit voucher, a review, a
//! signature), who takes it, and the fields it decided. While a decision stands, those fields
//! cannot change: a change to one is accepted only if the same change withdraws (sets to null)
//! every standing decision that froze it; the decisions must then be taken again. Only the
//! deciding role writes a decision (anyone who may change the record may withdraw one), and the
//! person a decision names must be its author.
//!
//! A decision taken offline may meet a concurrent change of the fields it froze: the merge is
//! accepted whichever arrives first, but an approval records what it approved ([`covers`]), and
//! one whose fields have changed since is void ([`void_decisions`]): shown as such and never
//! counted (`rules::reception::expense_approved`).

use serde_json::{Map, Value as Json};

use super::directory::Role;
use super::paths::covers_path;

/// One decision a record can hold.
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    pub kind: &'static str,
    /// The JSON pointer of the decision; `null` there means "not decided" (or withdrawn).
    pub path: &'static str,
    /// Within the decision, the pointer of the person who decided (`""`: the decision itself).
    pub by: &'static str,
    /// The roles that take the decision.
    pub deciders: &'static [Role],
    /// The fields the decision fixed.
    pub freezes: &'static [&'static str],
    /// Whether the decision records what it decided in its `covers` field.
    pub records_covers: bool,
    /// The decision's name, Chinese then English.
    pub label: &'static str,
}

/// What a reception expense approval decided: the money, what for, and for whom.
const RECEPTION_EXPENSE: &[&str] = &[
    "/expense/amount_fen",
    "/expense/budget_fen",
    "/expense/purpose",
    "/expense/applied_by",
    "/expense/applied_at",
    "/head_count",
    "/customer_id",
];

/// What the visit voucher approved: who comes, when, how many, why.
const RECEPTION_VISIT: &[&str] = &[
    "/customer_id",
    "/visitor_names",
    "/head_count",
    "/category",
    "/purpose",
    "/visit_at",
];

/// What finance reimbursed: what was spent, what the staff member bears, the receipts.
const RECEPTION_REIMBURSED: &[&str] = &[
    "/expense/spent_fen",
    "/expense/over_budget_fen",
    "/expense/receipts_submitted_at",
];

/// What a supervisor reviewed in a return-visit report.
const REVIEWED_REPORT: &[&str] = &[
    "/customer_id",
    "/visit_plan_id",
    "/rep",
    "/visited_on",
    "/place",
    "/purpose",
    "/needs",
    "/after_sales_opinions",
    "/satisfaction",
    "/materials_returned",
    "/filed_at",
];

/// What a supervisor signed for reimbursement.
const SIGNED_VISIT_EXPENSE: &[&str] = &["/expense/amount_fen", "/expense/description"];

/// The decisions (seed 001 §1–2, §5, §7).
pub static DECISIONS: &[Decision] = &[
    Decision {
        kind: "reception_note",
        path: "/expense/cs_manager",
        by: "/by",
        deciders: &[Role::CustomerServiceManager],
        freezes: RECEPTION_EXPENSE,
        records_covers: true,
        label: "客服经理的费用审批 / the customer-service manager's expense approval",
    },
    Decision {
        kind: "reception_note",
        path: "/expense/finance_manager",
        by: "/by",
        deciders: &[Role::FinanceManager],
        freezes: RECEPTION_EXPENSE,
        records_covers: true,
        label: "财务经理的费用审批 / the finance manager's expense approval",
    },
    Decision {
        kind: "reception_note",
        path: "/voucher",
        by: "/approved_by",
        deciders: &[Role::CustomerServiceManager],
        freezes: RECEPTION_VISIT,
        records_covers: false,
        label: "来访凭证 / the visit voucher",
    },
    Decision {
        kind: "reception_note",
        path: "/expense/reimbursement",
        by: "/by",
        deciders: &[Role::FinanceManager],
        freezes: RECEPTION_REIMBURSED,
        records_covers: false,
        label: "财务报销 / finance's reimbursement",
    },
    Decision {
        kind: "return_visit_report",
        path: "/review",
        by: "/by",
        deciders: &[Role::Supervisor],
        freezes: REVIEWED_REPORT,
        records_covers: false,
        label: "主管审核 / the supervisor's review",
    },
    Decision {
        kind: "return_visit_report",
        path: "/expense/signed_by",
        by: "",
        deciders: &[Role::Supervisor],
        freezes: SIGNED_VISIT_EXPENSE,
        records_covers: false,
        label: "主管签批的回访费用 / the supervisor's signature on the visit expense",
    },
];

/// The decision at `path` of `kind`, if it is one.
pub fn decision(kind: &str, path: &str) -> Option<&'static Decision> {
    DECISIONS.iter().find(|d| d.kind == kind && d.path == path)
}

/// Whether a decision stands in `record` (present and not null).
pub fn stands(record: &Json, decision: &Decision) -> bool {
    record.pointer(decision.path).is_some_and(|v| !v.is_null())
}

/// What a decision decides, as it stands in `record`: the frozen fields and their values, in
/// table order, as compact JSON. An approver's device stores it in the approval.
pub fn covers(record: &Json, decision: &Decision) -> String {
    let mut fields = Map::new();
    for path in decision.freezes {
        let value = record.pointer(path).cloned().unwrap_or(Json::Null);
        fields.insert((*path).to_owned(), value);
    }
    Json::Object(fields).to_string()
}

/// The standing decisions of `record` that are void: what they recorded as decided is not
/// what the record now says (the fields changed concurrently, or nothing was recorded).
pub fn void_decisions(record: &Json) -> Vec<&'static Decision> {
    let kind = record.get("kind").and_then(Json::as_str).unwrap_or("");
    DECISIONS
        .iter()
        .filter(|d| d.kind == kind && d.records_covers && stands(record, d))
        .filter(|d| {
            let recorded = record.pointer(&format!("{}/covers", d.path));
            recorded.and_then(Json::as_str) != Some(covers(record, d).as_str())
        })
        .collect()
}

/// Checks one change against the decisions of its kind: a decision written by this change
/// names its author, and no field a standing decision froze changes unless the same change
/// withdraws that decision. `Err((field, reason))` refuses.
pub(super) fn check_decisions(
    kind: &str,
    author: &str,
    before: Option<&Json>,
    after: &Json,
    paths: &[String],
) -> Result<(), (String, String)> {
    for d in DECISIONS.iter().filter(|d| d.kind == kind) {
        let written = paths.iter().any(|p| covers_path(d.path, p));
        let by = format!("{}{}", d.path, d.by);
        if written && stands(after, d) && after.pointer(&by).and_then(Json::as_str) != Some(author)
        {
            return Err((
                by,
                format!(
                    "{}的决定人必须是您本人 / the person named in {} must be you",
                    zh(d.label),
                    en(d.label)
                ),
            ));
        }
        let kept = before.is_some_and(|b| stands(b, d)) && stands(after, d);
        let frozen = paths
            .iter()
            .find(|p| d.freezes.iter().any(|f| covers_path(f, p)));
        if let (true, Some(field)) = (kept, frozen) {
            return Err((field.clone(), frozen_reason(d)));
        }
    }
    Ok(())
}

fn frozen_reason(d: &Decision) -> String {
    format!(
        "已由{}决定，须在同一修改中撤回该决定（置空）才能修改 / fixed by {}: change it only by \
         withdrawing that decision (setting it to null) in the same change",
        zh(d.label),
        en(d.label)
    )
}

fn zh(label: &str) -> &str {
    label.split(" / ").next().unwrap_or(label)
}

fn en(label: &str) -> &str {
    label.split(" / ").nth(1).unwrap_or(label)
}

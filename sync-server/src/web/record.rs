//! One record as its page shows it: the merged fields, the desk's part (an expense's two
//! decisions, a report's review, its proposals) with the forms the viewer's role may use, the
//! history (who brought each change, from which device, when, which fields) and the fields
//! holding concurrent values.

use fieldbook_core::WorkCalendar;
use fieldbook_core::access::Role;
use fieldbook_core::model::{
    Approval, ProposalOutcome, ReceptionNote, ReturnVisitReport, StringEnum,
};
use fieldbook_core::rules::reception::{Approver, approval_void};
use serde::Serialize;
use serde_json::Value as Json;

use super::render::{RowView, time};
use super::session::Session;
use crate::office::RecordDetail;

/// A field and its value as text.
#[derive(Debug, Serialize)]
pub struct FieldView {
    pub name: String,
    pub label: &'static str,
    pub value: String,
    /// A nested value, shown as indented JSON.
    pub block: bool,
    /// Another record's page, for a field naming one (`customer_id`, `visit_plan_id`).
    pub link: Option<String>,
}

/// One approver's half of an expense.
#[derive(Debug, Serialize)]
pub struct DecisionView {
    pub who_zh: &'static str,
    pub who_en: &'static str,
    pub decided: bool,
    pub approved: bool,
    /// Given to an application that has changed since (issue 15): counts for nothing.
    pub void: bool,
    pub by: String,
    pub at: String,
    pub comment: String,
}

/// A reception expense and whether the viewer may decide their half.
#[derive(Debug, Serialize)]
pub struct ExpenseView {
    pub amount: String,
    pub budget: String,
    pub over_budget: bool,
    pub purpose: String,
    pub applied_by: String,
    pub applied_at: String,
    pub decisions: Vec<DecisionView>,
    pub can_decide: bool,
}

/// A report's review and proposals.
#[derive(Debug, Serialize)]
pub struct ReportView {
    pub filed_at: String,
    pub reviewed: bool,
    pub review_by: String,
    pub review_at: String,
    pub guidance: String,
    pub can_review: bool,
    pub proposals: Vec<ProposalView>,
    pub can_answer: bool,
}

#[derive(Debug, Serialize)]
pub struct ProposalView {
    pub id: String,
    pub text: String,
    pub outcome: String,
    pub pending: bool,
    pub answer: String,
}

#[derive(Debug, Serialize)]
pub struct HistoryView {
    pub at: String,
    pub user: String,
    pub device: String,
    pub fields: String,
}

#[derive(Debug, Serialize)]
pub struct ConflictView {
    pub path: String,
    pub winner: String,
    pub others: Vec<String>,
}

/// The record page's content.
#[derive(Debug, Serialize)]
pub struct RecordView {
    pub row: RowView,
    pub owner: String,
    pub created_by: String,
    pub fields: Vec<FieldView>,
    pub expense: Option<ExpenseView>,
    pub report: Option<ReportView>,
    pub history: Vec<HistoryView>,
    pub history_omitted: usize,
    pub conflicts: Vec<ConflictView>,
}

impl RecordView {
    pub fn new(d: &RecordDetail, session: &Session, cal: &WorkCalendar) -> RecordView {
        let meta = d.record.get("meta");
        let meta_str = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        RecordView {
            row: RowView::new(&d.row, cal),
            owner: meta_str("owner"),
            created_by: meta_str("created_by"),
            fields: fields(&d.record),
            expense: serde_json::from_value::<ReceptionNote>(d.record.clone())
                .ok()
                .filter(|_| d.row.kind == "reception_note")
                .and_then(|n| expense(&n, session.role, cal)),
            report: serde_json::from_value::<ReturnVisitReport>(d.record.clone())
                .ok()
                .filter(|_| d.row.kind == "return_visit_report")
                .map(|r| report(&r, session.role, cal)),
            history: d
                .history
                .iter()
                .rev()
                .map(|h| HistoryView {
                    at: h.received_at.map(|t| time(cal, t)).unwrap_or_default(),
                    user: h.user.as_ref().map(|u| u.to_string()).unwrap_or_default(),
                    device: h.device.map(|d| d.to_string()).unwrap_or_default(),
                    fields: h.fields.join(", "),
                })
                .collect(),
            history_omitted: d.history_omitted,
            conflicts: d
                .conflicts
                .iter()
                .map(|c| ConflictView {
                    path: c.path.clone(),
                    winner: text(&c.winner.value),
                    others: c.others.iter().map(|o| text(&o.value)).collect(),
                })
                .collect(),
        }
    }
}

fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// The Chinese label of a common field.
fn label(name: &str) -> &'static str {
    match name {
        "name" => "名称",
        "company" => "公司",
        "grade" => "等级",
        "region" => "地区",
        "address" => "地址",
        "industry" => "行业",
        "contacts" => "联系人",
        "needs" => "需求",
        "notes" => "备注",
        "purpose" => "目的",
        "status" => "状态",
        "rep" => "业务员",
        "host" => "接待人",
        "customer_id" => "客户",
        "scheduled_at" | "visit_at" => "时间",
        "place" => "地点",
        "method" => "方式",
        "category" => "类别",
        "visitor_names" => "来访人员",
        "head_count" => "人数",
        "expense" => "费用",
        "proposals" => "客户提案",
        "review" => "审核",
        "visited_on" => "回访日期",
        "satisfaction" => "满意度",
        "code" => "线索编号",
        "source" => "来源",
        "follow_ups" => "跟进",
        "history" => "状态变更",
        _ => "",
    }
}

/// The merged record's top-level fields that hold something (the meta block shown apart).
fn fields(record: &Json) -> Vec<FieldView> {
    let Some(obj) = record.as_object() else {
        return Vec::new();
    };
    obj.iter()
        .filter(|(k, _)| !matches!(k.as_str(), "meta" | "kind"))
        .filter(|(_, v)| match v {
            Json::Null => false,
            Json::String(s) => !s.is_empty(),
            Json::Array(a) => !a.is_empty(),
            Json::Object(o) => !o.is_empty(),
            _ => true,
        })
        .map(|(k, v)| {
            let block = v.is_object() || v.is_array();
            let value = if block {
                serde_json::to_string_pretty(v).unwrap_or_default()
            } else {
                text(v)
            };
            let link = (k.ends_with("_id") && value.parse::<fieldbook_core::RecordId>().is_ok())
                .then(|| format!("/records/{value}"));
            FieldView {
                name: k.clone(),
                label: label(k),
                value,
                block,
                link,
            }
        })
        .collect()
}

fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, (fen % 100).abs())
}

fn decision(
    who: (&'static str, &'static str),
    a: Option<&Approval>,
    void: bool,
    cal: &WorkCalendar,
) -> DecisionView {
    DecisionView {
        who_zh: who.0,
        who_en: who.1,
        decided: a.is_some(),
        approved: a.is_some_and(|a| a.approved),
        void,
        by: a.map(|a| a.by.to_string()).unwrap_or_default(),
        at: a.map(|a| time(cal, a.at)).unwrap_or_default(),
        comment: a.map(|a| a.comment.clone()).unwrap_or_default(),
    }
}

pub(super) fn expense(
    n: &ReceptionNote,
    role: Option<Role>,
    cal: &WorkCalendar,
) -> Option<ExpenseView> {
    let e = n.expense.as_ref()?;
    let void = |who| approval_void(n, who);
    let can_decide = match role {
        Some(Role::CustomerServiceManager) => {
            e.cs_manager.is_none() || void(Approver::CustomerServiceManager)
        }
        Some(Role::FinanceManager) => e.finance_manager.is_none() || void(Approver::FinanceManager),
        _ => false,
    };
    Some(ExpenseView {
        amount: yuan(e.amount_fen),
        budget: yuan(e.budget_fen),
        // The budget is set by the approvers (0 until then); the overspend is recorded.
        over_budget: e.over_budget_fen > 0,
        purpose: e.purpose.clone(),
        applied_by: e.applied_by.to_string(),
        applied_at: time(cal, e.applied_at),
        decisions: vec![
            decision(
                ("客服经理", "Customer service"),
                e.cs_manager.as_ref(),
                void(Approver::CustomerServiceManager),
                cal,
            ),
            decision(
                ("财务经理", "Finance"),
                e.finance_manager.as_ref(),
                void(Approver::FinanceManager),
                cal,
            ),
        ],
        can_decide,
    })
}

fn report(r: &ReturnVisitReport, role: Option<Role>, cal: &WorkCalendar) -> ReportView {
    let review = r.review.as_ref();
    ReportView {
        filed_at: r.filed_at.map(|t| time(cal, t)).unwrap_or_default(),
        reviewed: review.is_some(),
        review_by: review.map(|v| v.by.to_string()).unwrap_or_default(),
        review_at: review.map(|v| time(cal, v.at)).unwrap_or_default(),
        guidance: review.map(|v| v.guidance.clone()).unwrap_or_default(),
        can_review: role == Some(Role::Supervisor) && r.filed_at.is_some() && review.is_none(),
        proposals: r
            .proposals
            .iter()
            .map(|p| ProposalView {
                id: p.id.clone(),
                text: p.text.clone(),
                outcome: p.outcome.as_str().to_owned(),
                pending: p.outcome == ProposalOutcome::Pending,
                answer: p.answer.clone(),
            })
            .collect(),
        // The managers of the departments proposals are routed to (the judge checks which).
        can_answer: matches!(
            role,
            Some(Role::MarketingManager | Role::CustomerServiceManager | Role::FinanceManager)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_in_yuan() {
        assert_eq!(yuan(80_000), "¥800.00");
        assert_eq!(yuan(12_345), "¥123.45");
    }

    #[test]
    fn empty_fields_and_the_meta_block_are_left_out() {
        let record = serde_json::json!({
            "kind": "customer", "meta": {"owner": "rep.li"}, "name": "王府井百货",
            "notes": "", "contacts": [], "grade": "B", "tags": {"a": 1},
        });
        let names: Vec<String> = fields(&record).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["grade", "name", "tags"]);
    }
}

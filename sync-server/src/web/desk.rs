//! The desk's queues and forms: return-visit reports awaiting a supervisor's review, reception
//! expenses awaiting the customer-service and finance managers, and the POSTs that review,
//! decide and answer. Each POST checks the session's CSRF token, then runs the same
//! [`Office`] action as the JSON API (the core's rule through the hub's write rules), and
//! answers `303` back to the page it came from; a refusal is a 403 page, nothing changed.
//!
//! [`Office`]: crate::office::Office

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use fieldbook_core::model::ReturnVisitReport;
use fieldbook_core::{RecordId, WorkCalendar};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::error::WebError;
use super::error_page::see_other;
use super::pages::record_id;
use super::record::{ExpenseView, expense};
use super::render::{render, time};
use super::session::Session;
use crate::app_state::AppState;
use crate::hub::EditOutcome;
use crate::office::{ApprovalItem, ReviewItem};
use crate::store::ServerStore;

/// What a queue page was told after a form.
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// A report in the review queue.
#[derive(Debug, Serialize)]
struct ReviewView {
    id: String,
    title: String,
    rep: String,
    team: String,
    visited_on: String,
    filed_at: String,
    place: String,
    needs: String,
    opinions: String,
    satisfaction: String,
    materials_returned: bool,
    proposals: Vec<String>,
}

fn satisfaction(r: &ReturnVisitReport) -> String {
    r.satisfaction.as_ref().map_or_else(String::new, |s| {
        format!(
            "产品 product {} · 服务 service {} · 环境 environment {}",
            s.product, s.service, s.environment
        )
    })
}

impl ReviewView {
    fn new(i: &ReviewItem, cal: &WorkCalendar) -> ReviewView {
        let r = &i.report;
        ReviewView {
            id: i.row.id.to_string(),
            title: i.row.title.clone(),
            rep: i
                .row
                .rep
                .as_ref()
                .map(|u| u.to_string())
                .unwrap_or_default(),
            team: i.row.team.clone().unwrap_or_default(),
            visited_on: r.visited_on.map(|d| d.to_string()).unwrap_or_default(),
            filed_at: r.filed_at.map(|t| time(cal, t)).unwrap_or_default(),
            place: r.place.clone(),
            needs: r.needs.clone(),
            opinions: r.after_sales_opinions.clone(),
            satisfaction: satisfaction(r),
            materials_returned: r.materials_returned,
            proposals: r.proposals.iter().map(|p| p.text.clone()).collect(),
        }
    }
}

/// 待审核 / Reviews: filed return-visit reports awaiting review, oldest visit first.
pub async fn reviews<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let cal = state.office.calendar();
    let items = state.office.review_queue(&session.viewer).await?;
    let items: Vec<ReviewView> = items.iter().map(|i| ReviewView::new(i, cal)).collect();
    let ctx =
        context! { me => session.me(), nav => "reviews", live => "page", items, done => q.done };
    Ok(render("reviews.html", ctx)?.into_response())
}

/// A reception in the approval queue.
#[derive(Debug, Serialize)]
struct ApprovalView {
    id: String,
    title: String,
    host: String,
    visit_at: String,
    expense: ExpenseView,
}

fn approval_view(i: &ApprovalItem, s: &Session, cal: &WorkCalendar) -> Option<ApprovalView> {
    Some(ApprovalView {
        id: i.row.id.to_string(),
        title: i.row.title.clone(),
        host: i.note.host.to_string(),
        visit_at: i.note.visit_at.map(|t| time(cal, t)).unwrap_or_default(),
        expense: expense(&i.note, s.role, cal)?,
    })
}

/// 待审批 / Approvals: reception expenses awaiting a decision.
pub async fn approvals<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let cal = state.office.calendar();
    let items = state.office.approval_queue(&session.viewer).await?;
    let items: Vec<ApprovalView> = items
        .iter()
        .filter_map(|i| approval_view(i, &session, cal))
        .collect();
    let ctx =
        context! { me => session.me(), nav => "approvals", live => "page", items, done => q.done };
    Ok(render("approvals.html", ctx)?.into_response())
}

/// Where to go after a form: a local path the form names, else the record.
fn back_to(back: Option<&str>, fallback: String, done: &str) -> String {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains(['?', '\\']) => {
            format!("{b}?done={done}")
        }
        _ => fallback,
    }
}

/// What a desk action came to, as a response.
fn outcome(outcome: EditOutcome, to: String) -> Result<Response, WebError> {
    match outcome {
        EditOutcome::Stored(_) => Ok(see_other(&to)),
        EditOutcome::NotFound => Err(WebError::no_record()),
        EditOutcome::Refused(r) => Err(WebError::forbidden(r.to_string())),
    }
}

fn form<T>(f: Result<Form<T>, FormRejection>) -> Result<T, WebError> {
    f.map(|Form(t)| t).map_err(|r| WebError::bad_form(&r))
}

/// A desk form: it carries the session's CSRF token.
pub(super) trait DeskForm {
    fn csrf(&self) -> &str;
}

/// What every desk POST starts with: the form read, its token checked, the record id parsed.
pub(super) fn desk_form<T: DeskForm>(
    session: &Session,
    id: &str,
    f: Result<Form<T>, FormRejection>,
) -> Result<(T, RecordId), WebError> {
    let f = form(f)?;
    session.check(f.csrf())?;
    Ok((f, record_id(id)?))
}

/// What a desk action came to: back to the page the form names (told `done`), else the
/// record; or the refusal's page.
pub(super) fn done_to(
    done: EditOutcome,
    back: Option<&str>,
    id: RecordId,
    what: &str,
) -> Result<Response, WebError> {
    outcome(done, back_to(back, format!("/records/{id}"), what))
}

macro_rules! desk_forms {
    ($($t:ty),*) => {
        $(impl DeskForm for $t {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}

desk_forms!(ReviewForm, ExpenseForm, AnswerForm);

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    csrf: String,
    guidance: String,
    back: Option<String>,
}

/// A supervisor reviews a filed report with guidance.
pub async fn review<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Path(id): Path<String>,
    f: Result<Form<ReviewForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (f, id) = desk_form(&session, &id, f)?;
    let done = state
        .office
        .review(&session.viewer, id, &f.guidance)
        .await?;
    done_to(done, f.back.as_deref(), id, "review")
}

#[derive(Debug, Deserialize)]
pub struct ExpenseForm {
    csrf: String,
    /// `approve` or `reject`.
    decision: String,
    #[serde(default)]
    comment: String,
    back: Option<String>,
}

/// The customer-service or finance manager approves or rejects their half of an expense.
pub async fn decide<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Path(id): Path<String>,
    f: Result<Form<ExpenseForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (f, id) = desk_form(&session, &id, f)?;
    let approved = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(WebError::bad_request(format!(
                "决定须为 approve 或 reject / the decision is approve or reject, not `{other}`"
            )));
        }
    };
    let done = state
        .office
        .decide_expense(&session.viewer, id, approved, &f.comment)
        .await?;
    done_to(done, f.back.as_deref(), id, &f.decision)
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    csrf: String,
    proposal: String,
    outcome: String,
    answer: String,
}

/// Answers a customer proposal of a return-visit report.
pub async fn answer<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Path(id): Path<String>,
    f: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (f, id) = desk_form(&session, &id, f)?;
    if !matches!(f.outcome.as_str(), "accepted" | "kept" | "rejected") {
        return Err(WebError::bad_request(
            "答复须为采纳、保留或不采纳 / the outcome is accepted, kept or rejected",
        ));
    }
    let done = state
        .office
        .answer_proposal(&session.viewer, id, &f.proposal, &f.outcome, &f.answer)
        .await?;
    outcome(done, format!("/records/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_goes_back_only_to_a_local_page() {
        let rec = || "/records/x".to_owned();
        assert_eq!(
            back_to(Some("/approvals"), rec(), "approve"),
            "/approvals?done=approve"
        );
        for bad in ["//evil.example", "https://evil.example", "/a?b=c", "/\\x"] {
            assert_eq!(back_to(Some(bad), rec(), "approve"), "/records/x", "{bad}");
        }
        assert_eq!(back_to(None, rec(), "review"), "/records/x");
    }
}

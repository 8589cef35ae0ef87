//! The desk's metrics, computed by the core's query code (the device's own) over the records
//! the viewer may read: invitation rates (seed 000), visits, calls and A/B intent customers per rep per week
//! (seeds 003, 004), the month's daily visit logs and their points (seed 003, `daily_logs.rs`),
//! overdue reports and follow-ups, trade-show lead response times (seed 002).

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc};
use fieldbook_core::UserId;
use fieldbook_core::model::{Customer, DailyLog, LeadReferral, ReturnVisitReport, VisitPlan};
use fieldbook_core::queries::lead_response::{self, Response, trade_show_responses};
use fieldbook_core::queries::metrics::{InvitationMetrics, Rate, invitation_metrics_by_rep};
use fieldbook_core::queries::weekly::{WeekRecords, weekly_summary};
use fieldbook_core::rules::{lead, return_visit};
use fieldbook_core::{RecordId, WorkCalendar};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::daily_logs::{LogInput, RepMonthLogs, monthly_logs, reps_of};
use super::filter::parse_time;
use super::rows::{Derived, Typed};
use super::{Office, Viewer};
use crate::error::{Result, ServerError};
use crate::store::ServerStore;

/// The metrics' query string.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MetricsQuery {
    /// Period start (RFC 3339 or a date), default 4 weeks before `to`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Period end, exclusive (RFC 3339, or a date: the whole day included), default now.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Only this team's reps.
    pub team: Option<String>,
}

/// A rate as exact counts and percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct RateView {
    pub numerator: u64,
    pub denominator: u64,
    /// `null` when nothing was counted.
    pub percent: Option<f64>,
}

impl From<Rate> for RateView {
    fn from(r: Rate) -> Self {
        RateView {
            numerator: r.numerator,
            denominator: r.denominator,
            percent: r.percent(),
        }
    }
}

/// Invitation counts and the three rates of seed 000.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InvitationView {
    /// The rep (absent for the total).
    pub rep: Option<String>,
    pub invited: u64,
    pub responded: u64,
    pub accepted: u64,
    pub attended: u64,
    pub success_rate: RateView,
    pub feedback_rate: RateView,
    pub attendance_rate: RateView,
}

impl InvitationView {
    fn new(rep: Option<&UserId>, m: &InvitationMetrics) -> Self {
        InvitationView {
            rep: rep.map(|r| r.to_string()),
            invited: m.invited,
            responded: m.responded,
            accepted: m.accepted,
            attended: m.attended,
            success_rate: m.success_rate().into(),
            feedback_rate: m.feedback_rate().into(),
            attendance_rate: m.attendance_rate().into(),
        }
    }
}

/// One rep's week.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RepWeek {
    pub rep: String,
    /// The Monday the week starts (company time).
    pub week_start: NaiveDate,
    pub visits: u32,
    /// 电话开发家数: distinct leads or customers phoned (seed 004).
    pub calls: u32,
    /// A/B *intent* customers visited, filed complete and signed (seed 004 补白B), not the
    /// value grade; the definition is the device's (`fieldbook_core::queries::week_intent`).
    pub ab_customers: u32,
}

/// Something past its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Overdue {
    #[schema(value_type = String)]
    pub record: RecordId,
    pub rep: String,
    pub title: String,
    pub due_at: DateTime<Utc>,
}

/// One trade-show lead's response.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LeadResponseView {
    #[schema(value_type = String)]
    pub record: RecordId,
    pub rep: String,
    pub registered_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub response_secs: Option<i64>,
    /// on_target, within_limit, late, waiting, overdue.
    pub response: String,
}

/// Trade-show lead response times (1 week target, 2 weeks limit).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TradeShowView {
    pub leads: u64,
    pub on_target: u64,
    pub within_limit: u64,
    pub late: u64,
    pub waiting: u64,
    pub overdue: u64,
    pub median_response_secs: Option<i64>,
    pub by_lead: Vec<LeadResponseView>,
}

/// The metrics of a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Metrics {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub team: Option<String>,
    pub invitations: InvitationView,
    pub invitations_by_rep: Vec<InvitationView>,
    pub weeks: Vec<RepWeek>,
    /// Per rep per month touching the period: the daily visit logs and their points (seed 003).
    pub daily_logs: Vec<RepMonthLogs>,
    pub overdue_reports: Vec<Overdue>,
    pub overdue_follow_ups: Vec<Overdue>,
    pub trade_show: TradeShowView,
}

/// The typed records metrics read.
#[derive(Default)]
struct Input {
    plans: Vec<VisitPlan>,
    reports: Vec<ReturnVisitReport>,
    customers: Vec<Customer>,
    leads: Vec<LeadReferral>,
    logs: Vec<DailyLog>,
}

impl Input {
    fn of(records: &[std::sync::Arc<Derived>]) -> Input {
        let mut i = Input::default();
        for d in records {
            match &d.typed {
                Typed::VisitPlan(p) => i.plans.push(p.clone()),
                Typed::ReturnVisitReport(r) => i.reports.push(r.clone()),
                Typed::Customer(c) => i.customers.push(c.clone()),
                Typed::LeadReferral(l) => i.leads.push(l.as_ref().clone()),
                Typed::DailyLog(l) => i.logs.push(l.clone()),
                Typed::ReceptionNote(_) | Typed::Unknown => {}
            }
        }
        i
    }
}

impl<S: ServerStore> Office<S> {
    /// The metrics of `[from, to)` over the records `viewer` may read, for one team or all.
    pub async fn metrics(&self, viewer: &Viewer, q: &MetricsQuery) -> Result<Metrics> {
        let now = self.hub.clock().now();
        let cal = &self.cal;
        let to = q.to.as_deref().map(|s| parse_time("to", s, cal, true));
        let to = to.transpose()?.unwrap_or(now);
        let from = q.from.as_deref().map(|s| parse_time("from", s, cal, false));
        let from = from.transpose()?.unwrap_or(to - TimeDelta::weeks(4));
        if from >= to {
            return Err(ServerError::Invalid(
                "from 须早于 to / `from` must be before `to`".into(),
            ));
        }
        let reps = self.team_members(q.team.as_deref());
        let input = Input::of(&self.readable(viewer).await?);
        let in_team = |u: &UserId| reps.as_ref().is_none_or(|r| r.contains(u));
        let mut by_rep = invitation_metrics_by_rep(&input.plans, &[], from, to);
        by_rep.retain(|rep, _| in_team(rep));
        let mut total = InvitationMetrics::default();
        for m in by_rep.values() {
            total.invited += m.invited;
            total.responded += m.responded;
            total.accepted += m.accepted;
            total.attended += m.attended;
        }
        let log_input = LogInput {
            logs: &input.logs,
            plans: &input.plans,
            reports: &input.reports,
        };
        let log_reps = reps_of(&self.hub.access().dir, &viewer.user, &in_team);
        let daily_logs = monthly_logs(&log_input, &log_reps, (from, to), now, cal);
        Ok(Metrics {
            from,
            to,
            team: q.team.clone(),
            invitations: InvitationView::new(None, &total),
            invitations_by_rep: by_rep
                .iter()
                .map(|(rep, m)| InvitationView::new(Some(rep), m))
                .collect(),
            weeks: weeks(&input, from, to, cal, &in_team),
            daily_logs,
            overdue_reports: overdue_reports(&input, now, cal, &in_team),
            overdue_follow_ups: overdue_follow_ups(&input, now, cal, &in_team),
            trade_show: trade_show(&input, from, to, now, &in_team),
        })
    }

    /// The members of a team (`None`: no team asked for, everyone counts).
    pub(super) fn team_members(&self, team: Option<&str>) -> Option<Vec<UserId>> {
        let team = team?;
        let access = self.hub.access();
        let dir = &access.dir;
        Some(
            dir.users()
                .filter(|u| dir.person(u).and_then(|p| p.team.as_deref()) == Some(team))
                .cloned()
                .collect(),
        )
    }
}

/// Per rep per week (Monday to Sunday) touching the period.
fn weeks(
    input: &Input,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    cal: &WorkCalendar,
    in_team: &dyn Fn(&UserId) -> bool,
) -> Vec<RepWeek> {
    let first = cal.local_date(from);
    let mut monday = first - Days::new(u64::from(first.weekday().num_days_from_monday()));
    let last = cal.local_date(to - TimeDelta::milliseconds(1));
    let mut out = Vec::new();
    while monday <= last {
        let recs = WeekRecords {
            plans: &input.plans,
            reports: &input.reports,
            customers: &input.customers,
            leads: &input.leads,
        };
        let summary = weekly_summary(monday, &recs, cal);
        for (rep, s) in summary.into_iter().filter(|(r, _)| in_team(r)) {
            out.push(RepWeek {
                rep: rep.to_string(),
                week_start: monday,
                visits: s.visits,
                calls: s.calls,
                ab_customers: s.ab_customers,
            });
        }
        monday = monday + Days::new(7);
    }
    out
}

fn overdue_reports(
    input: &Input,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
    in_team: &dyn Fn(&UserId) -> bool,
) -> Vec<Overdue> {
    let mut out: Vec<Overdue> = input
        .reports
        .iter()
        .filter(|r| r.filed_at.is_none() && return_visit::report_is_late(r, now, cal))
        .filter_map(|r| {
            let rep = if r.rep.as_str().is_empty() {
                &r.meta.owner
            } else {
                &r.rep
            };
            let due_at = return_visit::report_due_at(r, cal)?;
            in_team(rep).then(|| Overdue {
                record: r.meta.id,
                rep: rep.to_string(),
                title: r.purpose.clone(),
                due_at,
            })
        })
        .collect();
    out.sort_by_key(|o| (o.due_at, o.record));
    out
}

fn overdue_follow_ups(
    input: &Input,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
    in_team: &dyn Fn(&UserId) -> bool,
) -> Vec<Overdue> {
    let mut out: Vec<Overdue> = input
        .leads
        .iter()
        .filter(|l| in_team(&l.meta.owner))
        .filter_map(|l| {
            let due_at = lead::next_follow_up_due(l, cal).filter(|d| *d < now)?;
            Some(Overdue {
                record: l.meta.id,
                rep: l.meta.owner.to_string(),
                title: l.code.clone(),
                due_at,
            })
        })
        .collect();
    out.sort_by_key(|o| (o.due_at, o.record));
    out
}

fn trade_show(
    input: &Input,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    in_team: &dyn Fn(&UserId) -> bool,
) -> TradeShowView {
    let responses: Vec<_> = trade_show_responses(&input.leads, from, to, now)
        .into_iter()
        .filter(|r| in_team(&r.owner))
        .collect();
    let s = lead_response::summarize(&responses);
    let name = |r: Response| match r {
        Response::OnTarget => "on_target",
        Response::WithinLimit => "within_limit",
        Response::Late => "late",
        Response::Waiting => "waiting",
        Response::Overdue => "overdue",
    };
    TradeShowView {
        leads: s.leads,
        on_target: s.on_target,
        within_limit: s.within_limit,
        late: s.late,
        waiting: s.waiting,
        overdue: s.overdue,
        median_response_secs: s.median_secs,
        by_lead: responses
            .iter()
            .map(|r| LeadResponseView {
                record: r.lead,
                rep: r.owner.to_string(),
                registered_at: r.registered_at,
                answered_at: r.answered_at,
                response_secs: r.response_time().map(|t| t.num_seconds()),
                response: name(r.response).into(),
            })
            .collect(),
    }
}

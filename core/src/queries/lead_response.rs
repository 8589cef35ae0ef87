//! Trade-show lead response times — seed 002 篇3: a trade-show lead is answered within 1 week,
//! at most 2.
//!
//! Choices: a lead counts in a period by its registration (a cohort, as for invitations); its
//! answer is its first logged follow-up; the response time is exact (seconds), and the median
//! of the answered leads is the lower middle value, so device and server agree to the second.

use chrono::{DateTime, TimeDelta, Utc};

use crate::ids::{RecordId, UserId};
use crate::model::{LeadReferral, LeadSource};
use crate::rules::lead::{TRADE_SHOW_LIMIT, TRADE_SHOW_TARGET};

/// How a trade-show lead was (or is being) answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Response {
    /// Answered within the 1-week target.
    OnTarget,
    /// Answered after the target, within the 2-week limit.
    WithinLimit,
    /// Answered after the limit.
    Late,
    /// Not answered yet, still within the limit.
    Waiting,
    /// Not answered, past the limit.
    Overdue,
}

/// One trade-show lead's response.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadResponse {
    pub lead: RecordId,
    pub owner: UserId,
    pub registered_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub response: Response,
}

impl LeadResponse {
    /// Time from registration to the first follow-up.
    pub fn response_time(&self) -> Option<TimeDelta> {
        self.answered_at.map(|a| a - self.registered_at)
    }
}

/// The trade-show leads registered in `[from, to)`, with how each was answered by `now`.
pub fn trade_show_responses(
    leads: &[LeadReferral],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<LeadResponse> {
    let mut out: Vec<LeadResponse> = leads
        .iter()
        .filter(|l| l.source == LeadSource::TradeShow)
        .filter_map(|l| {
            let at = l.registered_at.filter(|t| from <= *t && *t < to)?;
            let answered = l.follow_ups.iter().map(|f| f.at).min();
            Some(LeadResponse {
                lead: l.meta.id,
                owner: l.meta.owner.clone(),
                registered_at: at,
                answered_at: answered,
                response: classify(at, answered, now),
            })
        })
        .collect();
    out.sort_by_key(|r| (r.registered_at, r.lead));
    out
}

fn classify(at: DateTime<Utc>, answered: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Response {
    match answered {
        Some(a) if a - at <= TRADE_SHOW_TARGET => Response::OnTarget,
        Some(a) if a - at <= TRADE_SHOW_LIMIT => Response::WithinLimit,
        Some(_) => Response::Late,
        None if now - at <= TRADE_SHOW_LIMIT => Response::Waiting,
        None => Response::Overdue,
    }
}

/// Counts per outcome and the median response time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseSummary {
    pub leads: u64,
    pub on_target: u64,
    pub within_limit: u64,
    pub late: u64,
    pub waiting: u64,
    pub overdue: u64,
    /// Median response time of the answered leads, in seconds.
    pub median_secs: Option<i64>,
}

/// Sums up responses.
pub fn summarize(responses: &[LeadResponse]) -> ResponseSummary {
    let mut s = ResponseSummary {
        leads: responses.len() as u64,
        ..ResponseSummary::default()
    };
    for r in responses {
        *match r.response {
            Response::OnTarget => &mut s.on_target,
            Response::WithinLimit => &mut s.within_limit,
            Response::Late => &mut s.late,
            Response::Waiting => &mut s.waiting,
            Response::Overdue => &mut s.overdue,
        } += 1;
    }
    let mut times: Vec<i64> = responses
        .iter()
        .filter_map(|r| r.response_time())
        .map(|t| t.num_seconds())
        .collect();
    times.sort_unstable();
    s.median_secs = times.get(times.len().saturating_sub(1) / 2).copied();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FollowUp;
    use crate::rules::test_support::sh;

    fn lead(day: u32, answered_after_days: Option<i64>) -> LeadReferral {
        let at = sh(2026, 11, day, 10, 0);
        LeadReferral {
            source: LeadSource::TradeShow,
            registered_at: Some(at),
            follow_ups: answered_after_days
                .map(|d| FollowUp {
                    at: at + TimeDelta::days(d),
                    ..FollowUp::default()
                })
                .into_iter()
                .collect(),
            ..LeadReferral::default()
        }
    }

    #[test]
    fn trade_show_response_times_by_registration_cohort_seed_002() {
        let leads = [
            lead(1, Some(3)),
            lead(2, Some(10)),
            lead(3, Some(20)),
            lead(20, None),
            lead(4, None),
            LeadReferral::default(),
        ];
        let now = sh(2026, 11, 25, 9, 0);
        let r = trade_show_responses(&leads, sh(2026, 11, 1, 0, 0), sh(2026, 12, 1, 0, 0), now);
        let kinds: Vec<Response> = r.iter().map(|r| r.response).collect();
        use Response::*;
        assert_eq!(kinds, [OnTarget, WithinLimit, Late, Overdue, Waiting]);
        let s = summarize(&r);
        assert_eq!((s.leads, s.on_target, s.overdue), (5, 1, 1));
        assert_eq!(s.median_secs, Some(10 * 86_400));
    }
}

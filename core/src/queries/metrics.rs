//! Invitation metrics (邀约监控指标) — seed 000:
//! success rate = accepted / invited; feedback rate = responded / invited; attendance rate =
//! attended / accepted.
//!
//! Choices: a plan counts in a period by the moment it was **invited** (a cohort: the
//! invitations sent in November, and what became of them), in the company's zone. "Responded"
//! = accepted or declined; a no-show was accepted; a plan cancelled after its invitation
//! counts as invited, and as responded only if an answer was recorded. Rates are exact
//! fractions (numerator, denominator), so device and server agree to the last digit.
//!
//! An event's invitees count one by one, for the rep who invited them (a seminar with 30 guests
//! is 30 invitations). The sales figures of seed 000 (销售订单数量和金额) come with them: the
//! invitations whose outcome carries an order or intent amount, and the sum in fen. Targets
//! (`target_progress`) compare each rep's month with the target her supervisor set.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::WorkCalendar;
use crate::ids::UserId;
use crate::model::{VisitPlan, VisitStatus};
use crate::rules::visit_plan_targets::{month_of, targets_for};

/// A ratio kept as counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
}

impl Rate {
    /// The rate in percent, `None` when nothing was counted.
    pub fn percent(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 * 100.0 / self.denominator as f64)
    }
}

/// The counts behind the three rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvitationMetrics {
    pub invited: u64,
    pub responded: u64,
    pub accepted: u64,
    pub attended: u64,
    /// Invitations whose outcome carries an order or intent amount.
    pub orders: u64,
    /// The sum of those amounts, in fen.
    pub amount_fen: i64,
}

/// One invitation as the metrics see it: a visit plan's, or an event invitee's.
struct Invitation<'a> {
    rep: &'a UserId,
    invited_at: Option<DateTime<Utc>>,
    status: &'a VisitStatus,
    /// Accepted or declined at some point (a later cancellation does not undo the answer).
    went_accepted: bool,
    went_declined: bool,
    amount_fen: Option<i64>,
}

fn invitations(plan: &VisitPlan) -> Vec<Invitation<'_>> {
    let Some(event) = &plan.event else {
        let went = |to: &str| plan.history.iter().any(|h| h.to == to);
        return vec![Invitation {
            rep: rep_of(plan),
            invited_at: plan.invited_at,
            status: &plan.status,
            went_accepted: went("accepted"),
            went_declined: went("declined"),
            amount_fen: plan.outcome_amount_fen,
        }];
    };
    event
        .invitees
        .iter()
        .map(|i| Invitation {
            rep: &i.rep,
            invited_at: i.invited_at,
            status: &i.status,
            went_accepted: false,
            went_declined: false,
            amount_fen: i.outcome_amount_fen,
        })
        .collect()
}

impl InvitationMetrics {
    pub fn success_rate(&self) -> Rate {
        Rate {
            numerator: self.accepted,
            denominator: self.invited,
        }
    }
    pub fn feedback_rate(&self) -> Rate {
        Rate {
            numerator: self.responded,
            denominator: self.invited,
        }
    }
    pub fn attendance_rate(&self) -> Rate {
        Rate {
            numerator: self.attended,
            denominator: self.accepted,
        }
    }

    fn add(&mut self, i: &Invitation<'_>) {
        let accepted = matches!(
            i.status,
            VisitStatus::Accepted | VisitStatus::Attended | VisitStatus::NoShow
        ) || i.went_accepted;
        let declined = *i.status == VisitStatus::Declined || i.went_declined;
        self.invited += 1;
        self.responded += u64::from(accepted || declined);
        self.accepted += u64::from(accepted);
        self.attended += u64::from(*i.status == VisitStatus::Attended);
        if let Some(amount) = i.amount_fen.filter(|a| *a > 0) {
            self.orders += 1;
            self.amount_fen = self.amount_fen.saturating_add(amount);
        }
    }
}

pub use crate::rules::visit_plan::rep_of;

/// Metrics of the plans invited in `[from, to)` whose rep is in `reps` (all reps if empty).
pub fn invitation_metrics(
    plans: &[VisitPlan],
    reps: &[UserId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> InvitationMetrics {
    let mut m = InvitationMetrics::default();
    for i in counted(plans, reps, from, to) {
        m.add(&i);
    }
    m
}

/// The same, per rep.
pub fn invitation_metrics_by_rep(
    plans: &[VisitPlan],
    reps: &[UserId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> BTreeMap<UserId, InvitationMetrics> {
    let mut by_rep: BTreeMap<UserId, InvitationMetrics> = BTreeMap::new();
    for i in counted(plans, reps, from, to) {
        by_rep.entry(i.rep.clone()).or_default().add(&i);
    }
    by_rep
}

/// The invitations sent in `[from, to)` by the reps in `reps` (all if empty).
fn counted<'a>(
    plans: &'a [VisitPlan],
    reps: &'a [UserId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> impl Iterator<Item = Invitation<'a>> {
    plans.iter().flat_map(invitations).filter(move |i| {
        let in_period = i.invited_at.is_some_and(|t| from <= t && t < to);
        in_period && (reps.is_empty() || reps.contains(i.rep))
    })
}

/// A rep's month against the target set for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetProgress {
    pub rep: UserId,
    /// The first day of the month.
    pub month: NaiveDate,
    pub target_invitations: u32,
    pub target_accepted: u32,
    pub invited: u64,
    pub accepted: u64,
}

impl TargetProgress {
    pub fn met(&self) -> bool {
        self.invited >= u64::from(self.target_invitations)
            && self.accepted >= u64::from(self.target_accepted)
    }
}

/// Every rep with a target for the month of `month`: the target that counts (the latest set)
/// and the invitations she sent that month (in the company's calendar) and got accepted.
pub fn target_progress(
    plans: &[VisitPlan],
    month: NaiveDate,
    cal: &WorkCalendar,
) -> Vec<TargetProgress> {
    let first = month_of(month);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let (from, to) = (cal.start_of_day(first), cal.start_of_day(next));
    targets_for(plans, first)
        .into_iter()
        .map(|t| {
            let m = invitation_metrics(plans, std::slice::from_ref(&t.rep), from, to);
            TargetProgress {
                rep: t.rep,
                month: first,
                target_invitations: t.invitations,
                target_accepted: t.accepted,
                invited: m.invited,
                accepted: m.accepted,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InvitationMethod;
    use crate::rules::test_support::{act, sh, user};
    use crate::rules::visit_plan;

    fn plan(rep: &str, outcome: &str) -> VisitPlan {
        let mut p = VisitPlan {
            rep: user(rep),
            customer_id: Some(crate::ids::RecordId::from_random_bytes([4; 16])),
            purpose: "介绍新品".into(),
            place: "客户工厂".into(),
            scheduled_at: Some(sh(2026, 11, 30, 10, 0)),
            ..VisitPlan::default()
        };
        let a = act(sh(2026, 11, 23, 9, 0));
        let cal = crate::calendar::WorkCalendar::china_default();
        let _ = visit_plan::invite(&mut p, InvitationMethod::Phone, &a);
        let _ = match outcome {
            "accepted" => visit_plan::accept(&mut p, 2, &a),
            "declined" => visit_plan::decline(&mut p, "忙", &a),
            "attended" => visit_plan::accept(&mut p, 2, &a).and_then(|_| {
                visit_plan::mark_attended(&mut p, &act(sh(2026, 11, 30, 10, 0)), &cal)
            }),
            _ => Ok(()),
        };
        p
    }

    #[test]
    fn invitation_success_feedback_and_attendance_rates_seed_000() {
        let plans = [
            plan("rep.li", "accepted"),
            plan("rep.li", "declined"),
            plan("rep.li", "attended"),
            plan("rep.li", "silent"),
            plan("rep.wang", "attended"),
        ];
        let m = invitation_metrics(
            &plans,
            &[user("rep.li")],
            sh(2026, 11, 1, 0, 0),
            sh(2026, 12, 1, 0, 0),
        );
        assert_eq!(
            m,
            InvitationMetrics {
                invited: 4,
                responded: 3,
                accepted: 2,
                attended: 1,
                ..InvitationMetrics::default()
            }
        );
        assert_eq!(m.success_rate().percent(), Some(50.0));
        assert_eq!(m.feedback_rate().percent(), Some(75.0));
        assert_eq!(m.attendance_rate().percent(), Some(50.0));
        let team = invitation_metrics(&plans, &[], sh(2026, 11, 1, 0, 0), sh(2026, 12, 1, 0, 0));
        assert_eq!(team.invited, 5);
        let by_rep =
            invitation_metrics_by_rep(&plans, &[], sh(2026, 11, 1, 0, 0), sh(2026, 12, 1, 0, 0));
        assert_eq!(
            by_rep[&user("rep.wang")].attendance_rate().percent(),
            Some(100.0)
        );
        let december = invitation_metrics(&plans, &[], sh(2026, 12, 1, 0, 0), sh(2027, 1, 1, 0, 0));
        assert_eq!(december.success_rate().percent(), None);
    }
}

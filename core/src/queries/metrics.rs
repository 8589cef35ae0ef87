//! Invitation metrics (邀约监控指标) — seed 000:
//! success rate = accepted / invited; feedback rate = responded / invited; attendance rate =
//! attended / accepted.
//!
//! Choices: a plan counts in a period by the moment it was **invited** (a cohort: the
//! invitations sent in November, and what became of them), in the company's zone. "Responded"
//! = accepted or declined; a no-show was accepted; a plan cancelled after its invitation
//! counts as invited, and as responded only if an answer was recorded. Rates are exact
//! fractions (numerator, denominator), so device and server agree to the last digit.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::ids::UserId;
use crate::model::{VisitPlan, VisitStatus};

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

    fn add(&mut self, plan: &VisitPlan) {
        let went = |to: &str| plan.history.iter().any(|h| h.to == to);
        let accepted = matches!(
            plan.status,
            VisitStatus::Accepted | VisitStatus::Attended | VisitStatus::NoShow
        ) || went("accepted");
        let declined = plan.status == VisitStatus::Declined || went("declined");
        self.invited += 1;
        self.responded += u64::from(accepted || declined);
        self.accepted += u64::from(accepted);
        self.attended += u64::from(plan.status == VisitStatus::Attended);
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
    for p in plans.iter().filter(|p| counts(p, reps, from, to)) {
        m.add(p);
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
    for p in plans.iter().filter(|p| counts(p, reps, from, to)) {
        by_rep.entry(rep_of(p).clone()).or_default().add(p);
    }
    by_rep
}

fn counts(p: &VisitPlan, reps: &[UserId], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let in_period = p.invited_at.is_some_and(|t| from <= t && t < to);
    in_period && (reps.is_empty() || reps.contains(rep_of(p)))
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
                attended: 1
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

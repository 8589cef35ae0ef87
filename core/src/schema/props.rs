//! Random valid records of every kind, for the schema's property tests.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, Utc};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use serde_json::Value as Json;

use crate::doc::RecordDoc;
use crate::ids::{DeviceId, RecordId, UserId};
use crate::model::*;

/// A record of any kind, typed.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum AnyRecord {
    Customer(Customer),
    VisitPlan(VisitPlan),
    ReceptionNote(Box<ReceptionNote>),
    ReturnVisitReport(ReturnVisitReport),
    LeadReferral(Box<LeadReferral>),
    DailyLog(DailyLog),
}

impl AnyRecord {
    /// The record as its document holds it (fields, `kind`, `schema`).
    pub(super) fn json(&self) -> Json {
        fn doc<R: Record>(r: &R) -> Json {
            let actor = DeviceId::from_random_bytes([3; 16]).actor(1);
            RecordDoc::create(r, actor).unwrap().to_json()
        }
        match self {
            AnyRecord::Customer(r) => doc(r),
            AnyRecord::VisitPlan(r) => doc(r),
            AnyRecord::ReceptionNote(r) => doc(r.as_ref()),
            AnyRecord::ReturnVisitReport(r) => doc(r),
            AnyRecord::LeadReferral(r) => doc(r.as_ref()),
            AnyRecord::DailyLog(r) => doc(r),
        }
    }

    /// The same kind, read back from `json`.
    pub(super) fn reread(&self, json: &Json) -> serde_json::Result<AnyRecord> {
        let j = json.clone();
        Ok(match self {
            AnyRecord::Customer(_) => AnyRecord::Customer(serde_json::from_value(j)?),
            AnyRecord::VisitPlan(_) => AnyRecord::VisitPlan(serde_json::from_value(j)?),
            AnyRecord::ReceptionNote(_) => {
                AnyRecord::ReceptionNote(Box::new(serde_json::from_value(j)?))
            }
            AnyRecord::ReturnVisitReport(_) => {
                AnyRecord::ReturnVisitReport(serde_json::from_value(j)?)
            }
            AnyRecord::LeadReferral(_) => {
                AnyRecord::LeadReferral(Box::new(serde_json::from_value(j)?))
            }
            AnyRecord::DailyLog(_) => AnyRecord::DailyLog(serde_json::from_value(j)?),
        })
    }

    pub(super) fn kind(&self) -> RecordKind {
        match self {
            AnyRecord::Customer(_) => RecordKind::Customer,
            AnyRecord::VisitPlan(_) => RecordKind::VisitPlan,
            AnyRecord::ReceptionNote(_) => RecordKind::ReceptionNote,
            AnyRecord::ReturnVisitReport(_) => RecordKind::ReturnVisitReport,
            AnyRecord::LeadReferral(_) => RecordKind::LeadReferral,
            AnyRecord::DailyLog(_) => RecordKind::DailyLog,
        }
    }
}

pub(super) fn any_record() -> impl Strategy<Value = AnyRecord> {
    prop_oneof![
        customer().prop_map(AnyRecord::Customer),
        visit_plan().prop_map(AnyRecord::VisitPlan),
        reception_note().prop_map(|r| AnyRecord::ReceptionNote(Box::new(r))),
        report().prop_map(AnyRecord::ReturnVisitReport),
        lead().prop_map(|l| AnyRecord::LeadReferral(Box::new(l))),
        daily_log().prop_map(AnyRecord::DailyLog),
    ]
}

fn text() -> BoxedStrategy<String> {
    "[a-z\u{4e00}-\u{4e10} ]{0,8}".boxed()
}

fn user() -> BoxedStrategy<UserId> {
    "[a-z][a-z0-9.]{0,7}"
        .prop_map(|s| UserId::new(s).unwrap())
        .boxed()
}

fn time() -> BoxedStrategy<DateTime<Utc>> {
    (0i64..4_102_444_800_000)
        .prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap())
        .boxed()
}

fn date() -> BoxedStrategy<NaiveDate> {
    time().prop_map(|t| t.date_naive()).boxed()
}

fn rid() -> BoxedStrategy<RecordId> {
    any::<[u8; 16]>()
        .prop_map(RecordId::from_random_bytes)
        .boxed()
}

fn amount() -> BoxedStrategy<i64> {
    (0i64..1_000_000_000_000).boxed()
}

fn pick<E: StringEnum + Clone + std::fmt::Debug>() -> BoxedStrategy<E> {
    proptest::sample::select(E::ALL.to_vec()).boxed()
}

fn meta() -> BoxedStrategy<RecordMeta> {
    (rid(), time(), user(), any::<[u8; 16]>(), user())
        .prop_map(|(id, created_at, created_by, device, owner)| RecordMeta {
            id,
            created_at,
            created_by,
            created_on: DeviceId::from_random_bytes(device),
            owner,
        })
        .boxed()
}

fn status_change() -> BoxedStrategy<StatusChange> {
    (text(), text(), text(), time(), user(), text())
        .prop_map(|(id, from, to, at, by, note)| StatusChange {
            id,
            from,
            to,
            at,
            by,
            note,
        })
        .boxed()
}

fn contact() -> BoxedStrategy<Contact> {
    let consent = (time(), text(), text(), of(time())).prop_map(|(g, c, p, w)| Consent {
        given_at: g,
        channel: c,
        purpose: p,
        withdrawn_at: w,
    });
    (text(), text(), text(), text(), text(), text(), of(consent))
        .prop_map(
            |(id, name, title, mobile, direct_line, email, consent)| Contact {
                id,
                name,
                title,
                mobile,
                direct_line,
                email,
                consent,
            },
        )
        .boxed()
}

fn customer() -> BoxedStrategy<Customer> {
    let card = (text(), text(), text()).prop_map(|(interests, hobbies, traits)| ReceptionCard {
        interests,
        hobbies,
        traits,
    });
    let basics = (
        meta(),
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
        text(),
    );
    let rest = (
        of(amount()),
        text(),
        pick(),
        pick(),
        vec(contact(), 0..3),
        of(card),
    );
    let last = (
        of(time()),
        of(user()),
        text(),
        vec(status_change(), 0..3),
        vec(contact_log_entry(), 0..3),
    );
    (basics, rest, last)
        .prop_map(|(b, r, l)| Customer {
            meta: b.0,
            name: b.1,
            company: b.2,
            region: b.3,
            address: b.4,
            industry: b.5,
            decision_role: b.6,
            needs: b.7,
            budget_cny: r.0,
            habits: r.1,
            grade: r.2,
            visitor_category: r.3,
            contacts: r.4,
            reception_card: r.5,
            last_purchase_at: l.0,
            dedicated_rep: l.1,
            notes: l.2,
            grade_history: l.3,
            contact_log: l.4,
        })
        .boxed()
}

fn contact_log_entry() -> BoxedStrategy<ContactLogEntry> {
    (text(), time(), user(), text(), pick(), pick(), text())
        .prop_map(
            |(id, at, by, contact_id, channel, outcome, note)| ContactLogEntry {
                id,
                at,
                by,
                contact_id,
                channel,
                outcome,
                note,
            },
        )
        .boxed()
}

fn follow_up() -> BoxedStrategy<FollowUp> {
    (text(), time(), user(), pick(), text(), text(), text())
        .prop_map(
            |(id, at, by, channel, said, obstacles, next_step)| FollowUp {
                id,
                at,
                by,
                channel,
                said,
                obstacles,
                next_step,
            },
        )
        .boxed()
}

fn lead() -> BoxedStrategy<LeadReferral> {
    let prospect = (text(), text(), text(), text(), text()).prop_map(|p| Prospect {
        name: p.0,
        company: p.1,
        phone: p.2,
        email: p.3,
        needs: p.4,
    });
    let a = (meta(), text(), pick(), of(rid()), text(), text(), prospect);
    let b = (pick(), pick(), of(time()), text(), of(rid()), of(time()));
    let c = (vec(follow_up(), 0..3), vec(status_change(), 0..3), text());
    let capture = (pick(), text(), text(), vec(text(), 0..3)).prop_map(|c| ScannedCard {
        format: c.0,
        title: c.1,
        department: c.2,
        phones: c.3,
    });
    let d = (of(time()), of(time()), of(time()), of(capture));
    let stage_change = (text(), pick(), pick(), time(), user(), text()).prop_map(|s| StageChange {
        id: s.0,
        from: s.1,
        to: s.2,
        at: s.3,
        by: s.4,
        follow_up_id: s.5,
    });
    let request = (text(), text(), time(), user()).prop_map(|r| LostRequest {
        id: r.0,
        reason: r.1,
        at: r.2,
        by: r.3,
    });
    let e = (
        pick(),
        vec(stage_change, 0..2),
        of(request),
        of(amount()),
        of(amount()),
    );
    (a, b, c, d, e)
        .prop_map(|(a, b, c, d, e)| LeadReferral {
            meta: a.0,
            code: a.1,
            source: a.2,
            referrer_id: a.3,
            referrer_name: a.4,
            event: a.5,
            prospect: a.6,
            grade: b.0,
            status: b.1,
            registered_at: b.2,
            lost_reason: b.3,
            customer_id: b.4,
            invoiced_at: b.5,
            follow_ups: c.0,
            history: c.1,
            prospect_key: c.2,
            clock_floor_at: d.0,
            server_received_at: d.1,
            contact_floor_at: d.2,
            capture: d.3,
            stage: e.0,
            stage_changes: e.1,
            lost_request: e.2,
            won_amount_fen: e.3,
            invoiced_amount_fen: e.4,
        })
        .boxed()
}

fn visit_plan() -> BoxedStrategy<VisitPlan> {
    let confirmation = (text(), pick(), time(), user()).prop_map(|c| Confirmation {
        id: c.0,
        kind: c.1,
        at: c.2,
        by: c.3,
    });
    let reschedule =
        (text(), of(time()), time(), text(), time(), text(), user()).prop_map(|r| Reschedule {
            id: r.0,
            from: r.1,
            to: r.2,
            consent_by: r.3,
            consent_at: r.4,
            reason: r.5,
            by: r.6,
        });
    let a = (meta(), of(rid()), user(), text(), of(time()), text());
    let b = (
        vec(text(), 0..3),
        any::<bool>(),
        any::<bool>(),
        pick(),
        of(pick()),
    );
    let c = (of(time()), of(time()), of(0u32..10_000), text());
    let d = (vec(confirmation, 0..3), vec(reschedule, 0..3), of(time()));
    (a, b, c, d, vec(status_change(), 0..3))
        .prop_map(|(a, b, c, d, history)| VisitPlan {
            meta: a.0,
            customer_id: a.1,
            rep: a.2,
            purpose: a.3,
            scheduled_at: a.4,
            place: a.5,
            materials: b.0,
            needs_confirmation: b.1,
            in_depth: b.2,
            status: b.3,
            invitation_method: b.4,
            invited_at: c.0,
            responded_at: c.1,
            attendees: c.2,
            decline_reason: c.3,
            confirmations: d.0,
            reschedules: d.1,
            attended_at: d.2,
            history,
            ..VisitPlan::default()
        })
        .boxed()
}

fn approval() -> BoxedStrategy<Approval> {
    (any::<bool>(), user(), time(), text(), text())
        .prop_map(|a| Approval {
            approved: a.0,
            by: a.1,
            at: a.2,
            comment: a.3,
            covers: a.4,
        })
        .boxed()
}

fn expense() -> BoxedStrategy<ExpenseApplication> {
    let a = (amount(), amount(), text(), user(), time());
    let b = (of(approval()), of(approval()), of(amount()), of(time()));
    (a, b)
        .prop_map(|(a, b)| ExpenseApplication {
            amount_fen: a.0,
            budget_fen: a.1,
            purpose: a.2,
            applied_by: a.3,
            applied_at: a.4,
            cs_manager: b.0,
            finance_manager: b.1,
            spent_fen: b.2,
            over_budget_fen: a.1 / 2,
            receipts_submitted_at: b.3,
            reimbursement: None,
        })
        .boxed()
}

fn reception_note() -> BoxedStrategy<ReceptionNote> {
    let voucher = (text(), user(), time()).prop_map(|v| VisitVoucher {
        number: v.0,
        approved_by: v.1,
        approved_at: v.2,
    });
    let a = (
        meta(),
        of(rid()),
        vec(text(), 0..3),
        0u32..10_000,
        pick(),
        text(),
    );
    let b = (of(time()), user(), text(), text(), text(), text(), text());
    let c = (
        any::<bool>(),
        of(voucher),
        pick(),
        of(time()),
        of(expense()),
    );
    (a, b, c, text(), vec(status_change(), 0..3))
        .prop_map(|(a, b, c, notes, history)| ReceptionNote {
            meta: a.0,
            customer_id: a.1,
            visitor_names: a.2,
            head_count: a.3,
            category: a.4,
            purpose: a.5,
            visit_at: b.0,
            host: b.1,
            senior_escort: b.2,
            meals: b.3,
            refreshments: b.4,
            souvenirs: b.5,
            tour_route: b.6,
            photos_permitted: c.0,
            voucher: c.1,
            status: c.2,
            held_at: c.3,
            expense: c.4,
            notes,
            history,
        })
        .boxed()
}

fn report() -> BoxedStrategy<ReturnVisitReport> {
    let score = || 1u8..=5;
    let satisfaction = (score(), score(), score()).prop_map(|s| Satisfaction {
        product: s.0,
        service: s.1,
        environment: s.2,
    });
    let proposal = (
        text(),
        text(),
        any::<bool>(),
        time(),
        pick(),
        text(),
        of(time()),
    )
        .prop_flat_map(|p| {
            let routing = (pick(), of(pick()), of(user()), of(time()));
            let extension = (user(), time(), text()).prop_map(|x| ProposalExtension {
                by: x.0,
                at: x.1,
                vp_approval: x.2,
            });
            (Just(p), of(user()), routing, of(extension))
        })
        .prop_map(|(p, by, routing, extension)| Proposal {
            id: p.0,
            text: p.1,
            complex: p.2,
            received_at: p.3,
            channel: routing.0,
            department: routing.1,
            routed_by: routing.2,
            routed_at: routing.3,
            extension,
            outcome: p.4,
            answer: p.5,
            answered_at: p.6,
            answered_by: by,
        });
    let material = (text(), text(), of(time()), text()).prop_map(|m| CarriedMaterial {
        id: m.0,
        item: m.1,
        returned_at: m.2,
        not_returned_reason: m.3,
    });
    let expense = (amount(), text(), of(user()), of(time())).prop_map(|e| VisitExpense {
        amount_fen: e.0,
        description: e.1,
        signed_by: e.2,
        signed_at: e.3,
    });
    let review = (user(), time(), text()).prop_map(|r| Review {
        by: r.0,
        at: r.1,
        guidance: r.2,
    });
    let a = (
        meta(),
        of(rid()),
        of(rid()),
        user(),
        of(date()),
        text(),
        text(),
    );
    let b = (
        text(),
        text(),
        of(satisfaction),
        any::<bool>(),
        vec(proposal, 0..3),
    );
    let c = (vec(material, 0..3), of(expense), of(time()), of(review));
    (a, b, c)
        .prop_map(
            |(a, b, (materials, expense, filed_at, review))| ReturnVisitReport {
                meta: a.0,
                customer_id: a.1,
                visit_plan_id: a.2,
                rep: a.3,
                visited_on: a.4,
                place: a.5,
                purpose: a.6,
                needs: b.0,
                after_sales_opinions: b.1,
                satisfaction: b.2,
                materials_returned: b.3,
                materials,
                proposals: b.4,
                expense,
                filed_at,
                review,
            },
        )
        .boxed()
}

fn daily_log() -> BoxedStrategy<DailyLog> {
    let entry = (text(), of(rid()), of(rid()), any::<bool>(), text()).prop_map(|e| LogEntry {
        id: e.0,
        customer_id: e.1,
        visit_plan_id: e.2,
        in_depth: e.3,
        note: e.4,
    });
    let ack =
        (user(), time(), text()).prop_map(|(by, at, comment)| Acknowledgement { by, at, comment });
    let body = (user(), of(date()), vec(entry, 0..3), text(), text());
    (meta(), body, of(time()), of(ack))
        .prop_map(|(meta, b, submitted_at, acknowledged)| DailyLog {
            meta,
            rep: b.0,
            day: b.1,
            entries: b.2,
            problems: b.3,
            next_day_plan: b.4,
            submitted_at,
            acknowledged,
        })
        .boxed()
}

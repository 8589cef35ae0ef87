//! One forbidden change per line of the write rule table (ADR 0006), for
//! `every_rule_in_the_table_refuses_what_it_forbids_and_nothing_spreads`.

use fieldbook_core::model::{
    Acknowledgement, Approval, Customer, DailyLog, Proposal, ReceptionNote, Reimbursement,
    ReturnVisitReport, Review, StatusChange, VisitExpense, VisitVoucher,
};
use fieldbook_core::{DeviceStore, RecordId};

use crate::common::user;

type Edit = Box<dyn Fn(&DeviceStore, RecordId)>;

/// Edits a reception in the device's document directly (the device's own lifecycle judge
/// would refuse these edits before the server sees them).
fn raw_reception(
    s: &DeviceStore,
    id: RecordId,
    edit: impl FnOnce(&mut ReceptionNote) -> fieldbook_core::Result<()>,
) -> fieldbook_core::Result<()> {
    s.with_doc_mut(id, |doc| doc.update::<ReceptionNote>(edit).map(drop))
}

/// One forbidden change per line of the rule table: (kind, path, who tries, what they do).
pub fn cases() -> Vec<(&'static str, &'static str, &'static str, Edit)> {
    fn json_put(path: &'static [&'static str], value: serde_json::Value) -> Edit {
        Box::new(move |s: &DeviceStore, id| {
            s.with_doc_mut(id, |doc| {
                use automerge::transaction::Transactable;
                let am = doc.automerge();
                let mut obj = automerge::ROOT;
                for key in &path[..path.len() - 1] {
                    obj = match automerge::ReadDoc::get(am, &obj, *key)? {
                        Some((_, o)) => o,
                        None => am.put_object(&obj, *key, automerge::ObjType::Map)?,
                    };
                }
                let leaf = path[path.len() - 1];
                match &value {
                    serde_json::Value::Number(n) => am.put(&obj, leaf, n.as_i64().unwrap_or(0))?,
                    v => am.put(&obj, leaf, v.as_str().unwrap_or_default())?,
                }
                Ok(())
            })
            .unwrap();
        })
    }
    vec![
        (
            "*",
            "/kind",
            "rep.li",
            json_put(&["kind"], "lead_referral".into()),
        ),
        (
            "*",
            "/meta/id",
            "rep.li",
            json_put(&["meta", "id"], "2upNy6TguQTY1EpEjZL2v6L5p3Hh".into()),
        ),
        (
            "*",
            "/meta/created_at",
            "rep.li",
            json_put(&["meta", "created_at"], "2020-01-01T00:00:00Z".into()),
        ),
        (
            "*",
            "/meta/created_by",
            "rep.li",
            json_put(&["meta", "created_by"], "rep.wang".into()),
        ),
        (
            "*",
            "/meta/created_on",
            "rep.li",
            json_put(
                &["meta", "created_on"],
                "00000000000000000000000000000001".into(),
            ),
        ),
        (
            "*",
            "/meta/generation",
            "rep.li",
            json_put(&["meta", "generation"], 7.into()),
        ),
        (
            "*",
            "/meta/owner",
            "rep.li",
            json_put(&["meta", "owner"], "rep.wang".into()),
        ),
        (
            "lead_referral",
            "/server_received_at",
            "mkt.sun",
            json_put(&["server_received_at"], "2026-01-01T00:00:00Z".into()),
        ),
        (
            "lead_referral",
            "/prospect_key",
            "rep.li",
            json_put(&["prospect_key"], "tel:+8613800000000".into()),
        ),
        (
            "lead_referral",
            "/registered_at",
            "rep.li",
            json_put(&["registered_at"], "2020-01-01T00:00:00Z".into()),
        ),
        (
            "lead_referral",
            "/clock_floor_at",
            "rep.li",
            json_put(&["clock_floor_at"], "2020-01-01T00:00:00Z".into()),
        ),
        (
            "lead_referral",
            "/contact_floor_at",
            "mkt.sun",
            json_put(&["contact_floor_at"], "2020-01-01T00:00:00Z".into()),
        ),
        (
            "return_visit_report",
            "/expense/signed_by",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                // Past the device's own judge: the server's table is under test.
                s.with_doc_mut(id, |d| {
                    d.update::<ReturnVisitReport>(|r| {
                        r.expense = Some(VisitExpense {
                            signed_by: Some(user("rep.li")),
                            ..VisitExpense::default()
                        });
                        Ok(())
                    })
                    .map(drop)
                })
                .unwrap();
            }),
        ),
        (
            "return_visit_report",
            "/expense/signed_at",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                // Past the device's own judge: the server's table is under test.
                s.with_doc_mut(id, |d| {
                    d.update::<ReturnVisitReport>(|r| {
                        r.expense = Some(VisitExpense {
                            signed_at: Some(chrono::DateTime::UNIX_EPOCH),
                            ..VisitExpense::default()
                        });
                        Ok(())
                    })
                    .map(drop)
                })
                .unwrap();
            }),
        ),
        (
            "return_visit_report",
            "/proposals",
            "admin.zheng",
            Box::new(|s: &DeviceStore, id| {
                // Past the device's own judge: the server's table is under test.
                s.with_doc_mut(id, |d| {
                    d.update::<ReturnVisitReport>(|r| {
                        r.proposals.push(Proposal {
                            id: "p-admin".into(),
                            text: "管理员代填 / typed by the admin".into(),
                            ..Proposal::default()
                        });
                        Ok(())
                    })
                    .map(drop)
                })
                .unwrap();
            }),
        ),
        (
            "reception_note",
            "/voucher",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                raw_reception(s, id, |r| {
                    r.voucher = Some(VisitVoucher {
                        number: "V-1".into(),
                        approved_by: user("rep.li"),
                        ..VisitVoucher::default()
                    });
                    Ok(())
                })
                .unwrap();
            }),
        ),
        (
            "visit_plan",
            "/rep",
            "rep.li",
            json_put(&["rep"], "rep.wang".into()),
        ),
        (
            "customer",
            "/grade",
            "rep.li",
            json_put(&["grade"], "A".into()),
        ),
        (
            "customer",
            "/grade_history",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                s.with_doc_mut(id, |doc| {
                    doc.update::<Customer>(|c| {
                        c.grade_history.push(StatusChange {
                            id: "self-graded".into(),
                            from: "C".into(),
                            to: "A".into(),
                            by: user("rep.li"),
                            note: "自评".into(),
                            ..StatusChange::default()
                        });
                        Ok(())
                    })
                })
                .unwrap();
            }),
        ),
        (
            "customer",
            "/dedicated_rep",
            "rep.li",
            json_put(&["dedicated_rep"], "rep.li".into()),
        ),
        (
            "return_visit_report",
            "/review",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                // Past the device's own judge: the server's table is under test.
                s.with_doc_mut(id, |d| {
                    d.update::<ReturnVisitReport>(|r| {
                        r.review = Some(Review {
                            guidance: "自己批准".into(),
                            ..Review::default()
                        });
                        Ok(())
                    })
                    .map(drop)
                })
                .unwrap();
            }),
        ),
        (
            "reception_note",
            "/expense/cs_manager",
            "fin.wu",
            Box::new(|s: &DeviceStore, id| {
                raw_reception(s, id, |r| {
                    if let Some(e) = r.expense.as_mut() {
                        e.cs_manager = Some(Approval {
                            approved: true,
                            ..Approval::default()
                        });
                    }
                    Ok(())
                })
                .unwrap();
            }),
        ),
        (
            "reception_note",
            "/expense/finance_manager",
            "cs.zhou",
            Box::new(|s: &DeviceStore, id| {
                raw_reception(s, id, |r| {
                    if let Some(e) = r.expense.as_mut() {
                        e.finance_manager = Some(Approval {
                            approved: true,
                            ..Approval::default()
                        });
                    }
                    Ok(())
                })
                .unwrap();
            }),
        ),
        (
            "reception_note",
            "/expense/budget_fen",
            "rep.li",
            json_put(&["expense", "budget_fen"], 90_000.into()),
        ),
        (
            "reception_note",
            "/expense/reimbursement",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                raw_reception(s, id, |r| {
                    if let Some(e) = r.expense.as_mut() {
                        e.reimbursement = Some(Reimbursement {
                            by: user("rep.li"),
                            ..Reimbursement::default()
                        });
                    }
                    Ok(())
                })
                .unwrap();
            }),
        ),
        // A daily log's rep and day make its id; only a supervisor acknowledges it.
        (
            "daily_log",
            "/rep",
            "rep.li",
            json_put(&["rep"], "rep.wang".into()),
        ),
        (
            "daily_log",
            "/day",
            "rep.li",
            json_put(&["day"], "2026-11-24".into()),
        ),
        (
            "daily_log",
            "/acknowledged",
            "rep.li",
            Box::new(|s: &DeviceStore, id| {
                s.with_doc_mut(id, |d| {
                    d.update::<DailyLog>(|l| {
                        l.acknowledged = Some(Acknowledgement {
                            by: user("rep.li"),
                            ..Acknowledgement::default()
                        });
                        Ok(())
                    })
                    .map(drop)
                })
                .unwrap();
            }),
        ),
        (
            "*",
            "",
            "cs.zhou",
            json_put(&["notes"], "客服改备注".into()),
        ),
    ]
}

//! The return_visit lifecycle, refused on the server when sent raw (seed 001 §4, §5, §7): each
//! forbidden step is written on a device with its own judge bypassed (`with_doc_mut`), synced,
//! refused with the rule named, and the server's copy is left as it was.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fieldbook_core::model::{
    Department, Proposal, ProposalOutcome, ReturnVisitReport, Review, VisitExpense,
};
use fieldbook_core::rules::{Action, return_visit, return_visit_proposals};
use fieldbook_core::{DeviceId, RecordDoc, RecordId};
use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, user};

/// The server's clock, the same as the devices' (09:00 UTC): an honest step taken after a
/// sync carries a time at or after that sync.
fn server_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn server_report(w: &World, id: RecordId) -> ReturnVisitReport {
    let bytes = w.store.load_doc(id).unwrap().expect("stored on the server");
    let doc = RecordDoc::load(id, &bytes, DeviceId::default().actor(0)).unwrap();
    doc.read().unwrap()
}

/// Writes `edit` on `device` past its own judge (as a tampered app would), syncs, and returns
/// the server's refusal after checking it stored nothing; the device then drops the edit.
async fn refused_raw(
    w: &World,
    device: &Device,
    id: RecordId,
    edit: impl FnOnce(&mut ReturnVisitReport),
) -> String {
    let before = server_report(w, id);
    device
        .store
        .with_doc_mut(id, |doc| {
            doc.update::<ReturnVisitReport>(|r| {
                edit(r);
                Ok(())
            })
            .map(drop)
        })
        .unwrap();
    let reason = crate::common::sync_refused(device, id, || server_report(w, id)).await;
    assert_eq!(server_report(w, id), before, "nothing stored");
    reason
}

/// rep.li's report of a visit on 22 November, with a ¥120 expense and a proposal routed to
/// finance, synced to everyone (filed when `filed`).
async fn report(w: &World, filed: bool) -> RecordId {
    let li = w.device("rep.li");
    let mut r = ReturnVisitReport {
        rep: user("rep.li"),
        visited_on: NaiveDate::from_ymd_opt(2026, 11, 22),
        purpose: "季度回访".into(),
        expense: Some(VisitExpense {
            amount_fen: 12_000,
            description: "交通 / taxi".into(),
            ..VisitExpense::default()
        }),
        ..ReturnVisitReport::default()
    };
    r.meta.owner = user("rep.li");
    let id = li.store.create(r).unwrap().meta.id;
    let act = Action::on(&li.store);
    li.store
        .update::<ReturnVisitReport>(id, |r| {
            let new = return_visit_proposals::NewProposal {
                text: "希望改为月结 / monthly invoicing".into(),
                complex: false,
                channel: Default::default(),
                department: Some(Department::Finance),
            };
            return_visit_proposals::add_proposal(r, new, &act)?;
            if filed {
                return_visit::file(r, &act)?;
            }
            Ok(())
        })
        .unwrap();
    li.sync().await;
    for name in ["sup.zhao", "cs.zhou", "fin.wu"] {
        w.device(name).sync().await;
    }
    id
}

fn names(reason: &str, rule: &str) {
    assert!(reason.contains(rule), "{reason}");
    assert!(reason.contains(" / "), "bilingual: {reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_dated_or_future_filing_is_refused_seed_001_s7() {
    let w = World::start_at(server_time()).await;
    let id = report(&w, false).await;
    let li = w.device("rep.li");
    // The report was due at the end of 23 November; a filing "at 22 November" made after
    // this morning's sync would beat the deadline on paper.
    let back = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let reason = refused_raw(&w, li, id, |r| r.filed_at = Some(back)).await;
    names(&reason, "return_visit.filed_at_claimed");
    assert!(reason.contains("no back-dating"), "{reason}");
    let future = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    let reason = refused_raw(&w, li, id, |r| r.filed_at = Some(future)).await;
    names(&reason, "return_visit.filed_at_claimed");
    // The legal path: filed now, through the rule.
    let act = Action::on(&li.store);
    li.store
        .update::<ReturnVisitReport>(id, |r| return_visit::file(r, &act))
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
    assert!(server_report(&w, id).filed_at.is_some());
    // Once filed, the filing time stays.
    let reason = refused_raw(&w, li, id, |r| r.filed_at = None).await;
    names(&reason, "return_visit.filed_once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_rep_s_supervisor_reviews_a_filed_report_with_guidance_seed_001_s7() {
    let w = World::start_at(server_time()).await;
    let draft = report(&w, false).await;
    let zhao = w.device("sup.zhao");
    let review = |by: &str, guidance: &str| Review {
        by: user(by),
        at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
        guidance: guidance.into(),
    };
    let r = review("sup.zhao", "带上报价单");
    let reason = refused_raw(&w, zhao, draft, |x| x.review = Some(r)).await;
    names(&reason, "return_visit.review_only_filed");
    let filed = report(&w, true).await;
    let r = review("sup.zhao", " ");
    let reason = refused_raw(&w, zhao, filed, |x| x.review = Some(r)).await;
    names(&reason, "return_visit.review_guidance");
    // The rep reviewing her own report: the decision table refuses the role, the judge the person.
    let li = w.device("rep.li");
    let r = review("rep.li", "很好");
    let reason = refused_raw(&w, li, filed, |x| x.review = Some(r)).await;
    assert!(reason.contains("only the deciding role"), "{reason}");
    assert!(server_report(&w, filed).review.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visit_expense_is_signed_by_the_supervisor_within_the_limit_seed_001_s7() {
    let w = World::start_at(server_time()).await;
    let id = report(&w, true).await;
    let zhao = w.device("sup.zhao");
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
    let reason = refused_raw(&w, zhao, id, |r| {
        let e = r.expense.as_mut().unwrap();
        e.amount_fen = 150_000;
        e.signed_by = Some(user("sup.zhao"));
        e.signed_at = Some(at);
    })
    .await;
    names(&reason, "return_visit.expense_within_limit");
    let li = w.device("rep.li");
    let reason = refused_raw(&w, li, id, |r| {
        let e = r.expense.as_mut().unwrap();
        e.signed_by = Some(user("rep.li"));
        e.signed_at = Some(at);
    })
    .await;
    assert!(reason.contains("only the deciding role"), "{reason}");
    assert!(server_report(&w, id).expense.unwrap().signed_by.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_routed_manager_answers_and_proposals_stay_seed_001_s4() {
    let w = World::start_at(server_time()).await;
    let id = report(&w, true).await;
    let pid = server_report(&w, id).proposals[0].id.clone();
    let answer = |who: &str, r: &mut ReturnVisitReport| {
        let act = Action {
            by: user(who),
            at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
            entry_id: "a1".into(),
        };
        return_visit_proposals::answer_proposal(r, &pid, ProposalOutcome::Accepted, "同意", &act)
            .unwrap();
    };
    for who in ["sup.zhao", "cs.zhou"] {
        let device = w.device(who);
        let reason = refused_raw(&w, device, id, |r| answer(who, r)).await;
        names(&reason, "return_visit.proposal_answered_by_routed_manager");
    }
    let li = w.device("rep.li");
    let reason = refused_raw(&w, li, id, |r| r.proposals.clear()).await;
    names(&reason, "return_visit.proposals_append_only");
    let reason = refused_raw(&w, li, id, |r| {
        r.proposals[0].text = "别的 / something else".into()
    })
    .await;
    names(&reason, "return_visit.proposals_append_only");
    // The finance manager, to whose department it was routed, answers.
    let wu = w.device("fin.wu");
    wu.store
        .update::<ReturnVisitReport>(id, |r| {
            answer("fin.wu", r);
            Ok(())
        })
        .unwrap();
    assert_eq!(wu.sync().await.records_refused, 0);
    let stored: Vec<Proposal> = server_report(&w, id).proposals;
    assert_eq!(stored[0].outcome, ProposalOutcome::Accepted);
    assert_eq!(stored[0].answered_by, Some(user("fin.wu")));
}

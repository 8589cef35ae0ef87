//! The phones: the rep and her supervisor hold the redacted view, the marketing manager the
//! record; a regrade moves them; a change to the view is refused, on the phone and raw.

use automerge::transaction::Transactable;
use fieldbook_core::access::view_id;
use fieldbook_core::rules::{Action, customer};
use fieldbook_sync_server::ServerStore;

use super::*;

/// Every byte of the phone's SQLite file (and its write-ahead log).
fn file_bytes(w: &World, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(w.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if file.starts_with(&format!("{name}-")) {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!out.is_empty(), "{name}'s file");
    out
}

fn holds_phone(w: &World, name: &str) -> bool {
    file_bytes(w, name)
        .windows(PHONE.len())
        .any(|win| win == PHONE.as_bytes())
}

fn regrade(w: &World, who: &str, id: RecordId, to: CustomerGrade) {
    let store = &w.device(who).store;
    let act = Action::on(store);
    store
        .update::<Customer>(id, |c| customer::regrade(c, to, "年度复核", &act))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rep_holds_a_redacted_view_and_the_manager_the_record() {
    let w = World::start_at(common::phones_now()).await;
    let a = a_customer(&w).await;
    let view = view_id(a);
    for who in ["rep.li", "sup.zhao"] {
        let store = &w.device(who).store;
        assert!(
            !store.contains(a).unwrap(),
            "{who} does not hold the record"
        );
        let seen: Customer = store.get(view).unwrap();
        assert_eq!(
            (seen.name.as_str(), seen.grade),
            ("钻石集团", CustomerGrade::A)
        );
        assert_eq!(seen.meta.owner, user("rep.li"));
        assert!(seen.contacts.is_empty() && seen.notes.is_empty() && seen.budget_cny.is_none());
        assert_eq!(
            store.get_json(view).unwrap()["meta"]["view_of"],
            a.to_string()
        );
        assert!(
            !holds_phone(&w, who),
            "{who}'s file holds the withheld phone number"
        );
    }
    let full: Customer = w.device("mkt.sun").store.get(a).unwrap();
    assert_eq!(full.contacts[0].mobile, PHONE);
    assert!(
        !w.device("mkt.sun").store.contains(view).unwrap(),
        "one copy for the manager"
    );
    assert!(holds_phone(&w, "mkt.sun"), "the check can find the number");
    for who in ["rep.wang", "sup.qian", "cs.zhou", "fin.wu", "admin.zheng"] {
        let store = &w.device(who).store;
        assert!(
            !store.contains(a).unwrap() && !store.contains(view).unwrap(),
            "{who}"
        );
    }
    // The view's history never held a withheld value: the server has only the projection.
    let stored = w.store.load_versioned(view).unwrap().unwrap().bytes;
    assert!(
        !stored
            .windows(PHONE.len())
            .any(|win| win == PHONE.as_bytes())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regrade_moves_the_record_and_its_view_between_phones() {
    let w = World::start_at(common::phones_now()).await;
    let a = a_customer(&w).await;
    let view = view_id(a);
    let (li, zhao) = (w.device("rep.li"), w.device("sup.zhao"));
    // A → B by the marketing manager: the record enters the rep's phone, the view leaves.
    regrade(&w, "mkt.sun", a, CustomerGrade::B);
    w.device("mkt.sun").sync().await;
    for d in [li, zhao] {
        d.sync().await;
        d.sync().await;
        assert!(
            d.store.contains(a).unwrap(),
            "{:?} holds the record",
            d.user
        );
        assert!(
            !d.store.contains(view).unwrap(),
            "{:?} dropped the view",
            d.user
        );
        let c: Customer = d.store.get(a).unwrap();
        assert_eq!(c.contacts[0].mobile, PHONE);
    }
    // B → A by her supervisor: the record leaves the rep's phone, the view returns.
    regrade(&w, "sup.zhao", a, CustomerGrade::A);
    assert_eq!(zhao.sync().await.records_refused, 0);
    for d in [li, zhao] {
        d.sync().await;
        d.sync().await;
        assert!(
            !d.store.contains(a).unwrap(),
            "{:?} dropped the record",
            d.user
        );
        let v: Customer = d.store.get(view).unwrap();
        assert!(v.grade == CustomerGrade::A && v.contacts.is_empty());
        assert_eq!(v.grade_history.len(), 2, "the reasons stay visible");
    }
    w.device("mkt.sun").sync().await;
    let m: Customer = w.device("mkt.sun").store.get(a).unwrap();
    assert_eq!(m.grade, CustomerGrade::A);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_to_the_view_is_refused_on_the_phone_and_by_the_server() {
    let w = World::start_at(common::phones_now()).await;
    let a = a_customer(&w).await;
    let view = view_id(a);
    let li = w.device("rep.li");
    // The phone refuses a local edit, naming the rule.
    let err = li
        .store
        .update::<Customer>(view, |c| Ok(c.notes = "偷偷记一笔".into()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("rule customer.view_read_only") && err.contains(" / "),
        "{err}"
    );
    // A raw change (a stock client's, past the phone's judge) is refused with nothing stored.
    let before = w.store.load_versioned(view).unwrap().unwrap();
    let bytes = li.store.export_changes(view, &[]).unwrap();
    let mut doc = automerge::AutoCommit::load(&bytes).unwrap();
    doc.put(automerge::ROOT, "notes", "偷偷记一笔").unwrap();
    let mut raw = w.raw(&li.token).await;
    let refused = common::push(&mut raw, &view.to_string(), &mut doc)
        .await
        .unwrap_err();
    assert!(
        refused.contains("rule customer.view_read_only"),
        "{refused}"
    );
    let after = w.store.load_versioned(view).unwrap().unwrap();
    assert_eq!((after.version, after.bytes), (before.version, before.bytes));
    // Another team's rep may not even learn that it exists.
    let mut raw = w.raw(&w.device("rep.wang").token).await;
    let mut empty = automerge::AutoCommit::new();
    empty.put(automerge::ROOT, "x", 1).unwrap();
    let refused = common::push(&mut raw, &view.to_string(), &mut empty)
        .await
        .unwrap_err();
    assert!(!refused.contains("view_read_only"), "{refused}");
    // The phone keeps syncing: nothing of the attempt stuck.
    assert_eq!(li.sync().await.records_refused, 0);
}

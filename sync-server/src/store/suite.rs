//! The storage test suite: generic functions any [`ServerStore`] backend runs unchanged
//! (`tests/store_sqlite.rs` runs them on SQLite; a Postgres backend calls the same).
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use fieldbook_core::access::Role;
use fieldbook_core::{DeviceId, RecordId, UserId};

use super::{ChangeReceipt, DocWrite, FeedEvent, ServerStore, WriteOutcome};
use crate::accounts::{AccessEntry, Account, DeviceToken, Enrolment, Grant, GrantId, Team};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn user(name: &str) -> UserId {
    UserId::new(name).unwrap()
}

/// Appended chunks come back concatenated in order; an unknown document is `None`;
/// replacing a document leaves only the new bytes.
pub fn suite_chunks_append_in_order<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let id = RecordId::from_random_bytes([1; 16]);
    assert_eq!(store.load_doc(id).unwrap(), None);
    store.append_chunk(id, "customer", "k1", b"ab").unwrap();
    store.append_chunk(id, "customer", "k2", b"cd").unwrap();
    assert_eq!(store.load_doc(id).unwrap(), Some(b"abcd".to_vec()));
    let docs = store.list_docs().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!((docs[0].heads_key.as_str(), docs[0].bytes), ("k2", 4));
    store.replace_doc(id, "customer", "k3", b"xyz").unwrap();
    assert_eq!(store.load_doc(id).unwrap(), Some(b"xyz".to_vec()));
    store.append_chunk(id, "customer", "k4", b"!").unwrap();
    assert_eq!(store.load_doc(id).unwrap(), Some(b"xyz!".to_vec()));
    assert_eq!(store.list_docs().unwrap()[0].bytes, 4);
}

/// A token finds its device with its expiry; an unknown one finds nothing; a hash cannot be
/// stored twice; revoking marks every token of the device.
pub fn suite_device_tokens<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let device = DeviceId::from_random_bytes([2; 16]);
    let token = DeviceToken {
        token_hash: [9; 32],
        device,
        user: user("rep.li"),
        issued_at: at(0),
        expires_at: at(3600),
        revoked_at: None,
    };
    store.add_device_token(&token).unwrap();
    assert_eq!(store.device_token(&[9; 32]).unwrap(), Some(token.clone()));
    assert_eq!(store.device_token(&[8; 32]).unwrap(), None);
    assert!(store.add_device_token(&token).is_err());
    assert_eq!(store.revoke_device(device, at(10)).unwrap(), 1);
    assert_eq!(store.revoke_device(device, at(11)).unwrap(), 0);
    let stored = store.device_token(&[9; 32]).unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(at(10)));
    assert_eq!(store.device_tokens().unwrap().len(), 1);
}

/// A device id belongs to one user: a token for it to another user is refused and not stored;
/// the same user may get another.
pub fn suite_device_ids_belong_to_one_user<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let device = DeviceId::from_random_bytes([3; 16]);
    let token = |hash: u8, name: &str| DeviceToken {
        token_hash: [hash; 32],
        device,
        user: user(name),
        issued_at: at(0),
        expires_at: at(3600),
        revoked_at: None,
    };
    store.add_device_token(&token(1, "rep.li")).unwrap();
    let taken = store.add_device_token(&token(2, "rep.wang")).unwrap_err();
    assert!(
        taken.to_string().contains("已属于另一用户 / device"),
        "{taken}"
    );
    assert_eq!(store.device_token(&[2; 32]).unwrap(), None);
    store.add_device_token(&token(3, "rep.li")).unwrap();
    assert_eq!(store.device_tokens().unwrap().len(), 2);
}

/// Accounts and teams round-trip; an account in an unknown team is refused.
pub fn suite_accounts_and_teams<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    store
        .put_team(&Team {
            id: "east".into(),
            name: "华东 / East".into(),
        })
        .unwrap();
    let account = Account {
        user: user("rep.li"),
        name: "李娜".into(),
        role: Role::FieldRep,
        team: Some("east".into()),
        password_hash: Some("$argon2id$v=19$stub".into()),
        active: true,
    };
    store.put_account(&account).unwrap();
    assert_eq!(store.account(&account.user).unwrap(), Some(account.clone()));
    let moved = Account {
        team: Some("west".into()),
        ..account.clone()
    };
    assert!(store.put_account(&moved).is_err());
    assert_eq!(store.accounts().unwrap(), vec![account]);
    assert_eq!(store.teams().unwrap().len(), 1);
}

/// An enrolment code works once, and not after it expires.
pub fn suite_enrolment_codes<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let e = Enrolment {
        code_hash: [5; 32],
        user: user("rep.li"),
        expires_at: at(100),
    };
    store.add_enrolment(&e).unwrap();
    assert_eq!(store.redeem_enrolment(&[5; 32], at(200)).unwrap(), None);
    assert_eq!(
        store.redeem_enrolment(&[5; 32], at(50)).unwrap(),
        Some(e.user)
    );
    assert_eq!(store.redeem_enrolment(&[5; 32], at(51)).unwrap(), None);
}

/// An actor belongs to the first device that claims it.
pub fn suite_actor_binding<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let a = DeviceId::from_random_bytes([3; 16]);
    let b = DeviceId::from_random_bytes([4; 16]);
    assert!(store.claim_actor(b"actor-1", a).unwrap());
    assert!(store.claim_actor(b"actor-1", a).unwrap());
    assert!(!store.claim_actor(b"actor-1", b).unwrap());
}

/// A secret is created once: later askers get the first one, whatever they offer.
pub fn suite_server_secrets<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    assert_eq!(store.server_secret("a", &[1; 32]).unwrap(), [1; 32]);
    assert_eq!(store.server_secret("a", &[2; 32]).unwrap(), [1; 32]);
    assert_eq!(store.server_secret("b", &[3; 32]).unwrap(), [3; 32]);
}

/// The access log keeps entries newest first, filtered by record.
pub fn suite_access_log<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let r1 = RecordId::from_random_bytes([6; 16]);
    let r2 = RecordId::from_random_bytes([7; 16]);
    let entry = |record, secs, action: &str| AccessEntry {
        at: at(secs),
        user: user("mkt.sun"),
        device: None,
        record,
        action: action.into(),
    };
    store
        .log_access(&[entry(r1, 1, "view"), entry(r2, 2, "sync_read")])
        .unwrap();
    store.log_access(&[entry(r1, 3, "erase")]).unwrap();
    let all = store.access_log(None, 10).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].action, "erase");
    let one = store.access_log(Some(r1), 10).unwrap();
    assert_eq!(
        one.iter().map(|e| e.at).collect::<Vec<_>>(),
        vec![at(3), at(1)]
    );
    assert_eq!(store.access_log(None, 1).unwrap().len(), 1);
}

/// A bound actor names its device; change receipts come back per record, oldest first, and
/// the first receipt of a change is kept.
pub fn suite_change_receipts<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let device = DeviceId::from_random_bytes([8; 16]);
    assert_eq!(store.actor_device(b"actor-9").unwrap(), None);
    store.claim_actor(b"actor-9", device).unwrap();
    assert_eq!(store.actor_device(b"actor-9").unwrap(), Some(device));
    let r1 = RecordId::from_random_bytes([9; 16]);
    let r2 = RecordId::from_random_bytes([10; 16]);
    let receipt = |change: u8, record, secs, who: &str| ChangeReceipt {
        change: [change; 32],
        record,
        user: user(who),
        device: (who == "rep.li").then_some(device),
        received_at: at(secs),
    };
    store
        .note_changes(&[receipt(2, r1, 5, "rep.li"), receipt(1, r1, 9, "cs.zhou")])
        .unwrap();
    store
        .note_changes(&[receipt(2, r1, 20, "mkt.sun"), receipt(3, r2, 1, "rep.li")])
        .unwrap();
    let got = store.change_receipts(r1).unwrap();
    assert_eq!(
        got,
        vec![receipt(2, r1, 5, "rep.li"), receipt(1, r1, 9, "cs.zhou")]
    );
    assert_eq!(store.change_receipts(r2).unwrap().len(), 1);
    // The day's activity: the newest receipt per record, newest first.
    let latest = store.latest_changes_since(at(2)).unwrap();
    assert_eq!(latest, vec![receipt(1, r1, 9, "cs.zhou")]);
    let all: Vec<RecordId> = store
        .latest_changes_since(at(0))
        .unwrap()
        .iter()
        .map(|r| r.record)
        .collect();
    assert_eq!(all, vec![r1, r2]);
    assert!(store.latest_changes_since(at(10)).unwrap().is_empty());
}

/// A conditional write succeeds only at the version the writer holds; every write moves the
/// version forward and loading returns it.
pub fn suite_versioned_writes<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let id = RecordId::from_random_bytes([8; 16]);
    let first = DocWrite::append(id, "customer", "k1", b"ab").if_at(0);
    let WriteOutcome::Written(v1) = store.write_doc(first).unwrap() else {
        panic!("a new document is at version 0");
    };
    assert_eq!(store.load_versioned(id).unwrap().unwrap().version, v1);
    assert_eq!(store.write_doc(first).unwrap(), WriteOutcome::Stale(v1));
    let second = DocWrite::append(id, "customer", "k2", b"cd").if_at(v1);
    let WriteOutcome::Written(v2) = store.write_doc(second).unwrap() else {
        panic!("written at the version held");
    };
    assert!(v2 > v1);
    assert_eq!(store.write_doc(second).unwrap(), WriteOutcome::Stale(v2));
    let stored = store.load_versioned(id).unwrap().unwrap();
    assert_eq!(
        (stored.bytes.as_slice(), stored.version),
        (&b"abcd"[..], v2)
    );
    let erase = DocWrite::replace(id, "customer", "k3", b"z").if_at(v1);
    assert_eq!(store.write_doc(erase).unwrap(), WriteOutcome::Stale(v2));
    assert_eq!(store.load_doc(id).unwrap(), Some(b"abcd".to_vec()));
}

/// A batch of writes in one transaction: a stale one is left out, the others written, each
/// at its own new version, in the feed once each.
pub fn suite_batched_writes<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let (a, b, c) = (
        RecordId::from_random_bytes([13; 16]),
        RecordId::from_random_bytes([14; 16]),
        RecordId::from_random_bytes([15; 16]),
    );
    let WriteOutcome::Written(va) = store
        .write_doc(DocWrite::append(a, "lead_referral", "k1", b"a1"))
        .unwrap()
    else {
        panic!("an unconditional write is written");
    };
    let start = store.latest_change().unwrap();
    let writes = [
        DocWrite::append(b, "lead_referral", "k1", b"b1").if_at(0),
        DocWrite::append(a, "lead_referral", "k2", b"a2").if_at(va + 1000),
        DocWrite::append(c, "lead_referral", "k1", b"c1").if_at(0),
        DocWrite::append(a, "lead_referral", "k3", b"a3").if_at(va),
    ];
    let out = store.write_docs(&writes).unwrap();
    assert_eq!(out[1], WriteOutcome::Stale(va), "the stale write says so");
    let written: Vec<u64> = [0, 2, 3]
        .iter()
        .map(|&i| match out[i] {
            WriteOutcome::Written(v) => v,
            stale => panic!("write {i} should be written: {stale:?}"),
        })
        .collect();
    assert!(written.iter().all(|v| *v > va));
    assert_eq!(store.load_doc(a).unwrap(), Some(b"a1a3".to_vec()));
    assert_eq!(store.load_doc(b).unwrap(), Some(b"b1".to_vec()));
    assert_eq!(
        store.load_versioned(c).unwrap().unwrap().version,
        written[1]
    );
    let feed: Vec<FeedEvent> = store
        .changes_since(start, 100)
        .unwrap()
        .entries
        .iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(feed.len(), 3, "{feed:?}");
    for id in [a, b, c] {
        assert!(feed.contains(&FeedEvent::Appended(id)));
    }
}

/// The feed lists every document write, team or account change and revocation in order,
/// from any position.
pub fn suite_change_feed<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let start = store.latest_change().unwrap();
    let (a, b) = (
        RecordId::from_random_bytes([10; 16]),
        RecordId::from_random_bytes([11; 16]),
    );
    let device = DeviceId::from_random_bytes([12; 16]);
    store.append_chunk(a, "customer", "k1", b"a").unwrap();
    store.append_chunk(b, "customer", "k1", b"b").unwrap();
    store.replace_doc(a, "customer", "k2", b"A").unwrap();
    store
        .put_team(&Team {
            id: "west".into(),
            name: "West".into(),
        })
        .unwrap();
    store.revoke_device(device, at(1)).unwrap();
    let batch = store.changes_since(start, 100).unwrap();
    let feed = batch.entries.clone();
    let events: Vec<FeedEvent> = feed.iter().map(|e| e.event).collect();
    assert_eq!(
        events,
        vec![
            FeedEvent::Appended(a),
            FeedEvent::Appended(b),
            FeedEvent::Rewritten(a),
            FeedEvent::Directory,
            FeedEvent::Revoked(device),
        ]
    );
    assert!(feed.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(!batch.held_back);
    // Read two at a time, the same entries, none twice, none skipped.
    let (mut cursor, mut read) = (start, Vec::new());
    loop {
        let part = store.changes_since(cursor, 2).unwrap();
        assert!(part.entries.len() <= 2 && part.next >= cursor);
        if part.entries.is_empty() {
            break;
        }
        read.extend(part.entries);
        cursor = part.next;
    }
    assert_eq!(read, feed);
    assert!(
        store
            .changes_since(batch.next, 10)
            .unwrap()
            .entries
            .is_empty()
    );
    let now = store.latest_change().unwrap();
    assert!(now >= batch.next);
    assert!(store.changes_since(now, 10).unwrap().entries.is_empty());
    assert_eq!(
        store.load_versioned(a).unwrap().unwrap().version,
        feed[2].seq
    );
}

/// Runs every suite function.
/// Grants (seed 001 §3.6(4)) come back with the id they were given, newest first, while not
/// ended at the asked time; revoking stamps who and when once, and adds a directory entry to
/// the feed, as adding does; an unknown grant is `None`.
pub fn suite_grants<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let record = RecordId::from_random_bytes([5; 16]);
    let grant = |grantee: &str, expires: i64| Grant {
        id: GrantId(0),
        grantee: user(grantee),
        record,
        reason: "核对发票 / checking invoices".into(),
        granted_by: user("cs.zhou"),
        granted_at: at(0),
        expires_at: at(expires),
        revoked_at: None,
        revoked_by: None,
    };
    let from = store.latest_change().unwrap();
    let first = store.add_grant(&grant("fin.wu", 100)).unwrap();
    let second = store.add_grant(&grant("rep.wang", 50)).unwrap();
    assert_ne!(first, second);
    let all = store.grants(at(0)).unwrap();
    assert_eq!(
        all.iter().map(|g| g.id).collect::<Vec<_>>(),
        [second, first]
    );
    assert_eq!(
        all[1],
        Grant {
            id: first,
            ..grant("fin.wu", 100)
        }
    );
    assert_eq!(
        store.grants(at(50)).unwrap().len(),
        1,
        "the second expired at 50"
    );
    let revoked = store
        .revoke_grant(first, &user("cs.zhou"), at(20))
        .unwrap()
        .unwrap();
    assert_eq!(
        (revoked.revoked_at, revoked.revoked_by),
        (Some(at(20)), Some(user("cs.zhou")))
    );
    let again = store
        .revoke_grant(first, &user("cs.li"), at(30))
        .unwrap()
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(at(20)),
        "the first revocation stands"
    );
    assert_eq!(store.grants(at(19)).unwrap().len(), 2);
    assert_eq!(
        store
            .grants(at(20))
            .unwrap()
            .iter()
            .map(|g| g.id)
            .collect::<Vec<_>>(),
        [second]
    );
    assert_eq!(
        store
            .revoke_grant(GrantId(9999), &user("cs.zhou"), at(1))
            .unwrap(),
        None
    );
    let feed = store.changes_since(from, 100).unwrap().entries;
    let events: Vec<FeedEvent> = feed.iter().map(|e| e.event).collect();
    assert_eq!(
        events,
        [FeedEvent::Directory; 3],
        "two grants, one revocation"
    );
}

pub fn run_all<S: ServerStore>(make: impl Fn() -> S) {
    suite_chunks_append_in_order(&make);
    suite_device_tokens(&make);
    suite_device_ids_belong_to_one_user(&make);
    suite_accounts_and_teams(&make);
    suite_enrolment_codes(&make);
    suite_actor_binding(&make);
    suite_server_secrets(&make);
    suite_access_log(&make);
    suite_change_receipts(&make);
    suite_versioned_writes(&make);
    suite_batched_writes(&make);
    suite_change_feed(&make);
    suite_grants(&make);
    super::suite_upkeep::suite_compaction(&make);
    super::suite_upkeep::suite_feed_pruning(&make);
}

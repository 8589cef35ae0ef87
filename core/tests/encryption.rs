//! The device database encrypted at rest (SQLCipher) with a key from the host app.
#![allow(clippy::unwrap_used)]

use fieldbook_core::model::{Contact, Customer};
use fieldbook_core::{DeviceId, DeviceStore, Error, StoreKey, StoreOptions, UserId};

const PHONE: &str = "13912345678";

fn options(key: Option<[u8; 32]>) -> StoreOptions {
    let mut o = StoreOptions::new(
        DeviceId::from_random_bytes([1; 16]),
        UserId::new("rep.li").unwrap(),
    );
    o.key = key.map(StoreKey::new);
    o
}

fn write_customer(path: &std::path::Path) -> fieldbook_core::RecordId {
    let store = DeviceStore::open(path, options(Some([42; 32]))).unwrap();
    let c = store
        .create(Customer {
            name: "张伟".into(),
            contacts: vec![Contact {
                id: "c1".into(),
                mobile: PHONE.into(),
                ..Contact::default()
            }],
            ..Customer::default()
        })
        .unwrap();
    c.meta.id
}

/// Every file of the store (main file, WAL, shared memory), by name.
fn file_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut all = Vec::new();
    for p in paths {
        all.extend(p.to_string_lossy().as_bytes());
        all.extend(std::fs::read(p).unwrap());
    }
    all
}

#[test]
fn an_encrypted_store_reopens_with_its_key_and_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    let id = write_customer(&path);
    let bytes = file_bytes(dir.path());
    assert!(
        !bytes.windows(PHONE.len()).any(|w| w == PHONE.as_bytes()),
        "phone in plaintext"
    );
    assert!(
        !bytes.windows(6).any(|w| w == "张伟".as_bytes()),
        "name in plaintext"
    );
    let store = DeviceStore::open(&path, options(Some([42; 32]))).unwrap();
    assert_eq!(store.get::<Customer>(id).unwrap().contacts[0].mobile, PHONE);
}

#[test]
fn a_wrong_or_missing_key_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    let id = write_customer(&path);
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(
        DeviceStore::open(&path, options(Some([7; 32]))),
        Err(Error::WrongKey)
    ));
    assert!(matches!(
        DeviceStore::open(&path, options(None)),
        Err(Error::WrongKey)
    ));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a failed open wrote nothing"
    );
    let store = DeviceStore::open(&path, options(Some([42; 32]))).unwrap();
    assert_eq!(store.get::<Customer>(id).unwrap().name, "张伟");
}

#[test]
fn a_key_for_a_plain_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.sqlite3");
    drop(DeviceStore::open(&path, options(None)).unwrap());
    assert!(matches!(
        DeviceStore::open(&path, options(Some([42; 32]))),
        Err(Error::WrongKey)
    ));
}

#[test]
fn a_key_of_the_wrong_length_is_invalid_input() {
    assert!(matches!(
        StoreKey::from_slice(&[1; 16]),
        Err(Error::InvalidInput { .. })
    ));
}

//! The sans-IO sync engine driven with no network at all: frames in, frames out.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use fieldbook_core::model::Customer;
use fieldbook_core::sync::{SyncEngine, SyncInput, WireMessage};
use fieldbook_core::{DeviceId, DeviceStore, SeededEntropy, StoreOptions, UserId};

fn store(dir: &tempfile::TempDir) -> Arc<DeviceStore> {
    let mut opts = StoreOptions::new(
        DeviceId::from_random_bytes([1; 16]),
        UserId::new("rep.li").unwrap(),
    );
    opts.entropy = Arc::new(SeededEntropy::new(7));
    Arc::new(DeviceStore::open(dir.path().join("d.sqlite3"), opts).unwrap())
}

fn decode(frames: &[Vec<u8>]) -> Vec<WireMessage> {
    frames
        .iter()
        .map(|f| WireMessage::decode(f).unwrap())
        .collect()
}

#[test]
fn handshake_then_index_then_unsynced_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let c = store
        .create(Customer {
            name: "甲".into(),
            ..Customer::default()
        })
        .unwrap();
    let mut engine = SyncEngine::new(store.clone(), "server");
    let out = decode(&engine.handle(SyncInput::Connected).unwrap());
    assert!(
        matches!(&out[..], [WireMessage::Join { supported_protocol_versions, .. }] if supported_protocol_versions == &["1"])
    );
    let peer = WireMessage::Peer {
        sender_id: "srv".into(),
        selected_protocol_version: "1".into(),
        target_id: "x".into(),
        peer_metadata: None,
    };
    let out = decode(&engine.handle(SyncInput::Received(peer.encode())).unwrap());
    let index = engine.index_id().to_string();
    assert!(
        matches!(&out[..], [WireMessage::Request { document_id, .. }] if *document_id == index)
    );
    assert!(!engine.is_idle());
    let unavailable = WireMessage::DocUnavailable {
        sender_id: "srv".into(),
        target_id: "x".into(),
        document_id: index,
    };
    let out = decode(
        &engine
            .handle(SyncInput::Received(unavailable.encode()))
            .unwrap(),
    );
    let record = c.meta.id.to_string();
    assert!(matches!(&out[..], [WireMessage::Sync { document_id, .. }] if *document_id == record));
    assert_eq!(store.unsynced_records("server").unwrap(), vec![c.meta.id]);
}

#[test]
fn malformed_frame_and_fatal_error_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = SyncEngine::new(store(&dir), "server");
    engine.handle(SyncInput::Connected).unwrap();
    assert!(
        engine
            .handle(SyncInput::Received(vec![0xff, 0x01]))
            .is_err()
    );
    let fatal = WireMessage::Error {
        message: "no".into(),
        document_id: None,
    };
    assert!(engine.handle(SyncInput::Received(fatal.encode())).is_err());
}

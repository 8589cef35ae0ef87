//! automerge-repo's network protocol, version "1": the CBOR messages exchanged over a WebSocket,
//! one message per binary frame. Field names and encodings follow automerge-repo
//! (`packages/automerge-repo/src/network/messages.ts`) and samod-core (`wire_protocol.rs`):
//! a CBOR map with a `type` string, camelCase keys, document ids as bs58check text, and
//! Automerge sync messages as CBOR byte strings. See `docs/protocol.md`.
//!
//! Decoding never panics: a malformed frame is an [`Error::Protocol`], and the caller closes
//! only that connection.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::bulk::BulkDoc;

use crate::error::{Error, Result};

/// The only protocol version Fieldbook speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// What a peer says about itself in `join` and `peer`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PeerMetadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<String>,
    pub is_ephemeral: bool,
    /// Fieldbook extension: the bulk path's version the sender speaks (`docs/protocol.md`,
    /// "Bulk path"); absent for stock peers, which never see a bulk message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fieldbook_bulk: Option<u32>,
}

/// The heads a storage peer holds, in `remote-heads-changed`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HeadsInfo {
    /// Base64 change hashes (automerge-repo's encoding).
    pub heads: Vec<String>,
    /// Milliseconds since the Unix epoch.
    pub timestamp: u64,
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum WireMessage {
    /// Client → server, first message of a connection.
    Join {
        sender_id: String,
        supported_protocol_versions: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Server → client, the answer to `join`.
    Peer {
        sender_id: String,
        selected_protocol_version: String,
        target_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Advisory: the sender is about to disconnect.
    Leave { sender_id: String },
    /// "I want this document" (the sender may hold nothing of it yet).
    Request {
        document_id: String,
        sender_id: String,
        target_id: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// One Automerge sync message about one document.
    Sync {
        document_id: String,
        sender_id: String,
        target_id: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// "I do not have this document (and nobody I know has)".
    DocUnavailable {
        sender_id: String,
        target_id: String,
        document_id: String,
    },
    /// Application data not stored anywhere (presence, cursors). Fieldbook ignores it.
    Ephemeral {
        sender_id: String,
        target_id: String,
        count: u64,
        session_id: String,
        document_id: String,
        #[serde(with = "serde_bytes")]
        data: Vec<u8>,
    },
    /// A protocol error; the sender may close the connection after it. Fieldbook extension:
    /// `documentId` names the document when one change was refused and the connection stays.
    Error {
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        document_id: Option<String>,
    },
    /// Which storage peers' heads the sender wants to hear about. Fieldbook ignores it.
    RemoteSubscriptionChange {
        sender_id: String,
        target_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        add: Option<Vec<String>>,
        #[serde(default)]
        remove: Vec<String>,
    },
    /// The heads some storage peer now holds. Fieldbook ignores it.
    RemoteHeadsChanged {
        sender_id: String,
        target_id: String,
        document_id: String,
        new_heads: BTreeMap<String, HeadsInfo>,
    },
    /// Fieldbook bulk path, device → server: "send me these documents; I hold these heads of
    /// each" (`heads` of every entry; `data` empty).
    FieldbookBulkRequest {
        sender_id: String,
        target_id: String,
        batch: u64,
        docs: Vec<BulkDoc>,
    },
    /// Fieldbook bulk path, server → device: documents of one request (`heads`: the server's,
    /// `data`: what the device lacks, the whole document compacted when it held nothing).
    /// One request may be answered in several frames; `missing` lists ids the server does not
    /// hold for the user; `last` marks the request's final frame.
    FieldbookBulkDocs {
        sender_id: String,
        target_id: String,
        batch: u64,
        docs: Vec<BulkDoc>,
        #[serde(default)]
        missing: Vec<String>,
        last: bool,
    },
    /// Fieldbook bulk path, device → server: changes of many documents (`heads`: the device's
    /// heads of each, `data`: its changes the server lacks).
    FieldbookBulkPush {
        sender_id: String,
        target_id: String,
        batch: u64,
        docs: Vec<BulkDoc>,
    },
    /// Fieldbook bulk path, server → device: one push batch stored and judged. Per accepted
    /// document its heads on the server and the changes the device lacks (the server's receipt
    /// stamp); `refused` pairs a document id with the bilingual reason.
    FieldbookBulkAck {
        sender_id: String,
        target_id: String,
        batch: u64,
        docs: Vec<BulkDoc>,
        #[serde(default)]
        refused: Vec<(String, String)>,
    },
    /// A message type this build does not know; ignored, as automerge-repo does.
    #[serde(other)]
    Unknown,
}

impl WireMessage {
    /// The CBOR bytes of this message (one WebSocket binary frame).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        // Writing into a Vec cannot fail, and every field serialises.
        if let Err(e) = ciborium::into_writer(self, &mut out) {
            tracing::error!(error = %e, "CBOR encoding failed");
        }
        out
    }

    /// Parses one frame; malformed input is an error, never a panic. A frame of more CBOR
    /// items than any real message has is refused before anything is built from it
    /// (`wire_budget.rs`), so a frame costs a small multiple of its size at most.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        super::wire_budget::check_budget(bytes)?;
        ciborium::from_reader(bytes)
            .map_err(|e| Error::Protocol(format!("CBOR 消息无效 / bad CBOR message: {e}")))
    }

    /// A short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            WireMessage::Join { .. } => "join",
            WireMessage::Peer { .. } => "peer",
            WireMessage::Leave { .. } => "leave",
            WireMessage::Request { .. } => "request",
            WireMessage::Sync { .. } => "sync",
            WireMessage::DocUnavailable { .. } => "doc-unavailable",
            WireMessage::Ephemeral { .. } => "ephemeral",
            WireMessage::Error { .. } => "error",
            WireMessage::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            WireMessage::RemoteHeadsChanged { .. } => "remote-heads-changed",
            WireMessage::FieldbookBulkRequest { .. } => "fieldbook-bulk-request",
            WireMessage::FieldbookBulkDocs { .. } => "fieldbook-bulk-docs",
            WireMessage::FieldbookBulkPush { .. } => "fieldbook-bulk-push",
            WireMessage::FieldbookBulkAck { .. } => "fieldbook-bulk-ack",
            WireMessage::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9_-]{0,24}"
    }

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..256)
    }

    fn meta() -> impl Strategy<Value = Option<PeerMetadata>> {
        proptest::option::of((proptest::option::of(text()), any::<bool>()).prop_map(
            |(storage_id, is_ephemeral)| PeerMetadata {
                storage_id,
                is_ephemeral,
                fieldbook_bulk: None,
            },
        ))
    }

    fn message() -> impl Strategy<Value = WireMessage> {
        prop_oneof![
            (text(), proptest::collection::vec(text(), 0..3), meta()).prop_map(
                |(sender_id, supported_protocol_versions, peer_metadata)| WireMessage::Join {
                    sender_id,
                    supported_protocol_versions,
                    peer_metadata
                }
            ),
            (text(), text(), text(), meta()).prop_map(|(s, v, t, m)| WireMessage::Peer {
                sender_id: s,
                selected_protocol_version: v,
                target_id: t,
                peer_metadata: m
            }),
            (text(), text(), text(), bytes()).prop_map(|(d, s, t, data)| WireMessage::Sync {
                document_id: d,
                sender_id: s,
                target_id: t,
                data
            }),
            (text(), text(), text(), bytes()).prop_map(|(d, s, t, data)| WireMessage::Request {
                document_id: d,
                sender_id: s,
                target_id: t,
                data
            }),
            (text(), text(), text()).prop_map(|(s, t, d)| WireMessage::DocUnavailable {
                sender_id: s,
                target_id: t,
                document_id: d
            }),
            (text(), text(), any::<u64>(), text(), text(), bytes()).prop_map(
                |(s, t, count, session_id, d, data)| WireMessage::Ephemeral {
                    sender_id: s,
                    target_id: t,
                    count,
                    session_id,
                    document_id: d,
                    data
                }
            ),
            (text(), proptest::option::of(text())).prop_map(|(message, document_id)| {
                WireMessage::Error {
                    message,
                    document_id,
                }
            }),
            text().prop_map(|sender_id| WireMessage::Leave { sender_id }),
            (text(), text(), text(), text(), any::<u64>()).prop_map(|(s, t, d, k, ts)| {
                WireMessage::RemoteHeadsChanged {
                    sender_id: s,
                    target_id: t,
                    document_id: d,
                    new_heads: BTreeMap::from([(
                        k,
                        HeadsInfo {
                            heads: vec!["aGVhZA==".into()],
                            timestamp: ts,
                        },
                    )]),
                }
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261204), ..ProptestConfig::default() })]
        #[test]
        fn every_message_round_trips(m in message()) {
            prop_assert_eq!(WireMessage::decode(&m.encode()).ok(), Some(m));
        }

        #[test]
        fn every_message_passes_the_budget(m in message()) {
            prop_assert!(super::super::wire_budget::check_budget(&m.encode()).is_ok());
        }

        #[test]
        fn garbage_never_panics(b in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = WireMessage::decode(&b);
        }
    }

    #[test]
    fn sync_data_is_a_cbor_byte_string_and_keys_are_camel_case() {
        let m = WireMessage::Sync {
            document_id: "d".into(),
            sender_id: "s".into(),
            target_id: "t".into(),
            data: vec![1, 2, 3],
        };
        let v: ciborium::Value = ciborium::from_reader(&m.encode()[..]).unwrap();
        let map = v.as_map().unwrap();
        let get = |k: &str| {
            map.iter()
                .find(|(key, _)| key.as_text() == Some(k))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("type").unwrap().as_text(), Some("sync"));
        assert_eq!(get("data").unwrap().as_bytes(), Some(&vec![1, 2, 3]));
        assert!(get("documentId").is_some() && get("targetId").is_some());
    }

    #[test]
    fn a_sync_message_of_nearly_8_mib_still_round_trips() {
        let m = WireMessage::Sync {
            document_id: "d".into(),
            sender_id: "s".into(),
            target_id: "t".into(),
            data: vec![0; 8 * 1024 * 1024 - 128],
        };
        assert_eq!(WireMessage::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn unknown_types_decode_as_unknown() {
        let mut out = Vec::new();
        let v = ciborium::Value::Map(vec![(
            ciborium::Value::Text("type".into()),
            ciborium::Value::Text("future-thing".into()),
        )]);
        ciborium::into_writer(&v, &mut out).unwrap();
        assert_eq!(WireMessage::decode(&out).unwrap(), WireMessage::Unknown);
    }
}

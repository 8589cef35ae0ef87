//! One device's WebSocket connection: the handshake, then each frame in order. A malformed
//! frame closes this connection with an `error` message and harms nothing else; a refused
//! change gets an `error` naming the document (Fieldbook extension) and the connection stays.
//! Documents changed by other connections are pushed to this one if it is syncing them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use automerge::sync::{Message, State};
use axum::extract::ws::{Message as Frame, WebSocket};
use fieldbook_core::RecordId;
use fieldbook_core::sync::bulk::{BULK_VERSION, BulkDoc, MAX_BATCH_DOCS, batches};
use fieldbook_core::sync::wire::{PROTOCOL_VERSION, PeerMetadata, WireMessage};
use tokio::sync::broadcast::error::RecvError;

use crate::accounts::AuthError;
use crate::error::{Result, ServerError};
use crate::hub::{BulkOutcome, DocHub, Inbox, Outcome};
use crate::store::{DeviceAuth, ServerStore};

const SERVER_PEER_ID: &str = "fieldbook-sync-server";

struct Conn<S: ServerStore> {
    hub: Arc<DocHub<S>>,
    device: DeviceAuth,
    remote: Option<String>,
    states: HashMap<RecordId, State>,
    /// Told when a document this connection watches changes.
    inbox: Arc<Inbox>,
    watched: HashSet<RecordId>,
}

impl<S: ServerStore> Drop for Conn<S> {
    fn drop(&mut self) {
        self.hub.unwatch(&self.inbox, self.watched.drain());
    }
}

/// Serves one connection until it closes.
#[tracing::instrument(skip_all, fields(device = %device.device))]
pub async fn serve<S: ServerStore>(mut socket: WebSocket, hub: Arc<DocHub<S>>, device: DeviceAuth) {
    let opened_at = hub.clock().now();
    let mut revocations = hub.subscribe_revocations();
    let mut rewrites = hub.subscribe_rewrites();
    let expiry = tokio::time::sleep(token_left(&hub, &device));
    tokio::pin!(expiry);
    let mut conn = Conn {
        hub,
        device,
        remote: None,
        states: HashMap::new(),
        inbox: Arc::new(Inbox::default()),
        watched: HashSet::new(),
    };
    let inbox = conn.inbox.clone();
    loop {
        let out = tokio::select! {
            frame = socket.recv() => match frame {
                Some(Ok(Frame::Binary(bytes))) => conn.on_frame(&bytes).await,
                Some(Ok(Frame::Text(_))) => Err(ServerError::Protocol("text frame".into())),
                Some(Ok(Frame::Close(_))) => {
                    conn.hub.sync_completed(conn.device.device, opened_at);
                    break;
                }
                None => break,
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    tracing::info!(error = %e, "connection failed");
                    break;
                }
            },
            // Coalesced: under a burst (a device uploading thousands of records moves its index
            // on every one) each document is pushed once, not once per change.
            ids = inbox.changed() => conn.on_changed(ids).await,
            revoked = revocations.recv() => match revoked {
                Ok(d) if d != conn.device.device => continue,
                Err(RecvError::Closed) => continue,
                // Revoked, or too many revocations to tell: end it; a valid device reconnects.
                _ => Err(ServerError::Unauthorized(AuthError::Revoked.to_string())),
            },
            rewritten = rewrites.recv() => {
                match rewritten {
                    Ok(id) => conn.states.remove(&id).map(drop).unwrap_or_default(),
                    Err(RecvError::Lagged(_)) => conn.states.clear(),
                    Err(RecvError::Closed) => {}
                }
                continue;
            }
            () = &mut expiry => Err(ServerError::Unauthorized(AuthError::Expired.to_string())),
        };
        match out {
            Ok(messages) => {
                for m in messages {
                    if socket.send(Frame::Binary(m.encode().into())).await.is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "closing connection");
                let m = WireMessage::Error {
                    message: e.to_string(),
                    document_id: None,
                };
                let _ = socket.send(Frame::Binary(m.encode().into())).await;
                let _ = socket.send(Frame::Close(None)).await;
                return;
            }
        }
    }
    tracing::debug!("connection closed");
}

impl<S: ServerStore> Conn<S> {
    async fn on_frame(&mut self, bytes: &[u8]) -> Result<Vec<WireMessage>> {
        let message =
            WireMessage::decode(bytes).map_err(|e| ServerError::Protocol(e.to_string()))?;
        match message {
            WireMessage::Join {
                sender_id,
                supported_protocol_versions,
                ..
            } => self.on_join(sender_id, &supported_protocol_versions),
            WireMessage::Sync {
                document_id, data, ..
            }
            | WireMessage::Request {
                document_id, data, ..
            } => self.on_sync(&document_id, &data).await,
            WireMessage::FieldbookBulkRequest { batch, docs, .. } => {
                self.on_bulk_request(batch, docs).await
            }
            WireMessage::FieldbookBulkPush { batch, docs, .. } => {
                self.on_bulk_push(batch, docs).await
            }
            WireMessage::Error { .. } | WireMessage::Leave { .. } => Ok(Vec::new()),
            _ => Ok(Vec::new()),
        }
    }

    fn on_join(&mut self, sender: String, versions: &[String]) -> Result<Vec<WireMessage>> {
        if !versions.iter().any(|v| v == PROTOCOL_VERSION) {
            return Err(ServerError::Protocol(
                "no supported protocol version".into(),
            ));
        }
        // A reconnecting peer starts afresh (automerge-repo #206).
        self.states.clear();
        self.remote = Some(sender.clone());
        Ok(vec![WireMessage::Peer {
            sender_id: SERVER_PEER_ID.into(),
            selected_protocol_version: PROTOCOL_VERSION.into(),
            target_id: sender,
            peer_metadata: Some(PeerMetadata {
                storage_id: None,
                is_ephemeral: false,
                fieldbook_bulk: Some(BULK_VERSION),
            }),
        }])
    }

    fn remote(&self) -> Result<String> {
        self.remote
            .clone()
            .ok_or_else(|| ServerError::Protocol("message before join".into()))
    }

    async fn on_sync(&mut self, document_id: &str, data: &[u8]) -> Result<Vec<WireMessage>> {
        let remote = self.remote()?;
        let id: RecordId = document_id
            .parse()
            .map_err(|_| ServerError::Protocol("invalid document id".into()))?;
        let message = Message::decode(data)
            .map_err(|e| ServerError::Protocol(format!("bad sync message: {e}")))?;
        // Watched before the message is handled, so no change after the reply goes unpushed.
        if self.watched.insert(id) {
            self.hub.watch(&self.inbox, id);
        }
        let mut state = self.states.remove(&id).unwrap_or_default();
        let outcome = self
            .hub
            .receive(&self.device, id, &mut state, message)
            .await?;
        self.states.insert(id, state);
        tracing::debug!(record = %id, outcome = ?outcome_kind(&outcome), "sync message handled");
        Ok(match outcome {
            Outcome::Reply(reply) => reply
                .map(|m| sync_frame(id, &remote, m))
                .into_iter()
                .collect(),
            Outcome::Unavailable => {
                self.forget(id);
                vec![WireMessage::DocUnavailable {
                    sender_id: SERVER_PEER_ID.into(),
                    target_id: remote,
                    document_id: id.to_string(),
                }]
            }
            Outcome::Refused(reason) => {
                tracing::info!(record = %id, "change refused");
                if id.is_reserved() {
                    self.forget(id);
                }
                vec![WireMessage::Error {
                    message: reason,
                    document_id: Some(id.to_string()),
                }]
            }
        })
    }

    /// A bulk request: the documents asked for, in frames of a bounded size; the last frame
    /// lists what the server does not hold for this user.
    async fn on_bulk_request(
        &mut self,
        batch: u64,
        docs: Vec<BulkDoc>,
    ) -> Result<Vec<WireMessage>> {
        let remote = self.remote()?;
        let wants = parse_bulk(docs)?
            .into_iter()
            .map(|(id, heads, _)| (id, heads))
            .collect();
        let (found, missing) = self.hub.read_bulk(&self.device, wants).await?;
        let mut frames: Vec<Vec<BulkDoc>> = batches(found);
        if frames.is_empty() {
            frames.push(Vec::new());
        }
        let count = frames.len();
        let mut missing = Some(missing);
        Ok(frames
            .into_iter()
            .enumerate()
            .map(|(i, docs)| {
                let last = i + 1 == count;
                WireMessage::FieldbookBulkDocs {
                    sender_id: SERVER_PEER_ID.into(),
                    target_id: remote.clone(),
                    batch,
                    docs,
                    missing: if last {
                        missing.take().unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    last,
                }
            })
            .collect())
    }

    /// A bulk push: every document judged and stored as on the per-document path, then one
    /// acknowledgement for the batch.
    async fn on_bulk_push(&mut self, batch: u64, docs: Vec<BulkDoc>) -> Result<Vec<WireMessage>> {
        let remote = self.remote()?;
        let docs = parse_bulk(docs)?;
        let outcomes = self.hub.receive_bulk(&self.device, docs).await?;
        let (mut stored, mut refused) = (Vec::new(), Vec::new());
        for (id, outcome) in outcomes {
            match outcome {
                BulkOutcome::Stored { heads, back } => stored.push(BulkDoc::new(id, &heads, back)),
                BulkOutcome::Refused(reason) => {
                    tracing::info!(record = %id, "change refused");
                    refused.push((id.to_string(), reason));
                }
            }
        }
        Ok(vec![WireMessage::FieldbookBulkAck {
            sender_id: SERVER_PEER_ID.into(),
            target_id: remote,
            batch,
            docs: stored,
            refused,
        }])
    }

    /// Keeps nothing for a document the server does not hold for this device (finding 8).
    fn forget(&mut self, id: RecordId) {
        self.states.remove(&id);
        if self.watched.remove(&id) {
            self.hub.unwatch(&self.inbox, [id]);
        }
    }

    async fn on_changed(&mut self, mut ids: Vec<RecordId>) -> Result<Vec<WireMessage>> {
        ids.retain(|id| self.states.contains_key(id));
        ids.sort_unstable();
        let Some(remote) = self.remote.clone() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for id in ids {
            let Some(mut state) = self.states.remove(&id) else {
                continue;
            };
            if let Some(m) = self.hub.generate(&self.device, id, &mut state).await? {
                out.push(sync_frame(id, &remote, m));
            }
            self.states.insert(id, state);
        }
        Ok(out)
    }
}

/// How long the device's token stays valid (a century when it does not expire).
fn token_left<S: ServerStore>(hub: &DocHub<S>, device: &DeviceAuth) -> std::time::Duration {
    const CENTURY: std::time::Duration = std::time::Duration::from_secs(100 * 365 * 86_400);
    device
        .expires_at
        .map_or(CENTURY, |at| {
            (at - hub.clock().now()).to_std().unwrap_or_default()
        })
        .min(CENTURY)
}

fn outcome_kind(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Reply(Some(_)) => "reply",
        Outcome::Reply(None) => "no reply",
        Outcome::Unavailable => "unavailable",
        Outcome::Refused(_) => "refused",
    }
}

/// One document of a bulk message: its id, heads and data.
type PushedDoc = (RecordId, Vec<automerge::ChangeHash>, Vec<u8>);

/// The ids, heads and data of a bulk message's documents; a protocol error if the batch is
/// too large or an entry does not parse.
fn parse_bulk(docs: Vec<BulkDoc>) -> Result<Vec<PushedDoc>> {
    if docs.len() > MAX_BATCH_DOCS {
        return Err(ServerError::Protocol(format!(
            "批量消息超过 {MAX_BATCH_DOCS} 个文档 / a bulk message holds more than \
             {MAX_BATCH_DOCS} documents"
        )));
    }
    docs.into_iter()
        .map(|doc| {
            let heads = doc
                .heads()
                .ok_or_else(|| ServerError::Protocol("invalid heads in a bulk message".into()))?;
            let id: RecordId = doc
                .0
                .parse()
                .map_err(|_| ServerError::Protocol("invalid document id".into()))?;
            Ok((id, heads, doc.2))
        })
        .collect()
}

fn sync_frame(id: RecordId, remote: &str, m: Message) -> WireMessage {
    WireMessage::Sync {
        document_id: id.to_string(),
        sender_id: SERVER_PEER_ID.into(),
        target_id: remote.to_owned(),
        data: m.encode(),
    }
}

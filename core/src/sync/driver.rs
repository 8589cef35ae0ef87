//! The thin tokio WebSocket driver around [`SyncEngine`]: it connects with the device's bearer
//! token, carries frames both ways and stops when the engine says the round is complete. The
//! engine's SQLite work runs on the blocking pool, never on a tokio worker.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message as Frame};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::engine::{SyncEngine, SyncInput, SyncStats};
use crate::error::{Error, Result};
use crate::store::DeviceStore;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Largest frame the device accepts (the server's default limit).
const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// Syncs one device store with one server.
#[derive(Debug, Clone)]
pub struct DeviceSync {
    store: Arc<DeviceStore>,
    url: String,
    token: String,
    peer: String,
}

impl DeviceSync {
    /// A client for the server at `url` (`ws://host:port/sync`), authenticating with `token`.
    pub fn new(store: Arc<DeviceStore>, url: impl Into<String>, token: impl Into<String>) -> Self {
        DeviceSync {
            store,
            url: url.into(),
            token: token.into(),
            peer: "server".into(),
        }
    }

    /// Connects, syncs until every record has settled, and disconnects. Fails if the round
    /// does not complete within `timeout` (what was stored and acknowledged stays so).
    pub async fn sync_once(&self, timeout: Duration) -> Result<SyncStats> {
        self.sync_once_with_progress(timeout, |_| {}).await
    }

    /// [`Self::sync_once`], calling `progress` after every step of the engine (to show how
    /// many records have settled and how many are still in flight).
    pub async fn sync_once_with_progress(
        &self,
        timeout: Duration,
        progress: impl FnMut(&SyncEngine),
    ) -> Result<SyncStats> {
        match tokio::time::timeout(timeout, self.round(progress)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Network("sync round timed out".into())),
        }
    }

    async fn round(&self, mut progress: impl FnMut(&SyncEngine)) -> Result<SyncStats> {
        let mut socket = self.connect().await?;
        let mut engine = SyncEngine::new(self.store.clone(), self.peer.clone());
        let mut input = SyncInput::Connected;
        loop {
            let (back, frames) = step(engine, input).await?;
            engine = back;
            progress(&engine);
            for frame in frames? {
                socket.send(Frame::binary(frame)).await.map_err(net)?;
            }
            if engine.is_idle() {
                let _ = socket.close(None).await;
                return Ok(engine.stats().clone());
            }
            input = SyncInput::Received(next_frame(&mut socket).await?);
        }
    }

    async fn connect(&self) -> Result<Socket> {
        let mut request = self.url.as_str().into_client_request().map_err(net)?;
        let bearer = HeaderValue::from_str(&format!("Bearer {}", self.token)).map_err(|_| {
            Error::invalid("token", "令牌含非法字符 / the token has invalid characters")
        })?;
        request.headers_mut().insert("authorization", bearer);
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_FRAME_BYTES))
            .max_frame_size(Some(MAX_FRAME_BYTES));
        match tokio_tungstenite::connect_async_with_config(request, Some(config), false).await {
            Ok((socket, _)) => Ok(socket),
            Err(tungstenite::Error::Http(response)) => Err(Error::Refused(format!(
                "HTTP {} on the WebSocket upgrade",
                response.status()
            ))),
            Err(e) => Err(net(e)),
        }
    }
}

/// Runs one engine step on the blocking pool (the engine writes SQLite).
async fn step(
    mut engine: SyncEngine,
    input: SyncInput,
) -> Result<(SyncEngine, Result<Vec<Vec<u8>>>)> {
    tokio::task::spawn_blocking(move || {
        let out = engine.handle(input);
        (engine, out)
    })
    .await
    .map_err(|e| Error::Network(format!("sync task failed: {e}")))
}

async fn next_frame(socket: &mut Socket) -> Result<Vec<u8>> {
    loop {
        match socket.next().await {
            Some(Ok(Frame::Binary(bytes))) => return Ok(bytes.to_vec()),
            Some(Ok(Frame::Close(frame))) => {
                let reason = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                return Err(Error::Network(format!(
                    "server closed the connection: {reason}"
                )));
            }
            Some(Ok(Frame::Text(_))) => {
                return Err(Error::Protocol(
                    "text frame where binary was expected".into(),
                ));
            }
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(net(e)),
            None => return Err(Error::Network("connection closed".into())),
        }
    }
}

fn net(e: impl std::fmt::Display) -> Error {
    Error::Network(e.to_string())
}

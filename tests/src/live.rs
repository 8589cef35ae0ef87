//! A device that stays connected: the core's sans-IO [`SyncEngine`] over one long-lived
//! WebSocket, so that changes the server pushes arrive while the device is online (the core's
//! own driver syncs in rounds and disconnects). Local edits are pushed as they are made. After
//! every frame it takes in, the device calls its observer, which is how the load program sees
//! a change arrive.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use fieldbook_core::sync::{SyncEngine, SyncInput};
use fieldbook_core::{DeviceStore, RecordId};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Called after each frame the device took in.
pub type Observer = Arc<dyn Fn() + Send + Sync>;

/// A connected device.
#[derive(Debug)]
pub struct LiveDevice {
    edits: mpsc::UnboundedSender<RecordId>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl LiveDevice {
    /// Connects `store` to the server at `url` (`ws://host:port/sync`) with `token`.
    pub async fn connect(
        store: Arc<DeviceStore>,
        url: &str,
        token: &str,
        observer: Observer,
    ) -> Result<Self> {
        let mut request = url.into_client_request()?;
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .context("connecting a live device")?;
        let (edits, rx) = mpsc::unbounded_channel();
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(store, socket, rx, stopped, observer));
        Ok(LiveDevice {
            edits,
            stop: Some(stop),
            task,
        })
    }

    /// Pushes a record edited locally (after the edit is stored).
    pub fn pushed(&self, id: RecordId) {
        let _ = self.edits.send(id);
    }

    /// Whether the connection is still up.
    pub fn is_connected(&self) -> bool {
        !self.task.is_finished()
    }

    /// Disconnects; the connection's error, if it failed before.
    pub async fn close(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await?
    }
}

async fn run(
    store: Arc<DeviceStore>,
    mut socket: Socket,
    mut edits: mpsc::UnboundedReceiver<RecordId>,
    mut stopped: oneshot::Receiver<()>,
    observer: Observer,
) -> Result<()> {
    let mut engine = SyncEngine::new(store, "server");
    engine = feed(engine, SyncInput::Connected, &mut socket).await?;
    loop {
        let input = tokio::select! {
            frame = socket.next() => match frame {
                Some(Ok(Frame::Binary(bytes))) => SyncInput::Received(bytes.to_vec()),
                Some(Ok(Frame::Close(_))) | None => bail!("the server closed the connection"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
            },
            Some(id) = edits.recv() => SyncInput::LocalChange(id),
            _ = &mut stopped => {
                let _ = socket.close(None).await;
                return Ok(());
            }
        };
        let received = matches!(input, SyncInput::Received(_));
        engine = feed(engine, input, &mut socket).await?;
        if received {
            observer();
        }
    }
}

/// Feeds one input to the engine and sends what it answers.
async fn feed(engine: SyncEngine, input: SyncInput, socket: &mut Socket) -> Result<SyncEngine> {
    let (engine, frames) = step(engine, input).await?;
    for frame in frames {
        socket.send(Frame::binary(frame)).await?;
    }
    Ok(engine)
}

/// Runs one engine step on the blocking pool (the engine writes SQLite).
async fn step(mut engine: SyncEngine, input: SyncInput) -> Result<(SyncEngine, Vec<Vec<u8>>)> {
    tokio::task::spawn_blocking(move || {
        let out = engine.handle(input);
        out.map(|frames| (engine, frames))
    })
    .await?
    .map_err(Into::into)
}

//! A TCP proxy that cuts connections at chosen byte offsets, for the sync fault tests and for
//! counting bytes on the wire in the benchmark.
//!
//! Why: automerge's sync protocol assumes reliable, in-order delivery, and the known sync loops
//! (automerge #772, #1284; automerge-repo #206, #412) start with a message lost mid-flight. A real
//! socket cut at every possible byte — inside the HTTP upgrade, inside a WebSocket frame header,
//! inside a CBOR message — is the fault a phone on a train produces, so the proxy cuts real TCP
//! connections rather than simulating a transport. A cut delivers exactly the bytes before the
//! offset, then closes both sockets with no WebSocket close frame: the peers see a stream that
//! stops mid-message.
//!
//! Every cut is drawn from a seeded ChaCha generator in accept order, so a failing seed replays.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Which way bytes flow through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the connecting client to the target server.
    ToServer,
    /// From the target server back to the client.
    ToClient,
}

/// Where one connection will be cut: after exactly `after` bytes have passed in `direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cut {
    pub direction: Direction,
    pub after: u64,
}

/// How the proxy treats new connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultPlan {
    /// Forward everything faithfully.
    Clean,
    /// Cut each new connection with `probability`, in a random direction, after a uniformly
    /// random number of bytes in `0..=max_offset`.
    Random { probability: f64, max_offset: u64 },
    /// Cut every new connection at the same place (for the proxy's own tests).
    Always(Cut),
}

/// Counters since the proxy started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    pub bytes_to_server: u64,
    pub bytes_to_client: u64,
    pub connections: u64,
    pub cuts: u64,
}

impl ProxyStats {
    /// Bytes in both directions.
    pub fn bytes(&self) -> u64 {
        self.bytes_to_server + self.bytes_to_client
    }
}

#[derive(Debug)]
struct Shared {
    target: Mutex<SocketAddr>,
    plan: Mutex<FaultPlan>,
    rng: Mutex<ChaCha8Rng>,
    cut_log: Mutex<Vec<Cut>>,
    bytes_to_server: AtomicU64,
    bytes_to_client: AtomicU64,
    connections: AtomicU64,
    cuts: AtomicU64,
    paused: watch::Sender<bool>,
    cut_all: Notify,
}

/// A running proxy on 127.0.0.1; stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1:0 forwarding to `target`, on the current tokio runtime.
    pub async fn start(target: SocketAddr, seed: u64, plan: FaultPlan) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            target: Mutex::new(target),
            plan: Mutex::new(plan),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
            cut_log: Mutex::new(Vec::new()),
            bytes_to_server: AtomicU64::new(0),
            bytes_to_client: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            cuts: AtomicU64::new(0),
            paused: watch::Sender::new(false),
            cut_all: Notify::new(),
        });
        let accept_task = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(FaultProxy {
            addr,
            shared,
            accept_task,
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Changes how *new* connections are treated (live ones keep their drawn cut).
    pub fn set_plan(&self, plan: FaultPlan) {
        *self.shared.plan.lock() = plan;
    }

    /// Points new connections at another server (e.g. the same server restarted elsewhere).
    pub fn set_target(&self, target: SocketAddr) {
        *self.shared.target.lock() = target;
    }

    /// Holds every byte in both directions until [`FaultProxy::resume`].
    pub fn pause(&self) {
        self.shared.paused.send_replace(true);
    }

    pub fn resume(&self) {
        self.shared.paused.send_replace(false);
    }

    /// Cuts every live connection now.
    pub fn cut_all(&self) {
        self.shared.cut_all.notify_waiters();
    }

    pub fn stats(&self) -> ProxyStats {
        let s = &self.shared;
        ProxyStats {
            bytes_to_server: s.bytes_to_server.load(Ordering::SeqCst),
            bytes_to_client: s.bytes_to_client.load(Ordering::SeqCst),
            connections: s.connections.load(Ordering::SeqCst),
            cuts: s.cuts.load(Ordering::SeqCst),
        }
    }

    /// The cut drawn for each connection that got one, in accept order.
    pub fn cut_log(&self) -> Vec<Cut> {
        self.shared.cut_log.lock().clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept_task.abort();
        self.shared.cut_all.notify_waiters();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((client, _)) = listener.accept().await {
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let cut = draw_cut(&shared);
        if let Some(cut) = cut {
            shared.cut_log.lock().push(cut);
        }
        let target = *shared.target.lock();
        tokio::spawn(serve(client, target, cut, shared.clone()));
    }
}

fn draw_cut(shared: &Shared) -> Option<Cut> {
    let plan = *shared.plan.lock();
    let mut rng = shared.rng.lock();
    match plan {
        FaultPlan::Clean => None,
        FaultPlan::Always(cut) => Some(cut),
        FaultPlan::Random {
            probability,
            max_offset,
        } => rng.random_bool(probability.clamp(0.0, 1.0)).then(|| Cut {
            direction: if rng.random_bool(0.5) {
                Direction::ToServer
            } else {
                Direction::ToClient
            },
            after: rng.random_range(0..=max_offset),
        }),
    }
}

/// How one direction of a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    Eof,
    Cut,
    Failed,
}

async fn serve(client: TcpStream, target: SocketAddr, cut: Option<Cut>, shared: Arc<Shared>) {
    let Ok(server) = TcpStream::connect(target).await else {
        return; // dropping the client closes it: the same as a server that is down
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let limit = |d: Direction| cut.filter(|c| c.direction == d).map(|c| c.after);
    let up = pump(
        client_read,
        server_write,
        Direction::ToServer,
        limit(Direction::ToServer),
        &shared,
    );
    let down = pump(
        server_read,
        client_write,
        Direction::ToClient,
        limit(Direction::ToClient),
        &shared,
    );
    tokio::pin!(up, down);
    let (mut up_done, mut down_done) = (false, false);
    let cut_all = shared.cut_all.notified();
    tokio::pin!(cut_all);
    cut_all.as_mut().enable();
    while !(up_done && down_done) {
        let ended = tokio::select! {
            e = &mut up, if !up_done => { up_done = true; e }
            e = &mut down, if !down_done => { down_done = true; e }
            () = &mut cut_all => Ended::Cut,
        };
        if ended != Ended::Eof {
            if ended == Ended::Cut {
                shared.cuts.fetch_add(1, Ordering::SeqCst);
            }
            return; // dropping both halves closes both sockets
        }
    }
}

/// Copies one direction, honouring pauses, until EOF, an error, or the cut offset.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    direction: Direction,
    mut remaining: Option<u64>,
    shared: &Shared,
) -> Ended {
    let counter = match direction {
        Direction::ToServer => &shared.bytes_to_server,
        Direction::ToClient => &shared.bytes_to_client,
    };
    let mut paused = shared.paused.subscribe();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if remaining == Some(0) {
            return Ended::Cut;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) => return half_close(&mut to).await,
            Ok(n) => n,
            Err(_) => return Ended::Failed,
        };
        if paused.wait_for(|p| !*p).await.is_err() {
            return Ended::Failed;
        }
        let n = remaining.map_or(n, |r| n.min(usize::try_from(r).unwrap_or(usize::MAX)));
        if to.write_all(&buf[..n]).await.is_err() {
            return Ended::Failed;
        }
        counter.fetch_add(n as u64, Ordering::SeqCst);
        remaining = remaining.map(|r| r - n as u64);
    }
}

async fn half_close(to: &mut OwnedWriteHalf) -> Ended {
    match to.shutdown().await {
        Ok(()) => Ended::Eof,
        Err(_) => Ended::Failed,
    }
}

#[cfg(test)]
mod tests;

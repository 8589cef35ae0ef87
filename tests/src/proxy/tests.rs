#![allow(clippy::unwrap_used)]

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::*;

const WAIT: Duration = Duration::from_secs(10);

/// A server that writes `greeting` bytes on each connection, then reads to EOF and reports how
/// many bytes it received.
async fn sink_server(greeting: usize) -> (SocketAddr, mpsc::UnboundedReceiver<u64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let _ = socket.write_all(&pattern(greeting)).await;
                let mut received = 0u64;
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = socket.read(&mut buf).await {
                    received += n as u64;
                }
                let _ = tx.send(received);
            });
        }
    });
    (addr, rx)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Reads until EOF or error; returns what arrived.
async fn read_all(socket: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(Ok(n @ 1..)) = tokio::time::timeout(WAIT, socket.read(&mut buf)).await {
        out.extend_from_slice(&buf[..n]);
    }
    out
}

#[tokio::test]
async fn forwards_both_ways_and_counts_bytes() {
    let (server, mut received) = sink_server(50_000).await;
    let proxy = FaultProxy::start(server, 1, FaultPlan::Clean)
        .await
        .unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    client.write_all(&pattern(70_000)).await.unwrap();
    client.shutdown().await.unwrap();
    assert_eq!(read_all(&mut client).await, pattern(50_000));
    assert_eq!(received.recv().await, Some(70_000));
    let stats = proxy.stats();
    assert_eq!(
        (stats.bytes_to_server, stats.bytes_to_client),
        (70_000, 50_000)
    );
    assert_eq!((stats.connections, stats.cuts), (1, 0));
}

#[tokio::test]
async fn cuts_toward_the_server_at_the_exact_offset() {
    let (server, mut received) = sink_server(0).await;
    let cut = Cut {
        direction: Direction::ToServer,
        after: 1_234,
    };
    let proxy = FaultProxy::start(server, 1, FaultPlan::Always(cut))
        .await
        .unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    let _ = client.write_all(&pattern(10_000)).await;
    assert_eq!(received.recv().await, Some(1_234));
    assert_eq!(proxy.stats().cuts, 1);
    assert_eq!(proxy.cut_log(), vec![cut]);
}

#[tokio::test]
async fn cuts_toward_the_client_at_the_exact_offset() {
    let (server, _received) = sink_server(10_000).await;
    let cut = Cut {
        direction: Direction::ToClient,
        after: 777,
    };
    let proxy = FaultProxy::start(server, 1, FaultPlan::Always(cut))
        .await
        .unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    assert_eq!(read_all(&mut client).await, pattern(777));
    assert_eq!(proxy.stats().bytes_to_client, 777);
}

async fn cut_log_for(seed: u64, connections: usize) -> Vec<Cut> {
    let (server, _received) = sink_server(100).await;
    let plan = FaultPlan::Random {
        probability: 0.7,
        max_offset: 5_000,
    };
    let proxy = FaultProxy::start(server, seed, plan).await.unwrap();
    for _ in 0..connections {
        let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
        client.shutdown().await.unwrap();
        read_all(&mut client).await;
    }
    proxy.cut_log()
}

#[tokio::test]
async fn random_cuts_replay_from_the_seed() {
    let first = cut_log_for(42, 20).await;
    assert_eq!(first, cut_log_for(42, 20).await);
    assert_ne!(first, cut_log_for(43, 20).await);
    assert!((5..20).contains(&first.len()), "{} cuts of 20", first.len());
    assert!(first.iter().all(|c| c.after <= 5_000));
    let directions: std::collections::HashSet<_> = first.iter().map(|c| c.direction).collect();
    assert_eq!(directions.len(), 2);
}

#[tokio::test]
async fn pause_holds_bytes_until_resume() {
    let (server, _received) = sink_server(100).await;
    let proxy = FaultProxy::start(server, 1, FaultPlan::Clean)
        .await
        .unwrap();
    proxy.pause();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    let mut buf = [0u8; 100];
    let early = tokio::time::timeout(Duration::from_millis(300), client.read(&mut buf)).await;
    assert!(early.is_err(), "bytes passed a paused proxy");
    proxy.resume();
    tokio::time::timeout(WAIT, client.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(buf.to_vec(), pattern(100));
}

#[tokio::test]
async fn cut_all_closes_live_connections_and_clean_plan_spares_new_ones() {
    let (server, _received) = sink_server(10).await;
    let proxy = FaultProxy::start(server, 1, FaultPlan::Clean)
        .await
        .unwrap();
    let mut client = TcpStream::connect(proxy.addr()).await.unwrap();
    let mut buf = [0u8; 10];
    client.read_exact(&mut buf).await.unwrap();
    proxy.cut_all();
    assert_eq!(read_all(&mut client).await, Vec::<u8>::new());
    assert_eq!(proxy.stats().cuts, 1);

    let mut again = TcpStream::connect(proxy.addr()).await.unwrap();
    again.shutdown().await.unwrap();
    assert_eq!(read_all(&mut again).await, pattern(10));
    assert_eq!(proxy.stats().cuts, 1);
}

//! # fieldbook-tests
//!
//! Cross-crate tests: devices and the server together, under faults and bad input. The crate's
//! library holds the harness (child-process writers, proxies, fixtures); the tests live in
//! `tests/`.
//!
//! - [`proxy`]: a TCP proxy that cuts connections at seeded-random byte offsets and counts bytes.
//! - [`bench`]: the sync benchmark's measuring loop (the `bench_sync` program prints it).
//! - [`fleet`]: several server nodes on one throwaway PostgreSQL database, and devices.
//! - [`live`]: a device that stays connected and takes in what the server pushes.
//! - [`load`]: the multi-node load program's measuring loop (`bench_nodes` prints it).
//! - [`node`]: runs the stock automerge-repo peers of `tests/interop` (client, peer server).
//! - [`scenarios`]: the fault scenarios, run against any server kind.
//! - [`soak`]: many phones against one server that is SIGKILLed at random (`soak` prints it).
//! - [`server`]: a sync server under test in its own process (automerge-repo's or Fieldbook's),
//!   killed and restarted on the same data.

#![forbid(unsafe_code)]

pub mod bench;
pub mod fleet;
pub mod live;
pub mod load;
pub mod node;
pub mod proxy;
pub mod scenarios;
pub mod server;
pub mod soak;

pub use proxy::{Cut, Direction, FaultPlan, FaultProxy, ProxyStats};
pub use server::{ServerKind, TestServer};

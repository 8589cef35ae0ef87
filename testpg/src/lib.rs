//! # fieldbook-testpg
//!
//! A throwaway PostgreSQL cluster for tests: `initdb` in a temporary directory, `postgres` on a
//! free loopback port with its unix socket in that directory, trust authentication, and a fresh
//! database per caller ([`PgCluster::create_database`]).
//!
//! Postgres refuses to run as root. When the tests run as root the cluster's commands run as the
//! `postgres` OS user (`runuser`), in a directory that user owns; otherwise as the current user.
//!
//! Nothing is left running: [`PgCluster`]'s `Drop` stops the cluster (`pg_ctl stop -m
//! immediate`) and removes the directory, and so does a watchdog shell started beside it, which
//! waits on a pipe from this process and cleans up when the pipe closes, that is when this
//! process ends in any way, a panic, an abort or SIGKILL included.

#![forbid(unsafe_code)]

mod cluster;
mod command;

pub use cluster::PgCluster;
pub use command::pg_bin_dir;

//! Issue 17: the lifecycle judge on the server. Each forbidden step is sent raw, as a stock
//! automerge client would send it (or by a device whose own judge was bypassed), and refused
//! with the rule named; the server's database is unchanged. One module per record kind.

mod customer;
mod daily_log;
mod lead;
mod reception;
mod return_visit;
mod visit_plan;

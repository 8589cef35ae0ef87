//! Sign-in throttling, per user name and per client address, shared by the browser sign-in
//! (`web/session.rs`) and the device login API (`admin_api.rs`), so that neither doubles an
//! attacker's budget. Issue 15, finding 7: 100 wrong passwords went through in 3 s.
//!
//! After [`USER_FAILURES`] failures for one user name, or [`ADDRESS_FAILURES`] from one
//! address, within [`WINDOW`], every attempt for that name or from that address — even with
//! the right password — is answered 429 with `Retry-After` until [`LOCKOUT`] has passed. A
//! success clears the user's count (not the address's: a spray across many names from one
//! address stays counted). Time is the server's injected clock, so tests step through the
//! lockout. Memory is bounded: the least recently seen names and addresses are forgotten
//! past [`TRACKED`] of each. The address is the TCP peer's; behind a reverse proxy every
//! client shares the proxy's address, so the per-address limit then works as a global one.

use std::net::IpAddr;
use std::num::NonZeroUsize;

use chrono::{DateTime, TimeDelta, Utc};
use lru::LruCache;
use parking_lot::Mutex;

/// Failures for one user name before it is locked.
pub const USER_FAILURES: u32 = 5;
/// Failures from one address before it is locked.
pub const ADDRESS_FAILURES: u32 = 20;
/// How long failures are remembered.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// How long a lock lasts.
pub const LOCKOUT: TimeDelta = TimeDelta::minutes(5);
/// Most names (and, separately, addresses) tracked at once.
pub const TRACKED: usize = 10_000;

/// Failures of one key since `since`, and the lock they led to.
#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    since: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

impl Failures {
    fn new(now: DateTime<Utc>) -> Self {
        Failures {
            count: 0,
            since: now,
            locked_until: None,
        }
    }

    fn add(&mut self, now: DateTime<Utc>, limit: u32) {
        if now - self.since > WINDOW {
            *self = Failures::new(now);
        }
        self.count += 1;
        if self.count >= limit {
            self.locked_until = Some(now + LOCKOUT);
            self.count = 0;
            self.since = now;
        }
    }

    fn wait(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        self.locked_until.filter(|u| *u > now).map(|u| u - now)
    }
}

/// Why a sign-in was not even tried: how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: TimeDelta,
}

impl Throttled {
    /// The wait in whole seconds, rounded up (the `Retry-After` value).
    pub fn seconds(&self) -> i64 {
        let ms = self.retry_after.num_milliseconds().max(1);
        (ms + 999) / 1000
    }

    /// The bilingual message.
    pub fn message(&self) -> String {
        let s = self.seconds();
        format!(
            "登录失败次数过多，请 {s} 秒后再试 / too many failed sign-ins: try again in {s} seconds"
        )
    }
}

#[derive(Debug)]
struct Counts {
    users: LruCache<String, Failures>,
    addresses: LruCache<IpAddr, Failures>,
}

/// The throttle: one per server.
#[derive(Debug)]
pub struct LoginThrottle {
    counts: Mutex<Counts>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let cap = NonZeroUsize::new(TRACKED).unwrap_or(NonZeroUsize::MIN);
        LoginThrottle {
            counts: Mutex::new(Counts {
                users: LruCache::new(cap),
                addresses: LruCache::new(cap),
            }),
        }
    }
}

fn key(user: &str) -> String {
    user.trim().to_lowercase()
}

impl LoginThrottle {
    /// Whether `user` may try to sign in from `address` now.
    pub fn check(&self, now: DateTime<Utc>, user: &str, address: IpAddr) -> Result<(), Throttled> {
        let mut c = self.counts.lock();
        let by_user = c.users.get(&key(user)).and_then(|f| f.wait(now));
        let by_address = c.addresses.get(&address).and_then(|f| f.wait(now));
        match by_user.max(by_address) {
            Some(retry_after) => Err(Throttled { retry_after }),
            None => Ok(()),
        }
    }

    /// Counts a failed sign-in.
    pub fn failed(&self, now: DateTime<Utc>, user: &str, address: IpAddr) {
        let mut c = self.counts.lock();
        c.users
            .get_or_insert_mut(key(user), || Failures::new(now))
            .add(now, USER_FAILURES);
        c.addresses
            .get_or_insert_mut(address, || Failures::new(now))
            .add(now, ADDRESS_FAILURES);
        tracing::info!(%address, "sign-in failed");
    }

    /// Clears the user's failures after a successful sign-in.
    pub fn succeeded(&self, user: &str) {
        self.counts.lock().users.pop(&key(user));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + TimeDelta::seconds(s)
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn a_user_is_locked_after_its_failures_until_the_lockout_passes() {
        let t = LoginThrottle::default();
        for i in 0..USER_FAILURES {
            assert!(t.check(at(i.into()), "Rep.Li", A).is_ok());
            t.failed(at(i.into()), "Rep.Li", A);
        }
        let wait = t.check(at(10), "rep.li", B).unwrap_err();
        assert_eq!(wait.seconds(), LOCKOUT.num_seconds() - 10 + 4);
        assert!(wait.message().contains("秒后再试") && wait.message().contains("seconds"));
        assert!(
            t.check(at(10), "sup.zhao", A).is_ok(),
            "others may still sign in"
        );
        assert!(t.check(at(4) + LOCKOUT, "rep.li", A).is_ok());
    }

    #[test]
    fn an_address_is_locked_after_a_spray_and_success_clears_only_the_user() {
        let t = LoginThrottle::default();
        for i in 0..ADDRESS_FAILURES {
            t.failed(at(0), &format!("nobody{i}"), A);
        }
        assert!(t.check(at(1), "rep.li", A).is_err());
        assert!(t.check(at(1), "rep.li", B).is_ok());
        t.failed(at(0), "sup.zhao", B);
        t.succeeded("sup.zhao");
        assert!(t.counts.lock().users.peek("sup.zhao").is_none());
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let t = LoginThrottle::default();
        for _ in 1..USER_FAILURES {
            t.failed(at(0), "rep.li", A);
        }
        t.failed(at(0) + WINDOW + TimeDelta::seconds(1), "rep.li", A);
        assert!(
            t.check(at(0) + WINDOW + TimeDelta::seconds(2), "rep.li", A)
                .is_ok()
        );
    }
}

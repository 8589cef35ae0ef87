//! The day's people: their accounts (`rep.li`) and the names a sales manager knows them by
//! (李娜). The report always speaks of people by name.

use fieldbook_core::UserId;

use crate::fleet::{Device, Fleet};

pub const SUPERVISOR: &str = "sup.wang";
pub const STAFF: &str = "show.chen";
/// The customer-service manager, at the office, who approves reception expenses and answers
/// the proposals routed to customer service.
pub const CS_MANAGER: &str = "cs.zhou";

/// The reps who can be in the day, in order (at most six).
const REPS: &[(&str, &str)] = &[
    ("rep.li", "李娜"),
    ("rep.zhao", "赵磊"),
    ("rep.sun", "孙丽"),
    ("rep.zhou", "周涛"),
    ("rep.wu", "吴静"),
    ("rep.zheng", "郑华"),
];

/// Everyone else's name.
const OTHERS: &[(&str, &str)] = &[
    (SUPERVISOR, "王强"),
    (STAFF, "陈晓东"),
    (CS_MANAGER, "周敏"),
];

/// The most reps a day can have.
pub const MAX_REPS: usize = REPS.len();

/// The day's accounts: the supervisor, `reps` field reps, the trade-show staffer and the
/// customer-service manager (`reps` is checked by the command line, 1–6).
pub fn people(reps: usize) -> Vec<&'static str> {
    let mut out = vec![SUPERVISOR];
    out.extend(REPS.iter().take(reps).map(|(user, _)| *user));
    out.push(STAFF);
    out.push(CS_MANAGER);
    out
}

/// The person's name (the account itself for someone the demo does not know).
pub fn name_of(user: &str) -> &str {
    REPS.iter()
        .chain(OTHERS)
        .find(|(u, _)| *u == user)
        .map_or(user, |(_, name)| name)
}

/// [`name_of`] for a typed user id.
pub fn name(user: &UserId) -> String {
    name_of(user.as_str()).to_owned()
}

/// The field reps' phones.
pub fn reps(f: &Fleet) -> Vec<&Device> {
    f.devices
        .iter()
        .filter(|d| d.user.as_str().starts_with("rep."))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_in_the_day_has_a_name() {
        for user in people(MAX_REPS) {
            assert_ne!(name_of(user), user, "{user} has no name");
        }
        assert_eq!(name_of("rep.li"), "李娜");
    }
}

//! 拜访记录表 / 客户报备表 — the rep's daily visit log (seed 003, 业务员客户报备管理办法): every
//! day the rep lists the customers she visited, the problems she met and her plan for the next
//! day, and reports it to her supervisor before 21:00; her supervisor acknowledges it.
//!
//! One log per rep per day: its id is derived from the rep and the day ([`DailyLog::id_for`]),
//! so every device of the rep names the same document (see `lifecycle::daily_log` for what that
//! buys and what it does not).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{IndexEntry, RecordKind, RecordMeta, impl_record};
use crate::ids::{RecordId, UserId};

/// The rep's log of one company-local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DailyLog {
    pub meta: RecordMeta,
    pub rep: UserId,
    /// The company-local (Asia/Shanghai) date the log reports.
    pub day: Option<NaiveDate>,
    /// The customers visited that day.
    pub entries: Vec<LogEntry>,
    /// 遇到的问题: problems met, for the next morning's meeting.
    pub problems: String,
    /// 明天的工作计划: the plan for the next day.
    pub next_day_plan: String,
    /// When the rep reported it (set once; after 21:00 of `day` the log is late).
    pub submitted_at: Option<DateTime<Utc>>,
    /// The supervisor's acknowledgement of the report.
    pub acknowledged: Option<Acknowledgement>,
}

/// One customer visited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LogEntry {
    pub id: String,
    pub customer_id: Option<RecordId>,
    /// The visit plan the visit was made under, when there was one.
    pub visit_plan_id: Option<RecordId>,
    /// 深入拜访: an in-depth visit (one point, when a real visit record backs it).
    pub in_depth: bool,
    pub note: String,
}

/// The supervisor has read the day's report (the seed's 向领导汇报, acknowledged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Acknowledgement {
    pub by: UserId,
    pub at: DateTime<Utc>,
    pub comment: String,
}

impl DailyLog {
    /// The id of `rep`'s log of `day`: SHA-256 over a fixed prefix, the rep and the date, laid
    /// out as a name-based UUID (version 5), a space no random id (version 4) or server id
    /// (version 8) ever falls in.
    pub fn id_for(rep: &UserId, day: NaiveDate) -> RecordId {
        let digest = Sha256::digest(format!("fieldbook-daily-log/v1:{rep}:{day}").as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        RecordId::named_from_bytes(bytes)
    }

    /// A new, empty log of `rep` for `day`, at its derived id, owned by the rep.
    pub fn new(rep: &UserId, day: NaiveDate) -> Self {
        let mut log = DailyLog {
            rep: rep.clone(),
            day: Some(day),
            ..DailyLog::default()
        };
        log.meta.id = Self::id_for(rep, day);
        log.meta.owner = rep.clone();
        log
    }
}

impl_record!(DailyLog, RecordKind::DailyLog, |r| {
    IndexEntry {
        title: r
            .day
            .map(|d| format!("拜访记录表 {d}"))
            .unwrap_or_else(|| "拜访记录表".to_owned()),
        customer_id: None,
        status: Some(
            match (&r.submitted_at, &r.acknowledged) {
                (_, Some(_)) => "acknowledged",
                (Some(_), None) => "submitted",
                (None, None) => "draft",
            }
            .to_owned(),
        ),
        grade: None,
        key_at: r
            .day
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc()),
    }
});

//! The whole sales process, woven through the field day (issue 17): each story through the
//! production paths a phone uses — the core's rule functions inside `DeviceStore`, and the sync
//! client — so every step passes the device's and the server's lifecycle judges.
//!
//! - [`event`]: a seminar with its invitees (seed 000).
//! - [`pipeline`]: a referred lead taken stage by stage to a contract, won, invoiced (seed 003).
//! - [`proposal`]: a customer's proposal on a return visit, routed, answered (seed 001 §4).
//! - [`week`]: the supervisor's week (seed 004), by the core's public query.

pub mod event;
pub mod pipeline;
pub mod proposal;
pub mod week;

use fieldbook_core::RecordId;
use fieldbook_core::model::VisitStatus;
use serde_json::Value as Json;

use crate::fleet::Fleet;

/// Moves the day's clock to `(h, m)`.
fn clock(f: &Fleet, (h, m): (u32, u32)) {
    f.at(h, m);
}

/// An amount in fen as a manager reads it: `¥380,000` (or `¥1,200.50`).
pub fn yuan(fen: i64) -> String {
    let (yuan, cents) = (fen / 100, fen % 100);
    let digits = yuan.abs().to_string();
    let mut grouped = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if fen < 0 { "-" } else { "" };
    match cents.abs() {
        0 => format!("{sign}¥{grouped}"),
        c => format!("{sign}¥{grouped}.{c:02}"),
    }
}

/// A visit's or an invitee's status, in words.
pub fn status_text(s: &VisitStatus) -> &'static str {
    match s {
        VisitStatus::Planned => "已计划 / planned",
        VisitStatus::Invited => "已邀约 / invited",
        VisitStatus::Accepted => "已接受 / accepted",
        VisitStatus::Declined => "婉拒 / declined",
        VisitStatus::Attended => "已到场 / held",
        VisitStatus::NoShow => "接受但未到场 / accepted, did not come",
        VisitStatus::Cancelled => "已取消 / cancelled",
        _ => "其他 / other",
    }
}

/// What a manager calls a record: the customer's name, the lead's company, the visit's
/// customer and purpose (read from the server's merged copy).
pub fn title(f: &Fleet, id: RecordId) -> anyhow::Result<String> {
    let Some(doc) = f.server_json(id)? else {
        return Ok(String::new());
    };
    let text = |p: &str| {
        doc.pointer(p)
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned()
    };
    Ok(match text("/kind").as_str() {
        "customer" => text("/name"),
        "lead_referral" => {
            let company = text("/prospect/company");
            if company.is_empty() {
                text("/prospect/name")
            } else {
                company
            }
        }
        "visit_plan" => {
            let customer = match text("/customer_id").parse::<RecordId>() {
                Ok(c) => title(f, c)?,
                Err(_) => String::new(),
            };
            format!("{customer}：{}", text("/purpose"))
        }
        _ => text("/purpose"),
    })
}

#[cfg(test)]
mod tests {
    use super::yuan;

    #[test]
    fn amounts_read_in_yuan_with_thousands() {
        assert_eq!(yuan(38_000_000), "¥380,000");
        assert_eq!(yuan(120_050), "¥1,200.50");
        assert_eq!(yuan(5), "¥0.05");
    }
}

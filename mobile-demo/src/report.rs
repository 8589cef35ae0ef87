//! The HTML report of a field day: what happened, when, on which device, and the merged result.
//! Rendered with minijinja from `templates/report.html`; a person should rather read this than
//! the console log.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::people::name_of;

/// Everything the report shows. Plain strings: the day's script formats its own figures.
#[derive(Debug, Default, Serialize)]
pub struct DayReport {
    pub title: String,
    pub seed: u64,
    pub summary: Vec<Figure>,
    pub timeline: Vec<TimelineEntry>,
    pub sections: Vec<Section>,
    pub checks: Vec<Check>,
}

/// One headline number.
#[derive(Debug, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
}

/// One moment of the day.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    /// The company-time label of `sort_at` (`11-24 08:30`).
    pub at: String,
    /// Who acted, by name.
    pub device: String,
    pub event: String,
    #[serde(skip)]
    pub sort_at: DateTime<Utc>,
}

/// When something happened: the instant, and how the report shows it (company time).
#[derive(Debug, Clone)]
pub struct When {
    pub at: DateTime<Utc>,
    pub label: String,
}

/// A table of records or figures.
#[derive(Debug, Serialize)]
pub struct Section {
    pub heading: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A check the demo made on the merged result.
#[derive(Debug, Serialize)]
pub struct Check {
    pub passed: bool,
    pub text: String,
}

const TEMPLATE: &str = include_str!("../templates/report.html");

impl DayReport {
    pub fn figure(&mut self, label: &str, value: impl ToString) {
        self.summary.push(Figure {
            label: label.to_owned(),
            value: value.to_string(),
        });
    }

    /// Something `who` (an account; shown by name) did at `when`.
    pub fn event(&mut self, when: When, who: &str, event: impl Into<String>) {
        self.timeline.push(TimelineEntry {
            at: when.label,
            device: name_of(who).to_owned(),
            event: event.into(),
            sort_at: when.at,
        });
    }

    pub fn check(&mut self, passed: bool, text: impl Into<String>) {
        self.checks.push(Check {
            passed,
            text: text.into(),
        });
    }

    /// Renders the report to HTML, the timeline in time order (the script tells the day's
    /// stories one after another; a manager reads the day as it happened).
    pub fn render(&self) -> Result<String, minijinja::Error> {
        let mut timeline = self.timeline.clone();
        timeline.sort_by_key(|e| e.sort_at);
        let mut env = minijinja::Environment::new();
        env.add_template("report.html", TEMPLATE)?;
        env.get_template("report.html")?.render(
            minijinja::context! { timeline => timeline, ..minijinja::Value::from_serialize(self) },
        )
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, self.render()?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_escapes_what_it_shows() {
        let mut r = DayReport {
            title: "外勤一日".into(),
            ..DayReport::default()
        };
        r.event(when(9, 0), "rep.li", "<script>alert(1)</script>");
        r.check(true, "无丢失 / nothing lost");
        let html = r.render().unwrap_or_default();
        assert!(html.contains("外勤一日"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }

    fn when(h: u32, m: u32) -> When {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_default()
            .and_utc();
        When {
            at,
            label: format!("{h:02}:{m:02}"),
        }
    }

    #[test]
    fn the_timeline_reads_in_time_order_with_names() {
        let mut r = DayReport::default();
        r.event(when(19, 0), "rep.li", "evening");
        r.event(when(8, 30), "sup.wang", "morning");
        let html = r.render().unwrap_or_default();
        let (morning, evening) = (html.find("morning"), html.find("evening"));
        assert!(morning.is_some() && morning < evening, "{html}");
        assert!(html.contains("李娜") && html.contains("王强"));
        assert!(!html.contains("rep.li"));
    }
}

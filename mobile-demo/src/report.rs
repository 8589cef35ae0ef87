//! The HTML report of a field day: what happened, when, on which device, and the merged result.
//! Rendered with minijinja from `templates/report.html`; a person should rather read this than
//! the console log.

use std::path::Path;

use serde::Serialize;

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
#[derive(Debug, Serialize)]
pub struct TimelineEntry {
    pub at: String,
    pub device: String,
    pub event: String,
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

    pub fn event(&mut self, at: impl ToString, device: &str, event: impl Into<String>) {
        self.timeline.push(TimelineEntry {
            at: at.to_string(),
            device: device.to_owned(),
            event: event.into(),
        });
    }

    pub fn check(&mut self, passed: bool, text: impl Into<String>) {
        self.checks.push(Check {
            passed,
            text: text.into(),
        });
    }

    /// Renders the report to HTML.
    pub fn render(&self) -> Result<String, minijinja::Error> {
        let mut env = minijinja::Environment::new();
        env.add_template("report.html", TEMPLATE)?;
        env.get_template("report.html")?.render(self)
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
        r.event("09:00", "rep.li", "<script>alert(1)</script>");
        r.check(true, "无丢失 / nothing lost");
        let html = r.render().unwrap_or_default();
        assert!(html.contains("外勤一日"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}

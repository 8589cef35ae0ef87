//! Charts as inline SVG, drawn on the server: no script, no chart library, printable, and
//! readable by a screen reader (`role="img"`, a `<title>`, the numbers written on the bars).
//! Every label is escaped here, since the SVG is inserted into the page as markup.

use std::fmt::Write;

/// Colours of the series (reps), repeated past the last.
const PALETTE: [&str; 8] = [
    "#1769aa", "#e07b00", "#2e8b57", "#b03a48", "#6a4c93", "#00838f", "#8d6e63", "#546e7a",
];

/// Escapes text for SVG (XML).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One stage of a funnel.
#[derive(Debug, Clone)]
pub struct Stage {
    pub label: String,
    pub count: u64,
}

/// A horizontal funnel: one bar per stage, as wide as its count against the first stage,
/// with the count and its share of the first stage.
pub fn funnel(title: &str, stages: &[Stage]) -> String {
    let (width, label_w, row_h) = (600.0, 170.0, 40.0);
    let height = row_h * stages.len() as f64 + 10.0;
    let top = stages.first().map_or(0, |s| s.count).max(1) as f64;
    let mut svg = open(title, width, height);
    for (i, s) in stages.iter().enumerate() {
        let y = 5.0 + row_h * i as f64;
        let w = ((width - label_w - 110.0) * s.count as f64 / top).max(1.0);
        let share = 100.0 * s.count as f64 / top;
        let _ = write!(
            svg,
            r##"<text x="{tx}" y="{ty}" text-anchor="end" class="label">{label}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="{h}" rx="3" fill="{fill}"/><text x="{cx:.1}" y="{ty}" class="value">{count} · {share:.0}%</text>"##,
            tx = label_w - 8.0,
            ty = y + row_h / 2.0 + 1.0,
            label = esc(&s.label),
            h = row_h - 12.0,
            fill = PALETTE[0],
            cx = label_w + w + 6.0,
            count = s.count,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A grouped bar chart: `groups` along the x axis (weeks), one bar per series (rep) in each.
/// `values[series][group]`.
pub fn grouped_bars(
    title: &str,
    groups: &[String],
    series: &[String],
    values: &[Vec<u32>],
) -> String {
    let (width, height, left, bottom, top) = (600.0, 300.0, 36.0, 28.0, 34.0);
    let max = values.iter().flatten().copied().max().unwrap_or(0);
    let scale_max = nice_ceiling(max);
    let plot_h = height - top - bottom;
    let plot_w = width - left - 8.0;
    let mut svg = open(title, width, height);
    legend(&mut svg, series, left);
    for tick in 0..=4 {
        let v = scale_max * tick / 4;
        let y = top + plot_h - plot_h * f64::from(v) / f64::from(scale_max);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{lx}" y="{ty:.1}" text-anchor="end" class="axis">{v}</text>"##,
            x2 = width - 8.0,
            lx = left - 5.0,
            ty = y + 4.0,
        );
    }
    let group_w = plot_w / groups.len().max(1) as f64;
    let bar_w = (group_w * 0.8 / series.len().max(1) as f64).min(28.0);
    for (g, name) in groups.iter().enumerate() {
        let x0 = left + group_w * g as f64 + (group_w - bar_w * series.len() as f64) / 2.0;
        for (s, row) in values.iter().enumerate() {
            let v = row.get(g).copied().unwrap_or(0);
            let h = plot_h * f64::from(v) / f64::from(scale_max);
            let (x, y) = (x0 + bar_w * s as f64, top + plot_h - h);
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}" fill="{fill}"><title>{who}: {v}</title></rect>"##,
                bw = (bar_w - 2.0).max(1.0),
                fill = PALETTE[s % PALETTE.len()],
                who = esc(series.get(s).map_or("", String::as_str)),
            );
            if v > 0 {
                let _ = write!(
                    svg,
                    r##"<text x="{cx:.1}" y="{ty:.1}" text-anchor="middle" class="value">{v}</text>"##,
                    cx = x + bar_w / 2.0 - 1.0,
                    ty = y - 3.0,
                );
            }
        }
        let _ = write!(
            svg,
            r##"<text x="{cx:.1}" y="{ty}" text-anchor="middle" class="axis">{label}</text>"##,
            cx = left + group_w * (g as f64 + 0.5),
            ty = height - 9.0,
            label = esc(name),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn open(title: &str, width: f64, height: f64) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" class="chart"><title>{t}</title>"##,
        t = esc(title)
    )
}

fn legend(svg: &mut String, series: &[String], left: f64) {
    let mut x = left;
    for (i, name) in series.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="8" width="12" height="12" fill="{fill}"/><text x="{tx:.1}" y="18" class="legend">{n}</text>"##,
            fill = PALETTE[i % PALETTE.len()],
            tx = x + 16.0,
            n = esc(name),
        );
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
}

/// The smallest "nice" number (1, 2, 5 × 10ⁿ, at least 4) at or above `max`, so that the
/// four grid steps are whole numbers.
fn nice_ceiling(max: u32) -> u32 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step * 4 >= max.max(1) {
                return m * step * 4;
            }
        }
        step *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_ends_on_a_round_number() {
        assert_eq!(nice_ceiling(0), 4);
        assert_eq!(nice_ceiling(3), 4);
        assert_eq!(nice_ceiling(7), 8);
        assert_eq!(nice_ceiling(9), 20);
        assert_eq!(nice_ceiling(41), 80);
    }

    #[test]
    fn charts_are_svg_with_escaped_labels() {
        let stages = [
            Stage {
                label: "邀约 / invited".into(),
                count: 8,
            },
            Stage {
                label: "<b>".into(),
                count: 2,
            },
        ];
        let svg = funnel("漏斗 & funnel", &stages);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains("8 · 100%") && svg.contains("2 · 25%"));
        assert!(svg.contains("漏斗 &amp; funnel"));
        let bars = grouped_bars(
            "visits",
            &["12-07".into(), "12-14".into()],
            &["rep.li".into(), "rep.wang".into()],
            &[vec![3, 0], vec![1, 2]],
        );
        assert_eq!(
            bars.matches("<rect").count(),
            2 + 4,
            "two legend keys, four bars"
        );
        assert!(bars.contains(">rep.li: 3</title>"));
    }
}

//! The SVG bar chart of `cargo xtask bench`: one horizontal bar per result, the ratio of this
//! kernel to Linux on a log scale centred on 1 (bars to the left, green: this kernel is
//! faster; to the right, red: slower), then the geometric mean. Hand-written SVG, no crates.

use std::fmt::Write as _;

use super::report::{self, Row};

/// Width of the whole picture.
const WIDTH: f64 = 960.0;
/// Left edge of the bars' area (the names go to its left).
const PLOT_LEFT: f64 = 300.0;
/// Right edge of the bars' area.
const PLOT_RIGHT: f64 = 900.0;
/// Height of one row.
const ROW: f64 = 18.0;
/// Space above the first row (title, legend, axis labels).
const TOP: f64 = 74.0;
/// The scale spans 2^-SPAN .. 2^SPAN; ratios beyond are drawn at the edge.
const SPAN: f64 = 4.0;

const FASTER: &str = "#2e7d32";
const SLOWER: &str = "#c62828";
const MEAN: &str = "#1565c0";
const MISSING: &str = "#777";

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The x coordinate of `ratio` (clamped to the scale).
fn x_of(ratio: f64) -> f64 {
    let centre = (PLOT_LEFT + PLOT_RIGHT) / 2.0;
    let per_doubling = (PLOT_RIGHT - PLOT_LEFT) / (2.0 * SPAN);
    centre + ratio.log2().clamp(-SPAN, SPAN) * per_doubling
}

fn label(ratio: f64) -> String {
    if ratio >= 1.0 {
        format!("{ratio:.0}")
    } else {
        format!("1/{:.0}", 1.0 / ratio)
    }
}

/// One bar from 1 to `ratio` at row top `y`, with its value printed beside it.
fn bar(out: &mut String, y: f64, ratio: f64, colour: &str) {
    let (x1, x) = (x_of(1.0), x_of(ratio));
    let (left, width) = (x1.min(x), (x - x1).abs().max(1.0));
    let _ = writeln!(
        out,
        r#"<rect x="{left:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{colour}"/>"#,
        y + 3.0,
        ROW - 6.0
    );
    let (tx, anchor) = if ratio < 1.0 {
        (left - 4.0, "end")
    } else {
        (left + width + 4.0, "start")
    };
    let _ = writeln!(
        out,
        r#"<text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11">{ratio:.2}</text>"#,
        y + ROW - 5.0
    );
}

/// The chart of `rows` under `title`.
pub fn chart(title: &str, rows: &[Row]) -> String {
    let mean = report::geomean(rows);
    let height = TOP + ROW * (rows.len() as f64 + 2.0) + 10.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        out,
        r#"<text x="10" y="22" font-size="16" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let _ = writeln!(
        out,
        r#"<text x="10" y="42" font-size="12">ratio this kernel : Linux (latency this/Linux, bandwidth Linux/this), log scale; <tspan fill="{FASTER}">left of 1: this kernel faster</tspan>, <tspan fill="{SLOWER}">right: slower</tspan></text>"#
    );
    // Grid lines at the powers of two, labelled above the rows.
    let bottom = TOP + ROW * (rows.len() as f64 + 1.5);
    for k in -(SPAN as i32)..=(SPAN as i32) {
        let ratio = 2f64.powi(k);
        let x = x_of(ratio);
        let (colour, w) = if k == 0 { ("#000", 1.5) } else { ("#ccc", 1.0) };
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{colour}" stroke-width="{w}"/>"#,
            TOP - 4.0
        );
        let _ = writeln!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
            TOP - 8.0,
            label(ratio)
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12">{}</text>"#,
            PLOT_LEFT - 8.0,
            y + ROW - 5.0,
            escape(&row.name)
        );
        match row.ratio() {
            Some(r) => bar(&mut out, y, r, if r <= 1.0 { FASTER } else { SLOWER }),
            None => {
                let which = match (&row.this, &row.linux) {
                    (Err(why), _) => format!("missing on this kernel: {why}"),
                    (_, Err(why)) => format!("missing on Linux: {why}"),
                    _ => "missing".into(),
                };
                let _ = writeln!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" font-size="11" fill="{MISSING}">{}</text>"#,
                    PLOT_LEFT + 4.0,
                    y + ROW - 5.0,
                    escape(&which.chars().take(100).collect::<String>())
                );
            }
        }
    }
    let y = TOP + ROW * (rows.len() as f64 + 0.5);
    let _ = writeln!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" font-weight="bold">geometric mean ({} compared)</text>"#,
        PLOT_LEFT - 8.0,
        y + ROW - 5.0,
        mean.map_or(0, |(_, n)| n)
    );
    if let Some((g, _)) = mean {
        bar(&mut out, y, g, MEAN);
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, this: Result<f64, String>, linux: f64) -> Row {
        Row {
            name: name.into(),
            unit: "ns".into(),
            this,
            linux: Ok(linux),
        }
    }

    #[test]
    fn scale_is_logarithmic_and_clamped() {
        let centre = (PLOT_LEFT + PLOT_RIGHT) / 2.0;
        assert_eq!(x_of(1.0), centre);
        assert!((x_of(2.0) - centre - (centre - x_of(0.5))).abs() < 1e-9);
        assert_eq!(x_of(1e9), PLOT_RIGHT);
        assert_eq!(x_of(1e-9), PLOT_LEFT);
        assert_eq!(label(0.25), "1/4");
        assert_eq!(label(8.0), "8");
    }

    #[test]
    fn chart_has_a_bar_per_result_and_the_mean() {
        let rows = [
            row("fast<&>", Ok(1.0), 2.0),
            row("slow", Ok(3.0), 1.0),
            row("gone", Err("ENOSYS".into()), 1.0),
        ];
        let svg = chart("x86_64 \"run\"", &rows);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("fast&lt;&amp;&gt;"));
        assert!(svg.contains("x86_64 &quot;run&quot;"));
        // Two result bars and the mean's, plus the background.
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(&format!("fill=\"{FASTER}\"")));
        assert!(svg.contains(&format!("fill=\"{SLOWER}\"")));
        assert!(svg.contains("missing on this kernel: ENOSYS"));
        assert!(svg.contains(">0.50<") && svg.contains(">3.00<"));
        assert!(svg.contains("geometric mean (2 compared)"));
        // Every element is closed: as many opening as closing text tags.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }
}

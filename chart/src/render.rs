//! From the drawn SVG to output bytes in the bundled DejaVu Sans: SVG of outlines, PNG or PDF.

use std::sync::Arc;

use error::{Error, Result};
use resvg::tiny_skia;
use resvg::usvg::{self, fontdb};

/// The one font family of every figure, bundled into the binary by the `dejavu` crate.
pub const FAMILY: &str = "DejaVu Sans";

/// Parsing options whose font database holds only the bundled fonts.
fn options() -> usvg::Options<'static> {
    let mut db = fontdb::Database::new();
    db.load_font_data(dejavu::sans::regular().to_vec());
    db.load_font_data(dejavu::sans::bold().to_vec());
    db.set_sans_serif_family(FAMILY);
    usvg::Options {
        font_family: FAMILY.to_owned(),
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    }
}

fn parse(svg: &str) -> Result<usvg::Tree> {
    // Our own SVG: a failure here is a bug, reported rather than panicked on.
    usvg::Tree::from_str(svg, &options())
        .map_err(|e| Error::data(format!("internal error: the drawn SVG does not parse: {e}")))
}

/// A piece of text to measure: its string, size in points and weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Text<'a> {
    pub text: &'a str,
    pub size: f64,
    pub bold: bool,
}

/// The advance widths of `texts` in points, as the renderer will set them.
pub fn widths(texts: &[Text]) -> Result<Vec<f64>> {
    let mut svg =
        String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">"#);
    for (i, t) in texts.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text id="t{i}" x="0" y="5" font-size="{}" font-weight="{}">{}</text>"#,
            t.size,
            if t.bold { "bold" } else { "normal" },
            escape(t.text)
        ));
    }
    svg.push_str("</svg>");
    let tree = parse(&svg)?;
    Ok((0..texts.len())
        .map(|i| match tree.node_by_id(&format!("t{i}")) {
            Some(usvg::Node::Text(text)) => f64::from(text.bounding_box().width()),
            // Blank text leaves no node.
            _ => 0.0,
        })
        .collect())
}

/// Escapes text for SVG.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // XML cannot hold most control characters, even escaped.
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The figure as a self-contained SVG: text as glyph outlines, so that it looks the same in
/// every viewer, with or without DejaVu installed, and carries no 700 kB font.
pub fn svg(drawn: &str) -> Result<Vec<u8>> {
    let tree = parse(drawn)?;
    let options = usvg::WriteOptions {
        coordinates_precision: 3,
        transforms_precision: 4,
        ..usvg::WriteOptions::default()
    };
    Ok(tree.to_string(&options).into_bytes())
}

/// The figure as a one-page vector PDF (text as outlines, as in the SVG).
pub fn pdf(drawn: &str) -> Result<Vec<u8>> {
    crate::pdf::write(&parse(drawn)?)
}

/// The figure as a PNG at `dpi` dots per inch (the SVG's units are points).
pub fn png(drawn: &str, dpi: f64) -> Result<Vec<u8>> {
    let tree = parse(drawn)?;
    let scale = dpi / 72.0;
    let size = tree.size();
    let (w, h) = (
        f64::from(size.width()) * scale,
        f64::from(size.height()) * scale,
    );
    if !(1.0..=30_000.0).contains(&w) || !(1.0..=30_000.0).contains(&h) {
        return Err(Error::usage(format!(
            "a {w:.0} x {h:.0} pixel image is too large or too small: change --width, \
             --height or --dpi"
        )));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 1..=30000
    let mut pixmap = tiny_skia::Pixmap::new(w.round() as u32, h.round() as u32)
        .ok_or_else(|| Error::usage("cannot allocate the image: try a smaller --dpi"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    #[allow(clippy::cast_possible_truncation)] // a small scale
    let scale = scale as f32;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::data(format!("cannot encode the PNG: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_in_the_bundled_font() {
        let w = widths(&[
            Text {
                text: "Jan 22",
                size: 12.0,
                bold: false,
            },
            Text {
                text: "Jan 22",
                size: 24.0,
                bold: false,
            },
            Text {
                text: "Jan 22",
                size: 12.0,
                bold: true,
            },
            Text {
                text: "",
                size: 12.0,
                bold: false,
            },
        ])
        .unwrap();
        assert!(w[0] > 30.0 && w[0] < 45.0, "{w:?}");
        assert!((w[1] - 2.0 * w[0]).abs() < 0.5, "{w:?}");
        assert!(w[2] > w[0], "{w:?}");
        assert_eq!(w[3], 0.0);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("a<b & \"c\">\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&gt; "
        );
    }
}

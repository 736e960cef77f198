//! The figure as a vector PDF: the parsed SVG tree (text already outlines) written as PDF paths.

use error::{Error, Result};
use std::io::Write as _;

use flate2::write::ZlibEncoder;
use pdf_writer::types::{LineCapStyle, LineJoinStyle};
use pdf_writer::{Content, Filter, Pdf, Rect, Ref};
use resvg::tiny_skia::{PathSegment, Transform};
use resvg::usvg::{self, Node, Paint};

/// One page the figure's size (its SVG units are points, as PDF's). chart draws only flat
/// fills, strokes (dashed or not) and rectangular clips, so that is all this writes.
pub fn write(tree: &usvg::Tree) -> Result<Vec<u8>> {
    let size = tree.size();
    let (w, h) = (size.width(), size.height());
    let mut content = Content::new();
    // SVG's y grows downwards, PDF's upwards.
    content.transform([1.0, 0.0, 0.0, -1.0, 0.0, h]);
    group(&mut content, tree.root())?;
    let (catalog, pages, page, stream) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, w, h));
    p.parent(pages);
    p.contents(stream);
    drop(p);
    // Deflated, as PDF writers do: a third of the size.
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&content.finish())
        .map_err(|e| Error::data(format!("cannot compress the PDF: {e}")))?;
    let bytes = z
        .finish()
        .map_err(|e| Error::data(format!("cannot compress the PDF: {e}")))?;
    pdf.stream(stream, &bytes).filter(Filter::FlateDecode);
    Ok(pdf.finish())
}

fn unsupported(what: &str) -> Error {
    Error::data(format!(
        "internal error: the figure has {what}, which chart's PDF cannot hold"
    ))
}

fn group(out: &mut Content, g: &usvg::Group) -> Result<()> {
    out.save_state();
    if let Some(clip) = g.clip_path() {
        // The clip's paths, in the clipped group's coordinates.
        let base = g.abs_transform().pre_concat(clip.transform());
        for node in clip.root().children() {
            if let Node::Path(p) = node {
                outline(out, p.data(), base.pre_concat(p.abs_transform()));
            }
        }
        out.clip_nonzero();
        out.end_path();
    }
    for node in g.children() {
        match node {
            Node::Group(child) => group(out, child)?,
            Node::Path(p) => path(out, p)?,
            Node::Text(t) => group(out, t.flattened())?,
            Node::Image(_) => return Err(unsupported("an image")),
        }
    }
    out.restore_state();
    Ok(())
}

/// The path's segments, moved by `t`, as PDF path operators.
fn outline(out: &mut Content, data: &resvg::tiny_skia::Path, t: Transform) {
    let map = |p: resvg::tiny_skia::Point| {
        let mut q = p;
        t.map_point(&mut q);
        (q.x, q.y)
    };
    let mut last = (0.0, 0.0);
    for seg in data.segments() {
        match seg {
            PathSegment::MoveTo(p) => {
                last = map(p);
                out.move_to(last.0, last.1);
            }
            PathSegment::LineTo(p) => {
                last = map(p);
                out.line_to(last.0, last.1);
            }
            PathSegment::QuadTo(c, p) => {
                // A quadratic as the cubic that draws it.
                let (c, p) = (map(c), map(p));
                let c1 = (
                    last.0 + 2.0 / 3.0 * (c.0 - last.0),
                    last.1 + 2.0 / 3.0 * (c.1 - last.1),
                );
                let c2 = (p.0 + 2.0 / 3.0 * (c.0 - p.0), p.1 + 2.0 / 3.0 * (c.1 - p.1));
                out.cubic_to(c1.0, c1.1, c2.0, c2.1, p.0, p.1);
                last = p;
            }
            PathSegment::CubicTo(c1, c2, p) => {
                let (c1, c2, p) = (map(c1), map(c2), map(p));
                out.cubic_to(c1.0, c1.1, c2.0, c2.1, p.0, p.1);
                last = p;
            }
            PathSegment::Close => {
                out.close_path();
            }
        }
    }
}

fn rgb(paint: &Paint) -> Result<(f32, f32, f32)> {
    match paint {
        Paint::Color(c) => Ok((
            f32::from(c.red) / 255.0,
            f32::from(c.green) / 255.0,
            f32::from(c.blue) / 255.0,
        )),
        _ => Err(unsupported("a gradient or pattern")),
    }
}

fn path(out: &mut Content, p: &usvg::Path) -> Result<()> {
    if !p.is_visible() {
        return Ok(());
    }
    let t = p.abs_transform();
    if let Some(fill) = p.fill() {
        let (r, g, b) = rgb(fill.paint())?;
        out.set_fill_rgb(r, g, b);
        outline(out, p.data(), t);
        out.fill_nonzero();
    }
    if let Some(stroke) = p.stroke() {
        let (r, g, b) = rgb(stroke.paint())?;
        out.save_state();
        // Stroke in the path's own coordinates, so widths and dashes scale with it.
        out.transform([t.sx, t.ky, t.kx, t.sy, t.tx, t.ty]);
        out.set_stroke_rgb(r, g, b);
        out.set_line_width(stroke.width().get());
        out.set_line_cap(match stroke.linecap() {
            usvg::LineCap::Butt => LineCapStyle::ButtCap,
            usvg::LineCap::Round => LineCapStyle::RoundCap,
            usvg::LineCap::Square => LineCapStyle::ProjectingSquareCap,
        });
        out.set_line_join(match stroke.linejoin() {
            usvg::LineJoin::Round => LineJoinStyle::RoundJoin,
            usvg::LineJoin::Bevel => LineJoinStyle::BevelJoin,
            _ => LineJoinStyle::MiterJoin,
        });
        if let Some(dashes) = stroke.dasharray() {
            out.set_dash_pattern(dashes.iter().copied(), stroke.dashoffset());
        }
        outline(out, p.data(), Transform::identity());
        out.stroke();
        out.restore_state();
    }
    Ok(())
}

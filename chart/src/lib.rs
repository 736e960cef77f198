//! `chart`: figures from the project's tables (stacked areas, lines, strip plots), as SVG, PNG or PDF.

pub mod build;
pub mod cli;
pub mod color;
pub mod dates;
pub mod draw;
pub mod legend;
pub mod paths;
pub mod pdf;
pub mod render;
pub mod scale;
pub mod series;
pub mod strip;
pub mod table;

pub use draw::{DayTicks, Figure, Limits, Panel, Point, XAxis};
pub use series::{Line, Selection, Series};
pub use table::{Columns, Table};

//! `chart`: figures from the project's tables (stacked areas by key, overlay lines), as SVG or PNG.

pub mod cli;
pub mod color;
pub mod draw;
pub mod render;
pub mod scale;
pub mod series;
pub mod table;

pub use draw::{Figure, Limits, Panel};
pub use series::{Line, Selection, Series};
pub use table::{Columns, Table};

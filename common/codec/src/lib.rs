//! Compression: formats told apart by their first bytes, every decoder the filters read with
//! (their own bzip2 decoder, libbz2 as its fallback, gzip, zstd, xz) and every compressor `-o`
//! writes with; the child processes and pipes these use.

mod bunzip;
pub mod child;
pub mod compress;
pub mod count;
pub mod decode;
pub mod pipe;

pub use decode::{decompressed, is_stdin, open, Decoded, Format};

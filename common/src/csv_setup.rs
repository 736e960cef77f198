//! The one place that configures CSV readers and writers.

use std::io::{Read, Write};

/// Big buffers: the filters stream hundreds of MB, and syscalls per 8 KB would show.
const BUFFER: usize = 1 << 18;

/// A reader of headed, rectangular CSV (a ragged row is an error with its line).
pub fn reader<R: Read>(read: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .buffer_capacity(BUFFER)
        .has_headers(true)
        .flexible(false)
        .from_reader(read)
}

/// A writer that writes CSV as pandas' `to_csv` does: `\n` line ends, quotes only where needed.
pub fn writer<W: Write>(write: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .buffer_capacity(BUFFER)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(write)
}

/// Finds each named column in `header`; a missing one is an error that shows the header.
pub fn find_columns(header: &csv::ByteRecord, names: &[&str]) -> crate::Result<Vec<usize>> {
    names.iter().map(|name| find_column(header, name)).collect()
}

/// Finds one named column in `header`.
pub fn find_column(header: &csv::ByteRecord, name: &str) -> crate::Result<usize> {
    header
        .iter()
        .position(|h| h == name.as_bytes())
        .ok_or_else(|| {
            let seen: Vec<_> = header.iter().map(String::from_utf8_lossy).collect();
            crate::Error::data(format!(
                "no column named '{name}'; the header is: {}",
                seen.join(",")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_pandas() {
        let mut w = writer(Vec::new());
        w.write_record(["a", "b,c", "d\"e", "f\ng", ""]).unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(out, "a,\"b,c\",\"d\"\"e\",\"f\ng\",\n");
    }

    #[test]
    fn missing_column_lists_the_header() {
        let h = csv::ByteRecord::from(vec!["timestamp", "size"]);
        assert_eq!(find_column(&h, "size").unwrap(), 1);
        let e = find_column(&h, "ipv6").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no column named 'ipv6'; the header is: timestamp,size"
        );
    }
}

//! Finding the columns a filter reads by name.

use error::{Error, Result};

use crate::Record;

/// Finds the one column named `name` in `header`. A missing name is an error that shows the
/// header; so is a name the header holds twice, since either column could be meant (pandas
/// would read the second as `name.1`). Duplicated names that no filter looks up are fine.
pub fn find_column(header: &Record, name: &str) -> Result<usize> {
    let first = header
        .iter()
        .position(|h| h == name.as_bytes())
        .ok_or_else(|| {
            Error::data(format!(
                "no column named '{name}'; the header is: {}",
                header.to_text()
            ))
        })?;
    let count = header.iter().filter(|h| *h == name.as_bytes()).count();
    if count > 1 {
        return Err(Error::data(format!(
            "the header has {count} columns named '{name}', so which one to read is ambiguous; \
             rename them apart (pandas would read '{name}', '{name}.1', ...)"
        )));
    }
    Ok(first)
}

/// Finds each of `names` in `header`, in order.
pub fn find_columns<S: AsRef<str>>(header: &Record, names: &[S]) -> Result<Vec<usize>> {
    names
        .iter()
        .map(|n| find_column(header, n.as_ref()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicated_name_is_ambiguous() {
        let h = Record::from_fields(["t", "size", "flow", "size"]);
        assert_eq!(find_column(&h, "flow").unwrap(), 2);
        let err = find_column(&h, "size").unwrap_err().to_string();
        assert!(
            err.starts_with("the header has 2 columns named 'size'"),
            "{err}"
        );
        let err = find_column(&h, "ipv6").unwrap_err().to_string();
        assert_eq!(
            err,
            "no column named 'ipv6'; the header is: t,size,flow,size"
        );
        assert_eq!(find_columns(&h, &["flow", "t"]).unwrap(), [2, 0]);
    }
}

//! Keeps, orders and renames columns by name: `pandas`' `df[[...]].rename(columns=...)`.

pub mod cli;

use std::io::Write;

use driver::Filter;
use error::{Error, Result};
use itertools::Itertools;
use table::{find_column, Record, Writer};

/// The columns to write: `(output name, input name)`, in output order; or, with `header`,
/// the input's header alone (its first line, as CSV), read no further.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub cols: Vec<(String, String)>,
    pub header: bool,
}

/// Parses `NAME` or `NEW=NAME`.
pub fn parse_column(arg: &str) -> Result<(String, String), String> {
    let (new, old) = arg.split_once('=').unwrap_or((arg, arg));
    if new.is_empty() || old.is_empty() {
        return Err(format!("expected NAME or NEW=NAME, got '{arg}'"));
    }
    Ok((new.to_owned(), old.to_owned()))
}

/// The projection, ready for rows once it has seen the header.
#[derive(Debug)]
pub struct Keep {
    params: Params,
    idx: Vec<usize>,
}

impl Keep {
    /// Refuses an empty list and an output name given twice: the flags alone say so.
    pub fn new(params: Params) -> Result<Keep> {
        if params.cols.is_empty() && !params.header {
            return Err(Error::usage("nothing to keep: give --cols"));
        }
        if let Some(dup) = params.cols.iter().map(|(new, _)| new).duplicates().next() {
            return Err(Error::usage(format!(
                "the output would have two columns named '{dup}'"
            )));
        }
        Ok(Keep {
            params,
            idx: Vec::new(),
        })
    }
}

impl Filter for Keep {
    fn header(&mut self, header: &Record) -> Result<Record> {
        if self.params.header {
            return Ok(Record::from_fields(header.iter()));
        }
        self.idx = self
            .params
            .cols
            .iter()
            .map(|(_, old)| find_column(header, old))
            .collect::<Result<_>>()?;
        Ok(Record::from_fields(
            self.params.cols.iter().map(|(new, _)| new.as_bytes()),
        ))
    }

    fn done(&self) -> bool {
        self.params.header
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        for &i in &self.idx {
            out.field(row.field(i));
        }
        Ok(out.end_record()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cols: &[&str], input: &str) -> Result<String> {
        let cols = cols.iter().map(|c| parse_column(c).unwrap()).collect();
        let params = Params {
            cols,
            header: false,
        };
        driver::transform(Keep::new(params)?, input.as_bytes())
    }

    /// --header writes the header alone, as CSV, and reads no rows (a bad one included).
    #[test]
    fn header_alone() {
        let params = Params {
            cols: Vec::new(),
            header: true,
        };
        let input = "\"a,b\",c\nnot,a,row,of,two\n";
        assert_eq!(
            driver::transform(Keep::new(params).unwrap(), input.as_bytes()).unwrap(),
            "\"a,b\",c\n"
        );
    }

    #[test]
    fn keeps_orders_and_renames() {
        let input = "t,a,b,c\n1,x,\"y,z\",\n";
        assert_eq!(run(&["c", "t"], input).unwrap(), "c,t\n,1\n");
        assert_eq!(
            run(&["t", "B=b", "b"], input).unwrap(),
            "t,B,b\n1,\"y,z\",\"y,z\"\n"
        );
    }

    #[test]
    fn errors() {
        let err = run(&["t", "z"], "t,a\n").unwrap_err().to_string();
        assert_eq!(err, "line 1: no column named 'z'; the header is: t,a");
        let err = run(&["x=t", "x=a"], "t,a\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(parse_column("=a").is_err());
        assert!(parse_column("a=").is_err());
    }
}

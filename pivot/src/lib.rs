//! Melts value columns into key/value rows: `timestamp,in,out` becomes `timestamp,flow,net_size`.
//!
//! This is the notebook's `rename(...)[["in", "out"]].stack()`: one output row per mapped
//! column, in the order given, values copied byte for byte, missing values dropped (or, with
//! `--keep-incomplete`, passed on empty, so that a later `bucket --dropna` drops them and
//! still learns, as pandas' `stack()` does, that the values are floats).

pub mod cli;

use std::io::Write;

use driver::Filter;
use error::{Error, Result};
use pandas::num::is_missing;
use table::{find_columns, Record, Writer};

/// Which columns to keep, which to melt, and what to call the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Columns copied to every output row; empty means the first input column.
    pub ids: Vec<String>,
    /// `(source column, label)`: each source becomes a row whose key is the label.
    pub maps: Vec<(String, String)>,
    pub key: String,
    pub value: String,
    /// A missing value gives a row with an empty value instead of none.
    pub keep_incomplete: bool,
}

impl Params {
    /// The notebook's melt of systemd's IP accounting: the defaults of the command line too.
    pub const MAPS: [&str; 2] = ["IPIngressBytes=in", "IPEgressBytes=out"];
    pub const KEY: &str = "flow";
    pub const VALUE: &str = "net_size";
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ids: Vec::new(),
            maps: Params::MAPS
                .iter()
                .filter_map(|m| parse_map(m).ok())
                .collect(),
            key: Params::KEY.into(),
            value: Params::VALUE.into(),
            keep_incomplete: false,
        }
    }
}

/// Parses a `--map SRC=LABEL` argument.
pub fn parse_map(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((src, label)) if !src.is_empty() => Ok((src.to_owned(), label.to_owned())),
        _ => Err(format!("expected SRC=LABEL, got '{arg}'")),
    }
}

/// The melt, ready for rows once it has seen the header.
#[derive(Debug)]
pub struct Pivot {
    params: Params,
    id_idx: Vec<usize>,
    map_idx: Vec<usize>,
}

impl Pivot {
    pub fn new(params: Params) -> Result<Pivot> {
        if params.maps.is_empty() {
            return Err(Error::usage(
                "nothing to melt: give at least one --map SRC=LABEL",
            ));
        }
        if params.key == params.value {
            return Err(Error::usage(format!(
                "--key and --value are both '{}'",
                params.key
            )));
        }
        // Named twice by the flags alone: a usage error. The default id column's name comes
        // from the data, so that clash is found in `header`.
        for name in [&params.key, &params.value] {
            if params.ids.contains(name) {
                return Err(Error::usage(format!(
                    "the output would have two columns named '{name}' (an --id and --key or \
                     --value)"
                )));
            }
        }
        Ok(Pivot {
            params,
            id_idx: Vec::new(),
            map_idx: Vec::new(),
        })
    }
}

impl Filter for Pivot {
    fn header(&mut self, header: &Record) -> Result<Record> {
        self.id_idx = if self.params.ids.is_empty() {
            vec![0]
        } else {
            find_columns(header, &self.params.ids)?
        };
        let sources: Vec<&str> = self
            .params
            .maps
            .iter()
            .map(|(src, _)| src.as_str())
            .collect();
        self.map_idx = find_columns(header, &sources)?;
        let mut out = Record::from_fields(self.id_idx.iter().map(|&i| header.field(i)));
        for name in [&self.params.key, &self.params.value] {
            if out.iter().any(|h| h == name.as_bytes()) {
                return Err(Error::data(format!(
                    "the output would have two columns named '{name}': the first column's \
                     name is also --key or --value (choose the id with --id)"
                )));
            }
        }
        out.push(self.params.key.as_bytes());
        out.push(self.params.value.as_bytes());
        Ok(out)
    }

    fn row<W: Write>(&mut self, row: &Record, out: &mut Writer<W>) -> Result<()> {
        for (&src, (_, label)) in self.map_idx.iter().zip(&self.params.maps) {
            let mut value = row.field(src);
            // pandas' stack() drops missing values, so no row for them; passed on, they
            // are one spelling of missing.
            if is_missing(value) {
                if !self.params.keep_incomplete {
                    continue;
                }
                value = b"";
            }
            for &i in &self.id_idx {
                out.field(row.field(i));
            }
            out.field(label.as_bytes());
            out.field(value);
            out.end_record()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(params: Params, input: &str) -> Result<String> {
        driver::transform(Pivot::new(params)?, input.as_bytes())
    }

    #[test]
    fn melts_like_the_notebook() {
        let out = run(
            Params::default(),
            "timestamp,IPIngressBytes,IPEgressBytes\n\
             2024-12-28 00:00:09+00:00,15828.0,8078.0\n\
             2024-12-28 00:00:14+00:00,,14545.0\n\
             2024-12-28 00:00:19+00:00,30666.0,NaN\n",
        )
        .unwrap();
        assert_eq!(
            out,
            "timestamp,flow,net_size\n\
             2024-12-28 00:00:09+00:00,in,15828.0\n\
             2024-12-28 00:00:09+00:00,out,8078.0\n\
             2024-12-28 00:00:14+00:00,out,14545.0\n\
             2024-12-28 00:00:19+00:00,in,30666.0\n"
        );
    }

    #[test]
    fn ids_maps_and_names_are_flags() {
        let params = Params {
            ids: vec!["node".into(), "t".into()],
            maps: vec![("b".into(), "B".into()), ("a".into(), "A".into())],
            key: "k".into(),
            value: "v".into(),
            keep_incomplete: false,
        };
        let out = run(params, "t,a,b,node\n1,x,y,n1\n").unwrap();
        assert_eq!(out, "node,t,k,v\nn1,1,B,y\nn1,1,A,x\n");
    }

    /// pandas' stack() drops a missing value; passed on (--keep-incomplete), it is an
    /// empty value, whatever its spelling, for a later --dropna.
    #[test]
    fn missing_values_give_no_row_or_an_empty_one() {
        let input = "t,IPIngressBytes,IPEgressBytes\n1,NA,2\n";
        assert_eq!(
            run(Params::default(), input).unwrap(),
            "t,flow,net_size\n1,out,2\n"
        );
        let kept = Params {
            keep_incomplete: true,
            ..Params::default()
        };
        assert_eq!(
            run(kept, input).unwrap(),
            "t,flow,net_size\n1,in,\n1,out,2\n"
        );
    }

    #[test]
    fn bad_arguments() {
        assert_eq!(parse_map("a=b"), Ok(("a".into(), "b".into())));
        assert!(parse_map("ab").is_err());
        assert!(parse_map("=b").is_err());
        let no_maps = Params {
            maps: vec![],
            ..Params::default()
        };
        assert_eq!(Pivot::new(no_maps).unwrap_err().exit_code(), 2);
        let err = run(Params::default(), "timestamp,IPIngressBytes\nx,1\n").unwrap_err();
        assert!(err.to_string().contains("no column named 'IPEgressBytes'"));
        let err = run(
            Params::default(),
            "flow,IPIngressBytes,IPEgressBytes\nx,1,2\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("two columns named 'flow'"));
        assert_eq!((err.exit_code(), err.line), (1, Some(1)));
        let flags = Params {
            ids: vec!["flow".into()],
            ..Params::default()
        };
        assert_eq!(Pivot::new(flags).unwrap_err().exit_code(), 2);
    }
}

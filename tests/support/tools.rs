//! The one table of the filters under test: arguments and an input each accepts, and its
//! library entry point. Included by tests/support and by the fuzz targets (tests/fuzz).

use driver::cli::FILTERS;

pub const TRACEPOINTS: &str = "timestamp,ipv6,flow,msg_type,size\n\
    2024-12-28 00:00:09+00:00,False,in,inv,37\n\
    2024-12-28 00:00:09+00:00,True,out,tx,250\n";

pub const SYSTEMD: &str = "timestamp,IPIngressBytes,IPEgressBytes\n\
    2024-12-28 00:00:09+00:00,15828.0,8078.0\n\
    2024-12-28 00:00:14+00:00,19492.0,14545.0\n";

/// A long table as `pivot` writes it, for `widen`.
pub const LONG: &str = "timestamp,flow,net_size\n\
    2024-12-28 00:00:09+00:00,in,15828.0\n\
    2024-12-28 00:00:09+00:00,out,8078.0\n\
    2024-12-28 00:00:14+00:00,in,19492.0\n\
    2024-12-28 00:00:14+00:00,out,14545.0\n";

/// A small hourly table as scripts/aggregate.sh writes it, for `chart`.
pub const HOURLY: &str = "freq,flow,msg_type,net_size\n\
    2024-12-28 00:00:00+00:00,in,inv,1000\n\
    2024-12-28 00:00:00+00:00,out,tx,2500\n\
    2024-12-28 01:00:00+00:00,in,inv,1500\n\
    2024-12-28 01:00:00+00:00,out,tx,500\n";

/// Arguments and an input that `tool` accepts: the one table behind every "for each
/// filter" test. A name of [`FILTERS`] missing here fails every such test.
pub fn sample(tool: &str) -> (&'static [&'static str], &'static str) {
    match tool {
        "estimate" => (&[], TRACEPOINTS),
        "pivot" => (&[], SYSTEMD),
        "widen" => (&[], LONG),
        "bucket" => (&["--every", "1h", "--sum", "size"], TRACEPOINTS),
        "increase" => (&[], SYSTEMD),
        "keep" => (&["--cols", "flow,timestamp"], TRACEPOINTS),
        "chart" => (&["--title", "sample"], HOURLY),
        other => panic!("tests/support: no sample for {other}: add one to sample()"),
    }
}

/// Every filter with its sample arguments and input.
pub fn filters() -> Vec<(&'static str, &'static [&'static str], &'static str)> {
    FILTERS
        .iter()
        .map(|&name| {
            let (args, input) = sample(name);
            (name, args, input)
        })
        .collect()
}

/// Runs `tool`'s library entry point: its command line parsed from `args`, over `input`.
/// `chart` is not a row filter: its entry point draws `input` and returns the SVG.
pub fn transform(tool: &str, args: &[&str], input: &[u8]) -> error::Result<String> {
    use driver::cli::transform_args;
    match tool {
        "estimate" => transform_args::<estimate::cli::Args>(args, input),
        "pivot" => transform_args::<pivot::cli::Args>(args, input),
        "widen" => transform_args::<widen::cli::Args>(args, input),
        "bucket" => transform_args::<bucket::cli::Args>(args, input),
        "increase" => transform_args::<increase::cli::Args>(args, input),
        "keep" => transform_args::<keep::cli::Args>(args, input),
        "chart" => chart::cli::svg_args(args, input),
        other => panic!("tests/support: no entry point for {other}: add it to transform()"),
    }
}

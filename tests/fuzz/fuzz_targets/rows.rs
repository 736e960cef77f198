//! Every filter's library entry point, as the binaries drive it: any input gives output or a
//! data error with its line (or the no-header error), never a panic.
#![no_main]

use error::Kind;
use libfuzzer_sys::fuzz_target;

#[path = "../../support/tools.rs"]
mod tools;

fn check(result: error::Result<String>) {
    if let Err(e) = result {
        assert_eq!(e.kind, Kind::Data, "{e}");
        assert!(
            e.line.is_some() || e.message == "the input is empty: no header line",
            "no position: {e}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks a header that each filter accepts, so that rows get exercised.
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let header: &[u8] = match pick % 4 {
        0 => b"timestamp,ipv6,flow,msg_type,size\n",
        1 => b"timestamp,IPIngressBytes,IPEgressBytes\n",
        2 => b"timestamp,flow,net_size\n",
        _ => b"",
    };
    let input = [header, body].concat();
    for (name, args, _) in tools::filters() {
        check(tools::transform(name, args, &input));
    }
    let every = if pick & 4 == 0 { "1h" } else { "1d" };
    for stream in [&[][..], &["--stream"]] {
        let args = [&["--every", every, "--by", "flow"][..], stream].concat();
        check(tools::transform("bucket", &args, &input));
    }
});

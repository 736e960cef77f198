//! The row transforms through common::transform, as the binaries drive them: any input gives
//! output or a data error with its line (or the no-header error), never a panic.
#![no_main]

use common::error::Kind;
use libfuzzer_sys::fuzz_target;

fn check(result: common::Result<String>) {
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
    let est = estimate::Estimator::new(estimate::Params::default()).unwrap();
    check(common::transform(est, &input));
    let piv = pivot::Pivot::new(pivot::Params::default()).unwrap();
    check(common::transform(piv, &input));
    for stream in [false, true] {
        let params = bucket::Params {
            by: vec!["flow".into()],
            every: if pick & 4 == 0 { 3600 } else { 86_400 },
            stream,
            ..bucket::Params::default()
        };
        check(common::transform(
            bucket::Bucketer::new(params).unwrap(),
            &input,
        ));
    }
});

//! bucket's timestamp and step parsers: any bytes give a stamp or an error, and a stamp's
//! bucket prints as a timestamp that parses back to the same bucket.
#![no_main]

use pandas::time::{floor, parse, parse_step, write, Offset};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(step) = parse_step(text) {
            assert!(step > 0);
        }
    }
    let Ok(stamp) = parse(data) else {
        return;
    };
    for step in [1, 3600, 86_400] {
        let bucket = floor(stamp.wall, step);
        assert!(bucket <= stamp.wall && stamp.wall - bucket < step);
        let mut printed = Vec::new();
        write(&mut printed, bucket, stamp.offset, false);
        let again = parse(&printed).unwrap_or_else(|e| {
            panic!(
                "{:?} does not parse back: {e}",
                String::from_utf8_lossy(&printed)
            )
        });
        assert_eq!(again.wall, bucket);
        let offset = match stamp.offset {
            Offset::Fixed(_) => again.offset,
            Offset::Naive => Offset::Naive,
        };
        assert_eq!(again.offset, offset);
    }
});

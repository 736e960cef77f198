//! Series colours: fixed by name (the same type, the same colour everywhere) or dealt from a matplotlib palette.

use clap::ValueEnum;

/// Where the series' colours come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Palette {
    /// A colour per name: the study's validation colours for its types, others from the
    /// same Spectral map by a hash of the name.
    Names,
    /// The study's colour cycle, dealt in drawing order (purple, orange, blue, green, then
    /// the rest of tab10).
    Study,
    /// matplotlib's tab10, dealt in drawing order.
    Tab10,
    /// tab10 reversed over the series, as the study's message-type lines: series k of n gets
    /// tab10[(n - 1 - k) % 10].
    Tab10r,
    /// matplotlib's tab20, dealt in drawing order.
    Tab20,
}

/// matplotlib's tab10.
pub const TAB10: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// matplotlib's tab20.
pub const TAB20: [&str; 20] = [
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896",
    "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7",
    "#bcbd22", "#dbdb8d", "#17becf", "#9edae5",
];

/// The colour cycle of the study's figures (its C0..C3 as its PNGs show; then tab10's rest).
pub const CYCLE: [&str; 10] = [
    "#9467bd", "#ff7f0e", "#1f77b4", "#2ca02c", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

impl Palette {
    /// The colour of series `name`, the `i`-th of `n` drawn.
    pub fn color(self, name: &str, i: usize, n: usize) -> String {
        match self {
            Palette::Names => of(name),
            Palette::Study => CYCLE[i % 10].to_owned(),
            Palette::Tab10 => TAB10[i % 10].to_owned(),
            Palette::Tab10r => TAB10[n.saturating_sub(1 + i) % 10].to_owned(),
            Palette::Tab20 => TAB20[i % 20].to_owned(),
        }
    }
}

/// The study's colours: seaborn's `color_palette("Spectral", 8)` dealt to the types of its
/// hourly figure in their drawing order (names sorted, `block` last), and reused for its
/// other figure.
const STUDY: [(&str, &str); 8] = [
    ("blocktxn", "#d8434e"),
    ("getdata", "#f67a49"),
    ("headers", "#fdbf6f"),
    ("inv", "#feeda1"),
    ("other", "#f1f9a9"),
    ("reject", "#bfe5a0"),
    ("tx", "#74c7a5"),
    ("block", "#378ebb"),
];

/// matplotlib's "Spectral" colour map: ColorBrewer's 11 colours, evenly spaced.
const SPECTRAL: [[f64; 3]; 11] = [
    [0.619_607_843, 0.003_921_569, 0.258_823_529],
    [0.835_294_118, 0.243_137_255, 0.309_803_922],
    [0.956_862_745, 0.427_450_980, 0.262_745_098],
    [0.992_156_863, 0.682_352_941, 0.380_392_157],
    [0.996_078_431, 0.878_431_373, 0.545_098_039],
    [1.0, 1.0, 0.749_019_608],
    [0.901_960_784, 0.960_784_314, 0.596_078_431],
    [0.670_588_235, 0.866_666_667, 0.643_137_255],
    [0.4, 0.760_784_314, 0.647_058_824],
    [0.196_078_431, 0.533_333_333, 0.741_176_471],
    [0.368_627_451, 0.309_803_922, 0.635_294_118],
];

/// The Spectral map at `x` in [0, 1], as `#rrggbb`.
pub fn spectral(x: f64) -> String {
    let x = x.clamp(0.0, 1.0) * 10.0;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..=10
    let k = (x.floor() as usize).min(9);
    let t = x - k as f64;
    let [r, g, b] = [0, 1, 2].map(|c| {
        let v = SPECTRAL[k][c] + (SPECTRAL[k + 1][c] - SPECTRAL[k][c]) * t;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0..=255
        let byte = (v * 255.0).round() as u8;
        byte
    });
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The colour of the series `name`: the study's for its types, otherwise a point of the same
/// Spectral map picked by a hash of the name (FNV-1a), the same in every figure and run.
pub fn of(name: &str) -> String {
    if let Some((_, c)) = STUDY.iter().find(|(n, _)| *n == name) {
        return (*c).to_owned();
    }
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // 40 steps along the map, leaving out its darkest ends.
    #[allow(clippy::cast_precision_loss)] // below 40
    let step = (hash % 40) as f64;
    spectral(0.04 + 0.92 * step / 39.0)
}

/// Checks a `#rrggbb` colour given on the command line.
pub fn parse_hex(text: &str) -> Result<String, String> {
    let ok = text.len() == 7
        && text.starts_with('#')
        && text[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!("'{text}' is not a colour like #1f77b4"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_study_types_keep_the_study_colours() {
        assert_eq!(of("block"), "#378ebb");
        assert_eq!(of("tx"), "#74c7a5");
        // Other names: a fixed colour each, from the same map.
        assert_eq!(of("addr"), of("addr"));
        assert_ne!(of("addr"), of("addrv2"));
        assert_eq!(spectral(0.0), "#9e0142");
        assert_eq!(spectral(1.0), "#5e4fa2");
        assert_eq!(spectral(0.5), "#ffffbf");
    }

    #[test]
    fn palettes_deal_colours_in_order() {
        let reversed: Vec<String> = (0..8).map(|i| Palette::Tab10r.color("", i, 8)).collect();
        assert_eq!(
            reversed,
            [
                "#7f7f7f", "#e377c2", "#8c564b", "#9467bd", "#d62728", "#2ca02c", "#ff7f0e",
                "#1f77b4"
            ]
        );
        assert_eq!(Palette::Study.color("", 2, 4), "#1f77b4");
        assert_eq!(Palette::Tab20.color("", 21, 30), "#aec7e8");
        assert_eq!(Palette::Names.color("block", 0, 1), "#378ebb");
    }

    #[test]
    fn colours_on_the_command_line() {
        assert_eq!(parse_hex("#1F77b4"), Ok("#1f77b4".into()));
        assert!(parse_hex("1f77b4").is_err());
        assert!(parse_hex("#1f77bz").is_err());
    }
}

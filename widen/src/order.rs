//! pandas' order of the wide table: each column's distinct values ranked by its type (equal
//! values sharing a rank), and the rows sorted by their ranks.

use std::cmp::Ordering;

use itertools::Itertools;
use pandas::dtype::Dtype;

use crate::store::{entry, Dictionary};

/// One column's distinct values in pandas' order: a rank for each id, equal values (`5`
/// and `+5` in an integer column) sharing one, and each rank as pandas prints it.
#[derive(Debug)]
pub(crate) struct Levels {
    pub(crate) rank: Vec<u32>,
    /// The printed values, by rank, in one buffer; each the first of its equal values seen,
    /// as pandas keeps it.
    pub(crate) names: Vec<u8>,
    pub(crate) ends: Vec<usize>,
}

impl Levels {
    pub(crate) fn of(dict: &Dictionary) -> Levels {
        let mut inference = dict.dropped;
        let ids = 0..u32::try_from(dict.len()).unwrap_or(u32::MAX);
        for id in ids.clone() {
            inference.see(dict.get(id));
        }
        let dtype = inference.dtype();
        let order = ids
            .sorted_unstable_by(|&a, &b| compare(dtype, dict.get(a), dict.get(b)).then(a.cmp(&b)));
        let mut rank = vec![0; dict.len()];
        let mut first: Vec<u32> = Vec::new();
        let mut previous = None;
        for id in order {
            match (previous, first.last_mut()) {
                (Some(p), Some(last)) if equal(dtype, dict.get(p), dict.get(id)) => {
                    *last = (*last).min(id);
                }
                _ => first.push(id),
            }
            rank[id as usize] = u32::try_from(first.len() - 1).unwrap_or(u32::MAX);
            previous = Some(id);
        }
        let mut names = Vec::new();
        let ends = first
            .iter()
            .map(|&id| {
                dtype.write(&mut names, dict.get(id));
                names.len()
            })
            .collect();
        Levels { rank, names, ends }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Rank `rank` as pandas prints it (a missing value empty).
    pub(crate) fn name(&self, rank: u32) -> &[u8] {
        entry(&self.names, &self.ends, rank)
    }
}

/// pandas' order of an index level or of the columns: a missing value first (its code is
/// -1), then by the column's type.
pub(crate) fn compare(dtype: Dtype, a: &[u8], b: &[u8]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => dtype.compare(a, b),
    }
}

/// Whether pandas holds two values of a column of this type as one: `5` and `+5` as
/// integers, `0.0` and `-0.0` as floats, `true` and `True` as bools, text only when identical.
pub(crate) fn equal(dtype: Dtype, a: &[u8], b: &[u8]) -> bool {
    dtype.key(a) == dtype.key(b)
}

/// The `n` rows in pandas' order, by each index level's rank in turn, given how many ranks
/// each level has and `rank(row, level)`. Each element holds a row id in the bits of the
/// returned mask. A row is packed into one integer, its ranks above its id, when that takes
/// at most `limit` bits: sorting integers is several times faster than comparing tuples,
/// and the usual index (hours, types) fits.
pub(crate) fn row_order(
    n: usize,
    levels: &[usize],
    rank: impl Fn(u32, usize) -> u32,
    limit: u32,
) -> (Vec<u64>, u64) {
    let bits = |count: usize| usize::BITS - count.saturating_sub(1).leading_zeros();
    let row_bits = bits(n);
    let level_bits: Vec<u32> = levels.iter().map(|&count| bits(count)).collect();
    let rows = 0..u32::try_from(n).unwrap_or(u32::MAX);
    if row_bits + level_bits.iter().sum::<u32>() <= limit.min(64) {
        let mut keys: Vec<u64> = rows
            .map(|row| {
                let key = (level_bits.iter().enumerate()).fold(0u64, |key, (level, &b)| {
                    (key << b) | u64::from(rank(row, level))
                });
                (key << row_bits) | u64::from(row)
            })
            .collect();
        keys.sort_unstable();
        (keys, (1u64 << row_bits) - 1)
    } else {
        let rank = &rank;
        let ranks = |row: u32| (0..levels.len()).map(move |level| rank(row, level));
        let order = rows
            .sorted_unstable_by(|&a, &b| ranks(a).cmp(ranks(b)).then(a.cmp(&b)))
            .map(u64::from)
            .collect();
        (order, u64::MAX)
    }
}

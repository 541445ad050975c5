//! The bulk rules shared by every create (API.md §4): objects of one bulk that collide
//! with each other fail at the later index.

/// Finds values repeated within a bulk: for each later repeat, (index, first index).
pub fn repeats<K: std::hash::Hash + Eq + Clone>(
    keys: impl IntoIterator<Item = (usize, K)>,
) -> Vec<(usize, usize)> {
    let mut first = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (i, k) in keys {
        match first.get(&k) {
            Some(&j) => out.push((i, j)),
            None => {
                first.insert(k, i);
            }
        }
    }
    out
}

/// The IDs once each, in ascending order.
pub fn distinct<I: Ord>(ids: impl Iterator<Item = I>) -> Vec<I> {
    let mut v: Vec<I> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_repeats_name_the_first() {
        assert_eq!(
            repeats([(0, "a"), (1, "b"), (2, "a"), (3, "a")]),
            vec![(2, 0), (3, 0)]
        );
        assert!(repeats([(0, 1), (1, 2)]).is_empty());
        assert_eq!(distinct([3, 1, 3, 2].into_iter()), vec![1, 2, 3]);
    }
}

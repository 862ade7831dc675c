//! The one eviction rule of the bounded maps the key verifier keeps in
//! memory (verified keys, failure budgets): a full map makes room for a new
//! key by dropping the entries that are over first, then the oldest one.

use std::collections::HashMap;
use std::hash::Hash;

/// Makes room in `map` for `key` under `capacity` entries: nothing when it
/// has room or already holds `key`; else every entry no longer `live` goes,
/// and when that is not enough, the one `age` orders first. Cost: one pass
/// over at most `capacity` entries, only when full.
pub(crate) fn make_room<K: Copy + Eq + Hash, V, A: Ord>(
    map: &mut HashMap<K, V>,
    key: &K,
    capacity: usize,
    live: impl Fn(&V) -> bool,
    age: impl Fn(&V) -> A,
) {
    if map.len() < capacity || map.contains_key(key) {
        return;
    }
    map.retain(|_, value| live(value));
    if map.len() >= capacity {
        let oldest = map
            .iter()
            .min_by_key(|(_, value)| age(value))
            .map(|(key, _)| *key);
        if let Some(oldest) = oldest {
            map.remove(&oldest);
        }
    }
}

//! Compute stage, per row: a segment column's keys interned to small ids.
//!
//! A row's segment keys are looked up once each (not once per indicator) and
//! the finest groups are keyed by the ids. Most keys are short, and a narrow
//! row spends a visible share of its time finding them: so a short key is
//! found first in a small table keyed by its bytes themselves
//! ([`super::short_text`]), then by its text in a hash map.

use std::collections::HashMap;

use super::short_text::{ShortKey, ShortTable};

/// The distinct keys of one segment column, interned to small ids so a row's
/// key is looked up once, not once per indicator.
#[derive(Default, Clone)]
pub(super) struct SegmentKeys {
    ids: HashMap<String, usize, foldhash::fast::FixedState>,
    /// Each key's text, by id.
    pub(super) names: Vec<String>,
    /// Short keys (most are: `north`, `app`, a city) by their bytes
    /// ([`ShortKey`]): a row's key is found by one multiply and one
    /// comparison, no string hash and no `memcmp`; a key whose slot holds
    /// another is found in `ids`. 8 KB per segment column, for the few
    /// hundred keys a segment usually has.
    recent: ShortTable<u32, KEY_SLOTS>,
}

/// Slots of [`SegmentKeys::recent`].
const KEY_SLOTS: usize = 256;

impl SegmentKeys {
    /// The id of `key`, given a new one when first seen.
    #[inline]
    pub(super) fn id(&mut self, key: &str) -> usize {
        let Some(short) = ShortKey::of(key) else {
            return self.intern(key);
        };
        if let Some(id) = self.recent.get(short) {
            return id as usize;
        }
        let id = self.intern(key);
        if let Ok(small) = u32::try_from(id) {
            self.recent.set(short, small);
        }
        id
    }

    /// [`SegmentKeys::id`] by the key's text alone.
    fn intern(&mut self, key: &str) -> usize {
        match self.ids.get(key) {
            Some(&i) => i,
            None => {
                let i = self.names.len();
                self.names.push(key.to_string());
                self.ids.insert(key.to_string(), i);
                i
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_first_seen_order_whatever_the_table_holds() {
        // More keys than slots, so slots are shared and overwritten; long
        // keys go to the map alone. Each id must be the key's first-seen rank.
        let keys: Vec<String> = (0..3 * KEY_SLOTS)
            .map(|i| match i % 3 {
                0 => format!("k{i}"),
                1 => format!("a rather long key number {i}"),
                _ => format!("城市{i}"),
            })
            .collect();
        let mut interned = SegmentKeys::default();
        for round in 0..3 {
            for (i, k) in keys.iter().enumerate() {
                // Each key twice in a row, then all again in the next round.
                assert_eq!(interned.id(k), i, "round {round}, {k}");
                assert_eq!(interned.id(k), i, "round {round}, {k}");
            }
        }
        assert_eq!(interned.names, keys);
    }
}

//! Compute stage, per row: a segment column's keys interned to small ids.
//!
//! A row's segment keys are looked up once each (not once per indicator) and
//! the finest groups are keyed by the ids. Most keys are short, and a narrow
//! row spends a visible share of its time finding them: so a short key is
//! found first in a small table keyed by its bytes themselves, then by its
//! text in a hash map.

use std::collections::HashMap;

/// The distinct keys of one segment column, interned to small ids so a row's
/// key is looked up once, not once per indicator.
#[derive(Default, Clone)]
pub(super) struct SegmentKeys {
    ids: HashMap<String, usize, foldhash::fast::FixedState>,
    /// Each key's text, by id.
    pub(super) names: Vec<String>,
    /// Short keys (most are: `north`, `app`, a city) by their bytes read as
    /// two words ([`pack_key`]), in a direct-mapped table of [`KEY_SLOTS`]:
    /// a row's key is found by one multiply and one comparison, no string
    /// hash and no `memcmp`. Exact (the words and the length determine the
    /// text); a slot shared by two keys holds the last one looked up, and
    /// the other is found in `ids`. Empty until first used.
    recent: Vec<RecentKey>,
}

/// A slot of [`SegmentKeys::recent`]: a key's two words, its length plus
/// one (0: an unused slot), its id.
#[derive(Clone, Copy, Default)]
struct RecentKey {
    words: (u64, u64),
    len: u32,
    id: u32,
}

/// Slots of [`SegmentKeys::recent`]: 6 KB per segment column, for the few
/// hundred keys a segment usually has.
const KEY_SLOTS: usize = 256;

/// A key of at most 16 bytes as two words that, with its length, determine
/// it: overlapping reads from its start and its end (every byte is in one
/// of them), so no byte-by-byte copy. `None` for a longer key.
#[inline]
fn pack_key(key: &str) -> Option<(u64, u64)> {
    let b = key.as_bytes();
    let n = b.len();
    let word = |at: usize| {
        b.get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let half = |at: usize| {
        (b.get(at..at + 4).and_then(|s| s.try_into().ok()))
            .map(|s: [u8; 4]| u64::from(u32::from_le_bytes(s)))
    };
    match n {
        0 => Some((0, 0)),
        1..=3 => Some((
            u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
            0,
        )),
        4..=7 => Some((half(0)? | half(n - 4)? << 32, 0)),
        8..=16 => Some((word(0)?, word(n - 8)?)),
        _ => None,
    }
}

impl SegmentKeys {
    /// The id of `key`, given a new one when first seen.
    #[inline]
    pub(super) fn id(&mut self, key: &str) -> usize {
        let Some(words) = pack_key(key) else {
            return self.intern(key);
        };
        if self.recent.is_empty() {
            self.recent = vec![RecentKey::default(); KEY_SLOTS];
        }
        let len = key.len() as u32 + 1;
        let mixed = (words.0 ^ words.1.rotate_left(29) ^ u64::from(len))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let at = (mixed >> (64 - KEY_SLOTS.trailing_zeros())) as usize;
        let slot = self.recent[at];
        if slot.words == words && slot.len == len {
            return slot.id as usize;
        }
        let id = self.intern(key);
        if let Ok(small) = u32::try_from(id) {
            self.recent[at] = RecentKey {
                words,
                len,
                id: small,
            };
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
    fn two_keys_pack_alike_only_when_they_are_the_same_key() {
        // Every text of up to 3 bytes over a small alphabet, and longer
        // ones that differ in one byte at each position.
        let alphabet = ["a", "b", "é", "北", ""];
        let mut texts: Vec<String> = Vec::new();
        for x in alphabet {
            for y in alphabet {
                for z in alphabet {
                    texts.push(format!("{x}{y}{z}"));
                }
            }
        }
        let base = "abcdefghijklmnopq";
        for n in 0..=17 {
            let text = &base[..n];
            texts.push(text.to_string());
            for at in 0..n {
                let mut bytes = text.as_bytes().to_vec();
                bytes[at] = b'Z';
                texts.push(String::from_utf8(bytes).unwrap());
            }
        }
        texts.sort();
        texts.dedup();
        let short: Vec<&String> = texts.iter().filter(|t| t.len() <= 16).collect();
        assert!(short.len() > 100);
        for a in &short {
            for b in &short {
                let same = pack_key(a) == pack_key(b) && a.len() == b.len();
                assert_eq!(same, a == b, "{a:?} and {b:?}");
            }
        }
        assert!(pack_key(&base[..16]).is_some());
        assert!(pack_key("abcdefghijklmnopq").is_none());
    }

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

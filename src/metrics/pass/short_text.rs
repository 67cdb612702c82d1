//! Compute stage, per row: short texts remembered by their bytes.
//!
//! A narrow row's date and segment cells are short texts that repeat (a
//! year of daily answers is 365 dates; a segment has a few hundred keys).
//! Hashing each as a string and comparing it with `memcmp` costs a visible
//! share of such a row; reading its bytes as two machine words and looking
//! them up in a small direct-mapped table costs one multiply and one
//! comparison. One mechanism, used by the date cache ([`super::dates`]) and
//! the segment keys ([`super::keys`]).

/// A text of at most [`SHORT`] bytes as an exact key: two words that, with
/// the length, determine the text (no two texts share a key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct ShortKey {
    words: (u64, u64),
    /// The text's length plus one: 0 only in an unused slot.
    len: u32,
}

/// The longest text a [`ShortKey`] holds.
pub(super) const SHORT: usize = 16;

impl ShortKey {
    /// The key of `text`, read as overlapping words from its start and its
    /// end (every byte is in one of them, so no byte-by-byte copy); `None`
    /// for a text longer than [`SHORT`].
    #[inline]
    pub(super) fn of(text: &str) -> Option<ShortKey> {
        let b = text.as_bytes();
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
        let words = match n {
            0 => (0, 0),
            1..=3 => (
                u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
                0,
            ),
            4..=7 => (half(0)? | half(n - 4)? << 32, 0),
            8..=SHORT => (word(0)?, word(n - 8)?),
            _ => return None,
        };
        Some(ShortKey {
            words,
            len: n as u32 + 1,
        })
    }

    /// The slot of this key in a table of `2^bits` slots: a multiplicative
    /// hash of its words and length, top bits.
    #[inline]
    fn slot(self, bits: u32) -> usize {
        let mixed = (self.words.0 ^ self.words.1.rotate_left(29) ^ u64::from(self.len))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - bits)) as usize
    }
}

/// Values of short texts in a direct-mapped table of `SLOTS` (a power of
/// two): a slot shared by two texts holds the last one stored, so a lookup
/// may miss but never answers for another text. Allocated when first
/// stored into: a segment column that is never read costs nothing.
#[derive(Clone, Debug)]
pub(super) struct ShortTable<V, const SLOTS: usize> {
    slots: Vec<(ShortKey, V)>,
}

impl<V, const SLOTS: usize> Default for ShortTable<V, SLOTS> {
    fn default() -> Self {
        ShortTable { slots: Vec::new() }
    }
}

impl<V: Copy + Default, const SLOTS: usize> ShortTable<V, SLOTS> {
    const BITS: u32 = SLOTS.trailing_zeros();

    /// The value stored for `key`, if its slot still holds it.
    #[inline]
    pub(super) fn get(&self, key: ShortKey) -> Option<V> {
        let (held, value) = self.slots.get(key.slot(Self::BITS))?;
        (*held == key).then_some(*value)
    }

    /// Stores `value` for `key`, in place of whatever its slot held.
    #[inline]
    pub(super) fn set(&mut self, key: ShortKey, value: V) {
        debug_assert!(SLOTS.is_power_of_two());
        if self.slots.is_empty() {
            self.slots = vec![(ShortKey::default(), V::default()); SLOTS];
        }
        self.slots[key.slot(Self::BITS)] = (key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_texts_share_a_key_only_when_they_are_the_same_text() {
        // Every text of up to 3 characters over an alphabet of 1-, 2- and
        // 3-byte characters, and 0–17-byte texts with one byte changed at
        // each position.
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
        let short: Vec<&String> = texts.iter().filter(|t| t.len() <= SHORT).collect();
        assert!(short.len() > 100);
        for a in &short {
            for b in &short {
                assert_eq!(
                    ShortKey::of(a) == ShortKey::of(b),
                    a == b,
                    "{a:?} and {b:?}"
                );
            }
        }
        assert!(ShortKey::of(&base[..16]).is_some());
        assert!(ShortKey::of("abcdefghijklmnopq").is_none());
    }

    #[test]
    fn a_shared_slot_misses_and_never_answers_for_another_text() {
        // Eight slots and a hundred texts: most slots are shared.
        let texts: Vec<String> = (0..100).map(|i| format!("text {i}")).collect();
        let mut table = ShortTable::<usize, 8>::default();
        assert_eq!(table.get(ShortKey::of("text 0").unwrap()), None);
        let mut hits = 0;
        for (i, t) in texts.iter().enumerate() {
            table.set(ShortKey::of(t).unwrap(), i);
            for (j, u) in texts[..=i].iter().enumerate() {
                match table.get(ShortKey::of(u).unwrap()) {
                    Some(v) => {
                        assert_eq!(v, j, "{u:?} answered for by another text");
                        hits += 1;
                    }
                    None => assert!(j < i, "the text just stored is found"),
                }
            }
        }
        // Every text was found at least once (just after it was stored), and
        // at the end the table holds at most one text per slot.
        assert!(hits >= texts.len(), "{hits}");
        let held = (texts.iter())
            .filter(|t| table.get(ShortKey::of(t).unwrap()).is_some())
            .count();
        assert!((1..=8).contains(&held), "{held}");
    }
}

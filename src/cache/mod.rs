//! The build cache: each data file's partial aggregates, stored by content.
//!
//! Input: a data file, a digest of the definitions that decide what is
//! accumulated from its dataset ([`definitions_digest`]) and the program's
//! version. Output: the bytes a previous build stored for exactly that
//! combination, or nothing. A monthly drop then re-reads only the new file,
//! and a rebuild with unchanged inputs reads no rows at all.
//!
//! **Never stale.** An entry's name is the BLAKE3 hash of (the file's content
//! hash, its project-relative path, the definitions digest, the cxscore
//! version, the format number and `CXSCORE_CACHE_VERSION_SALT`); any change
//! of one is a different name. The content hash itself is remembered with
//! the file's status between builds ([`known`]), so an unchanged file is not
//! read even to be hashed. **Never trusted.** An entry holds a magic
//! line and the BLAKE3 hash of its payload; one that is unreadable, truncated
//! or altered is ignored and rebuilt. Writes go to a temporary file renamed
//! into place, so a killed build leaves no half-written entry. **Never in the
//! site.** Entries live in `PROJECT/.cxscore/cache/`; entries a build did not
//! use are removed after a successful compute ([`Cache::prune`]).

mod known;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bumped when the stored layout changes, or what is stored means something
/// else (the version alone covers releases). 11: data errors' lines are the
/// lines rows start on (the CSV splitter), no longer the csv crate's. 12:
/// large GBK and GB18030 files are read in pieces (their sums in another
/// order, their data errors' lines those rows start on). 13: a comment
/// sample stores its bar (the largest hash it keeps once full). 14: a key
/// driver accumulator no longer stores its per-row scratch (the deviations).
const FORMAT: u32 = 14;

/// The first bytes of every entry.
const MAGIC: &[u8; 8] = b"cxcache1";

/// Where the cache lives, inside the project (never inside the site).
pub const DIR: &str = ".cxscore/cache";

/// The file, inside [`DIR`], of the content hashes remembered with each data
/// file's status (see [`known`]).
const KNOWN: &str = "known-hashes";

/// Set to any value, disables the cache like `--no-cache`.
pub const DISABLE_ENV: &str = "CXSCORE_NO_CACHE";

/// Extra text mixed into every key: tests use it to stand for a new version.
pub const SALT_ENV: &str = "CXSCORE_CACHE_VERSION_SALT";

/// A project's cache folder and the entries this build used.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    version: String,
    used: Mutex<BTreeSet<String>>,
    /// Content hashes remembered from the last build (see [`known`]).
    known: Mutex<known::KnownHashes>,
    /// False for `check`, which writes nothing: entries are read, never
    /// stored or pruned.
    writable: bool,
}

/// One file's entry name, and the file's size and modification time when it
/// was hashed (a file that changes while it is read is not stored).
#[derive(Debug, Clone)]
pub struct Key {
    name: String,
    stamp: Option<(u64, std::time::SystemTime)>,
}

/// The digest of a dataset's definitions, given as text that names every
/// setting the dataset's pass depends on (see `metrics::cache_definitions`).
pub fn definitions_digest(text: &str) -> [u8; 32] {
    *blake3::hash(text.as_bytes()).as_bytes()
}

impl Key {
    /// The entry's name: a BLAKE3 hex digest of everything the entry
    /// depends on, so a digest of several keys depends on all of theirs.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Cache {
    /// The cache's folder, for state kept beside the entries (the
    /// follow-up list's, [`crate::followup`]); a name that is not 64 hex
    /// digits is never pruned.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether this build may write the cache (`check` may not).
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// The cache of the project at `root`, or `None` when disabled by
    /// [`DISABLE_ENV`]; `writable: false` only reads it (for `check`).
    pub fn open(root: &Path, writable: bool) -> Option<Cache> {
        if std::env::var_os(DISABLE_ENV).is_some() {
            return None;
        }
        let salt = std::env::var(SALT_ENV).unwrap_or_default();
        Some(Cache {
            dir: root.join(DIR),
            version: format!("{} {FORMAT} {salt}", env!("CARGO_PKG_VERSION")),
            used: Mutex::new(BTreeSet::new()),
            known: Mutex::new(known::KnownHashes::load(&root.join(DIR).join(KNOWN))),
            writable,
        })
    }

    /// The key of data file `path` (shown as `shown`) under `definitions`;
    /// `None` when the file cannot be read (the scan reports that).
    pub fn key(&self, path: &Path, shown: &Path, definitions: &[u8; 32]) -> Option<Key> {
        let stamp = stamp(path);
        let name = shown.to_string_lossy();
        let content = self.known.lock().ok()?.hash(path, &name).ok()?;
        let mut h = blake3::Hasher::new();
        for part in [
            content.as_slice(),
            shown.to_string_lossy().as_bytes(),
            definitions,
            self.version.as_bytes(),
        ] {
            // Length-prefixed, so no two different tuples hash the same bytes.
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        Some(Key {
            name: h.finalize().to_hex().to_string(),
            stamp,
        })
    }

    /// A result computed from what `digest` digests (the caller's promise:
    /// every input of the computation), stored by [`Cache::put_memo`] in a
    /// previous build of this version; an entry like a file's, kept while
    /// builds look it up.
    pub fn memo(&self, digest: &[u8; 32]) -> Option<Vec<u8>> {
        self.get(&self.memo_key(digest))
    }

    /// Stores `payload` as the result for `digest` (see [`Cache::memo`]).
    pub fn put_memo(&self, digest: &[u8; 32], payload: &[u8]) {
        if !self.writable {
            return;
        }
        let key = self.memo_key(digest);
        self.mark_used(&key);
        let _ = self.write(&key.name, payload);
    }

    fn memo_key(&self, digest: &[u8; 32]) -> Key {
        let mut h = blake3::Hasher::new();
        for part in [b"memo".as_slice(), digest, self.version.as_bytes()] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        Key {
            name: h.finalize().to_hex().to_string(),
            stamp: None,
        }
    }

    /// The payload stored under `key`, if there is an intact one.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        self.mark_used(key);
        let bytes = std::fs::read(self.dir.join(&key.name)).ok()?;
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let (sum, payload) = rest.split_at_checked(32)?;
        (blake3::hash(payload).as_bytes() == sum).then(|| payload.to_vec())
    }

    /// Stores `payload` under `key` (temporary file, then rename), unless the
    /// file changed since it was hashed. Failures are ignored: the cache only
    /// saves time, the next build reads the file again.
    pub fn put(&self, key: &Key, path: &Path, payload: &[u8]) {
        if !self.writable || key.stamp.is_none() || stamp(path) != key.stamp {
            return;
        }
        self.mark_used(key);
        let _ = self.write(&key.name, payload);
    }

    fn write(&self, name: &str, payload: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(MAGIC)?;
        tmp.write_all(blake3::hash(payload).as_bytes())?;
        tmp.write_all(payload)?;
        tmp.persist(self.dir.join(name)).map_err(|e| e.error)?;
        Ok(())
    }

    /// The entries looked up so far, to be given back to
    /// [`Cache::forget_used_since`] when what used them is thrown away.
    pub fn used_so_far(&self) -> BTreeSet<String> {
        self.used.lock().map(|u| u.clone()).unwrap_or_default()
    }

    /// Forgets the lookups made since `before` ([`Cache::used_so_far`]): a
    /// run thrown away must not keep its entries from [`Cache::prune`].
    pub fn forget_used_since(&self, before: BTreeSet<String>) {
        if let Ok(mut used) = self.used.lock() {
            *used = before;
        }
    }

    fn mark_used(&self, key: &Key) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key.name.clone());
        }
    }

    /// Removes the entries this build did not look up (older versions of
    /// files, definitions or cxscore), so the folder does not grow with every
    /// data drop. Call it only after a compute that read every dataset.
    pub fn prune(&self) {
        if !self.writable {
            return;
        }
        if let Ok(known) = self.known.lock() {
            // Failures only cost the next build a hash of every file.
            let _ = known.save(&self.dir.join(KNOWN));
        }
        let Ok(used) = self.used.lock() else { return };
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_entry = name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
            if is_entry && !used.contains(name.as_ref()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(dir: &Path) -> Cache {
        Cache {
            dir: dir.join(DIR),
            version: "test".into(),
            used: Mutex::new(BTreeSet::new()),
            known: Mutex::new(known::KnownHashes::load(&dir.join(DIR).join(KNOWN))),
            writable: true,
        }
    }

    #[test]
    fn stores_and_refuses_altered_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a.csv");
        std::fs::write(&data, "x\n1\n").unwrap();
        let c = cache(tmp.path());
        let key = c.key(&data, Path::new("a.csv"), &[0; 32]).unwrap();
        assert_eq!(c.get(&key), None);
        c.put(&key, &data, b"payload");
        assert_eq!(c.get(&key).as_deref(), Some(&b"payload"[..]));
        // One flipped byte of the payload: refused.
        let entry = tmp.path().join(DIR).join(&key.name);
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&entry, &bytes).unwrap();
        assert_eq!(c.get(&key), None);
        // Truncated: refused.
        std::fs::write(&entry, &bytes[..10]).unwrap();
        assert_eq!(c.get(&key), None);
    }

    #[test]
    fn key_changes_with_content_path_definitions_and_version() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a.csv");
        std::fs::write(&data, "x\n1\n").unwrap();
        let c = cache(tmp.path());
        let name =
            |c: &Cache, shown: &str, d: u8| c.key(&data, Path::new(shown), &[d; 32]).unwrap().name;
        let base = name(&c, "a.csv", 0);
        assert_ne!(base, name(&c, "b.csv", 0));
        assert_ne!(base, name(&c, "a.csv", 1));
        let mut other = cache(tmp.path());
        other.version = "test2".into();
        assert_ne!(base, name(&other, "a.csv", 0));
        std::fs::write(&data, "x\n2\n").unwrap();
        assert_ne!(base, name(&c, "a.csv", 0));
    }

    #[test]
    fn prune_keeps_only_used_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a.csv");
        std::fs::write(&data, "x\n1\n").unwrap();
        let c = cache(tmp.path());
        let key = c.key(&data, Path::new("a.csv"), &[0; 32]).unwrap();
        c.put(&key, &data, b"p");
        let stale = tmp.path().join(DIR).join("0".repeat(64));
        std::fs::write(&stale, b"old").unwrap();
        let read_only = Cache {
            writable: false,
            ..cache(tmp.path())
        };
        read_only.prune();
        assert!(stale.exists(), "a read-only cache (check) removes nothing");
        c.prune();
        assert!(!stale.exists());
        assert!(tmp.path().join(DIR).join(&key.name).exists());
    }
}

//! The content hashes of data files, remembered with each file's status, so
//! an unchanged rebuild need not read every byte again to know it is unchanged.
//!
//! Input: a data file and what the last build remembered of it. Output: its
//! BLAKE3 content hash — the remembered one when the file's status (device,
//! inode, size, modification *and change* time) is exactly what it was when it
//! was hashed, else a fresh hash of its bytes.
//!
//! **Why this cannot serve a stale hash.** Writing a file's bytes sets its
//! change time (ctime) to the current time, and no ordinary tool can set it
//! back (`touch -d`, `cp -p` and `rsync -t` restore the *modification* time,
//! and by doing so set the change time to now). So an unchanged status means
//! unchanged bytes, with one exception that git calls the "racy" case: a
//! write within the timestamp granularity of the moment the file was hashed
//! may leave the status as it was. As in git, a file whose change or
//! modification time is not at least [`RACY_MARGIN_NS`] older than the moment
//! it was hashed is never trusted; it is hashed again on every build until it
//! is. Not on Unix, files are always hashed.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How much older than its hashing a file's times must be for its remembered
/// hash to be trusted: wider than any file system's timestamp granularity
/// (FAT: 2 s).
pub const RACY_MARGIN_NS: i128 = 3_000_000_000;

/// The first bytes of the file that holds what is known.
const MAGIC: &[u8; 8] = b"cxknown1";

/// Bytes hashed at a time: large enough for both cores to share each block.
const HASH_BLOCK: usize = 4 << 20;

/// What identifies a file's bytes without reading them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

/// A file's hash and its status when it was hashed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Known {
    status: Status,
    hashed_at_ns: i128,
    hash: [u8; 32],
}

/// The hashes remembered from the last build, and those this build used.
#[derive(Debug)]
pub struct KnownHashes {
    before: BTreeMap<String, Known>,
    now: BTreeMap<String, Known>,
    margin_ns: i128,
    /// Files whose bytes this build read to hash them (for tests and `-v`).
    pub hashed: usize,
}

impl KnownHashes {
    /// What the last build remembered (nothing when the file is missing,
    /// damaged or of another layout: then every file is hashed).
    pub fn load(file: &Path) -> KnownHashes {
        let before = std::fs::read(file)
            .ok()
            .and_then(|bytes| {
                let rest = bytes.strip_prefix(MAGIC.as_slice())?.to_vec();
                let (sum, payload) = rest.split_at_checked(32)?;
                (blake3::hash(payload).as_bytes() == sum)
                    .then(|| postcard::from_bytes(payload).ok())
                    .flatten()
            })
            .unwrap_or_default();
        KnownHashes::with(before, RACY_MARGIN_NS)
    }

    fn with(before: BTreeMap<String, Known>, margin_ns: i128) -> KnownHashes {
        KnownHashes {
            before,
            now: BTreeMap::new(),
            margin_ns,
            hashed: 0,
        }
    }

    /// The content hash of the file at `path`, remembered under `name`.
    pub fn hash(&mut self, path: &Path, name: &str) -> io::Result<[u8; 32]> {
        let status = status(path);
        let trusted = self.before.get(name).filter(|k| {
            status.as_ref() == Some(&k.status)
                && k.status.mtime_ns + self.margin_ns < k.hashed_at_ns
                && k.status.ctime_ns + self.margin_ns < k.hashed_at_ns
        });
        if let Some(known) = trusted {
            self.now.insert(name.to_string(), known.clone());
            return Ok(known.hash);
        }
        let hashed_at_ns = now_ns();
        let hash = content_hash(path)?;
        self.hashed += 1;
        // Only a file whose status did not move while it was read is remembered.
        if let Some(status) = status.filter(|s| Some(s) == self::status(path).as_ref()) {
            let known = Known {
                status,
                hashed_at_ns,
                hash,
            };
            self.now.insert(name.to_string(), known);
        }
        Ok(hash)
    }

    /// Writes what this build knows (the files it hashed or trusted, no
    /// others) for the next build: a temporary file renamed into place.
    pub fn save(&self, file: &Path) -> io::Result<()> {
        let payload = postcard::to_stdvec(&self.now).map_err(io::Error::other)?;
        let dir = file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(MAGIC)?;
        tmp.write_all(blake3::hash(&payload).as_bytes())?;
        tmp.write_all(&payload)?;
        tmp.persist(file).map_err(|e| e.error)?;
        Ok(())
    }
}

fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(unix)]
fn status(path: &Path) -> Option<Status> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
    Some(Status {
        dev: m.dev(),
        ino: m.ino(),
        size: m.size(),
        mtime_ns: ns(m.mtime(), m.mtime_nsec()),
        ctime_ns: ns(m.ctime(), m.ctime_nsec()),
    })
}

#[cfg(not(unix))]
fn status(_: &Path) -> Option<Status> {
    None
}

/// BLAKE3 of a file, read in blocks hashed on every core. Not memory-mapped:
/// a mapping of a 1 GB export would count as 1 GB of the process's memory.
fn content_hash(path: &Path) -> io::Result<[u8; 32]> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut block = vec![0u8; HASH_BLOCK];
    loop {
        let mut filled = 0;
        while filled < block.len() {
            match file.read(&mut block[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if filled == 0 {
            return Ok(*hasher.finalize().as_bytes());
        }
        hasher.update_rayon(&block[..filled]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_racy_file_is_always_hashed_again() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a.csv");
        std::fs::write(&data, "x\n1\n").unwrap();
        // Just written: within the margin, so never trusted.
        let mut k = KnownHashes::with(BTreeMap::new(), RACY_MARGIN_NS);
        let first = k.hash(&data, "a.csv").unwrap();
        let mut again = KnownHashes::with(k.now.clone(), RACY_MARGIN_NS);
        assert_eq!(again.hash(&data, "a.csv").unwrap(), first);
        assert_eq!(again.hashed, 1, "a file changed just now is read again");
        assert_eq!(*blake3::hash(b"x\n1\n").as_bytes(), first);
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_status_is_trusted_and_any_write_is_seen() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a.csv");
        std::fs::write(&data, "x\n1\n").unwrap();
        // A margin of −1 s stands for "hashed long after the last change".
        let mut k = KnownHashes::with(BTreeMap::new(), -1_000_000_000);
        let first = k.hash(&data, "a.csv").unwrap();
        let mut trusting = KnownHashes::with(k.now.clone(), -1_000_000_000);
        assert_eq!(trusting.hash(&data, "a.csv").unwrap(), first);
        assert_eq!(trusting.hashed, 0, "unchanged status: not read");
        // Same size, and the modification time put back as it was: the
        // change time still moves, so the bytes are read again.
        let mtime = std::fs::metadata(&data).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&data, "x\n2\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&data)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(std::fs::metadata(&data).unwrap().modified().unwrap(), mtime);
        let mut after = KnownHashes::with(trusting.now.clone(), -1_000_000_000);
        let second = after.hash(&data, "a.csv").unwrap();
        assert_eq!(after.hashed, 1);
        assert_eq!(second, *blake3::hash(b"x\n2\n").as_bytes());
    }

    #[test]
    fn what_is_known_survives_a_save_and_a_damaged_file_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("a.csv");
        std::fs::write(&data, "x\n1\n").unwrap();
        let file = tmp.path().join("cache/known");
        let mut k = KnownHashes::load(&file);
        k.hash(&data, "a.csv").unwrap();
        k.save(&file).unwrap();
        assert_eq!(KnownHashes::load(&file).before.len(), 1);
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        assert!(KnownHashes::load(&file).before.is_empty());
    }
}

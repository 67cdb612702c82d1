//! Data stage: a file's partial result, from the build cache or read and stored.
//!
//! Input: a file, a fresh fork of the sink and (maybe) the [`FileCache`].
//! Output: the file's `FileRead`, loaded when the cache holds one for the
//! same content, definitions and version, else read and (when read to its
//! end) stored for the next build. A loaded file is replayed exactly like a
//! read one, so the cache never changes a result or a message.

use std::sync::atomic::{AtomicBool, Ordering};

use super::read::{read_file, FileRead};
use super::source::{BatchLog, DataFile, Header, RecordSource, SplitSink};

/// Where a scan may find and store each file's partial result: the build
/// cache and the digest of the dataset's definitions.
pub struct FileCache<'c> {
    /// The project's cache.
    pub cache: &'c crate::cache::Cache,
    /// [`crate::cache::definitions_digest`] of the dataset being scanned.
    pub definitions: [u8; 32],
    /// Set, the scan takes files from the cache only: a file without an
    /// entry is neither read nor stored, and this is set to true (the pass
    /// runs without its lookup table's rows, and the caller runs it again
    /// with them).
    pub missed: Option<&'c AtomicBool>,
}

/// A file's partial as stored in the build cache (only files read to the end).
#[derive(serde::Deserialize)]
struct Stored {
    logs: Vec<BatchLog>,
    sink: Vec<u8>,
}

/// [`Stored`], borrowed to write it.
#[derive(serde::Serialize)]
struct StoredRef<'a> {
    logs: &'a [BatchLog],
    sink: Vec<u8>,
}

/// Reads one file into `fork`, or loads its partial from the cache; a file
/// read to its end is stored for the next build.
pub(crate) fn read_cached<Src: RecordSource, S: SplitSink>(
    source: &Src,
    file: &DataFile<'_>,
    header: &Header,
    fork: S,
    cache: Option<&FileCache<'_>>,
) -> FileRead<S> {
    let Some(fc) = cache else {
        return read_file(source, file, header, fork);
    };
    let empty = |fork| FileRead {
        sink: fork,
        logs: Vec::new(),
        stop: None,
    };
    if fc.missed.is_some_and(|m| m.load(Ordering::Relaxed)) {
        // The run will be thrown away: no need to load the rest.
        return empty(fork);
    }
    let key = fc.cache.key(file.path, file.file, &fc.definitions);
    let loaded = (key.as_ref())
        .and_then(|k| fc.cache.get(k))
        .and_then(|bytes| postcard::from_bytes::<Stored>(&bytes).ok())
        .and_then(|stored| {
            let sink = fork.load(&stored.sink)?;
            Some(FileRead {
                sink,
                logs: stored.logs,
                stop: None,
            })
        });
    if let Some(read) = loaded {
        crate::progress::advance(std::fs::metadata(file.path).map_or(0, |m| m.len()));
        return read;
    }
    if let Some(missed) = fc.missed {
        missed.store(true, Ordering::Relaxed);
        return empty(fork);
    }
    let mut read = read_file(source, file, header, fork);
    if let (Some(key), None) = (&key, &read.stop) {
        let stored = StoredRef {
            logs: &read.logs,
            sink: read.sink.save(),
        };
        if let Ok(bytes) = postcard::to_stdvec(&stored) {
            fc.cache.put(key, file.path, &bytes);
        }
    }
    read
}

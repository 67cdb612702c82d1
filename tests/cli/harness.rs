//! The harness: fixture copies in temporary folders, and the real binary run on them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A fixture project copied into a temporary folder, ready to be edited and built.
pub struct Fixture {
    _dir: tempfile::TempDir,
    /// The project folder (`<tmp>/project`).
    pub root: PathBuf,
}

/// The repository's root, where `tests/fixtures` and `example-project` live.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the tree `from` into `to`, leaving out a built `_site/`, the build
/// cache `.cxscore/` (a developer's earlier build of the fixture must not turn
/// a test's full build into a cached one) and the paths (relative to `from`)
/// that `skip` names.
pub fn copy_tree_except(from: &Path, to: &Path, skip: impl Fn(&Path) -> bool) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("_site") || rel.starts_with(".cxscore") || skip(rel) {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Fixture {
    /// Copies `tests/fixtures/<name>` (or any folder of the repository, e.g. `example-project`).
    pub fn copy(name: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let from = if name.contains('/') || name == "example-project" {
            repo().join(name)
        } else {
            repo().join("tests/fixtures").join(name)
        };
        copy_tree_except(&from, &root, |_| false);
        Fixture { _dir: dir, root }
    }

    /// Writes (or overwrites) a file of the project.
    pub fn write(&self, rel: &str, content: &str) -> &Self {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    /// Replaces the first occurrence of `from` with `to` in a file; panics if absent,
    /// so a fixture edit can never silently do nothing.
    pub fn edit(&self, rel: &str, from: &str, to: &str) -> &Self {
        let path = self.root.join(rel);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        fs::write(path, text.replacen(from, to, 1)).unwrap();
        self
    }

    /// Writes `text` as the `tiny` fixture's survey in GBK and declares
    /// `encoding: gbk`; with `bad_at` (a byte offset into `text`), 0xFF in
    /// place of the first GBK byte of the character there (not GBK: the
    /// build must report it).
    pub fn write_gbk_survey(&self, text: &str, bad_at: Option<usize>) -> &Self {
        let mut bytes = encoding_rs::GBK.encode(text).0.into_owned();
        if let Some(at) = bad_at {
            let before = encoding_rs::GBK.encode(&text[..at]).0.len();
            bytes[before] = 0xFF;
        }
        fs::write(self.root.join("data/survey.csv"), bytes).unwrap();
        self.edit(
            "cxscore.yaml",
            "    pii: [email]\n",
            "    pii: [email]\n    encoding: gbk\n",
        )
    }

    /// The site folder a default build writes.
    pub fn site(&self) -> PathBuf {
        self.root.join("_site")
    }

    /// Runs `cxscore ARGS` in the fixture's parent folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::cargo_bin("cxscore")
            .unwrap()
            .current_dir(self.root.parent().unwrap())
            .args(args)
            .output()
            .unwrap()
    }

    /// `cxscore build project`.
    pub fn build(&self) -> Output {
        self.run(&["build", "project"])
    }

    /// Reads `metrics.json` of the built site.
    pub fn metrics(&self) -> serde_json::Value {
        let text = fs::read_to_string(self.site().join("metrics.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// The process's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file of a folder, path → bytes, for byte-for-byte comparisons.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.push((rel, fs::read(entry.path()).unwrap()));
        }
    }
    files
}

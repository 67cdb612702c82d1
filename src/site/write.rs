//! Write stage: the rendered files into a temporary folder beside the target, then swapped in.
//!
//! A failed or killed build must never leave half a site: every file is written
//! into a fresh temporary folder next to the output, and only when all are
//! written is it exchanged with the previous site in one atomic step
//! (`renameat2(RENAME_EXCHANGE)` on Linux; two renames elsewhere). The old site
//! is removed only after the swap.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

mod stale;

/// The rendered site: output path (relative, `/`-separated) → bytes, in path order.
pub type SiteFiles = BTreeMap<String, Vec<u8>>;

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// An I/O operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What we were doing.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The output folder exists and is not a cxscore site: we refuse to replace it.
    #[error("{} exists and is not a cxscore site (no metrics.json); refusing to replace it — choose an empty or new folder with --out", .0.display())]
    NotASite(PathBuf),
    /// The output folder would contain or be the project.
    #[error("the output folder {} is the project folder or contains it; choose a folder inside the project, e.g. _site", .0.display())]
    ContainsProject(PathBuf),
    /// A rendered path is unsafe (absolute or climbing out).
    #[error("refusing to write {0}: output paths must stay inside the site")]
    UnsafePath(String),
}

fn io_err<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> WriteError + 'p {
    move |source| WriteError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `files` as the site at `out`, replacing a previous site atomically.
///
/// `project_root` guards against `--out` pointing at the project or a parent of it.
pub fn write_site(files: &SiteFiles, out: &Path, project_root: &Path) -> Result<(), WriteError> {
    let out = absolute(out);
    if project_root.starts_with(&out) {
        return Err(WriteError::ContainsProject(out));
    }
    if out.exists() && !is_replaceable(&out) {
        return Err(WriteError::NotASite(out));
    }
    let parent = out.parent().unwrap_or(Path::new(".")).to_path_buf();
    fs::create_dir_all(&parent).map_err(io_err("creating", &parent))?;
    stale::clean(&parent, &out);
    let tmp = tempfile::Builder::new()
        .prefix(&stale::prefix())
        .tempdir_in(&parent)
        .map_err(io_err("creating a temporary folder in", &parent))?;
    for (rel, bytes) in files {
        let target = tmp.path().join(safe_relative(rel)?);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        }
        fs::write(&target, bytes).map_err(io_err("writing", &target))?;
    }
    // From here the temporary folder is complete; keep it from being deleted on drop.
    let staged = tmp.keep();
    swap_in(&staged, &out)
}

/// An existing output may be replaced only if it is empty or a previous cxscore site.
fn is_replaceable(out: &Path) -> bool {
    if !out.is_dir() {
        return false;
    }
    let empty = fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    empty || out.join("metrics.json").is_file()
}

/// Exchanges the staged folder with the output, then removes the old site.
fn swap_in(staged: &Path, out: &Path) -> Result<(), WriteError> {
    if !out.exists() {
        return fs::rename(staged, out).map_err(io_err("moving the new site to", out));
    }
    exchange(staged, out)?;
    // `staged` now holds the previous site.
    fs::remove_dir_all(staged).map_err(io_err("removing the previous site from", staged))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<(), WriteError> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Some file systems lack RENAME_EXCHANGE: fall back to two renames.
        Err(_) => exchange_by_renames(a, b),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<(), WriteError> {
    exchange_by_renames(a, b)
}

/// Moves `b` aside, `a` into place, and the old `b` to `a`; restores `b` if the middle step fails.
fn exchange_by_renames(a: &Path, b: &Path) -> Result<(), WriteError> {
    let aside = a.with_extension("old");
    fs::rename(b, &aside).map_err(io_err("moving the previous site aside from", b))?;
    if let Err(e) = fs::rename(a, b) {
        let _ = fs::rename(&aside, b);
        return Err(io_err("moving the new site to", b)(e));
    }
    fs::rename(&aside, a).map_err(io_err("moving the previous site to", a))
}

/// Checks a rendered path stays inside the site.
fn safe_relative(rel: &str) -> Result<PathBuf, WriteError> {
    let path = Path::new(rel);
    let ok = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(path.to_path_buf())
    } else {
        Err(WriteError::UnsafePath(rel.to_string()))
    }
}

/// Makes a path absolute against the current directory, resolving what exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // The folder may not exist yet: canonicalise its parent so comparisons with the project hold.
    match (
        abs.parent().and_then(|p| p.canonicalize().ok()),
        abs.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => abs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> SiteFiles {
        pairs
            .iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn replaces_a_previous_site_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        fs::create_dir(&project).unwrap();
        let out = project.join("_site");
        write_site(
            &files(&[("metrics.json", "1"), ("old.html", "x")]),
            &out,
            &project,
        )
        .unwrap();
        write_site(
            &files(&[("metrics.json", "2"), ("a/b.html", "y")]),
            &out,
            &project,
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("metrics.json")).unwrap(), "2");
        assert_eq!(fs::read_to_string(out.join("a/b.html")).unwrap(), "y");
        assert!(!out.join("old.html").exists());
        let names: Vec<_> = fs::read_dir(&project)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["_site"]);
    }

    #[test]
    fn refuses_to_replace_a_folder_that_is_not_a_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.txt"), "keep").unwrap();
        let err = write_site(
            &files(&[("metrics.json", "1")]),
            &out,
            Path::new("/nowhere"),
        )
        .unwrap_err();
        assert!(matches!(err, WriteError::NotASite(_)));
        assert_eq!(
            fs::read_to_string(out.join("precious.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn refuses_the_project_folder_or_a_parent() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().canonicalize().unwrap().join("p");
        fs::create_dir(&project).unwrap();
        for out in [project.clone(), project.parent().unwrap().to_path_buf()] {
            let err = write_site(&files(&[("metrics.json", "1")]), &out, &project).unwrap_err();
            assert!(matches!(err, WriteError::ContainsProject(_)), "{out:?}");
        }
    }

    #[test]
    fn unsafe_output_paths_are_refused() {
        assert!(safe_relative("../x").is_err());
        assert!(safe_relative("/etc/x").is_err());
        assert!(safe_relative("a/b.html").is_ok());
    }
}

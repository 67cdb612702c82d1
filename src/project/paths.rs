//! Paths inside the project: containment and dataset path resolution.
//!
//! Every path a project names must resolve inside the project folder *after*
//! following symlinks: a definition file must not be able to make cxscore read
//! (and publish) `/etc/passwd` or a sibling client's data.

use std::path::{Component, Path, PathBuf};

use globset::GlobBuilder;
use walkdir::WalkDir;

/// Why a dataset path could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// The path is absolute or climbs out of the project with `..`.
    Escapes,
    /// The path (after following symlinks) lies outside the project.
    OutsideAfterLinks(PathBuf),
    /// Nothing matched.
    NoMatch,
    /// The glob pattern itself is malformed.
    BadGlob(String),
}

/// True when `path` (relative, as written) stays inside the project lexically.
fn stays_inside(path: &Path) -> bool {
    let mut depth: i64 = 0;
    for c in path.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Canonicalises `path` and checks it lies inside `root` (already canonical).
pub fn confined(root: &Path, path: &Path) -> Result<PathBuf, PathProblem> {
    let real = path.canonicalize().map_err(|_| PathProblem::NoMatch)?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(PathProblem::OutsideAfterLinks(real))
    }
}

/// Resolves a dataset `path:` — a file, a folder (its `*.csv`, recursively) or
/// a glob — to the sorted list of files it names, all inside `root`.
pub fn resolve_dataset(root: &Path, written: &str) -> Result<Vec<PathBuf>, PathProblem> {
    let rel = Path::new(written);
    if written.trim().is_empty() || !stays_inside(rel) {
        return Err(PathProblem::Escapes);
    }
    let is_glob = written.contains(['*', '?', '[', '{']);
    let mut files = if is_glob {
        glob_files(root, written)?
    } else {
        let full = root.join(rel);
        let real = confined(root, &full)?;
        if real.is_dir() {
            walk_files(root, &real, |p| {
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            })?
        } else {
            vec![real]
        }
    };
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(PathProblem::NoMatch);
    }
    Ok(files)
}

/// Files under the glob's literal prefix that match the whole pattern.
fn glob_files(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, PathProblem> {
    let glob = GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| PathProblem::BadGlob(e.kind().to_string()))?
        .compile_matcher();
    // Walk from the deepest folder that has no wildcard, to avoid scanning the whole project.
    let prefix: PathBuf = Path::new(pattern)
        .components()
        .take_while(|c| {
            !c.as_os_str()
                .to_string_lossy()
                .contains(['*', '?', '[', '{'])
        })
        .collect();
    let start = root.join(&prefix);
    if !start.is_dir() {
        return Err(PathProblem::NoMatch);
    }
    let start = confined(root, &start)?;
    walk_files(root, &start, |p| {
        p.strip_prefix(root)
            .map(|rel| glob.is_match(rel))
            .unwrap_or(false)
    })
}

/// Walks `dir` (following symlinks, loops detected by walkdir), keeping files
/// accepted by `keep` and refusing any that resolve outside `root`.
fn walk_files(
    root: &Path,
    dir: &Path,
    keep: impl Fn(&Path) -> bool,
) -> Result<Vec<PathBuf>, PathProblem> {
    let mut out = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        // A symlink loop or unreadable entry is skipped, never followed forever.
        .filter_map(Result::ok);
    for entry in walker {
        if !entry.file_type().is_file() {
            continue;
        }
        let real = confined(root, entry.path())?;
        // Match on the path as seen inside the project, not the link target.
        let seen = root.join(entry.path().strip_prefix(root).unwrap_or(entry.path()));
        if keep(&seen) {
            out.push(real);
        }
    }
    Ok(out)
}

/// Lists `dir`'s files with one of `extensions` (not recursive), sorted; none if `dir` is absent.
pub fn list_files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn project() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("data/survey")).unwrap();
        fs::write(root.join("data/survey/2026-02.csv"), "a\n").unwrap();
        fs::write(root.join("data/survey/2026-01.csv"), "a\n").unwrap();
        fs::write(root.join("data/survey/notes.txt"), "x").unwrap();
        fs::write(root.join("data/tickets.csv"), "a\n").unwrap();
        (dir, root)
    }

    #[test]
    fn file_folder_and_glob_resolve_sorted() {
        let (_d, root) = project();
        let names = |v: Vec<PathBuf>| {
            v.iter()
                .map(|p| {
                    p.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(resolve_dataset(&root, "data/tickets.csv").unwrap()),
            ["data/tickets.csv"]
        );
        assert_eq!(
            names(resolve_dataset(&root, "data/survey").unwrap()),
            ["data/survey/2026-01.csv", "data/survey/2026-02.csv"]
        );
        assert_eq!(
            names(resolve_dataset(&root, "data/*/*.csv").unwrap()),
            ["data/survey/2026-01.csv", "data/survey/2026-02.csv"]
        );
        assert_eq!(
            resolve_dataset(&root, "data/*.tsv"),
            Err(PathProblem::NoMatch)
        );
    }

    #[test]
    fn escaping_paths_are_refused() {
        let (_d, root) = project();
        assert_eq!(
            resolve_dataset(&root, "../x.csv"),
            Err(PathProblem::Escapes)
        );
        assert_eq!(
            resolve_dataset(&root, "data/../../x.csv"),
            Err(PathProblem::Escapes)
        );
        assert_eq!(
            resolve_dataset(&root, "/etc/passwd"),
            Err(PathProblem::Escapes)
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_project_are_refused_and_loops_end() {
        let (_d, root) = project();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret.csv"), "a\n").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.csv"),
            root.join("data/link.csv"),
        )
        .unwrap();
        assert!(matches!(
            resolve_dataset(&root, "data/link.csv"),
            Err(PathProblem::OutsideAfterLinks(_))
        ));
        fs::remove_file(root.join("data/link.csv")).unwrap();
        std::os::unix::fs::symlink(root.join("data"), root.join("data/survey/loop")).unwrap();
        // Terminates: the link leads into data/ (inside the project, so
        // tickets.csv is found through it), whose survey/ is the loop, skipped.
        let found = resolve_dataset(&root, "data/survey").unwrap();
        assert_eq!(found.len(), 3, "{found:?}");
    }
}

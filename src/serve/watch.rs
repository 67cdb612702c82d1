//! The watcher of `serve`: one rebuild per burst of changes to the project.
//!
//! notify reports file-system events; the debouncer folds a burst (an editor's
//! save is often several events) into one batch. Changes that cannot affect
//! the site are ignored: the `_site/` a `build` writes, hidden files and
//! folders (`.git/`, `.cxscore/`, editors' swap files) and backup files
//! (`name~`), so a build beside `serve` does not trigger a loop.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult};

use super::ServeError;

/// How long the folder must stay quiet before a rebuild starts.
const QUIET: Duration = Duration::from_millis(200);

/// Calls `on_change` after every burst of relevant changes under `root`; returns only on error.
pub fn watch(root: &Path, mut on_change: impl FnMut()) -> Result<(), ServeError> {
    let fail = |e: &dyn std::fmt::Display| ServeError::Watch {
        path: root.to_path_buf(),
        message: e.to_string(),
    };
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(QUIET, tx).map_err(|e| fail(&e))?;
    debouncer
        .watcher()
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| fail(&e))?;
    for batch in rx {
        match batch {
            Ok(events) => {
                let changed: Vec<_> = events
                    .iter()
                    .filter(|e| is_relevant(root, &e.path))
                    .collect();
                if let Some(first) = changed.first() {
                    let shown = first.path.strip_prefix(root).unwrap_or(&first.path);
                    eprintln!("changed: {}; rebuilding", shown.display());
                    on_change();
                }
            }
            Err(e) => eprintln!("warning: watching the project: {e}"),
        }
    }
    Ok(())
}

/// Whether a change at `path` can change the site.
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return true;
    };
    !relative.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name == "_site" || name.starts_with('.') || name.ends_with('~')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_hidden_and_backup_files_are_ignored() {
        let root = Path::new("/p");
        assert!(is_relevant(root, Path::new("/p/indicators/core.yaml")));
        assert!(is_relevant(root, Path::new("/p/data/survey.csv")));
        assert!(!is_relevant(root, Path::new("/p/_site/index.html")));
        assert!(!is_relevant(root, Path::new("/p/.git/index")));
        assert!(!is_relevant(
            root,
            Path::new("/p/indicators/.core.yaml.swp")
        ));
        assert!(!is_relevant(root, Path::new("/p/cxscore.yaml~")));
    }
}

//! Leftovers of killed builds: found and removed by the next build.
//!
//! A build killed with SIGKILL runs no destructor, so its temporary folder
//! (`.cxscore-build-<pid>-<random>` beside the output) stays behind, and a kill
//! while the previous site is being deleted leaves part of it there too. The
//! folder's name carries the builder's process id, so the next build removes
//! exactly the leftovers of builds that are no longer running and never the
//! folder of a build running beside it.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Every temporary folder of a build starts with this.
const PREFIX: &str = ".cxscore-build-";

/// Where no process table can be asked (not Linux), a leftover is removed
/// once it is this old: no build takes a day.
#[cfg_attr(target_os = "linux", allow(dead_code))]
const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The name prefix of this process's temporary folders.
pub(super) fn prefix() -> String {
    format!("{PREFIX}{}-", std::process::id())
}

/// Removes the leftovers of dead builds in `parent`. A leftover `….old`
/// folder (the previous site moved aside by the two-rename fallback) is put
/// back as `out` when `out` is missing, so even that kill loses no site.
/// Failures are ignored: a leftover that cannot be removed harms nothing.
pub(super) fn clean(parent: &Path, out: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let path = entry.path();
        if !path.is_dir() || path.is_symlink() || is_live(rest, &path) {
            continue;
        }
        if rest.ends_with(".old") && !out.exists() {
            let _ = fs::rename(&path, out);
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// True when the build that made the folder `PREFIX` + `rest` may still be running.
fn is_live(rest: &str, path: &Path) -> bool {
    let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid == std::process::id() => true,
        Some(pid) => process_exists(pid, path),
        // A folder of an older cxscore, without a pid: removed by age.
        None => younger_than_a_day(path),
    }
}

#[cfg(target_os = "linux")]
fn process_exists(pid: u32, _path: &Path) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_exists(_pid: u32, path: &Path) -> bool {
    younger_than_a_day(path)
}

fn younger_than_a_day(path: &Path) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_none_or(|age| age < MAX_AGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_builds_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let out = p.join("_site");
        fs::create_dir(&out).unwrap();
        // Pid 0 is never a user process, so its folder is a dead build's.
        let dead = p.join(format!("{PREFIX}0-abc"));
        let mine = p.join(format!("{}xyz", prefix()));
        let fresh_legacy = p.join(format!("{PREFIX}QwErTy"));
        let unrelated = p.join(".cxscore-other");
        for d in [&dead, &mine, &fresh_legacy, &unrelated] {
            fs::create_dir(d).unwrap();
            fs::write(d.join("index.html"), "x").unwrap();
        }
        clean(p, &out);
        assert!(!dead.exists());
        assert!(mine.exists());
        assert!(
            fresh_legacy.exists(),
            "a young folder without pid may be live"
        );
        assert!(unrelated.exists());
    }

    #[test]
    fn a_previous_site_moved_aside_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let out = p.join("_site");
        let aside = p.join(format!("{PREFIX}0-abc.old"));
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("metrics.json"), "old").unwrap();
        clean(p, &out);
        assert_eq!(fs::read_to_string(out.join("metrics.json")).unwrap(), "old");
        assert!(!aside.exists());
    }
}

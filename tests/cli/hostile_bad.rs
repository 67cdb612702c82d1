//! The corpus of bad projects: every message cxscore can give, as a snapshot.
//!
//! Each folder of `tests/bad/` (except `_base`) is one case: its files are
//! laid over a copy of `tests/bad/_base` (a valid minimal project), then its
//! `case.txt` is applied, the command run, and the exit code and stderr
//! compared with `tests/bad/snapshots/<case>.snap`. `case.txt` lines:
//!
//! - `what: …` — what the case shows (the snapshot's description);
//! - `args: …` — the command (default `build project`), run in the folder
//!   holding `project/`;
//! - `replace: PATH | OLD | NEW` — replace the one occurrence of OLD (`\n` for
//!   a line end); the case fails if OLD is absent, so an edit never silently
//!   does nothing;
//! - `remove: PATH` — delete a file or folder of the base;
//! - `link: PATH -> TARGET` — a symlink (TARGET relative to PATH's folder);
//! - `repeat: PATH | COUNT | LINE` — append LINE (`\n`-terminated) COUNT times;
//! - `pad: PATH | COUNT` — append COUNT `x` bytes and a line end.
//!
//! Beside `project/` there is always `outside/secret.csv`, a file outside the
//! project for links to point at. Temporary paths are shown as `[TMP]`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::harness::{copy_tree_except, repo};

/// Longer outputs are cut in the middle for the snapshot.
const SHOWN_LINES: usize = 12;

/// A case folder holds its `case.txt` and any whole files it adds; only the files are copied.
fn copy_tree(from: &Path, to: &Path) {
    copy_tree_except(from, to, |rel| rel == Path::new("case.txt"));
}

/// A directive's part as written (spaces kept: indentation matters in
/// YAML), with `\n` and `\t` escapes.
fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

/// Three `|`-separated parts of a directive.
fn parts(rest: &str) -> (String, String, String) {
    let mut it = rest.splitn(3, " | ");
    let mut next = || unescape(it.next().unwrap_or(""));
    (next(), next(), next())
}

struct Case {
    name: String,
    what: String,
    args: Vec<String>,
    output: String,
}

fn run_case(dir: &Path) -> Case {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let root = base.join("project");
    copy_tree(&repo().join("tests/bad/_base"), &root);
    copy_tree(dir, &root);
    fs::create_dir_all(base.join("outside")).unwrap();
    fs::write(base.join("outside/secret.csv"), "secret\n1\n").unwrap();
    let spec =
        fs::read_to_string(dir.join("case.txt")).unwrap_or_else(|_| panic!("{name}: no case.txt"));
    let mut what = String::new();
    let mut args = vec!["build".to_string(), "project".to_string()];
    for line in spec.lines().filter(|l| !l.trim().is_empty()) {
        let (key, rest) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{name}: bad line {line:?}"));
        let rest = rest.trim_start();
        match key {
            "what" => what = rest.to_string(),
            "args" => args = rest.split_whitespace().map(String::from).collect(),
            "replace" => {
                let (path, old, new) = parts(rest);
                let file = root.join(&path);
                let text = fs::read_to_string(&file).unwrap();
                assert_eq!(text.matches(&old).count(), 1, "{name}: {old:?} in {path}");
                fs::write(file, text.replacen(&old, &new, 1)).unwrap();
            }
            "remove" => {
                let path = root.join(rest.trim());
                if path.is_dir() {
                    fs::remove_dir_all(path).unwrap();
                } else {
                    fs::remove_file(path).unwrap();
                }
            }
            "link" => {
                let (path, target) = rest.split_once(" -> ").unwrap();
                let path = root.join(path.trim());
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                #[cfg(unix)]
                std::os::unix::fs::symlink(target.trim(), &path).unwrap();
                #[cfg(not(unix))]
                let _ = (target, path);
            }
            "repeat" => {
                let (path, count, line) = parts(rest);
                let mut text = fs::read_to_string(root.join(&path)).unwrap();
                for _ in 0..count.parse::<usize>().unwrap() {
                    text.push_str(&line);
                    text.push('\n');
                }
                fs::write(root.join(&path), text).unwrap();
            }
            "pad" => {
                let (path, count, _) = parts(rest);
                let mut bytes = fs::read(root.join(&path)).unwrap();
                bytes.extend(std::iter::repeat_n(b'x', count.parse().unwrap()));
                bytes.push(b'\n');
                fs::write(root.join(&path), bytes).unwrap();
            }
            other => panic!("{name}: unknown directive {other:?}"),
        }
    }
    assert!(!what.is_empty(), "{name}: case.txt needs a `what:` line");
    let out = Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(&base)
        .args(&args)
        .output()
        .unwrap();
    let redact = |s: &[u8]| {
        let text = String::from_utf8_lossy(s).into_owned();
        text.replace(&base.display().to_string(), "[TMP]")
            .replace(&tmp.path().display().to_string(), "[TMP]")
    };
    let mut output = format!("exit: {}\n", out.status.code().unwrap_or(-1));
    // The summary line carries timings and counts that are not messages.
    let lines: Vec<String> = redact(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("built ") && !l.starts_with("checked "))
        .map(String::from)
        .collect();
    // A long list keeps its first and last lines: the snapshot shows the shape.
    let shown = if lines.len() > SHOWN_LINES {
        let mut v = lines[..SHOWN_LINES - 2].to_vec();
        v.push(format!(
            "[… {} more lines …]",
            lines.len() - SHOWN_LINES + 1
        ));
        v.push(lines.last().unwrap().clone());
        v
    } else {
        lines
    };
    for line in shown {
        output.push_str(&line);
        output.push('\n');
    }
    Case {
        name,
        what,
        args,
        output,
    }
}

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(repo().join("tests/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n != "_base" && n != "snapshots"
        })
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_bad_project_gives_its_expected_message() {
    let dirs = cases();
    assert!(dirs.len() >= 40, "only {} cases", dirs.len());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("tests/bad/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut unhelpful = Vec::new();
    for dir in dirs {
        let case = run_case(&dir);
        // Every error and warning names its place (`file…: error: `) and says
        // how to fix it (the `; hint` part).
        for line in case.output.lines().skip(1) {
            let located = line.contains(": error: ") || line.contains(": warning: ");
            // Errors about the command line itself have no file to name.
            let command_line = case.name.starts_with("out-") && line.starts_with("error: ");
            let summary = line.starts_with("error: ") && line.contains("problem(s) found")
                || line.starts_with("nothing was written")
                || line.starts_with("[… ");
            if summary {
                continue;
            }
            if !(located || command_line) || !line.contains("; ") || line.contains("panicked") {
                unhelpful.push(format!("{}: {line}", case.name));
            }
        }
        settings.set_description(format!("{} (cxscore {})", case.what, case.args.join(" ")));
        settings.bind(|| insta::assert_snapshot!(case.name.clone(), case.output));
    }
    assert!(
        unhelpful.is_empty(),
        "lines without a place or a hint:\n{}",
        unhelpful.join("\n")
    );
}

#[test]
fn every_snapshot_has_its_case() {
    let names: Vec<String> = cases()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for entry in fs::read_dir(repo().join("tests/bad/snapshots")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(name) = file.strip_suffix(".snap") {
            assert!(names.iter().any(|n| n == name), "orphan snapshot {file}");
        }
    }
}

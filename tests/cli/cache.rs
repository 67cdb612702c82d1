//! The build cache (issue 6): each data file's partial aggregates are stored
//! in `PROJECT/.cxscore/cache/` by content, definitions and version. A build
//! that loads them must publish exactly what a build that reads every row
//! publishes (byte-identical site), and no edit of data, definitions or the
//! version may ever be answered from an outdated entry.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

use super::harness::{snapshot_tree, stderr, Fixture};

/// `cxscore build project --out OUT [extra]` with `envs` set.
fn build(f: &Fixture, out: &str, extra: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::cargo_bin("cxscore").unwrap();
    cmd.current_dir(f.root.parent().unwrap())
        .args(["build", "project", "--out", out])
        .args(extra)
        .env_remove("CXSCORE_NO_CACHE")
        .env_remove("CXSCORE_CACHE_VERSION_SALT");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The diagnostics of a run: stderr without the summary line (which names
/// the output folder and the time taken).
fn diagnostics(out: &Output) -> String {
    stderr(out)
        .lines()
        .filter(|l| !l.starts_with("built "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn out_dir(f: &Fixture, out: &str) -> PathBuf {
    f.root.parent().unwrap().join(out)
}

fn metrics_text(f: &Fixture, out: &str) -> String {
    fs::read_to_string(out_dir(f, out).join("metrics.json")).unwrap()
}

/// The cache's entries (files named by a 64-digit hex key; not the file of
/// remembered content hashes): name → bytes.
fn entries(f: &Fixture) -> BTreeMap<String, Vec<u8>> {
    let dir = f.root.join(".cxscore/cache");
    let Ok(read) = fs::read_dir(&dir) else {
        return BTreeMap::new();
    };
    read.map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .filter(|e| e.file_name().len() == 64)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Builds with a cold cache, a warm cache and no cache; asserts all three
/// sites are byte-identical and the cache was used. Returns the metrics text.
fn assert_cache_transparent(f: &Fixture, envs: &[(&str, &str)]) -> String {
    let _ = fs::remove_dir_all(f.root.join(".cxscore/cache"));
    let cold = build(f, "cold", &[], envs);
    assert!(cold.status.success(), "{}", stderr(&cold));
    assert!(!entries(f).is_empty(), "a build stores its files' partials");
    let warm = build(f, "warm", &[], envs);
    assert!(warm.status.success(), "{}", stderr(&warm));
    let none = build(f, "none", &["--no-cache"], envs);
    assert!(none.status.success(), "{}", stderr(&none));
    let cold_tree = snapshot_tree(&out_dir(f, "cold"));
    assert!(cold_tree.len() > 5);
    assert_eq!(cold_tree, snapshot_tree(&out_dir(f, "warm")));
    assert_eq!(cold_tree, snapshot_tree(&out_dir(f, "none")));
    assert_eq!(diagnostics(&cold), diagnostics(&warm));
    assert_eq!(diagnostics(&cold), diagnostics(&none));
    assert!(
        !snapshot_tree(&out_dir(f, "warm"))
            .iter()
            .any(|(p, _)| p.contains(".cxscore")),
        "the cache is never inside the site"
    );
    metrics_text(f, "warm")
}

#[test]
fn cold_warm_and_disabled_caches_give_byte_identical_sites() {
    let f = Fixture::copy("tiny");
    assert_cache_transparent(&f, &[]);
    // Also with tiny pieces, so stored partials of parallel pieces are merged.
    assert_cache_transparent(&f, &[("CXSCORE_PIECE_BYTES", "64")]);
}

#[test]
fn many_files_per_dataset_give_identical_sites_and_a_new_drop_keeps_what_it_can() {
    let f = Fixture::copy("example-project");
    assert_cache_transparent(&f, &[]);
    let before = entries(&f);
    // A new monthly drop: a copy of the last month under a new name.
    let survey = f.root.join("data/survey");
    let mut months: Vec<_> = fs::read_dir(&survey)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    months.sort();
    let last = months.last().unwrap().clone();
    fs::copy(&last, survey.join("2099-01.csv")).unwrap();
    let warm = build(&f, "drop", &[], &[]);
    assert!(warm.status.success(), "{}", stderr(&warm));
    let after = entries(&f);
    // The survey is raked over all its files (SPEC §11): the new drop changes the raking
    // factors, so each old survey file's pass entry is replaced, while its first-pass
    // entry (its cells' totals) and every other entry are kept as they were (loaded, not
    // rewritten); the new file adds two (its cells' totals and its pass). The bootstrap's
    // remembered intervals (one per analysis and persona it runs for) are of other rows
    // now: each is replaced.
    let v: serde_json::Value = serde_json::from_str(&metrics_text(&f, "warm")).unwrap();
    let runs: usize = (v["drivers"].as_array().unwrap().iter())
        .filter(|d| !d["bootstrap"].is_null())
        .map(|d| 1 + d["personas"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(runs > 1, "the example bootstraps its analysis");
    assert_eq!(after.len(), before.len() + 2);
    let kept = (before.iter())
        .filter(|(name, bytes)| after.get(*name) == Some(*bytes))
        .count();
    assert_eq!(kept, before.len() - months.len() - runs, "entries kept");
    let none = build(&f, "drop-none", &["--no-cache"], &[]);
    assert!(none.status.success(), "{}", stderr(&none));
    assert_eq!(metrics_text(&f, "drop"), metrics_text(&f, "drop-none"));
    assert_ne!(metrics_text(&f, "drop"), metrics_text(&f, "warm"));
}

/// Warm-builds after `change`, then asserts the numbers are those of a
/// cache-less build and differ from before the change.
fn assert_never_stale(f: &Fixture, change: impl FnOnce(&Fixture), envs: &[(&str, &str)]) {
    let warm_before = build(f, "before", &[], &[]);
    assert!(warm_before.status.success(), "{}", stderr(&warm_before));
    change(f);
    let cached = build(f, "after", &[], envs);
    assert!(cached.status.success(), "{}", stderr(&cached));
    let fresh = build(f, "fresh", &["--no-cache"], envs);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert_eq!(metrics_text(f, "after"), metrics_text(f, "fresh"));
    assert_ne!(
        metrics_text(f, "after"),
        metrics_text(f, "before"),
        "the change must matter, or the test proves nothing"
    );
}

#[test]
fn a_changed_data_cell_is_never_served_from_the_cache() {
    let f = Fixture::copy("tiny");
    // Same size, same shape: only the bytes differ (NPS 10 → 1 on line 2).
    assert_never_stale(
        &f,
        |f| {
            f.edit("data/survey.csv", "new,1,10,5,12", "new,1,1,5,12");
        },
        &[],
    );
}

#[test]
fn a_changed_filter_persona_or_weight_is_never_served_from_the_cache() {
    let f = Fixture::copy("tiny");
    assert_never_stale(
        &f,
        |f| {
            f.edit(
                "indicators/core.yaml",
                "  metric: csat\n",
                "  metric: csat\n  where: { channel: web }\n",
            );
        },
        &[],
    );
    assert_never_stale(
        &f,
        |f| {
            f.edit("personas/new.yaml", "equals: new", "equals: old");
        },
        &[],
    );
    assert_never_stale(
        &f,
        |f| {
            f.edit("cxscore.yaml", "weight: w", "weight: minutes");
        },
        &[],
    );
}

#[test]
fn a_new_version_never_reads_old_entries() {
    let f = Fixture::copy("tiny");
    // A valid entry holding other numbers: the partial of an edited file.
    f.edit("data/survey.csv", "new,1,10,5,12", "new,1,1,5,12");
    let other = assert_cache_transparent(&f, &[]);
    let planted: Vec<Vec<u8>> = entries(&f).into_values().collect();
    f.edit("data/survey.csv", "new,1,1,5,12", "new,1,10,5,12");
    let right = assert_cache_transparent(&f, &[]);
    assert_ne!(other, right);
    // Put it under the name of the current file's entry (one file, one entry).
    let current = entries(&f);
    assert_eq!((current.len(), planted.len()), (1, 1));
    let dir = f.root.join(".cxscore/cache");
    for name in current.keys() {
        fs::write(dir.join(name), &planted[0]).unwrap();
    }
    // The same version trusts an intact entry under its key: the plant works...
    let same = build(&f, "same", &[], &[]);
    assert!(same.status.success(), "{}", stderr(&same));
    assert_eq!(metrics_text(&f, "same"), other);
    // ...but another version never looks at it, and prunes it.
    let new = build(&f, "salted", &[], &[("CXSCORE_CACHE_VERSION_SALT", "v2")]);
    assert!(new.status.success(), "{}", stderr(&new));
    assert_eq!(metrics_text(&f, "salted"), right);
    let salted = entries(&f);
    assert_eq!(salted.len(), 1);
    assert!(salted.keys().all(|k| !current.contains_key(k)));
}

#[test]
fn corrupt_entries_are_ignored_and_rebuilt() {
    let f = Fixture::copy("tiny");
    let expected = assert_cache_transparent(&f, &[]);
    let dir = f.root.join(".cxscore/cache");
    for (name, bytes) in entries(&f) {
        // Flip the last byte: the checksum no longer matches.
        let mut bytes = bytes;
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        fs::write(dir.join(&name), bytes).unwrap();
    }
    let out = build(&f, "flipped", &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(metrics_text(&f, "flipped"), expected);
    for name in entries(&f).keys() {
        // Truncated to nothing, then garbage with a valid-looking start.
        fs::write(dir.join(name), b"cxcache1").unwrap();
    }
    let out = build(&f, "truncated", &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(metrics_text(&f, "truncated"), expected);
    // And the rebuilt entries serve the next build.
    let again = build(&f, "again", &[], &[]);
    assert_eq!(diagnostics(&again), diagnostics(&out));
    assert_eq!(metrics_text(&f, "again"), expected);
}

#[test]
fn data_errors_of_a_cached_file_are_replayed_identically() {
    let f = Fixture::copy("tiny");
    f.edit("data/survey.csv", "new,1,9,4,30", "new,1,nine,4,30");
    f.edit("data/survey.csv", "old,1,8,,20", "old,-1,8,,20");
    // bad_rows: skip — the build succeeds, the rejections are listed.
    f.edit(
        "cxscore.yaml",
        "weight: w\n",
        "weight: w\n    bad_rows: skip\n",
    );
    let m = assert_cache_transparent(&f, &[]);
    assert!(m.contains("\"rejected\": 2"), "{m}");
    // bad_rows: fail — every build fails with the same diagnostics.
    f.edit("cxscore.yaml", "    bad_rows: skip\n", "");
    let cold = build(&f, "f1", &[], &[]);
    let warm = build(&f, "f2", &[], &[]);
    let none = build(&f, "f3", &["--no-cache"], &[]);
    assert_eq!(cold.status.code(), Some(1));
    assert_eq!(warm.status.code(), Some(1));
    assert!(stderr(&cold).contains("nine"), "{}", stderr(&cold));
    assert_eq!(stderr(&cold), stderr(&warm));
    assert_eq!(stderr(&cold), stderr(&none));
}

#[test]
fn the_environment_variable_disables_the_cache() {
    let f = Fixture::copy("tiny");
    let out = build(&f, "env", &[], &[("CXSCORE_NO_CACHE", "1")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(entries(&f).is_empty());
}

#[test]
fn check_writes_nothing_to_the_cache() {
    let f = Fixture::copy("tiny");
    let check = |f: &Fixture| {
        Command::cargo_bin("cxscore")
            .unwrap()
            .current_dir(f.root.parent().unwrap())
            .args(["check", "project", "--format", "json"])
            .env_remove("CXSCORE_NO_CACHE")
            .env_remove("CXSCORE_CACHE_VERSION_SALT")
            .output()
            .unwrap()
    };
    // Cold: check computes everything and stores nothing.
    let cold = check(&f);
    assert!(cold.status.success(), "{}", stderr(&cold));
    assert!(!f.root.join(".cxscore").exists(), "check wrote the cache");
    // Warm (a build stored the entries): check leaves them exactly as they
    // were, and an outdated entry is not pruned by check either.
    let built = build(&f, "site", &[], &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let stale = f.root.join(".cxscore/cache").join("0".repeat(64));
    fs::write(&stale, b"old").unwrap();
    let before = entries(&f);
    let warm = check(&f);
    assert!(warm.status.success(), "{}", stderr(&warm));
    assert_eq!(entries(&f), before);
    assert_eq!(cold.stdout, warm.stdout, "same report, cold or warm");
}

#[test]
fn a_same_size_edit_with_its_modification_time_put_back_is_never_served_from_the_cache() {
    // The data file must be older than the racy margin (3 s) when the cache
    // remembers its hash, so that the next build trusts its status instead
    // of reading it; then an edit that keeps the size and restores the
    // modification time (as `touch -d`, `cp -p` or `rsync -t` would) must
    // still be seen: the change time moves with every write.
    let f = Fixture::copy("tiny");
    let data = f.root.join("data/survey.csv");
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let remembered = build(&f, "first", &[], &[]);
    assert!(remembered.status.success(), "{}", stderr(&remembered));
    assert!(f.root.join(".cxscore/cache/known-hashes").is_file());
    let trusted = build(&f, "second", &[], &[]);
    assert!(trusted.status.success(), "{}", stderr(&trusted));
    assert_eq!(metrics_text(&f, "first"), metrics_text(&f, "second"));
    let mtime = fs::metadata(&data).unwrap().modified().unwrap();
    let size = fs::metadata(&data).unwrap().len();
    // NPS 10 → 1, written `01`: same size; then the old modification time.
    f.edit("data/survey.csv", "new,1,10,5,12", "new,1,01,5,12");
    let file = fs::File::options().write(true).open(&data).unwrap();
    file.set_modified(mtime).unwrap();
    drop(file);
    assert_eq!(fs::metadata(&data).unwrap().len(), size);
    assert_eq!(fs::metadata(&data).unwrap().modified().unwrap(), mtime);
    let after = build(&f, "after", &[], &[]);
    assert!(after.status.success(), "{}", stderr(&after));
    let fresh = build(&f, "fresh", &["--no-cache"], &[]);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert_eq!(metrics_text(&f, "after"), metrics_text(&f, "fresh"));
    assert_ne!(metrics_text(&f, "after"), metrics_text(&f, "first"));
}

#[test]
fn a_raked_dataset_is_cached_transparently_and_never_stale() {
    // Raking (SPEC §11) caches each file's cell table for the first pass and
    // keys the main pass's partials on the fitted factors, which depend on
    // every file: the same site cold, warm and without the cache, also with
    // tiny pieces; a changed target or margin cell is never served stale.
    let f = Fixture::copy("survey");
    assert_cache_transparent(&f, &[]);
    assert_cache_transparent(&f, &[("CXSCORE_PIECE_BYTES", "64")]);
    // A fresh copy: partials stored from 64-byte pieces sum in another order.
    let f = Fixture::copy("survey");
    assert_never_stale(
        &f,
        |f| {
            f.edit(
                "cxscore.yaml",
                "plan: { basic: 0.60, pro: 0.40 }",
                "plan: { basic: 0.55, pro: 0.45 }",
            );
        },
        &[],
    );
    assert_never_stale(
        &f,
        |f| {
            f.edit(
                "data/survey.csv",
                "2025-10-01,east,basic,app,0.8",
                "2025-10-01,east,pro,app,0.8",
            );
        },
        &[],
    );
}

/// The bootstrap's intervals (SPEC §8) are remembered by a digest of the
/// rows they resample and their settings: an unchanged rebuild does not run
/// the replicates again, and any change of rows or settings runs them.
#[test]
fn bootstrap_intervals_are_remembered_and_never_stale() {
    let f = Fixture::copy("reference");
    let attributes = "    attributes: { a_speed: Speed, a_price: Price, a_support: Support }";
    let _ = build(&f, "plain", &[], &[]);
    let without = entries(&f).len();
    f.edit(
        "cxscore.yaml",
        attributes,
        &format!("{attributes}\n    bootstrap: 200"),
    );
    let metrics = assert_cache_transparent(&f, &[]);
    let v: serde_json::Value = serde_json::from_str(&metrics).unwrap();
    let low = &v["drivers"][0]["attributes"][0]["importance_ci_low"];
    assert!(low.as_f64().is_some(), "the intervals are published: {low}");
    // Beside the files' entries, one per bootstrap run (the analysis and each persona).
    assert!(entries(&f).len() > without, "no interval was remembered");
    // Other settings, other rows: never the remembered intervals.
    assert_never_stale(
        &f,
        |f| {
            f.edit("cxscore.yaml", "bootstrap: 200", "bootstrap: 300");
        },
        &[],
    );
    assert_never_stale(
        &f,
        |f| {
            f.edit(
                "data/survey.csv",
                "R0002,2025-01-11,mover,app,north,0.65,8,3,4,18.4,no,5,5,1,4,4",
                "R0002,2025-01-11,mover,app,north,0.65,8,3,4,18.4,no,5,5,5,1,1",
            );
        },
        &[],
    );
}

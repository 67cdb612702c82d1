//! A build killed with SIGKILL at any moment leaves the previous site exactly
//! as it was (or, past the atomic swap, the complete new site — never a mix),
//! and its leftovers do not disturb the next build, which removes them.

#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::harness::{snapshot_tree, stderr, Fixture};

/// Rows of generated data: enough that a debug build takes a moment, so kill
/// points fall in every stage (load, scan, render, write, swap).
const ROWS: usize = 60_000;
const ITERATIONS: usize = 20;

/// The tiny project with `ROWS` generated rows (deterministic, no rng needed:
/// the values cycle through every answer).
fn big_project() -> Fixture {
    let f = Fixture::copy("tiny");
    let mut csv = String::from("date,channel,persona,w,nps,csat,minutes,ok,comment,email\n");
    for i in 0..ROWS {
        let channel = ["web", "app", "shop"][i % 3];
        let persona = ["new", "old"][i % 2];
        csv.push_str(&format!(
            "2026-{:02}-{:02},{channel},{persona},{},{},{},{},{},c{},x{}@example.com\n",
            1 + i % 12,
            1 + i % 28,
            1 + i % 3,
            i % 11,
            1 + i % 5,
            5 + i % 97,
            ["yes", "no"][i % 2],
            i % 7,
            i
        ));
    }
    f.write("data/survey.csv", &csv);
    f
}

/// The two definitions the killed builds alternate between: they differ in a
/// target, so the sites differ (statuses, metrics.json).
fn set_inputs(f: &Fixture, which: usize) {
    let (from, to) = [
        ("target: 31\n", "target: 30\n"),
        ("target: 30\n", "target: 31\n"),
    ][which];
    let path = f.root.join("indicators/core.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".cxscore-build-"))
        .collect()
}

#[test]
fn sigkill_at_random_points_never_changes_the_previous_site() {
    let f = big_project();
    // Reference sites of both inputs, and how long one build takes.
    let mut sites = Vec::new();
    let mut took = Duration::ZERO;
    for which in [1, 0] {
        set_inputs(&f, which);
        let started = Instant::now();
        let out = f.build();
        took = took.max(started.elapsed());
        assert!(out.status.success(), "{}", stderr(&out));
        sites.push((which, snapshot_tree(&f.site())));
    }
    assert_ne!(
        sites[0].1, sites[1].1,
        "the two inputs must give different sites"
    );
    let site_of = |which: usize| &sites.iter().find(|(w, _)| *w == which).unwrap().1;

    let binary = assert_cmd::cargo::cargo_bin("cxscore");
    let mut current = 0; // the inputs of the site now in place
    let mut dead_pid = 0;
    // One kill at `fraction` of a build's duration; true when the new site was swapped in.
    let mut kill_once = |label: String, fraction: f64| -> bool {
        let next = 1 - current;
        set_inputs(&f, next);
        let mut child = Command::new(&binary)
            .args(["build", "project"])
            .current_dir(f.root.parent().unwrap())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(took.mul_f64(fraction));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        dead_pid = child.id();
        let now = snapshot_tree(&f.site());
        if &now == site_of(current) {
            return false;
        }
        assert!(
            &now == site_of(next),
            "{label} (kill at {fraction:.2} of a build): the site is neither the previous nor the new one"
        );
        current = next;
        true
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut kept, mut swapped) = (0, 0);
    let budget = Instant::now();
    for i in 0..ITERATIONS {
        // Half the kills anywhere in a build, half in its last third (render,
        // write and swap are short, so they get extra chances).
        let fraction: f64 = if i % 2 == 0 {
            rng.random_range(0.0..1.1)
        } else {
            rng.random_range(0.66..1.05)
        };
        if kill_once(format!("iteration {i}"), fraction) {
            swapped += 1;
        } else {
            kept += 1;
        }
        assert!(
            budget.elapsed() < took * 4 * ITERATIONS as u32 + Duration::from_secs(30),
            "the loop takes too long"
        );
    }
    // On a loaded machine a build can take longer than the measured one, so
    // every kill may land before the swap; then kill later, until one lands after.
    for extra in 0..6 {
        if swapped > 0 {
            break;
        }
        if kill_once(format!("late kill {extra}"), 1.5 + extra as f64) {
            swapped += 1;
        }
    }
    // The kills must have landed both before and after the swap, or the test
    // proved nothing about one of the two sides.
    eprintln!("kept {kept}, swapped {swapped}, one build {took:?}");
    assert!(kept > 0 && swapped > 0, "kept {kept}, swapped {swapped}");

    // Kills rarely land in the few milliseconds of the write stage, so also
    // plant what one leaves there: a half-written temporary folder named with
    // the (now dead) builder's pid.
    let planted = f.root.join(format!(".cxscore-build-{dead_pid}-Zz9"));
    fs::create_dir_all(planted.join("indicators")).unwrap();
    fs::write(planted.join("index.html"), "<html><body>half").unwrap();
    let found = leftovers(&f.root).len();
    eprintln!("leftovers before the next build: {found} (one planted)");

    // The next build succeeds, gives the reference site and removes every leftover.
    set_inputs(&f, 1 - current);
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(&snapshot_tree(&f.site()), site_of(1 - current));
    assert_eq!(leftovers(&f.root), Vec::<String>::new());
}

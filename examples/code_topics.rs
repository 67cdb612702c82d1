//! How long the codebook takes per comment, apart from the rest of the build:
//! the matcher's own benchmark (docs/PERFORMANCE.md, "Topics' cost").
//!
//!     cargo run --release --example code_topics -- PROJECT DATASET FILE.csv COLUMN [RUNS|check]
//!
//! Loads PROJECT's topics for DATASET, reads every non-blank COLUMN of the
//! CSV into memory, then codes them all RUNS times (default 5) with
//! `Codebook::code`, printing the best and median time per comment and a
//! checksum of the codes (so two matchers can be compared for agreement).
//! With `check`, codes every comment once more with each topic's own
//! regexes (`TopicMatcher`, the rules as written) and counts disagreements.

use std::time::Instant;

use cxscore::diag::Diagnostics;
use cxscore::project::topic_match::{Codebook, Rules, Scratch, TopicMatcher};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project, dataset, file, column, rest @ ..] = args.as_slice() else {
        eprintln!("usage: code_topics PROJECT DATASET FILE.csv COLUMN [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut diags = Diagnostics::default();
    let Some(project) = cxscore::project::load(std::path::Path::new(project), &mut diags) else {
        eprintln!("cannot load the project");
        std::process::exit(1);
    };
    let topics: Vec<_> = (project.topics.iter())
        .filter(|t| t.datasets.iter().any(|d| d == dataset))
        .collect();
    let rules: Vec<Rules<'_>> = topics.iter().map(|&t| Rules::from(t)).collect();
    let book = Codebook::new(&rules).expect("the codebook compiles");
    let mut reader = csv::Reader::from_path(file).expect("the CSV opens");
    let at = (reader.headers().expect("a header").iter())
        .position(|h| h == column)
        .expect("the column exists");
    let comments: Vec<String> = (reader.records())
        .filter_map(|r| r.ok().map(|r| r[at].trim().to_string()))
        .filter(|c| !c.is_empty())
        .collect();
    let (mut scratch, mut out) = (Scratch::default(), Vec::new());
    if rest.first().is_some_and(|r| r == "check") {
        let alone: Vec<TopicMatcher> = (topics.iter())
            .map(|t| TopicMatcher::new(&t.keywords, &t.patterns, &t.exclude).expect("compiles"))
            .collect();
        let mut differ = 0;
        for c in &comments {
            book.code(c, &mut scratch, &mut out);
            let want: Vec<usize> = (0..alone.len()).filter(|&i| alone[i].matches(c)).collect();
            if out != want {
                differ += 1;
                if differ <= 5 {
                    eprintln!("{c:?}: codebook {out:?}, each topic alone {want:?}");
                }
            }
        }
        println!("{} comments, {differ} coded differently", comments.len());
        std::process::exit(i32::from(differ > 0));
    }
    let mut times = Vec::new();
    let mut checksum = 0u64;
    for _ in 0..runs {
        let start = Instant::now();
        checksum = 0;
        for c in &comments {
            book.code(c, &mut scratch, &mut out);
            for &t in &out {
                checksum = checksum.wrapping_mul(31).wrapping_add(t as u64 + 1);
            }
            checksum = checksum.wrapping_mul(7).wrapping_add(out.len() as u64);
        }
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let per = |s: f64| s * 1e9 / comments.len() as f64;
    println!(
        "{} comments, {} topics: best {:.0} ns, median {:.0} ns per comment; checksum {checksum:x}",
        comments.len(),
        topics.len(),
        per(times[0]),
        per(times[times.len() / 2]),
    );
}

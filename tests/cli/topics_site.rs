//! The site side of topics (SPEC §7, issue 14) on the real binary: the Topics
//! page in impact order, hostile comments escaped, small topics withheld,
//! each page's voices grouped by its own metric, and the example's pages each
//! showing their own sample of comments.

use std::collections::BTreeSet;
use std::fs;

use crate::harness::{stderr, Fixture};

/// tiny's survey with a comment on every row but the last (by hand below).
const SURVEY: &str = "\
date,channel,persona,w,nps,csat,minutes,ok,comment,email
2026-01-05,web,new,1,10,5,12,yes,\"Great service, thank you\",a@example.com
2026-01-06,web,new,1,9,4,30,yes,great and fast,b@example.com
2026-01-07,app,old,1,9,3,45,no,\"Slow, but ok\",c@example.com
2026-01-08,app,old,1,8,,20,yes,ok,d@example.com
2026-01-09,web,new,1,7,2,60,no,slow install,e@example.com
2026-02-02,app,old,1,6,1,15,yes,Bad and slow,f@example.com
2026-02-03,web,new,1,3,5,90,no,<script>alert(1)</script> bad engineer,g@example.com
2026-02-04,app,new,1,10,4,25,yes,Great,h@example.com
2026-02-05,web,old,1,9,4,35,yes,fine,i@example.com
2026-02-06,app,old,1,,3,40,,,j@example.com
";

const CODEBOOK: &str = "\
- id: praise
  name: Praise
  keywords: [great]
- id: slow
  name: Slowness
  group: Speed
  keywords: [slow]
- id: bad
  name: Bad experience
  keywords: [bad]
";

/// tiny with the comments and codebook above and `min_n_comments`, built.
fn built(min_n_comments: u32) -> Fixture {
    let f = Fixture::copy("tiny");
    f.edit(
        "cxscore.yaml",
        "min_n: 3\n",
        &format!("min_n: 3\nmin_n_comments: {min_n_comments}\n"),
    );
    f.write("data/survey.csv", SURVEY);
    f.write("topics/core.yaml", CODEBOOK);
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    f
}

fn page(f: &Fixture, rel: &str) -> String {
    fs::read_to_string(f.site().join(rel)).unwrap()
}

/// The verbatims block of a page (from its section to the section's end).
fn verbatims_block(html: &str) -> Option<&str> {
    let start = html.find("class=\"verbatims\"")?;
    let end = html[start..].find("</section>").unwrap() + start;
    Some(&html[start..end])
}

/// The comments a block shows.
fn shown_comments(block: &str) -> BTreeSet<String> {
    let open = "<blockquote class=\"verbatim\"><p>";
    (block.split(open).skip(1))
        .map(|rest| rest[..rest.find("</p>").unwrap()].to_string())
        .collect()
}

#[test]
fn the_topics_page_lists_topics_by_impact_most_costly_first() {
    let f = built(1);
    let html = page(&f, "topics.html");
    // By hand, NPS of the 9 commenting rows with an NPS: (5 − 2)/9 = 33.3.
    // Without "bad" (rows 6, 7): 5 promoters of 7 = 71.4, impact −38.1;
    // without "slow" (3, 5, 6): (4 − 1)/6 = 50, impact −16.7; without
    // "great" (1, 2, 8): (2 − 2)/6 = 0, impact +33.3.
    let at = |name: &str| {
        html.find(&format!("<th scope=\"row\">{name}</th>"))
            .unwrap()
    };
    assert!(at("Bad experience") < at("Slowness"), "bad before slow");
    assert!(at("Slowness") < at("Praise"), "slow before praise");
    for impact in ["−38.1", "−16.7", "+33.3"] {
        assert!(html.contains(&format!(">{impact}<")), "impact {impact}");
    }
    assert!(html.contains("cost the most NPS points first"));
    // Two answered comments of nine carry no topic: "ok" and "fine".
    assert!(
        html.contains("2 comments (22.2%) carry no topic"),
        "coverage"
    );
    // The navigation links it, the report embeds it, the methodology explains it.
    assert!(page(&f, "index.html").contains("href=\"topics.html\""));
    assert!(page(&f, "report.html").contains("id=\"topics\""));
    assert!(page(&f, "methodology.html").contains("id=\"topics-method\""));
    // In Chinese too.
    let out = f.run(&["build", "project", "--language", "zh-CN"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let zh = page(&f, "topics.html");
    assert!(zh.contains("按影响排序") && zh.contains("Bad experience"));
}

#[test]
fn a_script_in_a_topic_sample_is_escaped() {
    let f = built(1);
    let html = page(&f, "topics.html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;"),
        "the comment is shown"
    );
    assert!(!html.contains("<script>"));
    assert!(!page(&f, "report.html").contains("<script>"));
}

#[test]
fn topic_comments_are_not_shown_below_min_n_comments() {
    // min_n_comments 3: praise and slow have 3 mentions, bad only 2.
    let f = built(3);
    let html = page(&f, "topics.html");
    assert!(html.contains("Slow, but ok"), "slow's sample is shown");
    // "bad engineer" carries only "bad"; "Bad and slow" may show under slow.
    assert!(!html.contains("bad engineer"));
    let start = html.find("<h4>Bad experience").unwrap();
    let bad = &html[start..start + html[start..].find("</div>").unwrap()];
    assert!(!bad.contains("<blockquote"), "{bad}");
    assert!(
        bad.contains("Fewer than 3 comments carry this topic"),
        "{bad}"
    );
}

#[test]
fn a_csat_page_groups_its_comments_by_its_box() {
    let f = built(1);
    let csat = page(&f, "indicators/csat.html");
    let block = verbatims_block(&csat).expect("csat shows comments");
    assert!(block.contains("In the box (4–5)"), "{block}");
    assert!(block.contains("Not in the box") && block.contains("vg-in-box"));
    assert!(!block.contains("Promoters") && !block.contains("vg-passive"));
    // Not in the box (csat 1–3): rows 3, 5, 6 and 10 (blank): all three comments shown.
    let (inside, outside) = block.split_at(block.find("vg-out-box").unwrap());
    for comment in ["Slow, but ok", "slow install", "Bad and slow"] {
        assert!(
            outside.contains(comment) && !inside.contains(comment),
            "{comment}"
        );
    }
    // The NPS page keeps the NPS groups, with each group's top topics.
    let nps = page(&f, "indicators/nps.html");
    let block = verbatims_block(&nps).unwrap();
    assert!(block.contains("vg-promoter") && block.contains("Promoters"));
    let promoters = &block[block.find("vg-promoter").unwrap()..block.find("vg-passive").unwrap()];
    assert!(promoters.contains("Praise"), "{promoters}");
}

#[test]
fn a_persona_page_lists_its_top_topics() {
    let f = built(1);
    // newcomer: rows 1, 2, 5, 7, 8; praise on 1, 2, 8 = 60 %.
    let html = page(&f, "personas/newcomer.html");
    let start = html
        .find("class=\"persona-topics\"")
        .expect("a topics section");
    let section = &html[start..];
    let praise = section.find("Praise").unwrap();
    assert!(praise < section.find("Slowness").unwrap());
    assert!(section.contains(">60.0<"), "{section}");
}

#[test]
fn two_pages_of_the_example_site_do_not_show_the_same_sample_of_comments() {
    let f = Fixture::copy("example-project");
    let out = f.build();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut shown: Vec<(String, BTreeSet<String>)> = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(f.site().join("indicators"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let html = fs::read_to_string(&path).unwrap();
        let comments = verbatims_block(&html)
            .map(shown_comments)
            .unwrap_or_default();
        if !comments.is_empty() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            shown.push((name, comments));
        }
    }
    assert!(shown.len() >= 2, "{} pages show comments", shown.len());
    for (i, (a, first)) in shown.iter().enumerate() {
        for (b, second) in &shown[i + 1..] {
            assert_ne!(first, second, "{a} and {b} show the same comments");
        }
    }
}

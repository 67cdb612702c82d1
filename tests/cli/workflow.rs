//! The everyday workflow: init, check's machine formats, schema, serve, and the baseline.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use assert_cmd::Command;
use serde_json::Value;

use crate::harness::{repo, stderr, Fixture};

/// `cxscore ARGS` run in `cwd`.
fn run_in(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("cxscore")
        .unwrap()
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn init_then_build_and_check_from_an_unrelated_folder_in_both_languages() {
    // A folder with no checkout beside it: the theme and the starter come from the binary.
    let tmp = tempfile::tempdir().unwrap();
    for (lang, word) in [("en", "Scorecard"), ("zh-CN", "计分卡")] {
        let dir = format!("p-{lang}");
        let out = run_in(tmp.path(), &["init", &dir, "--language", lang]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let out = run_in(tmp.path(), &["build", &dir]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let site = tmp.path().join(&dir).join("_site");
        let index = fs::read_to_string(site.join("index.html")).unwrap();
        assert!(index.contains(&format!("lang=\"{lang}\"")), "{lang}");
        assert!(index.contains(word), "{lang}: no {word}");
        // Five indicators, every one with a value (180 rows, 60 a month, min_n 30).
        let metrics = read_json(&site.join("metrics.json"));
        let inds = metrics["indicators"].as_array().unwrap();
        assert_eq!(inds.len(), 5);
        assert!(inds.iter().all(|i| i["value"].is_number()), "{inds:?}");
        assert_eq!(metrics["data"]["survey"]["rows"], 180);
        for page in [
            "personas/new-customer.html",
            "journeys/onboarding.html",
            "pages/about.html",
        ] {
            assert!(site.join(page).is_file(), "{lang}: {page}");
        }
        if lang == "zh-CN" {
            // The Chinese starter's journey has the seven stages, in order, on the built page.
            let journey = fs::read_to_string(site.join("journeys/onboarding.html")).unwrap();
            let at: Vec<usize> = ["发现", "探索", "比较", "购买", "使用", "保留", "推荐"]
                .iter()
                .map(|s| {
                    journey
                        .find(&format!(">{s}<"))
                        .unwrap_or_else(|| panic!("no stage {s}"))
                })
                .collect();
            assert!(
                at.windows(2).all(|w| w[0] < w[1]),
                "stages out of order: {at:?}"
            );
        }
        let out = run_in(tmp.path(), &["check", &dir]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        // The build stored its cache; the project's .gitignore keeps it (and
        // the site) out of git, but not the editors' schemas.
        assert!(tmp.path().join(&dir).join(".cxscore/cache").is_dir());
        let ignore = fs::read_to_string(tmp.path().join(&dir).join(".gitignore")).unwrap();
        let lines: Vec<&str> = ignore.lines().filter(|l| !l.starts_with('#')).collect();
        // …and the follow-up list (personal follow-up data, SPEC §10).
        assert_eq!(lines, ["_site/", ".cxscore/cache/", "_followup/"]);
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("mine")).unwrap();
    fs::write(tmp.path().join("mine/notes.md"), "keep me").unwrap();
    let out = run_in(tmp.path(), &["init", "mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    let left: Vec<_> = fs::read_dir(tmp.path().join("mine")).unwrap().collect();
    assert_eq!(left.len(), 1, "init wrote into a non-empty folder");
    // An unknown language is a usage error.
    let out = run_in(tmp.path(), &["init", "new", "--language", "fr"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_prints_json_for_machines_and_annotations_for_github() {
    let f = Fixture::copy("tiny");
    // Valid project: every indicator's status; the red composite trips the gate.
    let out = f.run(&["check", "project", "--format", "json", "--fail-on", "red"]);
    assert_eq!(out.status.code(), Some(3));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses = report["indicators"].as_array().unwrap();
    assert!(statuses.iter().any(|i| i["status"] == "red"));
    let tripped = report["gate_failures"].as_array().unwrap();
    let red: Vec<&Value> = statuses
        .iter()
        .filter(|i| i["status"] == "red")
        .map(|i| &i["id"])
        .collect();
    assert_eq!(tripped.iter().collect::<Vec<_>>(), red);
    // The only findings are the coverage warning of the red composite, which
    // no action answers (SPEC §10).
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f.to_string().contains("has no open action")),
        "{findings:?}"
    );

    // A typo'd key: a located finding, and an annotation on the line.
    f.edit("indicators/core.yaml", "  target: 60\n", "  tagret: 60\n");
    let text = fs::read_to_string(f.root.join("indicators/core.yaml")).unwrap();
    let line = text.lines().position(|l| l.contains("tagret")).unwrap() + 1;
    let out = f.run(&["check", "project", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["file"], "indicators/core.yaml");
    assert_eq!(finding["line"], line);
    assert_eq!(finding["column"], 3);
    assert_eq!(finding["severity"], "error");
    let out = f.run(&["check", "project", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!(
            "::error file=project/indicators/core.yaml,line={line},col=3::unknown field `tagret`"
        )),
        "{stdout}"
    );
    // Run from inside the project, the path is the project's own.
    let out = run_in(&f.root, &["check", "--format", "github"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("::error file=indicators/core.yaml,"),
        "{stdout}"
    );
    assert!(!f.site().exists(), "check wrote a site");
}

/// Every `*.yaml` of a project with the schema that describes it.
fn yaml_files(root: &Path) -> Vec<(std::path::PathBuf, &'static str)> {
    let mut out = vec![(root.join("cxscore.yaml"), "cxscore.schema.json")];
    for (folder, schema) in [
        ("personas", "persona.schema.json"),
        ("journeys", "journey.schema.json"),
        ("indicators", "indicators.schema.json"),
    ] {
        let Ok(entries) = fs::read_dir(root.join(folder)) else {
            continue; // a project may have no journeys, say
        };
        let mut files: Vec<_> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|p| (p, schema)));
    }
    out
}

fn validator(dir: &Path, schema: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&read_json(&dir.join(schema))).unwrap()
}

fn yaml_value(path: &Path) -> Value {
    serde_saphyr::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_schema_accepts_every_yaml_of_the_example_and_rejects_a_typo() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_in(tmp.path(), &["schema", "--out", "schemas"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = tmp.path().join("schemas");
    let mut files = yaml_files(&repo().join("example-project"));
    assert!(files.len() >= 9, "{files:?}");
    // The reference fixture uses what the example does not: `metric: gap`, benchmarks.
    files.extend(yaml_files(&repo().join("tests/fixtures/reference")));
    // The lookup fixture: `key`, `lookup`, banded segments, numeric `where` (SPEC §9).
    files.extend(yaml_files(&repo().join("tests/fixtures/lookup")));
    for (file, schema) in &files {
        let v = validator(&dir, schema);
        let errors: Vec<String> = v
            .iter_errors(&yaml_value(file))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
    // The loader and the schema agree on a typo'd key, an unknown metric and a wrong type.
    let indicators = validator(&dir, "indicators.schema.json");
    let good = yaml_value(&repo().join("example-project/indicators/relationship.yaml"));
    for (key, value) in [
        ("tagret", serde_json::json!(20)),
        ("metric", serde_json::json!("nsp")),
        ("target", serde_json::json!("high")),
    ] {
        let mut bad = good.clone();
        bad[0][key] = value;
        assert!(!indicators.is_valid(&bad), "{key} passed the schema");
    }
    let mut bad = yaml_value(&repo().join("tests/fixtures/lookup/indicators/core.yaml"));
    bad[1]["where"]["wait_minutes"] = serde_json::json!({ "gtt": 60 });
    assert!(
        !indicators.is_valid(&bad),
        "a numeric test's typo passed the schema"
    );
    let config = validator(&dir, "cxscore.schema.json");
    let mut bad = yaml_value(&repo().join("example-project/cxscore.yaml"));
    bad["datasets"]["survey"]["segment"] = serde_json::json!(["persona"]);
    assert!(!config.is_valid(&bad));
    // `init` wrote the same schemas into its project, and its own files pass them.
    let out = run_in(tmp.path(), &["init", "p"]);
    assert_eq!(out.status.code(), Some(0));
    let own = tmp.path().join("p/.cxscore/schema");
    for (_, schema) in yaml_files(&tmp.path().join("p")) {
        assert_eq!(
            fs::read(own.join(schema)).unwrap(),
            fs::read(dir.join(schema)).unwrap()
        );
    }
    for (file, schema) in yaml_files(&tmp.path().join("p")) {
        assert!(
            validator(&own, schema).is_valid(&yaml_value(&file)),
            "{}",
            file.display()
        );
    }
}

/// A `cxscore serve` child, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(cwd: &Path, project: &str) -> Server {
        Server::start_with(cwd, &["serve", project, "--port", "0"], &[])
    }

    fn start_with(cwd: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Server {
        let mut child = StdCommand::cargo_bin("cxscore")
            .unwrap()
            .current_dir(cwd)
            .args(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit("http://127.0.0.1:")
            .next()
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        Server { child, port }
    }

    /// GET `path`: (status, body).
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    fn version(&self) -> Value {
        serde_json::from_str(&self.get("/__cxscore/version").1).unwrap()
    }

    /// Polls until `ready` holds (bounded: a rebuild of the tiny project takes well under a second).
    fn wait_for(&self, what: &str, ready: impl Fn(&Server) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn serve_answers_on_loopback_rebuilds_on_change_and_keeps_the_last_good_site() {
    let f = Fixture::copy("tiny");
    let server = Server::start(f.root.parent().unwrap(), "project");
    let (status, index) = server.get("/");
    assert_eq!(status, 200);
    assert!(index.contains("/__cxscore/version"), "no reload script");
    assert_eq!(server.version()["error"], false);
    let (status, css) = server.get("/style.css");
    assert_eq!(status, 200);
    assert!(!css.contains("__cxscore"));
    // Nothing outside the site is reachable.
    for path in ["/../cxscore.yaml", "/%2e%2e/cxscore.yaml", "/cxscore.yaml"] {
        let (status, body) = server.get(path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("datasets"), "{path} leaked the project");
    }
    assert_eq!(server.get("/no-such-page.html").0, 404);

    // An edit: the page changes.
    let v1 = server.version()["version"].as_u64().unwrap();
    let title = fs::read_to_string(f.root.join("cxscore.yaml")).unwrap();
    let old = title
        .lines()
        .find(|l| l.starts_with("title:"))
        .unwrap()
        .to_string();
    f.edit("cxscore.yaml", &old, "title: Edited While Serving");
    server.wait_for("the edited title", |s| {
        s.get("/").1.contains("Edited While Serving")
    });
    assert!(server.version()["version"].as_u64().unwrap() > v1);

    // A broken edit: the error is shown, escaped, over the last good site.
    f.edit(
        "indicators/core.yaml",
        "  target: 60\n",
        "  tagret: <b>60</b>\n",
    );
    server.wait_for("the build error", |s| s.version()["error"] == true);
    let (status, page) = server.get("/");
    assert_eq!(status, 200);
    assert!(
        page.contains("Edited While Serving"),
        "the last good site is gone"
    );
    assert!(page.contains("cxscore-error"));
    assert!(
        page.contains("core.yaml:15:3: error: unknown field"),
        "{page}"
    );

    // Fixed again: the error goes away.
    f.edit(
        "indicators/core.yaml",
        "  tagret: <b>60</b>\n",
        "  target: 60\n",
    );
    server.wait_for("the fixed build", |s| s.version()["error"] == false);
    assert!(!server.get("/").1.contains("cxscore-error"));
    // serve never writes into the project; the reload script exists only at serve time.
    assert!(!f.site().exists());
    let out = f.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let built = fs::read_to_string(f.site().join("index.html")).unwrap();
    assert!(!built.contains("__cxscore"));
}

#[cfg(unix)]
#[test]
fn serve_open_hands_the_served_url_to_the_browser() {
    use std::os::unix::fs::PermissionsExt;
    // A stand-in browser: writes the URL it was given, as `$BROWSER` would get it.
    let f = Fixture::copy("tiny");
    let dir = f.root.parent().unwrap();
    let opened = dir.join("opened.txt");
    let browser = dir.join("browser.sh");
    fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    let args = ["serve", "project", "--port", "0", "--open"];
    let server = Server::start_with(dir, &args, &[("BROWSER", &browser)]);
    server.wait_for("the browser to be called", |_| {
        fs::read_to_string(&opened).is_ok_and(|url| url.ends_with('/'))
    });
    let url = fs::read_to_string(&opened).unwrap();
    assert_eq!(url, format!("http://127.0.0.1:{}/", server.port));
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn serve_refuses_a_port_in_use() {
    let f = Fixture::copy("tiny");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = f.run(&["serve", "project", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot listen"), "{}", stderr(&out));
}

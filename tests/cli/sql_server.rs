//! A real, throwaway PostgreSQL server for the SQL-source tests (SPEC §12): a cluster made by
//! `initdb` in a temporary folder, started by `pg_ctl` on a free local port, stopped and
//! deleted when the test ends. Never a mock.
//!
//! When PostgreSQL is not installed the tests skip with a message — except under `CI=true`,
//! where they fail (`.ci/run` installs it). `initdb` refuses to run as root: as root the
//! server runs as the `postgres` system user (`runuser`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

/// A running throwaway server; dropped, it is stopped and its folder deleted.
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    as_postgres: bool,
    /// The local TCP port it listens on.
    pub port: u16,
}

/// The folder holding `initdb` and `pg_ctl`: the newest `/usr/lib/postgresql/*/bin` (Debian),
/// else the `PATH` entry holding `initdb`.
fn bin_dir() -> Option<PathBuf> {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    debian.sort_by_key(|p| {
        let version = p.parent().and_then(|v| v.file_name());
        version
            .and_then(|v| v.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(newest) = debian.pop() {
        return Some(newest);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl PgServer {
    /// Starts a server, or `None` after printing why the test is skipped (no PostgreSQL on
    /// this machine). Under `CI=true` a missing PostgreSQL fails the test instead.
    pub fn start(test: &str) -> Option<PgServer> {
        let Some(bin) = bin_dir() else {
            let why = "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on PATH)";
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: {why}; CI must install it (apt-get install -y postgresql, as .ci/run does)");
            }
            eprintln!("SKIP {test}: {why}; install it (apt-get install postgresql) to run the SQL-source tests");
            return None;
        };
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("cxscore-pg")
            .tempdir()
            .unwrap();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["postgres:", &dir.path().to_string_lossy()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "{test}: cannot hand the cluster folder to the postgres user"
            );
        }
        let mut server = PgServer {
            dir,
            bin,
            as_postgres,
            port: 0,
        };
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        // A port free a moment ago may be taken by another test's server meanwhile: retry.
        for _ in 0..5 {
            server.port = free_port();
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_preload_libraries=pg_stat_statements",
                server.port,
                server.dir.path().display()
            );
            let log = server.dir.path().join("server.log");
            let started = server.try_run(
                "pg_ctl",
                &[
                    "-D",
                    &data,
                    "-l",
                    &log.to_string_lossy(),
                    "-o",
                    &options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ],
            );
            if started {
                return Some(server);
            }
        }
        let log = std::fs::read_to_string(server.dir.path().join("server.log")).unwrap_or_default();
        panic!("{test}: the throwaway PostgreSQL server did not start:\n{log}");
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        };
        command.args(args).current_dir(self.dir.path());
        command
    }

    fn try_run(&self, program: &str, args: &[&str]) -> bool {
        let out = self.command(program, args).output().unwrap();
        out.status.success()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program, args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The connection URL (trust authentication: no password).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A client, to load fixtures and to ask the server what it did.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}

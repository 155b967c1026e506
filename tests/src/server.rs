//! Starting the real `ordercore` binary.
//!
//! Each [`Instance`] is one deployment: a temp working directory, one
//! database, and the `ORDERCORE_*` environment of its processes. Inherited
//! `ORDERCORE_*` variables are removed (the Makefile exports
//! `ORDERCORE_DATABASE_URL`), so a test sees only what it sets.

use crate::db::{Backend, TestDb};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The data key of PostgreSQL instances: base64 of 32 bytes of 0x2a.
pub const TEST_DATA_KEY: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";

/// How long a server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One deployment of the binary: working directory, database, environment.
pub struct Instance {
    bin: PathBuf,
    dir: TempDir,
    env: BTreeMap<String, String>,
    /// Held so the database lives (and is dropped) with the instance.
    _db: Option<TestDb>,
}

impl Instance {
    /// An instance on `backend`; `None` when that backend is PostgreSQL and
    /// the test is SKIPPED (see [`TestDb::postgres`]).
    pub fn new(bin: impl Into<PathBuf>, backend: Backend, test: &str) -> Option<Instance> {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite(dir.path()),
            Backend::Postgres => TestDb::postgres(test)?,
        };
        let mut instance = Instance::bare(bin, dir);
        instance.set("ORDERCORE_DATABASE_URL", &db.url);
        if backend == Backend::Postgres {
            // PostgreSQL needs an explicit processor (docs/configuration.md);
            // tests that use the stub processor override it.
            instance.set("ORDERCORE_PAYMENT_GATEWAY", "simulated");
            // PostgreSQL needs a data key too (docs/security.md).
            instance.set("ORDERCORE_DATA_KEY", TEST_DATA_KEY);
        }
        instance._db = Some(db);
        Some(instance)
    }

    /// An instance started the way `make run` starts one: no database
    /// setting (the default `sqlite://ordercore.db` in its working directory),
    /// the simulated processor, the log mailer; only the port is free-picked.
    pub fn like_make_run(bin: impl Into<PathBuf>) -> Instance {
        Instance::bare(bin, tempfile::tempdir().expect("temp dir"))
    }

    fn bare(bin: impl Into<PathBuf>, dir: TempDir) -> Instance {
        let mut env = BTreeMap::new();
        for (k, v) in [
            ("ORDERCORE_BIND", "127.0.0.1:0"),
            ("ORDERCORE_LOG", "info"),
            ("ORDERCORE_DATABASE_POOL_SIZE", "4"),
            ("ORDERCORE_ROUTE_CACHE_TTL_MS", "200"),
            ("ORDERCORE_OUTBOX_INTERVAL_MS", "250"),
            ("ORDERCORE_SHUTDOWN_TIMEOUT_SECS", "5"),
        ] {
            env.insert(k.to_string(), v.to_string());
        }
        Instance {
            bin: bin.into(),
            dir,
            env,
            _db: None,
        }
    }

    /// A second deployment of the same service: same binary, environment and
    /// database, its own working directory. The database stays owned by
    /// `self` (dropped with it), so keep `self` alive at least as long.
    pub fn sibling(&self) -> Instance {
        Instance {
            bin: self.bin.clone(),
            dir: tempfile::tempdir().expect("temp dir"),
            env: self.env.clone(),
            _db: None,
        }
    }

    /// Sets (or, with an empty value, blanks) an environment variable of
    /// every process this instance starts from now on.
    pub fn set(&mut self, key: &str, value: &str) -> &mut Instance {
        self.env.insert(key.to_string(), value.to_string());
        self
    }

    /// Removes an environment variable from the processes started from now on.
    pub fn unset(&mut self, key: &str) -> &mut Instance {
        self.env.remove(key);
        self
    }

    /// Its database (`None` for an instance started like `make run`).
    pub fn database(&self) -> Option<&TestDb> {
        self._db.as_ref()
    }

    /// The `ORDERCORE_DATABASE_URL` its processes get.
    pub fn database_url(&self) -> Option<&str> {
        self.env.get("ORDERCORE_DATABASE_URL").map(String::as_str)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The value an environment variable of this instance's processes has.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.env.get(key).map(String::as_str)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args).current_dir(self.dir.path());
        for (key, _) in std::env::vars() {
            if key.starts_with("ORDERCORE_") {
                cmd.env_remove(key);
            }
        }
        cmd.envs(&self.env);
        cmd
    }

    /// Runs a command (`migrate`, `routes disable orders/read`, …) to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self
            .command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()));
        if crate::test_log() {
            eprintln!(
                "$ ordercore {}\n{}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        out
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ordercore {} failed ({}):\n{}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `migrate`, `seed --demo`, then [`Instance::serve`].
    pub fn start(self) -> TestServer {
        self.run_ok(&["migrate"]);
        self.run_ok(&["seed", "--demo"]);
        self.serve()
    }

    /// `ordercore serve`, returning once it printed the address it listens on.
    /// Each server served this way has a log of its own (an instance served
    /// again after [`TestServer::stop`] starts a new one); only
    /// [`TestServer::restart`] appends to the log of the process it replaces.
    pub fn serve(self) -> TestServer {
        let log_path = self.dir.path().join("server.log");
        let _ = std::fs::remove_file(&log_path);
        let (child, base) = self.spawn_serve(&log_path);
        TestServer {
            base,
            child: Some(child),
            http: reqwest::Client::new(),
            instance: self,
            log_path,
        }
    }

    /// Starts `serve` (its log appended to `log_path`) and waits for its address.
    fn spawn_serve(&self, log_path: &Path) -> (Child, String) {
        let mut cmd = self.command(&["serve"]);
        cmd.stdout(Stdio::piped());
        if crate::test_log() {
            cmd.stderr(Stdio::inherit());
        } else {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log_path)
                .expect("log file");
            cmd.stderr(log);
        }
        let mut child = cmd.spawn().expect("spawn ordercore serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(url) = line.strip_prefix("ordercore listening on ") {
                    let _ = tx.send(url.trim().to_string());
                    sent = true;
                }
            }
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(base) => (child, base),
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                panic!(
                    "ordercore serve did not start (exit: {status:?}); its log:\n{}",
                    std::fs::read_to_string(log_path).unwrap_or_default()
                );
            }
        }
    }
}

/// A running `ordercore serve`; killed when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub http: reqwest::Client,
    pub instance: Instance,
    child: Option<Child>,
    log_path: PathBuf,
}

impl TestServer {
    /// `http://127.0.0.1:PORT/api/v1/<route>`.
    pub fn url(&self, route: &str) -> String {
        format!("{}/api/v1/{route}", self.base)
    }

    /// The server's log so far (empty with `TEST_LOG=1`: it went to the terminal).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Runs an operator command against the same database and environment.
    pub fn cli(&self, args: &[&str]) -> String {
        self.instance.run_ok(args)
    }

    /// Kills the process with SIGKILL (no shutdown, no cleanup) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts `serve` again on the same database and environment (after a
    /// crash, a kill or a stop; a process still running is killed first).
    /// It listens on a new port: `base` changes.
    pub fn restart(&mut self) {
        self.kill();
        let (child, base) = self.instance.spawn_serve(&self.log_path);
        self.child = Some(child);
        self.base = base;
    }

    /// Sends SIGTERM and waits (up to `timeout`) for the process to exit.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.send_sigterm();
        self.wait_for_exit(timeout)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 15 s) and hands back
    /// its instance (directory, database, environment) to start again.
    pub fn stop(mut self) -> Instance {
        if self.terminate(Duration::from_secs(15)).is_none()
            && let Some(mut child) = self.child.take()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
        let placeholder = Instance::bare(
            self.instance.bin.clone(),
            tempfile::tempdir().expect("temp dir"),
        );
        std::mem::replace(&mut self.instance, placeholder)
    }

    /// Sends SIGTERM (the way an orchestrator stops an instance).
    pub fn send_sigterm(&self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
    }

    /// Waits (up to `timeout`) for the process to exit; blocks the thread.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let child = self.child.as_mut()?;
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

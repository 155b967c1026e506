//! A real haproxy in front of running servers, configured by the repository's
//! `docs/haproxy.cfg` (the file the operations guide shows), in the foreground
//! (`haproxy -f docs/haproxy.cfg -db`) on a free port.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether the `haproxy` binary can be run.
pub fn haproxy_installed() -> bool {
    Command::new("haproxy")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `docs/haproxy.cfg`.
pub fn config_path() -> PathBuf {
    crate::tests_dir()
        .parent()
        .expect("the repository root")
        .join("docs/haproxy.cfg")
}

/// A running haproxy; killed when dropped.
pub struct Balancer {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    child: Child,
}

impl Balancer {
    /// Starts haproxy balancing over `backends` (each `http://host:port`,
    /// exactly two: the file names two servers) and waits until it answers
    /// `/healthz`.
    pub async fn start(backends: [&str; 2]) -> Balancer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = |base: &str| base.trim_start_matches("http://").to_string();
        let mut cmd = Command::new("haproxy");
        cmd.arg("-f")
            .arg(config_path())
            .arg("-db")
            .env("LB_BIND", format!("127.0.0.1:{port}"))
            .env("INSTANCE_1", addr(backends[0]))
            .env("INSTANCE_2", addr(backends[1]))
            .stdin(Stdio::null());
        if !crate::test_log() {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
        let child = cmd.spawn().expect("spawn haproxy");
        let mut balancer = Balancer {
            base: format!("http://127.0.0.1:{port}"),
            child,
        };
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = balancer.child.try_wait() {
                panic!("haproxy exited at start ({status}); run with TEST_LOG=1 to see why");
            }
            let up = http
                .get(format!("{}/healthz", balancer.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return balancer;
            }
            assert!(Instant::now() < deadline, "haproxy did not answer in 20 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `http://127.0.0.1:PORT/api/v1/<route>` through the balancer.
    pub fn url(&self, route: &str) -> String {
        format!("{}/api/v1/{route}", self.base)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

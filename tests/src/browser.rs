//! A real browser for the staff console tests: headless Chromium driven
//! over WebDriver (`chromedriver` on a free port, one per test) through
//! fantoccini. [`Browser::run`] takes a screenshot of a failing test to
//! `target/console-screenshots/<test>.png` before it fails.

pub use fantoccini::{Client, Locator};

use fantoccini::ClientBuilder;
use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether Chromium and chromedriver can be run.
pub fn browser_installed() -> bool {
    std::path::Path::new(CHROMIUM).exists()
        && Command::new("chromedriver")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Where failing tests leave their screenshot.
pub fn screenshot_dir() -> PathBuf {
    crate::tests_dir()
        .parent()
        .expect("the repository root")
        .join("target/console-screenshots")
}

/// A chromedriver and a Chromium session; both end when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// `None`: SKIPPED, Chromium or chromedriver missing (a failure when
    /// `ORDERCORE_REQUIRE_TOOLS=1`).
    pub async fn start() -> Option<Browser> {
        if !browser_installed() {
            assert!(
                std::env::var("ORDERCORE_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "chromium or chromedriver is not installed and ORDERCORE_REQUIRE_TOOLS=1"
            );
            println!("SKIPPED: chromium or chromedriver not installed");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut browser_guard = DriverGuard(Some(driver));
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("a profile directory");
        let args = [
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--window-size=1280,1024".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Some(Browser {
            client,
            driver: browser_guard.0.take().expect("the driver"),
            _profile: profile,
        })
    }

    /// Runs `test` with this browser. When it fails (panics), a screenshot
    /// of the page it was on is saved as `target/console-screenshots/<name>.png`
    /// and the failure goes on.
    pub async fn run<F, Fut>(self, name: &str, test: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let outcome = tokio::spawn(test(self.client.clone())).await;
        if let Err(e) = outcome {
            let path = screenshot_dir().join(format!("{name}.png"));
            match self.client.screenshot().await {
                Ok(png) => {
                    let _ = std::fs::create_dir_all(screenshot_dir());
                    match std::fs::write(&path, png) {
                        Ok(()) => eprintln!("screenshot of the failing page: {}", path.display()),
                        Err(w) => eprintln!("screenshot not saved ({w})"),
                    }
                }
                Err(s) => eprintln!("no screenshot ({s})"),
            }
            self.close().await;
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic());
            }
            panic!("the browser test did not finish: {e}");
        }
        self.close().await;
    }

    async fn close(self) {
        let _ = self.client.clone().close().await;
        drop(self);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Kills a driver that never got a session.
struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

//! A headless Chromium for the tests, driven over WebDriver: Debian's `chromedriver`
//! (package `chromium-driver`) started on a free port, driving `/usr/bin/chromium` with a
//! fresh profile. As root the browser needs `--no-sandbox`; the network flags keep it from
//! calling out (this machine's network is closed). Waits poll the page with a generous bound.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a page may take to show what a test waits for.
pub const WAIT: Duration = Duration::from_secs(60);

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser and its driver; both end when this is dropped or closed.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    base: String,
}

fn driver_path() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

/// Starts chromedriver on a port of its choosing; returns it and the port.
async fn start_driver() -> (Child, u16) {
    let mut driver = Command::new(driver_path())
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver runs (scripts/install-test-deps.sh installs chromium-driver)");
    let stdout = driver.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = tokio::time::timeout(WAIT, async {
        while let Some(line) = lines.next_line().await.expect("chromedriver's output") {
            if let Some(rest) = line.split("started successfully on port ").nth(1) {
                return rest.trim_end_matches('.').parse::<u16>().expect("a port");
            }
        }
        panic!("chromedriver exited before it listened");
    })
    .await
    .expect("chromedriver started within the bound");
    // Keep draining its output so that it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (driver, port)
}

impl Browser {
    /// A fresh browser for the site at `base` (`http://127.0.0.1:port`).
    pub async fn start(base: &str) -> Browser {
        let (driver, port) = start_driver().await;
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1366,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser {
            client,
            driver,
            _profile: profile,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// Signs in through the login page.
    pub async fn sign_in(&self, user: &str, password: &str) {
        self.open("/login").await;
        let c = &self.client;
        c.find(Locator::Css("input[name=user]"))
            .await
            .unwrap()
            .send_keys(user)
            .await
            .unwrap();
        c.find(Locator::Css("input[name=password]"))
            .await
            .unwrap()
            .send_keys(password)
            .await
            .unwrap();
        c.find(Locator::Css("form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.until_text(&format!("{user} · ")).await;
    }

    /// The page's visible text (empty while a navigation replaces the page).
    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until the page's visible text contains `want`; returns the text.
    pub async fn until_text(&self, want: &str) -> String {
        self.until(want, |t| t.contains(want)).await
    }

    /// Waits until `check` holds for the page's visible text.
    pub async fn until(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let found = tokio::time::timeout(WAIT, async {
            loop {
                let text = self.text().await;
                if check(&text) {
                    return text;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await;
        match found {
            Ok(text) => text,
            Err(_) => panic!("the page never showed {what}: {}", self.text().await),
        }
    }

    /// Waits for an element.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

//! Real SMTP delivery: a reset link goes through the outbox to a local
//! SMTP server (aiosmtpd, a separate implementation from PyPI that
//! `scripts/setup.sh` installs) and arrives as a whole message.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use server::config::Config;

use crate::helpers::{link_in, spawn_app};

/// The Python that has aiosmtpd: `CLASSKEYS_PYTHON`, or the one setup made.
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("CLASSKEYS_PYTHON") {
        return path.into();
    }
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/classkeys/py/bin/python")
}

/// Serves aiosmtpd's SMTP on a port the system picks (port 0, so no other
/// test can take it between choosing and binding), prints "ready <port>"
/// once it accepts connections, and serves until its standard input closes.
const SERVE: &str = "\
import asyncio, sys
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP
async def main():
    loop = asyncio.get_running_loop()
    handler = Mailbox(sys.argv[1])
    server = await loop.create_server(lambda: SMTP(handler), '127.0.0.1', 0)
    print('ready', server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()
asyncio.run(main())
";

/// An aiosmtpd server on a loopback port, storing messages in a Maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let python = python();
        assert!(
            python.exists(),
            "{} is missing: run `bash scripts/setup.sh`, which installs aiosmtpd",
            python.display()
        );
        let maildir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python)
            .args(["-c", SERVE])
            .arg(maildir.path().join("mail"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        // Blocks until the controller says it accepts connections.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("aiosmtpd did not start: {line:?}"));
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// The messages it received, as raw RFC 5322 text.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.path().join("mail/new");
        let Ok(entries) = std::fs::read_dir(new) else {
            return Vec::new();
        };
        entries
            .map(|e| {
                std::fs::read_to_string(e.unwrap().path())
                    .unwrap()
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .collect()
    }
}

#[tokio::test]
async fn a_reset_link_is_delivered_over_smtp() {
    let smtp = SmtpServer::start();
    let app = spawn_app().await;
    app.world().await;
    let form = [("email", "teacher@oakwood.example")];
    assert_eq!(
        app.call("request_password_reset", &form).await.status(),
        200
    );

    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let config = Config::from_lookup(|name| (name == "SMTP_URL").then(|| url.clone())).unwrap();
    let mailer = server::startup::mailer(&config).unwrap();
    let sent = crate::helpers::deliver_with(&app, &mailer).await;
    assert_eq!(sent, 1);

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("To: teacher@oakwood.example"), "{message}");
    assert!(message.contains("Subject: Reset your ClassKeys password (Oakwood Primary)"));
    assert!(message.contains("text/plain") && message.contains("text/html"));
    let token = link_in(message);
    assert_eq!(token.len(), 43);
    assert!(message.contains(&format!("{}/reset-password/{token}", app.url)));
    let (status, body): (String, String) =
        sqlx::query_as("SELECT status, body_text || body_html FROM outgoing_messages")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(status, "sent");
    assert_eq!(body, "", "a delivered link is not kept in the database");
}

#[tokio::test]
async fn a_message_an_smtp_server_cannot_take_stays_queued() {
    let app = spawn_app().await;
    app.world().await;
    let form = [("email", "teacher@oakwood.example")];
    app.call("request_password_reset", &form).await;
    // Nothing listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = app::mail::transport::Mailer::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let sent = crate::helpers::deliver_with(&app, &mailer).await;
    assert_eq!(sent, 0);
    let (status, attempts): (String, i64) =
        sqlx::query_as("SELECT status, attempts FROM outgoing_messages")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("pending", 1));
}

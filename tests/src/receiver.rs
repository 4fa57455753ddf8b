//! A real HTTP receiver on 127.0.0.1 standing in for a chat tool: it records
//! every request (headers and body), optionally appends each as one JSON line
//! to a file and prints it, and answers with whatever the responder says.
//!
//! With `mail` set it is also the local mail catcher: the Worker's dev mail
//! backend posts each mail to `/mail` as JSON, the catcher appends
//! `{to, subject, text, html, at_ms}` as one line to that file, and
//! `GET /mail` shows every mail caught as a page.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Milliseconds since the Unix epoch when the request was read.
    pub at_ms: u128,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn to_json(&self) -> serde_json::Value {
        let headers: serde_json::Map<String, serde_json::Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone().into()))
            .collect();
        let body = serde_json::from_str::<serde_json::Value>(&self.body)
            .unwrap_or_else(|_| self.body.clone().into());
        serde_json::json!({"at_ms": self.at_ms, "method": self.method, "path": self.path, "headers": headers, "body": body})
    }

    /// Checks the Standard Webhooks signature with `secret` (`whsec_…`).
    pub fn signature_valid(&self, secret: &str, now_s: i64) -> bool {
        let Ok(secret) = domain::webhook::WebhookSecret::try_from(secret) else {
            return false;
        };
        let (Some(id), Some(ts), Some(sig)) = (
            self.header("webhook-id"),
            self.header("webhook-timestamp"),
            self.header("webhook-signature"),
        ) else {
            return false;
        };
        ts.parse()
            .is_ok_and(|ts| secret.verify(id, ts, self.body.as_bytes(), sig, now_s, 300))
    }
}

/// What the receiver answers: a status, extra headers and a body — or, for
/// fault tests, a hang before answering or a dropped connection.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Waits this long before answering (a receiver that hangs).
    pub delay: Option<std::time::Duration>,
    /// Answers with bytes that are not HTTP and closes: the caller sees a
    /// broken connection, not a status.
    pub drop_connection: bool,
}

type Responder = dyn Fn(&Received, usize) -> Answer + Send + Sync;

pub struct Options {
    /// 0 picks a free port.
    pub port: u16,
    pub ndjson: Option<PathBuf>,
    pub print: bool,
    /// Called with each request and its 0-based index.
    pub responder: Box<Responder>,
    /// Catch mail at `/mail`, appending each to this file.
    pub mail: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            port: 0,
            ndjson: None,
            print: false,
            responder: Box::new(|_, _| Answer {
                status: 200,
                ..Answer::default()
            }),
            mail: None,
        }
    }
}

pub struct Receiver {
    server: Arc<tiny_http::Server>,
    pub port: u16,
    log: Arc<Mutex<Vec<Received>>>,
    thread: Option<JoinHandle<()>>,
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

impl Receiver {
    pub fn start(opts: Options) -> std::io::Result<Self> {
        let server =
            tiny_http::Server::http(("127.0.0.1", opts.port)).map_err(std::io::Error::other)?;
        let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
        let server = Arc::new(server);
        let log = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (server, log) = (Arc::clone(&server), Arc::clone(&log));
            std::thread::spawn(move || serve(&server, &log, &opts))
        };
        Ok(Self {
            server,
            port,
            log,
            thread: Some(thread),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn serve(server: &tiny_http::Server, log: &Mutex<Vec<Received>>, opts: &Options) {
    for mut request in server.incoming_requests() {
        let mut body = String::new();
        let _ = request.as_reader().read_to_string(&mut body);
        let received = Received {
            method: request.method().to_string(),
            path: request.url().to_owned(),
            headers: request
                .headers()
                .iter()
                .map(|h| (h.field.to_string(), h.value.to_string()))
                .collect(),
            body,
            at_ms: now_ms(),
        };
        let path = received.path.split('?').next().unwrap_or_default();
        if let (Some(file), "/mail") = (&opts.mail, path) {
            let answer = catch_mail(&received, file, log);
            std::thread::spawn(move || respond(request, &answer));
            continue;
        }
        let line = received.to_json().to_string();
        if opts.print {
            println!("inbox: {line}");
        }
        if let Some(path) = &opts.ndjson {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path);
            if let Ok(mut f) = file {
                let _ = writeln!(f, "{line}");
            }
        }
        let index = {
            let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
            log.push(received.clone());
            log.len() - 1
        };
        let answer = (opts.responder)(&received, index);
        // Each answer on its own thread, so one hanging answer does not hold
        // up the others (the Worker sends many alerts at once).
        std::thread::spawn(move || respond(request, &answer));
    }
}

/// The mail catcher: `POST /mail` keeps a mail, `GET /mail` lists them.
fn catch_mail(received: &Received, file: &PathBuf, log: &Mutex<Vec<Received>>) -> Answer {
    if received.method == "GET" {
        let page = mail_page(file);
        return Answer {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/html; charset=utf-8".into()),
                (
                    "content-security-policy".into(),
                    "default-src 'none'; style-src 'unsafe-inline'".into(),
                ),
            ],
            body: page,
            ..Answer::default()
        };
    }
    let Ok(mail) = serde_json::from_str::<serde_json::Value>(&received.body) else {
        return Answer {
            status: 400,
            body: "a mail is one JSON object".into(),
            ..Answer::default()
        };
    };
    let line = serde_json::json!({"to": mail["to"], "subject": mail["subject"],
        "text": mail["text"], "html": mail["html"], "at_ms": received.at_ms});
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
    {
        let _ = writeln!(f, "{line}");
    }
    println!("mail: to {} — {}", mail["to"], mail["subject"]);
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(received.clone());
    Answer {
        status: 200,
        body: "{}".into(),
        ..Answer::default()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every caught mail, newest first: subject, recipient and the text part
/// (links clickable). The HTML part is not rendered: this page runs no
/// mail's markup.
fn mail_page(file: &PathBuf) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut items = String::new();
    for line in text.lines().rev() {
        let Ok(m) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let field = |k: &str| escape(m[k].as_str().unwrap_or_default());
        let body: String = field("text")
            .split_whitespace()
            .map(|w| {
                if w.starts_with("http://") || w.starts_with("https://") {
                    format!("<a href=\"{w}\">{w}</a>")
                } else {
                    w.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            items,
            "<article><h2>{}</h2><p>To {}</p><p>{body}</p></article>",
            field("subject"),
            field("to")
        );
    }
    if items.is_empty() {
        items.push_str("<p>No mail yet.</p>");
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mail · Candor dev</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem}}\
         article{{border-bottom:1px solid #ccc;padding:.5rem 0}}a{{word-break:break-all}}</style></head>\
         <body><h1>Mail caught by cargo xtask dev</h1>{items}</body></html>"
    )
}

/// Writes the answer itself, with `Connection: close` (tiny_http neither
/// sends nor lets one add that header). Why: tiny_http 0.12 hands each
/// connection to a pool thread that keeps it until the client hangs up, and
/// its pool can lose a wake-up (`util/task_pool.rs`: two connections queued
/// while one idle thread is still waking see one "waiting" thread, and the
/// second is left in the queue). That connection then waits for a thread to
/// come free: behind a keep-alive connection (workerd keeps idle ones open)
/// that is the 5 s `wait_timeout` of a spare thread, which is how a burst of
/// alerts saw 1–2 of every ~6 answered 200 after exactly 5.01 s. Closed after
/// each answer, a connection frees its thread at once and the queued one is
/// taken within milliseconds.
fn respond(request: tiny_http::Request, answer: &Answer) {
    if let Some(d) = answer.delay {
        std::thread::sleep(d);
    }
    let head_only = *request.method() == tiny_http::Method::Head;
    let mut raw = request.into_writer();
    if answer.drop_connection {
        let _ = raw.write_all(b"NOT HTTP\r\n\r\n");
        let _ = raw.flush();
        return;
    }
    let reason = tiny_http::StatusCode(answer.status).default_reason_phrase();
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", answer.status);
    for (k, v) in &answer.headers {
        let framing = ["content-length", "connection", "transfer-encoding"]
            .iter()
            .any(|f| k.eq_ignore_ascii_case(f));
        if !framing {
            let _ = write!(head, "{k}: {v}\r\n");
        }
    }
    // What tiny_http's `Response::from_string` said when the answer names
    // no type.
    if !answer
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        head.push_str("content-type: text/plain; charset=UTF-8\r\n");
    }
    let _ = write!(
        head,
        "content-length: {}\r\nconnection: close\r\n\r\n",
        answer.body.len()
    );
    let _ = raw.write_all(head.as_bytes());
    if !head_only {
        let _ = raw.write_all(answer.body.as_bytes());
    }
    let _ = raw.flush();
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// One raw HTTP/1.1 exchange on a keep-alive connection: the head
    /// and as many body bytes as it announces. (The server side stays open
    /// until the client, told to, hangs up: tiny_http reads on.)
    fn exchange(receiver: &Receiver, request: &str) -> String {
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", receiver.port)).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = Vec::new();
        let mut byte = [0u8; 1];
        while !answer.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).expect("the head");
            answer.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        let length: usize = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|n| n.parse().ok())
            .expect("a content-length");
        if !request.starts_with("HEAD ") {
            let mut body = vec![0u8; length];
            stream.read_exact(&mut body).expect("the body");
            answer.extend(body);
        }
        String::from_utf8(answer).expect("utf-8")
    }

    #[test]
    fn answers_close_the_connection_and_frame_the_body_themselves() {
        let receiver = Receiver::start(Options {
            responder: Box::new(|_, _| Answer {
                status: 429,
                headers: vec![
                    ("Retry-After".into(), "7".into()),
                    // Framing is the receiver's: a responder cannot break it.
                    ("Content-Length".into(), "999".into()),
                    ("Connection".into(), "keep-alive".into()),
                ],
                body: "slow down".into(),
                ..Answer::default()
            }),
            ..Options::default()
        })
        .expect("receiver");
        let answer = exchange(
            &receiver,
            "POST /hook HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\
             Content-Length: 2\r\n\r\n{}",
        );
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
        let head = head.to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 429 too many requests"), "{head}");
        assert!(head.contains("\r\nretry-after: 7"), "{head}");
        assert!(head.contains("\r\nconnection: close"), "{head}");
        assert!(head.contains("\r\ncontent-length: 9"), "{head}");
        assert!(head.contains("content-type: text/plain"), "{head}");
        assert!(
            !head.contains("keep-alive") && !head.contains("999"),
            "{head}"
        );
        assert_eq!(body, "slow down");
        assert_eq!(receiver.received()[0].body, "{}");
    }

    #[test]
    fn a_head_request_gets_the_head_alone() {
        let receiver = Receiver::start(Options {
            responder: Box::new(|_, _| Answer {
                status: 200,
                body: "unseen".into(),
                ..Answer::default()
            }),
            ..Options::default()
        })
        .expect("receiver");
        let answer = exchange(&receiver, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head");
        assert!(head.contains("content-length: 6"), "{head}");
        assert_eq!(body, "");
    }
}

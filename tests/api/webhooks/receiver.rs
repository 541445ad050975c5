//! A webhook receiver on 127.0.0.1: a few lines of HTTP/1.1 over tokio's TcpListener,
//! with keep-alive, that records every request and answers as told (`Mode`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `200`.
    Ok,
    /// This status.
    Status(u16),
    /// Sleeps this long, then `200` (too late if over the timeout).
    Sleep(Duration),
    /// Reads the request and closes the connection without an answer.
    Close,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub content_type: String,
    pub body: Vec<u8>,
    pub at: Instant,
    /// How it was answered.
    pub mode: Mode,
}

impl Receipt {
    pub fn ok(&self) -> bool {
        self.mode == Mode::Ok
    }
}

#[derive(Default)]
struct State {
    mode: Option<Mode>,
    receipts: Vec<Receipt>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            mode: Some(mode),
            receipts: Vec::new(),
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self { url, state }
    }

    pub fn set(&self, mode: Mode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    pub fn receipts(&self) -> Vec<Receipt> {
        self.state.lock().unwrap().receipts.clone()
    }

    /// The ids answered 200, in arrival order.
    pub fn delivered(&self) -> Vec<String> {
        self.receipts()
            .into_iter()
            .filter(|r| r.ok())
            .map(|r| r.id)
            .collect()
    }

    pub fn count(&self) -> usize {
        self.state.lock().unwrap().receipts.len()
    }
}

fn find(head: &[u8], needle: &[u8]) -> Option<usize> {
    head.windows(needle.len()).position(|w| w == needle)
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let header = |name: &str| {
            head.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let length: usize = header("content-length").parse().unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let mode = {
            let mut s = state.lock().unwrap();
            let mode = s.mode.unwrap_or(Mode::Ok);
            s.receipts.push(Receipt {
                id: header("webhook-id"),
                timestamp: header("webhook-timestamp"),
                signature: header("webhook-signature"),
                content_type: header("content-type"),
                body,
                at: Instant::now(),
                mode,
            });
            mode
        };
        let status = match mode {
            Mode::Ok => 200,
            Mode::Status(s) => s,
            Mode::Sleep(d) => {
                tokio::time::sleep(d).await;
                200
            }
            Mode::Close => return,
        };
        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\nok");
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

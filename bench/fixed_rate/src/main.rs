//! Open-loop load at a fixed offered rate, latency without coordinated
//! omission (bench/run.sh, the p99 target of the bench).
//!
//! wrk sends a connection's next request only when the previous answer came
//! back, so when the server stalls it simply asks less, and its p99 misses
//! the requests that would have waited: coordinated omission. Here request
//! `i` is due at `t0 + i / RATE` whatever happened before; C keep-alive
//! connections take the due requests in order, and a request's latency is
//! counted from the time it was *due*, not from when a free connection sent
//! it (what wrk2 `-R` and oha `--latency-correction` do). The uncorrected
//! latency (from the send) is reported beside it.
//!
//! Request k orders for client k mod N with add-on quantity 1 + k div N
//! (the scheme of bench/wrk/api.lua, from `--offset`), so no two requests
//! share a payment profile and amount, and every answer's status slug must
//! be `action-successful`. oha cannot do that: it picks bodies at random
//! from a file, so some submissions would repeat and meet the simulated
//! processor's 120 s duplicate rule.
//!
//! One thread (a current-thread runtime): the generator takes at most one of
//! the CPUs it shares with the server and PostgreSQL, and a few microseconds
//! of it per request; whatever delays the generator counts as the server's
//! latency, so it has to be cheap (it replaced a Python asyncio client).
//!
//! `--warmup S` sends at the same rate for S seconds first and counts none
//! of those requests (as wrk2 leaves its calibration out): the connections
//! open, and PostgreSQL's first writes to each page after the bench's
//! `CHECKPOINT` carry the whole page into its log. A 10 s window is too
//! short to dilute that second as the five minutes between two checkpoints
//! of a running database do.
//!
//! usage: fixed-rate URL CLIENTS_FILE RATE CONNECTIONS DURATION_S --offset K
//!        --primary ID --addon ID --start ISO --end ISO [--route ROUTE]
//!        [--warmup S] [--trace FILE]
//! prints one JSON line (the runs.jsonl format of bench/run.sh) on stdout.

use serde_json::json;
use std::cell::RefCell;
use std::io::Write as _;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The command line.
#[derive(Debug, Clone)]
struct Args {
    host: String,
    rate: f64,
    connections: usize,
    duration: f64,
    /// Seconds sent before the measured `duration`, not counted.
    warmup: f64,
    clients: Vec<(String, String)>,
    offset: u64,
    primary: String,
    addon: String,
    start: String,
    end: String,
    route: String,
    trace: Option<String>,
}

const USAGE: &str = "usage: fixed-rate URL CLIENTS_FILE RATE CONNECTIONS DURATION_S --offset K \
     --primary ID --addon ID --start ISO --end ISO [--route ROUTE] [--warmup S] [--trace FILE]";

fn parse_args(argv: Vec<String>) -> Result<Args, String> {
    let mut positional = Vec::new();
    let mut named = std::collections::HashMap::new();
    let mut it = argv.into_iter();
    while let Some(arg) = it.next() {
        if let Some(name) = arg.strip_prefix("--") {
            let value = it.next().ok_or(format!("--{name} needs a value"))?;
            named.insert(name.to_string(), value);
        } else {
            positional.push(arg);
        }
    }
    let [url, clients_file, rate, connections, duration] = <[String; 5]>::try_from(positional)
        .map_err(|p| format!("5 positional arguments expected, got {}", p.len()))?;
    let mut take = |name: &str| named.remove(name).ok_or(format!("--{name} is required"));
    let host = url
        .strip_prefix("http://")
        .ok_or("the URL must start with http://")?
        .trim_end_matches('/')
        .to_string();
    let clients = std::fs::read_to_string(&clients_file)
        .map_err(|e| format!("{clients_file}: {e}"))?
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect::<Vec<_>>();
    if clients.is_empty() {
        return Err(format!("{clients_file}: no clients"));
    }
    let number = |what: &str, v: &str| v.parse::<f64>().map_err(|e| format!("{what} {v}: {e}"));
    Ok(Args {
        host,
        rate: number("RATE", &rate)?,
        connections: number("CONNECTIONS", &connections)? as usize,
        duration: number("DURATION_S", &duration)?,
        warmup: take("warmup").map_or(Ok(0.0), |w| number("--warmup", &w))?,
        clients,
        offset: take("offset")?
            .parse()
            .map_err(|e| format!("--offset: {e}"))?,
        primary: take("primary")?,
        addon: take("addon")?,
        start: take("start")?,
        end: take("end")?,
        route: take("route").unwrap_or_else(|_| "authorize_and_submit".into()),
        trace: take("trace").ok(),
    })
}

/// The body of request `k` (the scheme of bench/wrk/api.lua).
fn submit_body(a: &Args, k: u64) -> String {
    let n = a.clients.len() as u64;
    let (token, card) = &a.clients[(k % n) as usize];
    format!(
        concat!(
            r#"{{"token":"{}","view":"summary","payment_method_id":{},"order":{{"#,
            r#""primary_service":{{"id":{}}},"add_on_services":[{{"id":{},"quantity":{}}}],"#,
            r#""property_info":{{"address":{{"street":"1 Main St","city":"Denver","state":"CO","postal_code":"80202"}},"#,
            r#""property_type":"single_family","square_footage":1800,"bedrooms":3,"bathrooms":2}},"#,
            r#""property_access":{{"vacant":true,"method_of_access":"lockbox_code","access_code":"4321","#,
            r#""lockbox_location":"front door"}},"#,
            r#""appointments":[{{"starts_at":"{}","ends_at":"{}"}}]}}}}"#
        ),
        token,
        card,
        a.primary,
        a.addon,
        1 + k / n,
        a.start,
        a.end
    )
}

/// One HTTP/1.1 answer with a Content-Length: its status code and body.
async fn read_answer(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<(u16, Vec<u8>)> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    if line.is_empty() {
        return Err(bad("connection closed"));
    }
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        if name.eq_ignore_ascii_case("content-length") {
            length = value
                .trim()
                .parse()
                .map_err(|_| bad("bad Content-Length"))?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(bad("chunked answers are not supported"));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok((status, body))
}

/// What the connections share (one thread: no locks).
#[derive(Debug, Default)]
struct Shared {
    next: u64,
    /// (due since t0 s, latency from due ms, latency from send ms)
    trace: Vec<(f64, f64, f64)>,
    unexpected: u64,
    first_unexpected: String,
    errors: u64,
}

async fn connect(host: &str) -> std::io::Result<(BufReader<OwnedReadHalf>, OwnedWriteHalf)> {
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let (r, w) = stream.into_split();
    Ok((BufReader::new(r), w))
}

async fn connection(a: Rc<Args>, shared: Rc<RefCell<Shared>>, t0: Instant, total: u64) {
    let Ok((mut reader, mut writer)) = connect(&a.host).await else {
        shared.borrow_mut().errors += 1;
        return;
    };
    let path = format!("/api/v1/orders/{}", a.route);
    let cutoff = t0 + Duration::from_secs_f64(a.warmup + 2.0 * a.duration + 1.0);
    loop {
        let i = shared.borrow().next;
        // An overloaded server would keep a run going far past its
        // duration: requests still unsent at twice it are never sent.
        if i >= total || Instant::now() > cutoff {
            break;
        }
        shared.borrow_mut().next = i + 1;
        let due = t0 + Duration::from_secs_f64(i as f64 / a.rate);
        tokio::time::sleep_until(due.into()).await;
        let body = submit_body(&a, a.offset + i);
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            a.host,
            body.len()
        );
        let sent = Instant::now();
        let answer = match writer.write_all(request.as_bytes()).await {
            Ok(()) => read_answer(&mut reader).await,
            Err(e) => Err(e),
        };
        let (status, answer) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                {
                    let mut s = shared.borrow_mut();
                    s.errors += 1;
                    if s.first_unexpected.is_empty() {
                        s.first_unexpected = format!("{:?}", e.kind());
                    }
                }
                match connect(&a.host).await {
                    Ok(c) => (reader, writer) = c,
                    Err(_) => return,
                }
                continue;
            }
        };
        let done = Instant::now();
        let mut s = shared.borrow_mut();
        s.trace.push((
            (due - t0).as_secs_f64(),
            (done - due).as_secs_f64() * 1000.0,
            (done - sent).as_secs_f64() * 1000.0,
        ));
        if !answer.starts_with(br#"{"status":"action-successful""#) {
            s.unexpected += 1;
            if s.first_unexpected.is_empty() {
                let head = String::from_utf8_lossy(&answer[..answer.len().min(80)]).into_owned();
                let slug = head
                    .split_once(r#""status":""#)
                    .and_then(|(_, rest)| rest.split('"').next())
                    .map(str::to_string);
                s.first_unexpected = slug.unwrap_or_else(|| status.to_string());
            }
        }
    }
}

/// The value at percentile `p` of `sorted`: nearest rank, the smallest
/// value with at least p % of the values at or below it.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn write_trace(path: &str, t0_unix: f64, trace: &[(f64, f64, f64)]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        f,
        "# t0 {t0_unix:.3} (Unix time); due s, latency ms, uncorrected ms"
    )?;
    for (due, lat, unc) in trace {
        writeln!(f, "{due:.4} {lat:.2} {unc:.2}")?;
    }
    f.flush()
}

async fn run(a: Args) -> Result<serde_json::Value, String> {
    let total = (a.rate * (a.warmup + a.duration)) as u64;
    let warm = (a.rate * a.warmup) as u64;
    let a = Rc::new(a);
    let shared = Rc::new(RefCell::new(Shared::default()));
    let start = Instant::now();
    let t0 = start + Duration::from_millis(200);
    let measured_from = t0 + Duration::from_secs_f64(a.warmup);
    let t0_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs_f64()
        + 0.2;
    let local = tokio::task::LocalSet::new();
    for _ in 0..a.connections {
        local.spawn_local(connection(a.clone(), shared.clone(), t0, total));
    }
    local.await;
    let elapsed = measured_from.elapsed().as_secs_f64();
    let mut s = shared.borrow_mut();
    s.trace
        .sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
    if let Some(path) = &a.trace {
        write_trace(path, t0_unix, &s.trace).map_err(|e| format!("{path}: {e}"))?;
    }
    // The requests due after the warm-up.
    let measured = &s.trace[s.trace.partition_point(|t| t.0 < a.warmup)..];
    let micros = |ms: f64| (ms * 1000.0) as u64;
    let mut corrected: Vec<u64> = measured.iter().map(|t| micros(t.1)).collect();
    let mut uncorrected: Vec<u64> = measured.iter().map(|t| micros(t.2)).collect();
    corrected.sort_unstable();
    uncorrected.sort_unstable();
    let n = corrected.len() as u64;
    Ok(json!({
        "tool": "fixed_rate",
        "concurrency": a.connections,
        "result": {
            "mode": format!("fixed_{}", a.route),
            "requests": n,
            "offered_rps": a.rate,
            "warmup_requests": warm,
            "rps": if elapsed > 0.0 { (n as f64 / elapsed * 10.0).round() / 10.0 } else { 0.0 },
            "p50_us": percentile(&corrected, 50.0),
            "p90_us": percentile(&corrected, 90.0),
            "p99_us": percentile(&corrected, 99.0),
            "max_us": corrected.last().copied().unwrap_or(0),
            "mean_us": if n > 0 { corrected.iter().sum::<u64>() as f64 / n as f64 } else { 0.0 },
            "p50_uncorrected_us": percentile(&uncorrected, 50.0),
            "p99_uncorrected_us": percentile(&uncorrected, 99.0),
            // answered with the expected slug, warm-up included
            "ok": (s.trace.len() as u64).saturating_sub(s.unexpected),
            "unexpected": s.unexpected,
            "first_unexpected": s.first_unexpected,
            "generated": s.next,
            "measured_s": a.duration,
            "unsent": total - s.next.min(total),
            "socket_errors": s.errors,
        }
    }))
}

fn main() -> std::process::ExitCode {
    let args = match parse_args(std::env::args().skip(1).collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fixed-rate: {e}\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fixed-rate: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fixed-rate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn request_k_orders_for_client_k_mod_n_with_quantity_1_plus_k_div_n() {
        let a = Args {
            host: "127.0.0.1:1".into(),
            rate: 1.0,
            connections: 1,
            duration: 1.0,
            warmup: 0.0,
            clients: vec![("t0".into(), "10".into()), ("t1".into(), "11".into())],
            offset: 0,
            primary: "1".into(),
            addon: "2".into(),
            start: "S".into(),
            end: "E".into(),
            route: "authorize_and_submit".into(),
            trace: None,
        };
        let body: serde_json::Value = serde_json::from_str(&submit_body(&a, 5)).unwrap();
        assert_eq!(body["token"], "t1");
        assert_eq!(body["payment_method_id"], 11);
        assert_eq!(body["order"]["add_on_services"][0]["quantity"], 3);
        assert_eq!(body["order"]["appointments"][0]["starts_at"], "S");
    }
}

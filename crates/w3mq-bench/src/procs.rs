//! Processes: the brokers under test, their memory and CPU time from /proc.

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};
use w3mq_testkit::{Result, ServerProcess};

use crate::mqtt::Broker;

/// Pids of the direct children of this process whose command name is `name`.
pub fn children_named(name: &str) -> HashSet<u32> {
    let me = std::process::id();
    let mut out = HashSet::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok());
        if comm == name && ppid == Some(me) {
            out.insert(pid);
        }
    }
    out
}

/// A `/proc/<pid>/status` field in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Open file descriptors of `pid`.
pub fn open_fds(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count() as u64)
        .unwrap_or(0)
}

/// The soft limit of open files of `pid`.
pub fn fd_limit(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Max open files"))?
                .split_whitespace()
                .nth(3)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of `pid` (all its threads).
pub fn cpu_secs(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    // After "(comm)": state(3) ppid(4) ... utime(14) stime(15).
    let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    // SAFETY: sysconf has no memory effects.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    (ticks(11) + ticks(12)) as f64 / hz
}

/// User + system CPU seconds of this (the client) process.
pub fn self_cpu_secs() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Raises the soft limit of open files to the hard limit; returns it.
pub fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit read and write the struct we pass.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) != 0 {
            return 0;
        }
        if r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &r);
        }
        r.rlim_cur as u64
    }
}

/// Busy CPU seconds of the whole machine since boot (all CPUs, from
/// /proc/stat: everything but idle and iowait).
pub fn machine_busy_secs() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(line) = s.lines().find(|l| l.starts_with("cpu ")) else {
        return 0.0;
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is in user).
    let busy: u64 = v
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, x)| *x)
        .sum();
    // SAFETY: sysconf has no memory effects.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    busy as f64 / hz
}

/// CPU time of the server, of the client and of everything else on the
/// machine over a stretch of the bench.
pub struct CpuMeter {
    server_pid: u32,
    server0: f64,
    client0: f64,
    machine0: f64,
    t0: Instant,
}

/// CPU seconds used during a measured stretch.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CpuUse {
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// CPU seconds of the broker process.
    pub server_cpu_s: f64,
    /// CPU seconds of the bench (client) process.
    pub client_cpu_s: f64,
    /// CPU seconds of every other process on the machine (other work
    /// running meanwhile disturbs the figures).
    pub other_cpu_s: f64,
}

impl CpuMeter {
    /// Starts measuring.
    pub fn start(server_pid: u32) -> CpuMeter {
        CpuMeter {
            server_pid,
            server0: cpu_secs(server_pid),
            client0: self_cpu_secs(),
            machine0: machine_busy_secs(),
            t0: Instant::now(),
        }
    }

    /// CPU used since [`CpuMeter::start`].
    pub fn stop(&self) -> CpuUse {
        let wall_s = self.t0.elapsed().as_secs_f64();
        let server_cpu_s = cpu_secs(self.server_pid) - self.server0;
        let client_cpu_s = self_cpu_secs() - self.client0;
        let machine = machine_busy_secs() - self.machine0;
        CpuUse {
            wall_s,
            server_cpu_s,
            client_cpu_s,
            other_cpu_s: (machine - server_cpu_s - client_cpu_s).max(0.0),
        }
    }
}

/// A broker under test: w3mq-server or Mosquitto, with its pid.
pub enum Running {
    /// w3mq-server, started through the testkit.
    W3mq(ServerProcess),
    /// Mosquitto, started here.
    Mosquitto {
        /// The process (killed on drop).
        child: Child,
        /// Keeps its config file.
        _dir: tempfile::TempDir,
    },
}

/// A running broker.
pub struct Server {
    /// The process.
    pub running: Running,
    /// Its pid.
    pub pid: u32,
    /// Its MQTT addresses.
    pub broker: Broker,
}

/// w3mq-server arguments for every run: no per-user message rate limit, no
/// REST rate limit and no per-address WebSocket cap (every bench client is
/// on loopback), so that none throttles the bench.
pub const W3MQ_ARGS: [&str; 6] = [
    "--rate-per-sec",
    "0",
    "--rest-rate-per-sec",
    "0",
    "--ws-per-address",
    "0",
];

impl Server {
    /// Starts a fresh w3mq-server (new data directory).
    pub async fn w3mq(bin: &Path) -> Result<Server> {
        let before = children_named("w3mq-server");
        let sp = ServerProcess::start(bin, &W3MQ_ARGS).await?;
        let new: Vec<u32> = children_named("w3mq-server")
            .difference(&before)
            .copied()
            .collect();
        let [pid] = new[..] else {
            return Err(format!("cannot tell the server's pid (new children: {new:?})").into());
        };
        let broker = Broker {
            name: "w3mq-server".into(),
            ws_url: sp.mqtt_ws.clone(),
            tcp_addr: sp.mqtt_tcp.clone(),
            http: Some(sp.http.clone()),
        };
        Ok(Server {
            running: Running::W3mq(sp),
            pid,
            broker,
        })
    }

    /// Starts Mosquitto on two free loopback ports: MQTT over TCP and MQTT over
    /// WebSocket, anonymous access, no persistence.
    pub async fn mosquitto(bin: &Path) -> Result<Server> {
        let tcp = free_port()?;
        let ws = free_port()?;
        let dir = tempfile::tempdir()?;
        let conf = dir.path().join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "# written by w3mq-bench\n\
                 per_listener_settings false\n\
                 allow_anonymous true\n\
                 persistence false\n\
                 log_dest stderr\n\
                 log_type error\n\
                 log_type warning\n\
                 listener {tcp} 127.0.0.1\n\
                 listener {ws} 127.0.0.1\n\
                 protocol websockets\n"
            ),
        )?;
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id().ok_or("mosquitto exited at once")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        for port in [tcp, ws] {
            while tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err()
            {
                if Instant::now() > deadline {
                    return Err(format!("mosquitto did not listen on {port} within 10 s").into());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(Server {
            running: Running::Mosquitto { child, _dir: dir },
            pid,
            broker: Broker {
                name: "Mosquitto".into(),
                ws_url: format!("ws://127.0.0.1:{ws}/mqtt"),
                tcp_addr: format!("127.0.0.1:{tcp}"),
                http: None,
            },
        })
    }

    /// Resident memory now, KiB.
    pub fn rss_kib(&self) -> u64 {
        status_kib(self.pid, "VmRSS").unwrap_or(0)
    }

    /// Peak resident memory, KiB.
    pub fn hwm_kib(&self) -> u64 {
        status_kib(self.pid, "VmHWM").unwrap_or(0)
    }

    /// Stops the broker (SIGTERM for w3mq-server, which must exit cleanly).
    pub async fn stop(self) -> Result<()> {
        match self.running {
            Running::W3mq(mut sp) => {
                let code = sp.stop().await?;
                if code != 0 {
                    return Err(format!("w3mq-server exited with {code}").into());
                }
            }
            Running::Mosquitto { mut child, .. } => {
                // SAFETY: kill(2) on our own child's pid has no memory effects.
                unsafe { libc::kill(self.pid as i32, libc::SIGTERM) };
                if tokio::time::timeout(Duration::from_secs(10), child.wait())
                    .await
                    .is_err()
                {
                    child.kill().await?;
                }
            }
        }
        Ok(())
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The first line of `mosquitto -h`, e.g. "mosquitto version 2.0.11".
pub async fn mosquitto_version(bin: &Path) -> String {
    match Command::new(bin).arg("-h").output().await {
        Ok(o) => String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("mosquitto")
            .trim()
            .to_owned(),
        Err(e) => format!("mosquitto (version unknown: {e})"),
    }
}

/// Waits (up to `max`) until the rest of the machine is quiet: less than a
/// quarter of a CPU busy over one second. Returns the busy CPUs seen last.
pub async fn wait_quiet(max: Duration) -> f64 {
    let t0 = Instant::now();
    let mut warned = false;
    loop {
        let b0 = machine_busy_secs();
        let s0 = self_cpu_secs();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let busy = (machine_busy_secs() - b0) - (self_cpu_secs() - s0);
        if busy < 0.25 || t0.elapsed() >= max {
            if busy >= 0.25 {
                crate::scenarios::log(format!(
                    "the machine is still busy ({busy:.2} CPUs used by other processes): measuring anyway"
                ));
            }
            return busy;
        }
        if !warned {
            crate::scenarios::log(format!(
                "other processes use {busy:.2} CPUs: waiting up to {} s for a quiet machine",
                max.as_secs()
            ));
            warned = true;
        }
    }
}

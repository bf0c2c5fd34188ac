//! The log file a user can send: every log line of the app (and what the
//! WebView's console reports through `log_ui`) also goes, without colours, to
//! a daily file in the app's log directory (`<data dir>/logs` with
//! `--data-dir`, else `~/.local/share/online.web3messaging.desktop/logs`,
//! Tauri's `app_log_dir`), the last 7 days kept. "Copy debug log" in Settings
//! puts the newest file's end on the clipboard. Secrets are never logged (the
//! key and tokens live in the keychain and are zeroized; no log line carries
//! them: tests/e2e/test_fit.py reads the file after an import to check).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// The bundle identifier (tauri.conf.json), the log directory's parent name.
const IDENTIFIER: &str = "online.web3messaging.desktop";
/// The file name's start: `w3mq-desktop.2026-12-02.log`.
const PREFIX: &str = "w3mq-desktop";
/// How much of the newest file "Copy debug log" takes.
pub const COPY_BYTES: u64 = 256 * 1024;

/// Lines the WebView may log a minute: a page in a loop (or anything that got to run
/// script in it) cannot fill the disk through `log_ui`.
pub const UI_LINES_PER_MINUTE: u32 = 120;

/// The WebView's log budget: [`UI_LINES_PER_MINUTE`] lines per minute, counted from the
/// first line of each minute.
#[derive(Debug, Default)]
pub struct UiBudget {
    window_start_s: u64,
    used: u32,
}

/// What to do with one more WebView line.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Log it.
    Log,
    /// Log that the rest of this minute is dropped, and drop it.
    LastWarning,
    /// Drop it.
    Drop,
}

impl UiBudget {
    /// One more line at `now_s` (seconds).
    pub fn take(&mut self, now_s: u64) -> Verdict {
        if now_s >= self.window_start_s + 60 {
            self.window_start_s = now_s;
            self.used = 0;
        }
        self.used = self.used.saturating_add(1);
        match self.used {
            n if n <= UI_LINES_PER_MINUTE => Verdict::Log,
            n if n == UI_LINES_PER_MINUTE + 1 => Verdict::LastWarning,
            _ => Verdict::Drop,
        }
    }
}

/// Where the log files go.
pub fn dir(data_dir: Option<&Path>) -> Option<PathBuf> {
    match data_dir {
        Some(d) => Some(d.join("logs")),
        None => dirs::data_local_dir().map(|d| d.join(IDENTIFIER).join("logs")),
    }
}

/// Logs to standard error and to the daily file in `dir` (when it can be
/// made); `W3MQ_LOG` filters both (default `info`). Keep the guard alive:
/// dropping it flushes the file.
pub fn init(dir: Option<&Path>) -> Option<WorkerGuard> {
    let filter = || EnvFilter::try_from_env("W3MQ_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let file = dir.and_then(|d| {
        std::fs::create_dir_all(d).ok()?;
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(PREFIX)
            .filename_suffix("log")
            .max_log_files(7)
            .build(d)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let _ = tracing_subscriber::registry()
                .with(stderr)
                .with(
                    fmt::layer()
                        .with_ansi(false)
                        .with_writer(writer)
                        .with_filter(filter()),
                )
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry().with(stderr).try_init();
            None
        }
    }
}

/// The newest log file of `dir`.
pub fn newest(dir: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(".log"))
        })
        .collect();
    // The date in the name sorts them.
    files.sort();
    files.pop()
}

/// The last `max` bytes of `path`, from the first whole line.
pub fn tail(path: &Path, max: u64) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let start = len.saturating_sub(max);
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity((len - start) as usize);
    f.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(if start > 0 {
        text.split_once('\n')
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or(text)
    } else {
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_file_and_its_tail_from_a_whole_line() {
        let d = tempfile::tempdir().expect("tempdir");
        assert_eq!(newest(d.path()), None);
        std::fs::write(d.path().join("w3mq-desktop.2026-12-01.log"), "old\n").expect("write");
        std::fs::write(
            d.path().join("w3mq-desktop.2026-12-02.log"),
            "line one\nline two\nline three\n",
        )
        .expect("write");
        std::fs::write(d.path().join("other.log"), "not ours\n").expect("write");
        let n = newest(d.path()).expect("a file");
        assert!(n.ends_with("w3mq-desktop.2026-12-02.log"));
        assert_eq!(
            tail(&n, 1 << 20).expect("tail"),
            "line one\nline two\nline three\n"
        );
        // 14 bytes from the end starts inside "line two": the partial line is left out.
        assert_eq!(tail(&n, 14).expect("tail"), "line three\n");
    }

    #[test]
    fn the_webview_gets_a_budget_a_minute() {
        let mut b = UiBudget::default();
        let t = 1_000_000;
        for _ in 0..UI_LINES_PER_MINUTE {
            assert_eq!(b.take(t), Verdict::Log);
        }
        assert_eq!(b.take(t + 10), Verdict::LastWarning);
        assert_eq!(b.take(t + 59), Verdict::Drop);
        assert_eq!(b.take(t + 60), Verdict::Log);
    }

    #[test]
    fn the_log_dir_follows_data_dir() {
        assert_eq!(dir(Some(Path::new("/x"))), Some(PathBuf::from("/x/logs")));
        assert!(dir(None).is_some_and(|d| d.ends_with("online.web3messaging.desktop/logs")));
    }
}

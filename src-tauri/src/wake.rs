//! Wakes every account's session when the machine resumes from suspend or the network
//! comes back, instead of waiting out the reconnect backoff (up to 30 s).
//!
//! Linux only, over the system bus: systemd-logind's `PrepareForSleep(false)`
//! (resumed: the socket may be dead without knowing it, so redial) and
//! NetworkManager's `StateChanged` to `CONNECTED_GLOBAL` (70: skip the wait).
//! Where neither service runs (a container, CI), each watcher logs once and
//! ends; the backoff still reconnects.

use std::sync::Arc;

use futures::StreamExt;
use w3mq_core::accounts::Accounts;

/// NetworkManager's NM_STATE_CONNECTED_GLOBAL.
const NM_CONNECTED_GLOBAL: u32 = 70;

/// Starts both watchers in the background.
pub fn spawn(accounts: Arc<Accounts>) {
    let e = accounts.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(err) = resume(e).await {
            tracing::info!("no resume-from-suspend signal: {err}");
        }
    });
    tauri::async_runtime::spawn(async move {
        if let Err(err) = network(accounts).await {
            tracing::info!("no network-state signal: {err}");
        }
    });
}

async fn resume(accounts: Arc<Accounts>) -> zbus::Result<()> {
    let conn = zbus::Connection::system().await?;
    let proxy = zbus::Proxy::new(
        &conn,
        "org.freedesktop.login1",
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager",
    )
    .await?;
    let mut s = proxy.receive_signal("PrepareForSleep").await?;
    while let Some(msg) = s.next().await {
        // true: about to sleep; false: just resumed.
        if let Ok(false) = msg.body().deserialize::<bool>() {
            tracing::info!("resumed from suspend: reconnecting");
            for (_, e) in accounts.engines() {
                e.wake(true).await;
            }
        }
    }
    Ok(())
}

async fn network(accounts: Arc<Accounts>) -> zbus::Result<()> {
    let conn = zbus::Connection::system().await?;
    let proxy = zbus::Proxy::new(
        &conn,
        "org.freedesktop.NetworkManager",
        "/org/freedesktop/NetworkManager",
        "org.freedesktop.NetworkManager",
    )
    .await?;
    let mut s = proxy.receive_signal("StateChanged").await?;
    while let Some(msg) = s.next().await {
        if is_back(msg.body().deserialize::<u32>().ok()) {
            tracing::info!("network is back: reconnecting now");
            for (_, e) in accounts.engines() {
                e.wake(false).await;
            }
        }
    }
    Ok(())
}

/// Whether a NetworkManager state means "connected to the internet".
fn is_back(state: Option<u32>) -> bool {
    state == Some(NM_CONNECTED_GLOBAL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_global_connectivity_wakes() {
        assert!(is_back(Some(70)));
        assert!(!is_back(Some(60)));
        assert!(!is_back(Some(20)));
        assert!(!is_back(None));
    }
}

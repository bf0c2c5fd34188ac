//! Web3MQ Desktop: the Tauri shell over `w3mq-core`.
//!
//! The shell is thin: [`commands`] call the engine and map its errors,
//! [`forward`] sends the engine's events to the UI, [`notify`] raises desktop
//! notifications and [`tray`] shows the unread total. Everything that is
//! computed (order, counts, send status, what a message looks like) comes
//! from the core.

pub mod bindings;
pub mod channels;
pub mod commands;
pub mod error;
pub mod forward;
pub mod item_url;
pub mod notify;
pub mod settings;
pub mod startup;
pub mod state;
pub mod tray;
pub mod ui_sink;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::{Manager, WindowEvent};
use w3mq_core::secrets::{KeyringStore, SecretStore};
use w3mq_core::{ConnectionState, Engine, EngineConfig};

use crate::state::AppState;

/// The keychain service name of the app's entries.
pub const KEYRING_SERVICE: &str = "w3mq-desktop";

/// Command-line options: `--data-dir DIR`, `--http URL`, `--mqtt URL[,URL…]`
/// (the last two propose an environment on the first-run screen; the
/// `W3MQ_DATA_DIR`, `W3MQ_HTTP` and `W3MQ_MQTT` variables do the same).
fn apply_args() -> Option<PathBuf> {
    let mut data_dir = std::env::var_os("W3MQ_DATA_DIR").map(PathBuf::from);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data-dir" => data_dir = args.next().map(PathBuf::from),
            "--http" => {
                if let Some(v) = args.next() {
                    std::env::set_var("W3MQ_HTTP", v);
                }
            }
            "--mqtt" => {
                if let Some(v) = args.next() {
                    std::env::set_var("W3MQ_MQTT", v);
                }
            }
            _ => {}
        }
    }
    data_dir
}

fn device_name() -> String {
    std::env::var("W3MQ_DEVICE")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "desktop".into())
}

/// Runs the app.
pub fn run() {
    startup::mark_start();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("W3MQ_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let data_dir_arg = apply_args();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.show();
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .setup(move |app| {
            let data_dir = match data_dir_arg.clone() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::new(KEYRING_SERVICE));
            let engine = Engine::new(EngineConfig {
                data_dir: data_dir.clone(),
                secrets,
                device: device_name(),
            });
            let tray = tauri::async_runtime::block_on(tray::host_exists());
            if tray {
                if let Err(e) = tray::install(app.handle()) {
                    tracing::warn!("no tray icon: {e}");
                }
            }
            app.manage(AppState {
                engine: engine.clone(),
                settings: Mutex::new(settings::load(&data_dir)),
                data_dir,
                default_env: state::default_env(),
                connection: Mutex::new(ConnectionState::SignedOut),
                tray,
                channels: Default::default(),
                ui: Default::default(),
            });
            forward::spawn(app.handle().clone(), engine);
            if std::env::args().any(|a| a == "--blank") {
                // The memory benchmark's baseline: the same window with a blank page.
                if let Some(w) = app.get_webview_window("main") {
                    if let Ok(u) = "about:blank".parse() {
                        let _ = w.navigate(u);
                    }
                }
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let tray = window.app_handle().state::<AppState>().tray;
                if tray {
                    // Hide to the tray only when there is a tray to come back from.
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                let engine = app.state::<AppState>().engine.clone();
                tauri::async_runtime::block_on(engine.shutdown());
            }
        }),
        Err(e) => {
            eprintln!("w3mq-desktop: could not start: {e}");
            std::process::exit(1);
        }
    }
}

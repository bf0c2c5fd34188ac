//! Web3MQ Desktop: the Tauri shell over `w3mq-core`.
//!
//! The shell is thin: [`commands`] call the engine and map its errors,
//! [`forward`] sends the engine's events to the UI, [`notify`] raises desktop
//! notifications and [`tray`] shows the unread total. Everything that is
//! computed (order, counts, send status, what a message looks like) comes
//! from the core.

pub mod args;
pub mod bindings;
pub mod boot;
pub mod commands;
pub mod compositing;
pub mod dialogs;
pub mod error;
pub mod forward;
pub mod logfile;
pub mod notify;
pub mod settings;
pub mod startup;
pub mod state;
pub mod theme;
pub mod tray;
pub mod ui_sink;
pub mod wake;

use std::sync::{Arc, Mutex};

use tauri::{Manager, WindowEvent};
use w3mq_core::accounts::Accounts;
use w3mq_core::secrets::{KeyringStore, SecretStore};
use w3mq_core::EngineConfig;

use crate::state::AppState;

/// The keychain service name of the app's entries.
pub const KEYRING_SERVICE: &str = "w3mq-desktop";

/// Runs the app.
pub fn run() {
    startup::mark_start();
    let args = args::Args::from_env();
    let log_dir = logfile::dir(args.data_dir.as_deref());
    let _log = logfile::init(log_dir.as_deref());
    let data_dir_arg = args.data_dir.clone();
    let proposed = state::default_env(args.http.as_deref(), &args.mqtt_urls());
    let device = args.device.clone();
    let blank = args.blank;
    let compositing = args.compositing;
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.show();
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        // Size, position and maximized state across starts.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(WINDOW_STATE)
                .build(),
        )
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let data_dir = match data_dir_arg.clone() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            std::fs::create_dir_all(&data_dir)?;
            let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::new(KEYRING_SERVICE));
            let accounts = Arc::new(Accounts::open(EngineConfig {
                data_dir: data_dir.clone(),
                secrets,
                device: device.clone(),
            }));
            let tray = tauri::async_runtime::block_on(tray::host_exists());
            if tray {
                if let Err(e) = tray::install(app.handle()) {
                    tracing::warn!("no tray icon: {e}");
                }
            }
            let saved = settings::load(&data_dir).sane();
            // The notifier is its own managed state: the forwarding tasks raise through it.
            app.manage(notify::Notifier::start(app.handle().clone()));
            app.manage(AppState {
                accounts: accounts.clone(),
                settings: Mutex::new(saved.clone()),
                data_dir,
                default_env: proposed.clone(),
                connection: Default::default(),
                tray,
                ui: Default::default(),
                resume: Default::default(),
                log_dir: log_dir.clone(),
                ui_log: Default::default(),
                dropped: Default::default(),
                shown: Default::default(),
            });
            wake::spawn(accounts.clone());
            // The "System" theme follows the desktop's style as the user switches it.
            let h = app.handle().clone();
            tauri::async_runtime::spawn(theme::watch(move |dark| {
                h.state::<AppState>()
                    .ui
                    .send(w3mq_core::present::UiEvent::SystemTheme { dark });
            }));
            for (_, engine) in accounts.engines() {
                forward::spawn(app.handle().clone(), engine);
            }
            // The window is made here, not from the config, so that --blank (the benchmarks'
            // baseline) is the same window with a blank page from its first load.
            let mut win = app
                .config()
                .app
                .windows
                .first()
                .cloned()
                .ok_or("tauri.conf.json has no window")?;
            win.create = true;
            if blank {
                startup::set_blank();
                // A page of the app's own protocol (ui/public/blank.html): about:blank never
                // reports its load.
                win.url = tauri::WebviewUrl::App("blank.html".into());
            } else {
                // The cached room list resumes while the WebView starts.
                let h = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    let st = h.state::<AppState>();
                    let _ = st.resume.wait(&st.accounts).await;
                    // Then the other accounts, with their counts in the title and the switcher.
                    st.accounts.resume_others().await;
                    crate::tray::set_unread(&h, st.accounts.total());
                    st.send_tabs().await;
                });
            }
            let window = tauri::WebviewWindowBuilder::from_config(app.handle(), &win)?
                .background_color(settings::background(&saved))
                .on_page_load(move |_, p| {
                    if p.event() == tauri::webview::PageLoadEvent::Finished {
                        startup::mark("page loaded");
                    }
                })
                .build()?;
            compositing::apply(&window, compositing);
            if saved.zoom_percent != 100 {
                settings::apply_zoom(app.handle(), &saved);
            }
            startup::mark("window built");
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::Resized(_) | WindowEvent::Moved(_) = event {
                save_window_state_soon(window.app_handle());
            }
            if let WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                // Dropped files reach the UI as paths; what they are for is its choice (a
                // keystore on the first-run screen), and reading them is a command's.
                let st = window.app_handle().state::<AppState>();
                if let Ok(mut d) = st.dropped.lock() {
                    d.clone_from(paths);
                }
                let paths = paths
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                st.ui
                    .send(w3mq_core::present::UiEvent::FilesDropped { paths });
            }
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
                let accounts = app.state::<AppState>().accounts.clone();
                tauri::async_runtime::block_on(accounts.shutdown());
            }
        }),
        Err(e) => {
            eprintln!("w3mq-desktop: could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// The window's size and position, saved half a second after the last resize or move: the
/// window-state plugin saves only at a clean exit, and a killed or crashed app would forget them.
fn save_window_state_soon(app: &tauri::AppHandle) {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tauri_plugin_window_state::AppHandleExt;
    static LATEST: AtomicU64 = AtomicU64::new(0);
    let me = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        if LATEST.load(Ordering::SeqCst) == me {
            if let Err(e) = app.save_window_state(WINDOW_STATE) {
                tracing::warn!("window state not saved: {e}");
            }
        }
    });
}

/// What the window-state plugin keeps: not visibility (a window hidden to the tray at quit
/// opens shown).
const WINDOW_STATE: tauri_plugin_window_state::StateFlags =
    tauri_plugin_window_state::StateFlags::SIZE
        .union(tauri_plugin_window_state::StateFlags::POSITION)
        .union(tauri_plugin_window_state::StateFlags::MAXIMIZED);

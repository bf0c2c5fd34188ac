//! The commands the UI calls: each a few lines over `w3mq-core`.
//!
//! [`commands!`] defines every command once; from that one list come the
//! Tauri handlers, the invoke handler and the TypeScript signatures that
//! `bindings.rs` writes to `ui/src/lib/bindings.ts`.

use std::time::Duration;

use tauri::{AppHandle, Manager, State};
use w3mq_core::backup::{BackupState, PhraseBackup, Restore};
use w3mq_core::channel_view::{
    chat_message_view, poll_view, ChannelMessageView, ChannelView, PollView,
};
use w3mq_core::drafts::SavedDraft;
use w3mq_core::model::{Cursor, NotifyMode, SearchFilter};
use w3mq_core::present::UnreadTotal;
use w3mq_core::profile::ShareView;
use w3mq_core::secrets::vault::SecretStoreStatus;
use w3mq_core::view::{user_view, MessageView, RoomView, SearchResults, SeenView, UserView};
use w3mq_core::wallet::strength::Strength;
use w3mq_core::{ConnectionState, Draft, Environment};
use w3mq_protocol::OpenSeaItem;

use crate::error::{AppError, CmdResult};
use crate::settings::{self, Settings, ZoomStep};
use crate::state::{AccountView, AppInfo, AppState, KeystoreFile};
use w3mq_core::view::AccountTab;

use crate::bindings::Signature;
use crate::boot::Boot;
use crate::startup::PaintMarks;

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])+
        fn $name:ident [$st:ident, $app:ident] ( $($arg:ident : $ty:ty),* ) -> $ret:ty $body:block
    )*) => {
        $(
            $(#[doc = $doc])+
            #[tauri::command(rename_all = "snake_case")]
            pub async fn $name(
                $st: State<'_, AppState>,
                $app: AppHandle,
                $($arg: $ty),*
            ) -> CmdResult<$ret> {
                let _ = (&$st, &$app);
                $body
            }
        )*

        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name,)* subscribe]
        }

        /// Every command's TypeScript signature.
        pub fn signatures() -> Vec<Signature> {
            let cfg = crate::bindings::config();
            let _ = &cfg;
            vec![$(Signature {
                name: stringify!($name),
                doc: concat!($($doc),+),
                args: vec![$((stringify!($arg), <$ty as ts_rs::TS>::name(&cfg))),*],
                ret: <$ret as ts_rs::TS>::name(&cfg),
                visit: |c| {
                    $(c.add::<$ty>();)*
                    c.add::<$ret>();
                },
            }),*]
        }
    };
}

commands! {
    /// Version, the proposed environment and whether a tray icon is shown.
    fn app_info[st, app]() -> AppInfo {
        Ok(info_of(&st, &app))
    }

    /// Everything the first screen shows, in one call: the last account, resumed from its cache
    /// before the page asked (no network, no keychain), its rooms and totals, the settings
    /// (`ui_ms`: the page's clock when it asked).
    fn boot[st, app](ui_ms: f64) -> Boot {
        tracing::info!(ui_ms, ms = format!("{:.1}", crate::startup::elapsed_ms()), "startup: boot asked");
        st.resume.wait(&st.accounts).await?;
        let engine = st.accounts.active();
        if let Ok(mut shown) = st.shown.lock() {
            *shown = Some(engine.slot());
        }
        let account = engine.signed_in().await.map(AccountView::from);
        let rooms = match account {
            Some(_) => engine.room_views().await?,
            None => Vec::new(),
        };
        let boot = Boot {
            info: info_of(&st, &app),
            settings: st.settings.lock().map(|s| s.clone()).unwrap_or_default(),
            total: UnreadTotal::of_views(&rooms),
            account,
            rooms,
            connection: st.connection_now(),
            secrets_locked: engine.secrets_locked().await,
            accounts: st.accounts.tabs().await,
        };
        st.accounts.note_total(engine.slot(), boot.total);
        crate::tray::set_unread(&app, st.accounts.total());
        crate::startup::mark("boot answered");
        Ok(boot)
    }

    /// A new account's recovery phrase, to show and confirm before signing in.
    fn new_account[st, app]() -> PhraseBackup {
        Ok(st.engine()?.new_account().await?)
    }

    /// Signs in with the new account: `answers` are the quiz's words (backed up), or none ("later").
    fn sign_in_new[st, app](env: Environment, answers: Option<Vec<String>>) -> AccountView {
        let a = st.engine()?.sign_in_new(env, answers).await?;
        st.send_tabs().await;
        Ok(a.into())
    }

    /// Signs in with an existing account: a recovery phrase, a private key or a keystore file.
    fn restore[st, app](env: Environment, restore: Restore) -> AccountView {
        let a = st.engine()?.restore(env, restore).await?;
        st.send_tabs().await;
        Ok(a.into())
    }

    /// A keystore file: the one at `path` (a drop), or one the user picks (`None`: cancelled).
    fn read_keystore_file[st, app](path: Option<String>) -> Option<KeystoreFile> {
        let path = match path {
            // Only a file the user dropped on the window: the page names no other.
            Some(p) => {
                let p = std::path::PathBuf::from(p);
                // Read once: the drop is used up.
                let dropped = st.dropped.lock().map(|mut d| std::mem::take(&mut *d).contains(&p)).unwrap_or(false);
                if !dropped {
                    return Err(AppError::invalid("only a file dropped on the window can be read"));
                }
                Some(p)
            }
            None => crate::dialogs::pick_keystore(&app).await,
        };
        let Some(path) = path else { return Ok(None) };
        let json = w3mq_core::wallet::keystore::read_file(&path).await?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Some(KeystoreFile { name, json }))
    }

    /// The signed-in account's backup state.
    fn backup_state[st, app]() -> BackupState {
        Ok(st.engine()?.backup_state().await?)
    }

    /// The signed-in account's recovery phrase (the UI asked the user to confirm first).
    fn reveal_phrase[st, app]() -> PhraseBackup {
        Ok(st.engine()?.reveal_phrase().await?)
    }

    /// Marks the account backed up once `answers` are the words asked for.
    fn confirm_backup[st, app](answers: Vec<String>) -> BackupState {
        Ok(st.engine()?.confirm_backup(answers).await?)
    }

    /// Saves the key as a keystore file encrypted with `password`, where the user chooses
    /// (`path` skips the dialog, for a new `.json` file only); `None` when the dialog was cancelled.
    fn export_keystore[st, app](password: String, path: Option<String>) -> Option<BackupState> {
        let password = zeroize::Zeroizing::new(password);
        let (path, chosen) = match path {
            Some(p) => (Some(std::path::PathBuf::from(p)), false),
            None => {
                let acc = st.engine()?.address().await?;
                (crate::dialogs::save_keystore(&app, &acc).await, true)
            }
        };
        let Some(path) = path else { return Ok(None) };
        Ok(Some(st.engine()?.export_keystore(&path, &password, chosen).await?))
    }

    /// How strong a password is (zxcvbn), for the meter under a password field.
    fn password_strength[st, app](password: String) -> Strength {
        let password = zeroize::Zeroizing::new(password);
        // The address counts as guessable, as the export's own check has it.
        let address = st.engine()?.address().await.unwrap_or_default();
        Ok(w3mq_core::wallet::strength::estimate(&password, &[&address]))
    }

    /// The secret store in use (the keychain, or the encrypted file) and whether the keychain answers.
    fn secret_store[st, app]() -> SecretStoreStatus {
        Ok(st.engine()?.secret_store().await)
    }

    /// Keeps the secrets in a file on this computer sealed with `passphrase` (no keychain answers).
    fn use_sealed_store[st, app](passphrase: String) -> () {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        Ok(st.accounts.use_sealed_store(&passphrase).await?)
    }

    /// Opens the encrypted file with its passphrase.
    fn unlock_secrets[st, app](passphrase: String) -> () {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        Ok(st.accounts.unlock_secrets(&passphrase).await?)
    }

    /// Signs out: the key, its phrase and the token leave the keychain. An account never backed
    /// up needs `confirmation` (the words the UI asks the user to type).
    /// When other accounts are signed in, one of them comes on screen (`account_switched`).
    fn sign_out[st, app](confirmation: Option<String>) -> () {
        let engine = st.engine()?;
        engine.sign_out(confirmation.as_deref()).await?;
        st.accounts.note_total(engine.slot(), UnreadTotal::default());
        crate::tray::set_unread(&app, st.accounts.total());
        st.accounts.signed_out(|s| st.ui.send(switched(s))).await?;
        st.send_tabs().await;
        Ok(())
    }

    /// The accounts side by side, in the switcher's order.
    fn accounts[st, app]() -> Vec<AccountTab> {
        Ok(st.accounts.tabs().await)
    }

    /// The signed-in account's saved drafts (every composer's).
    fn drafts[st, app]() -> Vec<SavedDraft> {
        Ok(st.engine()?.drafts().await?)
    }

    /// Saves a composer's draft (an empty one is removed), so that it survives a restart.
    fn save_draft[st, app](draft: SavedDraft) -> () {
        Ok(st.engine()?.save_draft(draft).await?)
    }

    /// Adds (`on`) or removes my reaction to a message (one of the protocol's emoji).
    fn react[st, app](message_id: String, emoji: String, on: bool) -> () {
        Ok(st.engine()?.react(&message_id, &emoji, on).await?)
    }

    /// Replaces the text and mentions of my text message.
    fn edit_message[st, app](message_id: String, text: String, mentions: Vec<String>) -> () {
        Ok(st.engine()?.edit_message(&message_id, &text, &mentions).await?)
    }

    /// Deletes a message for everyone (mine, or any in a room I own): a placeholder stays.
    fn delete_message[st, app](message_id: String) -> () {
        Ok(st.engine()?.delete_message(&message_id).await?)
    }

    /// Adds another account: a new slot comes on screen at the sign-in screen (`account_switched`).
    fn add_account[st, app]() -> u32 {
        let (slot, engine, created) = st.accounts.add().await?;
        if created {
            crate::forward::spawn(app.clone(), engine);
        }
        st.ui.send(switched(slot));
        st.send_tabs().await;
        Ok(slot)
    }

    /// Puts the account of `slot` on screen (`account_switched`).
    fn switch_account[st, app](slot: u32) -> () {
        if st.accounts.active_slot() == slot {
            return Ok(());
        }
        st.accounts.switch(slot, |s| st.ui.send(switched(s))).await?;
        st.send_tabs().await;
        Ok(())
    }

    /// Leaves "add account" for the account on screen before; false when there is none.
    fn cancel_add_account[st, app]() -> bool {
        let back = st.accounts.cancel_add(|s| st.ui.send(switched(s))).await?;
        st.send_tabs().await;
        Ok(back.is_some())
    }

    /// Sets my nickname.
    fn set_nickname[st, app](nick_name: String) -> UserView {
        let u = st.engine()?.set_nickname(&nick_name).await?;
        st.send_tabs().await;
        Ok(user_view(&u))
    }

    /// Changes my nickname and/or avatar (an https URL; empty removes it); null leaves a field as it is.
    fn set_profile[st, app](nick_name: Option<String>, avatar_url: Option<String>) -> UserView {
        let u = st.engine()?.update_profile(nick_name.as_deref(), avatar_url.as_deref()).await?;
        st.send_tabs().await;
        Ok(user_view(&u))
    }

    /// My address to share: a QR code and a text.
    fn share[st, app]() -> ShareView {
        Ok(st.engine()?.share().await?)
    }

    /// The 1v1 room with someone: the one I am in, else a new one.
    fn open_direct[st, app](user_id: String) -> RoomView {
        let r = st.engine()?.open_direct(&user_id).await?;
        Ok(st.engine()?.room_view(&r.room_id).await?)
    }

    /// Every room, most recent first.
    fn rooms[st, app]() -> Vec<RoomView> {
        Ok(st.engine()?.room_views().await?)
    }

    /// One room.
    fn room[st, app](room_id: String) -> RoomView {
        Ok(st.engine()?.room_view(&room_id).await?)
    }

    /// A page of a room's messages, ascending (the latest page ends with my unsent ones).
    fn messages[st, app](room_id: String, cursor: Cursor, limit: u32) -> Vec<MessageView> {
        Ok(st.engine()?.message_views(&room_id, cursor, limit.into()).await?)
    }

    /// The messages around one message, to open it in context.
    fn messages_around[st, app](room_id: String, message_id: String, limit: u32) -> Vec<MessageView> {
        Ok(st.engine()?.message_views_around(&room_id, &message_id, limit.into()).await?)
    }

    /// A thread, its root first.
    fn thread[st, app](room_id: String, thread_id: String) -> Vec<MessageView> {
        Ok(st.engine()?.thread_views(&room_id, &thread_id).await?)
    }

    /// Queues a message; it shows as pending until its ACK.
    fn send[st, app](draft: Draft) -> MessageView {
        Ok(st.engine()?.send_view(draft).await?)
    }

    /// Sends a failed message again.
    fn retry[st, app](client_msg_id: String) -> () {
        st.engine()?.retry(&client_msg_id).await?;
        Ok(())
    }

    /// Drops a failed or pending message.
    fn discard[st, app](client_msg_id: String) -> () {
        Ok(st.engine()?.discard(&client_msg_id).await?)
    }

    /// Marks a room read up to a seq (a read receipt too, unless the settings say not to).
    fn mark_read[st, app](room_id: String, seq: i64) -> () {
        let receipt = st.settings.lock().map(|s| s.read_receipts).unwrap_or(false);
        Ok(st.engine()?.mark_read(&room_id, seq, receipt).await?)
    }

    /// A room's threads, the most recently active first.
    fn room_threads[st, app](room_id: String) -> Vec<MessageView> {
        Ok(st.engine()?.threads_view(&room_id).await?)
    }

    /// The first unread message a room shows, where it opens.
    fn first_unread[st, app](room_id: String) -> Option<String> {
        Ok(st.engine()?.first_unread(&room_id).await?)
    }

    /// Who has read my latest message in a room (cached; fresh receipts follow as `seen`).
    fn seen[st, app](room_id: String) -> Option<SeenView> {
        let engine = st.engine()?;
        let now = engine.seen(&room_id).await?;
        tokio::spawn(async move {
            let _ = engine.refresh_receipts(&room_id).await;
        });
        Ok(now)
    }

    /// I am typing in a room (told at most every few seconds, unless the settings say not to).
    fn typing[st, app](room_id: String) -> () {
        if !st.settings.lock().map(|s| s.typing_indicators).unwrap_or(false) {
            return Ok(());
        }
        Ok(st.engine()?.typing(&room_id).await?)
    }

    /// What the user looks at (no notifications for the open room of a focused window).
    fn set_focus[st, app](room_id: Option<String>, focused: bool) -> () {
        Ok(st.engine()?.set_focus(room_id, focused).await?)
    }

    /// A room's notification setting.
    fn set_notify_mode[st, app](room_id: String, mode: NotifyMode) -> () {
        Ok(st.engine()?.set_notify_mode(&room_id, mode).await?)
    }

    /// Creates a room: one user makes a 1v1 room, several a group.
    fn create_room[st, app](user_ids: Vec<String>) -> RoomView {
        if user_ids.is_empty() {
            return Err(AppError::invalid("pick at least one person"));
        }
        let r = st.engine()?.create_room(&user_ids).await?;
        Ok(st.engine()?.room_view(&r.room_id).await?)
    }

    /// Joins (or creates) the room of an OpenSea collection by its slug.
    fn join_collection[st, app](slug: String, name: String, cover: String) -> RoomView {
        let r = st.engine()?.join_collection(slug.trim(), name.trim(), cover.trim()).await?;
        Ok(st.engine()?.room_view(&r.room_id).await?)
    }

    /// Adds members to a group room.
    fn add_members[st, app](room_id: String, user_ids: Vec<String>) -> RoomView {
        st.engine()?.add_members(&room_id, &user_ids).await?;
        Ok(st.engine()?.room_view(&room_id).await?)
    }

    /// Leaves a room.
    fn leave_room[st, app](room_id: String) -> () {
        Ok(st.engine()?.leave_room(&room_id).await?)
    }

    /// Fetches a room's info and members again.
    fn refresh_room[st, app](room_id: String) -> RoomView {
        st.engine()?.refresh_room(&room_id).await?;
        Ok(st.engine()?.room_view(&room_id).await?)
    }

    /// Finds users by nickname, ENS name or address.
    fn search_users[st, app](keyword: String) -> Vec<UserView> {
        Ok(st.engine()?.search_users(keyword.trim()).await?.iter().map(user_view).collect())
    }

    /// Searches all cached history.
    fn search[st, app](query: String, filter: SearchFilter, limit: u32) -> SearchResults {
        Ok(st.engine()?.search_results(&query, &filter, limit.into()).await?)
    }

    /// Makes a message a thread root, optionally about an OpenSea item.
    fn start_thread[st, app](room_id: String, message_id: String, item: Option<OpenSeaItem>) -> MessageView {
        Ok(st.engine()?.start_thread_view(&room_id, &message_id, item).await?)
    }

    /// The contract and token id of an OpenSea item URL.
    fn item_from_url[st, app](url: String) -> OpenSeaItem {
        w3mq_core::opensea::parse_item_url(&url)
            .ok_or_else(|| AppError::invalid("not an OpenSea item URL (https://opensea.io/assets/…/<contract>/<token id>)"))
    }

    /// Opens an http(s) URL in the system browser (never in the app window).
    fn open_external[st, app](url: String) -> () {
        if !w3mq_protocol::validate::is_http_url(&url) {
            return Err(AppError::invalid("only http(s) links can be opened"));
        }
        open::that_detached(&url).map_err(|e| AppError::new("io", format!("could not open a browser: {e}")))
    }

    /// The session's latest state.
    fn connection[st, app]() -> ConnectionState {
        Ok(st.connection_now())
    }

    /// Unread totals over all rooms.
    fn unread_total[st, app]() -> UnreadTotal {
        Ok(st.engine()?.unread_total().await?)
    }

    /// The app's settings.
    fn get_settings[st, app]() -> Settings {
        Ok(st.settings.lock().map(|s| s.clone()).unwrap_or_default())
    }

    /// Saves the app's settings (and applies the zoom).
    fn set_settings[st, app](settings: Settings) -> Settings {
        store_settings(&st, &app, settings.sane())
    }

    /// Zooms the page one step in, out, or back to 100% (Ctrl +/−/0); remembered.
    fn zoom[st, app](step: ZoomStep) -> Settings {
        let now = st.settings.lock().map(|s| s.clone()).unwrap_or_default();
        store_settings(&st, &app, now.zoomed(step))
    }

    /// A line of the WebView's console (errors, warnings, uncaught exceptions) for the log
    /// file; cut to 2,000 characters, at most 120 lines a minute.
    fn log_ui[st, app](level: String, message: String) -> () {
        use crate::logfile::Verdict;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let verdict = st.ui_log.lock().map(|mut b| b.take(now)).unwrap_or(Verdict::Drop);
        match verdict {
            Verdict::Log => {}
            Verdict::LastWarning => {
                tracing::warn!(target: "webview", "more than 120 lines this minute: the rest is dropped");
                return Ok(());
            }
            Verdict::Drop => return Ok(()),
        }
        let m: String = message.chars().take(2000).collect();
        match level.as_str() {
            "error" => tracing::error!(target: "webview", "{m}"),
            "warn" => tracing::warn!(target: "webview", "{m}"),
            _ => tracing::info!(target: "webview", "{m}"),
        }
        Ok(())
    }

    /// Puts the end of the newest log file (about 256 KiB) on the clipboard, for a bug report;
    /// answers how many bytes.
    fn copy_debug_log[st, app]() -> u32 {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        let none = || AppError::new("no_log", "there is no log file yet");
        let file = st.log_dir.as_deref().and_then(crate::logfile::newest).ok_or_else(none)?;
        let body = crate::logfile::tail(&file, crate::logfile::COPY_BYTES)
            .map_err(|e| AppError::new("io", format!("could not read the log: {e}")))?;
        let text = format!(
            "Web3MQ Desktop {} ({} {})\n{}\n\n{body}",
            app.package_info().version,
            std::env::consts::OS,
            std::env::consts::ARCH,
            file.display()
        );
        let n = u32::try_from(text.len()).unwrap_or(u32::MAX);
        app.clipboard()
            .write_text(text)
            .map_err(|e| AppError::new("clipboard", format!("could not copy: {e}")))?;
        Ok(n)
    }

    /// Reconnects now instead of after the wait ("Retry now" in the banner).
    fn reconnect_now[st, app]() -> () {
        st.engine()?.wake(false).await;
        Ok(())
    }

    /// The desktop's colour-scheme preference for the "System" theme (the XDG portal's
    /// `color-scheme`; null when there is none or no portal: then the WebView's media query).
    fn system_dark[st, app]() -> Option<bool> {
        Ok(crate::theme::prefers_dark().await)
    }

    /// The theme the UI now shows is dark (or not): the next start opens in its colour.
    fn theme_shown[st, app](dark: bool) -> () {
        let now = st.settings.lock().map(|s| s.clone()).unwrap_or_default();
        if now.last_dark != dark {
            store_settings(&st, &app, Settings { last_dark: dark, ..now })?;
        }
        Ok(())
    }

    /// Puts text on the clipboard (an address, a link, the debug log).
    fn copy_text[st, app](text: String) -> () {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        app.clipboard()
            .write_text(text)
            .map_err(|e| AppError::new("clipboard", format!("could not copy: {e}")))
    }

    /// The UI painted its first screen (`marks`: the page's own clock); logged, and the startup
    /// benchmark's end mark (`W3MQ_EXIT_AFTER_PAINT=1` prints it and quits).
    fn first_paint[st, app](marks: PaintMarks) -> () {
        crate::startup::first_paint(&app, marks);
        Ok(())
    }

    /// Opens the public channel of a collection room as me (live polls, timeouts, moderation);
    /// its messages still come as `messages` events. Answers once it is online (or after 8 s).
    fn channel_open[st, app](room_id: String) -> ChannelView {
        Ok(st.engine()?.channel_open(&room_id).await?)
    }

    /// Opens a public channel (a room id or a collection slug) on the server at `http` without an
    /// account: read only, with its latest 50 messages. Its events name `room_id`.
    fn channel_open_public[st, app](http: String, channel: String) -> ChannelView {
        Ok(st.engine()?.channel_open_public(&http, &channel).await?)
    }

    /// Closes an open channel (by the key it was opened with, or its room id).
    fn channel_close[st, app](channel: String) -> () {
        st.engine()?.channel_close(&channel).await;
        Ok(())
    }

    /// A channel's latest messages (at most 100), oldest first.
    fn channel_history[st, app](channel: String, limit: u32) -> Vec<ChannelMessageView> {
        let me = st.engine()?.me().await.unwrap_or_default();
        let msgs = st.engine()?.channel(&channel)?.history(limit.min(100)).await?;
        Ok(msgs.iter().map(|m| chat_message_view(m, &me)).collect())
    }

    /// Says something on a channel opened signed in (`msg`).
    fn channel_send[st, app](channel: String, text: String) -> ChannelMessageView {
        let me = st.engine()?.me().await.unwrap_or_default();
        let m = st.engine()?.channel(&channel)?.send_text(&text).await?;
        Ok(chat_message_view(&m, &me))
    }

    /// Starts a poll (moderator): 2 to 10 answers, 1 to 86,400 seconds.
    fn channel_vote_start[st, app](channel: String, question: String, answers: Vec<String>, seconds: u32) -> PollView {
        let c = st.engine()?.channel(&channel)?;
        let p = c.vote_start(&question, &answers, Duration::from_secs(seconds.into())).await?;
        Ok(poll_view(&p, false))
    }

    /// Votes in the running poll (by the answer's index).
    fn channel_vote[st, app](channel: String, index: u32) -> () {
        Ok(st.engine()?.channel(&channel)?.vote_choose(index as usize).await?)
    }

    /// Deletes a message (moderator).
    fn channel_delete[st, app](channel: String, message_id: String) -> () {
        Ok(st.engine()?.channel(&channel)?.delete_message(&message_id).await?)
    }

    /// Times a user out (moderator; by user id or name); 0 seconds lifts it.
    fn channel_timeout[st, app](channel: String, user: String, seconds: u32) -> () {
        let c = st.engine()?.channel(&channel)?;
        Ok(c.timeout(&user, Duration::from_secs(seconds.into())).await?)
    }

    /// Deletes every message of a user (moderator).
    fn channel_purge[st, app](channel: String, user: String) -> () {
        Ok(st.engine()?.channel(&channel)?.purge(&user).await?)
    }

    /// Deletes every message of the channel (moderator).
    fn channel_clear[st, app](channel: String) -> () {
        Ok(st.engine()?.channel(&channel)?.clear_messages().await?)
    }

    /// Shows and focuses the main window.
    fn focus_window[st, app]() -> () {
        if let Some(w) = app.get_webview_window("main") {
            let _ = w.show();
            let _ = w.unminimize();
            let _ = w.set_focus();
        }
        Ok(())
    }
}

/// Version, the proposed environment and whether a tray icon is shown.
fn info_of(st: &AppState, app: &AppHandle) -> AppInfo {
    AppInfo {
        version: app.package_info().version.to_string(),
        default_env: st.default_env.clone(),
        presets: vec![
            Environment::local(),
            Environment::production(),
            Environment::development(),
        ],
        tray: st.tray,
        reactions: w3mq_protocol::REACTIONS
            .iter()
            .map(|e| (*e).to_owned())
            .collect(),
    }
}

/// The event telling the UI that `slot` is on screen now.
fn switched(slot: u32) -> w3mq_core::present::UiEvent {
    w3mq_core::present::UiEvent::AccountSwitched {
        slot,
        room_id: None,
        message_id: None,
    }
}

/// `subscribe`: the UI hands over the channel it reads events from.
#[tauri::command]
pub fn subscribe(
    st: State<'_, AppState>,
    channel: tauri::ipc::Channel<w3mq_core::present::UiEvent>,
) {
    st.ui.set(channel);
}

/// Saves and applies settings: the file, the shared copy, the page's zoom.
fn store_settings(st: &AppState, app: &AppHandle, settings: Settings) -> CmdResult<Settings> {
    settings::save(&st.data_dir, &settings)
        .map_err(|e| AppError::new("io", format!("could not save settings: {e}")))?;
    if let Ok(mut s) = st.settings.lock() {
        *s = settings.clone();
    }
    crate::settings::apply_zoom(app, &settings);
    Ok(settings)
}

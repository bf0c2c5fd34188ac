// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit:
// run `W3MQ_WRITE_BINDINGS=1 cargo test -p w3mq-desktop bindings` after changing them.
/* eslint-disable */

/**
 * One account as the switcher shows it.
 */
export type AccountTab = { 
/**
 * Its slot (what `switch_account` takes).
 */
slot: number, 
/**
 * Signed in (a slot being added is not, until its sign-in ends).
 */
signed_in: boolean, 
/**
 * On screen.
 */
active: boolean, 
/**
 * Wallet address (empty while not signed in).
 */
address: string, 
/**
 * What to call it: nickname, else a short address.
 */
name: string, 
/**
 * An http(s) avatar URL, or empty.
 */
avatar_url: string, 
/**
 * The server's REST URL.
 */
server: string, 
/**
 * Its unread total.
 */
unread: number, 
/**
 * Of those, mentions.
 */
mentions: number, };

/**
 * The signed-in account.
 */
export type AccountView = { 
/**
 * User id.
 */
user_id: string, 
/**
 * Wallet address.
 */
address: string, 
/**
 * Where it is signed in.
 */
env: Environment, 
/**
 * Profile, as last known.
 */
profile: UserView | null, 
/**
 * A copy of the key exists outside the app (else the UI keeps reminding).
 */
backed_up: boolean, 
/**
 * The account has a recovery phrase to show.
 */
has_phrase: boolean, };

/**
 * An error as the UI receives it (the rejected value of a command's promise).
 */
export type AppError = { 
/**
 * A stable machine-readable code (`not_signed_in`, `network`, `invalid_input`, …).
 */
code: string, 
/**
 * A sentence for people.
 */
message: string, };

/**
 * General facts for the UI.
 */
export type AppInfo = { 
/**
 * The app's version.
 */
version: string, 
/**
 * The environment proposed on the first-run screen.
 */
default_env: Environment, 
/**
 * The named environments.
 */
presets: Array<Environment>, 
/**
 * A tray icon is shown.
 */
tray: boolean, 
/**
 * The emoji a reaction may be (the protocol's set), in the quick bar's order.
 */
reactions: Array<string>, };

/**
 * The signed-in account's backup state.
 */
export type BackupState = { 
/**
 * A copy of the key exists outside the app.
 */
backed_up: boolean, 
/**
 * The account has a recovery phrase to show.
 */
has_phrase: boolean, };

/**
 * What the first screen shows.
 */
export type Boot = { 
/**
 * Version, proposed environment, tray.
 */
info: AppInfo, 
/**
 * The app's settings.
 */
settings: Settings, 
/**
 * The resumed account; null when signed out.
 */
account: AccountView | null, 
/**
 * Its rooms, most recent first (empty when signed out).
 */
rooms: Array<RoomView>, 
/**
 * The session's state.
 */
connection: ConnectionState, 
/**
 * Unread totals.
 */
total: UnreadTotal, 
/**
 * The secrets are in the encrypted file, which waits for its passphrase.
 */
secrets_locked: boolean, 
/**
 * The accounts side by side, in the switcher's order.
 */
accounts: Array<AccountTab>, };

/**
 * Rooms caught up of rooms to catch up since the last CONNACK.
 */
export type CatchUp = { 
/**
 * Rooms whose history is in.
 */
done: number, 
/**
 * Rooms to catch up.
 */
total: number, };

/**
 * A chat message as the channel view shows it.
 */
export type ChannelMessageView = { 
/**
 * The message id (the stored message's id).
 */
id: string, 
/**
 * The channel it was said in (the room id).
 */
room_id: string, 
/**
 * The room's seq, when the server gives it.
 */
seq: number | null, 
/**
 * The sender.
 */
user_id: string, 
/**
 * The sender's name.
 */
sender_name: string, 
/**
 * The sender's roles (`Owner`, `User`, …).
 */
roles: Array<string>, 
/**
 * Unix milliseconds (0 when the server does not say).
 */
created_ms: number, 
/**
 * The whole text.
 */
text: string, 
/**
 * Text, link and mention parts, in order.
 */
parts: Array<TextPart>, 
/**
 * A private message to one user.
 */
whisper: boolean, 
/**
 * I sent it.
 */
mine: boolean, };

/**
 * The connection's state.
 */
export type ChannelState = { "state": "connecting", 
/**
 * The WebSocket URL.
 */
endpoint: string, } | { "state": "online", 
/**
 * The WebSocket URL.
 */
endpoint: string, 
/**
 * My roles in the channel (empty when anonymous).
 */
roles: Array<string>, 
/**
 * What I may do (`connect` only when anonymous).
 */
permissions: Array<string>, } | { "state": "offline", 
/**
 * Why.
 */
reason: string, 
/**
 * Milliseconds until the next attempt.
 */
retry_in_ms: number, } | { "state": "closed" };

/**
 * The connection's state and what I may do on the channel.
 */
export type ChannelStatusView = { 
/**
 * The state.
 */
state: ChannelState, 
/**
 * Connected and authenticated.
 */
online: boolean, 
/**
 * A line for people (`Live`, `Connecting…`, `Offline: … retrying in 3 s`).
 */
label: string, 
/**
 * I may write (signed in with `chat`).
 */
can_write: boolean, 
/**
 * I may vote in polls.
 */
can_vote: boolean, 
/**
 * I moderate: delete, time out, purge, clear, start polls.
 */
moderator: boolean, };

/**
 * What changed on a channel, for the UI.
 */
export type ChannelUpdate = { "kind": "message", 
/**
 * The message.
 */
message: ChannelMessageView, } | { "kind": "deleted", 
/**
 * Their ids.
 */
ids: Array<string>, } | { "kind": "purged", 
/**
 * The user.
 */
user_id: string, } | { "kind": "cleared" } | { "kind": "poll", 
/**
 * The poll.
 */
poll: PollView, } | { "kind": "timeout", 
/**
 * Who.
 */
user_id: string, 
/**
 * Their name.
 */
user_name: string, 
/**
 * A line for people.
 */
text: string, } | { "kind": "status", 
/**
 * The state and what I may do.
 */
status: ChannelStatusView, };

/**
 * A channel as the command that opens it answers.
 */
export type ChannelView = { 
/**
 * What it was opened with (a room id or a slug): the key of the other
 * channel commands.
 */
channel: string, 
/**
 * The room id when known (else the same as `channel`); events name it.
 */
room_id: string, 
/**
 * The state and what I may do.
 */
status: ChannelStatusView, 
/**
 * The latest messages, oldest first (empty when not fetched).
 */
messages: Array<ChannelMessageView>, };

/**
 * The MQTT session's state.
 */
export type ConnectionState = { "state": "connecting", 
/**
 * The MQTT URL.
 */
endpoint: string, } | { "state": "online", 
/**
 * The MQTT URL.
 */
endpoint: string, 
/**
 * Rooms whose history is still being fetched after the connect
 * (none once every room is in).
 */
catching_up: CatchUp | null, } | { "state": "offline", 
/**
 * Why.
 */
reason: string, 
/**
 * Milliseconds until the next attempt.
 */
retry_in_ms: number, } | { "state": "signed_out" };

/**
 * The contents of a message.
 */
export type Contents = { "kind": "text", 
/**
 * The whole text.
 */
text: string, 
/**
 * Text, link and mention parts, in order.
 */
parts: Array<TextPart>, } | { "kind": "swap_card", 
/**
 * The card.
 */
card: SwapCard, } | { "kind": "invalid", 
/**
 * Why.
 */
reason: string, } | { "kind": "deleted" };

/**
 * Where a page of messages starts.
 */
export type Cursor = { "kind": "latest" } | { "kind": "before", "seq": number } | { "kind": "after", "seq": number };

/**
 * What to send.
 */
export type Draft = { 
/**
 * The room.
 */
room_id: string, 
/**
 * Text (for a text message).
 */
text: string | null, 
/**
 * A trade card (instead of text).
 */
swap_card: SwapCard | null, 
/**
 * The message this one replies to.
 */
reply_to: string | null, 
/**
 * The thread this message belongs to.
 */
thread_id: string | null, 
/**
 * Users mentioned.
 */
mentions: Array<string>, 
/**
 * Start an OpenSea item thread with this message.
 */
item: OpenSeaItem | null, };

/**
 * Which environment.
 */
export type EnvKind = "production" | "development" | "local" | "custom";

/**
 * An environment: one REST base URL and one or more MQTT-over-WebSocket
 * endpoints, tried in turn on failure.
 */
export type Environment = { 
/**
 * Which one.
 */
kind: EnvKind, 
/**
 * REST base URL, e.g. `http://127.0.0.1:8780`.
 */
http: string, 
/**
 * MQTT endpoints, e.g. `ws://127.0.0.1:8780/mqtt`.
 */
mqtt: Array<string>, };

/**
 * An OpenSea item, as an item thread's card shows it.
 */
export type ItemView = { 
/**
 * Contract address.
 */
contract_address: string, 
/**
 * Token id.
 */
token_id: string, 
/**
 * Item name.
 */
name: string, 
/**
 * Item description.
 */
description: string, 
/**
 * An http(s) image URL, or empty.
 */
image_url: string, 
/**
 * The item's page on OpenSea.
 */
url: string, };

/**
 * A keystore file the user picked or dropped.
 */
export type KeystoreFile = { 
/**
 * The file's name (for the UI to show).
 */
name: string, 
/**
 * Its JSON (encrypted; the password opens it).
 */
json: string, };

/**
 * A message as the conversation shows it.
 */
export type MessageView = { 
/**
 * A stable key for the list: the client id of my messages, else the id.
 */
key: string, 
/**
 * The server's id (none while pending).
 */
id: string | null, 
/**
 * The server's per-room sequence number (none while pending).
 */
seq: number | null, 
/**
 * My idempotency key, for my own messages.
 */
client_msg_id: string | null, 
/**
 * The room.
 */
room_id: string, 
/**
 * The sender.
 */
from_uid: string, 
/**
 * The sender's name.
 */
sender_name: string, 
/**
 * The sender's http(s) avatar, or empty.
 */
sender_avatar: string, 
/**
 * I sent it.
 */
mine: boolean, 
/**
 * Unix milliseconds.
 */
created_ms: number, 
/**
 * What it says.
 */
contents: Contents, 
/**
 * A one-line preview.
 */
preview: string, 
/**
 * The message it replies to.
 */
reply: ReplyPreview | null, 
/**
 * The thread it belongs to.
 */
thread_id: string | null, 
/**
 * It is a thread root.
 */
is_thread: boolean, 
/**
 * The item of an OpenSea item thread root.
 */
item: ItemView | null, 
/**
 * It mentions me.
 */
mentions_me: boolean, 
/**
 * Sent, pending (in the outbox) or failed.
 */
status: SendStatus, 
/**
 * Why it failed.
 */
error: string | null, 
/**
 * Its author edited it.
 */
edited: boolean, 
/**
 * Deleted for everyone (`contents` is `deleted`).
 */
deleted: boolean, 
/**
 * Reactions, per emoji.
 */
reactions: Array<ReactionView>, 
/**
 * A thread root's replies (none before the first reply).
 */
thread_summary: ThreadSummary | null, };

/**
 * Per-room notification setting.
 */
export type NotifyMode = "all" | "mentions" | "mute";

/**
 * The OpenSea item an item thread is about.
 */
export type OpenSeaItem = { 
/**
 * `0x` + 40 hex digits.
 */
contract_address: string, 
/**
 * Decimal digits.
 */
token_id: string, 
/**
 * Item name.
 */
name: string, 
/**
 * Item description.
 */
description: string, 
/**
 * http(s) image URL (may be empty).
 */
image_url: string, };

/**
 * The page's own marks (`performance.now()`: milliseconds since the page's
 * navigation started).
 */
export type PaintMarks = { 
/**
 * The bundle ran (the first line of main.ts).
 */
bundle_ms: number, 
/**
 * The `boot` answer arrived.
 */
boot_ms: number, 
/**
 * Svelte put the first screen in the DOM (the microtask after the state was set).
 */
rendered_ms: number, 
/**
 * The first animation frame after that (style, layout and paint were asked for).
 */
frame_ms: number, 
/**
 * Two animation frames after the room list was set.
 */
painted_ms: number, };

/**
 * A recovery phrase to show, and the words to ask back.
 */
export type PhraseBackup = { 
/**
 * The address the phrase opens.
 */
address: string, 
/**
 * The words, in order.
 */
words: Array<string>, 
/**
 * The positions (1-based) the user is asked to type back.
 */
quiz: Array<number>, };

/**
 * One answer of a poll.
 */
export type PollAnswerView = { 
/**
 * The answer.
 */
text: string, 
/**
 * Votes so far.
 */
votes: number, 
/**
 * Share of the votes, 0 to 100.
 */
percent: number, };

/**
 * A poll as the channel view shows it.
 */
export type PollView = { 
/**
 * The question.
 */
question: string, 
/**
 * The answers, in order (vote with the index).
 */
answers: Array<PollAnswerView>, 
/**
 * How many have voted.
 */
voters: number, 
/**
 * When it ends (Unix milliseconds).
 */
ends_ms: number, 
/**
 * It is over: the results are final.
 */
ended: boolean, 
/**
 * Who started it.
 */
author_name: string, };

/**
 * A QR code: `size` × `size` modules, row by row, `true` dark.
 */
export type QrView = { 
/**
 * Modules per side.
 */
size: number, 
/**
 * The modules, row by row (`size * size` of them).
 */
dark: Array<boolean>, };

/**
 * One emoji's reactions to a message, as shown.
 */
export type ReactionView = { 
/**
 * The emoji.
 */
emoji: string, 
/**
 * How many gave it.
 */
count: number, 
/**
 * I gave it.
 */
mine: boolean, 
/**
 * Who (names of the first ones listed), for the tooltip.
 */
names: Array<string>, };

/**
 * When images from other hosts (avatars, card and item images) load: each
 * such load tells that host who is reading.
 */
export type RemoteImages = "always" | "on_click";

/**
 * The message a reply quotes.
 */
export type ReplyPreview = { 
/**
 * The quoted message's id.
 */
id: string, 
/**
 * Its sender's name (empty when it is not cached).
 */
sender_name: string, 
/**
 * A one-line preview (empty when it is not cached; "Message deleted" when it was).
 */
text: string, 
/**
 * The quoted message is in the cache (so the UI can jump to it).
 */
found: boolean, 
/**
 * The quoted message was deleted for everyone.
 */
deleted: boolean, };

/**
 * What restores an account.
 */
export type Restore = { "kind": "phrase", 
/**
 * The words.
 */
phrase: string, } | { "kind": "private_key", 
/**
 * The key.
 */
private_key: string, } | { "kind": "keystore", 
/**
 * The file's JSON.
 */
json: string, 
/**
 * Its password.
 */
password: string, };

/**
 * What kind of room.
 */
export type RoomKind = "direct" | "group" | "collection";

/**
 * A room as the room list and the room header show it.
 */
export type RoomView = { 
/**
 * Object id.
 */
room_id: string, 
/**
 * Direct, group or collection.
 */
kind: RoomKind, 
/**
 * The name to show: the other person of a 1v1 room, a collection's
 * name, a group's name or its members' names.
 */
title: string, 
/**
 * A second line: member count, slug or the other person's address.
 */
subtitle: string, 
/**
 * An http(s) image for the room, or empty.
 */
avatar_url: string, 
/**
 * The room's description.
 */
description: string, 
/**
 * The collection slug (collection rooms only).
 */
slug: string, 
/**
 * The creator (the moderator of a public channel).
 */
creator_id: string, 
/**
 * I created it.
 */
mine: boolean, 
/**
 * Members, me included.
 */
members: Array<UserView>, 
/**
 * The latest message, if any.
 */
latest: MessageView | null, 
/**
 * A one-line preview of the latest message.
 */
preview: string, 
/**
 * Messages by others after my read marker.
 */
unread: number, 
/**
 * Of those, the ones that mention me.
 */
mentions: number, 
/**
 * Notification setting.
 */
notify: NotifyMode, 
/**
 * Unix milliseconds of the latest activity (the list is sorted by it).
 */
last_activity_ms: number, };

/**
 * A composer's draft.
 */
export type SavedDraft = { 
/**
 * Whose composer: a room id, or `room_id#thread_id`.
 */
key: string, 
/**
 * What was typed.
 */
text: string, 
/**
 * Users mentioned in it.
 */
mentions: Array<string>, 
/**
 * The message it replies to.
 */
reply_to: string | null, 
/**
 * The quoted message's sender and preview, shown above the composer.
 */
reply_label: string, };

/**
 * What a search is limited to (every field optional: none searches all).
 */
export type SearchFilter = { 
/**
 * Only this room.
 */
room_id: string | null, 
/**
 * Only messages of this sender (a user id).
 */
from_uid: string | null, 
/**
 * Only messages sent at or after this time (Unix ms).
 */
after_ms: number | null, 
/**
 * Only messages sent before this time (Unix ms).
 */
before_ms: number | null, };

/**
 * A search result.
 */
export type SearchHitView = { 
/**
 * The message.
 */
message: MessageView, 
/**
 * The room's title.
 */
room_title: string, 
/**
 * Text around the match; `hit` parts matched.
 */
snippet: Array<SnippetPart>, };

/**
 * A search's answer: the best hits and how many messages match in all.
 */
export type SearchResults = { 
/**
 * The best matches first.
 */
hits: Array<SearchHitView>, 
/**
 * How many messages match (at most [`crate::cache::MAX_COUNTED`]).
 */
total: number, 
/**
 * More than `total` match.
 */
more: boolean, };

/**
 * What the UI needs to know about the secret store.
 */
export type SecretStoreStatus = { 
/**
 * The store in use.
 */
kind: StoreKind, 
/**
 * The sealed file waits for its passphrase.
 */
locked: boolean, 
/**
 * Why the keychain does not answer (`None` when it does, or when the sealed file is in use).
 */
keychain_error: string | null, };

/**
 * Who has read my latest message in a room (their shared read receipts).
 */
export type SeenView = { 
/**
 * My latest message in the room's timeline.
 */
msg_id: string, 
/**
 * How many others read it.
 */
count: number, 
/**
 * Their names (the first 20), for the tooltip.
 */
names: Array<string>, 
/**
 * A 1v1 room: "Read" rather than "Seen by".
 */
direct: boolean, };

/**
 * The state of a message I sent that has no ACK yet.
 */
export type SendStatus = "pending" | "sent" | "failed";

/**
 * Settings the user changes in the settings panel.
 */
export type Settings = { 
/**
 * Colour theme.
 */
theme: Theme, 
/**
 * Raise desktop notifications at all (each room has its own mode too).
 */
notifications: boolean, 
/**
 * When remote images load.
 */
remote_images: RemoteImages, 
/**
 * The page's zoom, in percent (one of [`ZOOM_STEPS`]; Ctrl +/−/0).
 */
zoom_percent: number, 
/**
 * Whether the theme last shown was dark (what "System" resolved to): the
 * window opens in that background colour instead of flashing white.
 */
last_dark: boolean, 
/**
 * Tell others when I read their messages (read receipts; my devices
 * share my read marker either way).
 */
read_receipts: boolean, 
/**
 * Tell others when I am typing.
 */
typing_indicators: boolean, };

/**
 * My address to share: the QR code of `ethereum:<address>` (EIP-681, what wallets scan) and a text.
 */
export type ShareView = { 
/**
 * The address.
 */
address: string, 
/**
 * Its QR code.
 */
qr: QrView, 
/**
 * A sentence to paste elsewhere.
 */
text: string, };

/**
 * A piece of a search snippet.
 */
export type SnippetPart = { 
/**
 * Plain text.
 */
text: string, 
/**
 * It matched the query.
 */
hit: boolean, };

/**
 * A social account on a user's profile.
 */
export type Social = { 
/**
 * `opensea`, `instagram`, `twitter`, `facebook` or `discord`.
 */
platform: string, 
/**
 * The user name there.
 */
username: string, 
/**
 * The server marked it verified.
 */
verified: boolean, 
/**
 * An http(s) avatar URL, or empty.
 */
avatar_url: string, };

/**
 * Which store holds the secrets.
 */
export type StoreKind = "keychain" | "sealed";

/**
 * A password's estimated strength.
 */
export type Strength = { 
/**
 * 0 (guessed at once) to 4 (very hard to guess).
 */
score: number, 
/**
 * What the score means, in a few words.
 */
label: string, 
/**
 * A hint to make it stronger, when there is one.
 */
hint: string | null, };

/**
 * One asset of a trade card.
 */
export type SwapAsset = { 
/**
 * Token contract, `0x` + 40 hex digits.
 */
address: string, 
/**
 * `1` fungible, `2` NFT (as the seed's example).
 */
type: string, 
/**
 * Token id for NFTs.
 */
id?: string, 
/**
 * Decimal amount as text.
 */
amount: string, 
/**
 * http(s) image URL.
 */
imgURL: string, 
/**
 * Token name.
 */
name: string, 
/**
 * Token symbol.
 */
symbol: string, };

/**
 * A sudoswap trade card.
 */
export type SwapCard = { 
/**
 * e.g. `OPEN`.
 */
orderStatus: string, 
/**
 * Free text as the seed shows it, e.g. `2022-05-14, 12:00 AM`.
 */
expiryDate: string, 
/**
 * `0x` + 40 hex digits.
 */
creatorAddress: string, 
/**
 * `0x` + 40 hex digits, or empty for anyone.
 */
recipientAddress: string, 
/**
 * http(s) link to the order.
 */
jumpUrl: string, 
/**
 * What the creator gives.
 */
asset1Data: Array<SwapAsset>, 
/**
 * What the creator asks for.
 */
asset2Data: Array<SwapAsset>, };

/**
 * A piece of a text message.
 */
export type TextPart = { "kind": "text", 
/**
 * The text.
 */
text: string, } | { "kind": "link", 
/**
 * The text shown.
 */
text: string, 
/**
 * The URL (always absolute http or https).
 */
url: string, } | { "kind": "mention", 
/**
 * The text shown, with the `@`.
 */
text: string, 
/**
 * The mentioned user.
 */
user_id: string, 
/**
 * It is me.
 */
me: boolean, } | { "kind": "bold", 
/**
 * The text.
 */
text: string, } | { "kind": "italic", 
/**
 * The text.
 */
text: string, } | { "kind": "code", 
/**
 * The text.
 */
text: string, } | { "kind": "code_block", 
/**
 * The code, its lines as typed.
 */
text: string, } | { "kind": "quote", 
/**
 * The quoted text.
 */
text: string, };

/**
 * Colour theme.
 */
export type Theme = "system" | "light" | "dark";

/**
 * What a thread root shows of its thread.
 */
export type ThreadSummary = { 
/**
 * How many replies (deleted ones left out).
 */
replies: number, 
/**
 * The first few who replied, in the order they first did.
 */
names: Array<string>, 
/**
 * Their http(s) avatars, or empty, in the same order.
 */
avatars: Array<string>, 
/**
 * Unix milliseconds of the latest reply.
 */
last_reply_ms: number, };

/**
 * What the UI is told, one variant per change.
 */
export type UiEvent = { "type": "messages", 
/**
 * The messages.
 */
messages: Array<MessageView>, } | { "type": "room_updated", 
/**
 * The room.
 */
room: RoomView, } | { "type": "room_removed", 
/**
 * The room.
 */
room_id: string, } | { "type": "messages_deleted", 
/**
 * The room.
 */
room_id: string, 
/**
 * The deleted messages.
 */
ids: Array<string>, } | { "type": "room_cleared", 
/**
 * The room.
 */
room_id: string, } | { "type": "connection", 
/**
 * The new state.
 */
state: ConnectionState, } | { "type": "send_status", 
/**
 * The message, as it is now.
 */
message: MessageView, } | { "type": "outbox_discarded", 
/**
 * Its idempotency key.
 */
client_msg_id: string, 
/**
 * Its room.
 */
room_id: string, } | { "type": "unread_total", 
/**
 * The totals.
 */
total: UnreadTotal, } | { "type": "channel", 
/**
 * The room id (the slug it was opened with until the channel names
 * its room).
 */
room_id: string, 
/**
 * What changed.
 */
update: ChannelUpdate, } | { "type": "typing", 
/**
 * The room.
 */
room_id: string, 
/**
 * The typists' names (empty: nobody types).
 */
names: Array<string>, } | { "type": "seen", 
/**
 * The room.
 */
room_id: string, 
/**
 * The readers, if any.
 */
seen: SeenView | null, } | { "type": "resync" } | { "type": "open_room", 
/**
 * The room.
 */
room_id: string, 
/**
 * The message, if any.
 */
message_id: string | null, } | { "type": "system_theme", 
/**
 * `Some(true)` prefers dark, `Some(false)` light, `None` no preference.
 */
dark: boolean | null, } | { "type": "files_dropped", 
/**
 * The files' paths.
 */
paths: Array<string>, } | { "type": "accounts", 
/**
 * Every account, in the switcher's order.
 */
accounts: Array<AccountTab>, } | { "type": "account_switched", 
/**
 * The slot now on screen.
 */
slot: number, 
/**
 * The room to open.
 */
room_id: string | null, 
/**
 * The message to open it at.
 */
message_id: string | null, };

/**
 * Totals for the window title and the tray.
 */
export type UnreadTotal = { 
/**
 * Unread messages over all rooms.
 */
unread: number, 
/**
 * Of those, mentions of me.
 */
mentions: number, };

/**
 * A user as the UI shows them.
 */
export type UserView = { 
/**
 * Object id.
 */
user_id: string, 
/**
 * Nick name (may be empty).
 */
nick_name: string, 
/**
 * Wallet address.
 */
address: string, 
/**
 * ENS name (may be empty).
 */
ens_name: string, 
/**
 * What to call them: nick name, else ENS name, else a short address.
 */
display_name: string, 
/**
 * An http(s) avatar URL, or empty.
 */
avatar_url: string, 
/**
 * Social accounts with a user name.
 */
socials: Array<Social>, };

/**
 * Which way a zoom key goes.
 */
export type ZoomStep = "in" | "out" | "reset";

/** The command that takes the Channel<UiEvent> the UI reads events from. */
export const SUBSCRIBE = "subscribe";

/** Calls a command; rejects with an AppError. */
export type Invoke = <T>(cmd: string, args: Record<string, unknown>) => Promise<T>;

/** Every command, typed. */
export function commands(invoke: Invoke) {
  return {
    /** Version, the proposed environment and whether a tray icon is shown. */
    app_info: () => invoke<AppInfo>("app_info", {}),
    /** Everything the first screen shows, in one call: the last account, resumed from its cache before the page asked (no network, no keychain), its rooms and totals, the settings (`ui_ms`: the page's clock when it asked). */
    boot: (ui_ms: number) => invoke<Boot>("boot", { ui_ms }),
    /** A new account's recovery phrase, to show and confirm before signing in. */
    new_account: () => invoke<PhraseBackup>("new_account", {}),
    /** Signs in with the new account: `answers` are the quiz's words (backed up), or none ("later"). */
    sign_in_new: (env: Environment, answers: Array<string> | null) => invoke<AccountView>("sign_in_new", { env, answers }),
    /** Signs in with an existing account: a recovery phrase, a private key or a keystore file. */
    restore: (env: Environment, restore: Restore) => invoke<AccountView>("restore", { env, restore }),
    /** A keystore file: the one at `path` (a drop), or one the user picks (`None`: cancelled). */
    read_keystore_file: (path: string | null) => invoke<KeystoreFile | null>("read_keystore_file", { path }),
    /** The signed-in account's backup state. */
    backup_state: () => invoke<BackupState>("backup_state", {}),
    /** The signed-in account's recovery phrase (the UI asked the user to confirm first). */
    reveal_phrase: () => invoke<PhraseBackup>("reveal_phrase", {}),
    /** Marks the account backed up once `answers` are the words asked for. */
    confirm_backup: (answers: Array<string>) => invoke<BackupState>("confirm_backup", { answers }),
    /** Saves the key as a keystore file encrypted with `password`, where the user chooses (`path` skips the dialog, for a new `.json` file only); `None` when the dialog was cancelled. */
    export_keystore: (password: string, path: string | null) => invoke<BackupState | null>("export_keystore", { password, path }),
    /** How strong a password is (zxcvbn), for the meter under a password field. */
    password_strength: (password: string) => invoke<Strength>("password_strength", { password }),
    /** The secret store in use (the keychain, or the encrypted file) and whether the keychain answers. */
    secret_store: () => invoke<SecretStoreStatus>("secret_store", {}),
    /** Keeps the secrets in a file on this computer sealed with `passphrase` (no keychain answers). */
    use_sealed_store: (passphrase: string) => invoke<null>("use_sealed_store", { passphrase }),
    /** Opens the encrypted file with its passphrase. */
    unlock_secrets: (passphrase: string) => invoke<null>("unlock_secrets", { passphrase }),
    /** Signs out: the key, its phrase and the token leave the keychain. An account never backed up needs `confirmation` (the words the UI asks the user to type). When other accounts are signed in, one of them comes on screen (`account_switched`). */
    sign_out: (confirmation: string | null) => invoke<null>("sign_out", { confirmation }),
    /** The accounts side by side, in the switcher's order. */
    accounts: () => invoke<Array<AccountTab>>("accounts", {}),
    /** The signed-in account's saved drafts (every composer's). */
    drafts: () => invoke<Array<SavedDraft>>("drafts", {}),
    /** Saves a composer's draft (an empty one is removed), so that it survives a restart. */
    save_draft: (draft: SavedDraft) => invoke<null>("save_draft", { draft }),
    /** Adds (`on`) or removes my reaction to a message (one of the protocol's emoji). */
    react: (message_id: string, emoji: string, on: boolean) => invoke<null>("react", { message_id, emoji, on }),
    /** Replaces the text and mentions of my text message. */
    edit_message: (message_id: string, text: string, mentions: Array<string>) => invoke<null>("edit_message", { message_id, text, mentions }),
    /** Deletes a message for everyone (mine, or any in a room I own): a placeholder stays. */
    delete_message: (message_id: string) => invoke<null>("delete_message", { message_id }),
    /** Adds another account: a new slot comes on screen at the sign-in screen (`account_switched`). */
    add_account: () => invoke<number>("add_account", {}),
    /** Puts the account of `slot` on screen (`account_switched`). */
    switch_account: (slot: number) => invoke<null>("switch_account", { slot }),
    /** Leaves "add account" for the account on screen before; false when there is none. */
    cancel_add_account: () => invoke<boolean>("cancel_add_account", {}),
    /** Sets my nickname. */
    set_nickname: (nick_name: string) => invoke<UserView>("set_nickname", { nick_name }),
    /** Changes my nickname and/or avatar (an https URL; empty removes it); null leaves a field as it is. */
    set_profile: (nick_name: string | null, avatar_url: string | null) => invoke<UserView>("set_profile", { nick_name, avatar_url }),
    /** My address to share: a QR code and a text. */
    share: () => invoke<ShareView>("share", {}),
    /** The 1v1 room with someone: the one I am in, else a new one. */
    open_direct: (user_id: string) => invoke<RoomView>("open_direct", { user_id }),
    /** Every room, most recent first. */
    rooms: () => invoke<Array<RoomView>>("rooms", {}),
    /** One room. */
    room: (room_id: string) => invoke<RoomView>("room", { room_id }),
    /** A page of a room's messages, ascending (the latest page ends with my unsent ones). */
    messages: (room_id: string, cursor: Cursor, limit: number) => invoke<Array<MessageView>>("messages", { room_id, cursor, limit }),
    /** The messages around one message, to open it in context. */
    messages_around: (room_id: string, message_id: string, limit: number) => invoke<Array<MessageView>>("messages_around", { room_id, message_id, limit }),
    /** A thread, its root first. */
    thread: (room_id: string, thread_id: string) => invoke<Array<MessageView>>("thread", { room_id, thread_id }),
    /** Queues a message; it shows as pending until its ACK. */
    send: (draft: Draft) => invoke<MessageView>("send", { draft }),
    /** Sends a failed message again. */
    retry: (client_msg_id: string) => invoke<null>("retry", { client_msg_id }),
    /** Drops a failed or pending message. */
    discard: (client_msg_id: string) => invoke<null>("discard", { client_msg_id }),
    /** Marks a room read up to a seq (a read receipt too, unless the settings say not to). */
    mark_read: (room_id: string, seq: number) => invoke<null>("mark_read", { room_id, seq }),
    /** A room's threads, the most recently active first. */
    room_threads: (room_id: string) => invoke<Array<MessageView>>("room_threads", { room_id }),
    /** The first unread message a room shows, where it opens. */
    first_unread: (room_id: string) => invoke<string | null>("first_unread", { room_id }),
    /** Who has read my latest message in a room (cached; fresh receipts follow as `seen`). */
    seen: (room_id: string) => invoke<SeenView | null>("seen", { room_id }),
    /** I am typing in a room (told at most every few seconds, unless the settings say not to). */
    typing: (room_id: string) => invoke<null>("typing", { room_id }),
    /** What the user looks at (no notifications for the open room of a focused window). */
    set_focus: (room_id: string | null, focused: boolean) => invoke<null>("set_focus", { room_id, focused }),
    /** A room's notification setting. */
    set_notify_mode: (room_id: string, mode: NotifyMode) => invoke<null>("set_notify_mode", { room_id, mode }),
    /** Creates a room: one user makes a 1v1 room, several a group. */
    create_room: (user_ids: Array<string>) => invoke<RoomView>("create_room", { user_ids }),
    /** Joins (or creates) the room of an OpenSea collection by its slug. */
    join_collection: (slug: string, name: string, cover: string) => invoke<RoomView>("join_collection", { slug, name, cover }),
    /** Adds members to a group room. */
    add_members: (room_id: string, user_ids: Array<string>) => invoke<RoomView>("add_members", { room_id, user_ids }),
    /** Leaves a room. */
    leave_room: (room_id: string) => invoke<null>("leave_room", { room_id }),
    /** Fetches a room's info and members again. */
    refresh_room: (room_id: string) => invoke<RoomView>("refresh_room", { room_id }),
    /** Finds users by nickname, ENS name or address. */
    search_users: (keyword: string) => invoke<Array<UserView>>("search_users", { keyword }),
    /** Searches all cached history. */
    search: (query: string, filter: SearchFilter, limit: number) => invoke<SearchResults>("search", { query, filter, limit }),
    /** Makes a message a thread root, optionally about an OpenSea item. */
    start_thread: (room_id: string, message_id: string, item: OpenSeaItem | null) => invoke<MessageView>("start_thread", { room_id, message_id, item }),
    /** The contract and token id of an OpenSea item URL. */
    item_from_url: (url: string) => invoke<OpenSeaItem>("item_from_url", { url }),
    /** Opens an http(s) URL in the system browser (never in the app window). */
    open_external: (url: string) => invoke<null>("open_external", { url }),
    /** The session's latest state. */
    connection: () => invoke<ConnectionState>("connection", {}),
    /** Unread totals over all rooms. */
    unread_total: () => invoke<UnreadTotal>("unread_total", {}),
    /** The app's settings. */
    get_settings: () => invoke<Settings>("get_settings", {}),
    /** Saves the app's settings (and applies the zoom). */
    set_settings: (settings: Settings) => invoke<Settings>("set_settings", { settings }),
    /** Zooms the page one step in, out, or back to 100% (Ctrl +/−/0); remembered. */
    zoom: (step: ZoomStep) => invoke<Settings>("zoom", { step }),
    /** A line of the WebView's console (errors, warnings, uncaught exceptions) for the log file; cut to 2,000 characters, at most 120 lines a minute. */
    log_ui: (level: string, message: string) => invoke<null>("log_ui", { level, message }),
    /** Puts the end of the newest log file (about 256 KiB) on the clipboard, for a bug report; answers how many bytes. */
    copy_debug_log: () => invoke<number>("copy_debug_log", {}),
    /** Reconnects now instead of after the wait ("Retry now" in the banner). */
    reconnect_now: () => invoke<null>("reconnect_now", {}),
    /** The desktop's colour-scheme preference for the "System" theme (the XDG portal's `color-scheme`; null when there is none or no portal: then the WebView's media query). */
    system_dark: () => invoke<boolean | null>("system_dark", {}),
    /** The theme the UI now shows is dark (or not): the next start opens in its colour. */
    theme_shown: (dark: boolean) => invoke<null>("theme_shown", { dark }),
    /** Puts text on the clipboard (an address, a link, the debug log). */
    copy_text: (text: string) => invoke<null>("copy_text", { text }),
    /** The UI painted its first screen (`marks`: the page's own clock); logged, and the startup benchmark's end mark (`W3MQ_EXIT_AFTER_PAINT=1` prints it and quits). */
    first_paint: (marks: PaintMarks) => invoke<null>("first_paint", { marks }),
    /** Opens the public channel of a collection room as me (live polls, timeouts, moderation); its messages still come as `messages` events. Answers once it is online (or after 8 s). */
    channel_open: (room_id: string) => invoke<ChannelView>("channel_open", { room_id }),
    /** Opens a public channel (a room id or a collection slug) on the server at `http` without an account: read only, with its latest 50 messages. Its events name `room_id`. */
    channel_open_public: (http: string, channel: string) => invoke<ChannelView>("channel_open_public", { http, channel }),
    /** Closes an open channel (by the key it was opened with, or its room id). */
    channel_close: (channel: string) => invoke<null>("channel_close", { channel }),
    /** A channel's latest messages (at most 100), oldest first. */
    channel_history: (channel: string, limit: number) => invoke<Array<ChannelMessageView>>("channel_history", { channel, limit }),
    /** Says something on a channel opened signed in (`msg`). */
    channel_send: (channel: string, text: string) => invoke<ChannelMessageView>("channel_send", { channel, text }),
    /** Starts a poll (moderator): 2 to 10 answers, 1 to 86,400 seconds. */
    channel_vote_start: (channel: string, question: string, answers: Array<string>, seconds: number) => invoke<PollView>("channel_vote_start", { channel, question, answers, seconds }),
    /** Votes in the running poll (by the answer's index). */
    channel_vote: (channel: string, index: number) => invoke<null>("channel_vote", { channel, index }),
    /** Deletes a message (moderator). */
    channel_delete: (channel: string, message_id: string) => invoke<null>("channel_delete", { channel, message_id }),
    /** Times a user out (moderator; by user id or name); 0 seconds lifts it. */
    channel_timeout: (channel: string, user: string, seconds: number) => invoke<null>("channel_timeout", { channel, user, seconds }),
    /** Deletes every message of a user (moderator). */
    channel_purge: (channel: string, user: string) => invoke<null>("channel_purge", { channel, user }),
    /** Deletes every message of the channel (moderator). */
    channel_clear: (channel: string) => invoke<null>("channel_clear", { channel }),
    /** Shows and focuses the main window. */
    focus_window: () => invoke<null>("focus_window", {}),
  };
}

/** The typed commands. */
export type Commands = ReturnType<typeof commands>;

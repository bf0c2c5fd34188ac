-- w3mq-core: the per-account client cache, version 1.

-- Small key/value store for the engine ("profile", and "cache.me": the account).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Profiles of every user seen (room members, search results, me).
CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    profile TEXT NOT NULL                     -- the whole User as JSON
) WITHOUT ROWID;

-- Every room the cache has heard of. `rk` is a small local key that messages
-- use instead of the 24-character room id (smaller rows and indexes).
CREATE TABLE rooms (
    rk            INTEGER PRIMARY KEY,
    room_id       TEXT NOT NULL UNIQUE,
    info          TEXT,                       -- Room JSON without members; NULL: only seen in messages
    current       INTEGER NOT NULL DEFAULT 0, -- 1 while the account is a member (room_list, room_ids)
    notify        TEXT NOT NULL DEFAULT 'all',
    created_at    INTEGER NOT NULL DEFAULT 0, -- Room.created_at
    last_msg_time INTEGER NOT NULL DEFAULT 0, -- Room.last_msg_time
    read_seq      INTEGER NOT NULL DEFAULT 0, -- the read marker: seqs <= read_seq are read
    unread        INTEGER NOT NULL DEFAULT 0, -- cached messages by others with seq > read_seq
    mentions      INTEGER NOT NULL DEFAULT 0, -- of those, the ones mentioning me
    synced_seq    INTEGER NOT NULL DEFAULT 0, -- all of 1..=synced_seq are cached
    max_seq       INTEGER NOT NULL DEFAULT 0  -- the highest seq ever cached
);

-- A room's member list, in the server's order; profiles live in `users`.
CREATE TABLE room_members (
    rk      INTEGER NOT NULL,
    pos     INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (rk, pos)
) WITHOUT ROWID;

-- Server messages (each has an id and a per-room seq).
CREATE TABLE messages (
    mid        INTEGER PRIMARY KEY,           -- local rowid, also the FTS rowid
    id         TEXT NOT NULL,
    rk         INTEGER NOT NULL,              -- rooms.rk
    seq        INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    thread_id  TEXT,                          -- belong_to_thread_id, NULL when empty
    mine       INTEGER NOT NULL,              -- from_uid is the account
    mention    INTEGER NOT NULL,              -- at_user_ids holds the account
    txt        TEXT,                          -- a text message's text (then left out of body)
    extra      TEXT,                          -- other searchable text: swap card, OpenSea item
    body       TEXT NOT NULL                  -- the Message as JSON without id, seq, to_room_id,
                                              -- default-valued fields, and msg_contents when txt holds it
);
CREATE UNIQUE INDEX messages_id ON messages(id);
CREATE UNIQUE INDEX messages_room_seq ON messages(rk, seq);
CREATE INDEX messages_thread ON messages(thread_id, seq) WHERE thread_id IS NOT NULL;

-- Full-text index over txt and extra, external content (the text is stored once).
-- Ingest indexes each batch's new rows with one statement (FTS5 writes a new
-- index segment at every statement that touches it, so one statement per
-- batch keeps segments, and merging, few); deletes and updates are indexed by
-- the triggers below. Every row of messages is in the index (one without text
-- as an empty document), so the two always hold the same rowids.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    txt, extra,
    content = 'messages', content_rowid = 'mid',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Merge 16 segments of a level at a time, not 4: less rewriting while
-- ingesting, a few more segments to look at when searching.
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, txt, extra) VALUES ('delete', old.mid, old.txt, old.extra);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF txt, extra ON messages
WHEN old.txt IS NOT new.txt OR old.extra IS NOT new.extra
BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, txt, extra) VALUES ('delete', old.mid, old.txt, old.extra);
    INSERT INTO messages_fts (rowid, txt, extra) VALUES (new.mid, new.txt, new.extra);
END;

-- Messages I sent that have no ACK yet (Pending) or were rejected (Failed).
-- The rowid keeps the order they were queued in.
CREATE TABLE outbox (
    client_msg_id TEXT NOT NULL UNIQUE,
    room_id       TEXT NOT NULL,
    message       TEXT NOT NULL,              -- the Message JSON as it will be published
    status        TEXT NOT NULL,              -- 'pending' | 'failed'
    error         TEXT,
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_status ON outbox(status, created_at);
CREATE INDEX outbox_room ON outbox(room_id, created_at);

-- w3mq-server schema, version 1.
CREATE TABLE users (
    user_id     TEXT PRIMARY KEY,
    wallet      TEXT NOT NULL UNIQUE,
    nick_name   TEXT NOT NULL DEFAULT '',
    ens_name    TEXT NOT NULL DEFAULT '',
    signed_in   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    profile     TEXT NOT NULL              -- the whole User as JSON
);
CREATE INDEX users_nick ON users(nick_name);

CREATE TABLE platform_names (
    platform    TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(user_id),
    PRIMARY KEY (platform, user_name)
);

CREATE TABLE rooms (
    room_id         TEXT PRIMARY KEY,
    name            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL DEFAULT '',
    creator_id      TEXT NOT NULL,
    is_1v1          INTEGER NOT NULL DEFAULT 0,
    pair_key        TEXT UNIQUE,            -- "a:b" (sorted) for 1v1 rooms
    is_opensea_coll INTEGER NOT NULL DEFAULT 0,
    coll_slug       TEXT UNIQUE,
    coll_name       TEXT NOT NULL DEFAULT '',
    coll_cover      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    last_msg_time   INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rooms_activity ON rooms(last_msg_time);

CREATE TABLE room_members (
    room_id   TEXT NOT NULL REFERENCES rooms(room_id),
    user_id   TEXT NOT NULL REFERENCES users(user_id),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX room_members_user ON room_members(user_id, room_id);

CREATE TABLE messages (
    id                  TEXT PRIMARY KEY,
    room_id             TEXT NOT NULL REFERENCES rooms(room_id),
    seq                 INTEGER NOT NULL,
    sender              TEXT NOT NULL,
    client_msg_id       TEXT,
    created_at          INTEGER NOT NULL,
    is_thread           INTEGER NOT NULL DEFAULT 0,
    belong_to_thread_id TEXT NOT NULL DEFAULT '',
    body                TEXT NOT NULL       -- the whole Message as JSON, with id and seq
);
CREATE UNIQUE INDEX messages_room_seq ON messages(room_id, seq);
CREATE UNIQUE INDEX messages_dedup ON messages(sender, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE INDEX messages_room_time ON messages(room_id, created_at);
CREATE INDEX messages_threads ON messages(room_id, is_thread, seq) WHERE is_thread = 1;
CREATE INDEX messages_thread_members ON messages(belong_to_thread_id, seq) WHERE belong_to_thread_id <> '';

CREATE TABLE contacts (
    owner     TEXT NOT NULL,
    contact   TEXT NOT NULL,
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (owner, contact)
) WITHOUT ROWID;

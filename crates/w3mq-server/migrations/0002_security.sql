-- w3mq-server schema, version 2: the trust boundary (docs/security.md).

-- A resent client_msg_id is a duplicate only in the same room: the same id
-- sent to another room is a new message there, never a republish of the
-- old one into the room it was first sent to.
DROP INDEX messages_dedup;
CREATE UNIQUE INDEX messages_dedup ON messages(sender, room_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;

-- Signed-in sessions. An access token names its session and generation:
-- /refresh bumps the generation (the old token dies), /logout revokes the
-- session, and a session ends at expires_at whatever its tokens say.
CREATE TABLE sessions (
    sid         TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(user_id),
    generation  INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,   -- Unix seconds
    expires_at  INTEGER NOT NULL,   -- Unix seconds, absolute
    revoked     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Edits, deletions for everyone and reactions (issue 13): every change to a message takes the
-- room's next change counter (rooms.rev), kept on the message (messages.rev), so that a client
-- catches a room's changes up in order, as it catches its messages up by seq.
ALTER TABLE rooms ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_room_rev ON messages(room_id, rev) WHERE rev > 0;

CREATE TABLE reactions (
    msg_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    emoji TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (msg_id, emoji, user_id)
);

-- Read markers (issue 13): how far each member has read each room. `seq` is the member's own
-- marker (their devices share it); `receipt_seq` is what the other members are told (it moves
-- only when the member shares read receipts). Both only ever grow.
CREATE TABLE read_markers (
    room_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,
    receipt_seq INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX read_markers_user ON read_markers(user_id);

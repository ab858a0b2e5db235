-- The event feed: every write of API events takes the next number of the
-- 'events' counter in its transaction (the counter row's lock orders the
-- writers, so once a replica sees number N every write numbered below N has
-- committed) and stamps its events with it; a privacy delete takes a number
-- too and stamps its user_deletions row. A server replica keeps users'
-- histories in memory and catches up from here: events and deletions with a
-- number above the last one it applied. Imports do not number their events
-- (a re-imported event id may overwrite a stored one); they bump
-- 'events_epoch' when they publish, and a replica that sees a new epoch
-- reloads. Rows stored before this migration carry 0.
ALTER TABLE events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_seq ON events (seq);
ALTER TABLE user_deletions ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
INSERT INTO counters (name, value) VALUES ('events', 0);
INSERT INTO counters (name, value) VALUES ('events_epoch', 0);

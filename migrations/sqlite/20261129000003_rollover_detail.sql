-- What undoing a rollover move must put back: whether the move created the
-- learner's place in the next class (it may have been there already), and
-- whether it inactivated a leaver.
ALTER TABLE rollover_moves ADD COLUMN joined BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rollover_moves ADD COLUMN inactivated BOOLEAN NOT NULL DEFAULT FALSE;

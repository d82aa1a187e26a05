-- Version 7: each person's approval of an approval (four eyes needs two before the grant is
-- issued): a JSON list of {by, at, note, scope}, and its length, on which recording the next
-- approval is a compare-and-set.
ALTER TABLE approval ADD COLUMN approvals TEXT;
ALTER TABLE approval ADD COLUMN approval_count INTEGER NOT NULL DEFAULT 0;

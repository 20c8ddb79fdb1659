-- When the association lists of a mirror row were last read from the source, directly (the row's own
-- page) or through the other side (InverseAssociations). A page read before that does not replace the
-- lists, so an older page committed later cannot undo a newer association edit. Null: unknown (rows
-- written before this column existed), older than any read.
ALTER TABLE record ADD COLUMN associations_read_at timestamptz;

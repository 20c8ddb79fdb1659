-- The demo runs on its own embedded database (under $SLUICE_HOME/demo): start every demo from an
-- empty mirror and queue so that its counts mean what they say.
DROP SCHEMA IF EXISTS sluice CASCADE

-- The claim that holds a sending lead: a random token set by each claim and required by every
-- mark, extend and release, so a drainer that stalled past its lease cannot overwrite the outcome
-- or lease of the drainer that claimed the lead after it (state = 'sending' alone does not tell).
ALTER TABLE leads ADD COLUMN claim_token uuid;

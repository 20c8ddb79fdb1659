-- Serialises the evaluations of one debounce scope and key (the waiting row may not exist yet).
SELECT pg_advisory_xact_lock(hashtext('sluice.rules.debounce'), hashtext(:scope || chr(31) || :debounce_key))

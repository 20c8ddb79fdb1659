UPDATE ${schema}.rule_throttle SET slots = :slots WHERE scope = :scope AND throttle_key = :throttle_key

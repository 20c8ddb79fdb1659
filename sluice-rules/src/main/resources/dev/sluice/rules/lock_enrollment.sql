SELECT matching FROM ${schema}.rule_enrollment WHERE rule = :rule AND subject = :subject FOR UPDATE

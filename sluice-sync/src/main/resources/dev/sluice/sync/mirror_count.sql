SELECT count(*) FROM ${schema}.record WHERE connection = ? AND object_type = ?

-- --synchronous-commit: the same commit durability for every contender's database, whatever the
-- server default ({value} is 'on' or 'off', checked by the bench; DDL cannot bind it).
ALTER DATABASE {database} SET synchronous_commit = {value}

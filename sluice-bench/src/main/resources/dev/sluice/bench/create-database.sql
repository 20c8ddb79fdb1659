-- {database} is an identifier the bench makes itself ([a-z0-9_] only): DDL cannot bind it.
CREATE DATABASE {database}

-- examples/demo.sql — a tour of grant, run by test/demo.sh against a throwaway topology.
--
-- Ports and the password come from the environment that test/topology.sh writes
-- (psql's \getenv), so nothing here depends on the machine it runs on.

\getenv writer_port   GRANT_WRITER_PORT
\getenv reader_port   GRANT_READER_PORT
\getenv shard1_port   GRANT_SHARD1_PORT
\getenv shard2_port   GRANT_SHARD2_PORT
\getenv mysql_port    GRANT_MYSQL_PORT
\getenv mysql_replica_port GRANT_MYSQL_REPLICA_PORT
\getenv pw            GRANT_TEST_PASSWORD

-- The extension's name is a reserved word, hence the quotes.
CREATE EXTENSION IF NOT EXISTS "grant";

-- 1. The registry: one logical database, 'primary', with a writer and a reader
--    (a streaming replica of the writer).
SELECT grant_fdw.establish_connection('primary', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'writer_port'),
         role => 'writing');
SELECT grant_fdw.establish_connection('primary', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'reader_port'),
         role => 'reading');

-- A sharded logical database: two independent servers, one writer each.
SELECT grant_fdw.establish_connection('sharded', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'shard1_port'),
         role => 'writing', shard => 'shard_one');
SELECT grant_fdw.establish_connection('sharded', 'postgresql',
         format('postgresql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'shard2_port'),
         role => 'writing', shard => 'shard_two');

-- MariaDB: a writer and its GTID replica.
SELECT grant_fdw.establish_connection('legacy', 'mysql',
         format('mysql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'mysql_port'),
         role => 'writing');
SELECT grant_fdw.establish_connection('legacy', 'mysql',
         format('mysql://grant_test:%s@127.0.0.1:%s/app', :'pw', :'mysql_replica_port'),
         role => 'reading');

-- The view anyone may read: every endpoint, never a password.
SELECT * FROM grant_fdw.connections ORDER BY database, shard, role;

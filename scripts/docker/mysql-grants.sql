-- Privileges my2pg needs on a MySQL source (docker-compose.yml): read the data, take the brief
-- global read lock that pins the snapshot's binlog position, and read the binary log.
GRANT SELECT, RELOAD, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'my2pg'@'%';

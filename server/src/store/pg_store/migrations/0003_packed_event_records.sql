-- From this version event records may hold their body LZ4-packed (see
-- store/redb_store/packed.rs). The existing rows read as they are, so nothing changes
-- here: the version number alone keeps builds that cannot unpack away from this database.
SELECT 1;

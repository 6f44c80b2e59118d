import type { SqlDriver } from './sql.ts';

/**
 * Versioned schema migrations, applied in order, each in its own transaction and recorded in
 * `schema_migrations`. A released migration is never edited: a change is a new version.
 *
 * The SQL is the dialect both SQLite and PostgreSQL accept. Conventions: ids are TEXT with
 * their WarpStream prefix; times are BIGINT epoch milliseconds; booleans are INTEGER 0/1;
 * structured values (access grants, configs, tags) are JSON in TEXT. Column names are the API's
 * field names, so one idea has one name from the wire to the table.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'management api',
    sql: `
      CREATE TABLE metadata (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (account_id, name)
      );
      CREATE TABLE virtual_clusters (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        region TEXT NOT NULL,
        cloud_provider TEXT NOT NULL,
        tier TEXT NOT NULL,
        agent_pool_id TEXT NOT NULL,
        agent_pool_name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (workspace_id, name)
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        workspace_id TEXT REFERENCES workspaces(id) ON DELETE CASCADE,
        virtual_cluster_id TEXT REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        read_only INTEGER NOT NULL,
        access_grants TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX api_keys_by_workspace ON api_keys (workspace_id);
      CREATE TABLE topics (
        id TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        partition_count INTEGER NOT NULL,
        configs TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        deleted_at BIGINT,
        UNIQUE (virtual_cluster_id, name)
      );
      CREATE TABLE acls (
        id TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        resource_type TEXT NOT NULL,
        resource_name TEXT NOT NULL,
        pattern_type TEXT NOT NULL,
        principal TEXT NOT NULL,
        host TEXT NOT NULL,
        operation TEXT NOT NULL,
        permission_type TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (virtual_cluster_id, resource_type, resource_name, pattern_type, principal, host, operation, permission_type)
      );
      CREATE TABLE cluster_credentials (
        id TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        username TEXT NOT NULL UNIQUE,
        is_cluster_superuser INTEGER NOT NULL,
        read_only INTEGER NOT NULL,
        scram TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (virtual_cluster_id, name)
      );
      CREATE TABLE pipelines (
        id TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        state TEXT NOT NULL,
        deployed_configuration_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (virtual_cluster_id, name)
      );
      CREATE TABLE consumer_group_offsets (
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        group_id TEXT NOT NULL,
        topic_name TEXT NOT NULL,
        partition INTEGER NOT NULL,
        committed_offset BIGINT NOT NULL,
        metadata TEXT,
        committed_at BIGINT NOT NULL,
        PRIMARY KEY (virtual_cluster_id, group_id, topic_name, partition)
      );
      CREATE TABLE idempotency_records (
        api_key_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL,
        status_code INTEGER,
        response_body TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (api_key_id, idempotency_key)
      );
      CREATE INDEX idempotency_records_by_age ON idempotency_records (created_at);
    `,
  },
  {
    version: 2,
    name: 'data plane',
    sql: `
      ALTER TABLE virtual_clusters ADD COLUMN configuration TEXT NOT NULL DEFAULT '{}';
      CREATE TABLE partitions (
        topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        partition INTEGER NOT NULL,
        log_start_offset BIGINT NOT NULL,
        high_watermark BIGINT NOT NULL,
        PRIMARY KEY (topic_id, partition)
      );
      CREATE TABLE batches (
        topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        partition INTEGER NOT NULL,
        base_offset BIGINT NOT NULL,
        last_offset BIGINT NOT NULL,
        max_timestamp BIGINT NOT NULL,
        object_key TEXT NOT NULL,
        byte_offset BIGINT NOT NULL,
        byte_length INTEGER NOT NULL,
        PRIMARY KEY (topic_id, partition, base_offset)
      );
      CREATE INDEX batches_by_object ON batches (object_key);
      CREATE TABLE producers (
        producer_id BIGINT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        transactional_id TEXT,
        producer_epoch INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX producers_by_transactional_id ON producers (virtual_cluster_id, transactional_id);
      CREATE TABLE producer_partitions (
        producer_id BIGINT NOT NULL,
        topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        partition INTEGER NOT NULL,
        producer_epoch INTEGER NOT NULL,
        recent_batches TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (producer_id, topic_id, partition)
      );
    `,
  },
  {
    version: 3,
    name: 'virtual cluster tags and region groups',
    // A multi-region cluster has a region group and an empty region; tags are JSON.
    sql: `
      ALTER TABLE virtual_clusters ADD COLUMN region_group TEXT;
      ALTER TABLE virtual_clusters ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 4,
    name: 'user roles and pipeline configurations',
    sql: `
      CREATE TABLE user_roles (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        name TEXT NOT NULL,
        access_grants TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (account_id, name)
      );
      CREATE TABLE pipeline_configurations (
        id TEXT PRIMARY KEY,
        pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        configuration_yaml TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (pipeline_id, version)
      );
    `,
  },
  {
    version: 5,
    name: 'virtual cluster events state',
    // get_events_state / update_events_state: whether the cluster keeps an event log, per type.
    sql: `
      ALTER TABLE virtual_clusters ADD COLUMN events TEXT NOT NULL DEFAULT '{"enabled":false,"event_types":{}}';
    `,
  },
  {
    version: 6,
    name: 'sealed api key secrets',
    // list_api_keys answers secrets again; they are kept sealed (AES-256-GCM), never in the clear.
    sql: `
      ALTER TABLE api_keys ADD COLUMN secret_sealed TEXT;
    `,
  },
  {
    version: 7,
    name: 'agents, job leases and object lifecycle',
    // Agents register and heartbeat; one agent per cluster and job holds a lease. Every object
    // the batch index references has an `objects` row (level 0 from ingestion, 1+ from
    // compaction); an object no index entry references any more moves to `object_deletions`,
    // which the jobs agent reads, deletes from the bucket and confirms. The object tables carry
    // no foreign key to the cluster: what a deleted cluster leaves in the bucket must still be
    // listed for deletion. Objects committed before this version get their row here, sized by
    // the end of their furthest batch and dated by their newest batch's timestamp.
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        roles TEXT NOT NULL,
        version TEXT NOT NULL,
        availability_zone TEXT,
        started_at BIGINT NOT NULL,
        last_heartbeat_at BIGINT NOT NULL
      );
      CREATE INDEX agents_by_heartbeat ON agents (virtual_cluster_id, last_heartbeat_at);
      CREATE TABLE job_leases (
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        job TEXT NOT NULL,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (virtual_cluster_id, job)
      );
      CREATE TABLE objects (
        object_key TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL,
        level INTEGER NOT NULL,
        byte_size BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX objects_by_level ON objects (virtual_cluster_id, level, created_at);
      CREATE TABLE object_deletions (
        object_key TEXT PRIMARY KEY,
        virtual_cluster_id TEXT NOT NULL,
        delete_after BIGINT NOT NULL
      );
      CREATE INDEX object_deletions_by_due ON object_deletions (virtual_cluster_id, delete_after);
      INSERT INTO objects (object_key, virtual_cluster_id, level, byte_size, created_at)
        SELECT b.object_key, MIN(t.virtual_cluster_id), 0, MAX(b.byte_offset + b.byte_length), MAX(b.max_timestamp)
        FROM batches b JOIN topics t ON t.id = b.topic_id
        GROUP BY b.object_key;
    `,
  },
  {
    version: 8,
    name: 'platform tenants, workspaces and identity',
    // A platform tenant is the WarpStream account, a platform workspace the WarpStream
    // workspace: the columns the platform API adds go on the same rows. Accounts and workspaces
    // made before this version get `default` as the slug of the first (the one bootstrap made)
    // and their id otherwise, which no new slug can take (slugs have no `_`). The first account
    // is on the plan that grants everything, as an operator's own tenant should be.
    // Realms belong to tenants; users, OAuth clients, signing keys and refresh tokens are the
    // embedded issuer's (with Keycloak, Keycloak keeps them).
    sql: `
      ALTER TABLE accounts ADD COLUMN slug TEXT NOT NULL DEFAULT '';
      ALTER TABLE accounts ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
      ALTER TABLE accounts ADD COLUMN plan TEXT NOT NULL DEFAULT 'starter';
      ALTER TABLE accounts ADD COLUMN admin_email TEXT NOT NULL DEFAULT '';
      ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE accounts ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE accounts ADD COLUMN deleted_at BIGINT;
      UPDATE accounts SET slug = id, display_name = id, updated_at = created_at;
      UPDATE accounts SET slug = 'default', display_name = 'Default', plan = 'enterprise' WHERE id = (SELECT MIN(id) FROM accounts);
      CREATE UNIQUE INDEX accounts_by_slug ON accounts (slug);
      ALTER TABLE workspaces ADD COLUMN slug TEXT NOT NULL DEFAULT '';
      ALTER TABLE workspaces ADD COLUMN capabilities TEXT NOT NULL DEFAULT '["kafka"]';
      ALTER TABLE workspaces ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE workspaces ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE workspaces ADD COLUMN deleted_at BIGINT;
      UPDATE workspaces SET slug = CASE WHEN name = 'default' THEN 'default' ELSE id END, updated_at = created_at;
      CREATE UNIQUE INDEX workspaces_by_slug ON workspaces (account_id, slug);
      CREATE TABLE realms (
        name TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(id),
        display_name TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX realms_by_account ON realms (account_id);
      CREATE TABLE identity_users (
        id TEXT PRIMARY KEY,
        realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
        username TEXT NOT NULL,
        email TEXT,
        password_hash TEXT NOT NULL,
        roles TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE (realm, username)
      );
      CREATE TABLE identity_clients (
        id TEXT PRIMARY KEY,
        realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        grant_types TEXT NOT NULL,
        redirect_uris TEXT NOT NULL,
        roles TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (realm, client_id)
      );
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        public_jwk TEXT NOT NULL,
        private_jwk_sealed TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        realm TEXT NOT NULL REFERENCES realms(name) ON DELETE CASCADE,
        subject TEXT NOT NULL,
        client_id TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT,
        revoked_at BIGINT,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
    `,
  },
  {
    version: 9,
    name: 'OAuth clients bound to a workspace',
    // A client made for one workspace (an app's backend, a CI robot) issues tokens that name it
    // (`workspace_id`) and reach nothing else of its tenant; NULL is a tenant-wide client.
    sql: `
      ALTER TABLE identity_clients ADD COLUMN workspace_id TEXT;
    `,
  },
  {
    version: 10,
    name: 'transactions',
    // The transaction coordinator's state (control-plane/transactions/). Partitions and groups of
    // the open transaction are JSON: they are read and written whole, with the row.
    sql: `
      CREATE TABLE transactions (
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        transactional_id TEXT NOT NULL,
        producer_id BIGINT NOT NULL,
        producer_epoch INTEGER NOT NULL,
        state TEXT NOT NULL,
        timeout_ms INTEGER NOT NULL,
        started_at BIGINT,
        updated_at BIGINT NOT NULL,
        partitions TEXT NOT NULL,
        group_ids TEXT NOT NULL,
        PRIMARY KEY (virtual_cluster_id, transactional_id)
      );
      CREATE UNIQUE INDEX transactions_by_producer ON transactions (producer_id);
      CREATE INDEX transactions_open ON transactions (virtual_cluster_id, state, started_at);
      CREATE TABLE pending_txn_offsets (
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        group_id TEXT NOT NULL,
        topic_name TEXT NOT NULL,
        partition INTEGER NOT NULL,
        producer_id BIGINT NOT NULL,
        committed_offset BIGINT NOT NULL,
        metadata TEXT,
        PRIMARY KEY (virtual_cluster_id, group_id, topic_name, partition, producer_id)
      );
      CREATE INDEX pending_txn_offsets_by_producer ON pending_txn_offsets (producer_id);
      CREATE TABLE open_transactions (
        topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        partition INTEGER NOT NULL,
        producer_id BIGINT NOT NULL,
        first_offset BIGINT NOT NULL,
        PRIMARY KEY (topic_id, partition, producer_id)
      );
      CREATE INDEX open_transactions_by_producer ON open_transactions (producer_id);
      CREATE TABLE aborted_transactions (
        topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        partition INTEGER NOT NULL,
        producer_id BIGINT NOT NULL,
        first_offset BIGINT NOT NULL,
        last_offset BIGINT NOT NULL,
        PRIMARY KEY (topic_id, partition, last_offset)
      );
    `,
  },
  {
    version: 11,
    name: 'share groups',
    // KIP-932's share-partition state (control-plane/shares/) and groups' dynamic configs. The
    // in-flight window is JSON: it is read and written whole, with the row, and it is bounded
    // (shares/share-partition.ts MAX_IN_FLIGHT).
    sql: `
      CREATE TABLE share_partitions (
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        group_id TEXT NOT NULL,
        topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
        partition INTEGER NOT NULL,
        start_offset BIGINT NOT NULL,
        end_offset BIGINT NOT NULL,
        in_flight TEXT NOT NULL,
        PRIMARY KEY (virtual_cluster_id, group_id, topic_id, partition)
      );
      CREATE TABLE group_configs (
        virtual_cluster_id TEXT NOT NULL REFERENCES virtual_clusters(id) ON DELETE CASCADE,
        group_id TEXT NOT NULL,
        configs TEXT NOT NULL,
        PRIMARY KEY (virtual_cluster_id, group_id)
      );
    `,
  },
  {
    version: 12,
    name: 'mongo documents',
    // The Mongo data API's embedded engine (metadata/document-store.ts): documents as canonical
    // Extended JSON, unique indexes enforced by mongo_unique_keys' primary key. No foreign key
    // to workspaces: a soft-deleted workspace keeps its data, as it keeps its Kafka topics.
    sql: `
      CREATE TABLE mongo_collections (
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (workspace_id, name)
      );
      CREATE TABLE mongo_documents (
        workspace_id TEXT NOT NULL,
        collection TEXT NOT NULL,
        doc_key TEXT NOT NULL,
        doc TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (workspace_id, collection, doc_key)
      );
      CREATE INDEX mongo_documents_order ON mongo_documents (workspace_id, collection, seq);
      CREATE TABLE mongo_indexes (
        workspace_id TEXT NOT NULL,
        collection TEXT NOT NULL,
        name TEXT NOT NULL,
        key TEXT NOT NULL,
        is_unique INTEGER NOT NULL,
        created_seq BIGINT NOT NULL,
        PRIMARY KEY (workspace_id, collection, name)
      );
      CREATE TABLE mongo_unique_keys (
        workspace_id TEXT NOT NULL,
        collection TEXT NOT NULL,
        index_name TEXT NOT NULL,
        key_value TEXT NOT NULL,
        doc_key TEXT NOT NULL,
        PRIMARY KEY (workspace_id, collection, index_name, key_value)
      );
      CREATE INDEX mongo_unique_keys_doc ON mongo_unique_keys (workspace_id, collection, doc_key);
    `,
  },
];

/** Applies every migration newer than the database, in order; safe to call on every start. */
export async function migrate(driver: SqlDriver): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await driver.transaction(async (tx) => {
      await driver.lockForMigrations(tx);
      // Under the lock: two processes creating it at once would collide in PostgreSQL's catalog.
      await tx.run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      const row = await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (row) return false;
      for (const statement of splitStatements(migration.sql)) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}

function splitStatements(sql: string): string[] {
  return sql
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

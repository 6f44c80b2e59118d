/**
 * The security-related Management API beyond the seed: virtual cluster configuration
 * (describe/update, broker_configs and their aliases, deletion protection, soft deletes),
 * listing and deleting cluster credentials, and deleting ACLs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNKNOWN_CLUSTER, createCluster, foreignWorkspace, ok, refused, sharedPlatform } from '../helpers/api.ts';
import { storeKinds } from '../helpers/stores.ts';
import { acl } from '../acls/helpers.ts';

const DESCRIBE = '/api/v1/describe_virtual_cluster_configuration';
const UPDATE = '/api/v1/update_virtual_cluster_configuration';


for (const kind of storeKinds()) {
  describe(`cluster settings (${kind.kind})`, () => {
    const platform = sharedPlatform(kind);

    it('describes the defaults, then updates fields and broker_configs (aliases included)', async () => {
      const p = platform();
      const id = await createCluster(p, 'settings_a');
      const described = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.deepEqual(described, {
        are_acls_enabled: false,
        acl_shadowing_enabled: false,
        is_auto_create_topic_enabled: true,
        default_num_partitions: 1,
        default_retention_millis: 604800000,
        default_topic_type: 'classic',
        enable_deletion_protection: false,
        soft_delete_topics_enabled: false,
        soft_delete_topics_ttl_millis: 86400000,
        inactive_topics_ttl: 86_400_000 * 1_000_000,
        tier: 'dev',
        broker_configs: {
          'auto.create.topics.enable': 'true',
          'num.partitions': '1',
          'log.retention.ms': '604800000',
          'warpstream.default.topic.type': 'classic',
          'warpstream.soft.delete.topic.enable': 'false',
          'warpstream.soft.delete.topic.ttl.ms': '86400000',
        },
      });
      const updated = await ok(p, UPDATE, {
        virtual_cluster_id: id,
        virtual_cluster_configuration: { are_acls_enabled: true, default_num_partitions: 3, tier: 'dev', broker_configs: { 'log.retention.hours': '24' } },
      });
      assert.equal(updated.text, '{}');
      const after = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.equal(after.are_acls_enabled, true);
      assert.equal(after.default_num_partitions, 3);
      assert.equal(after.default_retention_millis, 86_400_000);
      assert.equal(after.broker_configs['log.retention.ms'], '86400000');
      assert.equal(after.broker_configs['num.partitions'], '3');
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { broker_configs: { 'log.retention.minutes': '90', 'auto.create.topics.enable': 'false' } } });
      const again = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.equal(again.default_retention_millis, 90 * 60_000);
      assert.equal(again.is_auto_create_topic_enabled, false);
      assert.equal(again.are_acls_enabled, true, 'fields not named keep their value');
    });

    it('refuses unknown settings, wrong types, unknown tiers and unknown clusters, changing nothing', async () => {
      const p = platform();
      const id = await createCluster(p, 'settings_b');
      const bad: Record<string, unknown>[] = [
        { nonsense: true },
        { are_acls_enabled: 'yes' },
        { default_num_partitions: 0 },
        { default_num_partitions: 1.5 },
        { default_topic_type: 'fast' },
        { tier: 'gold' },
        { tier: 'legacy' },
        { tier: 'constructor' },
        { tier: 3 },
        { inactive_topics_ttl: 1.5 },
        { inactive_topics_ttl: 1_500_000 },
        { inactive_topics_ttl: '86400000000000' },
        { soft_delete_topics_ttl_millis: 9_007_199_255 },
        { soft_delete_topics_ttl_millis: 1_000, inactive_topics_ttl: 2_000 * 1_000_000 },
        // A valid change next to an invalid one: nothing is applied.
        { are_acls_enabled: true, broker_configs: { 'num.partitions': '0' } },
        { tier: 'pro', default_topic_type: 'fast' },
        { broker_configs: { 'log.segment.bytes': '1' } },
        { broker_configs: { constructor: '1' } },
        { broker_configs: { 'num.partitions': 'many' } },
        { broker_configs: { 'log.retention.hours': '-5' } },
      ];
      for (const virtual_cluster_configuration of bad) {
        await refused(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration }, 400, 'INVALID_CONFIG');
      }
      await refused(p, UPDATE, { virtual_cluster_id: id }, 400, 'VALIDATION_ERROR');
      await refused(p, UPDATE, { virtual_cluster_id: UNKNOWN_CLUSTER, virtual_cluster_configuration: {} }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      await refused(p, DESCRIBE, { virtual_cluster_id: UNKNOWN_CLUSTER }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
      const foreign = await foreignWorkspace(p, 'settings tenant', 'settings_other');
      await refused(p, DESCRIBE, { virtual_cluster_id: foreign.cluster }, 404, 'VIRTUAL_CLUSTER_NOT_FOUND');
    });

    it("takes the Terraform provider's update as sent and describes every broker config back verbatim", async () => {
      const p = platform();
      const id = await createCluster(p, 'as_terraform');
      // What the provider sends on every apply: three fields, the tier, and the typed settings as broker_configs.
      const brokerConfigs = {
        'auto.create.topics.enable': 'false',
        'num.partitions': '6',
        'log.retention.ms': '86400000',
        'warpstream.default.topic.type': 'lightning',
        'warpstream.soft.delete.topic.enable': 'true',
        'warpstream.soft.delete.topic.ttl.ms': '3600000',
      };
      const body = {
        virtual_cluster_id: id,
        virtual_cluster_configuration: { are_acls_enabled: false, acl_shadowing_enabled: true, enable_deletion_protection: false, tier: 'dev', broker_configs: brokerConfigs },
      };
      assert.equal((await ok(p, UPDATE, body)).text, '{}');
      const described = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.deepEqual(described.broker_configs, brokerConfigs);
      assert.equal(described.acl_shadowing_enabled, true);
      assert.equal(described.default_topic_type, 'lightning');
      assert.equal(described.soft_delete_topics_enabled, true);
      // The provider reads the TTL from inactive_topics_ttl, a Go time.Duration in nanoseconds.
      assert.equal(described.inactive_topics_ttl, 3_600_000 * 1_000_000);
      assert.equal(described.soft_delete_topics_ttl_millis, 3_600_000);

      // Null entries change nothing; the ttl.hours alias is accepted on write and answered in ms.
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { acl_shadowing_enabled: null, broker_configs: { 'num.partitions': null, 'warpstream.soft.delete.topic.ttl.hours': '2' } } });
      const again = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.equal(again.acl_shadowing_enabled, true);
      assert.equal(again.default_num_partitions, 6);
      assert.equal(again.broker_configs['warpstream.soft.delete.topic.ttl.ms'], '7200000');
      assert.equal(again.broker_configs['warpstream.soft.delete.topic.ttl.hours'], undefined, 'aliases are not answered');
      // What describe answers can be sent back as it is (read, modify, write).
      const { broker_configs: _, soft_delete_topics_ttl_millis: __, ...fields } = again;
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { ...fields, inactive_topics_ttl: 5_000 * 1_000_000 } });
      const third = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.deepEqual(third, { ...again, soft_delete_topics_ttl_millis: 5_000, inactive_topics_ttl: 5_000 * 1_000_000, broker_configs: { ...again.broker_configs, 'warpstream.soft.delete.topic.ttl.ms': '5000' } });
    });

    it('a tier in the configuration moves the cluster to it, refused when its partitions do not fit', async () => {
      const p = platform();
      const id = await createCluster(p, 'tier_by_config', { virtual_cluster_tier: 'pro' });
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { tier: 'enterprise', are_acls_enabled: true } });
      let described = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.equal(described.tier, 'enterprise');
      assert.equal(described.are_acls_enabled, true);
      assert.equal((await ok(p, '/api/v1/describe_virtual_cluster', { virtual_cluster_id: id })).body.virtual_cluster.tier, 'enterprise');

      // 4,097 partitions do not fit in dev (4,096): the tier and the other fields stay as they were.
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 'wide', partition_count: 4_097 });
      const r = await refused(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { tier: 'dev', are_acls_enabled: false } }, 400, 'PARTITION_LIMIT_EXCEEDED');
      assert.match(r.body.error.message, /4097 partitions/);
      described = (await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration;
      assert.equal(described.tier, 'enterprise');
      assert.equal(described.are_acls_enabled, true);
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { tier: 'fundamentals' } });
      assert.equal((await ok(p, DESCRIBE, { virtual_cluster_id: id })).body.virtual_cluster_configuration.tier, 'fundamentals');
    });

    it('deletion protection refuses delete_virtual_cluster until it is turned off', async () => {
      const p = platform();
      const id = await createCluster(p, 'protected_one');
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { enable_deletion_protection: true } });
      const body = { virtual_cluster_id: id, virtual_cluster_name: 'protected_one' };
      await refused(p, '/api/v1/delete_virtual_cluster', body, 422, 'VIRTUAL_CLUSTER_DELETION_PROTECTED');
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { enable_deletion_protection: false } });
      assert.equal((await ok(p, '/api/v1/delete_virtual_cluster', body)).text, '{}');
    });

    it('soft_delete_topics_enabled decides what delete_topic does when soft_delete is absent', async () => {
      const p = platform();
      const id = await createCluster(p, 'soft_by_default');
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 'hard', partition_count: 1 });
      await ok(p, '/api/v1/delete_topic', { virtual_cluster_id: id, topic_name: 'hard' });
      await ok(p, UPDATE, { virtual_cluster_id: id, virtual_cluster_configuration: { soft_delete_topics_enabled: true } });
      await ok(p, '/api/v1/create_topic', { virtual_cluster_id: id, topic_name: 'soft', partition_count: 1 });
      await ok(p, '/api/v1/delete_topic', { virtual_cluster_id: id, topic_name: 'soft' });
      const listed = (await ok(p, '/api/v1/list_topics', { virtual_cluster_id: id, include_recently_deleted: true })).body;
      assert.deepEqual(listed.recently_deleted_topics.map((t: { name: string }) => t.name), ['soft']);
      assert.deepEqual(listed.topics, []);
    });

    it('lists credentials without passwords and deletes them', async () => {
      const p = platform();
      const id = await createCluster(p, 'with_credentials');
      const created = (
        await ok(p, '/api/v1/create_virtual_cluster_credentials', { virtual_cluster_id: id, credentials_name: 'app_one', is_cluster_superuser: true, read_only: false })
      ).body;
      await ok(p, '/api/v1/create_virtual_cluster_credentials', { virtual_cluster_id: id, credentials_name: 'reader', is_cluster_superuser: false, read_only: true });
      const listed = await ok(p, '/api/v1/list_virtual_cluster_credentials', { virtual_cluster_id: id });
      assert.ok(!listed.text.includes(created.password), 'no password in the list');
      assert.doesNotMatch(listed.text, /stored_key|server_key|salt/);
      assert.deepEqual(
        listed.body.credentials.map((c: Record<string, unknown>) => [c.name, c.username === created.username, c.is_cluster_superuser, c.read_only]),
        [
          ['ccn_app_one', true, true, false],
          ['ccn_reader', false, false, true],
        ],
      );
      assert.deepEqual(Object.keys(listed.body.credentials[0]).sort(), ['created_at', 'id', 'is_cluster_superuser', 'name', 'read_only', 'username']);

      await refused(p, '/api/v1/delete_virtual_cluster_credentials', { id: 'cci_missing', virtual_cluster_id: id }, 404, 'CREDENTIALS_NOT_FOUND');
      const other = await createCluster(p, 'other_for_credentials');
      await refused(p, '/api/v1/delete_virtual_cluster_credentials', { id: created.id, virtual_cluster_id: other }, 404, 'CREDENTIALS_NOT_FOUND');
      assert.equal((await ok(p, '/api/v1/delete_virtual_cluster_credentials', { id: created.id, virtual_cluster_id: id })).text, '{}');
      const after = (await ok(p, '/api/v1/list_virtual_cluster_credentials', { virtual_cluster_id: id })).body.credentials;
      assert.deepEqual(after.map((c: { name: string }) => c.name), ['ccn_reader']);
      assert.equal(await p.store.getCredentialByUsername(created.username), undefined);
    });

    it('deletes ACLs equal to the given ones and answers what it deleted', async () => {
      const p = platform();
      const id = await createCluster(p, 'with_acls');
      for (const entry of [acl(), acl({ operation: 'WRITE' }), acl({ resource_type: 'GROUP', resource_name: 'g1' })]) {
        await ok(p, '/api/v1/virtual_clusters/acls/create', { virtual_cluster_id: id, acl: entry });
      }
      const deleted = await ok(p, '/api/v1/virtual_clusters/acls/delete', {
        virtual_cluster_id: id,
        // Lower case is canonicalised as on create; an ACL that does not exist is no error.
        acls: [acl({ operation: 'write' }), acl({ principal: 'User:nobody' })],
      });
      assert.deepEqual(deleted.body, { acls: [acl({ operation: 'WRITE' })] });
      const left = (await ok(p, '/api/v1/virtual_clusters/acls/list', { virtual_cluster_id: id })).body.acls;
      assert.deepEqual(left, [acl(), acl({ resource_type: 'GROUP', resource_name: 'g1' })]);
      await refused(p, '/api/v1/virtual_clusters/acls/delete', { virtual_cluster_id: id, acls: [acl({ operation: 'FLY' })] }, 400, 'INVALID_ACL');
      await refused(p, '/api/v1/virtual_clusters/acls/delete', { virtual_cluster_id: id }, 400, 'VALIDATION_ERROR');
    });
  });
}

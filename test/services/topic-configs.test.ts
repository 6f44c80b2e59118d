import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/errors.ts';
import {
  DEFAULT_RETENTION_MS,
  TOPIC_CONFIGS,
  isTrue,
  validateTopicConfigs,
} from '../../src/model/topic-configs.ts';

/** Unit tests of the topic-config validator: what a Kafka broker accepts, nothing else. */

function refuses(configs: Record<string, unknown>, why?: RegExp): void {
  assert.throws(
    () => validateTopicConfigs(configs),
    (error: unknown) => {
      assert.ok(error instanceof ApiError, `expected an ApiError for ${JSON.stringify(configs)}`);
      assert.equal(error.status, 400);
      assert.equal(error.code, 'INVALID_CONFIG');
      if (why) assert.match(error.message, why);
      return true;
    },
    `expected ${JSON.stringify(configs)} to be refused`,
  );
}

function accepts(configs: Record<string, string>): void {
  assert.deepEqual(validateTopicConfigs(configs), configs, `expected ${JSON.stringify(configs)} to be accepted as given`);
}

describe('validateTopicConfigs', () => {
  test('an empty config is valid and answers an empty object', () => {
    assert.deepEqual(validateTopicConfigs({}), {});
  });

  test('retention.ms is a long of at least -1 (Java long range)', () => {
    for (const value of ['-1', '0', '1', '86400000', '604800000', '9007199254740993', '9223372036854775807', ' 1000 ']) {
      accepts({ 'retention.ms': value });
    }
    for (const value of ['-2', 'abc', '', ' ', '1.5', '1e3', '0x10', '10ms', '9223372036854775808', '99999999999999999999999', '--1']) {
      refuses({ 'retention.ms': value }, /retention\.ms/);
    }
  });

  test('retention.bytes, local.retention.* and the other longs honour their minimums', () => {
    accepts({ 'retention.bytes': '-1', 'local.retention.ms': '-2', 'local.retention.bytes': '-2', 'segment.ms': '1', 'delete.retention.ms': '0' });
    refuses({ 'retention.bytes': '-2' }, /at least -1/);
    refuses({ 'local.retention.ms': '-3' }, /at least -2/);
    refuses({ 'segment.ms': '0' }, /at least 1/);
    refuses({ 'max.compaction.lag.ms': '0' }, /at least 1/);
    refuses({ 'flush.messages': '0' }, /at least 1/);
  });

  test('ints stay within Java int range', () => {
    accepts({ 'max.message.bytes': '2147483647', 'segment.bytes': '14', 'min.insync.replicas': '1' });
    refuses({ 'max.message.bytes': '2147483648' }, /at most 2147483647/);
    refuses({ 'segment.bytes': '13' }, /at least 14/);
    refuses({ 'min.insync.replicas': '0' }, /at least 1/);
    refuses({ 'max.message.bytes': '-1' }, /at least 0/);
  });

  test('cleanup.policy is a list of delete and compact', () => {
    for (const value of ['delete', 'compact', 'compact,delete', 'delete,compact', 'compact, delete']) {
      accepts({ 'cleanup.policy': value });
    }
    for (const value of ['', 'compacted', 'Delete', 'delete,', ',delete', 'delete;compact', 'none']) {
      refuses({ 'cleanup.policy': value }, /cleanup\.policy/);
    }
  });

  test('compression.type is one of Kafka\'s values, case-sensitive as in Kafka', () => {
    for (const value of ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']) accepts({ 'compression.type': value });
    for (const value of ['', 'ZSTD', 'brotli', 'none', 'gzip,lz4']) refuses({ 'compression.type': value }, /compression\.type/);
  });

  test('message.timestamp.type is CreateTime or LogAppendTime', () => {
    accepts({ 'message.timestamp.type': 'CreateTime' });
    accepts({ 'message.timestamp.type': 'LogAppendTime' });
    refuses({ 'message.timestamp.type': 'createtime' });
  });

  test('min.cleanable.dirty.ratio is a decimal number in [0, 1]', () => {
    for (const value of ['0', '1', '0.5', '.5', '1.0', '5e-1', '0.0001']) accepts({ 'min.cleanable.dirty.ratio': value });
    for (const value of ['', ' ', 'abc', '1.5', '-0.1', '2', 'NaN', 'Infinity', '0x1', '0.5.1']) {
      refuses({ 'min.cleanable.dirty.ratio': value }, /min\.cleanable\.dirty\.ratio/);
    }
  });

  test('booleans are true or false, in any case (as Kafka parses them)', () => {
    for (const key of ['preallocate', 'message.downconversion.enable', 'unclean.leader.election.enable', 'remote.storage.enable', 'warpstream.deletion.protection.enabled']) {
      for (const value of ['true', 'false', 'TRUE', 'False']) accepts({ [key]: value });
      for (const value of ['', 'yes', '1', '0', 't', 'truee']) refuses({ [key]: value }, /true or false/);
    }
  });

  test('throttled-replica lists take free text', () => {
    accepts({ 'leader.replication.throttled.replicas': '0:1,1:2', 'follower.replication.throttled.replicas': '*' });
  });

  test('unknown keys are refused, including names inherited from Object.prototype', () => {
    for (const key of ['retention.mss', 'Retention.ms', 'log.retention.ms', 'num.partitions', '', 'constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      // Object.fromEntries makes "__proto__" an own key, as JSON.parse would.
      refuses(Object.fromEntries([[key, 'true']]), /unknown topic config/);
    }
  });

  test('values must be strings', () => {
    for (const value of [1000, -1, true, null, ['delete'], { v: 1 }]) {
      refuses({ 'retention.ms': value }, /must be given as a string/);
    }
  });

  test('one bad entry refuses the whole set, whatever its position', () => {
    refuses({ 'retention.ms': '1000', 'cleanup.policy': 'delete', 'compression.type': 'nope' }, /compression\.type/);
    refuses({ 'bogus.key': '1', 'retention.ms': '1000' }, /bogus\.key/);
  });

  test('a valid set is answered as given, values untouched', () => {
    const configs = {
      'retention.ms': '-1',
      'cleanup.policy': 'compact,delete',
      'compression.type': 'zstd',
      'min.cleanable.dirty.ratio': '0.25',
      'warpstream.deletion.protection.enabled': 'false',
      'max.message.bytes': '1048588',
    };
    const valid = validateTopicConfigs(configs);
    assert.deepEqual(valid, configs);
    assert.notEqual(valid, configs, 'answers a copy, not the input object');
  });

  test('every declared config has a type the validator knows', () => {
    for (const [name, spec] of Object.entries(TOPIC_CONFIGS)) {
      assert.ok(['long', 'int', 'double', 'boolean', 'enum', 'list'].includes(spec.type), name);
    }
    assert.equal(DEFAULT_RETENTION_MS, 604_800_000);
  });
});

describe('isTrue', () => {
  test('only "true" in any case, trimmed', () => {
    assert.equal(isTrue('true'), true);
    assert.equal(isTrue('TRUE'), true);
    assert.equal(isTrue(' True '), true);
    assert.equal(isTrue('false'), false);
    assert.equal(isTrue('1'), false);
    assert.equal(isTrue(''), false);
    assert.equal(isTrue(undefined), false);
  });
});

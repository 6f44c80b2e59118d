import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, runOk, startServer, waitForPort, type Server } from './proc.ts';

/**
 * Apache Kafka in KRaft combined mode (one process is broker and controller), from the jars
 * scripts/install-kafka.sh puts in the cache, on loopback ports with its log directory in `dir`.
 */

/** How Kafka makes an acknowledged record durable. */
export type KafkaDurability = 'fsync' | 'page-cache';

export const KAFKA_DURABILITY: Record<KafkaDurability, { description: string; properties: Record<string, string> }> = {
  fsync: {
    description:
      'log.flush.interval.messages=1: every append is fsynced before the produce request is answered (acks=all, replication factor 1) — the same promise Slipstream makes (object fsynced, then the metadata commit fsynced)',
    properties: { 'log.flush.interval.messages': '1' },
  },
  'page-cache': {
    description: "Kafka's defaults: appends go to the page cache and are acknowledged unflushed (the OS writes them back later; Kafka relies on replication, here factor 1)",
    properties: {},
  },
};

/** The JVM flags of Kafka's own bin/kafka-server-start.sh (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS). */
export const KAFKA_JVM_OPTS = [
  '-Xmx1G',
  '-Xms1G',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];

export interface RunningKafka {
  server: Server;
  bootstrap: string;
  properties: Record<string, string>;
}

export async function installKafka(root: string): Promise<{ home: string; ms: number }> {
  const started = Date.now();
  const stdout = await runOk('bash', [join(root, 'scripts', 'install-kafka.sh')], { timeoutMs: 600_000 });
  const home = stdout.trim().split('\n').pop()!;
  return { home, ms: Date.now() - started };
}

/**
 * What `kafka-storage random-uuid` prints (16 random bytes, URL-safe base64 without padding),
 * without a JVM start. One starting with '-' would read as an option: draw again.
 */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export async function startKafka(home: string, dir: string, durability: KafkaDurability): Promise<RunningKafka> {
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const logDir = join(dir, 'kafka-logs');
  mkdirSync(logDir, { recursive: true });
  const properties: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDir,
    // One broker: the internal topics cannot have more replicas than that.
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'auto.create.topics.enable': 'false',
    ...KAFKA_DURABILITY[durability].properties,
  };
  const config = join(dir, 'server.properties');
  writeFileSync(config, Object.entries(properties).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // Kafka's own log4j2 configuration logs INFO to a file; so does this one.
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(
    log4j,
    [
      'status = warn',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${join(dir, 'server.log')}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = file',
      '',
    ].join('\n'),
  );
  const classpath = join(home, 'libs', '*');
  const log4jOpt = `-Dlog4j2.configurationFile=${log4j}`;
  const clusterId = randomClusterId();
  await runOk('java', ['-cp', classpath, log4jOpt, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config, '--standalone'], { timeoutMs: 120_000 });
  const server = startServer('kafka', 'java', [...KAFKA_JVM_OPTS, log4jOpt, '-cp', classpath, 'kafka.Kafka', config], { logFile: join(dir, 'kafka.out') });
  try {
    await waitForPort(port, 120_000, () => !server.exited(), 'kafka');
  } catch (error) {
    await server.stop(1000);
    throw error;
  }
  return { server, bootstrap: `127.0.0.1:${port}`, properties };
}

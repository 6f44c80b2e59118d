import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadClient, type LoadClientBuild } from './load-client.ts';
import { cpuSeconds, type Server } from './proc.ts';
import { startAgentProcess, startSlipstream } from './slipstream.ts';

export interface ScalingRun {
  agents: number;
  produce_mib_s: number;
  records_s: number;
  /** Server CPU seconds over the run, control plane and agents together. */
  cpu_seconds: number;
}

export interface ScalingResult {
  runs: ScalingRun[];
  /** Throughput with the most agents over throughput with one. */
  speedup: number;
  note: string;
}

/**
 * The deployment of many machines, on this one: a control plane (SQLite) and N agent processes
 * sharing a file object store, the load client bootstrapped with every agent (Metadata spreads
 * the partitions over them). Closed-loop produce only: what adding agents buys.
 */
export async function benchScaling(
  root: string,
  dir: string,
  build: LoadClientBuild,
  counts: readonly number[],
  scenario: { partitions: number; warmupSeconds: number; produceSeconds: number },
  say: (line: string) => void,
): Promise<ScalingResult> {
  const runs: ScalingRun[] = [];
  for (const agents of counts) {
    const runDir = join(dir, `agents-${agents}`);
    const controlPlane = await startSlipstream(root, join(runDir, 'control-plane'), {}, [], 'control-plane');
    const servers: Server[] = [controlPlane.server];
    let client: LoadClient | undefined;
    try {
      const boot = JSON.parse(readFileSync(join(runDir, 'control-plane', 'data', 'bootstrap.json'), 'utf8')) as Record<string, string>;
      const objects = `file://${join(runDir, 'objects')}`;
      const bootstraps: string[] = [];
      for (let i = 0; i < agents; i++) {
        // The same flush interval as `npm start`'s agent, so 1 agent here is the dev-mode run.
        const agent = await startAgentProcess(root, join(runDir, `agent-${i}`), controlPlane, boot.agent_key!, objects, { SLIPSTREAM_FLUSH_INTERVAL_MS: process.env.SLIPSTREAM_FLUSH_INTERVAL_MS || '5' });
        servers.push(agent.server);
        bootstraps.push(agent.bootstrap);
      }
      // Every agent's registry view must name all of them before the client reads Metadata.
      await sleep(3_000);
      client = await LoadClient.start(build, bootstraps.join(','), join(runDir, 'load-client.log'));
      const topic = `bench-scaling-${Date.now()}`;
      await client.send(`create-topic ${topic} ${scenario.partitions}`, 120_000);
      const cpu0 = servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0);
      const closed = await client.send(`produce ${topic} ${scenario.warmupSeconds} ${scenario.produceSeconds}`, (scenario.warmupSeconds + scenario.produceSeconds + 180) * 1000);
      const cpu = servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0) - cpu0;
      if (closed.failed > 0) throw new Error(`${agents} agents: ${closed.failed} produce requests failed: ${closed.first_error}`);
      runs.push({ agents, produce_mib_s: closed.mib_s, records_s: closed.records_s, cpu_seconds: cpu });
      say(`scaling: ${agents} agent(s): produce ${closed.mib_s.toFixed(1)} MiB/s, server CPU ${cpu.toFixed(1)} s`);
    } finally {
      await client?.close();
      for (const server of servers.reverse()) await server.stop();
    }
  }
  const first = runs[0]!;
  const last = runs.at(-1)!;
  return {
    runs,
    speedup: last.produce_mib_s / first.produce_mib_s,
    note: 'every process on this machine (control plane, agents, the load client); more agents add connections and flushes in parallel but no cores',
  };
}

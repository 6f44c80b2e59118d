import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * What the machine itself can do, measured in the same run and the same file system as the
 * servers' data: sequential writes made durable with fsync, and TCP over loopback.
 */

export interface DiskResult {
  /** 1 MiB sequential writes, one fsync at the end, the fsync included in the time. */
  disk_write_mib_s: number;
  /** 1 MiB sequential writes, each followed by fdatasync (a durable write per MiB). */
  disk_write_fsync_each_mib_s: number;
  /** One 4 KiB append followed by fdatasync, the floor of any per-acknowledgement durability. */
  fsync_4k_p50_ms: number;
  fsync_4k_p99_ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function measureDisk(dir: string, mib: number): DiskResult {
  const block = Buffer.alloc(1024 * 1024, 0x5a);
  for (let i = 0; i < block.length; i += 8) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const file = join(dir, 'disk-limit.bin');

  const sequential = (syncEach: boolean): number => {
    const fd = openSync(file, 'w');
    const started = process.hrtime.bigint();
    try {
      for (let i = 0; i < mib; i++) {
        writeSync(fd, block);
        if (syncEach) fdatasyncSync(fd);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rmSync(file, { force: true });
    return mib / seconds;
  };

  const small = Buffer.alloc(4096, 0x33);
  const fd = openSync(file, 'w');
  const samples: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const started = process.hrtime.bigint();
      writeSync(fd, small);
      fdatasyncSync(fd);
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  samples.sort((a, b) => a - b);
  return {
    disk_write_mib_s: sequential(false),
    disk_write_fsync_each_mib_s: sequential(true),
    fsync_4k_p50_ms: percentile(samples, 50),
    fsync_4k_p99_ms: percentile(samples, 99),
  };
}

/** The receiving end, in its own process (its own core when there is one): counts bytes. */
const SINK = `
const net = require('node:net');
const server = net.createServer((socket) => {
  let bytes = 0, first = 0;
  socket.on('data', (chunk) => { if (!first) first = process.hrtime.bigint(); bytes += chunk.length; });
  socket.on('end', () => {
    const seconds = Number(process.hrtime.bigint() - first) / 1e9;
    console.log(JSON.stringify({ bytes, seconds }));
    server.close();
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;

/** TCP over loopback: one connection, 1 MiB writes as fast as the receiver takes them. */
export async function measureLoopback(node: string, seconds: number): Promise<{ loopback_mib_s: number }> {
  const sink = spawn(node, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: sink.stdout! });
  const answers: Array<Record<string, number>> = [];
  const waiters: Array<() => void> = [];
  lines.on('line', (line) => {
    answers.push(JSON.parse(line) as Record<string, number>);
    waiters.shift()?.();
  });
  const nextAnswer = async (): Promise<Record<string, number>> => {
    if (answers.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return answers.shift()!;
  };
  try {
    const { port } = await nextAnswer();
    const socket = connect(port!, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const chunk = Buffer.alloc(1024 * 1024, 0xa5);
    const until = Date.now() + seconds * 1000;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      const pump = () => {
        while (Date.now() < until) {
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end(resolve);
      };
      pump();
    });
    const { bytes, seconds: took } = await nextAnswer();
    return { loopback_mib_s: bytes! / (1024 * 1024) / took! };
  } finally {
    sink.kill('SIGKILL');
  }
}

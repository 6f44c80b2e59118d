import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * The boundaries the architecture depends on, checked on every import of every source file:
 * an agent reaches the control plane only through `ControlPlaneClient` (src/agent-rpc/), so it
 * runs on any machine with nothing but the control plane's URL, its key and the object store.
 * The shared modules it uses must not reach into the control plane either, or the rule would
 * leak through them.
 */

const SRC = resolve(import.meta.dirname, '../../src');

/** Which parts of src/ each part may import from (besides itself, node: and npm packages). */
const ALLOWED: Record<string, readonly string[]> = {
  agent: ['agent-rpc', 'acls', 'model', 'kafka-protocol', 'objects', 'errors.ts', 'ids.ts'],
  'agent-rpc': ['acls', 'model', 'kafka-protocol', 'errors.ts'],
  acls: ['model', 'kafka-protocol', 'errors.ts'],
  model: ['errors.ts'],
  'kafka-protocol': [],
  objects: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\s)(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    found.push(match[1] ?? match[2] ?? match[3]!);
  }
  return found;
}

/** The top-level part of src/ a path is in: `agent`, `model`, or a file such as `errors.ts`. */
function partOf(path: string): string {
  return relative(SRC, path).split('/')[0]!;
}

test('every part of src/ imports only from the parts it may: the agent never reaches the metadata store or control-plane internals', () => {
  const violations: string[] = [];
  let checked = 0;
  for (const [part, allowed] of Object.entries(ALLOWED)) {
    for (const file of sourceFiles(join(SRC, part))) {
      for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.')) continue; // node: and npm packages
        checked++;
        const target = partOf(resolve(dirname(file), specifier));
        if (target !== part && !allowed.includes(target)) violations.push(`${relative(SRC, file)} imports ${specifier} (${target})`);
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} relative imports found: the scan is broken`);
  assert.deepEqual(violations, []);
});

test('the rule check sees a forbidden import (it can fail)', () => {
  const text = "import type { MetadataStore } from '../metadata/store.ts';\nexport { x } from './y.ts';\nconst m = await import('../control-plane/app.ts');";
  assert.deepEqual(specifiers(text), ['../metadata/store.ts', './y.ts', '../control-plane/app.ts']);
  assert.equal(partOf(resolve(SRC, 'agent', '../metadata/store.ts')), 'metadata');
});

import assert from 'node:assert/strict';
import { IdentityError } from '../../src/identity/provider.ts';

/** Token helpers for the identity suites: refusals by OAuth error, and tokens made wrong on purpose. */

export async function rejectsWith(promise: Promise<unknown>, oauthError: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof IdentityError, `an IdentityError, not ${String(error)}`);
    assert.equal(error.oauthError, oauthError, `${error.oauthError}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** The token with one byte of its signature changed. */
export function forgeSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The token with its payload rewritten by `change`, its signature kept. */
export function tamperPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, payload = '', signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

import assert from 'node:assert/strict';
import type { AclEntry } from '../../src/acls/vocabulary.ts';
import {
  AclIndex,
  authorize,
  authorizeByResourceType,
  type AclRequest,
  type AclTypeRequest,
  type AuthorizationResult,
  type AuthorizeOptions,
} from '../../src/acls/authorizer.ts';

/** An ALLOW READ on the LITERAL topic `orders` for User:alice from anywhere, with `overrides`. */
export function acl(overrides: Partial<AclEntry> = {}): AclEntry {
  return {
    resource_type: 'TOPIC',
    resource_name: 'orders',
    pattern_type: 'LITERAL',
    principal: 'User:alice',
    host: '*',
    operation: 'READ',
    permission_type: 'ALLOW',
    ...overrides,
  };
}

/** User:alice from 10.0.0.1 asking to READ the topic `orders`, with `overrides`. */
export function req(overrides: Partial<AclRequest> = {}): AclRequest {
  return { principal: 'User:alice', host: '10.0.0.1', operation: 'READ', resourceType: 'TOPIC', resourceName: 'orders', ...overrides };
}

export const USER: AuthorizeOptions = { superuser: false };
export const SUPER: AuthorizeOptions = { superuser: true };

/** The decision of `authorize`, after checking that an AclIndex of the same ACLs says exactly the same. */
export function decide(acls: readonly AclEntry[], request: AclRequest, options: AuthorizeOptions = USER): AuthorizationResult {
  const scanned = authorize(acls, request, options);
  assert.deepEqual(new AclIndex(acls).authorize(request, options), scanned, 'AclIndex and authorize disagree');
  return scanned;
}

export function allowed(acls: readonly AclEntry[], request: AclRequest, options: AuthorizeOptions = USER): boolean {
  return decide(acls, request, options).allowed;
}

/** authorizeByResourceType, checked against the index likewise. */
export function decideByType(acls: readonly AclEntry[], request: AclTypeRequest, options: AuthorizeOptions = USER): AuthorizationResult {
  const scanned = authorizeByResourceType(acls, request, options);
  assert.deepEqual(new AclIndex(acls).authorizeByResourceType(request, options), scanned, 'AclIndex and authorizeByResourceType disagree');
  return scanned;
}

/** A small fast seeded PRNG (mulberry32): the property tests replay from a seed. */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]!, chance: (p: number) => next() < p };
}

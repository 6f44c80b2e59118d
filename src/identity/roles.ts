/**
 * The realm roles of every realm, and the scopes each grants. Roles live in the identity
 * provider (Keycloak's realm roles, or the embedded issuer's); what a role may do is decided
 * here, so both providers mean the same by `tenant-admin`.
 *
 * Scopes are `<family>:<read|write>`; `platform:admin` reaches every tenant (the platform
 * operator), every other scope only the token's own tenant.
 */
export const SCOPES = [
  'platform:admin',
  'tenants:read',
  'tenants:write',
  'workspaces:read',
  'workspaces:write',
  'iam:read',
  'iam:write',
  'data:read',
  'data:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface PlatformRole {
  name: string;
  description: string;
  scopes: readonly Scope[];
}

const TENANT_SCOPES: readonly Scope[] = SCOPES.filter((scope) => scope !== 'platform:admin');

export const PLATFORM_ROLES: readonly PlatformRole[] = [
  { name: 'platform-admin', description: 'Operates the platform: every tenant, every scope', scopes: SCOPES },
  { name: 'tenant-admin', description: "Administers its tenant: the tenant, its workspaces, its realms' clients and roles, all data", scopes: TENANT_SCOPES },
  { name: 'developer', description: "Works in the tenant's workspaces: reads the tenant, manages workspaces, reads and writes data", scopes: ['tenants:read', 'workspaces:read', 'workspaces:write', 'data:read', 'data:write'] },
  { name: 'viewer', description: 'Reads the tenant, its workspaces and their data', scopes: ['tenants:read', 'workspaces:read', 'iam:read', 'data:read'] },
];

const byName = new Map(PLATFORM_ROLES.map((role) => [role.name, role]));

/** The scopes a set of realm roles grants (unknown role names grant nothing). */
export function scopesOf(roles: readonly string[]): Set<Scope> {
  const scopes = new Set<Scope>();
  for (const name of roles) for (const scope of byName.get(name)?.scopes ?? []) scopes.add(scope);
  return scopes;
}

export function isPlatformRole(name: string): boolean {
  return byName.has(name);
}

/**
 * Who issues and verifies the platform's tokens. Two implementations, one contract:
 * - `EmbeddedIdentity` (identity/embedded/): a built-in OpenID issuer on the metadata store, so
 *   `npm start` needs nothing installed;
 * - `KeycloakIdentity` (identity/keycloak.ts): a real Keycloak, as the platform seed says —
 *   `/v1/auth/token` proxies its token endpoint, realms, clients, users and roles are Keycloak's
 *   (admin REST API), tokens are verified against its JWKS.
 *
 * The platform model stays in the metadata store either way: a tenant (WarpStream's account)
 * has realms, each named by the platform (`realm.name`), and this interface is told about them.
 * A verified token names its realm; the platform maps the realm to its tenant. Roles are realm
 * roles from `PLATFORM_ROLES` (identity/roles.ts); what each role may do is the platform's rule,
 * not the provider's.
 */
import { isPlatformRole } from './roles.ts';

/** OAuth 2.0's token response (RFC 6749 §5.1), as `/v1/auth/token` and `/v1/auth/refresh` answer it. */
export interface TokenSet {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds the access token is valid for. */
  expires_in: number;
  /** Absent for client_credentials (RFC 6749 §4.4.3: a client can simply ask again). */
  refresh_token?: string;
  refresh_expires_in?: number;
  scope?: string;
}

/** What a verified access token says. */
export interface VerifiedToken {
  /** The realm the token was issued in (its `iss` names it). */
  realm: string;
  /** The user's id, or the service account's for a client_credentials token. */
  subject: string;
  /** Username, or `service-account-<client_id>` for client tokens. */
  username: string;
  /** The OAuth client the token was issued to (`azp`). */
  clientId: string;
  /** Realm roles of the subject (a subset of PLATFORM_ROLES' names, others ignored). */
  roles: string[];
  /** The workspace the token is confined to (its client's binding); absent for tenant-wide tokens. */
  workspaceId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The token's id (`jti`). */
  tokenId: string;
}

export interface UserSpec {
  username: string;
  password: string;
  email?: string;
  roles: string[];
}

export interface ClientSpec {
  /** The OAuth client_id; unique in its realm. */
  clientId: string;
  /** Grant types, from CLIENT_GRANT_TYPES. */
  grantTypes: string[];
  redirectUris: string[];
  /** Realm roles the client's own tokens (client_credentials) carry; roles need that grant. */
  roles: string[];
  /** Confines every token issued to this client (any grant) to one workspace: its `workspace_id` claim. */
  workspaceId?: string;
}

export interface ClientView {
  clientId: string;
  grantTypes: string[];
  redirectUris: string[];
  roles: string[];
  workspaceId?: string;
}

/** A client authenticating itself (RFC 6749 §2.3.1); the secret is required of confidential clients. */
export interface ClientAuth {
  clientId: string;
  clientSecret?: string;
}

export interface RoleView {
  name: string;
  description: string;
}

/** Refusals every provider answers alike (mapped to OAuth 2.0 errors by the auth routes). */
export class IdentityError extends Error {
  /** RFC 6749 §5.2: invalid_grant, invalid_client, unauthorized_client, unsupported_grant_type, invalid_scope, invalid_request. */
  readonly oauthError: string;
  constructor(oauthError: string, message: string) {
    super(message);
    this.name = 'IdentityError';
    this.oauthError = oauthError;
  }
}

export interface IdentityProvider {
  readonly kind: 'embedded' | 'keycloak';
  /** The issuer URL (`iss`) of a realm's tokens, for discovery. */
  issuerOf(realm: string): string;

  /**
   * Creates a realm of a tenant (idempotent: an existing realm of that name is kept) with
   * PLATFORM_ROLES in it; its access tokens carry the tenant's id (`tenant_id`).
   */
  ensureRealm(realm: string, owner: { displayName: string; tenantId: string }): Promise<void>;
  /** Disables a realm (tenant soft delete): its tokens stop verifying, no new ones are issued. */
  setRealmEnabled(realm: string, enabled: boolean): Promise<void>;
  /** Creates or replaces a user (password and roles) in a realm. */
  upsertUser(realm: string, user: UserSpec): Promise<void>;
  /**
   * Creates a confidential OAuth client; answers its secret, the only time it is shown.
   * Duplicates, and roles without the client_credentials grant: IdentityError('invalid_request').
   */
  createClient(realm: string, client: ClientSpec): Promise<{ clientSecret: string }>;
  listClients(realm: string): Promise<ClientView[]>;
  listRoles(realm: string): Promise<RoleView[]>;

  /**
   * Resource owner password grant, through the realm's public client when `client` is absent.
   * Wrong user credentials: IdentityError('invalid_grant'); a confidential client without its
   * right secret: IdentityError('invalid_client').
   */
  passwordGrant(realm: string, request: { username: string; password: string; client?: ClientAuth; scope?: string }): Promise<TokenSet>;
  /** Client credentials grant. Wrong secret or unknown client: IdentityError('invalid_client'). */
  clientCredentialsGrant(realm: string, request: { clientId: string; clientSecret: string; scope?: string }): Promise<TokenSet>;
  /**
   * Refresh-token rotation: a new access and refresh token; the old refresh token is spent.
   * Presenting a spent one again revokes its whole family (every token descended from the same
   * login) and is IdentityError('invalid_grant'). A token issued to a confidential client is
   * refreshed only with that client's secret (IdentityError('invalid_client') otherwise).
   */
  refresh(realm: string, refreshToken: string, client?: ClientAuth): Promise<TokenSet>;
  /** Verifies signature, issuer, audience and expiry; a token that fails any is IdentityError('invalid_token'). */
  verify(accessToken: string): Promise<VerifiedToken>;

  close(): Promise<void>;
}

/**
 * The grant types an OAuth client may be given: the ones `/v1/auth/token` and `/v1/auth/refresh`
 * serve on both providers. (The authorization-code flow needs a login page the embedded issuer
 * does not have; a Keycloak client made in Keycloak's own console may still list it.)
 */
export const CLIENT_GRANT_TYPES = ['client_credentials', 'password', 'refresh_token'] as const;

/**
 * The rules of a client spec, the same for both providers: known grant types and roles, and
 * roles only with the client_credentials grant (a client's roles are its service account's,
 * which only that grant signs in as; Keycloak has nowhere else to keep them).
 */
export function checkClientSpec(client: ClientSpec): void {
  const unknownGrants = client.grantTypes.filter((grant) => !(CLIENT_GRANT_TYPES as readonly string[]).includes(grant));
  if (unknownGrants.length > 0) throw new IdentityError('invalid_request', `unsupported grant types: ${unknownGrants.join(', ')}`);
  checkRoles(client.roles);
  if (client.roles.length > 0 && !client.grantTypes.includes('client_credentials')) {
    throw new IdentityError('invalid_request', 'roles need the client_credentials grant');
  }
}

export function checkRoles(roles: readonly string[]): void {
  const unknown = roles.filter((role) => !isPlatformRole(role));
  if (unknown.length > 0) throw new IdentityError('invalid_request', `unknown roles: ${unknown.join(', ')}`);
}

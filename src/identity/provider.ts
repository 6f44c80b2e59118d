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
  /** Grant types: `client_credentials`, `password`, `authorization_code`, `refresh_token`. */
  grantTypes: string[];
  redirectUris: string[];
  /** Realm roles the client's own tokens (client_credentials) carry. */
  roles: string[];
}

export interface ClientView {
  clientId: string;
  grantTypes: string[];
  redirectUris: string[];
  roles: string[];
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

  /** Creates a realm (idempotent: an existing realm of that name is kept) with PLATFORM_ROLES in it. */
  ensureRealm(realm: string, displayName: string): Promise<void>;
  /** Disables a realm (tenant soft delete): its tokens stop verifying, no new ones are issued. */
  setRealmEnabled(realm: string, enabled: boolean): Promise<void>;
  /** Creates or replaces a user (password and roles) in a realm. */
  upsertUser(realm: string, user: UserSpec): Promise<void>;
  /** Creates an OAuth client; answers its secret, the only time it is shown. Duplicates: IdentityError('invalid_request'). */
  createClient(realm: string, client: ClientSpec): Promise<{ clientSecret: string }>;
  listClients(realm: string): Promise<ClientView[]>;
  listRoles(realm: string): Promise<RoleView[]>;

  /** Resource owner password grant. Wrong credentials: IdentityError('invalid_grant'). */
  passwordGrant(realm: string, request: { username: string; password: string; clientId?: string; scope?: string }): Promise<TokenSet>;
  /** Client credentials grant. Wrong secret or unknown client: IdentityError('invalid_client'). */
  clientCredentialsGrant(realm: string, request: { clientId: string; clientSecret: string; scope?: string }): Promise<TokenSet>;
  /**
   * Refresh-token rotation: a new access and refresh token; the old refresh token is spent.
   * Presenting a spent one again revokes its whole family (every token descended from the same
   * login) and is IdentityError('invalid_grant').
   */
  refresh(realm: string, refreshToken: string, clientId?: string): Promise<TokenSet>;
  /** Verifies signature, issuer, audience and expiry; a token that fails any is IdentityError('invalid_token'). */
  verify(accessToken: string): Promise<VerifiedToken>;

  close(): Promise<void>;
}

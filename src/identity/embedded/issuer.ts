import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { newId, newSecret } from '../../ids.ts';
import type { IdentityClient, MetadataStore } from '../../metadata/store.ts';
import type { SecretSealer } from '../../control-plane/secrets.ts';
import { IdentityError, checkClientSpec, checkRoles, type ClientAuth, type ClientSpec, type ClientView, type IdentityProvider, type RoleView, type TokenSet, type UserSpec, type VerifiedToken } from '../provider.ts';
import { PLATFORM_ROLES, isPlatformRole, scopesOf } from '../roles.ts';
import { SIGNING_ALGORITHM, SigningKeys } from './keys.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const TOKEN_AUDIENCE = 'slipstream';
/** The client a password grant is issued to when the request names none (Keycloak's layout has one per realm too). */
export const DEFAULT_CLIENT_ID = 'slipstream';

export interface EmbeddedIdentityOptions {
  store: MetadataStore;
  secrets: SecretSealer;
  /** The control plane's public URL; issuers are `<baseUrl>/realms/<realm>`. Read on every use. */
  baseUrl: () => string;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  keyRotationMs?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The built-in OpenID issuer: users and clients in the metadata store, EdDSA-signed JWTs with
 * the platform's claims, opaque refresh tokens rotated on every use. Served through the same
 * routes as Keycloak (`/v1/auth/*` and Keycloak's `/realms/<realm>/…` layout), so a client
 * cannot tell which one it talks to.
 */
export class EmbeddedIdentity implements IdentityProvider {
  readonly kind = 'embedded' as const;
  private readonly store: MetadataStore;
  private readonly baseUrl: () => string;
  private readonly accessTtl: number;
  private readonly refreshTtl: number;
  readonly keys: SigningKeys;

  constructor(options: EmbeddedIdentityOptions) {
    this.store = options.store;
    this.baseUrl = options.baseUrl;
    this.accessTtl = options.accessTokenTtlSeconds ?? 300;
    this.refreshTtl = options.refreshTokenTtlSeconds ?? 30 * 24 * 3600;
    this.keys = new SigningKeys({
      store: options.store,
      secrets: options.secrets,
      rotateAfterMs: options.keyRotationMs ?? 30 * 24 * 3600 * 1000,
      keepAfterMs: (this.accessTtl + 3600) * 1000,
    });
  }

  issuerOf(realm: string): string {
    return `${this.baseUrl().replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
  }

  // The platform writes the realm rows (they belong to the tenant model); the embedded issuer
  // keeps nothing else per realm, so these two only check it is there.
  async ensureRealm(realm: string): Promise<void> {
    await this.realm(realm);
  }
  async setRealmEnabled(realm: string, enabled: boolean): Promise<void> {
    await this.store.identity.setRealmEnabled(realm, enabled);
  }

  async upsertUser(realm: string, user: UserSpec): Promise<void> {
    await this.realm(realm);
    checkRoles(user.roles);
    const passwordHash = await hashPassword(user.password);
    const now = Date.now();
    await this.store.transaction(async (tx) => {
      const existing = await tx.identity.findUser(realm, user.username);
      if (existing) {
        await tx.identity.updateUser({ ...existing, email: user.email ?? existing.email, password_hash: passwordHash, roles: user.roles, updated_at: now });
      } else {
        await tx.identity.insertUser({ id: newId('usr_'), realm, username: user.username, email: user.email ?? null, password_hash: passwordHash, roles: user.roles, created_at: now, updated_at: now });
      }
    });
  }

  async createClient(realm: string, client: ClientSpec): Promise<{ clientSecret: string }> {
    await this.realm(realm);
    checkClientSpec(client);
    const clientSecret = newSecret('ocs_', 32);
    const created = await this.store.transaction(async (tx) => {
      if (client.clientId === DEFAULT_CLIENT_ID || (await tx.identity.findClient(realm, client.clientId))) return false;
      await tx.identity.insertClient({
        id: newId('oci_'),
        realm,
        client_id: client.clientId,
        secret_hash: sha256(clientSecret),
        grant_types: client.grantTypes,
        redirect_uris: client.redirectUris,
        roles: client.roles,
        workspace_id: client.workspaceId ?? null,
        created_at: Date.now(),
      });
      return true;
    });
    if (!created) throw new IdentityError('invalid_request', `a client ${JSON.stringify(client.clientId)} already exists in realm ${realm}`);
    return { clientSecret };
  }

  async listClients(realm: string): Promise<ClientView[]> {
    return (await this.store.identity.listClients(realm)).map((c) => ({
      clientId: c.client_id,
      grantTypes: c.grant_types,
      redirectUris: c.redirect_uris,
      roles: c.roles,
      ...(c.workspace_id === null ? {} : { workspaceId: c.workspace_id }),
    }));
  }

  async listRoles(): Promise<RoleView[]> {
    return PLATFORM_ROLES.map((role) => ({ name: role.name, description: role.description }));
  }

  async passwordGrant(realm: string, request: { username: string; password: string; client?: ClientAuth }): Promise<TokenSet> {
    await this.enabledRealm(realm);
    const client = await this.authenticateClient(realm, request.client);
    if (client && !client.grant_types.includes('password')) throw new IdentityError('unauthorized_client', `client ${client.client_id} may not use the password grant`);
    const user = await this.store.identity.findUser(realm, request.username);
    // The hash is checked even for an unknown user, so timing does not tell which users exist.
    const ok = await verifyPassword(request.password, user?.password_hash ?? UNKNOWN_USER_HASH);
    if (!user || !ok) throw new IdentityError('invalid_grant', 'invalid username or password');
    const familyId = newId('rtf_');
    return this.issue(realm, { subject: user.id, username: user.username, clientId: client?.client_id ?? DEFAULT_CLIENT_ID, roles: user.roles, workspaceId: client?.workspace_id ?? null }, familyId);
  }

  async clientCredentialsGrant(realm: string, request: { clientId: string; clientSecret: string }): Promise<TokenSet> {
    // A disabled realm's clients are refused as clients, as Keycloak answers (its users' grants are invalid_grant).
    if (!(await this.realm(realm)).enabled) throw new IdentityError('invalid_client', `realm ${realm} is disabled`);
    const client = await this.authenticateClient(realm, request);
    if (!client) throw new IdentityError('invalid_client', 'invalid client credentials');
    if (!client.grant_types.includes('client_credentials')) throw new IdentityError('unauthorized_client', `client ${client.client_id} may not use the client_credentials grant`);
    return this.issue(realm, { subject: client.id, username: `service-account-${client.client_id}`, clientId: client.client_id, roles: client.roles, workspaceId: client.workspace_id });
  }

  async refresh(realm: string, refreshToken: string, clientAuth?: ClientAuth): Promise<TokenSet> {
    await this.enabledRealm(realm);
    const hash = sha256(refreshToken);
    const record = await this.store.identity.getRefreshToken(hash);
    if (!record || record.realm !== realm || (clientAuth !== undefined && record.client_id !== clientAuth.clientId)) {
      throw new IdentityError('invalid_grant', 'unknown refresh token');
    }
    // A confidential client's token is refreshed by that client only (RFC 6749 §6), before it is spent.
    const client = record.client_id === DEFAULT_CLIENT_ID ? undefined : await this.authenticateClient(realm, clientAuth ?? { clientId: record.client_id });
    if (record.expires_at < Date.now()) throw new IdentityError('invalid_grant', 'the refresh token has expired');
    const spent = await this.store.identity.spendRefreshToken(hash, Date.now());
    if (!spent) {
      // Reuse of a spent token means it leaked (or a client raced itself): the whole login is
      // revoked, so whoever holds the newer token loses it too (OAuth 2.0 Security BCP §4.14).
      await this.store.identity.revokeRefreshFamily(record.family_id, Date.now());
      throw new IdentityError('invalid_grant', record.revoked_at !== null ? 'the refresh token was revoked' : 'the refresh token was already used; its login is revoked');
    }
    const user = await this.store.identity.getUser(record.subject);
    if (!user) throw new IdentityError('invalid_grant', 'the user no longer exists');
    return this.issue(realm, { subject: user.id, username: user.username, clientId: record.client_id, roles: user.roles, workspaceId: client?.workspace_id ?? null }, record.family_id);
  }

  async verify(accessToken: string): Promise<VerifiedToken> {
    try {
      const { kid } = decodeProtectedHeader(accessToken);
      const key = kid ? await this.keys.publicKey(kid) : undefined;
      if (!key) throw new IdentityError('invalid_token', 'the token is not signed by a key of this issuer');
      const { payload } = await jwtVerify(accessToken, key, { audience: TOKEN_AUDIENCE, algorithms: [SIGNING_ALGORITHM] });
      const realm = typeof payload.realm === 'string' ? payload.realm : '';
      if (payload.iss !== this.issuerOf(realm)) throw new IdentityError('invalid_token', 'the token was issued by another issuer');
      const stored = await this.store.identity.getRealm(realm);
      if (!stored?.enabled) throw new IdentityError('invalid_token', `realm ${realm} is disabled`);
      const roles = (payload.realm_access as { roles?: unknown } | undefined)?.roles;
      return {
        realm,
        subject: String(payload.sub),
        username: String(payload.preferred_username ?? ''),
        clientId: String(payload.azp ?? ''),
        roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string' && isPlatformRole(r)) : [],
        ...(typeof payload.workspace_id === 'string' ? { workspaceId: payload.workspace_id } : {}),
        expiresAt: payload.exp!,
        tokenId: String(payload.jti ?? ''),
      };
    } catch (error) {
      if (error instanceof IdentityError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new IdentityError('invalid_token', 'the token has expired');
      throw new IdentityError('invalid_token', `the token is not valid: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {}

  /**
   * The client a request authenticates as: none for the realm's public client (absent or
   * `slipstream`), else a client of the realm with its right secret (every client made here is
   * confidential). Refusals are invalid_client, the same for an unknown client and a wrong secret.
   */
  private async authenticateClient(realm: string, auth: ClientAuth | undefined): Promise<IdentityClient | undefined> {
    if (auth === undefined || (auth.clientId === DEFAULT_CLIENT_ID && auth.clientSecret === undefined)) return undefined;
    const client = await this.store.identity.findClient(realm, auth.clientId);
    if (!client || auth.clientSecret === undefined || !secretMatches(client, auth.clientSecret)) throw new IdentityError('invalid_client', 'invalid client credentials');
    return client;
  }

  private async issue(realm: string, who: { subject: string; username: string; clientId: string; roles: string[]; workspaceId: string | null }, familyId?: string): Promise<TokenSet> {
    const { kid, key } = await this.keys.current();
    const account = await this.store.getAccount((await this.realm(realm)).account_id);
    const scope = [...scopesOf(who.roles)].join(' ');
    const accessToken = await new SignJWT({
      realm,
      tenant_id: account?.id,
      preferred_username: who.username,
      azp: who.clientId,
      realm_access: { roles: who.roles },
      scope,
      ...(who.workspaceId === null ? {} : { workspace_id: who.workspaceId }),
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: 'JWT' })
      .setIssuer(this.issuerOf(realm))
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(who.subject)
      .setJti(randomBytes(16).toString('hex'))
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtl}s`)
      .sign(key);
    const tokens: TokenSet = { access_token: accessToken, token_type: 'Bearer', expires_in: this.accessTtl, scope };
    if (familyId === undefined) return tokens;
    const refreshToken = newSecret('rt_', 32);
    const now = Date.now();
    await this.store.identity.insertRefreshToken({
      token_hash: sha256(refreshToken),
      family_id: familyId,
      realm,
      subject: who.subject,
      client_id: who.clientId,
      expires_at: now + this.refreshTtl * 1000,
      used_at: null,
      revoked_at: null,
      created_at: now,
    });
    return { ...tokens, refresh_token: refreshToken, refresh_expires_in: this.refreshTtl };
  }

  private async realm(name: string) {
    const realm = await this.store.identity.getRealm(name);
    if (!realm) throw new IdentityError('invalid_request', `realm ${name} does not exist`);
    return realm;
  }

  private async enabledRealm(name: string) {
    const realm = await this.realm(name);
    if (!realm.enabled) throw new IdentityError('invalid_grant', `realm ${name} is disabled`);
    return realm;
  }
}

function secretMatches(client: IdentityClient, secret: string): boolean {
  const expected = Buffer.from(client.secret_hash, 'hex');
  const actual = Buffer.from(sha256(secret), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A hash no password matches (its salt and hash are random), checked for unknown users. */
const UNKNOWN_USER_HASH = `scrypt$${2 ** 15}$8$1$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;

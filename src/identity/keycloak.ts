/**
 * IdentityProvider on a real Keycloak (tested against 26.5): realms, roles, users and clients
 * through the admin REST API, grants through each realm's token endpoint, access tokens
 * verified locally against each realm's JWKS.
 *
 * Every realm made here gets (keycloak/realm-setup.ts): PLATFORM_ROLES as realm roles (tokens
 * carry them in `realm_access.roles`, through Keycloak's default `roles` client scope); a
 * default client scope whose audience mapper puts `slipstream` into every access token's `aud`,
 * which verify requires, so a token Keycloak issued for something else is not ours; a public
 * client `slipstream` for the password grant; a user profile with email and names optional.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import { CLIENT_GRANT_TYPES, IdentityError, checkClientSpec, checkRoles, type ClientAuth, type ClientSpec, type ClientView, type IdentityProvider, type RoleView, type TokenSet, type UserSpec, type VerifiedToken } from './provider.ts';
import { PLATFORM_ROLES, isPlatformRole } from './roles.ts';
import { KeycloakAdmin, errorText, idFromLocation } from './keycloak/admin.ts';
import { AUDIENCE, DEFAULT_CLIENT, setUpRealm } from './keycloak/realm-setup.ts';
import { SpentRefreshTokens } from './keycloak/spent-tokens.ts';
import { postGrant } from './keycloak/tokens.ts';

export interface KeycloakIdentityOptions {
  /** Keycloak's base URL, e.g. http://127.0.0.1:8080 (no `/auth`: Keycloak >= 17). */
  url: string;
  /** A master realm admin, for the admin REST API. */
  adminUser: string;
  adminPassword: string;
  log?: Logger;
  /** Access token lifespan of the realms created here (Keycloak's default: 300). */
  accessTokenLifespanSeconds?: number;
  /**
   * Put before every platform realm's name to make its Keycloak realm's (`default` is
   * `<prefix>default` in Keycloak), so several deployments can share one Keycloak without
   * meeting in its realms. Tokens of realms without the prefix are not this deployment's.
   */
  realmPrefix?: string;
}

/** Marks the clients createClient made, so listClients leaves out Keycloak's own (account, broker, …). */
const MANAGED = 'slipstream.managed';
/** The client attribute that keeps a client's workspace binding (its hard-coded claim mapper puts it in tokens). */
const WORKSPACE_ATTRIBUTE = 'slipstream.workspace_id';
const WORKSPACE_CLAIM = 'workspace_id';
/** How long verify trusts what it last heard about a realm being enabled. */
const REALM_STATE_TTL_MS = 5_000;
/** Keycloak signs access tokens with the realm's asymmetric keys (refresh tokens use HS512). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

interface RoleRepresentation { id: string; name: string; description?: string }
interface ClientRepresentation {
  id: string;
  clientId: string;
  redirectUris?: string[];
  serviceAccountsEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  standardFlowEnabled?: boolean;
  attributes?: Record<string, string>;
}

const invalidToken = (message: string) => new IdentityError('invalid_token', message);

export class KeycloakIdentity implements IdentityProvider {
  readonly kind = 'keycloak';
  readonly #url: string;
  readonly #admin: KeycloakAdmin;
  readonly #log: Logger | undefined;
  readonly #lifespan: number | undefined;
  readonly #jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  readonly #spent = new SpentRefreshTokens();
  readonly #realmState = new Map<string, { enabled: Promise<boolean>; until: number }>();
  readonly #prefix: string;

  constructor(options: KeycloakIdentityOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#admin = new KeycloakAdmin(this.#url, options.adminUser, options.adminPassword);
    this.#log = options.log;
    this.#lifespan = options.accessTokenLifespanSeconds;
    this.#prefix = options.realmPrefix ?? '';
  }

  issuerOf(realm: string): string {
    return `${this.#url}/realms/${encodeURIComponent(this.#keycloakRealm(realm))}`;
  }

  /** Keycloak's name of a platform realm. */
  #keycloakRealm(realm: string): string {
    return `${this.#prefix}${realm}`;
  }

  /** An admin API path under a platform realm's Keycloak realm. */
  #path(realm: string, rest = ''): string {
    return `/${encodeURIComponent(this.#keycloakRealm(realm))}${rest}`;
  }

  async ensureRealm(realm: string, owner: { displayName: string; tenantId: string }): Promise<void> {
    const existing = await this.#admin.request('GET', this.#path(realm));
    if (existing.status === 404) {
      const created = await this.#admin.request('POST', '', {
        realm: this.#keycloakRealm(realm),
        displayName: owner.displayName,
        enabled: true,
        // Rotation: each refresh token is good for one refresh (see refresh()).
        revokeRefreshToken: true,
        refreshTokenMaxReuse: 0,
        ...(this.#lifespan === undefined ? {} : { accessTokenLifespan: this.#lifespan }),
      });
      // 409: made meanwhile by another caller, which is as good.
      if (created.status !== 201 && created.status !== 409) throw new Error(`Keycloak: creating realm ${realm}: ${created.status} ${errorText(created.body)}`);
      if (created.status === 201) this.#log?.info({ realm }, 'created Keycloak realm');
    } else if (existing.status !== 200) {
      throw new Error(`Keycloak: reading realm ${realm}: ${existing.status} ${errorText(existing.body)}`);
    }
    // The rest is checked on every call, so a realm whose creation was interrupted is completed.
    await setUpRealm(this.#admin, this.#keycloakRealm(realm), owner.tenantId);
    this.#realmState.delete(realm);
  }

  async setRealmEnabled(realm: string, enabled: boolean): Promise<void> {
    await this.#admin.expect('PUT', this.#path(realm), { enabled }, 204);
    // Verify here sees it at once; other processes within REALM_STATE_TTL_MS.
    this.#realmState.set(realm, { enabled: Promise.resolve(enabled), until: Date.now() + REALM_STATE_TTL_MS });
    this.#log?.info({ realm, enabled }, 'Keycloak realm enabled changed');
  }

  async upsertUser(realm: string, user: UserSpec): Promise<void> {
    checkRoles(user.roles);
    const representation = {
      username: user.username,
      enabled: true,
      emailVerified: true,
      requiredActions: [],
      ...(user.email === undefined ? {} : { email: user.email }),
    };
    const credential = { type: 'password', value: user.password, temporary: false };
    let id = await this.#userId(realm, user.username);
    if (id === undefined) {
      const created = await this.#admin.request('POST', this.#path(realm, '/users'), { ...representation, credentials: [credential] });
      if (created.status === 409 || created.status === 400) throw new IdentityError('invalid_request', errorText(created.body) || `cannot create user ${user.username}`);
      if (created.status !== 201) throw new Error(`Keycloak: creating user ${user.username}: ${created.status} ${errorText(created.body)}`);
      id = idFromLocation(created);
    } else {
      for (const [method, rest, body] of [['PUT', '', representation], ['PUT', '/reset-password', credential]] as const) {
        const updated = await this.#admin.request(method, this.#path(realm, `/users/${id}${rest}`), body);
        if (updated.status === 409 || updated.status === 400) throw new IdentityError('invalid_request', errorText(updated.body) || `cannot update user ${user.username}`);
        if (updated.status !== 204) throw new Error(`Keycloak: updating user ${user.username}: ${updated.status} ${errorText(updated.body)}`);
      }
    }
    await this.#setRoles(realm, id, user.roles);
  }

  async createClient(realm: string, client: ClientSpec): Promise<{ clientSecret: string }> {
    checkClientSpec(client);
    const serviceAccount = client.grantTypes.includes('client_credentials');
    const created = await this.#admin.request('POST', this.#path(realm, '/clients'), {
      clientId: client.clientId,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      serviceAccountsEnabled: serviceAccount,
      directAccessGrantsEnabled: client.grantTypes.includes('password'),
      standardFlowEnabled: false, // no login page on the embedded side: see CLIENT_GRANT_TYPES
      implicitFlowEnabled: false,
      redirectUris: client.redirectUris,
      // Keycloak has no refresh_token grant flag; whether refresh tokens are issued is this attribute.
      attributes: {
        [MANAGED]: 'true',
        'use.refresh.tokens': String(client.grantTypes.includes('refresh_token')),
        ...(client.workspaceId === undefined ? {} : { [WORKSPACE_ATTRIBUTE]: client.workspaceId }),
      },
      // A bound client's every token (any grant) names its workspace.
      ...(client.workspaceId === undefined ? {} : {
        protocolMappers: [{
          name: 'workspace',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-hardcoded-claim-mapper',
          config: { 'claim.name': WORKSPACE_CLAIM, 'claim.value': client.workspaceId, 'jsonType.label': 'String', 'access.token.claim': 'true', 'id.token.claim': 'false', 'introspection.token.claim': 'true' },
        }],
      }),
    });
    if (created.status === 409) throw new IdentityError('invalid_request', `client ${client.clientId} already exists in realm ${realm}`);
    if (created.status === 404) throw new IdentityError('invalid_request', `realm ${realm} does not exist`);
    if (created.status === 400) throw new IdentityError('invalid_request', errorText(created.body) || `invalid client ${client.clientId}`);
    if (created.status !== 201) throw new Error(`Keycloak: creating client ${client.clientId}: ${created.status} ${errorText(created.body)}`);
    const id = idFromLocation(created);
    try {
      if (serviceAccount) {
        const user = (await this.#admin.expect('GET', this.#path(realm, `/clients/${id}/service-account-user`), undefined, 200)).body as { id: string };
        await this.#setRoles(realm, user.id, client.roles);
      }
      const secret = (await this.#admin.expect('GET', this.#path(realm, `/clients/${id}/client-secret`), undefined, 200)).body as { value?: string };
      if (!secret.value) throw new Error(`Keycloak: client ${client.clientId} has no secret`);
      return { clientSecret: secret.value };
    } catch (error) {
      // No half-made client: a retry would otherwise meet "already exists".
      await this.#admin.request('DELETE', this.#path(realm, `/clients/${id}`)).catch(() => undefined);
      throw error;
    }
  }

  async listClients(realm: string): Promise<ClientView[]> {
    const clients = (await this.#admin.expect('GET', this.#path(realm, '/clients'), undefined, 200)).body as ClientRepresentation[];
    const managed = clients.filter((client) => client.attributes?.[MANAGED] === 'true');
    return Promise.all(
      managed.map(async (client): Promise<ClientView> => {
        const grantTypes = CLIENT_GRANT_TYPES.filter((grant) =>
          grant === 'client_credentials' ? client.serviceAccountsEnabled
          : grant === 'password' ? client.directAccessGrantsEnabled
          : client.attributes?.['use.refresh.tokens'] === 'true');
        let roles: string[] = [];
        if (client.serviceAccountsEnabled) {
          const user = (await this.#admin.expect('GET', this.#path(realm, `/clients/${client.id}/service-account-user`), undefined, 200)).body as { id: string };
          roles = (await this.#realmRolesOf(realm, user.id)).map((role) => role.name).filter(isPlatformRole).sort();
        }
        const workspaceId = client.attributes?.[WORKSPACE_ATTRIBUTE];
        return { clientId: client.clientId, grantTypes, redirectUris: client.redirectUris ?? [], roles, ...(workspaceId ? { workspaceId } : {}) };
      }),
    );
  }

  async listRoles(realm: string): Promise<RoleView[]> {
    const roles = (await this.#admin.expect('GET', this.#path(realm, '/roles'), undefined, 200)).body as RoleRepresentation[];
    const byName = new Map(roles.map((role) => [role.name, role]));
    return PLATFORM_ROLES.filter((role) => byName.has(role.name)).map((role) => ({
      name: role.name,
      description: byName.get(role.name)?.description ?? role.description,
    }));
  }

  passwordGrant(realm: string, request: { username: string; password: string; client?: ClientAuth; scope?: string }): Promise<TokenSet> {
    return postGrant(this.#tokenUrl(realm), {
      grant_type: 'password',
      client_id: request.client?.clientId ?? DEFAULT_CLIENT,
      client_secret: request.client?.clientSecret,
      username: request.username,
      password: request.password,
      scope: request.scope,
    });
  }

  clientCredentialsGrant(realm: string, request: { clientId: string; clientSecret: string; scope?: string }): Promise<TokenSet> {
    return postGrant(this.#tokenUrl(realm), {
      grant_type: 'client_credentials',
      client_id: request.clientId,
      client_secret: request.clientSecret,
      scope: request.scope,
    });
  }

  /**
   * Rotation, with the realm's revokeRefreshToken=true and refreshTokenMaxReuse=0. What Keycloak
   * does by itself (seen against 26.5.6): a refresh answers a new refresh token and spends the
   * presented one; presenting a spent one again is invalid_grant ("Maximum allowed refresh token
   * reuse exceeded" for the latest spent one, "Stale token" for older ones) and Keycloak then
   * drops the client from the user session, so the newer refresh token fails too ("Session
   * doesn't have required client"); the user session itself stays, empty. The hole: Keycloak
   * tells stale tokens by whole seconds (token iat < client session timestamp), so a spent token
   * issued in the same second as the session's latest refresh is accepted, and the family forks.
   *
   * So on top: this process remembers the refresh tokens it presented (SpentRefreshTokens), and
   * on any reuse, whether found here or by Keycloak, deletes the user session (`sid`) through the
   * admin API: every refresh token of that login is dead then. Access tokens already issued stay
   * valid until they expire, as verify checks them without asking Keycloak.
   */
  async refresh(realm: string, refreshToken: string, clientAuth?: ClientAuth): Promise<TokenSet> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(refreshToken);
    } catch {
      throw new IdentityError('invalid_grant', 'malformed refresh token');
    }
    const session = typeof claims.sid === 'string' ? claims.sid : undefined;
    const tokenId = typeof claims.jti === 'string' ? claims.jti : undefined;
    if (tokenId !== undefined) {
      const spent = this.#spent.find(realm, tokenId);
      if (spent) {
        // The session named when the token was first presented (and then verified by Keycloak).
        await this.#revokeSession(realm, spent.session);
        throw new IdentityError('invalid_grant', 'refresh token already used: its session is revoked');
      }
      // Marked before Keycloak answers, so that two concurrent refreshes of one token are reuse too.
      this.#spent.add(realm, tokenId, session, typeof claims.exp === 'number' ? claims.exp : 0);
    }
    // Keycloak wants the client the token was issued to; `azp` names it.
    const client = clientAuth?.clientId ?? (typeof claims.azp === 'string' ? claims.azp : DEFAULT_CLIENT);
    try {
      return await postGrant(this.#tokenUrl(realm), { grant_type: 'refresh_token', client_id: client, client_secret: clientAuth?.clientSecret, refresh_token: refreshToken });
    } catch (error) {
      // Keycloak says these only once it has checked the token's signature: its `sid` is genuine.
      if (error instanceof IdentityError && /reuse|stale token/i.test(error.message)) {
        await this.#revokeSession(realm, session);
      } else if (tokenId !== undefined) {
        // Refused for another reason (expired, wrong client, Keycloak down): not spent by this call.
        this.#spent.remove(realm, tokenId);
      }
      throw error;
    }
  }

  async verify(accessToken: string): Promise<VerifiedToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(accessToken);
    } catch {
      throw invalidToken('malformed token');
    }
    const realm = this.#realmOfIssuer(unverified.iss);
    if (realm === undefined) throw invalidToken('token issuer not accepted');
    // Before the JWKS: no key set is fetched (and kept) for a realm that does not exist. Keycloak
    // still serves the JWKS of a disabled realm, so this is also what refuses its tokens.
    if (!(await this.#realmEnabled(realm))) throw invalidToken(`realm ${realm} is disabled or does not exist`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(accessToken, this.#jwksOf(realm), { issuer: this.issuerOf(realm), audience: AUDIENCE, algorithms: ALGORITHMS }));
    } catch (error) {
      throw invalidToken(error instanceof Error ? error.message : 'token does not verify');
    }
    // ID tokens are signed with the same keys; only access tokens are `Bearer`.
    if (payload.typ !== 'Bearer') throw invalidToken('not an access token');
    if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw invalidToken('token has no subject or expiry');
    const realmAccess = payload.realm_access as { roles?: unknown } | undefined;
    const roles = Array.isArray(realmAccess?.roles) ? realmAccess.roles.filter((role): role is string => typeof role === 'string' && isPlatformRole(role)) : [];
    const sid = typeof payload.sid === 'string' ? payload.sid : payload.sub;
    return {
      realm,
      subject: payload.sub,
      username: typeof payload.preferred_username === 'string' ? payload.preferred_username : '',
      clientId: typeof payload.azp === 'string' ? payload.azp : '',
      roles,
      ...(typeof payload[WORKSPACE_CLAIM] === 'string' ? { workspaceId: payload[WORKSPACE_CLAIM] } : {}),
      expiresAt: payload.exp,
      // Keycloak 26 sets `jti` (e.g. "onrtro:<uuid>"); older lightweight tokens may not.
      tokenId: payload.jti ?? `${sid}:${payload.iat ?? payload.exp}`,
    };
  }

  async close(): Promise<void> {
    this.#jwks.clear();
    this.#spent.clear();
    this.#realmState.clear();
    this.#admin.close();
  }

  async #revokeSession(realm: string, session: string | undefined): Promise<void> {
    if (session === undefined) return;
    const deleted = await this.#admin.request('DELETE', this.#path(realm, `/sessions/${encodeURIComponent(session)}`)).catch(() => undefined);
    this.#log?.warn({ realm, session, deleted: deleted?.status === 204 }, 'refresh token reused: session revoked');
  }

  #tokenUrl(realm: string): string {
    return `${this.issuerOf(realm)}/protocol/openid-connect/token`;
  }

  #realmOfIssuer(issuer: string | undefined): string | undefined {
    const prefix = `${this.#url}/realms/`;
    if (typeof issuer !== 'string' || !issuer.startsWith(prefix)) return undefined;
    const rest = issuer.slice(prefix.length);
    if (rest === '' || rest.includes('/')) return undefined;
    let name: string;
    try {
      name = decodeURIComponent(rest);
    } catch {
      return undefined;
    }
    // Another deployment's realm (or one made in Keycloak by hand) is not one of ours.
    if (!name.startsWith(this.#prefix) || name.length === this.#prefix.length) return undefined;
    return name.slice(this.#prefix.length);
  }

  /** One key set per realm, kept: jose refetches it by itself when a token names a new key. */
  #jwksOf(realm: string): ReturnType<typeof createRemoteJWKSet> {
    let jwks = this.#jwks.get(realm);
    if (!jwks) {
      jwks = createRemoteJWKSet(new URL(`${this.issuerOf(realm)}/protocol/openid-connect/certs`), { timeoutDuration: 10_000 });
      this.#jwks.set(realm, jwks);
    }
    return jwks;
  }

  #realmEnabled(realm: string): Promise<boolean> {
    const now = Date.now();
    const known = this.#realmState.get(realm);
    if (known && now < known.until) return known.enabled;
    if (this.#realmState.size > 1000) for (const [name, state] of this.#realmState) if (state.until <= now) this.#realmState.delete(name);
    const enabled = this.#admin.request('GET', this.#path(realm)).then((response) => {
      if (response.status === 404) return false;
      if (response.status !== 200) throw new Error(`Keycloak: reading realm ${realm}: ${response.status} ${errorText(response.body)}`);
      return (response.body as { enabled?: boolean }).enabled === true;
    });
    this.#realmState.set(realm, { enabled, until: now + REALM_STATE_TTL_MS });
    // A failed look-up is not remembered: the next verify asks again.
    enabled.catch(() => this.#realmState.delete(realm));
    return enabled;
  }

  async #userId(realm: string, username: string): Promise<string | undefined> {
    const query = new URLSearchParams({ username, exact: 'true' });
    const users = (await this.#admin.expect('GET', this.#path(realm, `/users?${query}`), undefined, 200)).body as Array<{ id: string; username: string }>;
    // Keycloak keeps usernames in lower case.
    return users.find((user) => user.username === username.toLowerCase())?.id;
  }

  async #realmRolesOf(realm: string, userId: string): Promise<RoleRepresentation[]> {
    return (await this.#admin.expect('GET', this.#path(realm, `/users/${userId}/role-mappings/realm`), undefined, 200)).body as RoleRepresentation[];
  }

  /** Makes the user's platform roles exactly `roles`; Keycloak's own (default-roles-<realm>) stay. */
  async #setRoles(realm: string, userId: string, roles: readonly string[]): Promise<void> {
    const current = (await this.#realmRolesOf(realm, userId)).filter((role) => isPlatformRole(role.name));
    const remove = current.filter((role) => !roles.includes(role.name));
    const missing = roles.filter((name) => !current.some((role) => role.name === name));
    const mappings = this.#path(realm, `/users/${userId}/role-mappings/realm`);
    if (remove.length > 0) await this.#admin.expect('DELETE', mappings, remove, 204);
    if (missing.length > 0) {
      const all = (await this.#admin.expect('GET', this.#path(realm, '/roles'), undefined, 200)).body as RoleRepresentation[];
      const add = all.filter((role) => missing.includes(role.name));
      if (add.length !== new Set(missing).size) throw new IdentityError('invalid_request', `realm ${realm} lacks some of the roles ${missing.join(', ')}`);
      await this.#admin.expect('POST', mappings, add, 204);
    }
  }
}


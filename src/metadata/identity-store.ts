import type { IdentityClient, IdentityUser, Realm, RefreshTokenRecord, SigningKey } from '../model/records.ts';
import { insertRow, manyRows, oneRow, type TableCodec } from './rows.ts';
import type { SqlExecutor } from './sql.ts';

/**
 * The platform's identity records: realms (both identity providers), and the users, OAuth
 * clients, signing keys and refresh tokens of the embedded issuer. Reached as
 * `MetadataStore.identity`, inside the same transactions as the rest of the store.
 */
export interface IdentityStore {
  insertRealm(realm: Realm): Promise<void>;
  getRealm(name: string): Promise<Realm | undefined>;
  /** A tenant's realms, oldest first. */
  listRealms(accountId: string): Promise<Realm[]>;
  setRealmEnabled(name: string, enabled: boolean): Promise<void>;

  insertUser(user: IdentityUser): Promise<void>;
  updateUser(user: IdentityUser): Promise<void>;
  getUser(id: string): Promise<IdentityUser | undefined>;
  findUser(realm: string, username: string): Promise<IdentityUser | undefined>;

  insertClient(client: IdentityClient): Promise<void>;
  findClient(realm: string, clientId: string): Promise<IdentityClient | undefined>;
  listClients(realm: string): Promise<IdentityClient[]>;

  insertSigningKey(key: SigningKey): Promise<void>;
  /** Newest first. */
  listSigningKeys(): Promise<SigningKey[]>;
  deleteSigningKey(kid: string): Promise<void>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Spends a refresh token: true for the one caller that found it unspent and unrevoked. */
  spendRefreshToken(tokenHash: string, at: number): Promise<boolean>;
  revokeRefreshFamily(familyId: string, at: number): Promise<void>;
  /** Drops refresh tokens that expired before `before`. */
  purgeRefreshTokens(before: number): Promise<number>;
}

const tables = {
  realms: { table: 'realms', booleans: ['enabled'] },
  identity_users: { table: 'identity_users', json: ['roles'] },
  identity_clients: { table: 'identity_clients', json: ['grant_types', 'redirect_uris', 'roles'] },
  signing_keys: { table: 'signing_keys' },
  refresh_tokens: { table: 'refresh_tokens' },
} satisfies Record<string, TableCodec>;

export class SqlIdentityStore implements IdentityStore {
  private readonly db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.db = db;
  }

  insertRealm(realm: Realm) {
    return insertRow(this.db, tables.realms, realm);
  }
  getRealm(name: string) {
    return oneRow<Realm>(this.db, tables.realms, 'name = ?', [name]);
  }
  listRealms(accountId: string) {
    return manyRows<Realm>(this.db, tables.realms, 'account_id = ? ORDER BY created_at, name', [accountId]);
  }
  async setRealmEnabled(name: string, enabled: boolean) {
    await this.db.run('UPDATE realms SET enabled = ? WHERE name = ?', [enabled ? 1 : 0, name]);
  }

  insertUser(user: IdentityUser) {
    return insertRow(this.db, tables.identity_users, user);
  }
  async updateUser(user: IdentityUser) {
    await this.db.run('UPDATE identity_users SET email = ?, password_hash = ?, roles = ?, updated_at = ? WHERE id = ?', [
      user.email,
      user.password_hash,
      JSON.stringify(user.roles),
      user.updated_at,
      user.id,
    ]);
  }
  getUser(id: string) {
    return oneRow<IdentityUser>(this.db, tables.identity_users, 'id = ?', [id]);
  }
  findUser(realm: string, username: string) {
    return oneRow<IdentityUser>(this.db, tables.identity_users, 'realm = ? AND username = ?', [realm, username]);
  }

  insertClient(client: IdentityClient) {
    return insertRow(this.db, tables.identity_clients, client);
  }
  findClient(realm: string, clientId: string) {
    return oneRow<IdentityClient>(this.db, tables.identity_clients, 'realm = ? AND client_id = ?', [realm, clientId]);
  }
  listClients(realm: string) {
    return manyRows<IdentityClient>(this.db, tables.identity_clients, 'realm = ? ORDER BY created_at, id', [realm]);
  }

  insertSigningKey(key: SigningKey) {
    return insertRow(this.db, tables.signing_keys, key);
  }
  listSigningKeys() {
    return manyRows<SigningKey>(this.db, tables.signing_keys, '1 = 1 ORDER BY created_at DESC, kid DESC', []);
  }
  async deleteSigningKey(kid: string) {
    await this.db.run('DELETE FROM signing_keys WHERE kid = ?', [kid]);
  }

  insertRefreshToken(token: RefreshTokenRecord) {
    return insertRow(this.db, tables.refresh_tokens, token);
  }
  getRefreshToken(tokenHash: string) {
    return oneRow<RefreshTokenRecord>(this.db, tables.refresh_tokens, 'token_hash = ?', [tokenHash]);
  }
  async spendRefreshToken(tokenHash: string, at: number) {
    // One UPDATE decides: of two clients racing with the same token, exactly one spends it.
    const changed = await this.db.run('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL', [at, tokenHash]);
    return changed > 0;
  }
  async revokeRefreshFamily(familyId: string, at: number) {
    await this.db.run('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL', [at, familyId]);
  }
  purgeRefreshTokens(before: number) {
    return this.db.run('DELETE FROM refresh_tokens WHERE expires_at < ?', [before]);
  }
}

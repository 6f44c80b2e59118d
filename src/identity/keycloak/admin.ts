/**
 * A small client of Keycloak's admin REST API (`<url>/admin/realms/...`), authenticated as the
 * master realm's admin through the `admin-cli` client's password grant. KeycloakIdentity uses
 * it; nothing else should need Keycloak's admin API.
 */
import { IdentityError } from '../provider.ts';

export interface AdminResponse {
  status: number;
  /** The parsed JSON body (null when empty, the text when not JSON). */
  body: unknown;
  /** The Location header: a POST that creates something names the new id there. */
  location: string | null;
}

/** A token is renewed this long before Keycloak says it expires (master's default lifespan is 60 s). */
const RENEW_BEFORE_MS = 15_000;
const TIMEOUT_MS = 30_000;

export class KeycloakAdmin {
  readonly #url: string;
  readonly #user: string;
  readonly #password: string;
  #token: { value: string; renewAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(url: string, user: string, password: string) {
    this.#url = url;
    this.#user = user;
    this.#password = password;
  }

  /** Sends a request under `/admin/realms`; answers any status, so callers decide what is fine. */
  async request(method: string, path: string, body?: unknown): Promise<AdminResponse> {
    let response = await this.#send(method, path, body, await this.#accessToken());
    if (response.status === 401) {
      // Revoked or expired early (e.g. the admin's sessions were logged out): log in again, once.
      this.#token = undefined;
      response = await this.#send(method, path, body, await this.#accessToken());
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed, location: response.headers.get('location') };
  }

  /** Like request, but anything other than `ok` statuses throws (a missing realm as IdentityError). */
  async expect(method: string, path: string, body: unknown, ...ok: number[]): Promise<AdminResponse> {
    const response = await this.request(method, path, body);
    if (ok.includes(response.status)) return response;
    throw adminError(method, path, response);
  }

  close(): void {
    this.#token = undefined;
  }

  async #send(method: string, path: string, body: unknown, token: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.#url}/admin/realms${path}`, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  }

  async #accessToken(): Promise<string> {
    if (this.#token && Date.now() < this.#token.renewAt) return this.#token.value;
    // One login for every request that finds the token stale at the same time.
    this.#pending ??= this.#login().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #login(): Promise<string> {
    const response = await fetch(`${this.#url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: this.#user, password: this.#password }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error_description?: string };
    if (!response.ok || !body.access_token) {
      throw new Error(`Keycloak admin login as ${this.#user} failed: ${response.status} ${body.error_description ?? ''}`.trim());
    }
    const lifetimeMs = (body.expires_in ?? 60) * 1000;
    this.#token = { value: body.access_token, renewAt: Date.now() + Math.max(lifetimeMs - RENEW_BEFORE_MS, lifetimeMs / 2) };
    return body.access_token;
  }
}

/** Keycloak's own words from an error body: `errorMessage`, `error_description` or `error`. */
export function errorText(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 200);
  if (body && typeof body === 'object') {
    const fields = body as Record<string, unknown>;
    for (const key of ['errorMessage', 'error_description', 'error']) {
      if (typeof fields[key] === 'string') return fields[key];
    }
  }
  return '';
}

function adminError(method: string, path: string, response: AdminResponse): Error {
  const text = errorText(response.body);
  // Keycloak answers 404 "Realm not found." for every path under a realm that does not exist.
  if (response.status === 404 && /realm not found/i.test(text)) {
    const realm = decodeURIComponent(path.split('/')[1] ?? '');
    return new IdentityError('invalid_request', `realm ${realm} does not exist`);
  }
  return new Error(`Keycloak admin ${method} ${path}: ${response.status} ${text}`.trim());
}

/** The id at the end of a Location header (`.../clients/<id>`). */
export function idFromLocation(response: AdminResponse): string {
  const id = response.location?.split('/').pop();
  if (!id) throw new Error('Keycloak created something but named no Location');
  return id;
}

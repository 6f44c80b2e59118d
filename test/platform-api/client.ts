import type { TestPlatform } from '../helpers/platform.ts';

/** Calls the platform API (`/v1`) of a test platform through inject, as JSON, with an optional bearer token. */
export interface V1Result {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export function v1(platform: TestPlatform) {
  async function call(method: string, url: string, options: { token?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<V1Result> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const response = await platform.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
    let body: unknown;
    try {
      body = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      body = response.body;
    }
    return { status: response.statusCode, body, headers: response.headers };
  }

  async function login(username: string, password: string, realm?: string): Promise<{ access_token: string; refresh_token: string }> {
    const answer = await call('POST', '/v1/auth/token', { body: { grant_type: 'password', username, password, ...(realm ? { realm } : {}) } });
    if (answer.status !== 200) throw new Error(`login of ${username} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  const admin = () => login(platform.boot.platform_admin.username, platform.boot.platform_admin.password);

  return { call, login, admin };
}

/**
 * Keycloak's token endpoint (`<url>/realms/<realm>/protocol/openid-connect/token`): posts a
 * grant and maps what Keycloak refuses onto the IdentityErrors every provider answers alike.
 */
import { IdentityError, type TokenSet } from '../provider.ts';

const TIMEOUT_MS = 30_000;

/** RFC 6749 §5.2's errors: passed through as Keycloak names them. */
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

interface KeycloakTokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

export async function postGrant(tokenUrl: string, params: Record<string, string | undefined>): Promise<TokenSet> {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) form.set(key, value);
  const response = await fetch(tokenUrl, { method: 'POST', body: form, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await response.json().catch(() => null)) as KeycloakTokenResponse | null;
  if (response.ok && body?.access_token) {
    const tokens: TokenSet = { access_token: body.access_token, token_type: 'Bearer', expires_in: body.expires_in ?? 0 };
    if (body.refresh_token) {
      tokens.refresh_token = body.refresh_token;
      if (body.refresh_expires_in !== undefined) tokens.refresh_expires_in = body.refresh_expires_in;
    }
    if (body.scope) tokens.scope = body.scope;
    return tokens;
  }
  // Keycloak down or answering something else than OAuth: not the caller's fault, so no IdentityError.
  if (response.status >= 500 || !body?.error) {
    throw new Error(`Keycloak token endpoint ${tokenUrl}: ${response.status} ${body?.error_description ?? ''}`.trim());
  }
  throw new IdentityError(mapError(params.grant_type ?? '', response.status, body.error, body.error_description ?? ''), body.error_description || body.error);
}

function mapError(grantType: string, status: number, error: string, description: string): string {
  // A wrong secret of an existing client is 401 unauthorized_client "Invalid client or Invalid
  // client credentials" in Keycloak 26 (an unknown client is invalid_client); RFC 6749 calls both
  // invalid_client. Keycloak's other unauthorized_client refusals ("Client not enabled to retrieve
  // service account", "Client not allowed for direct access grants") keep their name.
  if (error === 'unauthorized_client' && /^invalid client/i.test(description)) return 'invalid_client';
  // A disabled realm is 403 access_denied "Realm not enabled", a missing one 404 "Realm does not
  // exist": no grant can succeed there, so the grant (or, for client_credentials, the client) is
  // invalid.
  if (status === 404 || error === 'access_denied') {
    return grantType === 'client_credentials' ? 'invalid_client' : 'invalid_grant';
  }
  return OAUTH_ERRORS.has(error) ? error : 'invalid_request';
}

import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileObjectStore } from './file.ts';
import { MemoryObjectStore } from './memory.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3.ts';

const FORMS =
  'file:///absolute/path, file://./relative/path, ' +
  's3://bucket?region=…&endpoint=…&prefix=… (optional access_key_id, secret_access_key, session_token, force_path_style) ' +
  'or mem://';

const S3_PARAMS = new Set([
  'region',
  'endpoint',
  'prefix',
  'access_key_id',
  'secret_access_key',
  'session_token',
  'force_path_style',
]);

function invalid(url: string, why: string): Error {
  // Never echo credentials back into logs.
  return new Error(`invalid object store URL ${JSON.stringify(redact(url))}: ${why}; expected ${FORMS}`);
}

function redact(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@')
    .replace(/((?:secret_access_key|session_token|access_key_id)=)[^&#]*/g, '$1***');
}

/**
 * Opens the object store a URL names:
 *
 * - `file:///abs/path`, `file://./rel/path` (relative to the working directory); `file://` alone
 *   (or an empty URL) means `<dataDir>/objects`.
 * - `s3://bucket?region=us-east-1&endpoint=http://host:port&prefix=some/prefix`: AWS S3 or an
 *   S3-compatible server (an endpoint implies path-style addressing). Credentials come from the
 *   standard AWS chain (env vars, profile, instance role) unless `access_key_id` and
 *   `secret_access_key` are given in the query, meant for local servers. The prefix may also be
 *   written as a path: `s3://bucket/some/prefix`.
 * - `mem://`: in memory, lost with the process.
 */
export function openObjectStore(url: string, defaults: { dataDir: string }): ObjectStore {
  const trimmed = url.trim();
  if (trimmed === '' || trimmed === 'file://') return new FileObjectStore(join(defaults.dataDir, 'objects'));
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'file':
      return new FileObjectStore(filePath(trimmed));
    case 's3':
      return new S3ObjectStore(s3Options(trimmed));
    case 'mem':
    case 'memory':
      if (!/^mem(ory)?:\/\/$/i.test(trimmed)) throw invalid(url, 'mem:// takes no path or options');
      return new MemoryObjectStore();
    case undefined:
      throw invalid(url, 'no scheme');
    default:
      throw invalid(url, `unknown scheme ${scheme}:`);
  }
}

function filePath(url: string): string {
  if (!url.toLowerCase().startsWith('file://')) throw invalid(url, 'a file URL starts with file://');
  const rest = url.slice('file://'.length);
  if (rest === '.' || rest.startsWith('./') || rest === '..' || rest.startsWith('../')) {
    if (/[?#]/.test(rest)) throw invalid(url, 'a file URL takes no query or fragment');
    try {
      return resolve(decodeURIComponent(rest));
    } catch {
      throw invalid(url, 'malformed percent-encoding');
    }
  }
  if (!rest.startsWith('/')) throw invalid(url, 'a file URL needs an absolute path (file:///path) or ./relative path');
  let path: string;
  try {
    const parsed = new URL(url);
    if (parsed.search || parsed.hash) throw invalid(url, 'a file URL takes no query or fragment');
    path = fileURLToPath(parsed);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('invalid object store URL')) throw error;
    throw invalid(url, (error as Error).message);
  }
  if (!isAbsolute(path)) throw invalid(url, 'not an absolute path');
  return path;
}

function s3Options(url: string): S3ObjectStoreOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'not a URL');
  }
  if (parsed.username || parsed.password) {
    throw invalid(url, 'credentials go in access_key_id / secret_access_key query parameters, not user:password@');
  }
  if (parsed.port) throw invalid(url, 'the host is the bucket name; put a server in endpoint=');
  if (parsed.hash) throw invalid(url, 'no fragment allowed');
  const bucket = parsed.hostname;
  if (bucket === '') throw invalid(url, 'missing bucket name');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw invalid(url, `invalid bucket name ${JSON.stringify(bucket)}`);

  const query = parsed.searchParams;
  for (const name of query.keys()) {
    if (!S3_PARAMS.has(name)) throw invalid(url, `unknown parameter ${JSON.stringify(name)}`);
  }
  for (const name of S3_PARAMS) {
    if (query.getAll(name).length > 1) throw invalid(url, `parameter ${name} given twice`);
  }
  const param = (name: string): string | undefined => {
    const value = query.get(name);
    return value === null || value === '' ? undefined : value;
  };

  const options: S3ObjectStoreOptions = { bucket };

  const pathPrefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  const queryPrefix = (param('prefix') ?? '').replace(/^\/+|\/+$/g, '');
  if (pathPrefix && queryPrefix) throw invalid(url, 'give the prefix either as a path or as prefix=, not both');
  const prefix = pathPrefix || queryPrefix;
  if (prefix) {
    if (!/^[A-Za-z0-9._/-]+$/.test(prefix) || prefix.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw invalid(url, `invalid prefix ${JSON.stringify(prefix)} (segments of [A-Za-z0-9._-])`);
    }
    options.prefix = prefix;
  }

  const region = param('region');
  if (region !== undefined) {
    if (!/^[a-z0-9-]+$/i.test(region)) throw invalid(url, `invalid region ${JSON.stringify(region)}`);
    options.region = region;
  }

  const endpoint = param('endpoint');
  if (endpoint !== undefined) {
    let endpointUrl: URL;
    try {
      endpointUrl = new URL(endpoint);
    } catch {
      throw invalid(url, `endpoint ${JSON.stringify(endpoint)} is not a URL`);
    }
    if (endpointUrl.protocol !== 'http:' && endpointUrl.protocol !== 'https:') {
      throw invalid(url, 'endpoint must be an http:// or https:// URL');
    }
    if (endpointUrl.username || endpointUrl.password) throw invalid(url, 'endpoint must not carry credentials');
    options.endpoint = endpoint.replace(/\/+$/, '');
    // A local server rarely cares about the region, but SigV4 needs one.
    options.region ??= process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  }

  const forcePathStyle = param('force_path_style');
  if (forcePathStyle !== undefined) {
    if (forcePathStyle !== 'true' && forcePathStyle !== 'false') throw invalid(url, 'force_path_style must be true or false');
    options.forcePathStyle = forcePathStyle === 'true';
  }

  const accessKeyId = param('access_key_id');
  const secretAccessKey = param('secret_access_key');
  const sessionToken = param('session_token');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw invalid(url, 'access_key_id and secret_access_key go together');
  }
  if (sessionToken !== undefined && accessKeyId === undefined) {
    throw invalid(url, 'session_token needs access_key_id and secret_access_key');
  }
  if (accessKeyId !== undefined && secretAccessKey !== undefined) {
    options.credentials = { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) };
  }
  return options;
}

import { readFile } from 'node:fs/promises';
import { createSecureContext, type TlsOptions } from 'node:tls';

/** Where the agent's Kafka listener finds its TLS material (PEM files). */
export interface AgentTlsFiles {
  /** The listener's certificate (chain), PEM. */
  certFile: string;
  /** Its private key, PEM. */
  keyFile: string;
  /** CA certificate(s), PEM: when given, clients must present a certificate signed by one (mTLS). */
  caFile?: string;
}

/** TLS settings as configured: all absent (plaintext), or at least a certificate and its key. */
export interface TlsFileSettings {
  certFile?: string | undefined;
  keyFile?: string | undefined;
  caFile?: string | undefined;
}

/**
 * Checks a configuration's TLS file names: none (plaintext listener), or a certificate with its
 * key (TLS), plus optionally a CA file (mutual TLS). Anything else is a configuration error.
 */
export function tlsFiles(settings: TlsFileSettings): AgentTlsFiles | undefined {
  const { certFile, keyFile, caFile } = settings;
  if (!certFile && !keyFile && !caFile) return undefined;
  if (!certFile) {
    throw new Error(keyFile ? 'TLS: a key file is configured but no certificate file (SLIPSTREAM_TLS_CERT_FILE)' : 'TLS: a CA file (mutual TLS) needs a certificate and key file too (SLIPSTREAM_TLS_CERT_FILE, SLIPSTREAM_TLS_KEY_FILE)');
  }
  if (!keyFile) throw new Error('TLS: a certificate file is configured but no key file (SLIPSTREAM_TLS_KEY_FILE)');
  return { certFile, keyFile, ...(caFile ? { caFile } : {}) };
}

async function readPem(kind: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`TLS: cannot read the ${kind} file ${path} (${reason})`);
  }
}

/**
 * Reads the TLS files and answers the options of the listener's `tls.createServer`. Fails
 * (clearly) when a file is missing or unreadable, is not PEM, or the key does not match the
 * certificate. With a CA file, a client without a certificate signed by that CA is refused.
 */
export async function loadTlsOptions(files: AgentTlsFiles): Promise<TlsOptions> {
  const cert = await readPem('certificate', files.certFile);
  const key = await readPem('key', files.keyFile);
  const ca = files.caFile ? await readPem('CA', files.caFile) : undefined;
  const options: TlsOptions = {
    cert,
    key,
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : { requestCert: false }),
  };
  try {
    // Builds the context once now, so bad PEM or a key that does not match fail the start.
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (error) {
    throw new Error(`TLS: the certificate ${files.certFile}, key ${files.keyFile}${files.caFile ? ` or CA ${files.caFile}` : ''} cannot be used: ${(error as Error).message}`);
  }
  return options;
}

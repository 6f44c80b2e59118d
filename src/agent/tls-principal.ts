import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ConnectionPrincipal } from './sasl-session.ts';

/**
 * The principal of a client that proved a certificate (mutual TLS), as Kafka's default
 * principal builder names it: `User:` + the subject's X500Principal.getName(), the RFC 2253
 * form Java writes. Node's own renderings of the subject (getPeerCertificate().subject, an
 * object; X509Certificate.subject, OpenSSL's forward multi-line form) are not that form, so the
 * subject is read from the certificate's DER here.
 *
 * Java's RFC 2253 form: the RDNs in reverse order of the certificate's subject sequence,
 * joined by `,`; the attributes of a multi-valued RDN in their encoded order, joined by `+`;
 * keywords only for CN, C, L, ST, O, OU, STREET, DC and UID, any other attribute type as its
 * dotted OID with the value as `#` and the hex of its DER encoding (so emailAddress is
 * `1.2.840.113549.1.9.1=#16…`), as is a value that is not a directory string. In string values
 * `, = + < > # ; " \` are escaped with a backslash wherever they are, NUL becomes `\00`, and
 * leading and trailing spaces are escaped (sun.security.x509.AVA.toRFC2253String).
 */

/** The identity a verified client certificate gives the connection; undefined without one. */
export function certificatePrincipal(socket: Socket): ConnectionPrincipal | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  if (!raw || raw.length === 0) return undefined;
  let subject: string;
  try {
    subject = subjectRfc2253(raw);
  } catch {
    // OpenSSL verified this certificate, so its DER is sound; should the reader above still not
    // follow it, OpenSSL's own rendering (reversed) names the client rather than ANONYMOUS.
    subject = (socket.getPeerX509Certificate()?.subject ?? '').split('\n').reverse().join(',');
  }
  return { name: `User:${subject}`, is_cluster_superuser: false, read_only: false };
}

interface Tlv {
  tag: number;
  /** Where the whole element (tag and length included) starts. */
  start: number;
  /** Where its content starts and ends. */
  body: number;
  end: number;
}

function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new Error('certificate: truncated DER');
  let body = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('certificate: unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[body++]!;
  }
  const end = body + length;
  if (end > der.length) throw new Error('certificate: truncated DER');
  return { tag, start: offset, body, end };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let offset = parent.body; offset < parent.end; ) {
    const child = readTlv(der, offset);
    list.push(child);
    offset = child.end;
  }
  return list;
}

/** The subject of a DER certificate, as Java's X500Principal.getName() writes it. */
export function subjectRfc2253(certificate: Buffer): string {
  const cert = readTlv(certificate, 0);
  const tbs = children(certificate, cert)[0];
  if (!tbs) throw new Error('certificate: no TBSCertificate');
  const fields = children(certificate, tbs);
  // [0] version is optional (absent for v1); then serial, signature, issuer, validity, subject.
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (!subject || subject.tag !== 0x30) throw new Error('certificate: no subject');
  return children(certificate, subject)
    .map((rdn) => children(certificate, rdn).map((ava) => attribute(certificate, ava)).join('+'))
    .reverse()
    .join(',');
}

/** The attribute types Java names in RFC 2253 output (AVAKeyword with rfc2253Compliant). */
const KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
};

function attribute(der: Buffer, ava: Tlv): string {
  const [type, value] = children(der, ava);
  if (!type || type.tag !== 0x06 || !value) throw new Error('certificate: malformed subject attribute');
  const oid = objectIdentifier(der.subarray(type.body, type.end));
  const keyword = KEYWORDS[oid];
  const text = keyword === undefined ? undefined : directoryString(value.tag, der.subarray(value.body, value.end));
  if (keyword === undefined || text === undefined) return `${keyword ?? oid}=#${der.subarray(value.start, value.end).toString('hex')}`;
  return `${keyword}=${escapeValue(text)}`;
}

function objectIdentifier(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
    else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}

/** The string of a directory-string value (Java's isDerString, non-canonical); undefined for other types. */
function directoryString(tag: number, bytes: Buffer): string | undefined {
  switch (tag) {
    case 0x0c: // UTF8String
      return bytes.toString('utf8');
    case 0x13: // PrintableString
    case 0x14: // T61String
    case 0x16: // IA5String
    case 0x1b: // GeneralString
      return bytes.toString('latin1');
    case 0x1e: // BMPString: UTF-16BE
      return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : undefined;
    default:
      return undefined;
  }
}

const ESCAPED = new Set([',', '=', '+', '<', '>', '#', ';', '"', '\\']);

function escapeValue(value: string): string {
  let out = '';
  for (const char of value) out += ESCAPED.has(char) ? `\\${char}` : char === '\u0000' ? '\\00' : char;
  const chars = [...out];
  const blank = (c: string | undefined) => c === ' ' || c === '\r';
  let lead = 0;
  while (lead < chars.length && blank(chars[lead])) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && blank(chars[trail])) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? `\\${c}` : c)).join('');
}

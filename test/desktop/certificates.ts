/** Test certificates made with the same library the server uses (selfsigned): PEM and SHA-256 fingerprint. */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface TestCertificate {
  cert: string;
  key: string;
  fingerprint: string;
}

export async function makeCertificate(commonName = 'Parley test'): Promise<TestCertificate> {
  const made = await generate([{ name: 'commonName', value: commonName }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  return { cert: made.cert, key: made.private, fingerprint: new X509Certificate(made.cert).fingerprint256 };
}

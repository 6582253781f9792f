import { randomBytes } from 'node:crypto';

/** A fresh CSP nonce: 32 base64url characters. */
export function makeNonce(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Encryption at rest for special-category fields (concern text, TAC notes, outbox payloads, platform
 * tokens): AES-256-GCM, a fresh 96-bit IV per value, the key id stored beside the ciphertext so keys can
 * be rotated (`send-hub keys rotate` re-encrypts with the current key; old keys stay readable).
 *
 * Format: `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts). The associated data binds a value to
 * its column ("Concern.textEnc") so a ciphertext copied into another column does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';

export interface KeyRing {
  /** Key used for new values. */
  currentId: string;
  keys: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parse `SEND_HUB_ENCRYPTION_KEY`: one or more `keyId:base64key` entries separated by commas, the first
 * being current. Each key is 32 bytes (base64 or base64url).
 * @example parseKeyRing('k2:3q2+7w==...,k1:...') // current k2, k1 still readable
 */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let currentId = '';
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const idx = entry.indexOf(':');
    if (idx < 1) throw new DomainError('CRYPTO', 'each key must be written keyId:base64key');
    const id = entry.slice(0, idx);
    const key = Buffer.from(entry.slice(idx + 1), 'base64');
    if (!KEY_ID.test(id))
      throw new DomainError('CRYPTO', `key id "${id}" must be 1-32 letters, digits, _ or -`);
    if (key.length !== 32)
      throw new DomainError('CRYPTO', `key "${id}" must be 32 bytes (base64), got ${key.length}`);
    if (keys.has(id)) throw new DomainError('CRYPTO', `key id "${id}" appears twice`);
    keys.set(id, key);
    if (!currentId) currentId = id;
  }
  if (!currentId) throw new DomainError('CRYPTO', 'no encryption key given');
  return { currentId, keys };
}

export const generateKeySpec = (
  id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`,
): string => `${id}:${randomBytes(32).toString('base64')}`;

/**
 * IVs are taken 12 bytes at a time from a block of CSPRNG output, drawn afresh when used up: the same
 * random IVs as one `randomBytes(12)` per value, without a call into OpenSSL for each (~4 µs, a quarter of
 * an incident import's encryption: issue 18). An IV is public (stored beside its ciphertext); a block is
 * never reused.
 */
const IV_BYTES = 12;
const IV_BLOCK = IV_BYTES * 256;
let ivBlock = Buffer.alloc(0);
let ivNext = 0;

function freshIv(): Buffer {
  if (ivNext + IV_BYTES > ivBlock.length) {
    ivBlock = randomBytes(IV_BLOCK);
    ivNext = 0;
  }
  const iv = ivBlock.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
}

export class FieldCipher {
  constructor(private readonly ring: KeyRing) {}

  get currentKeyId(): string {
    return this.ring.currentId;
  }

  encrypt(plaintext: string, context: string): string {
    const key = this.ring.keys.get(this.ring.currentId)!;
    const iv = freshIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      this.ring.currentId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join(':');
  }

  decrypt(value: string, context: string): string {
    const [version, keyId, iv, tag, ct] = value.split(':');
    if (version !== 'v1' || !keyId || iv === undefined || tag === undefined || ct === undefined) {
      throw new DomainError('CRYPTO', `not an encrypted value (${context})`);
    }
    const key = this.ring.keys.get(keyId);
    if (!key)
      throw new DomainError(
        'CRYPTO',
        `value in ${context} is encrypted with key "${keyId}", which is not configured`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (cause) {
      throw new DomainError('CRYPTO', `value in ${context} failed authentication (tampered, or wrong key)`, {
        cause,
      });
    }
  }

  encryptJson(value: unknown, context: string): string {
    return this.encrypt(JSON.stringify(value), context);
  }

  decryptJson<T = unknown>(value: string, context: string): T {
    return JSON.parse(this.decrypt(value, context)) as T;
  }

  /** The key id a value was written with (for rotation). */
  static keyIdOf(value: string): string | undefined {
    return value.split(':')[1];
  }
}

/**
 * Where the field-encryption key comes from: SEND_HUB_ENCRYPTION_KEY, or (outside production) a key
 * generated once into the data folder, readable by the owner only. Production refuses to start without
 * a configured key (app/config).
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateKeySpec, type KeyRing, parseKeyRing } from '../store/crypto/field-cipher.ts';

export function resolveKeyRing(
  configured: string | undefined,
  dataDir: string,
): { ring: KeyRing; generatedAt?: string } {
  if (configured) return { ring: parseKeyRing(configured) };
  const file = path.join(dataDir, 'encryption.key');
  if (fs.existsSync(file)) return { ring: parseKeyRing(fs.readFileSync(file, 'utf8').trim()) };
  if (!fs.existsSync(dataDir)) fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${generateKeySpec()}\n`, { mode: 0o600 });
  return { ring: parseKeyRing(fs.readFileSync(file, 'utf8').trim()), generatedAt: file };
}

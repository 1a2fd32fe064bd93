/**
 * Secrets the hub keeps for itself in the database, encrypted with the field key (AppSecret.valueEnc), so
 * every replica shares them and a reader of the database alone cannot use them. Created once: the first
 * process to ask makes the value; a concurrent creator loses the insert and reads the winner's.
 */
import { randomBytes } from 'node:crypto';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';

const CONTEXT = 'AppSecret.valueEnc';

export class AppSecretRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
  ) {}

  async get(id: string): Promise<Buffer | null> {
    const row = await this.db.appSecret.findUnique({ where: { id }, select: { valueEnc: true } });
    return row ? Buffer.from(this.cipher.decrypt(row.valueEnc, CONTEXT), 'base64') : null;
  }

  /** The secret named `id`, made (32 random bytes) on first use. */
  async getOrCreate(id: string, bytes = 32): Promise<Buffer> {
    const existing = await this.get(id);
    if (existing) return existing;
    const value = randomBytes(bytes);
    try {
      await this.db.appSecret.create({
        data: { id, valueEnc: this.cipher.encrypt(value.toString('base64'), CONTEXT) },
      });
      return value;
    } catch (err) {
      const again = await this.get(id);
      if (again) return again;
      throw err;
    }
  }
}

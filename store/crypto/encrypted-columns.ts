/**
 * Every encrypted column in the data model, with the associated-data context its values are bound to.
 * The context is always `<Model>.<field>` (FieldCipher binds a value to its column, so a ciphertext
 * copied into another column does not decrypt): repositories must encrypt with exactly this string.
 * test/data-protection/encrypted-columns.test.ts fails when models.prisma gains an `*Enc` field that is
 * not listed here, so key rotation and the plaintext scan never miss a column.
 */
import type { Db } from '../db.ts';

export interface EncryptedColumn {
  model: string;
  field: string;
  /** Prisma model delegate name. */
  delegate: keyof Db & string;
  nullable: boolean;
}

export const encryptedColumns: readonly EncryptedColumn[] = [
  { model: 'Concern', field: 'textEnc', delegate: 'concern', nullable: false },
  { model: 'Concern', field: 'actionsTakenEnc', delegate: 'concern', nullable: true },
  { model: 'Concern', field: 'outcomeNoteEnc', delegate: 'concern', nullable: true },
  { model: 'Concern', field: 'notOnRollNameEnc', delegate: 'concern', nullable: true },
  { model: 'ConcernDraft', field: 'valuesEnc', delegate: 'concernDraft', nullable: false },
  { model: 'Incident', field: 'textEnc', delegate: 'incident', nullable: true },
  { model: 'Incident', field: 'actionsEnc', delegate: 'incident', nullable: true },
  { model: 'ImportConcernRow', field: 'notOnRollEnc', delegate: 'importConcernRow', nullable: true },
  { model: 'TacNote', field: 'contentEnc', delegate: 'tacNote', nullable: false },
  { model: 'TacNoteRevision', field: 'contentEnc', delegate: 'tacNoteRevision', nullable: false },
  { model: 'TacAction', field: 'whatEnc', delegate: 'tacAction', nullable: false },
  { model: 'Meeting', field: 'titleEnc', delegate: 'meeting', nullable: true },
  { model: 'OutboxMessage', field: 'payloadEnc', delegate: 'outboxMessage', nullable: false },
  { model: 'SlackInstallation', field: 'dataEnc', delegate: 'slackInstallation', nullable: false },
  { model: 'AppSecret', field: 'valueEnc', delegate: 'appSecret', nullable: false },
  { model: 'ContactMethod', field: 'valueEnc', delegate: 'contactMethod', nullable: false },
];

export const contextOf = (c: { model: string; field: string }): string => `${c.model}.${c.field}`;

/** The minimal delegate surface rotation needs (every listed model has a string `id`). */
export interface EncDelegate {
  findMany(args: {
    where: Record<string, unknown>;
    select: Record<string, boolean>;
    orderBy: Record<string, 'asc'>;
    take: number;
  }): Promise<Record<string, string | null>[]>;
  updateMany(args: { where: Record<string, unknown>; data: Record<string, string> }): Promise<{
    count: number;
  }>;
  count(args?: { where?: Record<string, unknown> }): Promise<number>;
}

export const delegateOf = (db: Db, c: EncryptedColumn): EncDelegate =>
  db[c.delegate] as unknown as EncDelegate;

/**
 * Coded errors (habit 5): callers branch on `code`, never on message text. Each family has one
 * class; transport adapters map them to HTTP or chat replies at the edge.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'IMPORT_FILE_REFUSED'
  | 'IMPORT_ROW_REJECTED'
  | 'DELIVERY_FAILED'
  | 'NO_CHAT_IDENTITY'
  | 'CRYPTO'
  | 'AUDIT_CHAIN_BROKEN'
  | 'DATABASE_LOCKED'
  | 'DATABASE_MISSING';

export class DomainError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} was not found`);
  }
}

/** An actor tried something their role does not allow. The message is safe to show them. */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class ValidationError extends DomainError {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super('VALIDATION', message);
    this.field = field;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

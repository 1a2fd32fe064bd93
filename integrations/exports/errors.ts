/** Import errors (habit 5): a whole file refused, or one row rejected (the rows around it are kept). */
import { DomainError } from '../../core/errors.ts';

/** The file is not what it claims to be (truncated, binary, wrong kind): nothing from it is written. */
export class FileRefusedError extends DomainError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('IMPORT_FILE_REFUSED', `${file}: refused: ${reason}`, options);
  }
}

/** One row could not be used; `field` names the column (or "row"). */
export class RowRejectedError extends DomainError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('IMPORT_ROW_REJECTED', `${field}: ${reason}`);
  }
}

/**
 * The port the e-mail and SMS channels use to find where a person is reached outside the chat
 * (store/contact-repository.ts implements it).
 */
import type { ContactKind } from './contact-value.ts';

export interface ContactDirectory {
  /**
   * The person's method of `kind`: verified only, unless `pendingToo` (a verification code goes to the
   * method being verified). Null when there is none.
   */
  deliverable(
    staffId: string,
    kind: ContactKind,
    pendingToo?: boolean,
  ): Promise<{ id: string; value: string; digestOptIn?: boolean } | null>;
  /** A provider said this method does not work: a short coded reason, never message content. */
  recordFailure(id: string, reason: string): Promise<void>;
}

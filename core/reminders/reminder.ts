import type { OutgoingMessageInput } from '../messages/outgoing-message.ts';

/**
 * A prompt planned for one member of staff at one time. `dedupeKey` identifies it across planner runs
 * (so planning twice changes nothing) and `message` is what will be sent. Messages carry initials and
 * year group, never a child's name (docs/data-protection.md §5), because reminders are stored unencrypted.
 */
export interface ReminderSpec {
  dedupeKey: string;
  orgId: string;
  kind: string;
  subject: { type: string; id: string };
  recipientId: string;
  dueAt: Date;
  message: OutgoingMessageInput;
  /** 0 = safeguarding … 9 = digest */
  priority?: number;
  /**
   * Hold delivery until the organisation's quiet hours end (deadline and action nudges). Meeting
   * reminders are tied to the meeting's own time and go out when due.
   */
  respectQuietHours?: boolean;
}

/** What changed when a desired set of reminders was reconciled with the stored ones. */
export interface ReconcileReport {
  created: number;
  updated: number;
  cancelled: number;
  unchanged: number;
}

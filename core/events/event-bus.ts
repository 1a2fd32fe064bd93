/**
 * In-process domain events: how one feature tells another that something happened without calling it
 * (an import reports a new safeguarding incident; the safeguarding module raises a concern). Handlers
 * must be idempotent, and a feature that must never miss an event also sweeps for unhandled records in
 * its planner (events are the fast path, the sweep is the guarantee).
 */
export interface DomainEvents {
  /** A CPOMS-style incident was created or changed by an import. */
  'incident.imported': {
    orgId: string;
    incidentId: string;
    studentId: string;
    categories: string[];
    isNew: boolean;
    /**
     * When it happened: a handler can tell an incident older than its look-back without reading it back
     * (a first import of years of history announces hundreds of thousands of them; issue 18).
     */
    occurredAt?: Date;
  };
  /**
   * A row of an incident import in a safeguarding category whose pupil matched no student: kept as an
   * unmatched report row (ImportConcernRow `rowId`) for a concern about a pupil not on the roll.
   */
  'incident.unmatched': { orgId: string; rowId: string };
  /** A concern was stored (raised in chat or from an import). */
  'concern.raised': { orgId: string; concernId: string; immediateRisk: boolean };
  /** A DSL recorded an outcome on a concern. */
  /** studentId null: a pupil not on the roll (issue 13). */
  'concern.outcome': {
    orgId: string;
    concernId: string;
    studentId: string | null;
    outcome: string;
    at: string;
  };
  /** Meetings were created, moved or cancelled by a calendar sync. */
  'meetings.changed': { orgId: string; meetingIds: string[] };
  /** TAC notes were submitted. */
  'tac.submitted': { orgId: string; noteId: string; meetingId: string | null };
  /** Students, attendance or behaviour rows were imported. */
  'records.imported': { orgId: string; kind: string; runId: string };
}

export type EventName = keyof DomainEvents;
type Handler<K extends EventName> = (payload: DomainEvents[K]) => Promise<void> | void;

export class EventBus {
  private readonly handlers = new Map<EventName, Handler<EventName>[]>();

  on<K extends EventName>(name: K, handler: Handler<K>): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler as Handler<EventName>]);
  }

  /** Runs every handler; one handler's failure does not stop the others. Returns the failures. */
  async emit<K extends EventName>(name: K, payload: DomainEvents[K]): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const h of this.handlers.get(name) ?? []) {
      try {
        await h(payload);
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }
}

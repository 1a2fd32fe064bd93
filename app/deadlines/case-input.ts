/**
 * What `openCase` and `recordEvent` accept (issue 14 point 5): the case kind, the dates as YYYY-MM-DD, key
 * events known to the case kind and not in the future unless set in advance. Refusals are ValidationErrors
 * naming the field. Pure apart from the rule book it is given.
 */
import { type IsoDate, isIsoDate } from '../../core/calendar/iso-date.ts';
import { checkEvent } from '../../core/deadlines/events.ts';
import type { RuleBook } from '../../core/deadlines/registry.ts';
import { type CaseKind, caseKinds } from '../../core/deadlines/types.ts';
import { ValidationError } from '../../core/errors.ts';

const EVENT_NAME = /^[a-z][a-z0-9_]*$/;

/** The pack and start event of a case to open, or a ValidationError naming what is wrong. */
export function checkOpenCase(
  book: RuleBook,
  input: { kind: CaseKind; startDate: IsoDate; events?: { kind: string; occurredOn: IsoDate }[] },
  today: IsoDate,
): { packId: string; startEvent: string } {
  if (!caseKinds.includes(input.kind))
    throw new ValidationError(`kind "${input.kind}": expected one of ${caseKinds.join(', ')}`, 'kind');
  if (!isIsoDate(input.startDate))
    throw new ValidationError(`startDate "${input.startDate}": expected YYYY-MM-DD`, 'startDate');
  for (const e of input.events ?? [])
    if (!isIsoDate(e.occurredOn) || !EVENT_NAME.test(e.kind))
      throw new ValidationError(`event ${e.kind}=${e.occurredOn}: expected kind=YYYY-MM-DD`, 'events');
  const pack = book.packFor(input.kind, input.startDate);
  const startEvent = book.startEvent(input.kind, pack.id);
  for (const e of [{ kind: startEvent, occurredOn: input.startDate }, ...(input.events ?? [])]) {
    const r = checkEvent(
      { caseKind: input.kind, packId: pack.id, kind: e.kind, occurredOn: e.occurredOn },
      today,
      book,
    );
    if (!r.ok) throw new ValidationError(r.message, r.field === 'kind' ? 'events' : 'startDate');
  }
  return { packId: pack.id, startEvent };
}

/** The event's form checked before the case is read: a date and a name like draft_served. */
export function checkEventForm(kind: string, occurredOn: IsoDate): void {
  if (!isIsoDate(occurredOn)) throw new ValidationError(`date "${occurredOn}": expected YYYY-MM-DD`, 'date');
  if (!EVENT_NAME.test(kind))
    throw new ValidationError(`event "${kind}": expected a name like draft_served`, 'kind');
}

/** A key date of an existing case: the kind it stores it under, or a ValidationError. */
export function checkCaseEvent(
  book: RuleBook,
  c: { kind: string; packId: string },
  kind: string,
  occurredOn: IsoDate,
  today: IsoDate,
  planned: boolean,
): string {
  const r = checkEvent(
    {
      caseKind: c.kind as CaseKind,
      packId: c.packId,
      kind,
      occurredOn,
      ...(planned ? { planned: true } : {}),
    },
    today,
    book,
  );
  if (!r.ok) throw new ValidationError(r.message, r.field);
  return r.stored;
}

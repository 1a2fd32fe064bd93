/**
 * The TAC form's checks against the hub (docs/meetings.md, "Action owners" and "Dates"): who an owner typed
 * as a name is (core/tac-notes/tac-owners.ts), and whether a due date or the next meeting falls on a day the
 * school is shut (core/tac-notes/tac-dates.ts). The console asks them answer by answer (FieldCheck); every
 * channel's submission (console, Teams card, Slack modal) goes through resolveTacActions, which applies the
 * same rules, so no answer is stored as something other than what the person was told.
 */
import { dayFirstToIso } from '../../core/calendar/day-first.ts';
import { type IsoDate, isIsoDate } from '../../core/calendar/iso-date.ts';
import type { SchoolDays } from '../../core/calendar/school-days.ts';
import { localDate } from '../../core/calendar/zoned-time.ts';
import { formatDate } from '../../core/deadlines/nudge-message.ts';
import type { FieldCheck, FieldErrors } from '../../core/forms/form-spec.ts';
import { checkTacDate, type TacDateContext } from '../../core/tac-notes/tac-dates.ts';
import { checkTacField, MAX_ACTION_ROWS, type TacNoteContent } from '../../core/tac-notes/tac-form.ts';
import {
  listMatches,
  looksLikeDate,
  matchOwner,
  type OwnerCandidate,
} from '../../core/tac-notes/tac-owners.ts';
import type { Hub } from '../container.ts';

type TermRow = { orgId: string; kind: string; startDate: string; endDate: string };
/** The deadline engine, when it runs, knows the school's term dates (app/deadlines/service.ts). */
interface TermSource {
  cases?: { termDates(orgIds: string[]): Promise<TermRow[]> };
  calendarsFor?(terms: TermRow[]): (orgId: string) => { schoolDays: SchoolDays };
}

export async function tacDateContext(hub: Hub, orgId: string): Promise<TacDateContext> {
  const today = localDate(hub.clock.now(), hub.config.env.TIME_ZONE) as IsoDate;
  const d = hub.services.get('deadlines') as TermSource | undefined;
  let schoolDays: SchoolDays | undefined;
  if (d?.cases?.termDates && d.calendarsFor) {
    schoolDays = d.calendarsFor(await d.cases.termDates([orgId]))(orgId).schoolDays;
  }
  return { today, holidays: hub.holidays, ...(schoolDays ? { schoolDays } : {}) };
}

async function colleagues(hub: Hub, orgId: string): Promise<OwnerCandidate[]> {
  return (await hub.staff.all(orgId))
    .filter((s) => s.active)
    .map((s) => ({ id: s.id, email: s.email, displayName: s.displayName }));
}

const q = (s: string) => `"${s.replace(/\s+/g, ' ').slice(0, 60)}"`;

/** One answer, checked as the console asks it. */
export async function checkTacAnswer(
  hub: Hub,
  orgId: string,
  fieldId: string,
  values: Record<string, string>,
  meeting: TacMeetingFacts = {},
): Promise<FieldCheck> {
  const invited = meeting.invitedIds ?? [];
  const row = /^actions\.(\d+)\.(owner|ownerOther|due)$/.exec(fieldId);
  const n = Number(row?.[1] ?? 0);
  const value = (values[fieldId] ?? '').trim();
  if (row?.[2] === 'owner') {
    if (!value) return { ok: true };
    const m = matchOwner(value, await colleagues(hub, orgId), values.attendees ?? '', invited);
    if (m.kind === 'colleague')
      return m.how === 'exact'
        ? { ok: true }
        : {
            ok: true,
            note: `${q(value)} is ${m.staff.displayName} (${m.staff.email})${m.how === 'attending' ? ', recorded as attending' : m.how === 'invited' ? ', invited to the meeting' : ''}: they will be nudged.`,
          };
    if (m.kind === 'ambiguous')
      return {
        ok: false,
        error: `${q(value)} could be ${listMatches(m.matches)}: type their full name or email`,
      };
    const other = (values[`actions.${n}.ownerOther`] ?? '').trim();
    return {
      ok: false,
      error: `no colleague in the hub is called ${q(value)}: type a colleague's name or email, or type yes to record ${q(value)} as an owner outside the hub (nobody is nudged)`,
      confirm: {
        set: {
          [fieldId]: '',
          [`actions.${n}.ownerOther`]: other && other !== value ? `${value}, ${other}` : value,
        },
      },
    };
  }
  if (row?.[2] === 'ownerOther') {
    if (!value) return { ok: true };
    const colleague = (values[`actions.${n}.owner`] ?? '').trim();
    if (looksLikeDate(value))
      return {
        ok: false,
        error: `${q(value)} reads as a date, not a person: the due date is the next question. Type the owner outside the hub, "-" for none, or yes to keep ${q(value)} as an owner`,
        confirm: { set: { [fieldId]: value } },
      };
    if (colleague) {
      const m = matchOwner(colleague, await colleagues(hub, orgId), values.attendees ?? '', invited);
      const who = m.kind === 'colleague' ? m.staff.displayName : colleague;
      return { ok: true, note: `${who} and ${q(value)} both own action ${n + 1}: ${who} is nudged.` };
    }
    return {
      ok: true,
      note: `${q(value)} is recorded as an owner outside the hub: nobody in the hub is nudged for action ${n + 1}.`,
    };
  }
  if (row?.[2] === 'due' || fieldId === 'nextMeetingOn') {
    const kind = fieldId === 'nextMeetingOn' ? 'next' : 'due';
    const ctx = await tacDateContext(hub, orgId);
    if (value && !isIsoDate(value)) {
      const iso = dayFirstToIso(value) as IsoDate | undefined;
      const c = iso ? checkTacDate(kind, iso, ctx) : undefined;
      if (c && !c.ok) return { ok: false, error: c.refused };
      if (iso && c && 'warning' in c)
        return {
          ok: false,
          error: `a date as YYYY-MM-DD: type yes for ${iso} (${c.warning}), or type the date again`,
          confirm: { set: { [fieldId]: iso } },
        };
      return checkTacField(fieldId, values);
    }
    if (!value) return { ok: true };
    const c = checkTacDate(kind, value as IsoDate, ctx);
    const what = (values[`actions.${n}.what`] ?? '').trim();
    if (!c.ok && !recorded(meeting.before ?? null, what, value)) return { ok: false, error: c.refused };
    if (!c.ok) return { ok: true };
    if ('warning' in c)
      return {
        ok: false,
        error: `${c.warning}: type yes to keep it, or type another date`,
        confirm: { set: { [fieldId]: value } },
      };
    return { ok: true };
  }
  return checkTacField(fieldId, values);
}

/** What the checks know of the meeting being written up (absent: a form opened without one). */
export interface TacMeetingFacts {
  /** Staff invited to the meeting (its calendar attendees). */
  invitedIds?: readonly string[];
  /** The notes as last submitted (an amendment): an action kept with its past due date is not refused. */
  before?: TacNoteContent | null;
}

const recorded = (before: TacNoteContent | null, what: string, due: string) =>
  before?.actions.some((b) => b.what.trim() === what && b.due === due) ?? false;

export interface ResolvedAction {
  what: string;
  ownerId: string | null;
  ownerName: string | null;
  dueOn: string;
}

/**
 * The submitted actions with their owners resolved, and a line per action (and for the next meeting) saying
 * what was recorded, for the reply: nothing typed is dropped without the person being told.
 * A due date in the past is refused unless the action was already recorded with it (an amendment).
 */
export async function resolveTacActions(
  hub: Hub,
  orgId: string,
  content: TacNoteContent,
  values: Record<string, string>,
  meeting: TacMeetingFacts,
): Promise<{ ok: true; actions: ResolvedAction[]; lines: string[] } | { ok: false; errors: FieldErrors }> {
  const errors: FieldErrors = {};
  const actions: ResolvedAction[] = [];
  const lines: string[] = [];
  const staff = await colleagues(hub, orgId);
  const ctx = await tacDateContext(hub, orgId);
  // Rows as typed (the content keeps only the non-empty rows, in order: parseTacSubmission).
  const rows: number[] = [];
  for (let n = 0; n < MAX_ACTION_ROWS; n++) {
    if (['what', 'owner', 'ownerOther', 'due'].some((k) => values[`actions.${n}.${k}`]?.trim())) rows.push(n);
  }
  for (let i = 0; i < content.actions.length; i++) {
    const a = content.actions[i]!;
    const n = rows[i] ?? i;
    const colleague = (values[`actions.${n}.owner`] ?? (a.owner.includes('@') ? a.owner : '')).trim();
    const other = (values[`actions.${n}.ownerOther`] ?? '').trim() || (colleague ? '' : a.owner.trim());
    let owner: OwnerCandidate | null = null;
    if (colleague) {
      const m = matchOwner(colleague, staff, content.attendees, meeting.invitedIds ?? []);
      if (m.kind === 'ambiguous') {
        errors[`actions.${n}.owner`] =
          `${q(colleague)} could be ${listMatches(m.matches)}: choose one (full name or email)`;
      } else if (m.kind === 'none') {
        errors[`actions.${n}.owner`] =
          `no colleague in the hub is called ${q(colleague)}: give a colleague's name or email, or put people outside the hub in "or owner outside the hub"`;
      } else owner = m.staff;
    }
    const date = checkTacDate('due', a.due as IsoDate, ctx);
    if (!date.ok && !recorded(meeting.before ?? null, a.what, a.due))
      errors[`actions.${n}.due`] = date.refused;
    if (errors[`actions.${n}.owner`] || errors[`actions.${n}.due`]) continue;
    if (owner) {
      a.owner = owner.email;
      if (other) a.ownerOther = other;
      else delete a.ownerOther;
    } else {
      a.owner = other;
      delete a.ownerOther;
    }
    actions.push({
      what: a.what,
      ownerId: owner?.id ?? null,
      ownerName: owner ? other || null : other,
      dueOn: a.due,
    });
    const who = owner
      ? `${owner.displayName} (nudged)${other ? ` with ${q(other)} (outside the hub)` : ''}`
      : `${q(other)} (outside the hub, nobody nudged)`;
    const warn = date.ok && 'warning' in date ? `: ${date.warning}` : '';
    lines.push(`Action ${i + 1}: ${who}, due ${formatDate(a.due as IsoDate)}${warn}.`);
  }
  if (content.nextMeetingOn) {
    const next = checkTacDate('next', content.nextMeetingOn as IsoDate, ctx);
    const warn = next.ok && 'warning' in next ? `: ${next.warning}` : '';
    lines.push(`Next meeting ${formatDate(content.nextMeetingOn as IsoDate)}${warn}.`);
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, actions, lines };
}

/**
 * Who may see and do what (least privilege by role), decided in the core so that every channel (console,
 * Teams, Slack, CLI) enforces the same rules. Adapters never decide access. Sources: KCSIE 2025 Part 2
 * and Annex C (the DSL holds safeguarding records; deputies and the head act in their absence);
 * docs/meetings.md "Who can see what" (TAC records shared with the team around the child on a need-to-know basis).
 */
import { ForbiddenError } from '../errors.ts';
import type { Actor } from '../ports.ts';
import { hasRole, SAFEGUARDING_ROLES } from '../staff/roles.ts';

const sameOrg = (actor: Actor, orgId: string) => actor.orgId === orgId;

/** Full concern record (text, chronology): DSL, deputies, head of the same organisation. */
export function canViewConcern(actor: Actor, concern: { orgId: string }): boolean {
  return sameOrg(actor, concern.orgId) && hasRole(actor.roles, ...SAFEGUARDING_ROLES);
}

/**
 * The DSL board and a concern's chronology on the web (issue 17): the organisation's safeguarding leads
 * (DSL, deputies, head), as for the record itself; each concern is still checked with canViewConcern.
 */
export const canViewConcernBoard = (actor: Actor): boolean => hasRole(actor.roles, ...SAFEGUARDING_ROLES);

/** The raiser sees only the status of the concern they raised (not the DSL's record). */
export function canViewConcernStatus(
  actor: Actor,
  concern: { orgId: string; raisedById: string | null },
): boolean {
  return (
    canViewConcern(actor, concern) || (sameOrg(actor, concern.orgId) && concern.raisedById === actor.staffId)
  );
}

/** Acknowledge, take ownership, escalate, record an outcome: safeguarding leads only. */
export const canActOnConcern = canViewConcern;

/** Any member of staff may raise a concern (KCSIE 2025 para 70: all staff report to the DSL). */
export const canRaiseConcern = (actor: Actor, orgId: string): boolean => sameOrg(actor, orgId);

/**
 * TAC notes: read by the people the summary went to (core/tac-notes/tac-recipients.ts: the staff the notes
 * record as attending, the note-taker, the owners of its actions, the named officers of the child's open
 * cases) and by the roles with a right to them: the SENDCo (who may amend them), and the safeguarding leads
 * (DSL, deputies, head) when the notes are safeguarding information (`safeguarding`: the child has an open
 * child-protection case, the meeting was a child protection conference, or consent was not sought because
 * the child is at risk; KCSIE 2025 Part 2). Being on the calendar invitation is not enough: an invitee the
 * notes record as absent does not read them (UK GDPR Art. 5(1)(c)), nor does the key worker for that alone.
 */
export function canViewTacNote(
  actor: Actor,
  note: {
    orgId: string;
    noteTakerId: string;
    recipientIds: readonly string[];
    safeguarding?: boolean;
  },
): boolean {
  if (!sameOrg(actor, note.orgId)) return false;
  return (
    note.noteTakerId === actor.staffId ||
    note.recipientIds.includes(actor.staffId) ||
    hasRole(actor.roles, 'SENDCO') ||
    (!!note.safeguarding && hasRole(actor.roles, ...SAFEGUARDING_ROLES))
  );
}

/** Only the note-taker (or the SENDCo) amends notes; every amendment keeps history. */
export function canEditTacNote(actor: Actor, note: { orgId: string; noteTakerId: string }): boolean {
  return sameOrg(actor, note.orgId) && (note.noteTakerId === actor.staffId || hasRole(actor.roles, 'SENDCO'));
}

/**
 * Case kinds whose very existence is safeguarding information (KCSIE 2025 Part 2: the DSL holds
 * child-protection files, shared on a need-to-know basis; Part 4: an allegation against staff is handled
 * in confidence by the head as case manager with the LADO). A SENDCo, an admin or a line manager does not
 * see them for that role alone.
 */
export const RESTRICTED_CASE_KINDS: readonly string[] = ['CHILD_PROTECTION', 'STAFF_ALLEGATION'];

export const isRestrictedCaseKind = (kind: string): boolean => RESTRICTED_CASE_KINDS.includes(kind);

/** The facts a case's access rules read. */
export interface CaseAccessFacts {
  orgId: string;
  kind: string;
  ownerId: string | null;
  ownerLineManagerId: string | null;
}

/**
 * A case: its named officer, their line manager, the SENDCo, an admin. A child-protection or
 * staff-allegation case (RESTRICTED_CASE_KINDS): only its named officer and the safeguarding leads of the
 * organisation (DSL, deputies, head), whatever other role the person holds.
 */
export function canViewCase(actor: Actor, c: CaseAccessFacts): boolean {
  if (!sameOrg(actor, c.orgId)) return false;
  if (c.ownerId === actor.staffId) return true;
  if (isRestrictedCaseKind(c.kind)) return hasRole(actor.roles, ...SAFEGUARDING_ROLES);
  return c.ownerLineManagerId === actor.staffId || hasRole(actor.roles, 'SENDCO', 'ADMIN');
}

/** Act on a deadline (done, snooze, reassign, pause): as for viewing its case. */
export const canActOnCase = canViewCase;

/**
 * Hand a whole case to another officer (`case reassign`): the current officer's line manager, a SEN team
 * manager of the organisation, a SENDCo or an admin. Not the officer alone: a named officer is allocated a
 * caseload by their manager (they can still hand one deadline on with `deadline reassign`). A restricted
 * kind (RESTRICTED_CASE_KINDS): the safeguarding leads only.
 */
export function canReassignCase(actor: Actor, c: CaseAccessFacts): boolean {
  if (!sameOrg(actor, c.orgId)) return false;
  if (isRestrictedCaseKind(c.kind)) return hasRole(actor.roles, ...SAFEGUARDING_ROLES);
  return (
    (c.ownerLineManagerId !== null && c.ownerLineManagerId === actor.staffId) ||
    hasRole(actor.roles, 'SEN_TEAM_MANAGER', 'SENDCO', 'ADMIN')
  );
}

/**
 * Read who held a case from when (`case history`): whoever may hand it over (`canReassignCase`) and whoever
 * may view it (`canViewCase`: its officer now among them).
 */
export function canReadCaseHistory(actor: Actor, c: CaseAccessFacts): boolean {
  return canViewCase(actor, c) || canReassignCase(actor, c);
}

/**
 * The caseload page (issue 17): whose open cases a person's list holds. SENDCo and admin: every case of
 * the organisation (as `canViewCase`); anyone else: their own and their team's (the staff they
 * line-manage, `reportIds`), which is what a SEN team manager sees. Restricted kinds
 * (RESTRICTED_CASE_KINDS) are left out unless the person owns the case or is a safeguarding lead
 * (`restricted`: the kinds and the one owner who still sees them). Each row is still checked with
 * `canViewCase`.
 */
export interface CaseloadScope {
  ownerIds?: string[];
  restricted?: { kinds: string[]; exceptOwnerId: string };
}

export function caseloadScope(actor: Actor, reportIds: readonly string[]): CaseloadScope {
  const restricted = hasRole(actor.roles, ...SAFEGUARDING_ROLES)
    ? {}
    : { restricted: { kinds: [...RESTRICTED_CASE_KINDS], exceptOwnerId: actor.staffId } };
  if (hasRole(actor.roles, 'SENDCO', 'ADMIN')) return restricted;
  return { ownerIds: [actor.staffId, ...reportIds], ...restricted };
}

/** Any member of staff may open the caseload page (it lists only what `caseloadScope` allows). */
export const canOpenCaseload = (actor: Actor): boolean => actor.staffId !== '' && actor.orgId !== '';

/** The roles that may read the LA timeliness figures (SEN2): the SEN team manager and admins. */
export const hasTimelinessRole = (actor: Actor): boolean => hasRole(actor.roles, 'SEN_TEAM_MANAGER', 'ADMIN');

/** The LA timeliness page (issue 17): a SEN team manager or an admin of a local authority. */
export function canViewTimeliness(actor: Actor, org: { id: string; kind: string }): boolean {
  return sameOrg(actor, org.id) && org.kind === 'LOCAL_AUTHORITY' && hasTimelinessRole(actor);
}

/** Admin tasks: rota, imports, settings, keys. */
export const canAdminister = (actor: Actor, orgId: string): boolean =>
  sameOrg(actor, orgId) && hasRole(actor.roles, 'ADMIN', 'HEAD');

/** Throw a polite ForbiddenError unless `allowed` (the ActionRegistry audits and answers it). */
export function require(allowed: boolean, what: string): void {
  if (!allowed) throw new ForbiddenError(`Sorry, your role does not allow you to ${what}.`);
}

/**
 * The web pages' home page (issue 17): every active member of staff who signed in may open it; it lists
 * only the pages each one's role admits (each page's own rule here).
 */
export const canOpenWebHome = (actor: Actor): boolean => actor.staffId !== '';

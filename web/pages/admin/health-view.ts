/**
 * What the health page shows (pure): the /healthz details (app/server.ts `healthReport`, served from the
 * HealthCache: no new query per request) turned into rows with a "needs attention" tag where someone should act.
 * A channel's last delivery and failure come from the delivery attempts in the database (every replica's).
 * Error texts are not shown (a feed's URL can carry its secret); the page names what failed and when.
 */
import { formatWhen, type Tag } from './imports-view.ts';

/** An undelivered message older than this, or a tick older than this, needs attention. */
export const STALE_SECONDS = 300;

export interface HealthRow {
  name: string;
  configured?: string;
  lastSuccess: string;
  lastFailure: string;
  tag: Tag;
}

export interface HealthView {
  status: Tag;
  checkedAt: string;
  channels: HealthRow[];
  connectors: HealthRow[];
  outbox: { label: string; value: string; tag: Tag | null }[];
  attention: number;
}

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec => (v && typeof v === 'object' ? (v as Rec) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

const OK: Tag = { text: 'OK', colour: 'green' };
const ATTENTION: Tag = { text: 'Needs attention', colour: 'red' };
const OFF: Tag = { text: 'Not configured', colour: 'grey' };

/** "3 min", "2 h 5 min", "4 days". */
export function ageText(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

export interface HealthInputs {
  report: Rec & { status: string; checkedAt: string };
  /** The organisation's imports: last completed per kind, and the latest refused or failed run. */
  imports: { lastCompleted: { kind: string; at: Date }[]; lastFailure: { kind: string; at: Date } | null };
  kindLabel: (kind: string) => string;
  now: Date;
  zone: string;
}

const when = (iso: string | null, zone: string) => (iso ? formatWhen(new Date(iso), zone) : 'None yet');
const later = (a: string | null, b: string | null) => a !== null && (b === null || a > b);

function channelRows(r: Rec, zone: string): HealthRow[] {
  const modules = obj(r.modules);
  const deliveries = obj(r.deliveries);
  const chatOn = Array.isArray(r.channels) ? (r.channels as string[]) : [];
  const teams = obj(modules.teams);
  const slack = obj(modules.slack);
  const contacts = obj(modules.contacts);
  const row = (name: string, platform: string, configured: boolean, probeFailed = false): HealthRow => {
    const d = obj(deliveries[platform]);
    const sent = str(d.lastSentAt);
    const failed = str(d.lastFailedAt);
    return {
      name,
      configured: configured ? 'Yes' : 'No',
      lastSuccess: when(sent, zone),
      lastFailure: failed ? `${when(failed, zone)} (${str(d.lastFailure) ?? 'failed'})` : 'None',
      tag: !configured ? OFF : probeFailed || later(failed, sent) ? ATTENTION : OK,
    };
  };
  const teamsProbe = obj(teams.openIdMetadata).ok === false || obj(teams.connector).ok === false;
  const slackToken = obj(slack.token);
  return [
    row('Microsoft Teams', 'TEAMS', teams.enabled === true || chatOn.includes('TEAMS'), teamsProbe),
    row('Slack', 'SLACK', slack.enabled === true || chatOn.includes('SLACK'), slackToken.status === 'failed'),
    row('Console', 'CONSOLE', chatOn.includes('CONSOLE')),
    row('E-mail', 'EMAIL', contacts.email === true),
    row('SMS', 'SMS', contacts.sms === true),
  ];
}

function connectorRows(i: HealthInputs): HealthRow[] {
  const modules = obj(i.report.modules);
  const imports = obj(modules.imports);
  const errors = obj(imports.errors);
  const lastSuccess = obj(imports.lastSuccess);
  const rows: HealthRow[] = [];
  const syncs = new Set([...Object.keys(errors), ...Object.keys(lastSuccess)]);
  for (const key of [...syncs].sort()) {
    const name =
      key === 'graph' ? 'Calendar sync (Microsoft 365)' : `Calendar sync (ICS feed ${key.slice(4)})`;
    rows.push({
      name,
      lastSuccess: when(str(lastSuccess[key]), i.zone),
      lastFailure: key in errors ? 'The last sync failed (send-hub doctor shows why)' : 'None',
      tag: key in errors ? ATTENTION : OK,
    });
  }
  if (syncs.size === 0)
    rows.push({
      name: 'Calendar sync',
      lastSuccess: 'No calendar sync is set up',
      lastFailure: 'None',
      tag: OFF,
    });
  const failure = i.imports.lastFailure;
  for (const c of i.imports.lastCompleted) {
    const failedSince = failure && failure.kind === c.kind && failure.at > c.at;
    rows.push({
      name: `Import: ${i.kindLabel(c.kind)}`,
      lastSuccess: formatWhen(c.at, i.zone),
      lastFailure: failedSince ? formatWhen(failure.at, i.zone) : 'None since',
      tag: failedSince ? ATTENTION : OK,
    });
  }
  if (failure && !i.imports.lastCompleted.some((c) => c.kind === failure.kind))
    rows.push({
      name: `Import: ${i.kindLabel(failure.kind)}`,
      lastSuccess: 'None yet',
      lastFailure: formatWhen(failure.at, i.zone),
      tag: ATTENTION,
    });
  const deadlines = obj(modules.deadlines);
  if (typeof deadlines.bankHolidaysTo === 'number') {
    const year = Number(i.now.toISOString().slice(0, 4));
    const short = deadlines.bankHolidaysTo <= year;
    rows.push({
      name: 'Bank holidays (gov.uk)',
      lastSuccess: `Known to the end of ${deadlines.bankHolidaysTo}`,
      lastFailure: short ? 'Next year is missing: send-hub holidays refresh' : 'None',
      tag: short ? ATTENTION : OK,
    });
  }
  return rows;
}

export function healthView(i: HealthInputs): HealthView {
  const r = i.report;
  const outbox = obj(r.outbox);
  const depth = Number(outbox.depth ?? 0);
  const oldest = Number(outbox.oldestPendingAgeSeconds ?? 0);
  const failed = Number(outbox.failed ?? 0);
  const tick = obj(r.lastTick);
  const tickAt = str(tick.at);
  const tickAge = tickAt ? (i.now.getTime() - new Date(tickAt).getTime()) / 1000 : null;
  const database = obj(r.database);
  const channels = channelRows(r, i.zone);
  const connectors = connectorRows(i);
  const outboxRows = [
    {
      label: 'Database',
      value: database.ok === false ? 'Not answering' : `Answering (${str(database.provider) ?? ''})`,
      tag: database.ok === false ? ATTENTION : OK,
    },
    { label: 'Messages waiting to be delivered', value: String(depth), tag: null },
    {
      label: 'Oldest waiting message',
      value: depth > 0 ? ageText(oldest) : 'None waiting',
      tag: depth > 0 && oldest > STALE_SECONDS ? ATTENTION : null,
    },
    { label: 'Messages that failed (gave up)', value: String(failed), tag: failed > 0 ? ATTENTION : null },
    {
      label: 'Last scheduler tick',
      value: tickAt ? `${when(tickAt, i.zone)} (${Number(tick.ms ?? 0)} ms)` : 'No tick yet',
      tag: tickAge === null || tickAge > STALE_SECONDS ? ATTENTION : OK,
    },
  ];
  const attention = [...channels, ...connectors, ...outboxRows].filter((x) => x.tag === ATTENTION).length;
  const status: Tag =
    r.status === 'down'
      ? { text: 'Down', colour: 'red' }
      : r.status === 'degraded' || attention > 0
        ? { text: 'Needs attention', colour: 'yellow' }
        : { text: 'Working', colour: 'green' };
  return {
    status,
    checkedAt: when(r.checkedAt, i.zone),
    channels,
    connectors,
    outbox: outboxRows,
    attention,
  };
}

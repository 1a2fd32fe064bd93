/**
 * Load a rota file into the database for its organisation, replacing the old rota, audited. A rota with no
 * regular DSL for school hours is refused, as any change from chat or the web page is.
 */
import { ValidationError } from '../../core/errors.ts';
import { rotaProblem } from '../../core/escalations/rota-change.ts';
import type { Hub } from '../container.ts';
import type { ConcernService } from './concern-service.ts';
import { readRotaFile, resolveRota } from './rota-file.ts';

export async function loadRotaFile(
  hub: Hub,
  service: ConcernService,
  file: string,
  channel: 'CLI' | 'SYSTEM',
): Promise<{ orgId: string; entries: number }> {
  const rota = readRotaFile(file);
  const orgs = await hub.orgs.all();
  const org = rota.organisation
    ? orgs.find((o) => o.id === rota.organisation || o.name === rota.organisation)
    : orgs.length === 1
      ? orgs[0]
      : undefined;
  if (!org) {
    throw new ValidationError(
      rota.organisation
        ? `${file}: field "organisation": no organisation is named "${rota.organisation}"`
        : `${file}: field "organisation": required when the hub has ${orgs.length} organisations`,
    );
  }
  const entries = await resolveRota(file, rota, (email) => hub.staff.byEmail(email, org.id));
  // The same check as every change from chat or the web page (core/escalations/rota-change.ts).
  const problem = rotaProblem(entries);
  if (problem) throw new ValidationError(`${file}: ${problem.message}`);
  await service.concerns.transaction(async (tx) => {
    await service.rota.replaceIn(tx, org.id, entries);
    await hub.audit.recordIn(tx, {
      orgId: org.id,
      actorKind: channel === 'CLI' ? 'admin-cli' : 'system',
      action: 'rota.loaded',
      subjectType: 'rota',
      subjectId: org.id,
      channel,
      details: { entries: entries.length },
    });
  });
  return { orgId: org.id, entries: entries.length };
}

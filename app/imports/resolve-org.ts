/** Which organisation an import belongs to: --org, else IMPORT_ORG_ID, else the only one. */
import { DomainError } from '../../core/errors.ts';
import { ORG_CREATE_HINT } from '../../core/orgs/org-identity.ts';
import { importsConfig } from '../config/imports.ts';
import type { Hub } from '../container.ts';

export async function resolveImportOrg(hub: Hub, explicit?: string): Promise<string> {
  const wanted = explicit ?? importsConfig(hub.config.raw).IMPORT_ORG_ID;
  if (wanted) {
    if (!(await hub.orgs.byId(wanted)))
      throw new DomainError(
        'NOT_FOUND',
        `organisation ${wanted} was not found (send-hub org list shows the ids)`,
      );
    return wanted;
  }
  const all = await hub.orgs.all();
  if (all.length === 1 && all[0]) return all[0].id;
  throw new DomainError(
    'VALIDATION',
    all.length === 0
      ? `no organisation yet: create yours with \`${ORG_CREATE_HINT}\` (or \`send-hub demo\` for the fictional school)`
      : 'several organisations: pass --org <id> or set IMPORT_ORG_ID (send-hub org list shows the ids)',
  );
}

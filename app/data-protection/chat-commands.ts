/**
 * Chat commands for the school's administrators (any channel: Teams, Slack, console):
 * `audit` checks the audit trail's hash chain; `retention` shows today's retention report (dry run).
 * Both are refused politely, and the refusal audited, for anyone without the ADMIN or HEAD role.
 */

import { canAdminister, require } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Hub } from '../container.ts';
import { verifyAuditTrail } from './audit-chain.ts';
import { runRetentionJob } from './retention-job.ts';

export function auditCommand(hub: Hub): Command {
  return {
    name: 'audit',
    usage: 'audit',
    summary: 'check the audit trail has not been tampered with (admins)',
    async run({ actor }) {
      require(canAdminister(actor, actor.orgId), 'check the audit trail');
      const r = await verifyAuditTrail(hub);
      return {
        kind: 'message',
        message: message({
          kind: 'admin_notice',
          audience: 'private',
          title: r.ok
            ? `Audit trail intact: ${r.count} events verified.`
            : `Audit trail BROKEN at event ${r.seq}`,
          text: r.ok ? '' : `${r.reason}. Preserve the database and tell your DPO.`,
        }),
      };
    },
  };
}

export function retentionCommand(hub: Hub): Command {
  return {
    name: 'retention',
    usage: 'retention',
    summary: "today's retention report: records due for deletion (admins; deletes nothing)",
    async run({ actor }) {
      require(canAdminister(actor, actor.orgId), 'see the retention report');
      const o = await runRetentionJob(hub, { dryRun: true, by: 'admin-cli' });
      return {
        kind: 'message',
        message: message({
          kind: 'admin_notice',
          audience: 'private',
          title: `Retention report for ${o.day} (dry run)`,
          facts: o.scans.map((s) => ({
            label: s.type,
            value: `${s.due.length} due${s.held ? `, ${s.held} on hold` : ''}${s.unknownAnchor ? `, ${s.unknownAnchor} without DOB` : ''}`,
          })),
        }),
      };
    },
  };
}

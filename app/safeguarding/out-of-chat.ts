/**
 * The safeguarding ladder beyond the chat (issue 16): which verified methods reach each person on a step,
 * the e-mail and SMS messages the notification rules add to it (core/escalations/notification-rules.ts),
 * and the signed acknowledge link they carry (core/escalations/ack-token.ts).
 *
 * Each out-of-chat message is enqueued with the step, in the same transaction, keyed
 * `concern:<id>:step:<n>:<staffId>:email|sms` (under the step's own prefix, so the acknowledgement's
 * cancelPendingStepsIn cancels whatever has not gone yet) and `notBefore` = its due moment: a concern
 * acknowledged before then is never e-mailed or texted.
 */
import { createHmac } from 'node:crypto';
import {
  ACK_LINK_TTL_MS,
  type AckSigner,
  type AckTokenClaims,
  ackToken,
} from '../../core/escalations/ack-token.ts';
import type { ConcernDto } from '../../core/escalations/concern.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import {
  methodStepKey,
  type NotificationRules,
  type OutOfChatMethod,
  type PlannedNotification,
} from '../../core/escalations/notification-rules.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import { AppSecretRepository } from '../../store/app-secret-repository.ts';
import { ContactRepository } from '../../store/contact-repository.ts';
import type { Tx } from '../../store/db.ts';
import { channelsOn, readContactsSettings } from '../config/contacts.ts';
import { CONTACTS_SERVICE, type ContactsService } from '../contacts/contacts-service.ts';
import type { Hub } from '../container.ts';
import { loadNotificationRules, type OutOfChatEnv, outOfChatConfig } from './out-of-chat-config.ts';

/** The AppSecret holding the link key (encrypted with the field key, re-encrypted by `keys rotate`). */
export const ACK_LINK_SECRET = 'ack-link-key';

/** The path of the acknowledge page (web/ack-link-routes.ts). */
export const ACK_PATH = '/ack';

/** The link key's signer: HMAC-SHA-256 over the token body, base64url. */
export function hmacSigner(key: Buffer): AckSigner {
  return (data) => createHmac('sha256', key).update(data).digest('base64url');
}

/** The content-free alert an e-mail or SMS carries (core/messages/out-of-chat.ts renders only these fields). */
export function externalAlert(c: { id: string; raisedAt: Date }, url: string): OutgoingMessage {
  return message({
    kind: 'concern_alert_external',
    audience: 'private',
    urgent: true,
    title: 'A safeguarding concern needs you',
    facts: [
      { label: 'Reference', value: concernRef(c.id) },
      { label: 'Raised at', value: c.raisedAt.toISOString() },
    ],
    link: { label: 'Acknowledge', url },
    subject: { type: 'concern', id: c.id },
  });
}

export class OutOfChat {
  readonly env: OutOfChatEnv;
  private readonly rulesOf: (org: { id: string; name: string }) => NotificationRules;
  private signerP: Promise<AckSigner> | undefined;
  private signerNow: AckSigner | undefined;
  private readonly rulesByOrg = new Map<string, NotificationRules>();
  private warnedNoUrl = false;
  private ownContacts: Pick<ContactsService, 'enabled' | 'repo'> | undefined;

  constructor(private readonly hub: Hub) {
    this.env = outOfChatConfig(hub.config);
    this.rulesOf = loadNotificationRules(this.env);
  }

  /** The link key's signer, made on first use and kept (the key's value never changes; rotation re-encrypts it). */
  signer(): Promise<AckSigner> {
    this.signerP ??= new AppSecretRepository(this.hub.dbh.db, this.hub.cipher)
      .getOrCreate(ACK_LINK_SECRET)
      .then(
        (key) => {
          this.signerNow = hmacSigner(key);
          return this.signerNow;
        },
        (err: unknown) => {
          this.signerP = undefined;
          throw err;
        },
      );
    return this.signerP;
  }

  /**
   * Read before a routing transaction (a second pooled connection inside one can deadlock a burst on
   * PostgreSQL): the link key, the organisation's rules, and each person's verified methods.
   */
  async prepare(orgId: string, staffIds: string[]): Promise<Map<string, OutOfChatMethod[]>> {
    // The contact methods (app/contacts, issue 16 part A). A process without that module (`send-hub import`
    // of a CPOMS file loads only what it needs) reads the same rows and settings itself: the e-mail and SMS
    // steps of a concern raised there are queued in the same transaction as its first alert, as in the hub.
    const contacts = this.contactsReader();
    if (staffIds.length === 0) return new Map();
    if (!this.env.PUBLIC_URL) {
      if (!this.warnedNoUrl)
        this.hub.log.warn(
          'PUBLIC_URL is not set: no acknowledge link can be made, no e-mail or SMS alert is sent',
        );
      this.warnedNoUrl = true;
      return new Map();
    }
    await this.signer();
    if (!this.rulesByOrg.has(orgId)) {
      const org = await this.hub.orgs.byId(orgId);
      this.rulesByOrg.set(orgId, this.rulesOf(org ?? { id: orgId, name: '' }));
    }
    // A method counts when it is verified and its channel is on (a transport configured, or a channel given).
    const on = (k: OutOfChatMethod) => contacts.enabled[k] || this.hub.channels.some((c) => c.platform === k);
    const out = new Map<string, OutOfChatMethod[]>();
    for (const id of staffIds) {
      const verified = (await contacts.repo.list(id)).filter((m) => m.verifiedAt !== null && on(m.kind));
      out.set(
        id,
        verified.map((m) => m.kind),
      );
    }
    return out;
  }

  private contactsReader(): Pick<ContactsService, 'enabled' | 'repo'> {
    const loaded = this.hub.services.get(CONTACTS_SERVICE) as ContactsService | undefined;
    if (loaded) return loaded;
    if (!this.ownContacts) {
      let enabled = { EMAIL: false, SMS: false };
      try {
        enabled = channelsOn(readContactsSettings(this.hub.config.raw));
      } catch (err) {
        // The hub refuses to start with these settings and says why; here the concern and its chat alert go on.
        this.hub.log.warn({ err }, 'e-mail/SMS settings are invalid: no e-mail or SMS step is queued here');
      }
      this.ownContacts = {
        enabled,
        repo: new ContactRepository(this.hub.dbh.db, this.hub.cipher, this.hub.clock),
      };
    }
    return this.ownContacts;
  }

  rules(orgId: string): NotificationRules {
    return this.rulesByOrg.get(orgId) ?? this.rulesOf({ id: orgId, name: '' });
  }

  /** The acknowledge URL for one person, concern, step and method (the signer must be prepared). */
  link(claims: Omit<AckTokenClaims, 'expiresAt'>, now: Date): string {
    if (!this.signerNow || !this.env.PUBLIC_URL) throw new Error('out-of-chat links are not prepared');
    const token = ackToken(
      { ...claims, expiresAt: new Date(now.getTime() + ACK_LINK_TTL_MS) },
      this.signerNow,
    );
    return `${this.env.PUBLIC_URL.replace(/\/+$/, '')}${ACK_PATH}/${token}`;
  }

  /** Enqueue the plan's e-mail and SMS messages of one step to one person; returns the methods queued. */
  async enqueueIn(
    tx: Tx,
    c: ConcernDto,
    step: number,
    staffId: string,
    chatKey: string,
    plan: PlannedNotification[],
  ): Promise<OutOfChatMethod[]> {
    const queued: OutOfChatMethod[] = [];
    for (const p of plan) {
      if (p.method === 'CHAT') continue;
      await this.hub.outbox.enqueueIn(tx, {
        idempotencyKey: methodStepKey(chatKey, p.method),
        orgId: c.orgId,
        to: { staffId },
        priority: 0,
        via: p.method,
        notBefore: p.at,
        message: externalAlert(c, this.link({ concernId: c.id, staffId, step, via: p.method }, p.at)),
      });
      queued.push(p.method);
    }
    return queued;
  }
}

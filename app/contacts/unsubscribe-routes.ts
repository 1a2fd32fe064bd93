/**
 * The unsubscribe link of deadline digests by e-mail (issue 16): `GET /unsubscribe/<token>` shows a page
 * with one button and changes nothing (mail scanners such as Safe Links open every link); the button, or a
 * mail client's one-click unsubscribe (RFC 8058: a POST with `List-Unsubscribe=One-Click`), turns digests by
 * e-mail off at once, audited. The token is `<method id>.<HMAC>`; a changed one is refused (404).
 */
import express, { type Router } from 'express';
import type { Hub } from '../container.ts';
import type { ContactsService } from './contacts-service.ts';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

const TOKEN = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{43}$/;

export function unsubscribeRoutes(router: Router, hub: Hub, contacts: ContactsService): void {
  const headers = (res: express.Response) =>
    res.set({
      'Content-Security-Policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Type': 'text/html; charset=utf-8',
    });
  router.get('/unsubscribe/:token', (req, res) => {
    headers(res);
    if (!TOKEN.test(req.params.token)) {
      res.status(404).send(page('This link is not valid', '<p>Nothing was changed.</p>'));
      return;
    }
    res.send(
      page(
        'Stop deadline digests by e-mail?',
        `<p>You will still get them in Teams or Slack.</p><form method="post"><button type="submit">Stop digests by e-mail</button></form>`,
      ),
    );
  });
  router.post(
    '/unsubscribe/:token',
    express.urlencoded({ extended: false, limit: '1kb' }),
    async (req, res) => {
      headers(res);
      const method = TOKEN.test(req.params.token) ? await contacts.repo.unsubscribe(req.params.token) : null;
      if (!method) {
        res.status(404).send(page('This link is not valid', '<p>Nothing was changed.</p>'));
        return;
      }
      await hub.audit.record({
        orgId: method.orgId,
        actorId: method.staffId,
        actorKind: 'staff',
        action: 'contact.digest_unsubscribed',
        subjectType: 'contact_method',
        subjectId: method.id,
        channel: 'EMAIL',
        details: { kind: method.kind },
      });
      res.send(
        page(
          'Done: no more deadline digests by e-mail',
          '<p>They still come in Teams or Slack. To have them by e-mail again, send <code>settings digest email on</code> there.</p>',
        ),
      );
    },
  );
}

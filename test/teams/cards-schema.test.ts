/**
 * Issue 15, point 14: every Adaptive Card the hub can send is valid against the official Adaptive Card 1.5
 * JSON schema (test/fixtures/adaptive-cards, Microsoft's, MIT), and every `Action.Execute` carries the
 * fallback Microsoft's Universal Actions guidance gives for clients without it: an `Action.Submit` with the
 * same title and data (which the bot answers as a message whose `value` is that data).
 *
 * The cards: the gallery of every card type built by the production builders (scripts/teams/card-gallery.ts:
 * messageCard, formCard, resolvedCard, with the safeguarding, TAC and deadline messages), plus a
 * messageCard for every action verb the core knows (with and without a subject, urgent, with a link and
 * sections), and the concern form redrawn with errors and a draft note.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { concernFormSpec } from '../../app/safeguarding/concern-form.ts';
import { type Card, formCard, messageCard, resolvedCard } from '../../bots/teams/cards.ts';
import { actionVerbs, message } from '../../core/messages/outgoing-message.ts';
import { cardGallery } from '../../scripts/teams/card-gallery.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaFile = path.join(here, '../fixtures/adaptive-cards/adaptive-card-1.5.schema.json');

type Node = Record<string, unknown>;

/** Every object in a card (depth first), with its JSON path. */
function* walk(v: unknown, at = ''): Generator<[string, Node]> {
  if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* walk(x, `${at}/${i}`);
  else if (v && typeof v === 'object') {
    yield [at, v as Node];
    for (const [k, x] of Object.entries(v)) yield* walk(x, `${at}/${k}`);
  }
}

/** Problems with Universal Actions fallbacks in a card (empty when every Action.Execute has one). */
function fallbackProblems(card: unknown): string[] {
  const out: string[] = [];
  for (const [at, node] of walk(card)) {
    if (node.type !== 'Action.Execute') continue;
    const f = node.fallback as Node | undefined;
    if (!f || f.type !== 'Action.Submit') out.push(`${at}: no Action.Submit fallback`);
    else if (JSON.stringify(f.data) !== JSON.stringify(node.data) || f.title !== node.title)
      out.push(`${at}: fallback does not carry the same title and data`);
  }
  return out;
}

/** Every card the hub can send, by name. */
function everyCard(): Record<string, Card> {
  const cards: Record<string, Card> = { ...cardGallery() };
  for (const verb of actionVerbs) {
    const action = { verb, label: `Do ${verb}`, style: 'primary' as const, args: { days: '2' } };
    cards[`verb-${verb}`] = messageCard(
      message({
        kind: 'deadline_nudge',
        audience: 'private',
        urgent: true,
        title: `A message with ${verb}`,
        text: 'Some *bold* text.',
        facts: [{ label: 'Due', value: 'Fri 27 Nov 2026' }],
        sections: [
          { heading: 'Open', lines: ['one', 'two'] },
          { heading: 'Done', lines: [] },
        ],
        subject: { type: 'deadline', id: 'd1' },
        actions: [action, { ...action, style: 'danger' }],
        link: { label: 'Open in SEND Hub', url: 'https://send-hub.example.org/x' },
      }),
    );
    cards[`verb-${verb}-reminder`] = messageCard(
      message({
        kind: 'meeting_reminder',
        audience: 'private',
        title: 'No subject, a reminder id',
        actions: [{ verb, label: 'Go', args: { reminderId: 'r9' } }],
      }),
    );
  }
  cards['concern-form-redrawn'] = formCard(
    concernFormSpec({}),
    { what: 'x' },
    { form: 'Draft saved.', what: 'Too short.' },
  );
  cards['resolved-with-note'] = resolvedCard('A title', 'Done by Sam at 10:42', 'A *note*.');
  return cards;
}

describe('Adaptive Cards against the official 1.5 schema', () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addMetaSchema(draft06);
    (addFormats as unknown as (a: Ajv) => void)(ajv); // the package's CJS default export
    // The published schema names itself with draft-04's `id`; Ajv reads draft-06's `$id`.
    const { id, ...schema } = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as { id: string };
    validate = ajv.compile({ $id: id, ...schema });
  });

  it('validates every card the hub can send, and every Action.Execute has its Action.Submit fallback', () => {
    const cards = everyCard();
    expect(Object.keys(cards).length).toBeGreaterThan(30);
    const problems: string[] = [];
    let executes = 0;
    for (const [name, card] of Object.entries(cards)) {
      expect(card.version, name).toBe('1.5');
      if (!validate(card))
        for (const e of validate.errors ?? []) problems.push(`${name}${e.instancePath}: ${e.message}`);
      for (const p of fallbackProblems(card)) problems.push(`${name}${p}`);
      for (const [, n] of walk(card)) if (n.type === 'Action.Execute') executes++;
    }
    expect(problems).toEqual([]);
    // Buttons of every kind were checked (message actions, open-form buttons, form submit and draft).
    expect(executes).toBeGreaterThan(2 * actionVerbs.length);
  });

  it('fails a card the schema or the guidance refuses (so the check can fail)', () => {
    const ok = messageCard(
      message({
        kind: 'meeting_reminder',
        audience: 'private',
        title: 'x',
        subject: { type: 'reminder', id: 'r1' },
        actions: [{ verb: 'done', label: 'Done' }],
      }),
    );
    expect(validate(ok)).toBe(true);
    expect(fallbackProblems(ok)).toEqual([]);
    const unknownProperty = { ...ok, body: [{ type: 'TextBlock', text: 'x', colour: 'red' }] };
    expect(validate(unknownProperty)).toBe(false);
    const badEnum = { ...ok, body: [{ type: 'TextBlock', text: 'x', size: 'huge' }] };
    expect(validate(badEnum)).toBe(false);
    const noFallback = JSON.parse(JSON.stringify(ok)) as { actions: Node[] };
    delete noFallback.actions[0]?.fallback;
    expect(fallbackProblems(noFallback)).toEqual(['/actions/0: no Action.Submit fallback']);
  });
});

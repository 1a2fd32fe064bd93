import { describe, expect, it } from 'vitest';
import { createLogger, NameScrubber } from '../../app/logger.ts';
import { CaptureStream } from '../support/hub.ts';

function logWith(fn: (log: ReturnType<typeof createLogger>) => void, names: string[] = []) {
  const out = new CaptureStream();
  const scrubber = new NameScrubber();
  scrubber.add(names);
  const log = createLogger('debug', out, scrubber);
  fn(log);
  log.flush();
  return out.text();
}

describe('log redaction', () => {
  it('redacts names, free text, tokens and secrets wherever they sit', () => {
    const text = logWith((log) => {
      log.info(
        {
          student: { givenName: 'Amelia', familyName: 'Brook', dateOfBirth: '2014-03-01' },
          concern: 'she said her stepdad hit her',
          values: { worries: 'not sleeping' },
          req: { headers: { authorization: 'Bearer eyJabc' } },
          botToken: 'xoxb-123',
          count: 3,
        },
        'concern stored',
      );
    });
    for (const leaked of ['Amelia', 'Brook', '2014-03-01', 'stepdad', 'not sleeping', 'eyJabc', 'xoxb-123'])
      expect(text).not.toContain(leaked);
    expect(text).toContain('"count":3');
    expect(text).toContain('[redacted]');
  });

  it('scrubs a registered student name that slips into a message or an error', () => {
    const text = logWith(
      (log) => {
        log.warn(
          { err: new Error('could not route the concern about Amelia Brook') },
          'delivery to Amelia failed',
        );
      },
      ['Amelia', 'Brook'],
    );
    expect(text).not.toMatch(/Amelia|Brook/);
    expect(text).toContain('[name]');
  });

  it('leaves words that merely contain a name alone', () => {
    const text = logWith((log) => log.info({ n: 1 }, 'Brookside school ok'), ['Brook']);
    expect(text).toContain('Brookside');
  });
});

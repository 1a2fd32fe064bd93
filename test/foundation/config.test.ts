import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config/index.ts';
import { problemsOf } from '../support/config-problems.ts';

describe('configuration', () => {
  it('starts with sensible defaults and an embedded SQLite database under DATA_DIR', () => {
    const c = loadConfig({}, '/srv/hub');
    expect(c.env.PORT).toBe(3978);
    expect(c.databaseUrl).toBe('file:/srv/hub/data/send-hub.db');
    expect(c.production).toBe(false);
  });

  it('names the variable and what it expects, one line each', () => {
    const problems = problemsOf({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(problems).toHaveLength(3);
    expect(problems).toContain('config error: PORT is "eighty": expected a port number');
    expect(problems.find((p) => p.startsWith('config error: LOG_LEVEL'))).toMatch(/expected a pino level/);
    expect(problems.find((p) => p.startsWith('config error: DATABASE_URL'))).toMatch(/postgresql:\/\//);
  });

  it('never echoes a secret back', () => {
    const [p] = problemsOf({ ADMIN_EMAIL: 'not-an-email' });
    expect(p).toBe('config error: ADMIN_EMAIL is "not-an-email": expected an email address');
  });

  it('rejects an unknown time zone and a malformed lead time', () => {
    const problems = problemsOf({ TIME_ZONE: 'Mars/Olympus', MEETING_LEAD_TIMES: '2 weeks' });
    expect(problems.join('\n')).toMatch(/TIME_ZONE .*IANA time zone/);
    expect(problems.join('\n')).toMatch(/MEETING_LEAD_TIMES .*2wd,1h/);
  });

  it('refuses production without an encryption key', () => {
    expect(problemsOf({ SEND_HUB_ENV: 'production' })[0]).toMatch(
      /SEND_HUB_ENCRYPTION_KEY is missing: production refuses to start/,
    );
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }, '/x').env.PORT).toBe(3978);
  });
});

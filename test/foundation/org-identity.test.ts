/** `send-hub org create`'s checks and decision (core/orgs/org-identity.ts), without a database. */
import { describe, expect, it } from 'vitest';
import { decideOrgCreate, type ExistingOrg, parseOrgSpec } from '../../core/orgs/org-identity.ts';

const school = {
  kind: 'school',
  name: ' Elm  Park Primary ',
  urn: '123456',
  admin: 'H.Ashworth@ElmPark.example',
};
const elm: ExistingOrg = { id: 'o1', name: 'Elm Park Primary', kind: 'SCHOOL', urn: '123456', laCode: null };
const la: ExistingOrg = { id: 'o2', name: 'Northshire', kind: 'LOCAL_AUTHORITY', urn: null, laCode: '926' };

const specOf = (input: Parameters<typeof parseOrgSpec>[0]) => {
  const r = parseOrgSpec(input);
  if (!('spec' in r)) throw new Error(r.problems.join('; '));
  return r.spec;
};

describe('org create: what was typed', () => {
  it('a school: its URN, the name tidied, the admin e-mail in lower case, named by it until an import', () => {
    expect(specOf(school)).toEqual({
      kind: 'SCHOOL',
      name: 'Elm Park Primary',
      urn: '123456',
      laCode: null,
      adminEmail: 'h.ashworth@elmpark.example',
      adminName: 'h.ashworth@elmpark.example',
    });
  });

  it('every problem at once, each naming its option', () => {
    const r = parseOrgSpec({ kind: 'academy', urn: '12' });
    expect('problems' in r && r.problems).toEqual([
      expect.stringContaining('--kind "academy": expected one of school, la'),
      expect.stringContaining('--name:'),
      expect.stringContaining('--admin:'),
    ]);
    const s = parseOrgSpec({ kind: 'school', name: 'X', urn: '12', admin: 'not-an-email' });
    expect('problems' in s && s.problems).toEqual([
      '--urn "12": expected 6 digits (e.g. 100000)',
      '--admin "not-an-email": expected an e-mail address',
    ]);
  });

  it('a local authority takes an LA code, not a URN; a school the other way round', () => {
    const r = parseOrgSpec({ kind: 'la', name: 'Northshire', urn: '123456', admin: 'a@b.example' });
    expect('problems' in r && r.problems.join('\n')).toMatch(
      /--urn: a local authority has an LA code[\s\S]*--la-code:/,
    );
    const s = parseOrgSpec({ ...school, laCode: '926' });
    expect('problems' in s && s.problems).toEqual([
      '--la-code: a school has a URN, not an LA code: use --urn <6 digits>',
    ]);
    expect(
      specOf({ kind: 'local-authority', name: 'Northshire', laCode: '926', admin: 'a@b.example' }),
    ).toMatchObject({
      kind: 'LOCAL_AUTHORITY',
      urn: null,
      laCode: '926',
    });
  });
});

describe('org create: given the organisations there are', () => {
  it('creates beside others; the same identity, name and kind exists; anything half-matching is refused', () => {
    expect(decideOrgCreate(specOf(school), [la])).toEqual({ kind: 'create' });
    expect(decideOrgCreate(specOf({ ...school, name: 'elm park primary' }), [la, elm])).toEqual({
      kind: 'exists',
      org: elm,
    });
    const otherName = decideOrgCreate(specOf({ ...school, name: 'Oak Lane' }), [elm]);
    expect(otherName).toMatchObject({ kind: 'ambiguous' });
    expect(JSON.stringify(otherName)).toContain('URN 123456 already belongs to \\"Elm Park Primary\\"');
    const otherKind = decideOrgCreate(specOf({ ...school, kind: 'alternative-provision' }), [elm]);
    expect(otherKind).toMatchObject({ kind: 'ambiguous' });
    const otherUrn = decideOrgCreate(specOf({ ...school, urn: '654321' }), [elm]);
    expect(JSON.stringify(otherUrn)).toContain('has this name already');
    const sameCode = decideOrgCreate(
      specOf({ kind: 'la', name: 'Southshire', laCode: '926', admin: 'a@b.example' }),
      [la],
    );
    expect(JSON.stringify(sameCode)).toContain('LA code 926 already belongs to');
  });
});

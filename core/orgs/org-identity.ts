/**
 * Setting up a real organisation (`send-hub org create`): what the administrator typed, checked, and
 * what to do given the organisations already in the database. Pure: no I/O.
 *
 * A school (and a hospital school or an alternative provision) is known by its DfE URN (6 digits, GIAS);
 * a local authority by its 3-digit LA code (e.g. 926). One of them is the organisation's identity: the same
 * identity with the same name and kind is the same organisation (nothing changes: running the command twice
 * says it exists); anything that half-matches is refused until the administrator says which they mean.
 */

/** The command an administrator types to create their organisation (error messages name it). */
export const ORG_CREATE_HINT =
  'send-hub org create --kind school|la --name "<name>" --urn <URN>|--la-code <LA code> --admin <e-mail>';

export type OrgKind = 'SCHOOL' | 'LOCAL_AUTHORITY' | 'HOSPITAL_EDUCATION' | 'ALTERNATIVE_PROVISION';

/** The words `--kind` takes, and the kind each names. */
export const KIND_WORDS: Readonly<Record<string, OrgKind>> = {
  school: 'SCHOOL',
  la: 'LOCAL_AUTHORITY',
  'local-authority': 'LOCAL_AUTHORITY',
  'hospital-education': 'HOSPITAL_EDUCATION',
  'alternative-provision': 'ALTERNATIVE_PROVISION',
};

export const KIND_LABEL: Readonly<Record<string, string>> = {
  SCHOOL: 'school',
  LOCAL_AUTHORITY: 'local authority',
  HOSPITAL_EDUCATION: 'hospital education',
  ALTERNATIVE_PROVISION: 'alternative provision',
  TRUST: 'trust',
};

export interface OrgCreateInput {
  kind?: string | undefined;
  name?: string | undefined;
  urn?: string | undefined;
  laCode?: string | undefined;
  admin?: string | undefined;
  adminName?: string | undefined;
}

export interface OrgSpec {
  kind: OrgKind;
  name: string;
  /** A school's URN; null for a local authority. */
  urn: string | null;
  /** A local authority's LA code; null for a school. */
  laCode: string | null;
  adminEmail: string;
  adminName: string;
}

/** An organisation already in the database, as the decision needs it. */
export interface ExistingOrg {
  id: string;
  name: string;
  kind: string;
  urn: string | null;
  laCode: string | null;
}

export const identityText = (o: { urn: string | null; laCode: string | null }): string =>
  o.urn ? `URN ${o.urn}` : o.laCode ? `LA code ${o.laCode}` : 'no URN or LA code';

export const orgText = (o: ExistingOrg): string =>
  `"${o.name}" (${KIND_LABEL[o.kind] ?? o.kind.toLowerCase()}, ${identityText(o)}, id ${o.id})`;

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const sameName = (a: string, b: string) =>
  a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/** Every problem with what was typed (empty: usable), each naming the option to fix. */
export function parseOrgSpec(input: OrgCreateInput): { spec: OrgSpec } | { problems: string[] } {
  const problems: string[] = [];
  const kindWord = input.kind?.trim().toLowerCase() ?? '';
  const kind = KIND_WORDS[kindWord];
  if (!kindWord) problems.push(`--kind: say which: ${Object.keys(KIND_WORDS).join(', ')}`);
  else if (!kind)
    problems.push(`--kind "${input.kind}": expected one of ${Object.keys(KIND_WORDS).join(', ')}`);
  const name = input.name?.trim().replace(/\s+/g, ' ') ?? '';
  if (!name)
    problems.push('--name: the organisation\'s name, as staff know it (e.g. --name "Elm Park Primary")');
  const urn = input.urn?.trim() || null;
  const laCode = input.laCode?.trim() || null;
  if (kind === 'LOCAL_AUTHORITY') {
    if (urn) problems.push('--urn: a local authority has an LA code, not a URN: use --la-code <3 digits>');
    if (!laCode) problems.push("--la-code: the local authority's 3-digit LA code (DfE, e.g. 926)");
    else if (!/^\d{3}$/.test(laCode)) problems.push(`--la-code "${laCode}": expected 3 digits (e.g. 926)`);
  } else if (kind) {
    if (laCode)
      problems.push(`--la-code: a ${KIND_LABEL[kind]} has a URN, not an LA code: use --urn <6 digits>`);
    if (!urn) problems.push(`--urn: the ${KIND_LABEL[kind]}'s 6-digit URN (Get Information about Schools)`);
    else if (!/^\d{6}$/.test(urn)) problems.push(`--urn "${urn}": expected 6 digits (e.g. 100000)`);
  }
  const adminEmail = input.admin?.trim().toLowerCase() ?? '';
  if (!adminEmail)
    problems.push('--admin: the e-mail of the first administrator, who signs in and runs the rest');
  else if (!EMAIL.test(adminEmail)) problems.push(`--admin "${input.admin}": expected an e-mail address`);
  if (problems.length || !kind) return { problems };
  return {
    spec: {
      kind,
      name,
      urn: kind === 'LOCAL_AUTHORITY' ? null : urn,
      laCode: kind === 'LOCAL_AUTHORITY' ? laCode : null,
      adminEmail,
      adminName: input.adminName?.trim().replace(/\s+/g, ' ') || adminEmail,
    },
  };
}

export type OrgDecision =
  | { kind: 'create' }
  | { kind: 'exists'; org: ExistingOrg }
  | { kind: 'ambiguous'; reason: string };

/**
 * Create, or it exists (same identity, name and kind), or refuse: an identity held by an organisation of
 * another name or kind, or the same name and kind under another identity (a typo in the URN, or two
 * records of one school?): the administrator checks and says which.
 */
export function decideOrgCreate(spec: OrgSpec, existing: readonly ExistingOrg[]): OrgDecision {
  const sameId = existing.find(
    (o) => (spec.urn !== null && o.urn === spec.urn) || (spec.laCode !== null && o.laCode === spec.laCode),
  );
  if (sameId) {
    if (sameName(sameId.name, spec.name) && sameId.kind === spec.kind) return { kind: 'exists', org: sameId };
    return {
      kind: 'ambiguous',
      reason: `${identityText(spec)} already belongs to ${orgText(sameId)}: check the ${spec.urn ? 'URN' : 'LA code'} and the name (send-hub org list)`,
    };
  }
  const namesake = existing.find((o) => sameName(o.name, spec.name) && o.kind === spec.kind);
  if (namesake)
    return {
      kind: 'ambiguous',
      reason: `${orgText(namesake)} has this name already: if it is yours, it is set up; if not, check the ${spec.urn ? 'URN' : 'LA code'} (send-hub org list)`,
    };
  return { kind: 'create' };
}

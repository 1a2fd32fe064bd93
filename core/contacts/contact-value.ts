/**
 * Contact values (issue 16): a work e-mail address or a mobile number, checked and normalised before they
 * are stored (encrypted) or used, and masked wherever they are shown (chat, CLI, logs never see them whole).
 */
import { ValidationError } from '../errors.ts';

export type ContactKind = 'EMAIL' | 'SMS';
export const contactKinds: readonly ContactKind[] = ['EMAIL', 'SMS'];

/** Deliberately simple (RFC 5321 lengths, one @, a dotted domain): the verification code proves the rest. */
const EMAIL =
  /^[^\s@"<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * A mobile number in E.164. UK numbers may be written nationally (07…, spaces, dashes, brackets) and become
 * +447…; a UK number must be a mobile (07, Ofcom's National Telephone Numbering Plan: 071–075, 077–079;
 * 076 is pagers except 07624); other countries are accepted in international form (+ and 8–15 digits, ITU-T E.164).
 * @example normaliseMobile('07700 900123') // '+447700900123'
 */
export function normaliseMobile(input: string): string {
  const compact = input.trim().replace(/[\s().-]/g, '');
  let e164: string;
  if (/^0\d+$/.test(compact) && !compact.startsWith('00')) e164 = `+44${compact.slice(1)}`;
  else if (compact.startsWith('00')) e164 = `+${compact.slice(2)}`;
  else e164 = compact;
  if (!/^\+[1-9]\d{7,14}$/.test(e164))
    throw new ValidationError(
      'a mobile number is 07… (UK) or +<country code><number> (E.164), digits only',
      'value',
    );
  if (e164.startsWith('+44')) {
    const national = e164.slice(3);
    if (!/^7\d{9}$/.test(national) || (national.startsWith('76') && !national.startsWith('7624')))
      throw new ValidationError(
        'a UK number must be a mobile: 07 and 9 more digits (071–075, 077–079)',
        'value',
      );
  }
  return e164;
}

/** @example normaliseEmail(' Dee.Sell@School.org ') // 'Dee.Sell@school.org' */
export function normaliseEmail(input: string): string {
  const v = input.trim();
  if (v.length > 254 || !EMAIL.test(v))
    throw new ValidationError('an e-mail address looks like name@school.org.uk', 'value');
  const at = v.lastIndexOf('@');
  return `${v.slice(0, at)}@${v.slice(at + 1).toLowerCase()}`;
}

export function normaliseContact(kind: ContactKind, input: string): string {
  return kind === 'EMAIL' ? normaliseEmail(input) : normaliseMobile(input);
}

/**
 * What chat and the CLI show: never the whole value.
 * @example maskContact('SMS', '+447700900123') // '•••• ••• 123'
 * @example maskContact('EMAIL', 'dee.sell@school.org') // 'd•••@school.org'
 */
export function maskContact(kind: ContactKind, value: string): string {
  if (kind === 'SMS') return `•••• ••• ${value.slice(-3)}`;
  const at = value.lastIndexOf('@');
  return `${value.slice(0, 1)}•••@${value.slice(at + 1)}`;
}

/** `email`, `e-mail`, `sms`, `mobile`, `phone` → the kind; anything else is an error naming the word. */
export function parseContactKind(word: string | undefined): ContactKind {
  const w = (word ?? '').toLowerCase();
  if (w === 'email' || w === 'e-mail' || w === 'mail') return 'EMAIL';
  if (w === 'sms' || w === 'mobile' || w === 'phone' || w === 'text') return 'SMS';
  throw new ValidationError(`"${word ?? ''}" is not a contact kind: use email or sms`, 'kind');
}

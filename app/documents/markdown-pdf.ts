/**
 * A plain, readable PDF from the hub's Markdown documents (TAC notes, a concern's chronology): headings,
 * bullets, table rows. Text is drawn in Noto Sans (SIL Open Font Licence 1.1, from the npm package
 * @expo-google-fonts/noto-sans), embedded and subset by pdfkit with a ToUnicode map, so a child's or
 * parent's name in Latin (with Vietnamese, Polish, Turkish, Irish... accents), Greek or Cyrillic prints as
 * written and can be copied or searched. Scripts that font does not have (Arabic, Urdu, Bengali, Chinese...)
 * are not dropped silently: each run is replaced by a visible "[Arabic script: not shown]" marker and the
 * document opens with a note that says so and where to read the record in full (docs/meetings.md).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
} as const;

interface Fonts {
  regular: Buffer;
  bold: Buffer;
  /** Whether both faces draw this code point. */
  has(cp: number): boolean;
}
let fonts: Fonts | undefined;
function loadFonts(): Fonts {
  if (fonts) return fonts;
  const regular = fs.readFileSync(require.resolve(FONT_FILES.regular));
  const bold = fs.readFileSync(require.resolve(FONT_FILES.bold));
  const faces = [regular, bold].map((b) => fontkit.create(b) as fontkit.Font);
  const cache = new Map<number, boolean>();
  const has = (cp: number) => {
    let v = cache.get(cp);
    if (v === undefined) {
      v = faces.every((f) => f.hasGlyphForCodePoint(cp));
      cache.set(cp, v);
    }
    return v;
  };
  fonts = { regular, bold, has };
  return fonts;
}

/** Scripts named in the marker for text the font cannot draw (the first that matches; else "other"). */
const SCRIPTS: [string, RegExp][] = [
  ['Arabic', /\p{Script=Arabic}/u],
  ['Bengali', /\p{Script=Bengali}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Gurmukhi', /\p{Script=Gurmukhi}/u],
  ['Gujarati', /\p{Script=Gujarati}/u],
  ['Tamil', /\p{Script=Tamil}/u],
  ['Chinese', /\p{Script=Han}/u],
  ['Japanese', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['Korean', /\p{Script=Hangul}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Amharic', /\p{Script=Ethiopic}/u],
];
const scriptOf = (ch: string) => SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? 'other';

/**
 * The text with every run the font cannot draw replaced by a visible marker naming its script; `missing`
 * collects the scripts replaced. Spaces between such characters stay in the run (one marker per name, not
 * per word); invisible joiners and direction marks are kept only where the font has them.
 */
export function drawableText(text: string, has: (cp: number) => boolean, missing: Set<string>): string {
  const chars = [...text.normalize('NFC')];
  const kind = chars
    .map((ch) => {
      const cp = ch.codePointAt(0) ?? 0;
      if (/\s/u.test(ch)) return 's';
      if (has(cp)) return 'o';
      return /[\u200c-\u200f\u2066-\u2069\ufeff]/u.test(ch) ? 'i' : 'x';
    })
    .join('');
  let out = '';
  let at = 0;
  for (const m of kind.matchAll(/x(?:[si]*x)*/g)) {
    out += keep(chars.slice(at, m.index), kind.slice(at, m.index));
    const scripts = [...new Set(chars.slice(m.index, m.index + m[0].length).map(scriptOf))];
    const named = scripts.filter((s) => s !== 'other');
    const name = named.length ? named.join('/') : 'other';
    missing.add(name);
    out += name === 'other' ? '[characters not shown]' : `[${name} script: not shown]`;
    at = m.index + m[0].length;
  }
  return out + keep(chars.slice(at), kind.slice(at));
}
const keep = (chars: string[], kind: string) => chars.filter((_, i) => kind[i] !== 'i').join('');

/**
 * Text options for every line: the font's glyph-composition feature (ccmp) is off, so a precomposed letter
 * such as "ị" is drawn as its own glyph and copies out of the PDF as "ị" (with ccmp on, fontkit splits it
 * into "i" + a mark, and pdfkit's ToUnicode map then reads back "i" and loses the dot). Text is NFC first.
 */
const textOptions = () => ({ features: { ccmp: false } }) as unknown as PDFKit.Mixins.TextOptions;

/** A plain, readable PDF from the Markdown; `title` goes in its metadata and in any "not shown" note. */
export function markdownToPdf(md: string, title = 'TAC notes'): Promise<Buffer> {
  const f = loadFonts();
  const missing = new Set<string>();
  const lines = md.split('\n').map((line) => drawableText(line, f.has, missing));
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: title, Producer: 'SEND Hub' },
    });
    doc.registerFont('Body', f.regular);
    doc.registerFont('Bold', f.bold);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const clean = (s: string) => s.replace(/\*\*(.+?)\*\*/g, '$1').replace(/_(.+?)_/g, '$1');
    const note = () => {
      if (!missing.size) return;
      const scripts = [...missing].map((s) => (s === 'other' ? 'other characters' : `${s} script`));
      doc
        .font('Bold')
        .fontSize(11)
        .fillColor('#d4351c')
        .text(
          `Note: this PDF cannot show ${scripts.join(', ')}; some names or text are replaced by ` +
            `"[... not shown]". Read them as written in the record on SEND Hub (${title}).`,
          textOptions(),
        )
        .fillColor('black')
        .moveDown(0.5);
    };
    let noted = false;
    for (const line of lines) {
      if (line.startsWith('# ')) {
        doc
          .font('Bold')
          .fontSize(18)
          .text(clean(line.slice(2)), textOptions())
          .moveDown(0.5);
        if (!noted) note();
        noted = true;
        continue;
      }
      if (!noted && line.trim() !== '') {
        note();
        noted = true;
      }
      if (line.startsWith('## '))
        doc
          .moveDown(0.5)
          .font('Bold')
          .fontSize(13)
          .text(clean(line.slice(3)), textOptions());
      else if (/^\|---/.test(line)) continue;
      else if (line.startsWith('|'))
        doc
          .font('Body')
          .fontSize(10)
          .text(
            clean(
              line
                .split('|')
                .slice(1, -1)
                .map((c) => c.trim())
                .join('  ·  '),
            ),
            textOptions(),
          );
      else if (line.startsWith('- '))
        doc
          .font('Body')
          .fontSize(11)
          .text(`• ${clean(line.slice(2))}`, textOptions());
      else if (line.trim() === '') doc.moveDown(0.3);
      else doc.font('Body').fontSize(11).text(clean(line), textOptions());
    }
    doc.end();
  });
}

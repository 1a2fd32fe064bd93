// Writes prisma/<provider>/schema.prisma from prisma/models.prisma (one source of truth, two providers:
// Prisma rejects `provider = env(...)`, and each generated client is provider-specific).
// `--check` exits 1 when a generated schema is stale (CI and postinstall run it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = fs.readFileSync(path.join(root, 'prisma/models.prisma'), 'utf8');
const targets = {
  sqlite: { provider: 'sqlite', output: '../../store/generated/sqlite' },
  postgres: { provider: 'postgresql', output: '../../store/generated/postgres' },
};
let stale = false;
for (const [dir, { provider, output }] of Object.entries(targets)) {
  const text = `// GENERATED from prisma/models.prisma by scripts/prisma-schemas.mjs. Do not edit.\ngenerator client {\n  provider = "prisma-client"\n  output   = "${output}"\n}\n\ndatasource db {\n  provider = "${provider}"\n}\n\n${models}`;
  const file = path.join(root, `prisma/${dir}/schema.prisma`);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current === text) continue;
  if (process.argv.includes('--check')) {
    console.error(`prisma/${dir}/schema.prisma is stale: run npm run db:schemas`);
    stale = true;
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    console.log(`wrote prisma/${dir}/schema.prisma`);
  }
}
process.exit(stale ? 1 : 0);

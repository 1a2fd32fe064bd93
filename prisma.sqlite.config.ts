import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

// No native schema engine can be downloaded on our machines: route Prisma Migrate to Prisma's own
// engine in its npm WebAssembly build (scripts/schema-engine-shim.mjs; see docs/prisma.md).
const here = path.dirname(fileURLToPath(import.meta.url));
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(here, 'scripts/schema-engine-shim.mjs');

export default defineConfig({
  schema: 'prisma/sqlite/schema.prisma',
  migrations: { path: 'prisma/sqlite/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'file:./data/send-hub.db',
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});

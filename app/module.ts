/**
 * A feature module plugs into the hub at wiring time: its planners (scheduler), its action, command and
 * form handlers (core registries), its HTTP routes, its channel adapter, its health. app/modules.ts lists
 * them; the container calls each hook once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Command as CliProgram } from 'commander';
import type { Router } from 'express';
import type { Planner } from '../scheduler/tick.ts';
import type { Hub } from './container.ts';

/**
 * A node:http 'request' listener run before Express (app/server.ts) for one hot route: true when it has
 * taken the request. It may hand a taken request to Express after all (`toExpress`), e.g. once it has
 * read the body and found it is not the common case it answers itself.
 */
export type FrontHandler = (req: IncomingMessage, res: ServerResponse, toExpress: () => void) => boolean;

export interface FeatureModule {
  name: string;
  /** Register handlers, channels and planners. Called once, before start. */
  setup?(hub: Hub): void | Promise<void>;
  /** Planners to run each tick (before the due-reminders planner, which runs last). */
  planners?(hub: Hub): Planner[];
  /** Mount HTTP routes; each route brings its own body parser and size limit. */
  routes?(router: Router, hub: Hub): void;
  /** A front handler for a route that must not pay Express's routing per request (Slack's acks). */
  front?(hub: Hub): FrontHandler | undefined;
  /**
   * Called once the scheduler and the deliverer exist (after every module's setup), in every hub: the
   * server, the CLI and tests. Listen to them here (e.g. `hub.deliverer.onAttemptOutcome`).
   */
  wire?(hub: Hub): void;
  start?(hub: Hub): Promise<void>;
  stop?(hub: Hub): Promise<void>;
  /**
   * Add `send-hub` subcommands. `open()` builds a hub on the configured database (migrated, no server,
   * no timers) and `close()` releases it.
   */
  cli?(program: CliProgram, open: () => Promise<Hub>, close: (hub: Hub) => Promise<void>): void;
  /** Shown in /healthz and `send-hub doctor`: `ok: false` makes status "degraded", not "down". */
  health?(hub: Hub): Promise<{ ok: boolean; [k: string]: unknown }>;
}

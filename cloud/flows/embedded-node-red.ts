import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import middie from '@fastify/middie';
import type { FastifyInstance } from 'fastify';
import type { NodeRed } from 'node-red';
import type { Logger } from 'pino';
import { scrubText } from '../../protocol/log-privacy.ts';
import { loadOrCreateSecret } from '../domain/keys.ts';
import type { User } from '../domain/scope.ts';
import { type Authenticate, type FlowsWrite, flowsGuard, UpgradeGate } from './admin-guard.ts';

export const FLOWS_ROOT = '/flows';
const NODE_ROOT = '/flows/api';
/** Our own nodes (`node-red-contrib-eldercare`), loaded as a module from the repository. */
const ELDERCARE_NODES = join(import.meta.dirname, '..', '..', 'node-red');

export interface EmbeddedNodeRedOptions {
  /** DATA_DIR: Node-RED's user directory is `node-red/` inside it (flows, credentials, context). */
  dataDir: string;
  logger: Logger;
  authenticate: Authenticate;
  /** Told of every successful change made through the editor or admin API (deploys), for the audit log. */
  onWrite?: (user: User, write: FlowsWrite) => void;
}

/** Node-RED's log levels (numbers) as pino's; audit and metric events are not forwarded. */
const LEVELS: Record<number, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'> = {
  10: 'fatal',
  20: 'error',
  30: 'warn',
  40: 'info',
  50: 'debug',
  60: 'trace',
};

/** Warnings Node-RED gives on every (first) start of an embedding like ours: nothing to act on. */
const EXPECTED = [/^Projects disabled/, /^Encrypted credentials not found/];

interface NodeRedLogMessage {
  level: number;
  msg: unknown;
  type?: string;
  name?: string;
  id?: string;
}

/** Node-RED's log entries into the cloud's pino log, with the node's id, type and name. */
function forwardLog(logger: Logger) {
  return (entry: NodeRedLogMessage): void => {
    let level = LEVELS[entry.level];
    if (!level) return;
    const text =
      entry.msg instanceof Error
        ? entry.msg.message
        : typeof entry.msg === 'string'
          ? entry.msg
          : JSON.stringify(entry.msg);
    if (EXPECTED.some((re) => re.test(text))) level = 'debug';
    const context = { nodeId: entry.id, nodeType: entry.type, nodeName: entry.name };
    // Flows log whatever their authors chose, alert messages included: numbers and e-mails are masked.
    logger[level](
      entry.msg instanceof Error
        ? {
            ...context,
            err: { message: scrubText(entry.msg.message), stack: scrubText(entry.msg.stack ?? '') },
          }
        : context,
      scrubText(text),
    );
  };
}

function settings(userDir: string, logger: Logger): Record<string, unknown> {
  return {
    httpAdminRoot: FLOWS_ROOT,
    httpNodeRoot: NODE_ROOT,
    userDir,
    flowFile: 'flows.json',
    nodesDir: [ELDERCARE_NODES],
    // Our own key in DATA_DIR, rather than one Node-RED generates (and warns about) on first start.
    credentialSecret: loadOrCreateSecret(join(userDir, 'credentials.key')),
    // No `adminAuth`: the cloud's admin guard stands in front of every /flows URL and WebSocket, and a
    // second account list (Node-RED's) would only be one more password to leak.
    logging: {
      cloud: {
        level: 'warn',
        handler: () => forwardLog(logger),
      },
    },
    // The cloud runs no npm: modules are installed with the cloud, not from the editor.
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    editorTheme: { tours: false },
    diagnostics: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    runtimeState: { enabled: false, ui: false },
    exportGlobalContextKeys: false,
  };
}

/** Node-RED's runtime is one per process (its modules hold the state). */
let embeddedOnce = false;

/**
 * Node-RED inside the cloud (NODE_RED=1): editor and admin API at `/flows`, flows' HTTP endpoints at
 * `/flows/api`, all behind the admin guard; flows kept in DATA_DIR/node-red. `mount` while building the app,
 * `start` once the HTTP server listens, `stop` when the cloud closes.
 */
export class EmbeddedNodeRed {
  readonly #red: NodeRed;
  readonly #gate: UpgradeGate;
  readonly #logger: Logger;
  #started = false;

  private constructor(red: NodeRed, gate: UpgradeGate, logger: Logger) {
    this.#red = red;
    this.#gate = gate;
    this.#logger = logger;
  }

  // biome-ignore lint/suspicious/noExplicitAny: any type provider; only `register`, `use` and `server` are used.
  static async mount(app: FastifyInstance<any, any, any, any, any>, options: EmbeddedNodeRedOptions) {
    if (embeddedOnce) throw new Error('Node-RED can be embedded only once per process');
    embeddedOnce = true;
    const logger = options.logger.child({ component: 'node-red' });
    // Imported here, so a cloud without NODE_RED=1 never loads Node-RED.
    const red = (await import('node-red')).default;
    const userDir = join(options.dataDir, 'node-red');
    mkdirSync(userDir, { recursive: true });
    const gate = new UpgradeGate(app.server, FLOWS_ROOT, options.authenticate);
    red.init(gate, settings(userDir, logger));
    await app.register(middie);
    app.use(FLOWS_ROOT, flowsGuard(options.authenticate, options.onWrite));
    app.use(NODE_ROOT, red.httpNode);
    app.use(FLOWS_ROOT, red.httpAdmin);
    return new EmbeddedNodeRed(red, gate, logger);
  }

  /** Loads the nodes and starts the saved flows; their nodes may call the cloud, so it must be listening. */
  async start(): Promise<void> {
    await this.#red.start();
    this.#started = true;
    this.#logger.info({ path: FLOWS_ROOT }, 'Node-RED started');
  }

  async stop(): Promise<void> {
    this.#gate.close();
    if (!this.#started) return;
    this.#started = false;
    await this.#red.stop();
  }
}

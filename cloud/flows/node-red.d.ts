// The part of Node-RED's embedding API the cloud uses (the package ships no types).
declare module 'node-red' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

  export interface NodeRed {
    /** `server` only needs to be an emitter of `upgrade` events (the editor's and flows' WebSockets). */
    init(server: EventEmitter, settings: Record<string, unknown>): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    readonly httpAdmin: Middleware;
    readonly httpNode: Middleware;
  }

  const RED: NodeRed;
  export default RED;
}

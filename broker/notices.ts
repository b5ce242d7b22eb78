/**
 * Notices between the brokers of a cluster, carried by Aedes' emitter (mqemitter-redis in a cluster,
 * the in-process mqemitter otherwise). `$cluster/` topics never reach an MQTT client: the ACL lets no
 * client publish or subscribe outside the contract's root, and these are emitted on the emitter
 * directly, not published through Aedes.
 */

/** The part of an mqemitter the notices use. */
export interface Emitter {
  on(
    topic: string,
    listener: (message: { topic: string; payload?: unknown }, done: () => void) => void,
  ): unknown;
  removeListener(
    topic: string,
    listener: (message: { topic: string; payload?: unknown }, done: () => void) => void,
  ): unknown;
  emit(message: { topic: string; payload: unknown }, callback?: (err?: Error) => void): unknown;
}

const ACCESS_CHANGED = '$cluster/gateway-access';

/** A gateway was revoked or its secret rotated: every broker drops its connections and cached digest. */
export function announceAccessChange(mq: Emitter, gatewayId: string): Promise<void> {
  return new Promise((resolve, reject) =>
    mq.emit({ topic: ACCESS_CHANGED, payload: gatewayId }, (err) => (err ? reject(err) : resolve())),
  );
}

/** Calls `handler` with the gateway id of every access-change notice; returns the removal. */
export function onAccessChange(mq: Emitter, handler: (gatewayId: string) => void): () => void {
  const listener = (message: { payload?: unknown }, done: () => void): void => {
    const raw = message.payload;
    const gatewayId = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
    try {
      handler(gatewayId);
    } finally {
      done();
    }
  };
  mq.on(ACCESS_CHANGED, listener);
  return () => {
    mq.removeListener(ACCESS_CHANGED, listener);
  };
}

/** What the parent asks a fleet worker (`fleet-worker.ts`), and what it answers, over the IPC channel. */
export interface WorkerSetup {
  host: string;
  port: number;
  localAddress: string;
  prefix: string;
  key: string;
  /** This worker plays the gateways whose index i (0 ≤ i < count) has i mod stride = offset. */
  offset: number;
  stride: number;
  count: number;
  /** CONNECTs in flight at once (the rest wait: a storm as fast as the broker takes it). */
  window: number;
  keepalive: number;
}

export type WorkerRequest =
  | { cmd: 'connect'; upTo: number }
  /** `tag` set: every reading gets an id of its own (`<tag>-<n>`), so a cloud stores each one. */
  | { cmd: 'publish'; ratePerS: number; seconds: number; tag?: string }
  /** One SOS (QoS 1) from each connected gateway with index < upTo, spread evenly over `spreadMs`. */
  | { cmd: 'sos'; upTo: number; spreadMs: number; tag: string }
  | { cmd: 'burst'; vitals: number; events: number; tag: string }
  | { cmd: 'drop' }
  | { cmd: 'rss' };

export interface ConnectReport {
  connected: number;
  failed: number;
  ms: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  firstError: string | null;
}

export interface PublishReport {
  sent: number;
  /** Messages still in socket buffers when the time was up (the broker pushed back). */
  bufferedBytes: number;
  ms: number;
}

export interface BurstReport {
  published: number;
  acked: number;
  ms: number;
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

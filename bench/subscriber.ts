import { topics } from '../protocol/index.ts';
import { WireClient } from './wire.ts';

/** The cloud's service account subscribed to every gateway's vitals, counting what arrives (QoS 0). */
export class CountingSubscriber {
  received = 0;
  readonly #client: WireClient;
  // Connect steps of the ramp last minutes: without pings the broker closes an idle subscriber after 1.5 keepalives.
  readonly #pinger: NodeJS.Timeout;

  private constructor(client: WireClient) {
    this.#client = client;
    client.onPublish = () => {
      this.received++;
    };
    this.#pinger = setInterval(() => client.ping(), 20_000);
  }

  /** False once the broker has closed the connection (then nothing more can arrive). */
  get connected(): boolean {
    return !this.#client.closed;
  }

  static async open(
    port: number,
    servicePassword: string,
    username = 'svc:cloud',
  ): Promise<CountingSubscriber> {
    const client = await WireClient.open({
      host: '127.0.0.1',
      port,
      clientId: `bench-subscriber-${process.pid}`,
      username,
      password: servicePassword,
      keepalive: 60,
    });
    const filter = topics.cloudIngest.find((t) => t.endsWith('/vitals')) as string;
    const granted = await client.subscribe(filter, 0);
    if (granted !== 0) throw new Error(`subscription refused (${granted})`);
    return new CountingSubscriber(client);
  }

  /** Resolves once nothing has arrived for `quietMs` (the broker's backlog is drained). */
  async settle(quietMs = 1000, maxMs = 30_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    let last = -1;
    while (this.received !== last && Date.now() < deadline) {
      last = this.received;
      await new Promise((r) => setTimeout(r, quietMs));
    }
  }

  close(): void {
    clearInterval(this.#pinger);
    this.#client.destroy();
  }
}

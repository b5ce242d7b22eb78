// @ts-check
const { refusalText } = require('../lib/node-status.js');

/** @typedef {import('../lib/types.js').NodeRedApi} NodeRedApi */
/** @typedef {import('../lib/types.js').RuntimeNode} RuntimeNode */
/** @typedef {import('../lib/types.js').NodeMessage} NodeMessage */
/** @typedef {import('../lib/types.js').Send} Send */
/** @typedef {import('../lib/types.js').Done} Done */

/** The cloud's page size for vitals; readings come oldest first. */
const LIMIT = 1000;

/**
 * When the window starts: `msg.since` (a time string or epoch milliseconds), else `minutes` ago.
 * @param {unknown} since
 * @param {number} minutes
 */
function windowStart(since, minutes) {
  if (typeof since === 'string' && since) return since;
  if (typeof since === 'number' && Number.isFinite(since)) return new Date(since).toISOString();
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

/**
 * `eldercare-vitals`: fetches an elder's vitals readings (`GET /api/elders/:id/vitals?since=`) into
 * `msg.payload`, an array oldest first, or with "latest only" the newest reading (null when there is none).
 * Input: `msg.elderId` (else the node's elder), `msg.since`. A refusal (404: unknown or outside the
 * account's scope) is a node error with `msg.statusCode`, for a Catch node.
 * @param {NodeRedApi} RED
 */
module.exports = (RED) => {
  /**
   * @this {RuntimeNode}
   * @param {{server?: string, elderId?: string, sinceMinutes?: string | number, latest?: boolean}} config
   */
  function EldercareVitalsNode(config) {
    RED.nodes.createNode(this, config);
    const server = config.server ? RED.nodes.getNode(config.server) : null;
    const minutes = Number(config.sinceMinutes) > 0 ? Number(config.sinceMinutes) : 360;

    this.on('input', (/** @type {NodeMessage} */ msg, /** @type {Send} */ send, /** @type {Done} */ done) => {
      const elderId = typeof msg.elderId === 'string' && msg.elderId ? msg.elderId : config.elderId;
      if (!server?.client) return done(new Error('no eldercare server is configured'));
      if (!elderId) return done(new Error("no elder: set msg.elderId or the node's elder"));
      const query = new URLSearchParams({ since: windowStart(msg.since, minutes), limit: String(LIMIT) });
      server.client.request('GET', `/api/elders/${encodeURIComponent(elderId)}/vitals?${query}`).then(
        (/** @type {{status: number, body: unknown}} */ answer) => {
          msg.statusCode = answer.status;
          msg.elderId = elderId;
          if (answer.status !== 200 || !Array.isArray(answer.body)) {
            const text = refusalText(answer.status, answer.body);
            msg.payload = answer.body;
            this.status({ fill: 'red', shape: 'ring', text });
            return done(new Error(`eldercare vitals: ${text}`));
          }
          const readings = answer.body;
          msg.payload = config.latest ? (readings.at(-1) ?? null) : readings;
          this.status({ fill: 'green', shape: 'dot', text: `${readings.length} readings` });
          send(msg);
          done();
        },
        (/** @type {unknown} */ err) => {
          this.status({ fill: 'red', shape: 'ring', text: err instanceof Error ? err.message : String(err) });
          done(err);
        },
      );
    });
  }

  RED.nodes.registerType('eldercare-vitals', EldercareVitalsNode);
};

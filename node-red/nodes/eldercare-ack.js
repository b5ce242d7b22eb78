// @ts-check
const { alertAction } = require('../lib/alert-action.js');
const { refusalText } = require('../lib/node-status.js');

/** @typedef {import('../lib/types.js').NodeRedApi} NodeRedApi */
/** @typedef {import('../lib/types.js').RuntimeNode} RuntimeNode */
/** @typedef {import('../lib/types.js').NodeMessage} NodeMessage */
/** @typedef {import('../lib/types.js').Send} Send */
/** @typedef {import('../lib/types.js').Done} Done */

/** @type {Record<string, string>} */
const DONE_TEXT = { acknowledge: 'acknowledged', note: 'note added', resolve: 'resolved' };

/**
 * `eldercare-ack`: acknowledges an alert, adds a note to it, or resolves it, as the server's account.
 * Input: `msg.alertId` (or `msg.payload.id`, so it can follow an `eldercare alert` node), `msg.note`,
 * `msg.outcome` (resolve). Output 1: the updated Alert. Output 2: the cloud's refusal (`msg.statusCode`,
 * e.g. 409 when the alert is already resolved, and `msg.payload` `{statusCode, code, error, message}`).
 * A message without an alert id, or a cloud that cannot be reached, is a node error (Catch node).
 * @param {NodeRedApi} RED
 */
module.exports = (RED) => {
  /**
   * @this {RuntimeNode}
   * @param {{server?: string, action?: string, outcome?: string}} config
   */
  function EldercareAckNode(config) {
    RED.nodes.createNode(this, config);
    const server = config.server ? RED.nodes.getNode(config.server) : null;
    const action = config.action ?? 'acknowledge';

    /** @param {NodeMessage} msg */
    const handle = async (msg) => {
      if (!server?.client) throw new Error('no eldercare server is configured');
      const payload = /** @type {{id?: unknown} | undefined} */ (
        msg.payload && typeof msg.payload === 'object' ? msg.payload : undefined
      );
      const call = alertAction(action, {
        alertId: msg.alertId ?? payload?.id,
        note: msg.note,
        outcome: msg.outcome ?? config.outcome,
      });
      return server.client.request(call.method, call.path, call.body);
    };

    this.on('input', (/** @type {NodeMessage} */ msg, /** @type {Send} */ send, /** @type {Done} */ done) => {
      handle(msg).then(
        (/** @type {{status: number, body: unknown}} */ answer) => {
          msg.statusCode = answer.status;
          msg.payload = answer.body;
          if (answer.status >= 200 && answer.status < 300) {
            const alert = /** @type {{id?: string}} */ (answer.body);
            msg.alertId = alert.id;
            this.status({ fill: 'green', shape: 'dot', text: `${DONE_TEXT[action] ?? action} ${alert.id}` });
            send([msg, null]);
          } else {
            this.status({ fill: 'red', shape: 'ring', text: refusalText(answer.status, answer.body) });
            send([null, msg]);
          }
          done();
        },
        (/** @type {unknown} */ err) => {
          this.status({ fill: 'red', shape: 'ring', text: err instanceof Error ? err.message : String(err) });
          done(err);
        },
      );
    });
  }

  RED.nodes.registerType('eldercare-ack', EldercareAckNode);
};

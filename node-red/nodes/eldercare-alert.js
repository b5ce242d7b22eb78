// @ts-check
const { alertFilter } = require('../lib/alert-filter.js');
const { connectionStatus } = require('../lib/node-status.js');

/** @typedef {import('../lib/types.js').NodeRedApi} NodeRedApi */
/** @typedef {import('../lib/types.js').RuntimeNode} RuntimeNode */

/**
 * `eldercare-alert`: sends one message per alert event the cloud pushes to the server's account
 * (`msg.topic` `alert:raised` or `alert:updated`, `msg.payload` the Alert, `msg.alertId` its id), filtered
 * by event kind, minimum severity and types. Its status shows the socket's state.
 * @param {NodeRedApi} RED
 */
module.exports = (RED) => {
  /**
   * @this {RuntimeNode}
   * @param {{server?: string, events?: string, minSeverity?: string, types?: string}} config
   */
  function EldercareAlertNode(config) {
    RED.nodes.createNode(this, config);
    const server = config.server ? RED.nodes.getNode(config.server) : null;
    if (!server?.client) {
      this.status({ fill: 'red', shape: 'ring', text: 'no eldercare server' });
      this.error('eldercare alert: no eldercare server is configured');
      return;
    }
    const client = server.client;
    const accepts = alertFilter(config);
    const showState = (/** @type {string} */ state, /** @type {string} */ detail) =>
      this.status(connectionStatus(state, detail));
    client.on('state', showState);
    const unsubscribe = client.subscribe(
      (/** @type {string} */ topic, /** @type {Record<string, unknown>} */ alert) => {
        if (accepts(topic, alert)) this.send({ topic, payload: alert, alertId: alert.id });
      },
    );
    showState(client.state, client.detail);
    this.on('close', () => {
      unsubscribe();
      client.off('state', showState);
    });
  }

  RED.nodes.registerType('eldercare-alert', EldercareAlertNode);
};

// @ts-check
const { EldercareClient } = require('../lib/eldercare-client.js');

/** @typedef {import('../lib/types.js').NodeRedApi} NodeRedApi */
/** @typedef {import('../lib/types.js').RuntimeNode & {client: InstanceType<typeof EldercareClient>}} ServerNode */

/**
 * `eldercare-server`: the configuration node every eldercare node points at. It holds the cloud's URL and
 * an account (username and password, kept as Node-RED credentials, encrypted in the flows' credentials
 * file), and one client that logs in and shares one Socket.IO connection among the nodes that use it.
 * @param {NodeRedApi} RED
 */
module.exports = (RED) => {
  /**
   * @this {ServerNode}
   * @param {{url?: string, name?: string}} config
   */
  function EldercareServerNode(config) {
    RED.nodes.createNode(this, config);
    const credentials = this.credentials ?? {};
    this.client = new EldercareClient({
      url: config.url ?? '',
      username: credentials.username ?? '',
      password: credentials.password ?? '',
    });
    this.on('close', (/** @type {() => void} */ done) => {
      this.client.close().then(done, done);
    });
  }

  RED.nodes.registerType('eldercare-server', EldercareServerNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
};

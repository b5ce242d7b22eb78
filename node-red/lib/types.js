// @ts-check
// The few parts of Node-RED's node API these nodes use, for JSDoc (Node-RED ships no types).

/**
 * @typedef {object} NodeMessage
 * @property {unknown} [payload]
 * @property {string} [topic]
 * @property {number} [statusCode]
 * @property {unknown} [alertId]
 * @property {unknown} [elderId]
 * @property {unknown} [note]
 * @property {unknown} [outcome]
 * @property {unknown} [since]
 */

/**
 * @typedef {object} RuntimeNode
 * @property {string} id
 * @property {(msg: NodeMessage | Array<NodeMessage | null>) => void} send
 * @property {(status: object) => void} status
 * @property {(err: unknown, msg?: NodeMessage) => void} error
 * @property {(text: unknown) => void} warn
 * @property {(event: string, handler: (...args: any[]) => void) => void} on
 * @property {Record<string, string | undefined>} [credentials]
 */

/**
 * @typedef {object} NodeRedApi
 * @property {object} nodes
 * @property {(node: object, config: object) => void} nodes.createNode
 * @property {(type: string, constructor: Function, options?: object) => void} nodes.registerType
 * @property {(id: string) => any} nodes.getNode
 */

/**
 * @typedef {(msg: NodeMessage | Array<NodeMessage | null>) => void} Send
 * @typedef {(err?: unknown) => void} Done
 */

module.exports = {};

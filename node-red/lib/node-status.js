// @ts-check

/** @typedef {{fill: 'red' | 'green' | 'yellow' | 'blue' | 'grey', shape: 'ring' | 'dot', text: string}} NodeStatus */

/**
 * The status shown under a node for the state of its server's socket.
 * @param {string} state
 * @param {string} [detail]
 * @returns {NodeStatus}
 */
function connectionStatus(state, detail = '') {
  switch (state) {
    case 'connected':
      return { fill: 'green', shape: 'dot', text: 'connected' };
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'connecting' };
    case 'disconnected':
      return { fill: 'red', shape: 'ring', text: detail ? `disconnected: ${detail}` : 'disconnected' };
    default:
      return { fill: 'grey', shape: 'ring', text: 'idle' };
  }
}

/**
 * The message of a refusal from the cloud (`{statusCode, code, error, message}`), for node status and errors.
 * @param {number} status
 * @param {unknown} body
 */
function refusalText(status, body) {
  const problem = /** @type {{code?: unknown, message?: unknown}} */ (
    body && typeof body === 'object' ? body : {}
  );
  const what = typeof problem.message === 'string' ? problem.message : typeof body === 'string' ? body : '';
  return `${status}${typeof problem.code === 'string' ? ` ${problem.code}` : ''}${what ? `: ${what}` : ''}`;
}

module.exports = { connectionStatus, refusalText };

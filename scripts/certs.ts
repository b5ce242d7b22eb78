import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `npm run certs -- [--dir DIR] [--host NAME ...]

Makes a local certificate authority and a server certificate for a test deployment (OpenSSL):
  DIR/ca.crt      give this to gateways (MQTT.js "ca") and browsers/phones (install as trusted)
  DIR/server.crt  TLS_CERT
  DIR/server.key  TLS_KEY
The server certificate names localhost, 127.0.0.1 and every --host (default DIR: ./certs).
Never use these for a real deployment: the CA key lies next to them.
`;

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'certs' },
    host: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};
const file = (name: string): string => join(dir, name);
const names = ['localhost', ...values.host];
const san = [...names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)), 'IP:127.0.0.1'].join(',');

openssl(
  'req',
  '-x509',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-days',
  '825',
  '-subj',
  '/CN=Eldercare test CA',
  '-keyout',
  file('ca.key'),
  '-out',
  file('ca.crt'),
  '-addext',
  'basicConstraints=critical,CA:TRUE',
  '-addext',
  'keyUsage=critical,keyCertSign,cRLSign',
);
openssl(
  'req',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-subj',
  `/CN=${names[0]}`,
  '-keyout',
  file('server.key'),
  '-out',
  file('server.csr'),
);
writeFileSync(
  file('server.ext'),
  `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
);
openssl(
  'x509',
  '-req',
  '-in',
  file('server.csr'),
  '-CA',
  file('ca.crt'),
  '-CAkey',
  file('ca.key'),
  '-CAcreateserial',
  '-days',
  '825',
  '-out',
  file('server.crt'),
  '-extfile',
  file('server.ext'),
);

console.log(`certificates in ${dir} (names: ${san})
  TLS_CERT=${file('server.crt')} TLS_KEY=${file('server.key')} npm start
  gateways: "ca": ${file('ca.crt')}`);

import * as net from 'node:net';

/*
 * The console-drop fault: sits between a machine's console consumer and its
 * QEMU console socket and drops bytes of the guest's output (about one in
 * DROP_EVERY, plus now and then a whole chunk), like a flaky serial line.
 * usage: node lossy-relay.js LISTEN_PORT TARGET_PORT
 * Started by deploy/vlab/start-machine.sh when the machine's fault is console-drop.
 */
const [listenPort, targetPort] = process.argv.slice(2).map(Number);
const DROP_EVERY = 37;
let n = 0;

function lossy(buf: Buffer): Buffer {
  if (++n % 11 === 0 && buf.length > 8) return buf.subarray(0, buf.length >> 1);
  const out: number[] = [];
  for (const b of buf) if (Math.floor(Math.random() * DROP_EVERY) !== 0) out.push(b);
  return Buffer.from(out);
}

const server = net.createServer((client) => {
  const up = net.connect({ host: '127.0.0.1', port: targetPort });
  up.on('data', (d) => client.write(lossy(d)));
  client.on('data', (d) => up.write(d));
  const end = () => { client.destroy(); up.destroy(); };
  up.on('error', end); client.on('error', end); up.on('close', end); client.on('close', end);
});
server.listen(listenPort, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));

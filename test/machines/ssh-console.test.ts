import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { InventoryMachineSchema } from '@pfnlab/contracts';
import { ConsoleError, createDrivers, HostKeyMismatchError, SecretResolver, SshConsole, type ConsoleConnection, type SshConsoleTarget } from '@pfnlab/machines';
import { eventually } from '../support/eventually';
import { TestSshd } from '../support/sshd';

/*
 * The console server is the real OpenSSH of this machine; the console port
 * behind it is a TCP server in this process that plays a machine (numbered
 * lines per connection, echoes what it receives), reached through socat as
 * a console server's relay would be. Plain `socat -` leaves its terminal as
 * it finds it, so the byte-exact assertions also check the driver's raw pty.
 */

interface PortSession {
  received: string;
  closed: boolean;
}

class FakeConsolePort {
  readonly sessions: PortSession[] = [];
  private readonly server = net.createServer((s) => {
    const session: PortSession = { received: '', closed: false };
    this.sessions.push(session);
    const n = this.sessions.length;
    for (let i = 1; i <= 20; i++) setTimeout(() => s.write(`boot ${n} line ${i}\n`), i * 5);
    s.on('data', (d: Buffer) => {
      session.received += d.toString('latin1');
      s.write(`echo:${d.toString('latin1')}`);
    });
    s.on('error', () => undefined);
    s.on('close', () => (session.closed = true));
  });
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const linesOf = (boot: number) => Array.from({ length: 20 }, (_, i) => `boot ${boot} line ${i + 1}\n`).join('');
/** The sshd log's size once earlier connections have finished logging, so a slice from it holds only what follows. */
async function quietLogSize(file: string): Promise<number> {
  for (let last = -1; ; await new Promise((r) => setTimeout(r, 150))) {
    const size = statSync(file).size;
    if (size === last) return size;
    last = size;
  }
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('ssh-console against a real OpenSSH console server', () => {
  const sshd = new TestSshd();
  const port = new FakeConsolePort();
  const user = userInfo().username;
  let target: SshConsoleTarget;
  const keyOnly = (ref: string) => (ref === 'env:CS_KEY' ? sshd.clientKey : '');
  const open: ConsoleConnection[] = [];

  /** Collects a connection's output and close reasons. */
  const watch = (c: ConsoleConnection) => {
    open.push(c);
    const w = { text: '', closed: [] as string[] };
    c.onData((d) => (w.text += d.toString('latin1')));
    c.onClose((r) => w.closed.push(r));
    return w;
  };

  beforeAll(async () => {
    await Promise.all([sshd.start(), port.start()]);
    target = { host: '127.0.0.1', port: sshd.port, username: user, privateKeyRef: 'env:CS_KEY', hostKeySha256: sshd.hostKeyFingerprint, command: ['socat', '-', `TCP:127.0.0.1:${port.port}`] };
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await sshd.stop();
    await port.stop();
  });

  it('relays the console byte for byte, in order, and input reaches the machine', async () => {
    const c = await new SshConsole(target, keyOnly).open();
    const w = watch(c);
    await eventually(async () => w.text, (t) => t.length >= linesOf(1).length);
    // No CR added, nothing echoed by the remote pty: exactly what the machine sent.
    expect(w.text).toBe(linesOf(1));

    c.write("help\r$(id) 'x'\x03");
    await eventually(async () => port.sessions[0]?.received, (r) => r?.length === 15);
    expect(port.sessions[0].received).toBe("help\r$(id) 'x'\x03");
    await eventually(async () => w.text, (t) => t.endsWith('\x03'));
    expect(w.text).toBe(linesOf(1) + "echo:help\r$(id) 'x'\x03");

    await c.close();
    expect(w.closed).toEqual(['closed by pfnlab']);
    // The relay on the server ends with the session, so the machine's port is free again.
    expect(await eventually(async () => port.sessions[0].closed, (x) => x)).toBe(true);
  });

  it('uses the login shell as the console when no command is configured, and reports an unpinned host key', async () => {
    const log: string[] = [];
    const c = await new SshConsole({ ...target, command: undefined, hostKeySha256: undefined }, keyOnly, { log: (m) => log.push(m) }).open();
    expect(log).toEqual([`ssh-console ${user}@127.0.0.1:${sshd.port}: no host key pinned; the server presented ${sshd.hostKeyFingerprint} (pin it as console.hostKeySha256)`]);
    const w = watch(c);
    c.write('echo "sum-$((6*7))"; exit 3\n');
    await eventually(async () => w.closed, (x) => x.length > 0);
    expect(w.text).toContain('sum-42');
    expect(w.closed).toEqual([`ssh-console ${user}@127.0.0.1:${sshd.port}: the console session ended (status 3)`]);
  });

  it('refuses a changed host key before authenticating, naming the host and both fingerprints', async () => {
    const wrong = 'SHA256:' + 'A'.repeat(43);
    const logFrom = await quietLogSize(sshd.logFile);
    const err = await new SshConsole({ ...target, hostKeySha256: wrong }, keyOnly).open().catch((e: Error) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect((err as Error).message).toBe(
      `SSH host key of 127.0.0.1:${sshd.port} changed: expected ${wrong}, got ${sshd.hostKeyFingerprint}. ` +
        'If the machine was reinstalled, an operator must record the new key (inventory console.hostKeySha256); otherwise treat it as an attack.',
    );
    // sshd says "authenticating user" once a client has asked to log in; this one left before.
    const preauthEnd = /Disconnected from 127\.0\.0\.1 port \d+ \[preauth\]/;
    const sshdSaw = await eventually(async () => readFileSync(sshd.logFile, 'utf8').slice(logFrom), (l) => preauthEnd.test(l));
    expect(sshdSaw).toMatch(preauthEnd);
    expect(sshdSaw).not.toMatch(/authenticating user|publickey|password|Accepted|Failed|Postponed/);

    // Control: the same client with the right pin does authenticate, and sshd logs it.
    const logFrom2 = await quietLogSize(sshd.logFile);
    const sessionsBefore = port.sessions.length;
    const control = watch(await new SshConsole(target, keyOnly).open());
    // Let its relay attach, so it does not show up later in another test's count.
    await eventually(async () => control.text, (t) => t === linesOf(sessionsBefore + 1));
    const accepted = new RegExp(`Accepted publickey for ${user} from 127\\.0\\.0\\.1`);
    expect(await eventually(async () => readFileSync(sshd.logFile, 'utf8').slice(logFrom2), (l) => accepted.test(l))).toMatch(accepted);
  });

  it('says which secret reference the server refused, never its value', async () => {
    const other = execFileSync('sh', ['-c', `d=$(mktemp -d) && ssh-keygen -q -t ed25519 -N '' -f $d/k && cat $d/k && rm -r $d`], { encoding: 'utf8' });
    const secrets = new SecretResolver({ CS_KEY: other, CS_PW: 'hunter2-do-not-print' });
    const resolve = (ref: string) => secrets.resolve(ref);

    const byKey = await new SshConsole(target, resolve).open().catch((e: Error) => e);
    expect(byKey).toBeInstanceOf(ConsoleError);
    expect((byKey as Error).message).toBe(`ssh-console ${user}@127.0.0.1:${sshd.port}: the console server refused the private key from env:CS_KEY; check that it is authorized for ${user} there`);

    const byPassword = await new SshConsole({ ...target, privateKeyRef: undefined, passwordRef: 'env:CS_PW' }, resolve).open().catch((e: Error) => e);
    expect((byPassword as Error).message).toBe(`ssh-console ${user}@127.0.0.1:${sshd.port}: the console server refused the password from env:CS_PW; check that it is authorized for ${user} there`);
    expect((byPassword as Error).message).not.toContain('hunter2');

    const unset = await new SshConsole({ ...target, privateKeyRef: 'env:CS_NOPE' }, resolve).open().catch((e: Error) => e);
    expect((unset as Error).message).toBe(`ssh-console ${user}@127.0.0.1:${sshd.port}: secret env:CS_NOPE: environment variable CS_NOPE is not set on this agent`);
  });

  it('reconnects after the SSH server kills the session and records the gap (inventory -> createDrivers)', async () => {
    const machine = InventoryMachineSchema.parse({
      name: 'm1', arch: 'x86_64', platform: 'x86-server', memoryMiB: 1024,
      power: { driver: 'ipmi', host: '127.0.0.1', username: 'admin', passwordRef: 'env:BMC_PW' },
      console: { driver: 'ssh-console', host: '127.0.0.1', port: sshd.port, username: user, privateKeyRef: 'env:CS_KEY', hostKeySha256: sshd.hostKeyFingerprint, command: target.command },
      boot: { method: 'netboot', stagingDir: join(sshd.dir, 'next') },
    });
    const { console: driver } = createDrivers(machine, new SecretResolver({ CS_KEY: sshd.clientKey }));
    const c = await driver.open();
    const w = watch(c);
    await eventually(async () => w.text, (t) => /^boot \d+ line 20\n$/m.test(t));
    // Sessions are numbered by the console port; this test's first one is whichever number it got.
    const first = Number(/^boot (\d+) /.exec(w.text)?.[1]) - 1;
    expect(w.text).toBe(linesOf(first + 1));

    expect(sshd.killSessions()).toBeGreaterThan(0);
    await eventually(async () => w.text, (t) => t.endsWith(linesOf(first + 2)));
    const gap = `\r\n[pfnlab: console connection lost (ssh-console ${user}@127.0.0.1:${sshd.port}: the console server closed the session); reconnecting]\r\n`;
    expect(w.text).toMatch(new RegExp(`^${escapeRe(linesOf(first + 1) + gap + linesOf(first + 2))}$`));

    // Input now goes to the new session.
    c.write('after\r');
    await eventually(async () => port.sessions[first + 1].received, (r) => r === 'after\r');
    expect(port.sessions[first + 1].received).toBe('after\r');

    await c.close();
    expect(w.closed).toEqual(['closed by pfnlab']);
    await new Promise((r) => setTimeout(r, 500));
    expect(port.sessions.length).toBe(first + 2);
  });
});

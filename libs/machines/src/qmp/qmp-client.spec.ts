import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { QmpClient, QmpError } from './qmp-client';

/* QmpClient against a local unix-socket server speaking QMP (a real socket, no mocks). */

type Handler = (msg: Record<string, unknown>, s: net.Socket) => void;

async function fakeQemu(handle: Handler, greet = true): Promise<{ path: string; sockets: net.Socket[]; received: Array<Record<string, unknown>>; close: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfnlab-qmp-'));
  const p = path.join(dir, 'qmp.sock');
  const sockets: net.Socket[] = [];
  const received: Array<Record<string, unknown>> = [];
  const srv = net.createServer((s) => {
    sockets.push(s);
    if (greet) s.write('{"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}}, "capabilities": []}}\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        received.push(msg);
        if (msg.execute === 'qmp_capabilities') s.write(`${JSON.stringify({ return: {}, id: msg.id })}\n`);
        else handle(msg, s);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(p, r));
  return {
    path: p, sockets, received,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const reply = (s: net.Socket, msg: Record<string, unknown>, body: Record<string, unknown>) => s.write(`${JSON.stringify({ ...body, id: msg.id })}\n`);

describe('QmpClient', () => {
  it('negotiates capabilities, answers commands by id, and rejects a QEMU error with a QmpError naming the command', async () => {
    const q = await fakeQemu((msg, s) => {
      if (msg.execute === 'qom-get') reply(s, msg, { return: 268435456 });
      else reply(s, msg, { error: { class: 'GenericError', desc: `Duplicate ID 'pfnlab-dimm1' for device` } });
    });
    const c = await QmpClient.connect(q.path);
    try {
      expect(q.received[0]).toMatchObject({ execute: 'qmp_capabilities' });
      expect(await c.cmd('qom-get', { path: 'vm0', property: 'requested-size' })).toBe(268435456);
      expect(q.received[1]).toEqual({ execute: 'qom-get', arguments: { path: 'vm0', property: 'requested-size' }, id: expect.stringMatching(/^pfnlab-\d+$/) });
      const err = (await c.cmd('device_add', { driver: 'pc-dimm', id: 'pfnlab-dimm1', memdev: 'pfnlab-mem1' }).catch((e: QmpError) => e)) as QmpError;
      expect(err).toBeInstanceOf(QmpError);
      expect(err).toMatchObject({ command: 'device_add', errorClass: 'GenericError' });
      expect(err.message).toBe(`QMP device_add: GenericError: Duplicate ID 'pfnlab-dimm1' for device`);
    } finally {
      c.close();
      q.close();
    }
  });

  it('survives hostile lines (not JSON, not an object, unknown ids) and counts them', async () => {
    const q = await fakeQemu((msg, s) => {
      s.write('this is not json\n[1,2,3]\nnull\n{"return": {}, "id": "someone-else"}\n{"return"\n');
      reply(s, msg, { return: { ok: true } });
    });
    const c = await QmpClient.connect(q.path);
    try {
      expect(await c.cmd('query-status')).toEqual({ ok: true });
      expect(c.badLines).toBe(5);
      expect(c.badLineSamples[0]).toBe('this is not json');
    } finally {
      c.close();
      q.close();
    }
  });

  it('a command without an answer times out with an error naming it; a closed connection fails pending and later commands', async () => {
    const q = await fakeQemu((msg, s) => {
      if (msg.execute === 'quit') s.destroy();
    });
    const c = await QmpClient.connect(q.path);
    try {
      await expect(c.cmd('query-memory-devices', undefined, { timeoutMs: 50 })).rejects.toThrow(`QMP query-memory-devices at ${q.path}: no answer within 50 ms`);
      await expect(c.cmd('quit')).rejects.toThrow(`QMP quit at ${q.path}: connection closed by QEMU before the answer`);
      await expect(c.cmd('query-status')).rejects.toThrow(/^QMP query-status at .*: connection closed by QEMU$/);
      await expect(c.cmd('bad name; rm')).rejects.toThrow(/not a command name/);
    } finally {
      c.close();
      q.close();
    }
  });

  it('collects events; waitEvent from a mark sees only the events that came after it', async () => {
    const q = await fakeQemu((msg, s) => {
      if (msg.execute === 'device_del') {
        reply(s, msg, { return: {} });
        setTimeout(() => s.write(`${JSON.stringify({ event: 'ACPI_DEVICE_OST', data: { info: { device: 'pfnlab-dimm1' } } })}\n`), 5);
        setTimeout(() => s.write(`${JSON.stringify({ event: 'DEVICE_DELETED', data: { device: 'pfnlab-dimm1', path: '/machine/peripheral/pfnlab-dimm1' } })}\n`), 20);
      } else if (msg.execute === 'stuck_del') reply(s, msg, { return: {} });
    });
    const c = await QmpClient.connect(q.path);
    try {
      q.sockets[0].write('{"event": "DEVICE_DELETED", "data": {"device": "pfnlab-dimm1"}}\n');
      await c.waitEvent('DEVICE_DELETED', { device: 'pfnlab-dimm1' }, 1000);
      expect(c.eventMark()).toBe(1);
      // the old event must not complete a new device_del
      const mark = c.eventMark();
      await c.cmd('stuck_del', { id: 'pfnlab-dimm1' });
      await expect(c.waitEvent('DEVICE_DELETED', { device: 'pfnlab-dimm1' }, 60, mark))
        .rejects.toThrow(`QMP event DEVICE_DELETED {"device":"pfnlab-dimm1"} not seen within 60 ms at ${q.path}`);
      const mark2 = c.eventMark();
      await c.cmd('device_del', { id: 'pfnlab-dimm1' });
      expect(await c.waitEvent('DEVICE_DELETED', { device: 'pfnlab-dimm1' }, 2000, mark2)).toMatchObject({ seq: 2 });
      expect(c.events().map((e) => `${e.seq}:${e.event}`)).toEqual(['0:DEVICE_DELETED', '1:ACPI_DEVICE_OST', '2:DEVICE_DELETED']);
      expect(c.events()[2].data).toEqual({ device: 'pfnlab-dimm1', path: '/machine/peripheral/pfnlab-dimm1' });
    } finally {
      c.close();
      q.close();
    }
  });

  it('no greeting, nothing listening, or an endless line: errors that name the socket', async () => {
    const silent = await fakeQemu(() => undefined, false);
    await expect(QmpClient.connect(silent.path, { connectTimeoutMs: 100 })).rejects.toThrow(`QMP at ${silent.path}: cannot connect: no QMP greeting at ${silent.path}`);
    silent.close();
    await expect(QmpClient.connect('/nonexistent/qmp.sock')).rejects.toThrow(/^QMP at \/nonexistent\/qmp.sock: cannot connect: .*ENOENT/);

    const flood = await fakeQemu((msg, s) => s.write('x'.repeat(5000)));
    const c = await QmpClient.connect(flood.path, { maxLineBytes: 4096 });
    try {
      await expect(c.cmd('query-status')).rejects.toThrow(`QMP query-status at ${flood.path}: a line longer than 4096 bytes before the answer`);
    } finally {
      c.close();
      flood.close();
    }
  });
});

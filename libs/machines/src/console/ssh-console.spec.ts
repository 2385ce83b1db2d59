import { execFileSync } from 'node:child_process';
import { ConsoleError } from './console-driver';
import { remoteCommandLine, SshConsole } from './ssh-console';

describe('remoteCommandLine', () => {
  const hostile = ["a'b", '$(x)', ';', '`id`', 'a b', '*', '', "'", '\\', 'x\ny', '$HOME', '&& true', '|', '>out', '#c'];

  it('single-quotes what the shell would interpret and leaves plain words alone', () => {
    expect(remoteCommandLine(['socat', '-,raw,echo=0', 'TCP:cs1.lab:7001'])).toBe('socat -,raw,echo=0 TCP:cs1.lab:7001');
    expect(remoteCommandLine(['console', "a'b", '$(x)', ';', ''])).toBe(`console 'a'\\''b' '$(x)' ';' ''`);
  });

  it('hands a POSIX shell each element as exactly one literal argument', () => {
    // The remote login shell does what `sh -c` does here: parse the one string ssh exec sends.
    const out = execFileSync('/bin/sh', ['-c', remoteCommandLine(['printf', '<%s>\\n', ...hostile])], { encoding: 'utf8' });
    expect(out).toBe(hostile.map((a) => `<${a}>\n`).join(''));
  });
});

describe('SshConsole configuration', () => {
  const target = { host: 'cs1.lab', port: 22, username: 'ops' };

  it('describes itself by user, host and port', () => {
    expect(new SshConsole(target, () => 'x').describe).toBe('ssh-console ops@cs1.lab:22');
  });

  it('fails an open without a credential, and names the secret reference it could not resolve', async () => {
    await expect(new SshConsole(target, () => 'x').open()).rejects.toThrow(new ConsoleError('ssh-console ops@cs1.lab:22: no credential configured (set console.privateKeyRef or console.passwordRef)'));
    const missing = (ref: string): string => {
      throw new Error(`secret ${ref}: environment variable CS_KEY is not set on this agent`);
    };
    await expect(new SshConsole({ ...target, privateKeyRef: 'env:CS_KEY' }, missing).open()).rejects.toThrow(
      new ConsoleError('ssh-console ops@cs1.lab:22: secret env:CS_KEY: environment variable CS_KEY is not set on this agent'),
    );
  });

  it('says which reference holds an unusable private key without echoing it', async () => {
    const c = new SshConsole({ ...target, privateKeyRef: 'file:/etc/pfnlab/cs-key' }, () => 'not-a-key-SECRETVALUE');
    const err = await c.open().catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConsoleError);
    expect((err as Error).message).toMatch(/^ssh-console ops@cs1\.lab:22: the private key from file:\/etc\/pfnlab\/cs-key cannot be used \(Cannot parse privateKey/);
    expect((err as Error).message).not.toContain('SECRETVALUE');
  });
});

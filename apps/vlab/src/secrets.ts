import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from './exec';
import { VlabPaths } from './paths';

/*
 * The vlab's secrets, generated once per data directory and kept as files
 * (mode 0600) that the inventory references with `file:` paths.
 */
export interface VlabSecrets {
  bmcPasswordFile: string;
  hmcPasswordFile: string;
  sshKeyFile: string;
  sshPublicKey: string;
  tlsKeyFile: string;
  tlsCertFile: string;
}

export const BMC_USER = 'admin';
export const HMC_USER = 'vlabhmc';

export async function ensureSecrets(paths: VlabPaths): Promise<VlabSecrets> {
  const dir = paths.secrets;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const pw = (name: string) => {
    const f = path.join(dir, name);
    // ipmi_sim limits passwords to 16 characters (IPMI 1.5 length); letters and digits only.
    if (!fs.existsSync(f)) fs.writeFileSync(f, randomBytes(12).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 16) + '\n', { mode: 0o600 });
    return f;
  };
  const bmcPasswordFile = pw('bmc-password');
  const hmcPasswordFile = pw('hmc-password');
  const sshKeyFile = path.join(dir, 'id_ed25519');
  if (!fs.existsSync(sshKeyFile) || !fs.existsSync(sshKeyFile + '.pub')) {
    fs.rmSync(sshKeyFile, { force: true });
    fs.rmSync(sshKeyFile + '.pub', { force: true });
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'pfnlab-vlab', '-f', sshKeyFile]);
  }
  const tlsKeyFile = path.join(dir, 'tls.key');
  const tlsCertFile = path.join(dir, 'tls.crt');
  if (!fs.existsSync(tlsKeyFile) || !fs.existsSync(tlsCertFile)) {
    await run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', tlsKeyFile, '-out', tlsCertFile]);
    fs.chmodSync(tlsKeyFile, 0o600);
  }
  return {
    bmcPasswordFile, hmcPasswordFile, sshKeyFile,
    sshPublicKey: fs.readFileSync(sshKeyFile + '.pub', 'utf8').trim(),
    tlsKeyFile, tlsCertFile,
  };
}

export const readSecret = (file: string) => fs.readFileSync(file, 'utf8').replace(/\n$/, '');

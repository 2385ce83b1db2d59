import type { PowerFailure, PowerState } from './power-driver';
import type { CommandResult } from '../exec/run-command';

/*
 * What ipmitool's output means. ipmitool reports every session failure with
 * the same last line ("Unable to establish IPMI v2 / RMCP+ session"); the
 * cause is only in the verbose (-v) lines before it, which is why the driver
 * runs it with -v and this module reads them.
 */

/** `chassis power status` → on/off; undefined if the text says neither. */
export function parsePowerStatus(stdout: string): PowerState | undefined {
  const m = /Chassis Power is (on|off)/i.exec(stdout);
  return m ? (m[1].toLowerCase() as PowerState) : undefined;
}

export interface IpmitoolFailure {
  failure: PowerFailure;
  /** What went wrong and what an admin can do; never contains a secret. */
  message: string;
}

/** Lines worth quoting: the verbose chatter of -v is dropped. */
function interestingLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/^>\s*/, '').trim())
    .filter((l) => l && !/^(Loading IANA PEN Registry|Running Get VSO Capabilities|Discovered IPMB address|Invalid completion code received: Invalid command)/.test(l));
}

export interface FailureContext {
  /** e.g. "ipmi 127.0.0.1:623" */
  bmc: string;
  /** e.g. "chassis power on" */
  operation: string;
  passwordRef: string;
  username: string;
  cipherSuite: number;
  timeoutMs: number;
}

export function classifyIpmitoolFailure(r: CommandResult, c: FailureContext): IpmitoolFailure {
  const text = `${r.stderr}\n${r.stdout}`;
  const quoted = interestingLines(text).slice(-2).join(' | ');
  const tail = quoted ? ` (ipmitool: ${quoted})` : '';
  const what = `${c.bmc}: ${c.operation} failed`;
  if (r.spawnError) {
    return { failure: 'protocol', message: `${what}: cannot run ipmitool (${r.spawnError}); install the ipmitool package on this agent` };
  }
  if (r.timedOut) {
    return { failure: 'timeout', message: `${what}: no answer within ${Math.round(c.timeoutMs / 1000)} s; check that the BMC is powered and reachable from this agent` };
  }
  if (/RAKP 2 HMAC is invalid|RAKP 2 message indicates an error|unauthorized name|invalid user ?name|Invalid user|password/i.test(text)) {
    return {
      failure: 'auth',
      message: `${what}: the BMC rejected user "${c.username}"; check the BMC credentials (passwordRef ${c.passwordRef}, username ${c.username})${tail}`,
    };
  }
  if (/invalid (authentication|integrity|confidentiality) algorithm|no matching cipher suite/i.test(text)) {
    return { failure: 'protocol', message: `${what}: the BMC does not accept cipher suite ${c.cipherSuite}; set power.cipherSuite to one it supports${tail}` };
  }
  if (/Insufficient privilege/i.test(text)) {
    return { failure: 'auth', message: `${what}: user "${c.username}" lacks the privilege; give it ADMINISTRATOR or OPERATOR on the BMC${tail}` };
  }
  if (/Unable to establish IPMI v2|Get Session Challenge command failed|No response|Connection refused|Address lookup for .* failed|Unable to establish LAN session/i.test(text)) {
    return { failure: 'unreachable', message: `${what}: the BMC does not answer; check that it is powered and that UDP ${c.bmc.replace(/^\S+ /, '')} is reachable from this agent${tail}` };
  }
  if (/Invalid data field|Invalid command|not supported|Command failed|failed:|Unknown/i.test(text)) {
    return { failure: 'refused', message: `${what}: the BMC refused the command${tail}` };
  }
  return { failure: 'protocol', message: `${what}: exit ${r.code ?? 'killed'}${tail}` };
}

/** The SOL "already inactive" answer that `sol deactivate` gives when nothing is to be done. */
export function isSolAlreadyInactive(text: string): boolean {
  return /already de-?activated|not active|SOL payload already de-activated/i.test(text);
}

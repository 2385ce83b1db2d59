import { classifyIpmitoolFailure, isSolAlreadyInactive, parsePowerStatus } from './ipmitool-output';

const ctx = { bmc: 'ipmi 10.0.0.5:623', operation: 'chassis power on', passwordRef: 'file:/etc/pfnlab/bmc-pw', username: 'admin', cipherSuite: 3, timeoutMs: 20_000 };
const fail = (stderr: string, extra: Partial<{ timedOut: boolean; spawnError: string; stdout: string }> = {}) =>
  classifyIpmitoolFailure({ code: extra.timedOut || extra.spawnError ? null : 1, stdout: extra.stdout ?? '', stderr, timedOut: !!extra.timedOut, spawnError: extra.spawnError }, ctx);

describe('ipmitool output', () => {
  it('parses chassis power status', () => {
    expect(parsePowerStatus('Chassis Power is on\n')).toBe('on');
    expect(parsePowerStatus('Chassis Power is off\n')).toBe('off');
    expect(parsePowerStatus('Set Chassis Power Control to Up/On failed\n')).toBeUndefined();
  });

  it('tells a wrong password (verbose RAKP lines) from a BMC that does not answer', () => {
    const auth = fail('Loading IANA PEN Registry...\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session\n');
    expect(auth.failure).toBe('auth');
    expect(auth.message).toBe(
      'ipmi 10.0.0.5:623: chassis power on failed: the BMC rejected user "admin"; check the BMC credentials (passwordRef file:/etc/pfnlab/bmc-pw, username admin)' +
        ' (ipmitool: RAKP 2 HMAC is invalid | Error: Unable to establish IPMI v2 / RMCP+ session)',
    );
    expect(fail('RAKP 2 message indicates an error : unauthorized name\nError: Unable to establish IPMI v2 / RMCP+ session\n').failure).toBe('auth');
    const silent = fail('Error issuing Get Channel Authentication Capabilities request\nError: Unable to establish IPMI v2 / RMCP+ session\n');
    expect(silent.failure).toBe('unreachable');
    expect(silent.message).toMatch(/the BMC does not answer; check that it is powered and that UDP 10\.0\.0\.5:623 is reachable/);
  });

  it('maps timeouts, refusals, cipher mismatches and a missing ipmitool', () => {
    expect(fail('', { timedOut: true })).toEqual({ failure: 'timeout', message: 'ipmi 10.0.0.5:623: chassis power on failed: no answer within 20 s; check that the BMC is powered and reachable from this agent' });
    expect(fail('Set Chassis Boot Parameter 5 failed: Invalid data field in request\n').failure).toBe('refused');
    expect(fail('Error in open session response message : invalid authentication algorithm\n').message).toMatch(/does not accept cipher suite 3; set power\.cipherSuite/);
    expect(fail('', { spawnError: 'ENOENT' }).message).toMatch(/cannot run ipmitool \(ENOENT\); install the ipmitool package/);
  });

  it('knows the "nothing to deactivate" answer of sol deactivate', () => {
    expect(isSolAlreadyInactive('Info: SOL payload already de-activated\n')).toBe(true);
    expect(isSolAlreadyInactive('Error: Unable to establish IPMI v2 / RMCP+ session\n')).toBe(false);
  });
});

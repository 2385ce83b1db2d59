/** What a machine's power looks like from its management controller. */
export type PowerState = 'on' | 'off' | 'unknown';

/** Why a power operation failed; every kind is a lab fault (ERROR), never the kernel's. */
export type PowerFailure = 'unreachable' | 'auth' | 'refused' | 'timeout' | 'protocol';

export class PowerError extends Error {
  constructor(
    message: string,
    readonly failure: PowerFailure,
  ) {
    super(message);
  }
}

/**
 * Power control of one machine through its BMC or HMC (IPMI, Redfish, HMC).
 * Every method fails with PowerError naming the controller and what an
 * admin can do; none hangs past its timeout.
 */
export interface PowerDriver {
  /** e.g. "ipmi 127.0.0.1:48104" for messages. */
  readonly describe: string;
  status(): Promise<PowerState>;
  on(): Promise<void>;
  off(): Promise<void>;
  /** Off then on (the machine boots again, consuming any one-shot staging). */
  cycle(): Promise<void>;
  reset(): Promise<void>;
  /** Releases what the driver holds between calls (an HMC API session: logoff). Optional; idempotent. */
  close?(): Promise<void>;
}

import type { InventoryMachine } from '@pfnlab/contracts';

/** A tests: entry after parsing (the bare-name shorthand has no timeout). */
export type TestEntry = { name: string; params: Params; timeoutSeconds?: number };
type Params = Record<string, string | number | boolean>;

/** The add/remove methods of an inventory's hotplug.methods, and those the agent drives itself over QMP. */
export const ADD_REMOVE_METHODS = ['pc-dimm', 'virtio-mem', 'acpi-dimm', 'dlpar', 's390-standby'] as const;
export type AddRemoveMethod = (typeof ADD_REMOVE_METHODS)[number];
const QMP_METHODS: readonly AddRemoveMethod[] = ['pc-dimm', 'virtio-mem'];
/** What a lab hook would have to do for the other methods (hotplugAddRemovePlan's hook steps). */
const HOOKS: Record<Exclude<AddRemoveMethod, 'pc-dimm' | 'virtio-mem'>, string> = { 'acpi-dimm': 'acpi-add, acpi-eject', dlpar: 'dlpar-add, dlpar-remove', 's390-standby': 'standby-attach, standby-detach' };
export const ONLINE_TYPES = ['online_movable', 'online', 'online_kernel', 'none'] as const;

/** A validated host-driven add/remove: what HotplugAddRemoveRunner does. */
export interface HotplugAddRemoveParams {
  method: 'pc-dimm' | 'virtio-mem';
  qmpSocket: string;
  /** Absent: two of the guest's memory blocks. */
  sizeMiB?: number;
  cycles: number;
  online: (typeof ONLINE_TYPES)[number];
  /** How long the guest waits for blocks to appear or go (each wait). */
  timeoutS: number;
}

/** What runs for a tests: entry: a payload script with its arguments, a host-driven add/remove, or why it cannot run here. */
export type PayloadCommand = { script: string; args: string[] } | { hotplug: HotplugAddRemoveParams } | { skip: string };

/** The parts of a machine's inventory entry a payload depends on. */
export type PayloadMachine = Pick<InventoryMachine, 'name' | 'arch' | 'hotplug'>;

interface IntParam {
  name: string;
  min: number;
  max: number;
  default?: number;
}

interface PayloadDef {
  ints: IntParam[];
  enums?: Record<string, readonly string[]>;
}

/** The payloads a job can name, their scripts (libs/payloads/sh) and parameters, as data. */
const PAYLOADS: Record<string, PayloadDef & ({ script: string } | { hostDriven: true })> = {
  'hotplug-offline-online': {
    script: 'hotplug-offline-online.sh',
    ints: [{ name: 'iterations', min: 1, max: 10000, default: 5 }, { name: 'blocks', min: 1, max: 4096, default: 4 }],
    enums: { policy: ['movable', 'any'] },
  },
  'pfn-walk': { script: 'pfn-walk.sh', ints: [{ name: 'iterations', min: 1, max: 100, default: 1 }] },
  'zone-device': { script: 'zone-device.sh', ints: [{ name: 'iterations', min: 1, max: 10000, default: 5 }] },
  // The host plugs and unplugs (QMP here; ACPI, DLPAR, s390 standby through lab hooks): HotplugAddRemoveRunner.
  'hotplug-add-remove': {
    hostDriven: true,
    ints: [{ name: 'cycles', min: 1, max: 1000, default: 3 }, { name: 'size_mib', min: 1, max: 1024 * 1024 }, { name: 'timeout_s', min: 1, max: 3600, default: 120 }],
    enums: { method: ADD_REMOVE_METHODS, online: ONLINE_TYPES },
  },
};

export const PAYLOAD_NAMES = Object.keys(PAYLOADS);

/**
 * Validates a tests: entry's parameters against its payload (and, for the
 * host-driven ones, against the machine's inventory) and builds the
 * command; never a shell string.
 */
export function payloadCommand(test: TestEntry, machine?: PayloadMachine): PayloadCommand {
  const p = Object.hasOwn(PAYLOADS, test.name) ? PAYLOADS[test.name] : undefined;
  if (!p) return { skip: `no payload named ${test.name} (known: ${PAYLOAD_NAMES.join(', ')})` };
  const known = new Set([...p.ints.map((i) => i.name), ...Object.keys(p.enums ?? {})]);
  const unknown = Object.keys(test.params).filter((k) => !known.has(k));
  if (unknown.length) return { skip: `${test.name} has no parameter ${unknown.join(', ')} (it takes ${[...known].join(', ')})` };
  const ints: Record<string, number | undefined> = {};
  for (const i of p.ints) {
    const v = intParam(test.params, i);
    if (typeof v === 'string') return { skip: `${test.name}: ${v}` };
    ints[i.name] = v;
  }
  const enums: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(p.enums ?? {})) {
    const v = test.params[name];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !values.includes(v)) return { skip: `${test.name}: ${name} must be one of ${values.join(', ')}` };
    enums[name] = v;
  }
  if ('hostDriven' in p) return hotplugCommand(ints, enums, machine);
  const args = p.ints.map((i) => String(ints[i.name]));
  for (const name of Object.keys(p.enums ?? {})) if (enums[name] !== undefined) args.push(enums[name]!);
  return { script: p.script, args };
}

/** hotplug-add-remove: the method (given, or the machine's first QMP-capable one) must be one the agent can drive on this machine. */
function hotplugCommand(ints: Record<string, number | undefined>, enums: Record<string, string | undefined>, machine?: PayloadMachine): PayloadCommand {
  const name = 'hotplug-add-remove';
  if (!machine) return { skip: `${name} needs the machine's inventory (hotplug.methods)` };
  const listed = machine.hotplug?.methods ?? [];
  const methods = listed.filter((m): m is AddRemoveMethod => (ADD_REMOVE_METHODS as readonly string[]).includes(m));
  let method = enums.method as AddRemoveMethod | undefined;
  if (method && !methods.includes(method)) {
    return { skip: `${name}: method ${method} is not one of ${machine.name}'s hotplug methods (inventory hotplug.methods: ${listed.join(', ') || 'none'})` };
  }
  method ??= methods.find((m) => QMP_METHODS.includes(m)) ?? methods[0];
  if (!method) {
    return { skip: `${name}: ${machine.name} has no add/remove method in its inventory (hotplug.methods: ${listed.join(', ') || 'none'}); it needs pc-dimm or virtio-mem with hotplug.qmpSocket, or ${Object.keys(HOOKS).join(', ')} with a lab hook` };
  }
  if (method !== 'pc-dimm' && method !== 'virtio-mem') {
    return { skip: `${name}: method ${method} is done by a lab hotplug hook (${HOOKS[method]}) and this agent has none configured` };
  }
  const qmpSocket = machine.hotplug?.qmpSocket;
  if (!qmpSocket) return { skip: `${name}: method ${method} needs hotplug.qmpSocket in ${machine.name}'s inventory (the agent drives it over QMP)` };
  // ppc64 pseries onlines hot-added LMBs itself: no online phase unless the job asks for one.
  const online = (enums.online as HotplugAddRemoveParams['online'] | undefined) ?? (machine.arch === 'ppc64le' && method === 'pc-dimm' ? 'none' : 'online_movable');
  return {
    hotplug: {
      method, qmpSocket, cycles: ints.cycles!, online, timeoutS: ints.timeout_s!,
      ...(ints.size_mib !== undefined ? { sizeMiB: ints.size_mib } : {}),
    },
  };
}

function intParam(params: Params, p: IntParam): number | undefined | string {
  const v = params[p.name];
  if (v === undefined) return p.default;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < p.min || v > p.max) return `${p.name} must be an integer from ${p.min} to ${p.max}`;
  return v;
}

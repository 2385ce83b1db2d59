import { z } from 'zod';
import { ArchSchema, PlatformSchema } from './arch';
import { NameSchema, CmdlineParamSchema, SafePathSchema } from './safe-strings';

/*
 * The lab inventory: one YAML file per lab site that the agent reads. The
 * virtual lab writes one in exactly this format, so virtual and real machines
 * go through the same code; only addresses and credentials differ.
 * Credentials are never inline: they are references resolved on the agent.
 */

/** Kinds of credential the server can hold (encrypted) for a machine. */
export const STORED_SECRET_KINDS = ['power-password', 'console-password', 'ssh-password', 'ssh-private-key'] as const;
export type StoredSecretKind = (typeof STORED_SECRET_KINDS)[number];

/**
 * Where a credential comes from: `env:NAME` (an environment variable of the
 * agent), `file:/abs/path` (a file on the agent, trailing newline dropped), or
 * `stored:KIND` (held encrypted by the server, sent to the agent for a run).
 */
export const SecretRefSchema = z
  .string()
  .max(512)
  .regex(
    /^(?:env:[A-Z_][A-Z0-9_]{0,127}|file:\/[A-Za-z0-9._/+@=-]{1,500}|stored:(?:power-password|console-password|ssh-password|ssh-private-key))$/,
    'must be a secret reference: env:NAME, file:/absolute/path or stored:KIND',
  );
export type SecretRef = z.infer<typeof SecretRefSchema>;

const HostSchema = z.string().max(253).regex(/^[A-Za-z0-9.:-]+$/, 'is not a host name or IP address');
const PortSchema = z.number().int().min(1).max(65535);

export const IpmiPowerSchema = z.strictObject({
  driver: z.literal('ipmi'),
  host: HostSchema,
  port: PortSchema.default(623),
  username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._@-]+$/),
  passwordRef: SecretRefSchema,
  /** ipmitool -C; ipmi_sim and many BMCs want 3. */
  cipherSuite: z.number().int().min(0).max(17).default(3),
});
export const RedfishPowerSchema = z.strictObject({
  driver: z.literal('redfish'),
  baseUrl: z.string().max(512).regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+(?::\d+)?\/?$/, 'must be http(s)://host[:port]'),
  systemId: z.string().max(128).regex(/^[A-Za-z0-9._-]+$/).optional(),
  username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._@-]+$/),
  passwordRef: SecretRefSchema,
  /** SHA-256 fingerprint of the BMC's certificate; pinned when set. */
  certSha256: z.string().regex(/^[0-9A-Fa-f:]{64,95}$/).optional(),
});
export const HmcPowerSchema = z.strictObject({
  driver: z.literal('hmc'),
  baseUrl: z.string().max(512).regex(/^https:\/\/[A-Za-z0-9.:[\]-]+(?::\d+)?\/?$/, 'must be https://host[:port]'),
  username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._@-]+$/),
  passwordRef: SecretRefSchema,
  cpc: NameSchema,
  lpar: NameSchema,
  /** Known-good IPL device (device number, e.g. 0.0.1234 -> "01234" style load address). */
  loadAddress: z.string().regex(/^[0-9A-Fa-f.]{1,9}$/),
  loadParameter: z.string().max(8).regex(/^[A-Za-z0-9.]*$/).default(''),
  certSha256: z.string().regex(/^[0-9A-Fa-f:]{64,95}$/).optional(),
});
export const PowerSchema = z.discriminatedUnion('driver', [IpmiPowerSchema, RedfishPowerSchema, HmcPowerSchema]);
export type PowerConfig = z.infer<typeof PowerSchema>;

export const ConsoleSchema = z.discriminatedUnion('driver', [
  /** Serial-over-LAN through the same BMC as power (ipmi power settings are reused). */
  z.strictObject({ driver: z.literal('ipmi-sol'), instance: z.number().int().min(1).max(15).default(1) }),
  /** Raw TCP (QEMU chardev socket, ser2net raw). */
  z.strictObject({ driver: z.literal('tcp'), host: HostSchema, port: PortSchema }),
  /** Telnet / RFC 2217 (ser2net telnet ports). */
  z.strictObject({ driver: z.literal('telnet'), host: HostSchema, port: PortSchema }),
  /** conserver: `console -M host -p port NAME`. */
  z.strictObject({ driver: z.literal('conserver'), host: HostSchema, port: PortSchema.default(782), name: NameSchema, username: z.string().max(64).regex(/^[A-Za-z0-9._@-]+$/).optional(), passwordRef: SecretRefSchema.optional() }),
  /**
   * SSH to a console server: either it drops you onto the port at login
   * (`ssh -p 2001 user@cs`), or `command` runs the console client there
   * (`console NAME`, `socat -,raw,echo=0 TCP:cs:7001`).
   */
  z
    .strictObject({
      driver: z.literal('ssh-console'),
      host: HostSchema,
      port: PortSchema.default(22),
      username: z.string().max(64).regex(/^[A-Za-z0-9._@-]+$/),
      privateKeyRef: SecretRefSchema.optional(),
      passwordRef: SecretRefSchema.optional(),
      /** Pinned host key of the console server, `SHA256:base64` as ssh-keygen -lf prints it. */
      hostKeySha256: z.string().max(128).regex(/^SHA256:[A-Za-z0-9+/=]{20,100}$/).optional(),
      /** argv of the console client on the server; each element in the shell-safe grammar of payload parameter values. */
      command: z.array(z.string().min(1).max(256).regex(/^[A-Za-z0-9_.,:/@%+=-]+$/, 'is not a safe command argument (letters, digits, "_.,:/@%+=-")')).min(1).max(32).optional(),
    })
    .refine((c) => c.privateKeyRef !== undefined || c.passwordRef !== undefined, { message: 'needs privateKeyRef or passwordRef', path: ['privateKeyRef'] }),
  /** The HMC's "Operating System Messages" of the LPAR (hmc power settings are reused). */
  z.strictObject({ driver: z.literal('hmc') }),
]);
export type ConsoleConfig = z.infer<typeof ConsoleSchema>;

/** An s390 channel device bus id, cssid.ssid.devno. */
const CcwDeviceSchema = z.string().regex(/^[0-9a-f]\.[0-3]\.[0-9a-f]{4}$/, 'is not a ccw device bus id like 0.0.0100');

export const BOOT_METHODS = ['netboot', 'kexec', 'grub-oneshot', 'petitboot', 'zipl', 'direct'] as const;
export const BootSchema = z.strictObject({
  method: z.enum(BOOT_METHODS),
  /** Console and earlycon parameters this machine needs; appended to every test kernel's command line. */
  consoleParams: z.array(CmdlineParamSchema).max(16).default([]),
  earlyconParams: z.array(CmdlineParamSchema).max(8).default([]),
  /** Where the agent stages netboot files (netboot) or the firmware finds them. */
  stagingDir: SafePathSchema.optional(),
  /** Line that says the known-good OS is up (used by health checks and recovery). */
  readyMarker: z.string().max(200).optional(),
  /** kexec, petitboot, grub-oneshot, zipl: where the test kernel is uploaded on the machine (defaults per method). */
  remoteDir: SafePathSchema.optional(),
  /** grub-oneshot: GRUB's directory (default /boot/grub) and the mount point of GRUB's root device (default /boot). */
  grubDir: SafePathSchema.optional(),
  grubRootDir: SafePathSchema.optional(),
  /** zipl: the ccw device holding remoteDir (boot record and re-IPL target), and the known-good IPL device. */
  reiplDevice: CcwDeviceSchema.optional(),
  knownGoodReiplDevice: CcwDeviceSchema.optional(),
}).refine((b) => b.method !== 'zipl' || b.reiplDevice, { message: 'zipl needs reiplDevice: the ccw device (e.g. 0.0.0100) its boot record goes to', path: ['reiplDevice'] });
export type BootConfig = z.infer<typeof BootSchema>;

export const SshSchema = z.strictObject({
  host: HostSchema,
  port: PortSchema.default(22),
  username: z.string().min(1).max(64).regex(/^[A-Za-z0-9._@-]+$/),
  privateKeyRef: SecretRefSchema.optional(),
  passwordRef: SecretRefSchema.optional(),
  /** Pinned host key, `SHA256:base64` as ssh-keygen -lf prints it. Recorded once by an operator, then enforced. */
  hostKeySha256: z.string().max(128).regex(/^SHA256:[A-Za-z0-9+/=]{20,100}$/).optional(),
});
export type SshConfig = z.infer<typeof SshSchema>;

export const HOTPLUG_METHODS = ['offline-online', 'pc-dimm', 'virtio-mem', 'acpi-dimm', 'dlpar', 's390-standby', 'dax-kmem', 'test-hmm'] as const;
export const HotplugSchema = z.strictObject({
  methods: z.array(z.enum(HOTPLUG_METHODS)).max(8).default(['offline-online']),
  /** QMP socket of a virtual machine, for host-driven add/remove. */
  qmpSocket: SafePathSchema.optional(),
});

export const InventoryMachineSchema = z.strictObject({
  name: NameSchema,
  arch: ArchSchema,
  platform: PlatformSchema,
  memoryMiB: z.number().int().min(64).max(64 * 1024 * 1024),
  cpus: z.number().int().min(1).max(4096).default(1),
  tags: z.array(NameSchema).max(32).default([]),
  power: PowerSchema,
  console: ConsoleSchema,
  boot: BootSchema,
  ssh: SshSchema.optional(),
  hotplug: HotplugSchema.optional(),
  /** Free text for people. */
  description: z.string().max(500).optional(),
});
export type InventoryMachine = z.infer<typeof InventoryMachineSchema>;

export const InventorySchema = z.strictObject({
  version: z.literal(1),
  lab: NameSchema,
  machines: z.array(InventoryMachineSchema).max(2000).superRefine((machines, ctx) => {
    const seen = new Set<string>();
    machines.forEach((m, i) => {
      if (seen.has(m.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate machine name "${m.name}"` });
      seen.add(m.name);
    });
  }),
});
export type Inventory = z.infer<typeof InventorySchema>;

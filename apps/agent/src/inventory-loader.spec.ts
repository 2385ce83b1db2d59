import { InventoryError, parseInventory } from './inventory-loader';

const GOOD = `
version: 1
lab: vlab
machines:
  - name: z15-lpar-01
    arch: s390x
    platform: z15-lpar
    memoryMiB: 2048
    power: {driver: hmc, baseUrl: "https://127.0.0.1:9443", username: pfnlab, passwordRef: "file:/var/lib/pfnlab/hmc.pw", cpc: Z15A, lpar: LP01, loadAddress: "0.0.0100"}
    console: {driver: hmc}
    boot: {method: zipl, consoleParams: [console=ttysclp0], reiplDevice: 0.0.0100}
`;

describe('parseInventory', () => {
  it('accepts a valid inventory and fills defaults', () => {
    const inv = parseInventory(GOOD);
    expect(inv.machines[0]).toMatchObject({ name: 'z15-lpar-01', cpus: 1, tags: [], boot: { earlyconParams: [] } });
  });

  it('names every bad field and refuses inline passwords', () => {
    const bad = GOOD.replace('passwordRef: "file:/var/lib/pfnlab/hmc.pw"', 'password: hunter2');
    expect(() => parseInventory(bad, 'lab.yaml')).toThrow(InventoryError);
    try {
      parseInventory(bad, 'lab.yaml');
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/^lab\.yaml: invalid inventory/);
      expect(msg).toMatch(/machines\[0\]\.power\.password: unknown field "password"/);
      expect(msg).toMatch(/machines\[0\]\.power\.passwordRef/);
    }
  });

  it('refuses a zipl machine without the device its boot record goes to', () => {
    expect(() => parseInventory(GOOD.replace(', reiplDevice: 0.0.0100', ''), 'lab.yaml')).toThrow(/machines\[0\]\.boot\.reiplDevice: zipl needs reiplDevice/);
  });

  it('refuses two machines with one name', () => {
    expect(() => parseInventory(GOOD + GOOD.split('machines:\n')[1])).toThrow(/machines\[1\]\.name: duplicate machine name "z15-lpar-01"/);
  });
});

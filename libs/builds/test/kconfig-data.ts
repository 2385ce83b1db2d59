import { block } from './support';

/**
 * Abridged mm/Kconfig of Linux 6.1: the entries around ZONE_DEVICE, with
 * their tabs, help text and the `if MEMORY_HOTPLUG ... endif` block. Written
 * from knowledge of the v6.1 tree (no kernel source on the machine it was
 * written on to copy from), so details of help text may differ.
 */
export const MM_KCONFIG_6_1 = [
  'config SPARSEMEM_VMEMMAP_ENABLE',
  '\tbool',
  '',
  'config SPARSEMEM_VMEMMAP',
  '\tbool "Sparse Memory virtual memmap"',
  '\tdepends on SPARSEMEM && SPARSEMEM_VMEMMAP_ENABLE',
  '\tdefault y',
  '\thelp',
  '\t  SPARSEMEM_VMEMMAP uses a virtually mapped memmap to optimise',
  '\t  pfn_to_page and page_to_pfn operations.  This is the most',
  '\t  efficient option when sufficient kernel resources are available.',
  '',
  'config ARCH_ENABLE_MEMORY_HOTPLUG',
  '\tbool',
  '',
  'config ARCH_ENABLE_MEMORY_HOTREMOVE',
  '\tbool',
  '',
  "# eventually, we can have this option just 'select SPARSEMEM'",
  'menuconfig MEMORY_HOTPLUG',
  '\tbool "Memory hotplug"',
  '\tselect MEMORY_ISOLATION',
  '\tdepends on SPARSEMEM',
  '\tdepends on ARCH_ENABLE_MEMORY_HOTPLUG',
  '\tdepends on 64BIT',
  '\tselect NUMA_KEEP_MEMINFO if NUMA',
  '',
  'if MEMORY_HOTPLUG',
  '',
  'config MEMORY_HOTPLUG_DEFAULT_ONLINE',
  '\tbool "Online the newly added memory blocks by default"',
  '\tdepends on MEMORY_HOTPLUG',
  '\thelp',
  '\t  This option sets the default policy setting for memory hotplug',
  '\t  onlining policy (/sys/devices/system/memory/auto_online_blocks) which',
  '\t  determines what happens to newly added memory regions. Policy setting',
  '\t  can always be changed at runtime.',
  '\t  See Documentation/admin-guide/mm/memory-hotplug.rst for more information.',
  '',
  '\t  Say Y here if you want all hot-plugged memory blocks to appear in',
  "\t  'online' state by default.",
  '\t  Say N here if you want the default policy to keep all hot-plugged',
  "\t  memory blocks in 'offline' state.",
  '',
  'config MEMORY_HOTREMOVE',
  '\tbool "Allow for memory hot remove"',
  '\tselect HAVE_BOOTMEM_INFO_NODE if (X86_64 || PPC64)',
  '\tdepends on MEMORY_HOTPLUG && ARCH_ENABLE_MEMORY_HOTREMOVE',
  '\tdepends on MIGRATION',
  '',
  'config MHP_MEMMAP_ON_MEMORY',
  '\tdef_bool y',
  '\tdepends on MEMORY_HOTPLUG && SPARSEMEM_VMEMMAP',
  '\tdepends on ARCH_MHP_MEMMAP_ON_MEMORY_ENABLE',
  '',
  'endif # MEMORY_HOTPLUG',
  '',
  'config ZONE_DEVICE',
  '\tbool "Device memory (pmem, HMM, etc...) hotplug support"',
  '\tdepends on MEMORY_HOTPLUG',
  '\tdepends on MEMORY_HOTREMOVE',
  '\tdepends on SPARSEMEM_VMEMMAP',
  '\tdepends on ARCH_HAS_PTE_DEVMAP',
  '\tselect XARRAY_MULTI',
  '',
  '\thelp',
  '\t  Device memory hotplug support allows for establishing pmem,',
  '\t  or other device driver discovered memory regions, in the',
  '\t  memmap. This allows pfn_to_page() lookups of otherwise',
  '\t  "device-physical" addresses which is needed for using a DAX',
  '\t  mapping in an O_DIRECT operation, among other things.',
  '',
  '\t  If FS_DAX is enabled, then say Y.',
  '',
  'config DEVICE_PRIVATE',
  '\tbool "Unaddressable device memory (GPU memory, ...)"',
  '\tdepends on ZONE_DEVICE',
  '\tselect GET_FREE_REGION',
  '',
  '\thelp',
  '\t  Allows creation of struct pages to represent unaddressable device',
  '\t  memory; i.e., memory that is only accessible from the device (or',
  '\t  group of devices). You likely also want to select HMM_MIRROR.',
  '',
].join('\n');

/** An x86_64 .config after `make olddefconfig` where page migration was turned off (abridged). */
export const X86_CONFIG_NO_MIGRATION = block(`
  #
  # Automatically generated file; DO NOT EDIT.
  # Linux/x86 6.1.0 Kernel Configuration
  #
  CONFIG_CC_VERSION_TEXT="gcc (Debian 12.2.0-14) 12.2.0"
  CONFIG_64BIT=y
  CONFIG_X86_64=y
  CONFIG_NR_CPUS=64
  CONFIG_CMDLINE_BOOL=y
  CONFIG_CMDLINE="console=ttyS0,115200 memhp_default_state=online"
  CONFIG_PHYSICAL_START=0x1000000
  CONFIG_SPARSEMEM=y
  CONFIG_SPARSEMEM_VMEMMAP_ENABLE=y
  CONFIG_SPARSEMEM_VMEMMAP=y
  CONFIG_ARCH_ENABLE_MEMORY_HOTPLUG=y
  CONFIG_ARCH_ENABLE_MEMORY_HOTREMOVE=y
  CONFIG_MEMORY_HOTPLUG=y
  # CONFIG_MEMORY_HOTPLUG_DEFAULT_ONLINE is not set
  CONFIG_MHP_MEMMAP_ON_MEMORY=y
  # CONFIG_MIGRATION is not set
  CONFIG_ARCH_HAS_PTE_DEVMAP=y
  CONFIG_LIBNVDIMM=m
  CONFIG_NVDIMM_DAX=y
  CONFIG_DEV_DAX=y
  CONFIG_DEV_DAX_PMEM=m
  CONFIG_TEST_KMOD=m
`);

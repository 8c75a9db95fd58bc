// The machine a run was measured on: CPU, cores, kernel, Node, the Unix-socket limits
// that shape the figures, and the load when the run started.
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  virtualized: boolean;
  kernel: string;
  node: string;
  date: string;
  maxDgramQlen: number | null;
  wmemDefault: number | null;
  wmemMax: number | null;
  loadAvg: number[];
  memoryGiB: number;
}

function readNumber(file: string): number | null {
  try {
    const v = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model?.trim() || 'unknown';
  let virtualized = false;
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() || cpu;
    virtualized = /^flags\s*:.*\bhypervisor\b/m.test(info);
  } catch { /* not Linux */ }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    virtualized,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    maxDgramQlen: readNumber('/proc/sys/net/unix/max_dgram_qlen'),
    wmemDefault: readNumber('/proc/sys/net/core/wmem_default'),
    wmemMax: readNumber('/proc/sys/net/core/wmem_max'),
    loadAvg: os.loadavg().map((v) => Math.round(v * 100) / 100),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** [label, value] pairs for the report. */
export function machineRows(m: MachineInfo): [string, string][] {
  return [
    ['CPU', `${m.cpu}${m.virtualized ? ' (virtual machine)' : ''}`],
    ['cores', String(m.cores)],
    ['memory', `${m.memoryGiB} GiB`],
    ['kernel', m.kernel],
    ['Node', m.node],
    ['date', m.date],
    ['net.unix.max_dgram_qlen', m.maxDgramQlen === null ? 'unknown' : String(m.maxDgramQlen)],
    ['net.core.wmem_default / wmem_max', `${m.wmemDefault ?? '?'} / ${m.wmemMax ?? '?'} B`],
    ['load average at start', m.loadAvg.join(', ')],
  ];
}

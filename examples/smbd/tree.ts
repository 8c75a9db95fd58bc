// The smbd tree: the sessions supervisor (simple_one_for_one: one temporary session
// process per client connection) and the listener that starts them. rest_for_one:
// if the sessions supervisor dies, the listener (started after it) restarts too.
// Run it with the launcher: `pidgeon start dist/examples/smbd/tree.js`; then
// `pidgeon ps`, and connect with `nc 127.0.0.1 4450`.
import type { SupervisorSpec } from 'pidgeon';

/** The tree; `port` 0 lets the kernel pick one (the launcher uses 4450). */
export function smbdTree(opts: { port?: number; maxChildren?: number } = {}): SupervisorSpec {
  return {
    strategy: 'rest_for_one', intensity: 3, period: 5000,
    children: [
      {
        id: 'sessions',
        supervisor: {
          name: 'smbd.sessions', strategy: 'simple_one_for_one', maxChildren: opts.maxChildren ?? 1000,
          // A session is never restarted: its client is gone with it (smbd's model).
          children: [{ id: 'session', module: new URL('./session.js', import.meta.url).href, restart: 'temporary', shutdown: 2000 }],
        },
      },
      { id: 'listener', module: new URL('./listener.js', import.meta.url).href, name: 'smbd.listener', args: { sessions: 'smbd.sessions', port: opts.port ?? 0 } },
    ],
  };
}

export default { system: 'smbd', ...smbdTree({ port: 4450 }) };

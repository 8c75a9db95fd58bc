// The oplock-break demo's supervision tree, for `pidgeon start` (npm run demo):
// the share-mode table, three clients under their own supervisor, and the narrator.
const at = (file: string) => new URL(file, import.meta.url);

export default {
  system: 'oplock-demo',
  strategy: 'one_for_one',
  intensity: 5,
  period: 10_000,
  children: [
    { id: 'share-table', module: at('./share-table.js'), name: 'share-table' },
    {
      id: 'clients',
      supervisor: {
        strategy: 'one_for_one',
        intensity: 5,
        period: 10_000,
        children: [
          { id: 'client-a', module: at('./client.js'), name: 'client-a', args: { label: 'A' }, shutdown: 1000 },
          { id: 'client-b', module: at('./client.js'), name: 'client-b', args: { label: 'B' }, shutdown: 1000 },
          { id: 'client-c', module: at('./client.js'), name: 'client-c', args: { label: 'C' }, shutdown: 1000 },
        ],
      },
    },
    { id: 'narrator', module: at('./narrator.js'), name: 'narrator', restart: 'temporary' },
  ],
};

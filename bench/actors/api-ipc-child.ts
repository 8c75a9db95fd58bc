// The Node child_process counterpart of the api section's actors: counts
// { type: 'seq' } messages, answers { id, type: 'count' } with { id, count } and echoes
// any other { id, body } as { id, body }. Says { ready } once loaded.
let count = 0;
process.on('message', (m: { type?: string; id?: number; body?: unknown }) => {
  if (m.type === 'seq') count++;
  else if (m.type === 'count') process.send!({ id: m.id, count });
  else if (typeof m.id === 'number') process.send!({ id: m.id, body: m.body });
});
process.send!({ ready: true });

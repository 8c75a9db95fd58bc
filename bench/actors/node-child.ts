// The Node child_process counterpart of a bench actor: says 'ready' over IPC once
// loaded, answers { id } requests, and with argv 'asker' runs the ask loop against
// a sibling through its parent (Node IPC has no child-to-child channel).
process.send!({ ready: true });
process.on('message', (m: { id?: number; body?: unknown }) => {
  if (m && typeof m.id === 'number') process.send!({ id: m.id, body: m.body });
});
